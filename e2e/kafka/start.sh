#!/usr/bin/env bash
# Installs (once, cached) and starts a real Apache Kafka 4.x broker on 127.0.0.1
# for the end-to-end tests: KRaft, a single node that is both broker and
# controller, from Maven Central only (no Docker, no tarball from apache.org):
#   org.apache.kafka:kafka_2.13:$KAFKA_VERSION            (broker, kafka.Kafka)
#   org.apache.kafka:kafka-tools:$KAFKA_VERSION           (TopicCommand, ...)
#   org.apache.logging.log4j:log4j-slf4j-impl             (SLF4J 1.7 -> log4j2)
# Also installs kcat (Debian) if missing, through e2e/kafka/setup-kcat.sh.
#
# Environment:
#   KAFKA_VERSION   version (default 4.4.0; 4.1.x-4.4.x expected to work)
#   KAFKA_PORT      PLAINTEXT port (default 9092 if free, else a free port)
#   KAFKA_HEAP      heap options (default "-Xms128m -Xmx512m")
#   KAFKA_WAIT      readiness timeout in seconds (default 90)
#   KAFKA_JAVA_HOME JDK >= 17 to run the broker with (default: JAVA_HOME, the
#                   java on PATH, /usr/lib/jvm/*)
#   KAFKA_NUM_PARTITIONS partitions of auto-created topics (default 1)
#   KAFKA_KEEP_DATA 1: keep the log dirs of the previous broker on this port
#                   (a restart with the same topics and offsets), e.g.
#                   `e2e/kafka/stop.sh 9192; KAFKA_PORT=9192 KAFKA_KEEP_DATA=1 e2e/kafka/start.sh`
#
# Progress goes to stderr. On success the only stdout line is
#   KAFKA_BOOTSTRAP=127.0.0.1:<port> KAFKA_VERSION=<v> KAFKA_PID=<pid>
# On failure the server log tail goes to stderr and the exit status is non-zero.
# Stop it with e2e/kafka/stop.sh. Create topics with e2e/kafka/topic.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
source e2e/lib.sh
repo=$PWD

KAFKA_VERSION=${KAFKA_VERSION:-4.4.0}
KAFKA_HEAP=${KAFKA_HEAP:--Xms128m -Xmx512m}
KAFKA_WAIT=${KAFKA_WAIT:-90}
KAFKA_NUM_PARTITIONS=${KAFKA_NUM_PARTITIONS:-1}
cache=$repo/.cache/kafka
home=$cache/$KAFKA_VERSION

log() { echo "kafka/start.sh: $*" >&2; }
die() { log "ERROR: $*"; exit 1; }

case $KAFKA_VERSION in
  4.*) ;;
  *) die "KAFKA_VERSION=$KAFKA_VERSION: only Kafka 4.x (KRaft without ZooKeeper) is supported" ;;
esac
mkdir -p "$cache"

# --- Java -------------------------------------------------------------------
kjava=$(pick_java "${KAFKA_JAVA_HOME:-}" 17) || die "Kafka $KAFKA_VERSION needs a Java >= 17 (set KAFKA_JAVA_HOME); none found"

# --- kcat (readiness probe, and the tests' producer/consumer) -----------------
"$repo/e2e/kafka/setup-kcat.sh" || log "WARNING: kcat could not be installed; readiness falls back to TopicCommand --list (slower)"

