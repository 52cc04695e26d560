#!/usr/bin/env bash
# Builds the benchmark's C programs (libuv linked statically) and, when their
# sources exist, the Go servers, into bench/out/.
#   bench/build.sh          # everything that can be built
#   bench/build.sh c        # only the C programs
#   bench/build.sh demo     # the C programs and the two Go echo servers
# A C build failure is fatal; a Go server that is missing or does not build
# is skipped with a warning (run.sh then skips that server).
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out="$here/out"
mkdir -p "$out"
CC=${CC:-cc}
CFLAGS=${CFLAGS:--O2 -Wall -Wextra}
uv_flags=$(pkg-config --cflags --libs libuv-static)

echo "build: C programs -> $out"
# shellcheck disable=SC2086
$CC $CFLAGS -o "$out/echo_uv" "$here/c/echo_uv.c" $uv_flags
# shellcheck disable=SC2086
$CC $CFLAGS -o "$out/echo_udp_uv" "$here/c/echo_udp_uv.c" $uv_flags
# shellcheck disable=SC2086
$CC $CFLAGS -o "$out/million_timers" "$here/c/million_timers.c" $uv_flags
# shellcheck disable=SC2086
$CC $CFLAGS -o "$out/loadgen" "$here/loadgen/loadgen.c"

[ "${1:-}" = c ] && exit 0

# Go servers of the main module, and the gnet peer (nested module
# bench/peers). A stale binary is removed first so that a failed build is not
# benchmarked by mistake.
go_build() { # BIN DIR PKG
  local bin=$1 dir=$2 pkg=$3
  rm -f "$out/$bin"
  if [ ! -d "$dir/${pkg#./}" ]; then
    echo "build: warning: $pkg does not exist; $bin not built" >&2
    return
  fi
  echo "build: $pkg -> $out/$bin"
  if ! (cd "$dir" && CGO_ENABLED=1 go build -o "$out/$bin" "$pkg"); then
    echo "build: warning: $pkg failed to build; $bin skipped" >&2
  fi
}
# examples/echo serves UDP too (-udp); run.sh looks for this marker.
go_build echo-uv "$root" ./examples/echo
touch "$out/echo-uv.udp"
go_build echo-net "$root" ./examples/echo-net
[ "${1:-}" = demo ] && exit 0
go_build gnet-echo "$here/peers" ./gnet-echo
