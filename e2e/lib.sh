# Shell helpers shared by the e2e server scripts (es/, kafka/). Source it;
# it defines functions only.

# stop_servers LABEL CACHE PIDNAME MATCH WAIT [PORT]: stops the servers a
# start.sh started from this tree, by their pid files CACHE/data-<port>/PIDNAME
# (only PORT's when given): SIGTERM, then SIGKILL after WAIT seconds. A pid
# whose command line lacks MATCH is not ours and is left alone. Returns 1 if
# a server did not exit.
stop_servers() {
  local label=$1 cache=$2 pidname=$3 match=$4 wait_s=$5 port=${6:-} rc=0 pf
  if [ -n "$port" ]; then
    _stop_one "$label" "$cache/data-$port/$pidname" "$match" "$wait_s" || rc=1
  else
    for pf in "$cache"/data-*/"$pidname"; do
      [ -e "$pf" ] || continue
      _stop_one "$label" "$pf" "$match" "$wait_s" || rc=1
    done
  fi
  return $rc
}

_stop_one() { # label pidfile match wait
  local label=$1 pf=$2 match=$3 wait_s=$4 pid i
  [ -s "$pf" ] || { rm -f "$pf"; return 0; }
  pid=$(cat "$pf")
  if ! kill -0 "$pid" 2>/dev/null; then rm -f "$pf"; return 0; fi
  if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$match"; then
    echo "$label: pid $pid from $pf is not a server this tree started; leaving it" >&2
    rm -f "$pf"
    return 0
  fi
  echo "$label: stopping pid $pid" >&2
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pf"; return 0; }
    sleep 0.2
  done
  echo "$label: pid $pid still running after ${wait_s}s; SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pf"; return 0; }
    sleep 0.2
  done
  echo "$label: pid $pid did not exit" >&2
  return 1
}

# java_major JAVA_HOME: prints the Java feature version there, or nothing.
java_major() {
  [ -x "$1/bin/java" ] || return 0
  "$1/bin/java" -XshowSettings:properties -version 2>&1 |
    sed -n 's/^ *java\.specification\.version = \([0-9]*\).*/\1/p' | head -1
}

# pick_java PREFERRED MIN: prints the first Java home of at least version MIN
# among PREFERRED (a server-specific *_JAVA_HOME, may be empty), JAVA_HOME,
# the java on PATH and /usr/lib/jvm/*; returns 1 when there is none.
pick_java() {
  local cands=() c m
  [ -n "$1" ] && cands+=("$1")
  [ -n "${JAVA_HOME:-}" ] && cands+=("$JAVA_HOME")
  if command -v java >/dev/null; then
    cands+=("$(dirname "$(dirname "$(readlink -f "$(command -v java)")")")")
  fi
  for c in /usr/lib/jvm/*; do [ -d "$c" ] && cands+=("$c"); done
  for c in "${cands[@]}"; do
    m=$(java_major "$c")
    if [ -n "$m" ] && [ "$m" -ge "$2" ]; then echo "$c"; return 0; fi
  done
  return 1
}
