#!/usr/bin/env bash
# The service beside a bare Axum app doing the same HMAC check (examples/ceiling.rs), in one
# run: forged tool URLs (POST), GET on a tool route, /healthz; req/s, p50/p99, RSS and the bytes
# of log each flood wrote. Given a git revision, an older build of the service runs too.
# Usage: scripts/ceiling.sh [seconds per phase, default 10] [connections, default 64] [revision]
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
if ! command -v wrk >/dev/null 2>&1; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --bin calendar-agent --example ceiling --example loadtest
before=()
if [ -n "${3:-}" ]; then
  dir="$(mktemp -d)"
  trap 'git worktree remove --force "$dir/src" >/dev/null 2>&1 || true; rm -rf "$dir"' EXIT
  git worktree add --detach "$dir/src" "$3" >/dev/null
  (cd "$dir/src" && cargo build --release --bin calendar-agent --target-dir "$dir/target")
  before=("$dir/target/release/calendar-agent" "$3")
fi
target/release/examples/loadtest ceiling "${1:-10}" "${2:-64}" "${before[@]}"
