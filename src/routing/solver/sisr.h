// SISR ruin-and-recreate search (Christiaens & Vanden Berghe, "Slack
// Induction by String Removals for Vehicle Routing Problems", Transportation
// Science 2020): string removal, greedy insertion with blinks, simulated
// annealing; for the fleet objective, the paper's fleet-minimisation phase
// (drop a route, then push its customers back guided by absence counters)
// before the distance phase.
#pragma once

#include <cstdint>

#include "routing/solver/problem.h"
#include "routing/solver/route_state.h"
#include "routing/solver/ruin.h"

namespace meal::routing::solver {

struct SisrOptions {
  // Minimise vehicles first (fleet phase) rather than distance alone.
  // Default: false.
  bool minimise_vehicles = false;
  // Wall-clock budget. Default: 1000.
  std::int64_t budget_ms = 1000;
  // Iteration cap; when > 0 the schedule follows iterations rather than the
  // clock, so the run is reproducible for a seed. Default: 0 (clock only).
  std::int64_t max_iterations = 0;
  std::uint64_t seed = 1;
  RuinParams ruin;
  double blink = 0.01;
  // Simulated-annealing temperature, exponential from initial to final.
  double initial_temperature = 10;
  double final_temperature = 0.1;
  // minimise_vehicles only: the run is a distance phase on a free fleet, the
  // fleet-minimisation phase, then a distance phase that keeps the fleet.
  // Shares of the run of the first two (on Li & Lim 100 the fleet is
  // usually found soon after the fleet phase starts; the last phase needs
  // the most time). Defaults: 0.2, 0.2.
  double distance_first_share = 0.2;
  double fleet_share = 0.2;
  // Fleet phase: among candidates leaving out equally-absent requests, the
  // shorter wins by simulated annealing at this temperature. Default: 1.
  double fleet_temperature = 1;
  // Last phase (minimise_vehicles): a request left out costs this many times
  // the distance of serving it alone, a starting price that then adapts;
  // 0 forbids partial solutions (measured far worse). Default: 1.
  double unassigned_weight = 1;
};

// Runs the search; returns the best solution found (every servable request
// assigned when the fleet allows it; check Solution::unassigned).
Solution SolveSisr(const Problem& p, const SisrOptions& options);

}  // namespace meal::routing::solver
