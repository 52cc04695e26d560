#!/usr/bin/env bash
# bench/run.sh: runs the echo-server matrix and writes bench/RESULTS.md.
#
#   bench/run.sh                  # full matrix: 12 cells + latency cell, 5 reps
#   bench/run.sh --quick          # 3 cells (1x64, 100x1024, 1000x64), 1 rep
#   bench/run.sh --reps 3 --duration 2 --servers c-try,gnet --cells 1x64,lat-1x64
#   bench/run.sh --udp            # UDP: 6 cells (1, 100, 1000 flows x 64, 1024 B), 5 reps
#   bench/run.sh --udp --reps 3 --servers uv-udp,c-udp --cells udp-100x64
#
# Options:
#   --quick            demo: cells 1x64,100x1024,1000x64, 1 rep
#   --udp              the UDP matrix instead: UDP servers (UDP_SERVERS below),
#                      cells udp-FLOWSxSIZE, ratios to c-udp; default report
#                      bench/out/RESULTS-udp.md (with --quick: udp-1x64,
#                      udp-100x1024, udp-1000x64)
#   --timeout MS       UDP: the load generator's re-send timeout (default 200)
#   --reps N           repetitions per cell and server (default 5; quick 1)
#   --warmup S         warm-up seconds per run (default 0.3)
#   --duration S       measured seconds per run (default 1)
#   --servers a,b      only these servers (names from the table below)
#   --cells c1,c2      only these cells: CONNSxSIZE, or lat-CONNSxSIZE for a
#                      cell with the load generator on the server's core;
#                      udp-FLOWSxSIZE for UDP (with --udp)
#   --out FILE         TSV to write (default bench/out/results-DATE.tsv)
#   --report FILE      Markdown report (default bench/RESULTS.md)
#   --no-build         do not run bench/build.sh first
#   --no-report        do not run the report
#   --wait-idle        before each run, wait (up to 30 s) until the machine is
#                      idle (less than 0.2 cores busy)
#
# Each run: start the server pinned to its cpus (core 0), wait for its
# "listening on ADDR" line, run bench/out/loadgen pinned to core 1 (core 0 for
# lat- cells) with -pid of the server, record its RESULT line as a TSV row,
# stop the server with SIGTERM and check that it exits 0. Order: for each
# cell, for each rep, every server in turn (A B C A B C ...). A udp- cell
# runs the load generator with -udp: FLOWS connected UDP sockets, each
# keeping one SIZE-byte datagram in flight.
set -uo pipefail

here=$(cd "$(dirname "$0")" && pwd)
root=$(cd "$here/.." && pwd)
out=$here/out

# ---- servers: name | cpus | command (ADDR is replaced) | note ---------------
# A server whose program is missing is skipped with a warning.
SERVERS=(
  "uv|0|$out/echo-uv -addr ADDR|gouv (examples/echo)"
  "net1|0|env GOMAXPROCS=1 $out/echo-net -addr ADDR|Go net (examples/echo-net), GOMAXPROCS=1"
  "net|0,1|$out/echo-net -addr ADDR|Go net (examples/echo-net), default GOMAXPROCS: uses BOTH cores, sharing core 1 with the load generator"
  # uv-p2 and uv-alt run only when named in --servers.
  "uv-p2|0|env GOMAXPROCS=2 $out/echo-uv -addr ADDR|gouv (examples/echo) with GOMAXPROCS=2 on its one core: an idle P keeps sysmon from retaking the loop's P while it waits in epoll"
  "uv-alt|0|$out/echo-uv.alt -addr ADDR|gouv, another build of examples/echo for A/B runs (bench/out/echo-uv.alt, copied there by hand; skipped when missing)"
  "c-write|0|$out/echo_uv -mode write -addr ADDR|C on libuv, uv_write for every read"
  "c-try|0|$out/echo_uv -mode try -addr ADDR|C on libuv, uv_try_write first"
  "gnet|0|$out/gnet-echo -addr ADDR|gnet v2.9.7, one event loop"
  "node|0|node $here/peers/node-echo.js -addr ADDR|Node.js net module"
  "uvloop|0|/usr/bin/python3 $here/peers/uvloop_echo.py -addr ADDR|Python asyncio + uvloop (Debian python3-uvloop)"
)

