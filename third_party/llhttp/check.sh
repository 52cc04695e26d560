#!/bin/sh
# Checks that the llhttp header cgo compiles against is the version pinned
# in VERSION (its LLHTTP_VERSION_MAJOR and LLHTTP_VERSION_MINOR). Another
# patch release is accepted; another minor release is accepted with a
# warning; another major release is an error (llhttp's API changes with it).
set -eu
here=$(cd "$(dirname "$0")" && pwd)
want=$(cat "$here/VERSION")
h=/usr/share/include/llhttp/llhttp.h
for f in "$h" /usr/share/llhttp/llhttp.c /usr/share/llhttp/api.c /usr/share/llhttp/http.c; do
  [ -f "$f" ] || { echo "$f is missing: run third_party/llhttp/install.sh" >&2; exit 1; }
done
gmaj=$(sed -n 's/^#define LLHTTP_VERSION_MAJOR \([0-9]*\).*/\1/p' "$h")
gmin=$(sed -n 's/^#define LLHTTP_VERSION_MINOR \([0-9]*\).*/\1/p' "$h")
wmaj=$(echo "$want" | cut -d. -f1)
wmin=$(echo "$want" | cut -d. -f2)
if [ "$gmaj" != "$wmaj" ]; then
  echo "llhttp is $gmaj.$gmin; uvhttp needs $wmaj.x (pinned: $want)" >&2
  exit 1
fi
if [ "$gmin" != "$wmin" ]; then
  echo "warning: llhttp is $gmaj.$gmin; uvhttp is pinned to and tested with $want" >&2
fi
