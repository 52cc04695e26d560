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
# The C HTTP server: llhttp's C from Debian's node-llhttp (make deps), compiled
# where it is installed (never copied here), with its own warnings off.
LLHTTP_DIR=${LLHTTP_DIR:-/usr/share/llhttp}
LLHTTP_INC=${LLHTTP_INC:-/usr/share/include/llhttp}
if [ -r "$LLHTTP_DIR/llhttp.c" ] && [ -r "$LLHTTP_INC/llhttp.h" ]; then
  # shellcheck disable=SC2086
  $CC $CFLAGS -I"$LLHTTP_INC" -c -o "$out/http_uv.o" "$here/c/http_uv.c" $uv_flags
  # shellcheck disable=SC2086
  $CC -O2 -w -I"$LLHTTP_INC" -o "$out/http_uv" "$out/http_uv.o" \
    "$LLHTTP_DIR/llhttp.c" "$LLHTTP_DIR/api.c" "$LLHTTP_DIR/http.c" $uv_flags
  rm -f "$out/http_uv.o"
else
  echo "build: warning: llhttp's C is not in $LLHTTP_DIR (apt-get install node-llhttp); http_uv not built" >&2
fi

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
go_build http-uv "$root" ./examples/http
[ "${1:-}" = demo ] && exit 0
go_build gnet-echo "$here/peers" ./gnet-echo
go_build fasthttp-http "$here/peers" ./fasthttp-http
