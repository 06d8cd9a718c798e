#include "ingest/group_consumer.h"

#include <spdlog/spdlog.h>

#include <cstring>
#include <stdexcept>

#include "state/keys.h"

namespace meal::ingest {

GroupConsumer::GroupConsumer(const kafka::Properties& props, std::vector<std::string> topics,
                             const state::Store& store, Merger& merger, RevokeHook on_revoke)
    : topics_(std::move(topics)), store_(store), merger_(merger), on_revoke_(std::move(on_revoke)) {
  kafka::Properties all = {
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", "earliest"},
      {"partition.assignment.strategy", "cooperative-sticky"},
      // Fetch ahead generously but bounded: librdkafka 2.0.2 pauses fetching
      // for up to a second once this queue is full, so it must not fill up
      // while the engine keeps pace.
      {"queued.min.messages", "200000"},
      {"queued.max.messages.kbytes", "262144"},
      {"fetch.wait.max.ms", "50"},
  };
  for (const auto& [k, v] : props) all[k] = v;
  Status status;
  kafka::ConfPtr conf = kafka::MakeConf(all, &status);
  if (!status.ok()) throw std::runtime_error(status.message());
  rd_kafka_conf_set_rebalance_cb(conf.get(), &GroupConsumer::OnRebalance);
  rd_kafka_conf_set_opaque(conf.get(), this);
  char errstr[512];
  rk_.reset(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr));
  if (!rk_) throw std::runtime_error(std::string("kafka consumer: ") + errstr);
  conf.release();
  rd_kafka_poll_set_consumer(rk_.get());
}

GroupConsumer::~GroupConsumer() {
  if (rk_) rd_kafka_consumer_close(rk_.get());
}

void GroupConsumer::Subscribe() {
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(topics_.size()));
  for (const std::string& t : topics_) rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
  const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk_.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err) throw std::runtime_error("kafka subscribe: " + kafka::ErrorText(err));
}

int GroupConsumer::TopicIndex(const char* name) const {
  for (std::size_t i = 0; i < topics_.size(); ++i) {
    if (topics_[i] == name) return static_cast<int>(i);
  }
  return -1;
}

void GroupConsumer::OnRebalance(rd_kafka_t*, rd_kafka_resp_err_t err,
                                rd_kafka_topic_partition_list_t* partitions, void* opaque) {
  auto* self = static_cast<GroupConsumer*>(opaque);
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->Assign(partitions);
  } else {
    self->Revoke(partitions);
  }
}

void GroupConsumer::Assign(rd_kafka_topic_partition_list_t* partitions) {
  for (int i = 0; i < partitions->cnt; ++i) {
    rd_kafka_topic_partition_t& tp = partitions->elems[i];
    const int index = TopicIndex(tp.topic);
    std::string stored;
    std::int64_t offset = RD_KAFKA_OFFSET_BEGINNING;
    if (store_.Get(state::OffsetKey(tp.topic, tp.partition), &stored).ok()) {
      std::int64_t next = 0;
      if (state::DecodeOffset(stored, &next)) offset = next;
    }
    tp.offset = offset;
    merger_.AddPartition(index, tp.partition);
    positions_[{index, tp.partition}] = offset < 0 ? 0 : offset;
    spdlog::info("assigned {}[{}] from offset {}", tp.topic, tp.partition,
                 offset < 0 ? std::string("beginning") : std::to_string(offset));
  }
  rd_kafka_error_t* error = rd_kafka_incremental_assign(rk_.get(), partitions);
  if (error) {
    spdlog::error("incremental assign failed: {}", rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  }
}

void GroupConsumer::Revoke(rd_kafka_topic_partition_list_t* partitions) {
  if (on_revoke_) on_revoke_();
  for (int i = 0; i < partitions->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = partitions->elems[i];
    const int index = TopicIndex(tp.topic);
    merger_.RemovePartition(index, tp.partition);
    positions_.erase({index, tp.partition});
    spdlog::info("revoked {}[{}]", tp.topic, tp.partition);
  }
  rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk_.get(), partitions);
  if (error) {
    spdlog::error("incremental unassign failed: {}", rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  }
}

std::size_t GroupConsumer::Poll(int timeout_ms, std::size_t max_records) {
  std::size_t n = 0;
  int wait = timeout_ms;
  while (n < max_records) {
    rd_kafka_message_t* raw = rd_kafka_consumer_poll(rk_.get(), wait);
    if (!raw) break;
    wait = 0;
    MessagePtr msg(raw);
    const int index = msg->rkt ? TopicIndex(rd_kafka_topic_name(msg->rkt)) : -1;
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      if (index >= 0) merger_.MarkEnd(index, msg->partition);
      continue;
    }
    if (msg->err) {
      // Transient client errors are retried by librdkafka itself.
      spdlog::warn("consumer: {}", rd_kafka_message_errstr(msg.get()));
      continue;
    }
    if (index < 0) continue;
    const std::int32_t partition = msg->partition;
    const std::int64_t offset = msg->offset;
    const std::int64_t timestamp = rd_kafka_message_timestamp(msg.get(), nullptr);
    merger_.Push(index, partition, timestamp, offset, std::move(msg));
    ++n;
  }
  return n;
}

void GroupConsumer::Applied(int topic_index, std::int32_t partition, std::int64_t offset) {
  auto it = positions_.find({topic_index, partition});
  if (it != positions_.end()) it->second = offset + 1;
}

std::vector<std::pair<std::string, std::int64_t>> GroupConsumer::OffsetRecords() const {
  std::vector<std::pair<std::string, std::int64_t>> out;
  out.reserve(positions_.size());
  for (const auto& [tp, next] : positions_) {
    out.emplace_back(state::OffsetKey(topics_[tp.first], tp.second), next);
  }
  return out;
}

std::vector<PartitionLag> GroupConsumer::Lags() const {
  std::vector<PartitionLag> out;
  for (const auto& [tp, next] : positions_) {
    std::int64_t low = 0, high = 0;
    rd_kafka_get_watermark_offsets(rk_.get(), topics_[tp.first].c_str(), tp.second, &low, &high);
    out.push_back({topics_[tp.first], tp.second, next, high});
  }
  return out;
}

void GroupConsumer::CommitToKafkaAsync() {
  if (positions_.empty()) return;
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(positions_.size()));
  for (const auto& [tp, next] : positions_) {
    rd_kafka_topic_partition_list_add(list, topics_[tp.first].c_str(), tp.second)->offset = next;
  }
  // Kafka's committed offsets are informational only; the state store holds the truth.
  static_cast<void>(rd_kafka_commit(rk_.get(), list, /*async=*/1));
  rd_kafka_topic_partition_list_destroy(list);
}

}  // namespace meal::ingest
