#!/usr/bin/env bash
# Stops the Elasticsearch that e2e/es/start.sh started, by its pid file, and
# waits for it to exit (SIGTERM, then SIGKILL after ES_STOP_WAIT seconds,
# default 60).
#   e2e/es/stop.sh [port]   # the server on that port (or $ES_PORT)
#   e2e/es/stop.sh          # every server start.sh started from this tree
# The data directories (.cache/es/data-<port>) are left for inspection; the
# next start on the same port wipes them, unless it runs with ES_KEEP_DATA=1
# (a restart with the same indices).
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=$PWD/.cache/es
wait_s=${ES_STOP_WAIT:-60}
port=${1:-${ES_PORT:-}}

stop_one() { # $1 = pid file
  local pf=$1 pid i
  [ -s "$pf" ] || { rm -f "$pf"; return 0; }
  pid=$(cat "$pf")
  if ! kill -0 "$pid" 2>/dev/null; then rm -f "$pf"; return 0; fi
  # Make sure the pid is still an Elasticsearch we started from this tree.
  if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "$cache/"; then
    echo "es/stop.sh: pid $pid from $pf is not our Elasticsearch; leaving it" >&2
    rm -f "$pf"
    return 0
  fi
  echo "es/stop.sh: stopping Elasticsearch pid $pid" >&2
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pf"; return 0; }
    sleep 0.2
  done
  echo "es/stop.sh: pid $pid still running after ${wait_s}s; SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pf"; return 0; }
    sleep 0.2
  done
  echo "es/stop.sh: pid $pid did not exit" >&2
  return 1
}

rc=0
if [ -n "$port" ]; then
  stop_one "$cache/data-$port/es.pid" || rc=1
else
  for pf in "$cache"/data-*/es.pid; do
    [ -e "$pf" ] || continue
    stop_one "$pf" || rc=1
  done
fi
exit $rc
