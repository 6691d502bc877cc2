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
source e2e/lib.sh
cache=$PWD/.cache/kafka
stop_servers kafka/stop.sh "$cache" kafka.pid "kafka.Kafka $cache/" "${KAFKA_STOP_WAIT:-30}" "${1:-${KAFKA_PORT:-}}"
