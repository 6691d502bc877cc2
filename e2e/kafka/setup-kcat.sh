#!/usr/bin/env bash
# Installs kcat (Debian package `kcat`, a librdkafka-based Kafka producer,
# consumer and metadata tool) if it is missing. `apt-get update` runs only if
# the first install attempt fails (stale package lists).
set -euo pipefail
command -v kcat >/dev/null && exit 0
log() { echo "kafka/setup-kcat.sh: $*" >&2; }
sudo=()
[ "$(id -u)" = 0 ] || sudo=(sudo -n)
export DEBIAN_FRONTEND=noninteractive
log "installing kcat (apt-get install -y kcat)"
if ! "${sudo[@]}" apt-get install -y -q kcat >&2; then
  log "install failed; running apt-get update and retrying"
  "${sudo[@]}" apt-get update -q >&2
  "${sudo[@]}" apt-get install -y -q kcat >&2
fi
command -v kcat >/dev/null || { log "ERROR: kcat still not on PATH"; exit 1; }
