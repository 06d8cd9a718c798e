// Decides which input partitions the consumer pauses so that the records it
// has fetched but the engine has not yet applied stay bounded, however far a
// burst runs ahead of the engine.
//
// The count is what the TaskMerger buffers. Once it reaches `max_buffered`
// the consumer is engaged: every partition is paused except those the merger
// waits on (nothing buffered, end not reached). A task releases nothing until
// each of its partitions has a record or has reached its end, so pausing one
// of those could stop its task, and with it the draining, for good. They keep
// fetching until the count reaches `max_buffered + headroom`, where every
// partition holding records is paused; a partition the merger drains and
// waits on again is resumed, even while engaged. When the count falls below
// half of `max_buffered` every partition is resumed.
//
// Promise: records of paused partitions are never buffered (the consumer
// drops what librdkafka still hands out and fetches it again after the
// resume). The count rises one record at a time and above the hard limit
// only partitions with nothing buffered fetch, each pausing at its first
// record, so with P partitions assigned the merger never holds more than
//   max_buffered + headroom + P - 1
// records (a partition assigned meanwhile adds at most one more).
//
// Pure bookkeeping: GroupConsumer carries out the actions on librdkafka.
// Not thread-safe; the event loop thread owns it.
#pragma once

#include <cstddef>
#include <cstdint>
#include <functional>
#include <set>
#include <utility>
#include <vector>

#include "metrics/registry.h"

namespace meal::ingest {

class Backpressure {
 public:
  using Partition = std::pair<int, std::int32_t>;  // (topic index, partition)

  // Where the state shows; REQUIRES: every pointer non-null and outliving this.
  struct Metrics {
    metrics::Gauge* paused;         // 1 while engaged
    metrics::Counter* pauses;       // times engaged
    metrics::Gauge* buffered_peak;  // highest buffered count seen
  };

  // What the consumer must do now, each partition at most once.
  struct Actions {
    std::vector<Partition> pause;
    std::vector<Partition> resume;
    bool empty() const { return pause.empty() && resume.empty(); }
  };

  // Returns true iff the merger holds nothing of the partition and it has
  // not reached its end.
  using WaitedOn = std::function<bool(const Partition&)>;

  // REQUIRES: max_buffered >= 1. The service's headroom is one poll's worth
  // of records: enough for the partitions the merger waits on to catch up in
  // a fetch or two rather than a record per fetch.
  Backpressure(std::size_t max_buffered, std::size_t headroom, WaitedOn waited_on, Metrics metrics);

  void Assigned(const Partition& p) { assigned_.insert(p); }

  // Forgets the partition. Returns true iff it was paused: librdkafka keeps a
  // partition's pause across revocation and a later assignment, so the
  // caller resumes it before giving it up.
  bool Revoked(const Partition& p);

  // A record of an unpaused partition was buffered, the merger now holding
  // `buffered`. May engage, or pause more at the hard limit.
  Actions OnRecord(std::size_t buffered);

  // Called before each fetch with the merger's current count: releases
  // everything below half of max_buffered, and while engaged the partitions
  // the merger has drained and waits on.
  Actions Update(std::size_t buffered);

  bool engaged() const { return engaged_; }
  bool IsPaused(const Partition& p) const { return paused_.contains(p); }

 private:
  // Pauses every assigned partition the merger does not wait on.
  void PauseAllButWaitedOn(Actions* actions);

  std::size_t max_buffered_;
  std::size_t hard_limit_;
  WaitedOn waited_on_;
  Metrics metrics_;
  std::set<Partition> assigned_;
  std::set<Partition> paused_;
  bool engaged_ = false;
  std::size_t peak_ = 0;
};

}  // namespace meal::ingest
