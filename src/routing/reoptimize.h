// Re-optimisation of a live plan: moves jobs that are not yet under way to
// where they cost less, and never touches what a courier is committed to.
#pragma once

#include <cstdint>
#include <vector>

#include "routing/route.h"
#include "routing/travel.h"

namespace meal::routing {

struct ReoptimizeOptions {
  // Candidate moves evaluated at most (each is one job tried against every
  // route), so a call's cost is bounded however large the plan. Default: 256.
  std::int64_t max_evaluations = 256;
  // A move must save at least this much travel to be taken. Default: 1 s.
  DurationMs min_gain_ms = 1000;
};

struct ReoptimizeResult {
  int moves = 0;
  DurationMs travel_saved_ms = 0;
  std::vector<bool> changed;  // per route
};

// A job is movable iff its pickup and its delivery are both in the same
// route, the pickup is not the route's first stop (the courier may already be
// on the way there), and neither stop is marked committed. Deliveries whose
// meal is on board (picked_up_at set) and every stop at index < `frozen[r]`
// stay exactly where they are, in their order.
//
// Repeatedly takes a movable job out of its route and puts it back at the
// cheapest feasible place in any route (the exhaustive insertion), when that
// saves at least min_gain_ms of total travel. Every route stays feasible;
// total travel never grows. Deterministic: routes and jobs are visited in
// index order.
//
// `frozen` may be empty: then only the first stop of each route is frozen.
// Nothing is ever inserted before a route's frozen stops.
ReoptimizeResult Reoptimize(std::vector<Route>& routes, const TravelModel& travel,
                            const ReoptimizeOptions& options, const std::vector<std::size_t>& frozen = {});

}  // namespace meal::routing
