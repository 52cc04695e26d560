#!/usr/bin/env bash
# bench/bench-scale.sh: make bench-scale. The echo servers and the HTTP
# servers at 9,000 concurrent keep-alive connections; writes
# bench/RESULTS-scale.md and bench/results-scale.tsv.
#
#   bench/bench-scale.sh                  # 7 servers, 7 reps: about 5 min
#   bench/bench-scale.sh --reps 1 --conns 2000 --servers echo-uv,http-uv
#
# Options:
#   --reps N        repetitions, interleaved (every server once per rep); default 7
#   --conns N       connections (default 9000; the fd limit is raised for it)
#   --warmup S      seconds of load before the measured window (default 0.5)
#   --duration S    measured seconds (default 2)
#   --servers a,b   only these servers (names from the table below)
#   --out FILE      TSV (default bench/results-scale.tsv)
#   --report FILE   Markdown (default bench/RESULTS-scale.md)
#   --no-build      do not run bench/build.sh first
#
# Each run: start the server on core 0, wait for "listening on", read its
# VmRSS (idle), run bench/out/loadgen on core 1 with N connections (echo: 64-
# byte messages; HTTP: -http /plaintext, one keep-alive request in flight per
# connection), read the server's VmHWM (peak RSS), stop it with SIGTERM.
# RSS per connection = (VmHWM - idle VmRSS) / N. CPU-µs per round trip (a
# request for HTTP) is loadgen's server_cpu_us_per_rt (schedstat, every
# thread, over the measured window).
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$here/out

# ---- servers: name | kind (echo or http) | command | note -------------------
SERVERS=(
  "echo-uv|echo|env GOMAXPROCS=1 $out/echo-uv -addr ADDR|gouv echo (examples/echo), GOMAXPROCS=1"
  "echo-c|echo|$out/echo_uv -mode try -addr ADDR|C libuv echo (bench/c/echo_uv.c -mode try)"
  "echo-net1|echo|env GOMAXPROCS=1 $out/echo-net -addr ADDR|Go net echo (examples/echo-net), a goroutine per connection, GOMAXPROCS=1"
  "http-uv|http|env GOMAXPROCS=1 $out/http-uv -mode loop -addr ADDR|uvhttp on-loop (examples/http -mode loop), GOMAXPROCS=1"
  "http-uv-nethttp|http|env GOMAXPROCS=1 $out/http-uv -mode nethttp -addr ADDR|uvhttp serving net/http handlers (examples/http -mode nethttp), GOMAXPROCS=1"
  "http-std|http|env GOMAXPROCS=1 $out/http-uv -mode std -addr ADDR|net/http (examples/http -mode std), a goroutine per connection, GOMAXPROCS=1"
  "http-c|http|$out/http_uv -addr ADDR|C libuv + llhttp (bench/c/http_uv.c)"
)
SERVER_CORE=0
CLIENT_CORE=1
LG_KEYS="conns secs rts rtps p50_us p99_us server_cpu_s server_cpu_frac server_cpu_us_per_rt server_cpu_src server_threads client_cpu_frac sys_busy_cores"
KEYS="$LG_KEYS rss_idle_kb hwm_kb rss_end_kb rss_per_conn_b"

cmdline=${BENCH_COMMAND:-"bench/bench-scale.sh $*"}
reps=7 conns=9000 warmup=0.5 duration=2 only_servers="" tsv="" report="" build=1
while [ $# -gt 0 ]; do
  case $1 in
    --reps) reps=$2; shift ;;
    --conns) conns=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --duration) duration=$2; shift ;;
    --servers) only_servers=$2; shift ;;
    --out) tsv=$2; shift ;;
    --report) report=$2; shift ;;
    --no-build) build=0 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "bench-scale.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
[ -n "$tsv" ] || tsv=$here/results-scale.tsv
[ -n "$report" ] || report=$here/RESULTS-scale.md
mkdir -p "$out"
# shellcheck source=bench/lib.sh
. "$here/lib.sh"

# Every connection is an fd in the server and one in loadgen: raise the soft
# limit toward the hard one (20,000 on this machine).
hard=$(ulimit -Hn)
want=$((conns + 1000))
if [ "$hard" != unlimited ] && [ "$hard" -lt "$want" ]; then
  log "bench-scale.sh: the hard fd limit $hard is below $want; using $((hard - 1000)) connections"
  conns=$((hard - 1000)) want=$hard
fi
ulimit -n "$want" || { log "bench-scale.sh: ulimit -n $want failed"; exit 1; }

if [ $build = 1 ]; then
  "$here/build.sh" || log "bench-scale.sh: warning: build.sh failed; running what exists"
fi
[ -x "$out/loadgen" ] || { log "bench-scale.sh: $out/loadgen missing"; exit 1; }

