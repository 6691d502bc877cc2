#!/usr/bin/env bash
# Installs (once, cached) and starts a real Elasticsearch on 127.0.0.1 for the
# end-to-end tests, from Maven Central only (no Docker):
#   org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip
# plus a tiny `GET /` module compiled from e2e/es/RootPlugin.java (the
# integ-test zip lacks Elasticsearch's rest-root module).
#
# Environment:
#   ES_VERSION   distribution version (default 8.19.21; 9.x needs a JDK >= 21)
#   ES_PORT      HTTP port (default 9200 if free, else a free port)
#   ES_HEAP      heap options (default "-Xms256m -Xmx512m")
#   ES_WAIT      readiness timeout in seconds (default 120)
#   ES_JAVA_HOME JDK to run the server with (default: picked from JAVA_HOME,
#                the java on PATH, /usr/lib/jvm/*)
#   ES_KEEP_DATA 1: keep the indices of the previous server on this port
#                (.cache/es/data-<port>/data): a restart, e.g.
#                `e2e/es/stop.sh 9250; ES_PORT=9250 ES_KEEP_DATA=1 e2e/es/start.sh`
#
# Progress goes to stderr. On success the only stdout line is
#   ES_URL=http://127.0.0.1:<port> ES_PRODUCT=elasticsearch ES_VERSION=<v> ES_PID=<pid>
# On failure the server log tail goes to stderr and the exit status is non-zero.
# Stop it with e2e/es/stop.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/lib.sh
repo=$PWD

ES_VERSION=${ES_VERSION:-8.19.21}
ES_HEAP=${ES_HEAP:--Xms256m -Xmx512m}
ES_WAIT=${ES_WAIT:-120}
cache=$repo/.cache/es
home=$cache/elasticsearch-$ES_VERSION
artifact=org.elasticsearch.distribution.integ-test-zip:elasticsearch:$ES_VERSION:zip

log() { echo "es/start.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

mkdir -p "$cache"

# --- Java -------------------------------------------------------------------
need_java=17
case $ES_VERSION in 9.*|1[0-9].*) need_java=21 ;; esac
es_java=$(pick_java "${ES_JAVA_HOME:-}" "$need_java") || die "Elasticsearch $ES_VERSION needs a JDK >= $need_java (set ES_JAVA_HOME); none found"
[ -x "$es_java/bin/javac" ] || die "$es_java has no javac (a full JDK is needed to build the GET / module)"

# --- install (idempotent, cached, safe against concurrent runs) ---------------
install() {
  [ -f "$home/.pipe-installed" ] && return 0
  command -v mvn >/dev/null || die "mvn (Maven) is needed to fetch $artifact"
  local dl=$cache/download tmp
  mkdir -p "$dl"
  if [ ! -s "$dl/elasticsearch-$ES_VERSION.zip" ]; then
    log "downloading $artifact from Maven Central"
    mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy \
      -Dartifact="$artifact" -DoutputDirectory="$dl" >&2 ||
      die "could not fetch $artifact (mvn failed)"
  fi
  tmp=$(mktemp -d "$cache/.install.XXXXXX")
  log "unpacking into $home"
  unzip -q "$dl/elasticsearch-$ES_VERSION.zip" -d "$tmp" || die "unzip failed"
  [ -d "$tmp/elasticsearch-$ES_VERSION/lib" ] || die "unexpected archive layout"
  local h=$tmp/elasticsearch-$ES_VERSION
  # GET / and HEAD / (rest-root is not part of the integ-test zip).
  local mod=$h/modules/pipe-rest-root
  mkdir -p "$tmp/classes" "$mod"
  "$es_java/bin/javac" -nowarn -proc:none -d "$tmp/classes" -cp "$h/lib/*" \
    "$repo/e2e/es/RootPlugin.java" >&2 ||
    die "could not compile e2e/es/RootPlugin.java against Elasticsearch $ES_VERSION"
  "$es_java/bin/jar" cf "$mod/pipe-rest-root.jar" -C "$tmp/classes" .
  cat >"$mod/plugin-descriptor.properties" <<EOF
description=GET / and HEAD / for the pipe e2e tests (stand-in for the rest-root module)
version=$ES_VERSION
name=pipe-rest-root
classname=pipe.e2e.esroot.RootPlugin
java.version=17
elasticsearch.version=$ES_VERSION
EOF
  rm -rf "$tmp/classes"
  chmod -R a+rX "$h"
  touch "$h/.pipe-installed"
  rm -rf "$home"
  mv "$h" "$home"
  rm -rf "$tmp"
}
(
  flock 9
  install
) 9>"$cache/.install.lock"
[ -f "$home/.pipe-installed" ] || die "install of Elasticsearch $ES_VERSION failed"

