// Inserting many jobs at once into a live plan by regret: the job that
// would lose most by waiting goes first.
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "routing/insertion.h"
#include "routing/job.h"
#include "routing/live_plan.h"

namespace meal::routing {

struct BatchOptions {
  // Regret over the k best routes: Σ (h-th best − best) for h = 2..k. A job
  // with fewer than k routes left that can take it goes before any job with
  // more. 1 is plain greedy insertion, the cheapest job first. Default: 3.
  std::size_t regret_k = 3;
};

struct Placement {
  std::size_t job = 0;     // index into the jobs given
  Insertion insertion;     // positions as in the route at the time it was applied
};

struct BatchResult {
  std::vector<Placement> placed;   // in the order applied
  std::vector<std::size_t> unplaced;  // job indices, ascending
};

// Repeatedly takes, among the jobs not yet placed, the one of highest
// priority and then greatest regret (ties: lower index) and applies its best
// insertion to `plan` (LivePlan::SetRoute), until every job is placed or no
// route can take any of the rest. Insertions are evaluated exactly
// (LivePlan::BestInsertions), so every route stays feasible. Deterministic.
// Cost: jobs · BestInsertions to start, then per placement a search of the
// changed route for each job left (in full for the few that had it among
// their k best).
BatchResult InsertJobs(LivePlan& plan, std::span<const Job> jobs, const BatchOptions& options);

}  // namespace meal::routing
