#!/usr/bin/env bash
# Stops the Kafka broker that e2e/kafka/start.sh started, by its pid file, and
# waits for it to exit (SIGTERM, i.e. a controlled shutdown, then SIGKILL after
# KAFKA_STOP_WAIT seconds, default 30).
#   e2e/kafka/stop.sh [port]   # the broker on that port (or $KAFKA_PORT)
#   e2e/kafka/stop.sh          # every broker start.sh started from this tree
# The data directories (.cache/kafka/data-<port>) are left for inspection; the
# next start on the same port wipes them, unless it runs with KAFKA_KEEP_DATA=1.
set -euo pipefail
cd "$(dirname "$0")/../.."
cache=$PWD/.cache/kafka
wait_s=${KAFKA_STOP_WAIT:-30}
port=${1:-${KAFKA_PORT:-}}

stop_one() { # $1 = pid file
  local pf=$1 pid i
  [ -s "$pf" ] || { rm -f "$pf"; return 0; }
  pid=$(cat "$pf")
  if ! kill -0 "$pid" 2>/dev/null; then rm -f "$pf"; return 0; fi
  # Make sure the pid is still a broker we started from this tree.
  if ! tr '\0' ' ' <"/proc/$pid/cmdline" 2>/dev/null | grep -q "kafka.Kafka $cache/"; then
    echo "kafka/stop.sh: pid $pid from $pf is not our Kafka broker; leaving it" >&2
    rm -f "$pf"
    return 0
  fi
  echo "kafka/stop.sh: stopping Kafka pid $pid" >&2
  kill -TERM "$pid" 2>/dev/null || true
  for ((i = 0; i < wait_s * 5; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pf"; return 0; }
    sleep 0.2
  done
  echo "kafka/stop.sh: pid $pid still running after ${wait_s}s; SIGKILL" >&2
  kill -KILL "$pid" 2>/dev/null || true
  for ((i = 0; i < 50; i++)); do
    kill -0 "$pid" 2>/dev/null || { rm -f "$pf"; return 0; }
    sleep 0.2
  done
  echo "kafka/stop.sh: pid $pid did not exit" >&2
  return 1
}

rc=0
if [ -n "$port" ]; then
  stop_one "$cache/data-$port/kafka.pid" || rc=1
else
  for pf in "$cache"/data-*/kafka.pid; do
    [ -e "$pf" ] || continue
    stop_one "$pf" || rc=1
  done
fi
exit $rc