# UDP servers (--udp). gouv's needs examples/echo built with UDP (build.sh
# leaves bench/out/echo-uv.udp when it is); every one sets SO_RCVBUF to 4 MiB
# (room for 1000 datagrams in flight).
UDP_SERVERS=(
  "uv-udp|0|$out/echo-uv -udp -addr ADDR|gouv (examples/echo -udp), recvmmsg (UV_UDP_RECVMMSG), try-send first"
  "uv-udp-nommsg|0|$out/echo-uv -udp -mmsg=false -addr ADDR|gouv (examples/echo -udp -mmsg=false), one recvmsg per datagram"
  "net1-udp|0|env GOMAXPROCS=1 $out/echo-net -udp -addr ADDR|Go net (examples/echo-net -udp: net.UDPConn ReadFrom/WriteTo), GOMAXPROCS=1"
  "c-udp|0|$out/echo_udp_uv -mmsg 1 -addr ADDR|C on libuv, recvmmsg (UV_UDP_RECVMMSG), uv_udp_try_send first"
  "c-udp-nommsg|0|$out/echo_udp_uv -mmsg 0 -addr ADDR|C on libuv, one recvmsg per datagram, uv_udp_try_send first"
)

FULL_CELLS="1x64 1x1024 1x16384 10x64 10x1024 10x16384 100x64 100x1024 100x16384 1000x64 1000x1024 1000x16384 lat-1x64"
QUICK_CELLS="1x64 100x1024 1000x64"
UDP_CELLS="udp-1x64 udp-1x1024 udp-100x64 udp-100x1024 udp-1000x64 udp-1000x1024"
UDP_QUICK_CELLS="udp-1x64 udp-100x1024 udp-1000x64"
SERVER_CORE_DEFAULT=0
CLIENT_CORE=1

# Loadgen RESULT keys, in TSV column order.
KEYS="conns size secs rts rtps mbps p50_us p99_us p999_us max_us server_cpu_s server_cpu_frac server_cpu_us_per_rt server_cpu_src server_cpu_stat_s server_threads client_cpu_frac sys_busy_cores sys_steal_cores errors"
# Extra keys of the UDP mode.
UDP_KEYS="losses dups abandoned"

# ---- options --------------------------------------------------------------
cmdline=${BENCH_COMMAND:-"bench/run.sh $*"}
quick=0 reps="" warmup=0.3 duration=1 only_servers="" cells="" tsv="" report=""
build=1 do_report=1 wait_idle=0 udp=0 udp_timeout=200
while [ $# -gt 0 ]; do
  case $1 in
    --quick) quick=1 ;;
    --udp) udp=1 ;;
    --timeout) udp_timeout=$2; shift ;;
    --reps) reps=$2; shift ;;
    --warmup) warmup=$2; shift ;;
    --duration) duration=$2; shift ;;
    --servers) only_servers=$2; shift ;;
    --cells) cells=$2; shift ;;
    --out) tsv=$2; shift ;;
    --report) report=$2; shift ;;
    --no-build) build=0 ;;
    --no-report) do_report=0 ;;
    --wait-idle) wait_idle=1 ;;
    -h|--help) sed -n '2,/^set -uo/p' "$0" | sed '$d; s/^# \{0,1\}//'; exit 0 ;;
    *) echo "run.sh: unknown option $1 (see --help)" >&2; exit 2 ;;
  esac
  shift
done
if [ -z "$cells" ]; then
  if [ $udp = 1 ]; then
    if [ $quick = 1 ]; then cells=$UDP_QUICK_CELLS; else cells=$UDP_CELLS; fi
  elif [ $quick = 1 ]; then cells=$QUICK_CELLS; else cells=$FULL_CELLS; fi
