#!/usr/bin/env bash
# bench/bench-http.sh: make bench-http. HTTP servers under wrk, one core each;
# writes bench/RESULTS-http.md and bench/results-http.tsv.
#
#   bench/bench-http.sh                   # 5 cells x 9 servers, 7 reps of 3 s: about 15 min
#   bench/bench-http.sh --quick           # cells 1 and 2, 1 rep of 1 s
#   bench/bench-http.sh --reps 3 --duration 2 --servers c,uv,std --cells pipe16,plain100
#
# Options:
#   --quick            cells pipe16,plain100; 1 rep; 1 s (report in bench/out/)
#   --reps N           repetitions (default 7), interleaved rep-major: every
#                      cell and server once per rep
#   --duration S       wrk seconds per run (default 3)
#   --servers a,b      only these servers (names from the table below)
#   --cells c1,c2      only these cells (names from the table below)
#   --out FILE         TSV (default bench/results-http.tsv; quick: bench/out/)
#   --report FILE      Markdown (default bench/RESULTS-http.md; quick: bench/out/)
#   --no-build         do not run bench/build.sh first
#
# Each run: start the server with `taskset -c 0`, wait for its "listening on
# ADDR" line, read its CPU time (utime+stime of /proc/PID/stat, all threads)
# and the machine's busy time (/proc/stat), run `taskset -c 1 wrk -t1 -cN
# -dS --latency -s bench/wrk/http.lua URL -- DEPTH`, read both again, record
# a TSV row, stop the server with SIGTERM and check it exits 0. The server's
# CPU-µs per request is its CPU time over the wrk run divided by the requests
# wrk completed; `other` is the machine's busy cores not used by the server
# or wrk (other engineers' work on this shared machine).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$here/out

# ---- servers: name | cells (all, or a list) | command (ADDR replaced) | note
SERVERS=(
  "c|all|$out/http_uv -addr ADDR|C libuv + llhttp (bench/c/http_uv.c): the limit"
  "uv|all|env GOMAXPROCS=1 $out/http-uv -mode loop -addr ADDR|uvhttp on-loop handlers (examples/http -mode loop), GOMAXPROCS=1"
  "uv-nethttp|all|env GOMAXPROCS=1 $out/http-uv -mode nethttp -addr ADDR|uvhttp serving net/http handlers (examples/http -mode nethttp), GOMAXPROCS=1"
  "uv-nethttp-p2|pipe16,plain100|env GOMAXPROCS=2 $out/http-uv -mode nethttp -addr ADDR|the same with GOMAXPROCS=2, still on one core"
  "std|all|env GOMAXPROCS=1 $out/http-uv -mode std -addr ADDR|net/http's http.Server (examples/http -mode std), GOMAXPROCS=1"
  "std-p2|pipe16,plain100|env GOMAXPROCS=2 $out/http-uv -mode std -addr ADDR|net/http with GOMAXPROCS=2, still on one core"
  "fasthttp|all|env GOMAXPROCS=1 $out/fasthttp-http -addr ADDR|fasthttp (bench/peers/fasthttp-http), GOMAXPROCS=1"
  "node|all|node $here/peers/node-http.js -addr ADDR|Node.js http module (bench/peers/node-http.js)"
  "uvloop|all|/usr/bin/python3 $here/peers/uvloop_http.py -addr ADDR|asyncio + uvloop + httptools (bench/peers/uvloop_http.py, Debian python3-uvloop, python3-httptools)"
)
# ---- cells: name | connections | path | pipeline depth -----------------------
CELLS=(
  "pipe16|256|/plaintext|16"
  "plain100|100|/plaintext|1"
  "bytes1k|10|/bytes/1024|1"
  "bytes10k|10|/bytes/10240|1"
  "bytes100k|10|/bytes/102400|1"
)
SERVER_CORE=0
CLIENT_CORE=1
KEYS="conns depth path secs requests rps p50_us p99_us max_us server_cpu_s server_cpu_frac server_cpu_us_per_req client_cpu_frac sys_busy_cores server_vmhwm_kb errors non2xx"

cmdline=${BENCH_COMMAND:-"bench/bench-http.sh $*"}
reps=7 duration=3 only_servers="" only_cells="" tsv="" report="" build=1 quick=0
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --reps) reps=$2; shift ;;
    --duration) duration=$2; shift ;;
    --servers) only_servers=$2; shift ;;
    --cells) only_cells=$2; shift ;;
    --out) tsv=$2; shift ;;
    --report) report=$2; shift ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-http.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ $quick = 1 ]; then
  reps=1 duration=1
  [ -n "$only_cells" ] || only_cells=pipe16,plain100
  [ -n "$tsv" ] || tsv=$out/quick-http.tsv
  [ -n "$report" ] || report=$out/quick-http.md
fi
[ -n "$tsv" ] || tsv=$here/results-http.tsv
[ -n "$report" ] || report=$here/RESULTS-http.md
mkdir -p "$out"
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

