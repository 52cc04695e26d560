#!/usr/bin/env bash
# A/B of million-timer binaries, interleaved on core 0:
#
#   go build -o /tmp/t.new ./bench/timers     # and /tmp/t.old from another commit
#   bench/timers-ab.sh 7 old=/tmp/t.old new=/tmp/t.new
#
# C libuv's bench/out/million_timers runs too, as "c", before each rep. Prints
# per name the medians (min-max) of the wall time and of the process's CPU
# time over the timed section, with their ratios to C's medians, the peak
# RSS, and the time the arming loop took (NewTimer+Start; gouv builds only).
# On a shared machine, compare the CPU column: wall time swings with the
# other tenants.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
reps=$1; shift
[ -x "$here/out/million_timers" ] || "$here/build.sh" c >/dev/null
tmp=$(mktemp); trap 'rm -f "$tmp"' EXIT
for _ in $(seq "$reps"); do
  taskset -c 0 "$here/out/million_timers" | sed 's/^/c /' >>"$tmp"
  for nb in "$@"; do
    taskset -c 0 "${nb#*=}" -impl uv | sed "s/^/${nb%%=*} /" >>"$tmp"
  done
done
awk '
  { delete v; for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    if (!($1 in s)) order[++n] = $1
    s[$1] = s[$1] " " v["seconds"]; r[$1] = r[$1] " " v["maxrss_mib"]; c[$1] = c[$1] " " v["cpu_s"]; am[$1] = am[$1] " " v["arm_s"] }
  function sorted(list, a,   m, i, j, t) {
    m = split(list, a, " ")
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return m
  }
  END {
    m = sorted(s["c"], a); cs = a[int((m + 1) / 2)]; sorted(c["c"], a); cc = a[int((m + 1) / 2)]; sorted(r["c"], a); rc = a[int((m + 1) / 2)]
    for (k = 1; k <= n; k++) { i = order[k]
      m = sorted(am[i], e); arm = (e[1] == "") ? "" : sprintf(" | arming %.3f s (%.3f-%.3f)", e[int((m + 1) / 2)], e[1], e[m])
      m = sorted(s[i], a2); sorted(r[i], b); sorted(c[i], d); md = int((m + 1) / 2)
      printf "%-10s time %.3f s (%.3f-%.3f) %.2fx C | cpu %.3f s (%.3f-%.3f) %.2fx C | rss %d MiB %.2fx C%s\n", i, a2[md], a2[1], a2[m], a2[md] / cs, d[md], d[1], d[m], d[md] / cc, b[md], b[md] / rc, arm }
  }' "$tmp"