else
  cells=${cells//,/ }
fi
baseline=c-try
if [ $udp = 1 ]; then
  SERVERS=("${UDP_SERVERS[@]}") baseline=c-udp KEYS="$KEYS $UDP_KEYS"
  [ -n "$report" ] || report=$out/RESULTS-udp.md
fi
[ -n "$report" ] || report=$here/RESULTS.md
[ -n "$reps" ] || { if [ $quick = 1 ]; then reps=1; else reps=5; fi; }
mkdir -p "$out"
[ -n "$tsv" ] || tsv=$out/results-$(date +%Y%m%d-%H%M%S).tsv

# log, busy_ticks, proc_state, stop_server (available is run.sh's own, below).
. "$here/lib.sh"

# ---- build ----------------------------------------------------------------
if [ $build = 1 ]; then
  "$here/build.sh" || log "run.sh: warning: build.sh failed; running what exists"
fi
[ -x "$out/loadgen" ] || { log "run.sh: $out/loadgen missing (run bench/build.sh)"; exit 1; }

# ---- which servers can run -------------------------------------------------
available() { # command words...: is the program there?
  local w=$1
  [ "$w" = env ] && { shift; while [[ $1 == *=* ]]; do shift; done; w=$1; }
  case $w in
    /usr/bin/python3) /usr/bin/python3 -c 'import uvloop' 2>/dev/null ;;
    node) command -v node >/dev/null ;;
    *) [ -x "$w" ] ;;
  esac
}
names=() cpus_of=() cmd_of=() note_of=()
for entry in "${SERVERS[@]}"; do
  IFS='|' read -r name cpus cmd note <<<"$entry"
  if [ -n "$only_servers" ] && [[ ",$only_servers," != *",$name,"* ]]; then continue; fi
  # Variants for A/B runs only run when named in --servers.
  case $name in uv-p2|uv-alt) [ -n "$only_servers" ] || continue ;; esac
  # shellcheck disable=SC2086
  if ! available $cmd; then
    log "run.sh: warning: skipping $name: ${cmd%% -addr*} not available"
    continue
  fi
  if [[ $cmd == "$out/echo-uv -udp"* ]] && [ ! -e "$out/echo-uv.udp" ]; then
    log "run.sh: warning: skipping $name: echo-uv was built without UDP (package uv has no UDP handle yet)"
    continue
  fi
  names+=("$name") cpus_of+=("$cpus") cmd_of+=("$cmd") note_of+=("$note")