# ---- set-up: wrk and the Python peer's modules from Debian -----------------
need_apt=()
command -v wrk >/dev/null || need_apt+=(wrk)
/usr/bin/python3 -c 'import uvloop' 2>/dev/null || need_apt+=(python3-uvloop)
/usr/bin/python3 -c 'import httptools' 2>/dev/null || need_apt+=(python3-httptools)
if [ ${#need_apt[@]} -gt 0 ]; then
  log "bench-http.sh: installing ${need_apt[*]} with apt-get"
  sudo_=""; [ "$(id -u)" = 0 ] || sudo_=sudo
  $sudo_ apt-get install -y "${need_apt[@]}" >&2 || log "bench-http.sh: warning: apt-get failed"
fi
command -v wrk >/dev/null || { log "bench-http.sh: wrk missing"; exit 1; }
command -v node >/dev/null || log "bench-http.sh: note: node is not installed; skipping the Node server"

if [ $build = 1 ]; then
  "$here/build.sh" || log "bench-http.sh: warning: build.sh failed; running what exists"
fi

# ---- which servers and cells ------------------------------------------------
names=() cellsof=() cmd_of=() note_of=()
for entry in "${SERVERS[@]}"; do
  IFS='|' read -r name cl cmd note <<<"$entry"
  if [ -n "$only_servers" ] && [[ ",$only_servers," != *",$name,"* ]]; then continue; fi
  # shellcheck disable=SC2086
  if ! available $cmd; then
    log "bench-http.sh: warning: skipping $name: ${cmd%% -addr*} not available"
    continue
  fi
  names+=("$name") cellsof+=("$cl") cmd_of+=("$cmd") note_of+=("$note")
done
[ ${#names[@]} -gt 0 ] || { log "bench-http.sh: no server available"; exit 1; }
cells=()
for entry in "${CELLS[@]}"; do
  IFS='|' read -r cname _ <<<"$entry"
  if [ -n "$only_cells" ] && [[ ",$only_cells," != *",$cname,"* ]]; then continue; fi
  cells+=("$entry")
done
[ ${#cells[@]} -gt 0 ] || { log "bench-http.sh: no cell selected"; exit 1; }

# ---- metadata ----------------------------------------------------------------
{
  write_meta
  echo "command=$cmdline"
  echo "reps=$reps"
  echo "duration=$duration"
  for c in "${cells[@]}"; do echo "cell=$c"; done
  for i in "${!names[@]}"; do echo "server=${names[$i]}|${note_of[$i]}"; done
} >"$tsv.meta"
tsv_header "$tsv" server cell rep status
scratch bench-http.sh

hz=$(getconf CLK_TCK)

# run_one NAME CMD CELLSPEC REP: one run; a run whose wrk failed (Node,
# rarely, refused the first connections under a heavy machine load) is
# tried once more with a fresh server.
run_one() {
  run_try "$@" 1 || { log "bench-http.sh: retrying $1 $3 rep $4 once"; run_try "$@" 2; }
}

run_try() { # NAME CMD CELLSPEC REP TRY: returns 1 when wrk failed on try 1
  local name=$1 cmd=$2 spec=$3 rep=$4 try=$5
  local cname conns path depth status=ok addr i c0 c1 b0 b1 result="" kv
  local -A r=()
  IFS='|' read -r cname conns path depth <<<"$spec"
  start_server $SERVER_CORE "$cmd"
  if [ -z "$addr" ]; then
    status=no-listen
    log "bench-http.sh: $name did not print 'listening on' (stderr: $(head -c 300 "$tmp/server.err"))"
  else
    c0=$(cpu_ticks "$cur_pid") b0=$(busy_ticks)
    TIMEFORMAT='%U %S'
    { time taskset -c $CLIENT_CORE wrk -t1 -c"$conns" -d"$duration" --latency \
        -s "$here/wrk/http.lua" "http://$addr$path" -- "$depth" \
        >"$tmp/wrk.out" 2>"$tmp/wrk.err"; } 2>"$tmp/time"
    c1=$(cpu_ticks "$cur_pid") b1=$(busy_ticks)
    r[server_vmhwm_kb]=$(proc_kb "$cur_pid" VmHWM)
    result=$(sed -n 's/^RESULT //p' "$tmp/wrk.out")
    if [ -z "$result" ]; then
      status=wrk-failed
      log "bench-http.sh: wrk failed against $name: $(tail -c 300 "$tmp/wrk.err")"
    fi
  fi
  stop_server "$cur_pid"
  cur_pid=""
  [ $status = wrk-failed ] && [ "$try" = 1 ] && return 1
  if [ "$stop_rc" != 0 ] && [ $status = ok ]; then
    status=server-rc$stop_rc
    log "bench-http.sh: $name exited $stop_rc on SIGTERM (stderr: $(tail -c 300 "$tmp/server.err"))"
  fi
  for kv in $result; do r[${kv%%=*}]=${kv#*=}; done
  if [ $status = ok ]; then
    read -r wu ws <"$tmp/time"
    r[conns]=$conns r[depth]=$depth r[path]=$path
    r[secs]=$(awk -v d="${r[duration_us]}" 'BEGIN{printf "%.4f", d/1e6}')
    r[server_cpu_s]=$(awk -v a="$c0" -v b="$c1" -v hz="$hz" 'BEGIN{printf "%.3f", (b-a)/hz}')
    r[server_cpu_frac]=$(awk -v c="${r[server_cpu_s]}" -v s="${r[secs]}" 'BEGIN{printf "%.3f", c/s}')
    r[server_cpu_us_per_req]=$(awk -v c="${r[server_cpu_s]}" -v n="${r[requests]}" 'BEGIN{printf "%.3f", (n > 0 ? c * 1e6 / n : -1)}')
    r[client_cpu_frac]=$(awk -v u="$wu" -v s="$ws" -v t="${r[secs]}" 'BEGIN{printf "%.3f", (u+s)/t}')
    r[sys_busy_cores]=$(awk -v a="$b0" -v b="$b1" -v hz="$hz" -v t="${r[secs]}" 'BEGIN{printf "%.3f", (b-a)/hz/t}')
    # wrk 4.1 reports a 0 p99 when pipelining: record it as unknown.
    [ "${r[p99_us]:-0}" = 0 ] && r[p99_us]=NA
    [ "${r[errors]:-0}" != 0 ] && log "bench-http.sh: $name $cname rep $rep: wrk saw ${r[errors]} socket errors"
    [ "${r[non2xx]:-0}" != 0 ] && { status=non2xx; log "bench-http.sh: $name $cname: ${r[non2xx]} non-2xx responses"; }
  fi
  {
    printf '%s\t%s\t%s\t%s' "$name" "$cname" "$rep" "$status"
    for k in $KEYS; do printf '\t%s' "${r[$k]:-NA}"; done
    printf '\n'
  } >>"$tsv"
  if [ $status = ok ]; then
    printf '  %-14s %-9s rep %s: %9.0f req/s  p99 %8s us  server %6.2f CPU-us/req (%.2f core)  wrk %.2f  other %.2f\n' \
      "$name" "$cname" "$rep" "${r[rps]}" "${r[p99_us]}" "${r[server_cpu_us_per_req]}" \
      "${r[server_cpu_frac]}" "${r[client_cpu_frac]}" \
      "$(awk -v b="${r[sys_busy_cores]}" -v s="${r[server_cpu_frac]}" -v c="${r[client_cpu_frac]}" 'BEGIN{o=b-s-c; print (o<0?0:o)}')" >&2
  else
    printf '  %-14s %-9s rep %s: FAILED (%s)\n' "$name" "$cname" "$rep" "$status" >&2
  fi
  return 0
}

nruns=0
for c in "${cells[@]}"; do
  IFS='|' read -r cname _ <<<"$c"
  for i in "${!names[@]}"; do
    [ "${cellsof[$i]}" = all ] || [[ ",${cellsof[$i]}," == *",$cname,"* ]] && nruns=$((nruns + 1))
  done
done
nruns=$((nruns * reps))
log "bench-http.sh: servers: ${names[*]}"
log "bench-http.sh: $nruns runs of ${duration}s (about $((nruns * (duration + 1) / 60 + 1)) min); TSV $tsv"
start=$(date +%s)
for rep in $(seq "$reps"); do
  for c in "${cells[@]}"; do
    IFS='|' read -r cname _ <<<"$c"
    for i in "${!names[@]}"; do
      if [ "${cellsof[$i]}" = all ] || [[ ",${cellsof[$i]}," == *",$cname,"* ]]; then
        run_one "${names[$i]}" "${cmd_of[$i]}" "$c" "$rep"
      fi
    done
  done
done
log "bench-http.sh: $nruns runs in $(($(date +%s) - start)) s"
# Issue 14's allocation target: uvhttp's own Go benchmarks (client and
# server in one process over loopback), 0 allocs/op wanted; into IN.allocs,
# which the report includes.
log "bench-http.sh: allocations per request: go test -bench ./uv/uvhttp"
(cd "$root" && go test -run '^$' -bench '^BenchmarkServe' -benchmem -benchtime 20000x ./uv/uvhttp 2>&1) |
  grep -E '^(Benchmark|ok|FAIL|---)' >"$tsv.allocs"
(cd "$root" && go run ./bench/report -http -in "$tsv" -out "$report") && log "bench-http.sh: report: $report"
fails=$(awk -F'\t' 'NR > 1 && $4 != "ok"' "$tsv" | wc -l)
if [ "$fails" -gt 0 ]; then
  log "bench-http.sh: $fails run(s) failed (status column of $tsv)"
  exit 1
fi
