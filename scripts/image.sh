#!/usr/bin/env bash
# Builds the calendar-agent image FROM scratch, with no base image and no registry: the release
# binary built here, exactly the shared libraries `ldd` names for it, the CA bundle, a non-root
# numeric user, and the entrypoint, port and variables of the Containerfile's runtime stage.
#
#   scripts/image.sh            # build and tag calendar-agent:<version>
#   scripts/image.sh --check    # build, then check the image (scripts/image_check.py):
#                               # its config, and the service run from its exported filesystem
#
# Needs podman (Debian's package), and for --check root (chroot), python3 and openssl.
# Time zone data is not copied: jiff embeds it in the binary (feature tzdb-bundle-always).
set -euo pipefail
cd "$(dirname "$0")/.."

check=false
for arg in "$@"; do
  case "$arg" in
    --check) check=true ;;
    *) echo "usage: $0 [--check]" >&2; exit 2 ;;
  esac
done

command -v podman >/dev/null || { echo "podman is not installed (apt-get install podman)" >&2; exit 1; }
version="$(sed -n 's/^version = "\(.*\)"/\1/p' Cargo.toml | head -1)"
tag="calendar-agent:${version}"
uid=10001

cargo build --release --locked --bin calendar-agent
# Wherever cargo put it: CARGO_TARGET_DIR (or a build.target-dir setting) moves target/.
target_dir="$(cargo metadata --format-version 1 --no-deps | sed -n 's/.*"target_directory":"\([^"]*\)".*/\1/p')"
binary="${target_dir:-target}/release/calendar-agent"
[ -x "$binary" ] || { echo "the release build is not at $binary" >&2; exit 1; }

stage="$(mktemp -d /tmp/calendar-agent-image.XXXXXX)"
trap 'rm -rf "$stage"' EXIT
root="$stage/rootfs"
mkdir -p "$root/etc/ssl/certs" "$root/tmp" "$stage/data"
chmod 1777 "$root/tmp"
install -m 0755 "$binary" "$root/calendar-agent"

# Exactly the shared libraries the binary loads, at the paths the loader looks for them.
libs="$(ldd "$binary" | awk '/=> \// { print $3 } /^\t\// { print $1 }')"
for lib in $libs; do
  mkdir -p "$root$(dirname "$lib")"
  cp -L "$lib" "$root$lib"
done
# The TLS roots for Google, Anam and PostgreSQL (rustls reads the system bundle).
bundle=/etc/ssl/certs/ca-certificates.crt
[ -s "$bundle" ] || { echo "no CA bundle at $bundle (apt-get install ca-certificates)" >&2; exit 1; }
cp -L "$bundle" "$root$bundle"
printf 'root:x:0:0:root:/:/sbin/nologin\ncalendar:x:%s:%s:calendar-agent:/data:/sbin/nologin\n' "$uid" "$uid" > "$root/etc/passwd"
printf 'root:x:0:\ncalendar:x:%s:\n' "$uid" > "$root/etc/group"

cat > "$stage/Containerfile" <<CONTAINERFILE
FROM scratch
COPY rootfs/ /
COPY --chown=${uid}:${uid} data/ /data/
USER ${uid}:${uid}
WORKDIR /data
ENV HOST=0.0.0.0 PORT=3000
EXPOSE 3000
VOLUME ["/data"]
LABEL org.opencontainers.image.title="calendar-agent" org.opencontainers.image.version="${version}"
ENTRYPOINT ["/calendar-agent"]
CONTAINERFILE

podman build --quiet --tag "$tag" --file "$stage/Containerfile" "$stage" >/dev/null
echo "built $tag ($(du -sh "$root" | cut -f1) in $(find "$root" -type f | wc -l) files: the binary, $(echo "$libs" | wc -w) libraries, the CA bundle)"

if $check; then
  python3 scripts/image_check.py "$tag"
fi
