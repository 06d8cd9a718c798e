// A solution with cached per-route state, so that an insertion is checked in
// O(1) (VRPTW) or by one forward walk (PDPTW) instead of a route replay.
#pragma once

#include <cstdint>
#include <vector>

#include "routing/solver/problem.h"

namespace meal::routing::solver {

struct Route {
  // Depot, customers in visiting order, depot.
  std::vector<int> nodes;
  // Earliest service start at each position (fixed-point).
  std::vector<std::int64_t> start;
  // Latest service start at each position that keeps the rest of the route
  // on time (fixed-point).
  std::vector<std::int64_t> latest;
  // Sum of demands up to and including each position: the load on board
  // after it for Li & Lim; for VRPTW only the last entry (the total) matters.
  std::vector<int> load;
  double distance = 0;

  int Size() const { return static_cast<int>(nodes.size()) - 2; }
  bool Empty() const { return nodes.size() <= 2; }
  int TotalLoad() const { return load.back(); }
};

struct Solution {
  // A fixed number of slots (the fleet); empty routes use no vehicle.
  std::vector<Route> routes;
  // Per node: its route and position in Route::nodes, or -1 when unassigned.
  std::vector<int> route_of;
  std::vector<int> pos_of;
  // Requests (customers, or pickups for Li & Lim) not on any route.
  std::vector<int> unassigned;

  // Creates empty routes and marks every request unassigned.
  void Init(const Problem& p);
  // Recomputes route r's cached state and its nodes' route_of / pos_of.
  void Rebuild(const Problem& p, int r);
  // Copies route r (and the node positions on it) from `other`.
  void CopyRoute(const Solution& other, int r);

  int UsedRoutes() const;
  double Distance() const;
  // Hierarchical objective folded into one number: unassigned requests
  // first, then (kVehicles) the number of routes, then distance.
  double Cost(const Problem& p, bool count_vehicles) const;
};

}  // namespace meal::routing::solver
