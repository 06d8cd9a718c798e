#!/usr/bin/env bash
# Creates every Kafka topic of meal-dispatchd with Kafka's own kafka-topics.sh, for deployments
# where the service may not create topics itself (a broker with restricted ACLs, or topics that
# must exist before the first instance starts). Safe to run again: existing topics are left as
# they are (--if-not-exists), even where their settings differ from these.
#
# Usage: deploy/topics.sh [--bootstrap HOST:PORT] [--partitions N] [--replication-factor N]
#
# Environment (flags win over it):
#   MEAL_KAFKA_BOOTSTRAP           brokers (default localhost:9092)
#   MEAL_TOPIC_PARTITIONS          partitions of the area-scoped topics (default 4); must equal
#                                  kafka.partitions of the service, which refuses to start otherwise
#   MEAL_TOPIC_REPLICATION_FACTOR  replication factor of every topic (default 1)
#   MEAL_TOPIC_RETENTION_MS        retention of inputs and outputs (default 7 days)
#   MEAL_DLQ_RETENTION_MS          retention of the dead-letter topic (default 90 days)
#   MEAL_CHANGELOG_SEGMENT_MS         the changelog's segment.ms (default 1 hour)
#   MEAL_CHANGELOG_COMPACTION_LAG_MS  its max.compaction.lag.ms (default 1 day)
#   MEAL_CHANGELOG_TOMBSTONE_MS       its delete.retention.ms (default 1 day); the three are the
#                                     service's retention.changelog_* keys, same defaults
#   KAFKA_HOME                     Kafka distribution holding bin/kafka-topics.sh; without it,
#                                  kafka-topics.sh is taken from PATH
set -euo pipefail

BOOTSTRAP="${MEAL_KAFKA_BOOTSTRAP:-localhost:9092}"
PARTITIONS="${MEAL_TOPIC_PARTITIONS:-4}"
REPLICATION="${MEAL_TOPIC_REPLICATION_FACTOR:-1}"
RETENTION_MS="${MEAL_TOPIC_RETENTION_MS:-604800000}"
DLQ_RETENTION_MS="${MEAL_DLQ_RETENTION_MS:-7776000000}"
CHANGELOG_SEGMENT_MS="${MEAL_CHANGELOG_SEGMENT_MS:-3600000}"
CHANGELOG_LAG_MS="${MEAL_CHANGELOG_COMPACTION_LAG_MS:-86400000}"
CHANGELOG_TOMBSTONE_MS="${MEAL_CHANGELOG_TOMBSTONE_MS:-86400000}"

usage() {
  echo "usage: $0 [--bootstrap HOST:PORT] [--partitions N] [--replication-factor N]" >&2
  exit 2
}

while (($#)); do
  case "$1" in
    --bootstrap|--bootstrap-server) [[ $# -ge 2 ]] || usage; BOOTSTRAP="$2"; shift 2 ;;
    --partitions) [[ $# -ge 2 ]] || usage; PARTITIONS="$2"; shift 2 ;;
    --replication-factor) [[ $# -ge 2 ]] || usage; REPLICATION="$2"; shift 2 ;;
    -h|--help) usage ;;
    *) echo "topics: unknown argument '$1'" >&2; usage ;;
  esac
done

for pair in "partitions:$PARTITIONS" "replication factor:$REPLICATION" \
            "retention:$RETENTION_MS" "dead-letter retention:$DLQ_RETENTION_MS" \
            "changelog segment:$CHANGELOG_SEGMENT_MS" "changelog compaction lag:$CHANGELOG_LAG_MS" \
            "changelog tombstone retention:$CHANGELOG_TOMBSTONE_MS"; do
  [[ "${pair#*:}" =~ ^[1-9][0-9]*$ ]] || { echo "topics: bad ${pair%%:*} '${pair#*:}'" >&2; exit 2; }
done

if [[ -n "${KAFKA_HOME:-}" ]]; then
  TOOL="$KAFKA_HOME/bin/kafka-topics.sh"
  [[ -x "$TOOL" ]] || { echo "topics: $TOOL is missing or not executable" >&2; exit 1; }
else
  TOOL="$(command -v kafka-topics.sh)" || { echo "topics: kafka-topics.sh is not on PATH; set KAFKA_HOME" >&2; exit 1; }
fi

# Producers stamp records with event times (a replayed day, a phone with a skewed clock), which
# Kafka 4 refuses when they are more than an hour ahead of the broker; the service sets the same
# on the topics it creates.
COMMON=(--config message.timestamp.after.max.ms=9223372036854775807)
KEEP=(--config cleanup.policy=delete --config "retention.ms=$RETENTION_MS")

create() {
  local name="$1" partitions="$2"
  shift 2
  echo "topics: $name ($partitions partitions, replication $REPLICATION)"
  "$TOOL" --bootstrap-server "$BOOTSTRAP" --create --if-not-exists --topic "$name" \
    --partitions "$partitions" --replication-factor "$REPLICATION" "${COMMON[@]}" "$@"
}

# Keyed by service area: all with the same partition count, so one area's events share a
# partition number on every topic.
create meal.orders "$PARTITIONS" "${KEEP[@]}"
create meal.couriers "$PARTITIONS" "${KEEP[@]}"
create meal.deliveries "$PARTITIONS" "${KEEP[@]}"
create meal.assignments "$PARTITIONS" "${KEEP[@]}"
create meal.alerts "$PARTITIONS" "${KEEP[@]}"
# Dead letters are investigated days or weeks later, so they are kept longer; operators'
# commands are the audit trail of their decisions, kept as long.
create meal.dlq "$PARTITIONS" --config cleanup.policy=delete --config "retention.ms=$DLQ_RETENTION_MS"
create meal.commands "$PARTITIONS" --config cleanup.policy=delete --config "retention.ms=$DLQ_RETENTION_MS"
# Registries: every instance reads the whole topic, and only the latest record per key matters.
# One partition, as the service creates them and checks on start.
create meal.sites 1 --config cleanup.policy=compact
create meal.elders 1 --config cleanup.policy=compact
# Every change to an area's state, on its area's partition: an instance gaining a partition
# restores the area from it. Only the latest record per key matters; rolling segments, a
# compaction deadline and a tombstone deadline bound how long it keeps what an erasure
# overwrote or deleted (docs/operations.md, Data protection).
create meal.changelog "$PARTITIONS" --config cleanup.policy=compact \
  --config "segment.ms=$CHANGELOG_SEGMENT_MS" --config "max.compaction.lag.ms=$CHANGELOG_LAG_MS" \
  --config "delete.retention.ms=$CHANGELOG_TOMBSTONE_MS"

echo "topics: done"
