#!/usr/bin/env bash
# libuv's million_timers on C libuv, gouv and time.AfterFunc, on one core,
# interleaved: bench/timers.sh [REPS]. Prints a Markdown table of medians.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
reps=${1:-3}
(cd "$root" && go build -o "$here/out/timers" ./bench/timers)
[ -x "$here/out/million_timers" ] || "$here/build.sh" c >/dev/null
tmp=$(mktemp)
trap 'rm -f "$tmp"' EXIT
for _ in $(seq "$reps"); do
  taskset -c 0 "$here/out/million_timers" >>"$tmp"
  taskset -c 0 "$here/out/timers" -impl uv >>"$tmp"
  taskset -c 0 "$here/out/timers" -impl afterfunc >>"$tmp"
done
echo "1,000,000 one-shot timers, random timeouts in 0..1000 ms, one core (taskset -c 0): time from arming the first until the last fired, peak RSS, and the process's CPU time over the same span (steadier than wall time on a shared machine); median of $reps interleaved runs, $(date -u '+%Y-%m-%d'), command \`bench/timers.sh $reps\`."
echo
awk '
  { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    s[v["impl"]] = s[v["impl"]] " " v["seconds"]; r[v["impl"]] = r[v["impl"]] " " v["maxrss_mib"]; c[v["impl"]] = c[v["impl"]] " " v["cpu_s"] }
  function med(list,   a, n, i, j, t) {
    n = split(list, a, " ")
    for (i = 1; i <= n; i++) for (j = i + 1; j <= n; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return a[int((n + 1) / 2)]
  }
  END {
    cs = med(s["c"]); cr = med(r["c"]); cc = med(c["c"])
    print "| impl | seconds (median) | runs | peak RSS MiB | time vs C | RSS vs C | CPU s (median) | CPU vs C |"
    print "|---|---|---|---|---|---|---|---|"
    n = split("c uv afterfunc", order, " ")
    for (k = 1; k <= n; k++) { i = order[k]
      printf "| %s | %.3f | %s | %d | %.2f | %.2f | %.3f | %.2f |\n", i, med(s[i]), s[i], med(r[i]), med(s[i]) / cs, med(r[i]) / cr, med(c[i]), med(c[i]) / cc }
  }' "$tmp"
