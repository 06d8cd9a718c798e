// Outputs travel through the state store: they commit in the same batch as
// the state change and input offsets that caused them, are produced after
// the commit, and are deleted once the broker acknowledges them. After a
// crash, whatever is still in the outbox is produced again, so no output is
// lost (at least once; duplicates only after a crash).
//
// Not thread-safe: the event loop owns it; delivery callbacks arrive through
// the producer's Poll on the same thread.
#pragma once

#include <cstdint>
#include <map>
#include <vector>

#include "codec/state_codec.h"
#include "kafka/producer.h"
#include "metrics/registry.h"
#include "state/store.h"

namespace meal::service {

class Outbox {
 public:
  // `acknowledged` and `retried` count outputs the broker took and outputs
  // produced again after a failed delivery.
  Outbox(kafka::Producer* producer, metrics::Counter* acknowledged, metrics::Counter* retried)
      : producer_(producer), acknowledged_total_(acknowledged), retries_total_(retried) {}

  // Reads entries left by an earlier run; they are produced by the next Publish.
  Status Recover(const state::Store& store);

  // Queues an output for the next commit.
  void Add(codec::OutboxEntry entry);

  // Adds the queued outputs and the deletions of acknowledged ones to `changes`.
  void Stage(state::WriteSet* changes);

  // After the commit succeeded: produces what was staged.
  void Publish();

  // The producer's delivery report for `seq`.
  void OnDelivery(std::uint64_t seq, rd_kafka_resp_err_t err);

  // Outputs staged or produced but not yet acknowledged.
  // Acknowledgements whose deletion has not been committed yet.
  bool HasAcknowledged() const { return !acknowledged_.empty(); }
  std::size_t pending() const { return staged_.size() + in_flight_.size(); }

 private:
  kafka::Producer* producer_;
  std::uint64_t next_seq_ = 0;
  std::vector<std::pair<std::uint64_t, codec::OutboxEntry>> queued_;  // not yet staged
  std::vector<std::pair<std::uint64_t, codec::OutboxEntry>> staged_;  // in the batch being committed
  std::map<std::uint64_t, codec::OutboxEntry> in_flight_;
  std::vector<std::uint64_t> acknowledged_;  // to delete from the store
  std::vector<std::uint64_t> failed_;        // to produce again
  metrics::Counter* acknowledged_total_;
  metrics::Counter* retries_total_;
};

}  // namespace meal::service
