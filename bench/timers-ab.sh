#!/usr/bin/env bash
# A/B of million-timer binaries, interleaved on core 0:
#   bench/timers-ab.sh REPS NAME=BINARY... (C libuv's bench/out/million_timers is
#   always run too, as "c"). Wall time and process CPU time over the timed section. Each BINARY is a build of ./bench/timers
#   (go build -o /tmp/t.x ./bench/timers). Prints, per name, the median
#   seconds (min-max), the ratio to C's median and the median peak RSS.
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
  { for (i = 2; i <= NF; i++) { split($i, kv, "="); v[kv[1]] = kv[2] }
    if (!($1 in s)) order[++n] = $1
    s[$1] = s[$1] " " v["seconds"]; r[$1] = r[$1] " " v["maxrss_mib"]; c[$1] = c[$1] " " v["cpu_s"] }
  function sorted(list, a,   m, i, j, t) {
    m = split(list, a, " ")
    for (i = 1; i <= m; i++) for (j = i + 1; j <= m; j++) if (a[j] + 0 < a[i] + 0) { t = a[i]; a[i] = a[j]; a[j] = t }
    return m
  }
  END {
    m = sorted(s["c"], a); cs = a[int((m + 1) / 2)]; sorted(c["c"], a); cc = a[int((m + 1) / 2)]; sorted(r["c"], a); rc = a[int((m + 1) / 2)]
    for (k = 1; k <= n; k++) { i = order[k]
      m = sorted(s[i], a); sorted(r[i], b); sorted(c[i], d); md = int((m + 1) / 2)
      printf "%-10s time %.3f s (%.3f-%.3f) %.2fx C | cpu %.3f s (%.3f-%.3f) %.2fx C | rss %d MiB %.2fx C\n", i, a[md], a[1], a[m], a[md] / cs, d[md], d[1], d[m], d[md] / cc, b[md], b[md] / rc }
  }' "$tmp"
