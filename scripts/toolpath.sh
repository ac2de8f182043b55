#!/usr/bin/env bash
# This build's tool path beside an older revision's, in one run (BENCHMARKS.md "Tool path"):
# builds both release binaries (the older one in a temporary worktree), starts a throwaway
# PostgreSQL, and drives list_events on each in alternating rounds.
# Usage: scripts/toolpath.sh [older revision, default HEAD~1] [seconds per round, default 5] [mint]
# With `mint` as the third argument, Start (POST /api/session-token) is compared instead.
set -euo pipefail
cd "$(dirname "$0")/.."
rev="${1:-HEAD~1}"
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
command -v wrk >/dev/null 2>&1 || { as_root apt-get update -qq; as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null; }
ours=""
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  eval "$(bash scripts/test-postgres.sh start)"
  ours="$TEST_POSTGRES_DATA"
fi
older="$(mktemp -d)"
git worktree add --detach "$older" "$rev" >/dev/null
# Only what this script made is removed: a cluster it was given stays up.
trap 'git worktree remove --force "$older"; if [ -n "$ours" ]; then bash scripts/test-postgres.sh stop "$ours"; fi' EXIT
CARGO_TARGET_DIR="$PWD/target/older" cargo build --release --bin calendar-agent --manifest-path "$older/Cargo.toml"
cargo build --release --bin calendar-agent --example loadtest
if [ "${3:-}" = "mint" ]; then
  target/release/examples/loadtest mint "$PWD/target/older/release/calendar-agent" \
    "$(git rev-parse --short "$rev")" "${2:-5}"
else
  target/release/examples/loadtest toolpath "$PWD/target/older/release/calendar-agent" \
    "$(git rev-parse --short "$rev")" "${2:-5}" "$TEST_POSTGRES_URL"
fi
