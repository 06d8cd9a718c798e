// Outputs travel through the state store and leave in Kafka transactions,
// so that a read_committed reader sees each exactly once whatever instant
// the process dies at (the protocol and its crash windows:
// docs/reliability.md).
//
//   1. An output is numbered (its outbox sequence) and committed to RocksDB
//      with the state change and input offsets that caused it.
//   2. After that commit it is produced inside the open Kafka transaction.
//   3. At most every commit interval the transaction commits together with
//      a mark: the offset of the instance's own marker group on the marker
//      partition is set to the next sequence not yet published. The mark
//      commits atomically with the outputs.
//   4. The outputs below the mark are deleted from the store by a later
//      state commit.
//
// On start-up (Recover), after InitTransactions has fenced and finished
// whatever the previous run left open, the mark says which outputs still in
// the store are already published (dropped) and which are not. Of those, an
// area task's are held back (key family y/) until the service knows the task
// is still this instance's and its changelog has not moved on without them
// (TakeHeld); the others are published again, in order.
//
// Not thread-safe: the event loop owns it; delivery reports arrive through
// the producer's Poll on the same thread.
#pragma once

#include <chrono>
#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "codec/state_codec.h"
#include "kafka/producer.h"
#include "metrics/registry.h"
#include "state/store.h"

namespace meal::service {

// The header naming the instance that produced a record.
inline constexpr std::string_view kWriterHeader = "writer";

struct OutboxOptions {
  // The group whose offset on (marker_topic, partition 0) is the mark; one
  // per instance, as is the producer's transactional.id.
  std::string marker_group;
  std::string marker_topic;
  // Every record carries it in a "writer" header (service/changelog.h).
  std::string writer;
  // Longest time an output waits in an open transaction.
  std::chrono::milliseconds commit_interval{100};
  int txn_timeout_ms = 30000;
  metrics::Counter* acknowledged = nullptr;   // outputs in committed transactions
  metrics::Counter* committed_txns = nullptr;
  metrics::Counter* aborted_txns = nullptr;
};

class Outbox {
 public:
  // `producer` must be transactional, with InitTransactions done.
  Outbox(kafka::Producer* producer, OutboxOptions options);

  // Reads the outputs an earlier run left in `store` and, against the mark,
  // keeps those not yet published: an area task's are moved to the held
  // family (committed to `store` at once), the others wait for the next
  // Publish.
  Status Recover(state::Store& store, const kafka::Properties& props);

  // The held outputs of `task`, in order, no longer held: the next state
  // commit deletes them from the store. The caller adds them again, or
  // drops them.
  std::vector<codec::OutboxEntry> TakeHeld(std::int32_t task);
  // Tasks with held outputs.
  std::vector<std::int32_t> HeldTasks() const;

  // Queues an output for the next state commit.
  void Add(codec::OutboxEntry entry);

  // Adds the queued outputs, and the deletion of published ones, to the
  // state commit being prepared.
  void Stage(state::WriteSet* changes);

  // After that state commit: produces what it staged (and anything an
  // aborted transaction lost) in the open transaction, and commits the
  // transaction when it is older than the commit interval or `force`.
  // Fails only when the producer is unusable (fenced by a newer instance
  // with the same instance id): the service must stop.
  Status Publish(bool force = false);

  // The producer's delivery report: a refused record aborts its transaction.
  void OnDelivery(std::uint64_t seq, rd_kafka_resp_err_t err);

  // Outputs staged, or in the store and not yet in a committed transaction.
  std::size_t pending() const { return staged_.size() + unpublished_.size(); }
  // Published or taken outputs whose deletion from the store is not
  // committed yet.
  bool HasDeletions() const { return !published_.empty() || !unheld_.empty(); }

 private:
  using Clock = std::chrono::steady_clock;
  Status CommitTransaction();
  // The transaction failed: abort it; its outputs go out in the next one.
  Status AbortTransaction(const std::string& why);

  kafka::Producer* producer_;
  OutboxOptions options_;
  std::uint64_t next_seq_ = 0;
  std::vector<std::pair<std::uint64_t, codec::OutboxEntry>> queued_;  // not yet staged
  std::vector<std::pair<std::uint64_t, codec::OutboxEntry>> staged_;  // in the state commit under way
  // In the store, not yet in a committed transaction; those below
  // produce_from_ are in the open one.
  std::map<std::uint64_t, codec::OutboxEntry> unpublished_;
  std::uint64_t produce_from_ = 0;
  bool txn_open_ = false;
  bool txn_failed_ = false;     // a record of the open transaction was refused
  bool commit_pending_ = false;  // a commit was tried and is to be tried again
  bool mark_sent_ = false;       // the mark is in the open transaction
  Clock::time_point txn_started_;
  std::vector<std::uint64_t> published_;  // to delete from the store
  std::map<std::int32_t, std::vector<std::pair<std::uint64_t, codec::OutboxEntry>>> held_;  // by task
  std::vector<std::uint64_t> unheld_;  // held keys to delete from the store
};

}  // namespace meal::service
