#!/usr/bin/env bash
# make bench-udp: the UDP echo matrix (bench/run.sh --udp): 1, 100 and 1000
# flows x 64 and 1024-byte datagrams, for gouv with and without recvmmsg, Go
# net (GOMAXPROCS=1) and C libuv with and without recvmmsg, 5 interleaved
# reps (about 4 minutes). Writes bench/RESULTS-udp.md (ratios to c-udp) and
# the raw TSV bench/results-udp.tsv; make bench appends RESULTS-udp.md to
# bench/RESULTS.md. Pass run.sh options through: bench/bench-udp.sh --reps 7.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
"$here/build.sh" >/dev/null
BENCH_COMMAND="make bench-udp (bench/bench-udp.sh ${*:-})" "$here/run.sh" --udp --no-build \
  --out "$here/results-udp.tsv" --report "$here/RESULTS-udp.md" "$@"
echo "bench-udp: wrote $here/RESULTS-udp.md and $here/results-udp.tsv"
