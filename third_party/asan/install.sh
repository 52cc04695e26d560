#!/bin/sh
# Makes gcc's AddressSanitizer runtime available for go test -asan (make
# test-asan). Debian's gcc 12 links -fsanitize=address against libasan8,
# which gcc pulls in; this installs it when a test link fails.
set -eu
cc=${CC:-gcc}

can_asan() {
  tmp=$(mktemp -d)
  printf 'int main(void) { return 0; }\n' >"$tmp/t.c"
  ok=0
  "$cc" -fsanitize=address "$tmp/t.c" -o "$tmp/t" >/dev/null 2>&1 && "$tmp/t" && ok=1
  rm -rf "$tmp"
  [ "$ok" = 1 ]
}

can_asan && exit 0
if [ "$(id -u)" != 0 ] || ! command -v apt-get >/dev/null 2>&1; then
  echo "$cc cannot link -fsanitize=address: install gcc's AddressSanitizer runtime" >&2
  echo "  sudo apt-get install -y libasan8   # gcc 12 on Debian 12" >&2
  exit 1
fi
echo "installing libasan8 with apt-get" >&2
export DEBIAN_FRONTEND=noninteractive
apt-get install -y -q libasan8 >/dev/null ||
  { apt-get update -q >/dev/null && apt-get install -y -q libasan8 >/dev/null; }
can_asan || { echo "$cc still cannot link -fsanitize=address" >&2; exit 1; }
