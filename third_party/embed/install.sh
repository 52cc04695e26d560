#!/bin/sh
# Installs the C libraries that examples/embed hosts on a gouv loop:
# Debian's h2o (libh2o-dev, the libuv build) and libwebsockets with its
# libuv event-loop plugin (libwebsockets-dev, libwebsockets-evlib-uv), and
# curl, which examples/h2o's test speaks HTTP/2 with. Run
# by `make deps`; apt-get runs only when one is missing.
set -eu
pkgs="libh2o-dev libwebsockets-dev libwebsockets-evlib-uv curl"

missing=""
for p in $pkgs; do
  dpkg-query -W -f='${Status}' "$p" 2>/dev/null | grep -q "install ok installed" ||
    missing="$missing $p"
done
[ -z "$missing" ] && exit 0

if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "examples/embed needs$missing; install them with:" >&2
  echo "  sudo apt-get install -y$missing" >&2
  exit 1
fi
echo "installing$missing with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
# shellcheck disable=SC2086
apt-get install -y -q $missing >/dev/null ||
  { apt-get update -q >/dev/null && apt-get install -y -q $missing >/dev/null; }