# --- port ---------------------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null && return 0
  local p
  for p in $(seq 19200 19999); do port_busy "$p" || { echo "$p"; return 0; }; done
  return 1
}
run_of() { echo "$cache/data-$1"; }
if [ -n "${ES_PORT:-}" ]; then
  port=$ES_PORT
else
  port=9200
  port_busy 9200 && port=$(free_port)
fi
run=$(run_of "$port")
# A server this script started earlier on the same port: stop it first.
if [ -f "$run/es.pid" ]; then
  "$repo/e2e/es/stop.sh" "$port" >&2 || true
fi
port_busy "$port" && die "port $port on 127.0.0.1 is already in use"
# Transport port: the first free one from a small range above the HTTP port.
tport=$((port + 100))
while [ "$tport" -le 65535 ] && port_busy "$tport"; do tport=$((tport + 1)); done
[ "$tport" -le 65535 ] || tport=$(free_port)

# --- node directory: fresh, or the previous data kept (ES_KEEP_DATA=1) ---------
if [ "${ES_KEEP_DATA:-}" = 1 ] && [ -d "$run/data" ]; then
  log "keeping the data of the previous server on port $port ($run/data)"
  rm -rf "$run/config" "$run/tmp"
else
  rm -rf "$run"
fi
mkdir -p "$run/config" "$run/data" "$run/logs" "$run/tmp"
cp -r "$home/config/." "$run/config/"
cat >"$run/config/elasticsearch.yml" <<EOF
cluster.name: pipe-e2e
node.name: pipe-e2e-$port
discovery.type: single-node
network.host: 127.0.0.1
http.port: $port
transport.port: $tport
path.data: $run/data
path.logs: $run/logs
cluster.routing.allocation.disk.threshold_enabled: false
xpack.security.enabled: false
action.destructive_requires_name: false
EOF
# Elasticsearch refuses to run as root: run it as an unprivileged user.
runas=()
if [ "$(id -u)" = 0 ]; then
  es_user=${ES_RUN_AS:-nobody}
  es_group=$(id -gn "$es_user")
  chown -R "$es_user:$es_group" "$run"
  runas=(setpriv --reuid="$es_user" --regid="$es_group" --clear-groups)
fi

fail() {
  log "ERROR: $*"
  log "---- $run/start.out (tail) ----"
  tail -n 40 "$run/start.out" >&2 2>/dev/null || true
  log "---- $run/logs/pipe-e2e.log (tail) ----"
  tail -n 60 "$run/logs/pipe-e2e.log" >&2 2>/dev/null || true
  if [ -s "$run/es.pid" ]; then kill "$(cat "$run/es.pid")" 2>/dev/null || true; fi
  exit 1
}

# --- start --------------------------------------------------------------------
log "starting Elasticsearch $ES_VERSION on 127.0.0.1:$port (java: $es_java)"
t0=$(date +%s)
# -d: the CLI forks the server, waits until the node has started, then exits.
env ES_PATH_CONF="$run/config" ES_TMPDIR="$run/tmp" ES_JAVA_HOME="$es_java" \
  ES_JAVA_OPTS="$ES_HEAP ${ES_EXTRA_JAVA_OPTS:-}" \
  timeout "$ES_WAIT" "${runas[@]}" "$home/bin/elasticsearch" -d -p "$run/es.pid" \
  >"$run/start.out" 2>&1 </dev/null ||
  fail "bin/elasticsearch -d failed (status $?)"

url=http://127.0.0.1:$port
deadline=$((t0 + ES_WAIT))
until curl -fsS -m 5 "$url/_cluster/health?wait_for_status=yellow&timeout=2s" >/dev/null 2>&1; do
  [ "$(date +%s)" -lt "$deadline" ] || fail "no yellow/green cluster health on $url within ${ES_WAIT}s"
  [ -s "$run/es.pid" ] && ! kill -0 "$(cat "$run/es.pid")" 2>/dev/null && fail "the server exited"
  sleep 1
done
[ -s "$run/es.pid" ] || fail "no pid file"
pid=$(cat "$run/es.pid")
echo "$port" >"$cache/last-port"

root=$(curl -fsS -m 5 "$url/" 2>/dev/null) || fail "GET / failed (is the pipe-rest-root module loaded?)"
version=$(printf '%s' "$root" | sed -n 's/.*"number" *: *"\([^"]*\)".*/\1/p' | head -1)
product=elasticsearch
printf '%s' "$root" | grep -q '"distribution" *: *"opensearch"' && product=opensearch
log "ready after $(($(date +%s) - t0))s"
echo "ES_URL=$url ES_PRODUCT=$product ES_VERSION=${version:-$ES_VERSION} ES_PID=$pid"
