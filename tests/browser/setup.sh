#!/usr/bin/env bash
# Prepares the browser test: playwright-core (to drive Debian's Chromium) and the real Anam SDK
# build the page loads, fetched from the npm registry. Idempotent; run from anywhere.
set -euo pipefail
here="$(cd "$(dirname "$0")" && pwd)"
root="$(cd "$here/../.." && pwd)"
sdk_version="4.27.0"
sdk_dir="$root/target/anam-sdk"

npm ci --prefix "$here" --no-audit --no-fund --loglevel=error

if [ ! -f "$sdk_dir/$sdk_version/package/dist/umd/anam.js" ]; then
  mkdir -p "$sdk_dir/$sdk_version"
  (cd "$sdk_dir/$sdk_version" && npm pack "@anam-ai/js-sdk@$sdk_version" --silent >/dev/null && tar xzf ./*.tgz)
fi
echo "browser test ready: $sdk_dir/$sdk_version/package/dist/umd/anam.js"
