// Cheapest feasible insertion of one request (a customer, or a Li & Lim
// pickup with its delivery) into a solution, with SISR's "blinks".
#pragma once

#include <limits>

#include "routing/solver/problem.h"
#include "common/random.h"
#include "routing/solver/route_state.h"

namespace meal::routing::solver {

struct InsertionChoice {
  int route = -1;
  // The request goes after node position `after` of Route::nodes; for a pair
  // the delivery goes after original position `after2` (>= after; equal
  // means right behind the pickup).
  int after = -1;
  int after2 = -1;
  double delta = std::numeric_limits<double>::infinity();

  bool Found() const { return route >= 0; }
};

// Returns the cheapest feasible insertion of `request` over all routes of
// `s`, each candidate position skipped with probability `blink` (which
// diversifies greedy insertion at no cost). An empty route is considered only
// when `allow_new_route`. Not found when no position is feasible.
InsertionChoice BestInsertion(const Problem& p, const Solution& s, int request, bool allow_new_route,
                              double blink, Rng& rng);

// Applies `choice` (from BestInsertion on the same solution) and rebuilds the
// route's cached state.
void ApplyInsertion(const Problem& p, Solution& s, int request, const InsertionChoice& choice);

}  // namespace meal::routing::solver
