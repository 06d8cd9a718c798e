// bench-passthrough: the whole-system benchmark's I/O ceiling, (b). The
// service's I/O with nothing in between: consume the input topics (the
// service's fetch settings and poll cycle), write each poll cycle's records
// and the next input offsets in one RocksDB WriteBatch (the service's state
// store and options), then produce one small record per input (the service's
// idempotent producer). No decoding, no logic.
//
//   bench-passthrough --bootstrap 127.0.0.1:39092 --topics t1,t2,t3 --expect N
//                     --state-dir DIR --output-topic T [--json FILE] [--samples FILE.csv]
//                     [--timeout-s 600]
//
// Exit codes: 0 when `expect` records went through, 1 on bad flags or a
// client or store error, 3 on timeout or unacknowledged output.
#include <unistd.h>

#include <cstdio>
#include <map>
#include <memory>
#include <stdexcept>

#include "common.h"
#include "kafka/admin.h"
#include "kafka/producer.h"
#include "state/keys.h"
#include "state/rocksdb_store.h"

namespace {

std::string_view View(const void* data, std::size_t size) {
  return data == nullptr ? std::string_view() : std::string_view(static_cast<const char*>(data), size);
}

}  // namespace

int main(int argc, char** argv) {
  namespace bench = meal::bench;
  namespace kafka = meal::kafka;
  namespace state = meal::state;
  bench::ReadFlags flags;
  std::string state_dir;
  std::string output_topic;
  CLI::App app{"bench-passthrough: consume, one RocksDB batch per poll, produce one record per input"};
  bench::AddReadFlags(app, &flags);
  app.add_option("--state-dir", state_dir, "RocksDB folder (created)")->required();
  app.add_option("--output-topic", output_topic, "where the outputs go (created, 4 partitions)")->required();
  CLI11_PARSE(app, argc, argv);

  const kafka::Properties props = {{"bootstrap.servers", flags.bootstrap}};
  if (meal::Status s = kafka::EnsureTopics(props, {{output_topic, 4, 1, false}}, 15000); !s.ok()) {
    std::fprintf(stderr, "bench-passthrough: %s\n", s.ToString().c_str());
    return 1;
  }
  std::unique_ptr<state::RocksDbStore> store;
  if (meal::Status s = state::RocksDbStore::Open(state_dir, {}, &store); !s.ok()) {
    std::fprintf(stderr, "bench-passthrough: %s\n", s.ToString().c_str());
    return 1;
  }
  std::int64_t acknowledged = 0;
  std::int64_t refused = 0;
  std::unique_ptr<kafka::Producer> producer;
  kafka::HandlePtr consumer;
  try {
    producer = std::make_unique<kafka::Producer>(props, [&](std::uint64_t, rd_kafka_resp_err_t err) {
      ++(err == RD_KAFKA_RESP_ERR_NO_ERROR ? acknowledged : refused);
    });
    // A ceiling is measured warm: one record acknowledged first, so the
    // producer has its id and the output topic's metadata (cold, the first
    // outputs wait up to a second for them).
    if (producer->Produce(output_topic, {}, {}, 0, 0) != RD_KAFKA_RESP_ERR_NO_ERROR || !producer->Flush(30000) ||
        refused > 0) {
      throw std::runtime_error("the producer did not come up within 30 s");
    }
    acknowledged = 0;
    consumer = bench::SubscribeFromStart(flags.bootstrap, "bench-passthrough-" + std::to_string(getpid()),
                                         bench::SplitList(flags.topics));
  } catch (const std::exception& e) {
    std::fprintf(stderr, "bench-passthrough: %s\n", e.what());
    return 1;
  }

  std::map<std::pair<std::string, std::int32_t>, std::int64_t> next_offsets;
  state::WriteSet changes;
  meal::Status commit_error;
  std::uint64_t tag = 0;
  const auto pass = [&](std::span<rd_kafka_message_t* const> batch) {
    changes.Clear();
    for (const rd_kafka_message_t* msg : batch) {
      const std::string topic = rd_kafka_topic_name(msg->rkt);
      changes.Put("r/" + topic + "/" + std::to_string(msg->partition) + "/" + state::EncodeOffset(msg->offset),
                  std::string(View(msg->payload, msg->len)));
      next_offsets[{topic, msg->partition}] = msg->offset + 1;
    }
    for (const auto& [tp, next] : next_offsets) {
      changes.Put(state::OffsetKey(tp.first, tp.second), state::EncodeOffset(next));
    }
    if (meal::Status s = store->Commit(changes); !s.ok() && commit_error.ok()) commit_error = s;
    for (const rd_kafka_message_t* msg : batch) {
      const rd_kafka_resp_err_t err =
          producer->Produce(output_topic, View(msg->key, msg->key_len), state::EncodeOffset(msg->offset),
                            rd_kafka_message_timestamp(msg, nullptr), ++tag);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) ++refused;
    }
    producer->Poll(0);
  };
  bench::ConsumeResult result =
      bench::ConsumeAll(consumer.get(), flags.expect, bench::kMaxBatch, flags.timeout_s, pass);
  const bool flushed = producer->Flush(60000);
  if (result.timeline.started()) result.timeline.Finish(result.records);  // outputs acknowledged
  rd_kafka_consumer_close(consumer.get());
  if (!commit_error.ok()) {
    std::fprintf(stderr, "bench-passthrough: %s\n", commit_error.ToString().c_str());
    return 1;
  }

  const bool complete = result.complete && flushed && refused == 0;
  bench::Report("passthrough", result, complete, flags, {{"acknowledged", acknowledged}, {"refused", refused}});
  return complete ? 0 : 3;
}
