#!/usr/bin/env bash
# One command for the load run: installs wrk if needed, builds the release server and the
# driver, and runs every phase against a zero-latency stand-in on loopback.
# Usage: scripts/load.sh [seconds per phase, default 10] [connections, default 64]
set -euo pipefail
cd "$(dirname "$0")/.."
if ! command -v wrk >/dev/null 2>&1; then
  as_root() { if [ "$(id -u)" -eq 0 ]; then "$@"; else sudo "$@"; fi; }
  as_root apt-get update -qq
  as_root env DEBIAN_FRONTEND=noninteractive apt-get install -y -qq wrk >/dev/null
fi
cargo build --release --bin calendar-agent --example loadtest
exec target/release/examples/loadtest "${1:-10}" "${2:-64}"
