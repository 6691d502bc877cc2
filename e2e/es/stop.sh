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
source e2e/lib.sh
cache=$PWD/.cache/es
stop_servers es/stop.sh "$cache" es.pid "$cache/" "${ES_STOP_WAIT:-60}" "${1:-${ES_PORT:-}}"
