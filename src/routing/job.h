// A job: one pickup and its delivery, possibly for several orders at once.
#pragma once

#include <cstdint>
#include <optional>

#include "routing/route.h"

namespace meal::routing {

struct Job {
  Stop pickup;
  Stop delivery;
  // Higher goes first, whatever the regret: under scarcity the plan serves
  // the most vulnerable before the rest. Default: 0.
  std::int32_t priority = 0;
};

// Orders for one door in one window — a hub household, several elders fed
// together — as one job: one pickup of all the meals, one delivery, one
// stop's worth of travel. Both must share the pickup place and the delivery
// place, neither be on board yet, and their windows (single ones) overlap;
// else nullopt. The result takes a's job handle, the sum of the loads, the
// longer service time plus `extra_service_ms` for the second handover, the
// intersection of the windows, the tighter ride limit and due time, the sum
// of the lateness weights, every skill either needs and the higher priority.
std::optional<Job> CombineJobs(const Job& a, const Job& b, DurationMs extra_service_ms);

}  // namespace meal::routing
