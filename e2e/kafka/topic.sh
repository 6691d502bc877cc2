#!/usr/bin/env bash
# Runs Kafka's own topic tool (org.apache.kafka.tools.TopicCommand, what
# bin/kafka-topics.sh runs) from the jars e2e/kafka/start.sh installed.
#   e2e/kafka/topic.sh create <topic> [partitions]   # default 6 partitions, RF 1
#   e2e/kafka/topic.sh <any kafka-topics.sh arguments>  # e.g. --list, --describe --topic t
# The broker is $KAFKA_BOOTSTRAP (default 127.0.0.1:9092); the jars are those of
# $KAFKA_VERSION (default 4.4.0), installed by start.sh.
set -euo pipefail
cd "$(dirname "$0")/../.."
v=${KAFKA_VERSION:-4.4.0}
home=$PWD/.cache/kafka/$v
bs=${KAFKA_BOOTSTRAP:-127.0.0.1:9092}
[ -f "$home/.pipe-installed" ] || { echo "kafka/topic.sh: Kafka $v is not installed; run e2e/kafka/start.sh" >&2; exit 1; }
java=java
[ -n "${KAFKA_JAVA_HOME:-}" ] && java=$KAFKA_JAVA_HOME/bin/java
run() {
  "$java" -Xmx256m -XX:TieredStopAtLevel=1 \
    "-Dlog4j2.configurationFile=$home/config/tools-log4j2.properties" \
    -cp "$home/lib/*" org.apache.kafka.tools.TopicCommand --bootstrap-server "$bs" "$@"
}
if [ "${1:-}" = create ]; then
  [ -n "${2:-}" ] || { echo "usage: $0 create <topic> [partitions]" >&2; exit 2; }
  run --create --if-not-exists --topic "$2" --partitions "${3:-6}" --replication-factor 1
else
  run "$@"
fi