# --- install (idempotent, cached, safe against concurrent runs) ---------------
write_pom() { # $1 = dir, $2 = extra dependencies (xml)
  cat >"$1/pom.xml" <<EOF
<project xmlns="http://maven.apache.org/POM/4.0.0">
  <modelVersion>4.0.0</modelVersion>
  <groupId>pipe.e2e</groupId>
  <artifactId>kafka-server-libs</artifactId>
  <version>$KAFKA_VERSION</version>
  <packaging>pom</packaging>
  <dependencies>
    <dependency>
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka_2.13</artifactId>
      <version>$KAFKA_VERSION</version>
    </dependency>
    <dependency>
      <!-- TopicCommand and the other CLI tools; Kafka Connect is not needed. -->
      <groupId>org.apache.kafka</groupId>
      <artifactId>kafka-tools</artifactId>
      <version>$KAFKA_VERSION</version>
      <exclusions>
        <exclusion><groupId>org.apache.kafka</groupId><artifactId>connect-runtime</artifactId></exclusion>
      </exclusions>
    </dependency>$2
  </dependencies>
</project>
EOF
}
copy_deps() { # $1 = dir
  (cd "$1" && mvn -q -B org.apache.maven.plugins:maven-dependency-plugin:3.6.1:copy-dependencies \
    -DincludeScope=runtime -DoutputDirectory=lib >&2)
}
install() {
  [ -f "$home/.pipe-installed" ] && return 0
  command -v mvn >/dev/null || die "mvn (Maven) is needed to fetch org.apache.kafka:kafka_2.13:$KAFKA_VERSION"
  local tmp log4j
  tmp=$(mktemp -d "$cache/.install.XXXXXX")
  log "resolving org.apache.kafka:kafka_2.13:$KAFKA_VERSION and its dependencies from Maven Central"
  write_pom "$tmp" ""
  copy_deps "$tmp" || { rm -rf "$tmp"; die "mvn could not resolve org.apache.kafka:kafka_2.13:$KAFKA_VERSION"; }
  # SLF4J 1.7 binding for log4j2 (Kafka 4.x logs through slf4j-api 1.7), at the
  # log4j version kafka-server depends on (4.1+). 4.0.x declares no log4j at
  # all: then log4j-api/core too, at the version its tarball ships (2.24.3).
  log4j=$(ls "$tmp/lib" | sed -n 's/^log4j-core-\(.*\)\.jar$/\1/p' | head -1)
  local a extra=""
  for a in log4j-slf4j-impl ${log4j:+skip}log4j-core ${log4j:+skip}log4j-api; do
    case $a in skip*) continue ;; esac
    extra="$extra
    <dependency>
      <groupId>org.apache.logging.log4j</groupId>
      <artifactId>$a</artifactId>
      <version>${log4j:-${KAFKA_LOG4J_VERSION:-2.24.3}}</version>
    </dependency>"
  done
  write_pom "$tmp" "$extra"
  copy_deps "$tmp" || { rm -rf "$tmp"; die "mvn could not resolve the log4j2 jars"; }
  [ -f "$tmp/lib/kafka_2.13-$KAFKA_VERSION.jar" ] || { rm -rf "$tmp"; die "kafka_2.13-$KAFKA_VERSION.jar missing after copy-dependencies"; }
  mkdir -p "$tmp/config"
  # Broker log: ${sys:kafka.logs.dir}/server.log (set per run by this script).
  cat >"$tmp/config/log4j2.properties" <<'EOF'
status = warn
appender.file.type = File
appender.file.name = FILE
appender.file.fileName = ${sys:kafka.logs.dir}/server.log
appender.file.layout.type = PatternLayout
appender.file.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = INFO
rootLogger.appenderRef.file.ref = FILE
logger.kafka.name = kafka
logger.kafka.level = INFO
logger.apache.name = org.apache.kafka
logger.apache.level = INFO
logger.request.name = kafka.request.logger
logger.request.level = WARN
EOF
  # CLI tools (TopicCommand, StorageTool): warnings and errors to stderr only.
  cat >"$tmp/config/tools-log4j2.properties" <<'EOF'
status = warn
appender.err.type = Console
appender.err.name = STDERR
appender.err.target = SYSTEM_ERR
appender.err.layout.type = PatternLayout
appender.err.layout.pattern = [%d] %p %m (%c)%n
rootLogger.level = WARN
rootLogger.appenderRef.err.ref = STDERR
EOF
  touch "$tmp/.pipe-installed"
  rm -rf "$home"
  mv "$tmp" "$home"
}
(
  flock 9
  install
) 9>"$cache/.install.lock"
[ -f "$home/.pipe-installed" ] || die "install of Kafka $KAFKA_VERSION failed"
cp="$home/lib/*"

# --- ports ----------------------------------------------------------------------
port_busy() { (exec 3<>"/dev/tcp/127.0.0.1/$1") 2>/dev/null; }
free_port() {
  python3 -c 'import socket; s=socket.socket(); s.bind(("127.0.0.1",0)); print(s.getsockname()[1])' 2>/dev/null && return 0
  local p
  for p in $(seq 19092 19999); do port_busy "$p" || { echo "$p"; return 0; }; done
  return 1
}
if [ -n "${KAFKA_PORT:-}" ]; then
  port=$KAFKA_PORT
else
  port=9092
  port_busy 9092 && port=$(free_port)
fi
run=$cache/data-$port
# A broker this script started earlier on the same port: stop it first.
if [ -f "$run/kafka.pid" ]; then
  "$repo/e2e/kafka/stop.sh" "$port" >&2 || true
fi
port_busy "$port" && die "port $port on 127.0.0.1 is already in use"
# Controller port: the first free one from <port>+100 upward.
cport=$((port + 100))
while [ "$cport" -le 65535 ] && port_busy "$cport"; do cport=$((cport + 1)); done
[ "$cport" -le 65535 ] || cport=$(free_port)

# --- node directory: fresh, or the previous log dirs kept (KAFKA_KEEP_DATA=1) -----
keep=0
if [ "${KAFKA_KEEP_DATA:-}" = 1 ] && [ -f "$run/data/meta.properties" ]; then
  keep=1
  log "keeping the log dirs of the previous broker on port $port ($run/data)"
  rm -rf "$run/config"
else
  rm -rf "$run"