names=() kind_of=() cmd_of=() note_of=()
for entry in "${SERVERS[@]}"; do
  IFS='|' read -r name kind cmd note <<<"$entry"
  if [ -n "$only_servers" ] && [[ ",$only_servers," != *",$name,"* ]]; then continue; fi
  # shellcheck disable=SC2086
  if ! available $cmd; then
    log "bench-scale.sh: warning: skipping $name: ${cmd%% -addr*} not available"
    continue
  fi
  names+=("$name") kind_of+=("$kind") cmd_of+=("$cmd") note_of+=("$note")
done
[ ${#names[@]} -gt 0 ] || { log "bench-scale.sh: no server available"; exit 1; }

{
  write_meta
  echo "command=$cmdline"
  echo "reps=$reps"
  echo "conns=$conns"
  echo "warmup=$warmup"
  echo "duration=$duration"
  echo "nofile=$(ulimit -n)"
  for i in "${!names[@]}"; do echo "server=${names[$i]}|${note_of[$i]}"; done
} >"$tsv.meta"
tsv_header "$tsv" server cell rep status
scratch bench-scale.sh

run_one() { # NAME KIND CMD REP
  local name=$1 kind=$2 cmd=$3 rep=$4 status=ok addr result="" kv cell lrc
  local -A r=()
  local mode=(-size 64)
  cell=echo-${conns}x64
  if [ "$kind" = http ]; then
    mode=(-http /plaintext) cell=http-${conns}
  fi
  start_server $SERVER_CORE "$cmd"
  if [ -z "$addr" ]; then
    status=no-listen
    log "bench-scale.sh: $name did not print 'listening on' (stderr: $(head -c 300 "$tmp/server.err"))"
  else
    sleep 0.2
    r[rss_idle_kb]=$(proc_kb "$cur_pid" VmRSS)
    taskset -c $CLIENT_CORE "$out/loadgen" -addr "$addr" -conns "$conns" "${mode[@]}" \
      -warmup "$warmup" -duration "$duration" -pid "$cur_pid" >"$tmp/lg.out" 2>"$tmp/lg.err"
    lrc=$?
    r[hwm_kb]=$(proc_kb "$cur_pid" VmHWM)
    r[rss_end_kb]=$(proc_kb "$cur_pid" VmRSS)
    result=$(sed -n 's/^RESULT //p' "$tmp/lg.out")
    if [ $lrc != 0 ] || [ -z "$result" ]; then
      status=loadgen-rc$lrc
      log "bench-scale.sh: loadgen failed against $name: $(tail -c 300 "$tmp/lg.err")"
    fi
  fi
  stop_server "$cur_pid"
  cur_pid=""
  if [ "$stop_rc" != 0 ] && [ $status = ok ]; then
    status=server-rc$stop_rc
    log "bench-scale.sh: $name exited $stop_rc on SIGTERM (stderr: $(tail -c 300 "$tmp/server.err"))"
  fi
  for kv in $result; do r[${kv%%=*}]=${kv#*=}; done
  if [ -n "${r[hwm_kb]:-}" ] && [ -n "${r[rss_idle_kb]:-}" ]; then
    r[rss_per_conn_b]=$(((r[hwm_kb] - r[rss_idle_kb]) * 1024 / conns))
  fi
  {
    printf '%s\t%s\t%s\t%s' "$name" "$cell" "$rep" "$status"
    for k in $KEYS; do printf '\t%s' "${r[$k]:-NA}"; done
    printf '\n'
  } >>"$tsv"
  if [ $status = ok ]; then
    printf '  %-16s rep %s: %8.0f rt/s  p99 %8.0f us  server %6.2f CPU-us/rt  RSS idle %6d kB peak %7d kB: %6d B/conn\n' \
      "$name" "$rep" "${r[rtps]}" "${r[p99_us]}" "${r[server_cpu_us_per_rt]}" \
      "${r[rss_idle_kb]}" "${r[hwm_kb]}" "${r[rss_per_conn_b]}" >&2
  else
    printf '  %-16s rep %s: FAILED (%s)\n' "$name" "$rep" "$status" >&2
  fi
}

nruns=$((reps * ${#names[@]}))
log "bench-scale.sh: servers: ${names[*]}; $conns connections; $nruns runs"
start=$(date +%s)
for rep in $(seq "$reps"); do
  for i in "${!names[@]}"; do
    run_one "${names[$i]}" "${kind_of[$i]}" "${cmd_of[$i]}" "$rep"
  done
done
log "bench-scale.sh: $nruns runs in $(($(date +%s) - start)) s"
(cd "$root" && go run ./bench/report -scale -in "$tsv" -out "$report") && log "bench-scale.sh: report: $report"
fails=$(awk -F'\t' 'NR > 1 && $4 != "ok"' "$tsv" | wc -l)
if [ "$fails" -gt 0 ]; then
  log "bench-scale.sh: $fails run(s) failed (status column of $tsv)"
  exit 1
fi
