#include "routing/vrp.h"

#include "routing/solver/problem.h"
#include "routing/solver/sisr.h"

namespace meal::routing {

VrpSolution SolveVrp(const VrpInstance& instance, const VrpSolveOptions& options) {
  VrpSolution out;
  if (instance.nodes.size() < 2) return out;
  const solver::Problem problem = solver::Problem::Build(instance);
  solver::SisrOptions sisr;
  sisr.minimise_vehicles = options.objective == VrpObjective::kVehicles;
  sisr.budget_ms = options.budget_ms;
  sisr.max_iterations = options.max_iterations;
  sisr.seed = options.seed;
  if (problem.pickup_delivery) {
    // A removed customer takes its partner along, so half the strings give
    // the same amount of ruin.
    sisr.ruin.average_removed = 5;
  }
  const solver::Solution best = solver::SolveSisr(problem, sisr);
  for (const solver::Route& route : best.routes) {
    if (route.Empty()) continue;
    out.routes.emplace_back(route.nodes.begin() + 1, route.nodes.end() - 1);
  }
  return out;
}

}  // namespace meal::routing
