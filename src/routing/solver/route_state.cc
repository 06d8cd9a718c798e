#include "routing/solver/route_state.h"

#include <algorithm>

namespace meal::routing::solver {

void Solution::Init(const Problem& p) {
  routes.assign(p.max_routes, Route{});
  for (Route& r : routes) {
    // Reserved once so that insertions never allocate in the search loop.
    const std::size_t cap = static_cast<std::size_t>(p.num_nodes) + 2;
    r.nodes.reserve(cap);
    r.start.reserve(cap);
    r.latest.reserve(cap);
    r.load.reserve(cap);
    r.nodes = {0, 0};
  }
  route_of.assign(p.num_nodes, -1);
  pos_of.assign(p.num_nodes, -1);
  unassigned = p.requests;
  for (int r = 0; r < static_cast<int>(routes.size()); ++r) Rebuild(p, r);
}

void Solution::Rebuild(const Problem& p, int r) {
  Route& rt = routes[r];
  const int m = static_cast<int>(rt.nodes.size());
  rt.start.resize(m);
  rt.latest.resize(m);
  rt.load.resize(m);
  const int* nd = rt.nodes.data();
  rt.start[0] = p.ready[0];
  rt.load[0] = 0;
  double dist = 0;
  for (int k = 1; k < m; ++k) {
    const int a = nd[k - 1];
    const int b = nd[k];
    rt.start[k] = std::max(rt.start[k - 1] + p.Travel(a, b), p.ready[b]);
    rt.load[k] = rt.load[k - 1] + p.demand[b];
    dist += p.Distance(a, b);
    route_of[b] = r;
    pos_of[b] = k;
  }
  rt.distance = dist;
  rt.latest[m - 1] = p.due[0];
  for (int k = m - 2; k >= 0; --k) {
    rt.latest[k] = std::min(p.due[nd[k]], rt.latest[k + 1] - p.Travel(nd[k], nd[k + 1]));
  }
  // The depot's own entries are meaningless as positions of node 0.
  route_of[0] = -1;
  pos_of[0] = -1;
}

void Solution::CopyRoute(const Solution& other, int r) {
  routes[r] = other.routes[r];  // capacity is kept, so no allocation
  const std::vector<int>& nd = routes[r].nodes;
  for (int k = 1; k + 1 < static_cast<int>(nd.size()); ++k) {
    route_of[nd[k]] = r;
    pos_of[nd[k]] = k;
  }
}

int Solution::UsedRoutes() const {
  int used = 0;
  for (const Route& r : routes) used += r.Empty() ? 0 : 1;
  return used;
}

double Solution::Distance() const {
  double d = 0;
  for (const Route& r : routes) d += r.distance;
  return d;
}

double Solution::Cost(const Problem& p, bool count_vehicles) const {
  double cost = Distance() + 4 * p.penalty * static_cast<double>(unassigned.size());
  if (count_vehicles) cost += p.penalty * UsedRoutes();
  return cost;
}

}  // namespace meal::routing::solver
