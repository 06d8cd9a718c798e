#include "ingest/group_consumer.h"

#include <spdlog/spdlog.h>

#include <cstring>
#include <stdexcept>

#include "state/keys.h"

namespace meal::ingest {
namespace {

struct ListDeleter {
  void operator()(rd_kafka_topic_partition_list_t* l) const { rd_kafka_topic_partition_list_destroy(l); }
};
using ListPtr = std::unique_ptr<rd_kafka_topic_partition_list_t, ListDeleter>;

// Logs what failed for each partition; librdkafka reports it per partition.
void LogPartitionErrors(const char* what, const rd_kafka_topic_partition_list_t& list) {
  for (int i = 0; i < list.cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = list.elems[i];
    if (tp.err) spdlog::error("{} {}[{}]: {}", what, tp.topic, tp.partition, rd_kafka_err2str(tp.err));
  }
}

constexpr int kSeekTimeoutMs = 5000;

}  // namespace

GroupConsumer::GroupConsumer(const kafka::Properties& props, std::vector<std::string> topics,
                             const state::Store& store, Merger& merger, AssignHook on_assign, RevokeHook on_revoke,
                             std::size_t max_buffered, std::size_t headroom, Backpressure::Metrics metrics)
    : topics_(std::move(topics)),
      store_(store),
      merger_(merger),
      on_assign_(std::move(on_assign)),
      on_revoke_(std::move(on_revoke)),
      backpressure_(
          max_buffered, headroom,
          [this](const Backpressure::Partition& p) { return merger_.WaitsOn(p.first, p.second); },
          metrics) {
  kafka::Properties all = {
      {"enable.auto.commit", "false"},
      {"enable.auto.offset.store", "false"},
      {"enable.partition.eof", "true"},
      {"auto.offset.reset", "earliest"},
      {"partition.assignment.strategy", "cooperative-sticky"},
      // The prefetch queue in front of the merger. librdkafka 2.0.2 stops
      // fetching for 0.5-1 s once it holds queued.min.messages (the count is
      // the whole consumer queue's, every partition forwards to it), so the
      // count must cover more than a second of the fastest input the engine
      // applies (~150k location updates/s, docs/benchmarks.md). Bytes cap
      // it for large records; a fetch response in flight may overshoot by
      // fetch.max.bytes, held to 16 MiB (librdkafka's default is 50 MiB).
      {"queued.min.messages", "200000"},
      {"queued.max.messages.kbytes", "65536"},
      {"fetch.max.bytes", "16777216"},
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
  // Only the first topic is the group's: an instance given its partition N
  // owns task N and takes partition N of every other topic with it. The
  // assignors balance partitions, not tasks, so subscribing to every topic
  // could split one area's topics between instances.
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(1);
  rd_kafka_topic_partition_list_add(list, topics_[0].c_str(), RD_KAFKA_PARTITION_UA);
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
  // The group hands out tasks (partitions of the first topic); each comes
  // with the same partition of every topic.
  ListPtr all(rd_kafka_topic_partition_list_new(partitions->cnt * static_cast<int>(self->topics_.size())));
  std::vector<std::int32_t> tasks;
  for (int i = 0; i < partitions->cnt; ++i) {
    tasks.push_back(partitions->elems[i].partition);
    for (const std::string& topic : self->topics_) {
      rd_kafka_topic_partition_list_add(all.get(), topic.c_str(), partitions->elems[i].partition);
    }
  }
  if (err == RD_KAFKA_RESP_ERR__ASSIGN_PARTITIONS) {
    self->Assign(tasks, all.get());
  } else {
    self->Revoke(tasks, all.get());
  }
}

void GroupConsumer::Assign(const std::vector<std::int32_t>& tasks, rd_kafka_topic_partition_list_t* partitions) {
  // Also with no tasks: the first assignment after joining is the moment
  // to learn that some local task is not ours any more.
  if (on_assign_) on_assign_(tasks);
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
    fetched_[{index, tp.partition}] = offset;
    backpressure_.Assigned({index, tp.partition});
    spdlog::info("assigned {}[{}] from offset {}", tp.topic, tp.partition,
                 offset < 0 ? std::string("beginning") : std::to_string(offset));
  }
  rd_kafka_error_t* error = rd_kafka_incremental_assign(rk_.get(), partitions);
  if (error) {
    spdlog::error("incremental assign failed: {}", rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  }
}

void GroupConsumer::Revoke(const std::vector<std::int32_t>& tasks, rd_kafka_topic_partition_list_t* partitions) {
  if (on_revoke_) on_revoke_(tasks);
  ListPtr paused(rd_kafka_topic_partition_list_new(partitions->cnt));
  for (int i = 0; i < partitions->cnt; ++i) {
    const rd_kafka_topic_partition_t& tp = partitions->elems[i];
    const int index = TopicIndex(tp.topic);
    merger_.RemovePartition(index, tp.partition);
    positions_.erase({index, tp.partition});
    fetched_.erase({index, tp.partition});
    if (backpressure_.Revoked({index, tp.partition})) {
      rd_kafka_topic_partition_list_add(paused.get(), tp.topic, tp.partition);
    }
    spdlog::info("revoked {}[{}]", tp.topic, tp.partition);
  }
  // librdkafka would keep them paused should they be assigned here again.
  if (paused->cnt > 0) {
    static_cast<void>(rd_kafka_resume_partitions(rk_.get(), paused.get()));  // errors are per partition
    LogPartitionErrors("resume on revoke", *paused);
  }
  rd_kafka_error_t* error = rd_kafka_incremental_unassign(rk_.get(), partitions);
  if (error) {
    spdlog::error("incremental unassign failed: {}", rd_kafka_error_string(error));
    rd_kafka_error_destroy(error);
  }
}

std::size_t GroupConsumer::Poll(int timeout_ms, std::size_t max_records) {
  Carry(backpressure_.Update(merger_.buffered()));
  std::size_t n = 0;
  int wait = timeout_ms;
  while (n < max_records) {
    rd_kafka_message_t* raw = rd_kafka_consumer_poll(rk_.get(), wait);
    if (!raw) break;
    wait = 0;
    MessagePtr msg(raw);
    const int index = msg->rkt ? TopicIndex(rd_kafka_topic_name(msg->rkt)) : -1;
    const Backpressure::Partition p{index, msg->partition};
    auto fetched = fetched_.find(p);
    if (msg->err == RD_KAFKA_RESP_ERR__PARTITION_EOF) {
      // A paused partition's end counts only if nothing was dropped before it.
      if (fetched != fetched_.end() && (!backpressure_.IsPaused(p) || msg->offset == fetched->second)) {
        merger_.MarkEnd(index, msg->partition);
      }
      continue;
    }
    if (msg->err) {
      // Transient client errors are retried by librdkafka itself.
      spdlog::warn("consumer: {}", rd_kafka_message_errstr(msg.get()));
      continue;
    }
    // Not ours (any more), handed out before a pause took hold, or before
    // the position a resume went back to: fetched again in order later.
    if (fetched == fetched_.end() || backpressure_.IsPaused(p) || msg->offset < fetched->second) continue;
    fetched->second = msg->offset + 1;
    const std::int64_t offset = msg->offset;
    const std::int64_t timestamp = rd_kafka_message_timestamp(msg.get(), nullptr);
    merger_.Push(index, p.second, timestamp, offset, std::move(msg));
    ++n;
    Carry(backpressure_.OnRecord(merger_.buffered()));
  }
  return n;
}

void GroupConsumer::Carry(const Backpressure::Actions& actions) {
  if (actions.empty()) return;
  auto list = [this](const std::vector<Backpressure::Partition>& partitions) {
    ListPtr l(rd_kafka_topic_partition_list_new(static_cast<int>(partitions.size())));
    for (const auto& [index, partition] : partitions) {
      rd_kafka_topic_partition_list_add(l.get(), topics_[index].c_str(), partition)->offset =
          fetched_.at({index, partition});
    }
    return l;
  };
  if (!actions.pause.empty()) {
    // librdkafka drops what it prefetched for them and hands out nothing
    // more of them until resumed.
    ListPtr l = list(actions.pause);
    static_cast<void>(rd_kafka_pause_partitions(rk_.get(), l.get()));  // errors are per partition
    LogPartitionErrors("pause", *l);
  }
  if (!actions.resume.empty()) {
    ListPtr l = list(actions.resume);
    static_cast<void>(rd_kafka_resume_partitions(rk_.get(), l.get()));  // errors are per partition
    LogPartitionErrors("resume", *l);
    // The seek restarts fetching at once (a resumed partition otherwise sat
    // idle for about 0.9 s in 2.0.2) and from what was buffered, not from
    // what librdkafka handed out, which includes records dropped above.
    // Waiting for it (a hand-over to librdkafka's broker thread) is what
    // guarantees no record fetched from the old position comes after it.
    if (rd_kafka_error_t* error = rd_kafka_seek_partitions(rk_.get(), l.get(), kSeekTimeoutMs)) {
      spdlog::error("seek on resume: {}", rd_kafka_error_string(error));
      rd_kafka_error_destroy(error);
    }
    LogPartitionErrors("seek on resume", *l);
  }
  spdlog::debug("backpressure: paused {}, resumed {} partitions, {} records buffered", actions.pause.size(),
                actions.resume.size(), merger_.buffered());
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
