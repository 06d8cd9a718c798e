// SISR ruin: remove strings of consecutive customers from routes near a
// random seed customer (Christiaens & Vanden Berghe, Transp. Sci. 2020).
#pragma once

#include <vector>

#include "routing/solver/problem.h"
#include "common/random.h"
#include "routing/solver/route_state.h"

namespace meal::routing::solver {

struct RuinParams {
  double average_removed = 10;  // c-bar: mean number of customers removed
  int max_string = 10;          // L_max: longest string
  double split_rate = 0.5;      // probability of the split-string variant
  double split_depth = 0.5;     // probability of keeping one more customer in a split string
};

// Removes strings from `s` and appends the removed requests (customers, or
// pickups standing for their pair) to `removed`; every ruined route index is
// appended to `touched` (duplicates possible). Rebuilds the ruined routes.
void RuinStrings(const Problem& p, const RuinParams& params, Solution& s, Rng& rng, std::vector<int>* removed,
                 std::vector<int>* touched);

// Removes route r entirely, appending its requests to `removed` and r to
// `touched`.
void RemoveRoute(const Problem& p, Solution& s, int r, std::vector<int>* removed, std::vector<int>* touched);

}  // namespace meal::routing::solver
