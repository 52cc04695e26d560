#!/bin/sh
# Makes Debian's static libuv (libuv1-dev, pkg-config name libuv-static)
# available to cgo. Run by `make deps`; does nothing when it is already there.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
want=$(cat "$here/VERSION")
min=$(echo "$want" | cut -d. -f1,2)

have_libuv() {
  command -v pkg-config >/dev/null 2>&1 &&
    pkg-config --exists "libuv-static >= $min"
}

if ! have_libuv; then
  if [ "$(id -u)" != 0 ]; then
    echo "libuv-static >= $min not found by pkg-config, and installing it needs root:" >&2
    echo "  sudo apt-get install -y libuv1-dev pkg-config" >&2
    exit 1
  fi
  if ! command -v apt-get >/dev/null 2>&1; then
    echo "libuv-static >= $min not found and apt-get is missing: install libuv $want" >&2
    echo "(headers, libuv_a.a and libuv-static.pc) by hand." >&2
    exit 1
  fi
  echo "installing libuv1-dev and pkg-config with apt-get" >&2
  export DEBIAN_FRONTEND=noninteractive
  apt-get install -y -q libuv1-dev pkg-config >/dev/null ||
    { apt-get update -q >/dev/null && apt-get install -y -q libuv1-dev pkg-config >/dev/null; }
fi

exec "$here/check.sh"
