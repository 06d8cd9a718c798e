// The service's consumer of area-scoped input topics: one consumer group,
// cooperative-sticky assignment, and start positions taken from the state
// store (the offsets committed together with the state), not from Kafka.
// It pauses partitions so that what the merger holds stays bounded (the
// bound is in ingest/backpressure.h), and the settings in the constructor
// cap librdkafka's own prefetch queue (docs/operations.md, Backpressure,
// adds them up).
// Not thread-safe: the event loop thread owns it; rebalance callbacks run
// inside Poll on that thread.
#pragma once

#include <librdkafka/rdkafka.h>

#include <functional>
#include <map>
#include <memory>
#include <string>
#include <vector>

#include "ingest/backpressure.h"
#include "ingest/task_merger.h"
#include "kafka/client_config.h"
#include "state/store.h"

namespace meal::ingest {

struct PartitionLag {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t position = 0;       // next offset to be processed
  std::int64_t high_watermark = 0;
};

struct MessageDeleter {
  void operator()(rd_kafka_message_t* m) const { rd_kafka_message_destroy(m); }
};
using MessagePtr = std::unique_ptr<rd_kafka_message_t, MessageDeleter>;
using Merger = TaskMerger<MessagePtr>;

class GroupConsumer {
 public:
  // Called with the tasks (partition numbers) being given, before their
  // start offsets are read from the store, so that the owner can bring the
  // tasks' state (and offsets) into the store first.
  using AssignHook = std::function<void(const std::vector<std::int32_t>& tasks)>;
  // Called with the tasks being taken away, while they are still ours, so
  // the owner can commit what it applied from them and let their state go.
  using RevokeHook = std::function<void(const std::vector<std::int32_t>& tasks)>;

  // `topics` in topic-index order; `max_buffered` and `headroom` as for
  // Backpressure. Throws std::runtime_error on bad config.
  GroupConsumer(const kafka::Properties& props, std::vector<std::string> topics,
                const state::Store& store, Merger& merger, AssignHook on_assign, RevokeHook on_revoke,
                std::size_t max_buffered, std::size_t headroom, Backpressure::Metrics metrics);
  ~GroupConsumer();

  void Subscribe();

  // Moves fetched records into the merger: waits up to timeout_ms for the
  // first, then takes what is already there, up to max_records.
  // Pauses and resumes partitions as the merger's count requires.
  // Returns the number of records moved.
  std::size_t Poll(int timeout_ms, std::size_t max_records);

  // Records that the record at `offset` of (topic_index, partition) has been
  // applied, so processing resumes after it; feeds Positions().
  void Applied(int topic_index, std::int32_t partition, std::int64_t offset);

  // Next offset per assigned partition, for the state commit.
  std::vector<std::pair<std::string, std::int64_t>> OffsetRecords() const;

  // Lag per assigned partition from the client's cached watermarks.
  std::vector<PartitionLag> Lags() const;

  // Also commits positions to Kafka (asynchronously) so external tools see lag.
  void CommitToKafkaAsync();

  const std::string& topic(int index) const { return topics_[index]; }
  std::size_t assigned_count() const { return positions_.size(); }
  bool paused() const { return backpressure_.engaged(); }

 private:
  static void OnRebalance(rd_kafka_t* rk, rd_kafka_resp_err_t err,
                          rd_kafka_topic_partition_list_t* partitions, void* opaque);
  void Assign(const std::vector<std::int32_t>& tasks, rd_kafka_topic_partition_list_t* partitions);
  void Revoke(const std::vector<std::int32_t>& tasks, rd_kafka_topic_partition_list_t* partitions);
  int TopicIndex(const char* name) const;
  // Pauses and resumes in librdkafka what the backpressure decided.
  void Carry(const Backpressure::Actions& actions);

  kafka::HandlePtr rk_;
  std::vector<std::string> topics_;
  const state::Store& store_;
  Merger& merger_;
  AssignHook on_assign_;
  RevokeHook on_revoke_;
  std::map<std::pair<int, std::int32_t>, std::int64_t> positions_;
  // Next offset to fetch per assigned partition: one past the last record
  // buffered, or the start position. A resumed partition seeks back to it.
  std::map<std::pair<int, std::int32_t>, std::int64_t> fetched_;
  Backpressure backpressure_;
};

}  // namespace meal::ingest
