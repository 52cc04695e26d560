#!/bin/sh
# Makes Debian's llhttp (node-llhttp: the generated C under /usr/share/llhttp
# and the header under /usr/share/include/llhttp) available to package
# uv/uvhttp, which compiles it in by cgo. Run by `make deps`; does nothing
# when it is already there. Also installs curl, which the HTTP conformance
# tests drive as one of their clients.
set -eu
here=$(cd "$(dirname "$0")" && pwd)

need=""
[ -f /usr/share/llhttp/llhttp.c ] && [ -f /usr/share/include/llhttp/llhttp.h ] || need="node-llhttp"
command -v curl >/dev/null 2>&1 || need="$need curl"

if [ -n "$need" ]; then
  if [ "$(id -u)" != 0 ]; then
    echo "missing:$need; installing needs root:" >&2
    echo "  sudo apt-get install -y$need" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "missing:$need and apt-get is missing: install llhttp $(cat "$here/VERSION")'s" >&2
    echo "generated C into /usr/share/llhttp and its header into /usr/share/include/llhttp by hand." >&2
    exit 1
  fi
  echo "installing$need with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  # shellcheck disable=SC2086
  apt-get install -y -q $need >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q $need >/dev/null; }
fi

exec "$here/check.sh"
