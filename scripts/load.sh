#!/usr/bin/env bash
# One command for the load run: installs wrk (and PostgreSQL) if needed, starts a throwaway
# PostgreSQL cluster, builds the release server and the driver, and runs every phase on SQLite
# and on PostgreSQL against a zero-latency stand-in on loopback, then one instance against two.
# Usage: scripts/load.sh [seconds per phase, default 10] [connections, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
need=()
command -v wrk >/dev/null 2>&1 || need+=(wrk)
ls /usr/lib/postgresql/*/bin/initdb >/dev/null 2>&1 || need+=(postgresql)
if [ "${#need[@]}" -gt 0 ]; then
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq "${need[@]}" >/dev/null
fi
if [ -z "${TEST_POSTGRES_URL:-}" ]; then
  eval "$(bash scripts/test-postgres.sh start)"
  trap 'bash scripts/test-postgres.sh stop "$TEST_POSTGRES_DATA"' EXIT
fi
cargo build --release --bin calendar-agent --example loadtest
target/release/examples/loadtest "${1:-10}" "${2:-64}" "$TEST_POSTGRES_URL"
