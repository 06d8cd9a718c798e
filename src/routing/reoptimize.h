// Re-optimisation of a live plan: moves jobs that are not yet under way to
// where they cost less, and never touches what a courier is committed to.
#pragma once

#include <cstdint>
#include <vector>

#include "routing/route.h"
#include "routing/travel.h"

namespace meal::routing {

struct ReoptimizeOptions {
  // Candidate moves evaluated at most (a relocation tries one job against
  // every route; an exchange or a tail swap one pair), so a call's cost is
  // bounded however large the plan. Default: 256.
  std::int64_t max_evaluations = 256;
  // A move must save at least this much travel to be taken. Default: 1 s.
  DurationMs min_gain_ms = 1000;
};

struct ReoptimizeResult {
  int moves = 0;       // all kinds
  int exchanges = 0;   // of which pair exchanges
  int tail_swaps = 0;  // of which 2-opt* tail swaps
  int block_moves = 0; // of which or-opt block moves
  DurationMs travel_saved_ms = 0;
  std::vector<bool> changed;  // per route
};

// A job is movable iff its pickup and its delivery are both in the same
// route, the pickup is past the route's frozen stops, its meal is not on
// board and it is not pinned. A pinned job never leaves its route. Deliveries whose meal is on board (picked_up_at set) and every stop
// at index < `frozen[r]` stay exactly where they are, in their order, with
// their courier.
//
// Local search over four moves, first improvement, until none helps or the
// budget is spent:
//   - relocate: a movable job out of its route and back in at the cheapest
//     feasible place in any route (the exact insertion search);
//   - or-opt: a block of two to four consecutive stops holding whole jobs
//     moved elsewhere in its route;
//   - exchange: two movable jobs of different routes trade places, each at
//     its best place in its new route;
//   - 2-opt*: two routes swap their tails at cuts no job spans.
// A move is taken when the plan's lateness falls, or stays and total travel
// falls by at least min_gain_ms. Every route stays feasible; lateness never
// grows, nor travel at equal lateness. Deterministic: routes, jobs and cuts
// are visited in index order.
//
// `frozen` may be empty: then only the first stop of each route is frozen.
// Nothing is ever inserted before a route's frozen stops.
ReoptimizeResult Reoptimize(std::vector<Route>& routes, const TravelModel& travel,
                            const ReoptimizeOptions& options, const std::vector<std::size_t>& frozen = {});

}  // namespace meal::routing
