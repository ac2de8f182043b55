#!/usr/bin/env bash
# A throwaway PostgreSQL cluster on loopback for the tests, from Debian's `postgresql` package:
# initdb + pg_ctl into a temporary folder, as a non-root user (the package's `postgres` user
# when run as root), trust authentication on 127.0.0.1 only.
#
#   eval "$(scripts/test-postgres.sh start)"   # prints the exports: TEST_POSTGRES_URL, …
#   scripts/test-postgres.sh stop "$TEST_POSTGRES_DATA"
set -euo pipefail

bindir="${TEST_POSTGRES_BINDIR:-$(ls -d /usr/lib/postgresql/*/bin 2>/dev/null | sort -V | tail -1)}"
if [ -z "$bindir" ] || [ ! -x "$bindir/initdb" ]; then
  echo "PostgreSQL is not installed (apt-get install postgresql)" >&2
  exit 1
fi
as_owner() {
  if [ "$(id -u)" -eq 0 ]; then runuser -u postgres -- "$@"; else "$@"; fi
}

case "${1:-}" in
  start)
    dir="$(mktemp -d /tmp/calendar-agent-pg.XXXXXX)"
    chmod 0755 "$dir"
    [ "$(id -u)" -eq 0 ] && chown postgres "$dir"
    port="$(python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1", 0)); print(s.getsockname()[1])')"
    as_owner "$bindir/initdb" -D "$dir/data" -U postgres -A trust --no-sync >/dev/null
    as_owner "$bindir/pg_ctl" -D "$dir/data" -l "$dir/log" -w -o \
      "-p $port -k $dir -c listen_addresses=127.0.0.1 -c fsync=off -c max_connections=300" \
      start >/dev/null
    echo "export TEST_POSTGRES_URL=postgres://postgres@127.0.0.1:$port/postgres"
    echo "export TEST_POSTGRES_BINDIR=$bindir"
    echo "export TEST_POSTGRES_DATA=$dir"
    ;;
  stop)
    dir="${2:?the folder start printed as TEST_POSTGRES_DATA}"
    as_owner "$bindir/pg_ctl" -D "$dir/data" -m immediate stop >/dev/null 2>&1 || true
    rm -rf "$dir"
    ;;
  *)
    echo "usage: $0 start | stop DIR" >&2
    exit 2
    ;;
esac