done
[ ${#names[@]} -gt 0 ] || { log "run.sh: no server available"; exit 1; }

# ---- metadata -------------------------------------------------------------
{
  echo "date=$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "command=$cmdline"
  echo "nproc=$(nproc)"
  echo "cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "kernel=$(uname -r)"
  echo "go_version=$(go version 2>/dev/null | awk '{print $3}')"
  echo "libuv_version=$(pkg-config --modversion libuv 2>/dev/null)"
  echo "node_version=$(node --version 2>/dev/null) (libuv $(node -p process.versions.uv 2>/dev/null))"
  echo "uvloop_version=$(/usr/bin/python3 -c 'import uvloop; print(uvloop.__version__)' 2>/dev/null)"
  echo "reps=$reps"
  echo "warmup=$warmup"
  echo "duration=$duration"
  echo "cells=$cells"
  [ $udp = 1 ] && echo "udp_timeout_ms=$udp_timeout"
  for i in "${!names[@]}"; do
    echo "server=${names[$i]}|${cpus_of[$i]}|${note_of[$i]}"
  done
} >"$tsv.meta"

tsv_header "$tsv" server cell rep cpus status
scratch run.sh

wait_for_idle() {
  local hz i a b
  hz=$(getconf CLK_TCK)
  for i in $(seq 60); do
    a=$(busy_ticks); sleep 0.5; b=$(busy_ticks)
    # busy cores = ticks / hz / 0.5 s < 0.2  <=>  ticks * 10 < hz
    if [ $(((b - a) * 10)) -lt "$hz" ]; then return; fi
  done
  log "run.sh: warning: machine still busy after 30 s, running anyway"
}

# run_one NAME CPUS CMD CELL REP: one server start, one load run, one TSV row.
run_one() {
  local name=$1 cpus=$2 cmd=$3 cell=$4 rep=$5
  local n s ccore=$CLIENT_CORE status=ok result="" lrc addr i kv
  local -A r=()
  local spec=${cell#lat-} proto=()
  if [[ $spec == udp-* ]]; then
    spec=${spec#udp-} proto=(-udp -timeout "$udp_timeout")
  fi
  n=${spec%x*} s=${spec#*x}
  [[ $cell == lat-* ]] && ccore=$SERVER_CORE_DEFAULT
  [ $wait_idle = 1 ] && wait_for_idle

  # shellcheck disable=SC2086
  taskset -c "$cpus" ${cmd//ADDR/127.0.0.1:0} >"$tmp/server.out" 2>"$tmp/server.err" &
  cur_pid=$!
  addr=""
  for i in $(seq 1000); do
    addr=$(sed -n 's/^listening on //p' "$tmp/server.out" | head -1)
    [ -n "$addr" ] && break
    kill -0 "$cur_pid" 2>/dev/null || break
    sleep 0.01
  done
  if [ -z "$addr" ]; then
    status=no-listen
    log "run.sh: $name did not print 'listening on' (stderr: $(head -c 300 "$tmp/server.err"))"
  else
    taskset -c "$ccore" "$out/loadgen" -addr "$addr" -conns "$n" -size "$s" \
      -warmup "$warmup" -duration "$duration" -pid "$cur_pid" "${proto[@]}" \
      >"$tmp/lg.out" 2>"$tmp/lg.err"
    lrc=$?
    result=$(sed -n 's/^RESULT //p' "$tmp/lg.out")
    if [ $lrc != 0 ] || [ -z "$result" ]; then
      status=loadgen-rc$lrc
      log "run.sh: loadgen failed against $name: $(tail -c 300 "$tmp/lg.err")"
    fi
  fi
  stop_server "$cur_pid"
  cur_pid=""
  if [ "$stop_rc" != 0 ] && [ $status = ok ]; then
    status=server-rc$stop_rc
    log "run.sh: $name exited $stop_rc on SIGTERM (stderr: $(tail -c 300 "$tmp/server.err"))"
  fi

  for kv in $result; do r[${kv%%=*}]=${kv#*=}; done
  {
    printf '%s\t%s\t%s\t%s\t%s' "$name" "$cell" "$rep" "$cpus" "$status"
    for k in $KEYS; do printf '\t%s' "${r[$k]:-NA}"; done
    printf '\n'
  } >>"$tsv"
  if [ $status = ok ]; then
    printf '  %-8s %-11s rep %s: %8.0f rt/s  p99 %8.1f us  server %6.2f CPU-us/rt (%.2f core)  loadgen %.2f core\n' \
      "$name" "$cell" "$rep" "${r[rtps]}" "${r[p99_us]}" "${r[server_cpu_us_per_rt]}" \
      "${r[server_cpu_frac]}" "${r[client_cpu_frac]}" >&2
  else
    printf '  %-8s %-11s rep %s: FAILED (%s)\n' "$name" "$cell" "$rep" "$status" >&2
  fi
}

nruns=$(($(wc -w <<<"$cells") * reps * ${#names[@]}))
log "run.sh: servers: ${names[*]}"
log "run.sh: cells: $cells; reps $reps; warmup ${warmup}s; duration ${duration}s; $nruns runs"
log "run.sh: writing $tsv"
start=$(date +%s)
for cell in $cells; do
  for rep in $(seq "$reps"); do
    for i in "${!names[@]}"; do
      run_one "${names[$i]}" "${cpus_of[$i]}" "${cmd_of[$i]}" "$cell" "$rep"
    done
  done
done
log "run.sh: $nruns runs in $(($(date +%s) - start)) s; TSV: $tsv"

fails=$(awk -F'\t' 'NR > 1 && $5 != "ok"' "$tsv" | wc -l)
if [ $do_report = 1 ]; then
  (cd "$root" && go run ./bench/report -in "$tsv" -out "$report" -baseline "$baseline") &&
    log "run.sh: report: $report"
fi
if [ "$fails" -gt 0 ]; then
  log "run.sh: $fails run(s) failed (status column of $tsv)"
  exit 1
fi
