#!/usr/bin/env bash
# Counts the server's system calls per echoed message in steady state, with
# perf's syscall tracepoints (strace -c -f when perf cannot). Prints a
# Markdown table. Server on core 0, load generator on core 1, N=100 S=1024
# by default: bench/syscalls.sh [CONNS [SIZE]].
set -uo pipefail
here=$(cd "$(dirname "$0")" && pwd)
out=$here/out
N=${1:-100} S=${2:-1024}
SERVERS=(
  "uv|$out/echo-uv -addr ADDR"
  "c-try|$out/echo_uv -mode try -addr ADDR"
  "c-write|$out/echo_uv -mode write -addr ADDR"
  "net1|env GOMAXPROCS=1 $out/echo-net -addr ADDR"
  "gnet|$out/gnet-echo -addr ADDR"
)
CALLS="read write epoll_wait epoll_ctl futex nanosleep"
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
use_perf=1
perf stat -e raw_syscalls:sys_enter true >/dev/null 2>&1 || use_perf=0

echo "Server system calls per echoed message, N=$N S=$S, counted over 2 s of a 3 s load"
echo "($( [ $use_perf = 1 ] && echo "perf stat, syscalls:sys_enter_* tracepoints" || echo "strace -c -f: slows the server; counts still hold")), $(date -u '+%Y-%m-%d'), command \`bench/syscalls.sh $N $S\`."
echo
printf '| server | all |'; for c in $CALLS; do printf ' %s |' "$c"; done; echo
printf '|---|---|'; for c in $CALLS; do printf -- '---|'; done; echo
for entry in "${SERVERS[@]}"; do
  name=${entry%%|*} cmd=${entry#*|}
  bin=${cmd#env GOMAXPROCS=1 }; bin=${bin%% *}
  [ -x "$bin" ] || continue
  # shellcheck disable=SC2086
  taskset -c 0 ${cmd//ADDR/127.0.0.1:0} >"$tmp/srv" 2>&1 &
  pid=$!
  for _ in $(seq 100); do grep -q '^listening on' "$tmp/srv" && break; sleep 0.05; done
  addr=$(sed -n 's/^listening on //p' "$tmp/srv" | head -1)
  taskset -c 1 "$out/loadgen" -addr "$addr" -conns "$N" -size "$S" -warmup 0.5 -duration 3 >"$tmp/lg" 2>&1 &
  lg=$!
  sleep 1
  if [ $use_perf = 1 ]; then
    ev=raw_syscalls:sys_enter
    for c in $CALLS; do ev=$ev,syscalls:sys_enter_$c; done
    perf stat -x, -e "$ev" -p "$pid" -- sleep 2 2>"$tmp/perf" >/dev/null
  else
    timeout 2 strace -c -f -p "$pid" -o "$tmp/strace" 2>/dev/null
  fi
  wait $lg
  kill -TERM "$pid"; wait "$pid"
  rtps=$(grep -o 'rtps=[0-9.]*' "$tmp/lg" | cut -d= -f2)
  [ -n "$rtps" ] || continue
  printf '| %s |' "$name"
  if [ $use_perf = 1 ]; then
    all=$(awk -F, '$3=="raw_syscalls:sys_enter"{print $1}' "$tmp/perf")
    awk -v a="$all" -v rt="$rtps" 'BEGIN{printf " %.2f |", a/(rt*2)}'
    for c in $CALLS; do
      v=$(awk -F, -v e="syscalls:sys_enter_$c" '$3==e{print $1}' "$tmp/perf")
      awk -v a="${v:-0}" -v rt="$rtps" 'BEGIN{printf " %.2f |", a/(rt*2)}'
    done
  else
    total=$(awk '$NF=="total"{print $4}' "$tmp/strace")
    msgs=$(awk '$NF=="write"{print $4}' "$tmp/strace")
    awk -v a="${total:-0}" -v m="${msgs:-1}" 'BEGIN{printf " %.2f |", a/m}'
    for c in $CALLS; do
      v=$(awk -v e="$c" '$NF==e{print $4}' "$tmp/strace")
      awk -v a="${v:-0}" -v m="${msgs:-1}" 'BEGIN{printf " %.2f |", a/m}'
    done
  fi
  echo
done
