#!/usr/bin/env bash
# make bench: the full echo matrix (bench/run.sh), the syscall count, the
# million-timers comparison and the Go benchmarks, all written to
# bench/RESULTS.md with the raw TSV beside it (bench/results.tsv). About 17
# minutes on 2 cores. Pass run.sh options through: bench/bench.sh --reps 3.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$here/out
"$here/build.sh" >/dev/null
tsv=$here/results.tsv
BENCH_COMMAND="make bench (bench/bench.sh ${*:-})" "$here/run.sh" --no-build --no-report --out "$tsv" "$@" || echo "bench: some runs failed (see $tsv)" >&2

extra=$out/extra.md
{
  echo "## System calls per echoed message"
  echo
  "$here/syscalls.sh" 100 1024
  echo
  "$here/syscalls.sh" 1000 64
  echo
  echo "## Million timers"
  echo
  "$here/timers.sh" 3
  echo
  echo "## Go benchmarks"
  echo
  echo "\`go test -run '^\$' -bench . -benchmem ./bench/gobench ./cbridge\`, same machine and day:"
  echo
  echo '```'
  (cd "$root" && go test -run '^$' -bench . -benchmem ./bench/gobench ./cbridge 2>&1 | grep -E '^(Benchmark|ok|cpu|goos)')
  echo '```'
  echo
  echo "## Thread pool: QueueWork against a goroutine and Loop.Post"
  echo
  echo "One item per op, 64 in flight, an empty work function; the completion runs on the loop either way."
  echo "\`go test -run '^\$' -bench 'QueueWork|GoroutinePost' -benchmem -count 7 ./uv\` (7 runs of each):"
  echo
  (cd "$root" && go test -run '^$' -bench 'QueueWork|GoroutinePost' -benchmem -count 7 ./uv 2>&1) |
    awk '/^Benchmark/ { n = $1; sub(/-[0-9]+$/, "", n); v[n] = v[n] " " $3 }
      END {
        print "| benchmark | ns/op median | min | max | runs |"; print "|---|---|---|---|---|"
        for (n in v) {
          k = split(v[n], a, " ")
          for (i = 1; i <= k; i++) for (j = i + 1; j <= k; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
          printf "| %s | %s | %s | %s | %d |\n", n, a[int((k + 1) / 2)], a[1], a[k], k
        }
      }'
  # The UDP matrix (make bench-udp), when it has been run: its own report,
  # one heading level down.
  if [ -f "$here/RESULTS-udp.md" ]; then
    echo
    echo "## UDP echo (make bench-udp)"
    echo
    sed -e 's/^# Echo benchmark results$/### UDP echo benchmark results/' -e 's/^## /### /' "$here/RESULTS-udp.md"
  fi
} >"$extra"
(cd "$root" && go run ./bench/report -in "$tsv" -meta "$tsv.meta" -out "$here/RESULTS.md" -notes "$here/NOTES.md" -extra "$extra")
echo "bench: wrote $here/RESULTS.md and $tsv"
