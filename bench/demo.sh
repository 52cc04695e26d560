#!/usr/bin/env bash
# make demo: builds the echo servers, runs the key cells once against gouv,
# Go net (one core) and C libuv, and prints what it measured. Under a minute.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
"$here/build.sh" demo >/dev/null
tsv=$here/out/demo.tsv
echo "demo: echo servers on core 0, load generator on core 1; cells CONNSxSIZE; 1 run each"
"$here/run.sh" --quick --no-build --no-report --servers uv,net1,c-try --out "$tsv" 2>&1 |
  grep -E '^  |warning' || true
echo
cd "$root"
go run ./bench/report -in "$tsv" -brief
echo
echo "uv = gouv (examples/echo); net1 = Go net, GOMAXPROCS=1; c-try = C libuv, uv_try_write first."
echo "CPU-us/rt is the server's CPU time per round trip: the figure to compare on a shared machine."
echo "Full matrix: make bench (bench/RESULTS.md)."
