# bench/lib.sh: shell helpers shared by run.sh, bench-http.sh and bench-scale.sh
# (sourced; bash). They use $tmp (a scratch directory) and set cur_pid, the
# running server's pid, which the caller's EXIT trap kills.

log() { printf '%s\n' "$*" >&2; }

# busy_ticks: the machine's busy clock ticks so far (/proc/stat, all CPUs).
busy_ticks() { awk '/^cpu /{print $2+$3+$4+$6+$7+$8+$9; exit}' /proc/stat; }

# cpu_ticks PID: utime+stime of the process (every thread), in clock ticks.
cpu_ticks() {
  local line
  read -r line 2>/dev/null <"/proc/$1/stat" || { echo -1; return; }
  line=${line##*) }
  # shellcheck disable=SC2086
  set -- $line
  echo $((${12} + ${13}))
}

# proc_kb PID FIELD: a /proc/PID/status field in kB (VmRSS, VmHWM).
proc_kb() { awk -v f="$2:" '$1 == f {print $2}' "/proc/$1/status" 2>/dev/null; }

# proc_state PID: the state letter from /proc/PID/stat (empty once reaped).
proc_state() {
  local line
  read -r line 2>/dev/null <"/proc/$1/stat" || return 0
  line=${line##*) }
  printf '%s' "${line%% *}"
}

# start_server CPUS CMD: starts CMD (ADDR replaced by 127.0.0.1:0) pinned to
# CPUS, sets cur_pid and waits up to 10 s for its "listening on ADDR" line;
# sets addr (empty when it never came).
start_server() {
  local cpus=$1 cmd=$2 i
  # shellcheck disable=SC2086
  taskset -c "$cpus" ${cmd//ADDR/127.0.0.1:0} >"$tmp/server.out" 2>"$tmp/server.err" &
  cur_pid=$!
  addr=""
  for i in $(seq 1000); do
    addr=$(sed -n 's/^listening on //p' "$tmp/server.out" | head -1)
    [ -n "$addr" ] && return
    kill -0 "$cur_pid" 2>/dev/null || return
    sleep 0.01
  done
}

# stop_server PID: SIGTERM, wait up to 10 s; sets stop_rc to its exit code,
# or "hung" when it had to be killed. Not for a command substitution: only
# this shell can wait for its child.
stop_server() {
  local pid=$1 i st
  kill -TERM "$pid" 2>/dev/null
  for i in $(seq 1000); do
    st=$(proc_state "$pid")
    { [ -z "$st" ] || [ "$st" = Z ]; } && break
    sleep 0.01
  done
  st=$(proc_state "$pid")
  if [ -n "$st" ] && [ "$st" != Z ]; then
    kill -KILL "$pid" 2>/dev/null
    wait "$pid" 2>/dev/null
    stop_rc=hung
    return
  fi
  wait "$pid" 2>/dev/null
  stop_rc=$?
}

# available CMD...: is the server's program there?
available() {
  local w=$1
  [ "$w" = env ] && { shift; while [[ $1 == *=* ]]; do shift; done; w=$1; }
  case $w in
    /usr/bin/python3) /usr/bin/python3 -c 'import uvloop, httptools' 2>/dev/null ;;
    node) command -v node >/dev/null ;;
    *) [ -x "$w" ] ;;
  esac
}

# write_meta: the machine and software lines of a .meta file.
write_meta() {
  echo "date=$(date -u '+%Y-%m-%d %H:%M:%S UTC')"
  echo "nproc=$(nproc)"
  echo "cpu_model=$(sed -n 's/^model name[[:space:]]*: //p' /proc/cpuinfo | head -1)"
  echo "kernel=$(uname -r)"
  echo "go_version=$(go version 2>/dev/null | awk '{print $3}')"
  echo "libuv_version=$(pkg-config --modversion libuv 2>/dev/null)"
  echo "llhttp_version=$(dpkg-query -W -f '${Version}' node-llhttp 2>/dev/null)"
  echo "wrk_version=$(dpkg-query -W -f '${Version}' wrk 2>/dev/null)"
  echo "node_version=$(node --version 2>/dev/null)"
  echo "uvloop_version=$(/usr/bin/python3 -c 'import uvloop, httptools; print(uvloop.__version__, "httptools", httptools.__version__)' 2>/dev/null)"
  echo "git=$(cd "$root" && git log -1 --format='%h %s' 2>/dev/null)"
}

# tsv_header FILE COLUMN...: writes the results file's header row, the
# COLUMNs then $KEYS, tab-separated.
tsv_header() {
  local f=$1 k
  shift
  (IFS=$'\t'; printf '%s' "$*") >"$f"
  for k in $KEYS; do printf '\t%s' "$k" >>"$f"; done
  printf '\n' >>"$f"
}

# scratch NAME: makes the scratch directory $tmp; on exit the running
# server (cur_pid) is killed and $tmp removed; an interrupt logs NAME.
scratch() {
  tmp=$(mktemp -d)
  cur_pid=""
  trap cleanup EXIT
  # shellcheck disable=SC2064
  trap "log '$1: interrupted'; exit 130" INT TERM
}
cleanup() {
  [ -n "$cur_pid" ] && kill -KILL "$cur_pid" 2>/dev/null
  rm -rf "$tmp"
}
