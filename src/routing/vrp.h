// The classic benchmark problems — VRPTW (Solomon, Gehring & Homberger) and
// PDPTW (Li & Lim) — as plain data, and the solver's entry point.
// Distances are unrounded Euclidean and travel time equals distance, as the
// published best-known solutions assume.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

namespace meal::routing {

struct VrpNode {
  int id = 0;          // as in the instance file; 0 is the depot
  double x = 0;
  double y = 0;
  int demand = 0;      // Li & Lim: positive at pickups, negative at deliveries
  double ready = 0;    // time window
  double due = 0;
  double service = 0;
  int pickup = 0;      // Li & Lim, at a delivery: the id of its pickup (else 0)
  int delivery = 0;    // Li & Lim, at a pickup: the id of its delivery (else 0)
};

struct VrpInstance {
  std::string name;
  int vehicles = 0;   // fleet available
  int capacity = 0;   // per vehicle
  bool pickup_delivery = false;  // Li & Lim
  std::vector<VrpNode> nodes;    // nodes[i].id == i; nodes[0] is the depot
};

// Routes as node ids in visiting order, the depot omitted at both ends.
struct VrpSolution {
  std::vector<std::vector<int>> routes;
};

enum class VrpObjective {
  kDistance,  // total distance alone
  kVehicles,  // fewest vehicles first, then total distance
};

struct VrpSolveOptions {
  VrpObjective objective = VrpObjective::kDistance;
  std::int64_t budget_ms = 1000;  // wall-clock budget
  std::int64_t max_iterations = 0;  // 0: no limit but the budget
  std::uint64_t seed = 1;
};

// Returns a solution serving every customer exactly once within the fleet,
// capacity, time windows and (Li & Lim) pairing and precedence, when the
// search finds one; deterministic for a seed when stopped by max_iterations.
VrpSolution SolveVrp(const VrpInstance& instance, const VrpSolveOptions& options);

}  // namespace meal::routing
