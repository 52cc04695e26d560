#!/usr/bin/env bash
# make bench-key: the table of issue 9's targets in one command (about 7
# minutes). 7 interleaved reps of the cells 100x1024, 1000x64 and lat-1x64
# for the servers uv, uv-p2, c-try, net1 and gnet (bench/run.sh; TSV in
# bench/out/key.tsv, report in bench/out/key.md), medians with (min–max),
# ratios to c-try and each server's spread (max/min CPU-µs/rt), then the
# million timers line (bench/timers.sh 7). bench/RESULTS.md is left alone.
#
#   bench/key.sh [--reps N] [--duration S] [--timer-reps N] [--no-timers]
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
reps=7 duration=1 treps=7 timers=1
while [ $# -gt 0 ]; do
  case $1 in
    --reps) reps=$2; shift ;;
    --duration) duration=$2; shift ;;
    --timer-reps) treps=$2; shift ;;
    --no-timers) timers=0 ;;
    *) echo "key.sh: unknown option $1" >&2; exit 2 ;;
  esac
  shift
done
cells=100x1024,1000x64,lat-1x64
servers=uv,uv-p2,c-try,net1,gnet
cmd="bench/run.sh --reps $reps --duration $duration --cells $cells --servers $servers --out bench/out/key.tsv --report bench/out/key.md"
echo "# make bench-key"
echo
echo "- command: \`$cmd\`, then \`bench/timers.sh $treps\`"
echo "- nproc: $(nproc); CPU: $(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
echo "- date: $(date -u '+%Y-%m-%d %H:%M:%S UTC')"
echo "- servers pinned to core 0 (taskset), load generator on core 1 (core 0 for lat-); runs interleaved (A B C D A B C D ...): compare ratios from the same run"
echo
cd "$root"
rc=0
BENCH_COMMAND="$cmd" $cmd 2>&1 | grep -E 'warning|FAILED|failed' >&2 || true
[ -s bench/out/key.tsv ] || { echo "key.sh: no TSV" >&2; exit 1; }
# The report from its summary on, without the metadata header.
sed -n '/^## Summary/,$p' bench/out/key.md
# Spread: max/min of each server's CPU-µs/rt over the reps, per cell.
echo "## Spread: max/min CPU-µs/rt over the reps"
echo
awk -F'\t' '
  NR == 1 { for (i = 1; i <= NF; i++) col[$i] = i; next }
  $col["status"] == "ok" {
    k = $col["cell"] "|" $col["server"]; v = $col["server_cpu_us_per_rt"] + 0
    if (!(k in mn) || v < mn[k]) mn[k] = v
    if (!(k in mx) || v > mx[k]) mx[k] = v
    if (!(k in seen)) { seen[k] = 1; order[++n] = k }
  }
  END {
    print "| cell | server | spread |"; print "|---|---|---|"
    for (i = 1; i <= n; i++) { split(order[i], p, "|"); printf "| %s | %s | %.2f |\n", p[1], p[2], mx[order[i]] / mn[order[i]] }
  }' bench/out/key.tsv
echo
if [ $timers = 1 ]; then
  echo "## A million timers"
  echo
  "$here/timers.sh" "$treps"
fi
exit $rc
