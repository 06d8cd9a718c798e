// The solver's view of a VrpInstance: dense matrices and fixed-point times.
//
// Costs stay in double (the benchmarks score unrounded Euclidean distance),
// but every feasibility check runs on integer times in units of
// 1 / kTimeScale: travel and service times are rounded up and due dates down,
// so a route judged feasible here is feasible in exact arithmetic. The error
// is at most 1e-6 per arc, far below any slack that matters.
#pragma once

#include <cstdint>
#include <vector>

#include "routing/vrp.h"

namespace meal::routing::solver {

inline constexpr double kTimeScale = 1e6;

struct Problem {
  int num_nodes = 0;  // depot (0) plus customers / tasks
  bool pickup_delivery = false;
  int capacity = 0;
  int max_routes = 0;  // fleet size, >= 1
  std::vector<double> distance;        // num_nodes^2, row-major
  std::vector<std::int64_t> travel;    // service at `from` + travel, fixed-point, rounded up
  std::vector<std::int64_t> ready;     // fixed-point, rounded up
  std::vector<std::int64_t> due;       // fixed-point, rounded down
  std::vector<int> demand;             // signed for Li & Lim
  std::vector<int> partner;            // Li & Lim: the other task of the pair; else 0
  std::vector<char> is_pickup;         // Li & Lim: 1 at pickups
  std::vector<int> neighbors;          // row c: customers by distance from c, c first
  std::vector<int> requests;           // what is inserted: customers, or pickups (PDPTW)
  std::vector<char> servable;          // per request: fits alone on a route
  double penalty = 0;  // exceeds the distance of any solution (triangle inequality)

  double Distance(int a, int b) const { return distance[static_cast<std::size_t>(a) * num_nodes + b]; }
  std::int64_t Travel(int a, int b) const { return travel[static_cast<std::size_t>(a) * num_nodes + b]; }
  const int* Neighbors(int c) const { return &neighbors[static_cast<std::size_t>(c) * (num_nodes - 1)]; }
  int NumCustomers() const { return num_nodes - 1; }
  bool IsPickup(int c) const { return is_pickup[c] != 0; }

  // Builds the model. REQUIRES: instance.nodes[i].id == i, nodes[0] the depot.
  static Problem Build(const VrpInstance& instance);
};

}  // namespace meal::routing::solver
