#!/usr/bin/env bash
# bench/profile-http.sh: where an HTTP server's CPU per request goes, by
# perf (apt-get install linux-perf), in the set-up of bench-http.sh.
#
#   bench/profile-http.sh NAME 'SERVER COMMAND' CONNS PATH DEPTH [SECONDS]
#   bench/profile-http.sh uv 'env GOMAXPROCS=1 bench/out/http-uv -mode loop' 100 /plaintext 1
#
# Starts the server on core 0 (-addr 127.0.0.1:0 appended), loads it with
# wrk on core 1 (bench/wrk/http.lua, DEPTH deep), records core 0 with `perf
# record -F 1999 -C 0` for SECONDS (default 3) in the middle of the load,
# keeps the samples of the server's command name, and prints its CPU-µs per
# request split into kernel (TCP, scheduling, epoll), C (llhttp, libuv),
# cgo, Go allocation and GC, Go scheduling, net/http, uvhttp. perf.data is
# left in bench/out/perf.NAME.data for `perf report`.
set -euo pipefail
here=$(cd "$(dirname "$0")" && pwd)
name=$1 cmd=$2 conns=$3 path=$4 depth=$5 secs=${6:-3}
command -v perf >/dev/null || { echo "profile-http.sh: perf missing (apt-get install linux-perf)" >&2; exit 1; }
out=$here/out
mkdir -p "$out"
data=$out/perf.$name.data
# shellcheck disable=SC2086
taskset -c 0 $cmd -addr 127.0.0.1:0 >"$out/profile.server.out" 2>&1 &
pid=$!
trap 'kill $pid 2>/dev/null || true' EXIT
for _ in $(seq 500); do
  addr=$(sed -n 's/^listening on //p' "$out/profile.server.out" | head -1)
  [ -n "$addr" ] && break
  sleep 0.01
done
[ -n "$addr" ] || { echo "profile-http.sh: server did not start" >&2; exit 1; }
comm=$(cat "/proc/$pid/comm")
taskset -c 1 wrk -t1 -c"$conns" -d"$((secs + 2))" \
  -s "$here/wrk/http.lua" "http://$addr$path" -- "$depth" >"$out/profile.wrk.out" &
w=$!
sleep 0.5
perf record -q -F 1999 -C 0 -o "$data" -- sleep "$secs" 2>/dev/null
wait $w || { echo "profile-http.sh: wrk failed" >&2; exit 1; }
rps=$(sed -n 's/^RESULT .* rps=\([0-9.]*\).*/\1/p' "$out/profile.wrk.out")
perf report -i "$data" --comm "$comm" --stdio --sort dso,sym -F sample,dso,sym --percent-limit 0 2>/dev/null |
  /usr/bin/python3 -c '
import re, sys
hz, reqs = 1999.0, float(sys.argv[1]) * float(sys.argv[2])
rules = [
  ("kernel: scheduling, futex, sleep", "k", r"finish_task_switch|schedule|futex|pick_next|dequeue|enqueue|try_to_wake|select_task|update_curr|hrtimer|nanosleep|switch"),
  ("kernel: epoll", "k", r"epoll|ep_|poll"),
  ("kernel: TCP, syscalls", "k", r""),
  ("C: llhttp, libuv, cgo shims", "u", r"llhttp|uv__|uv_|uvh_|uvgo|on_headers|on_url|on_message|push\.isra"),
  ("Go: cgo calls and callbacks", "u", r"runtime\.(cgo|asmcgo|entersyscall|exitsyscall|reentersyscall)|crosscall2|_cgo|_Cfunc|_cgoexp|cgoIsGoPointer|cgocallback|cgoCheck|inHeapOrStack"),
  ("Go: allocation, GC, memmove", "u", r"runtime\.(malloc|memclr|newobject|makeslice|growslice|gc|scan|mark|sweep|greyobject|findObject|heapBits|wbBuf|bulkBarrier|typePointers|nextFreeFast|deductAssist|bgsweep|memmove)|mspan|mheap|mcache|writeHeapBits|gcWork|gcBits|spanOf|WriteBarrier"),
  ("Go: scheduler, goroutines, channels, locks", "u", r"runtime\.(schedule|findRunnable|park|gopark|goready|ready|runq|netpoll|casgstatus|lock2|unlock2|futex|note|stopm|startm|wakep|mcall|goexit|newproc|gf|usleep|nanotime|execute|checkTimers|selectgo|chan|send|recv|resetspinning|acquirep|releasep|handoffp|injectglist|sysmon|procyield|osyield|sema|mPark|gosched)|sync\.|internal/sync"),
  ("Go: net/http, textproto, bufio, maps, strings", "u", r"net/http|net/textproto|bufio|net/url|mime|strings\.|strconv|bytes\.|internal/runtime/maps|runtime\.map|aeshash|memhash|fmt\.|time\.|sort\.|unicode"),
  ("Go: uvhttp", "u", r"uvhttp"),
  ("Go: gouv uv package", "u", r"gouv"),
  ("Go: net, internal/poll, syscall", "u", r"^net\.|internal/poll|syscall\.|os\."),
  ("other user space (runtime, libc, vdso)", "u", r""),
]
cats, tot = {}, 0
for line in sys.stdin:
    m = re.match(r"\s*(\d+)\s+(\S+)\s+\[(.)\]\s+(.*)", line)
    if not m or line.startswith("#"):
        continue
    n, kind, sym = int(m.group(1)), "k" if m.group(3) == "k" else "u", m.group(4).strip()
    for name, k, rx in rules:
        if k == kind and re.search(rx, sym):
            cats[name] = cats.get(name, 0) + n
            break
    tot += n
if tot == 0 or reqs == 0:
    sys.exit("profile-http.sh: no samples")
us = tot / hz * 1e6 / reqs
print(f"{sys.argv[3]}: {tot} samples over {sys.argv[2]} s at {float(sys.argv[1]):.0f} req/s: {us:.2f} CPU-us/req")
for name, n in sorted(cats.items(), key=lambda x: -x[1]):
    print(f"  {name:46s} {100 * n / tot:5.1f}%  {us * n / tot:6.2f} us/req")
' "${rps:-0}" "$secs" "$name"
kill -TERM $pid 2>/dev/null || true
wait $pid 2>/dev/null || true
