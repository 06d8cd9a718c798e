// An independent feasibility checker for benchmark solutions (VrpSolution).
//
// Written from the problem definition (vrp.h and the benchmark README), it
// shares no code with the solver, so a bug in the solver's own feasibility
// model cannot hide behind the same bug here. It is slow on purpose: plain
// doubles, straight loops, no incremental state.
//
// Rules checked, for VRPTW (Solomon) and PDPTW (Li & Lim) alike:
//  - every route holds valid customer ids (1..n; the depot 0 is implicit at
//    both ends and may not appear inside a route);
//  - every customer is served exactly once over all routes;
//  - capacity: VRPTW, the route's total demand is at most the capacity;
//    PDPTW, the load (starting empty, plus each demand in visiting order)
//    stays within [0, capacity] all along the route;
//  - time windows: each vehicle leaves the depot at the depot's ready time,
//    travels at speed 1 (time = Euclidean distance), waits when early, and
//    must start service no later than each node's due time and be back at
//    the depot no later than the depot's due time;
//  - PDPTW: a delivery is on the same route as its pickup, after it;
//  - fleet: at most instance.vehicles non-empty routes.
#pragma once

#include <string>
#include <vector>

#include "routing/vrp.h"

namespace meal::routing {

struct CheckReport {
  bool feasible = false;                // true iff `violations` is empty
  std::vector<std::string> violations;  // one sentence each, route by route, then coverage, then fleet
  int vehicles = 0;                     // non-empty routes (an empty route uses no vehicle)
  double distance = 0;                  // sum of unrounded Euclidean legs, depot legs included
};

// Checks `solution` against `instance` and returns every violation found.
// Never throws and never aborts on bad input: out-of-range ids, a malformed
// instance (nodes[i].id != i, no depot) are reported as violations.
// A broken pickup-delivery pair is reported once, at the delivery (as
// "before its pickup" or "on another route than its pickup"); that
// delivery's demand is then left out of the route's load, so the same fault
// does not also show up as a load below zero.
// Distance and vehicles are filled even for an infeasible solution; legs to
// or from an out-of-range id are left out of the distance.
CheckReport CheckSolution(const VrpInstance& instance, const VrpSolution& solution);

}  // namespace meal::routing
