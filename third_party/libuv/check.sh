#!/bin/sh
# Checks that pkg-config's libuv-static is the version pinned in VERSION.
# A newer patch or minor release is accepted with a warning (libuv keeps its
# ABI within 1.x); an older minor release is an error.
set -eu
here=$(cd "$(dirname "$0")" && pwd)
want=$(cat "$here/VERSION")
got=$(pkg-config --modversion libuv-static 2>/dev/null) || {
  echo "pkg-config cannot find libuv-static: run third_party/libuv/install.sh" >&2
  exit 1
}
# The uvshared build (uv/cgo_shared.go) links pkg-config's libuv, the
# shared library, and takes 1.44.x only (uv/uvgo.h, and at run time).
shared=$(pkg-config --modversion libuv 2>/dev/null) || shared=""
case "$shared" in
"" | 1.44 | 1.44.*) ;;
*) echo "warning: the shared libuv is $shared; -tags uvshared needs 1.44.x" >&2 ;;
esac
if [ "$got" = "$want" ]; then
  exit 0
fi
wmin=$(echo "$want" | cut -d. -f2)
gmaj=$(echo "$got" | cut -d. -f1)
gmin=$(echo "$got" | cut -d. -f2)
if [ "$gmaj" != 1 ] || [ "$gmin" -lt "$wmin" ]; then
  echo "libuv-static is $got; gouv needs 1.$wmin or newer (pinned: $want)" >&2
  exit 1
fi
echo "warning: libuv-static is $got; gouv is pinned to and tested with $want" >&2