fi
mkdir -p "$run/config" "$run/data" "$run/logs"
cat >"$run/config/server.properties" <<EOF
# Written by e2e/kafka/start.sh: single-node KRaft, broker + controller.
process.roles=broker,controller
node.id=1
controller.quorum.voters=1@127.0.0.1:$cport
listeners=PLAINTEXT://127.0.0.1:$port,CONTROLLER://127.0.0.1:$cport
advertised.listeners=PLAINTEXT://127.0.0.1:$port
listener.security.protocol.map=PLAINTEXT:PLAINTEXT,CONTROLLER:PLAINTEXT
inter.broker.listener.name=PLAINTEXT
controller.listener.names=CONTROLLER
log.dirs=$run/data
num.partitions=$KAFKA_NUM_PARTITIONS
default.replication.factor=1
min.insync.replicas=1
auto.create.topics.enable=true
delete.topic.enable=true
offsets.topic.replication.factor=1
offsets.topic.num.partitions=1
transaction.state.log.replication.factor=1
transaction.state.log.min.isr=1
transaction.state.log.num.partitions=1
share.coordinator.state.topic.replication.factor=1
share.coordinator.state.topic.min.isr=1
share.coordinator.state.topic.num.partitions=1
group.initial.rebalance.delay.ms=0
num.network.threads=2
num.io.threads=4
log.retention.hours=24
log.segment.bytes=67108864
EOF

fail() {
  log "ERROR: $*"
  log "---- $run/start.out (tail) ----"
  tail -n 40 "$run/start.out" >&2 2>/dev/null || true
  log "---- $run/logs/server.log (tail) ----"
  tail -n 60 "$run/logs/server.log" >&2 2>/dev/null || true
  if [ -s "$run/kafka.pid" ]; then kill "$(cat "$run/kafka.pid")" 2>/dev/null || true; fi
  exit 1
}

t0=$(date +%s)
# --- format the log dir ---------------------------------------------------------
tools_java=("$kjava/bin/java" -Xmx256m -XX:TieredStopAtLevel=1 -Xshare:auto
  "-Dlog4j2.configurationFile=$home/config/tools-log4j2.properties" -cp "$cp")
if [ "$keep" = 0 ]; then
  # Kafka's Uuid string form: 16 random bytes, URL-safe base64 without padding
  # (what `StorageTool random-uuid` prints; done here to save a JVM start).
  cluster_id=
  while [ -z "$cluster_id" ] || [ "${cluster_id#-}" != "$cluster_id" ]; do
    cluster_id=$(head -c 16 /dev/urandom | base64 | tr '+/' '-_' | tr -d '=\n')
  done
  echo "$cluster_id" >"$run/cluster-id"
  # --standalone is only for dynamic quorums (controller.quorum.bootstrap.servers);
  # with controller.quorum.voters set it must not be passed.
  "${tools_java[@]}" kafka.tools.StorageTool format -t "$cluster_id" \
    -c "$run/config/server.properties" >"$run/format.out" 2>&1 ||
    { cat "$run/format.out" >&2; fail "kafka.tools.StorageTool format failed"; }
fi

# --- start ------------------------------------------------------------------------
log "starting Kafka $KAFKA_VERSION (KRaft) on 127.0.0.1:$port, controller 127.0.0.1:$cport (java: $kjava)"
# shellcheck disable=SC2086
setsid "$kjava/bin/java" -server $KAFKA_HEAP -XX:+UseG1GC -XX:MaxGCPauseMillis=20 \
  -Djava.awt.headless=true -Dkafka.logs.dir="$run/logs" \
  "-Dlog4j2.configurationFile=$home/config/log4j2.properties" \
  ${KAFKA_EXTRA_JAVA_OPTS:-} -cp "$cp" kafka.Kafka "$run/config/server.properties" \
  >"$run/start.out" 2>&1 </dev/null &
pid=$!
echo "$pid" >"$run/kafka.pid"

# --- readiness: broker metadata answers with our broker, and a topic can be created
bootstrap=127.0.0.1:$port
ready() {
  if command -v kcat >/dev/null; then
    kcat -b "$bootstrap" -L -m 3 2>/dev/null | grep -q "broker 1 at 127.0.0.1:$port" || return 1
    # A produce to an (auto-created) probe topic needs a working controller,
    # partition leadership and the log dir: the broker really takes records.
    printf 'ready\n' | kcat -b "$bootstrap" -P -t __pipe_e2e_ready -m 5 \
      -X message.timeout.ms=4000 >/dev/null 2>&1
  else
    "${tools_java[@]}" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bootstrap" \
      --list >/dev/null 2>&1
  fi
}
deadline=$((t0 + KAFKA_WAIT))
until ready; do
  kill -0 "$pid" 2>/dev/null || fail "the broker exited before it was ready"
  [ "$(date +%s)" -lt "$deadline" ] || fail "broker on $bootstrap not ready within ${KAFKA_WAIT}s"
  sleep 0.5
done
echo "$port" >"$cache/last-port"
log "ready after $(($(date +%s) - t0))s (log: $run/logs/server.log)"
echo "KAFKA_BOOTSTRAP=$bootstrap KAFKA_VERSION=$KAFKA_VERSION KAFKA_PID=$pid"
