// Plays the operators at the dispatch console: when a wellness check opens
// (nobody answered an elder's door), someone phones round and, some minutes
// later, acknowledges the case as the elder safe. The delay is drawn from the
// case id, so some cases escalate a step or two before they are closed.
// Pure logic on a simulated clock; the caller moves records to and from Kafka.
//
// Not thread-safe. Deterministic: the same calls with the same arguments give
// byte-identical records.
#pragma once

#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "common/units.h"
#include "mealdispatch/v1/outputs.pb.h"
#include "sim/sim_record.h"

namespace meal::sim {

struct DeskOptions {
  // Seeds the delays and event ids. Default: 42.
  std::uint64_t seed = 42;
  // A case is acknowledged this long after its first alert, drawn uniformly
  // (whole minutes) per case. The service's steps last 10, 15, 30 and 60
  // minutes, so with the defaults about a fifth of the cases close at step
  // one and the rest after one or two escalations. Default: 4 and 40 minutes.
  DurationMs min_delay_ms = 4 * kMinuteMs;
  DurationMs max_delay_ms = 40 * kMinuteMs;
  // Who acknowledges, as the audit trail records it. Default: "sim-operator".
  std::string actor = "sim-operator";
  Topics topics;
};

class OperatorDesk {
 public:
  explicit OperatorDesk(DeskOptions options);

  // Takes one alert the service published. The first WELLNESS_CHECK of a case
  // schedules its acknowledgement; every other alert is ignored. Returns true
  // iff it scheduled one.
  bool OnAlert(const ::mealdispatch::v1::Alert& alert);

  // Moves the clock to `now_ms` and returns the acknowledgements due by then
  // (AcknowledgeWellness, outcome ELDER_SAFE, on the commands topic), in time
  // order, ties by case id. One that fell due before the clock (its alert
  // came late) is stamped with the clock.
  // REQUIRES: now_ms not before the previous call's.
  std::vector<SimRecord> Advance(EventTimeMs now_ms);

  // The earliest time an acknowledgement is due, or the max EventTimeMs.
  EventTimeMs NextDueMs() const;
  // Cases acknowledged so far.
  std::int64_t acknowledged() const { return acknowledged_; }

 private:
  DeskOptions options_;
  std::set<std::string> seen_cases_;
  std::map<std::pair<EventTimeMs, std::string>, std::string> due_;  // (due time, case id) -> area id
  EventTimeMs clock_ms_ = std::numeric_limits<EventTimeMs>::min();
  std::int64_t event_seq_ = 0;
  std::int64_t acknowledged_ = 0;
};

}  // namespace meal::sim
