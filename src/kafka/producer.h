// An idempotent librdkafka producer with per-record delivery callbacks and,
// when its properties hold a transactional.id, Kafka transactions.
// Not thread-safe: one owner thread calls every method.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "kafka/client_config.h"

namespace meal::kafka {

// Called from Poll()/Flush() on the owner thread once the broker has
// acknowledged (err == NO_ERROR) or finally rejected the record.
using DeliveryCallback = std::function<void(std::uint64_t tag, rd_kafka_resp_err_t err)>;

// What a transactional call's failure asks of the caller.
enum class TxnOutcome {
  kOk,
  kRetry,  // call it again
  kAbort,  // abort the transaction, then produce its records again in a new one
  kFatal,  // the producer is unusable (e.g. fenced by a newer instance)
};
struct TxnResult {
  TxnOutcome outcome = TxnOutcome::kOk;
  std::string message;
  bool ok() const { return outcome == TxnOutcome::kOk; }
};

struct Header {
  std::string_view name;
  std::string_view value;
};

struct GroupOffset {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
};

class Producer {
 public:
  // `props` must contain bootstrap.servers; idempotence, acks=all and a short
  // linger are set unless given. Throws std::runtime_error on bad config.
  Producer(const Properties& props, DeliveryCallback on_delivery);
  ~Producer();
  Producer(const Producer&) = delete;
  Producer& operator=(const Producer&) = delete;

  // Queues one record. `timestamp_ms` becomes the record's CreateTime (we set
  // it to the event time, so readers can order by it). A null `value`
  // (std::string_view{}) is a tombstone for a compacted topic. partition < 0 lets the
  // default partitioner hash the key. Blocks (polling) while the local queue is
  // full. Returns the error if the record cannot be queued at all.
  rd_kafka_resp_err_t Produce(std::string_view topic, std::string_view key,
                              std::string_view value, std::int64_t timestamp_ms,
                              std::uint64_t tag, std::int32_t partition = -1,
                              std::span<const Header> headers = {});

  // Serves delivery callbacks without blocking longer than timeout_ms.
  void Poll(int timeout_ms = 0);
  // Waits for every queued record; returns false on timeout.
  bool Flush(int timeout_ms);

  // Transactions: InitTransactions once (it fences and finishes any
  // transaction an earlier producer of the same transactional.id left
  // open), then Begin, Produce…, SendOffsets, Commit (or Abort).
  TxnResult InitTransactions(int timeout_ms);
  TxnResult BeginTransaction();
  // Commits `offsets` for consumer group `group` with the transaction.
  TxnResult SendOffsets(const std::string& group, const std::vector<GroupOffset>& offsets, int timeout_ms);
  TxnResult CommitTransaction(int timeout_ms);
  TxnResult AbortTransaction(int timeout_ms);

  rd_kafka_t* handle() { return rk_.get(); }

 private:
  static void OnDelivery(rd_kafka_t*, const rd_kafka_message_t* msg, void* opaque);
  HandlePtr rk_;
  DeliveryCallback on_delivery_;
};

}  // namespace meal::kafka
