#include "routing/solver/problem.h"

#include <algorithm>
#include <cmath>
#include <numeric>

namespace meal::routing::solver {

namespace {

std::int64_t CeilFixed(double t) { return static_cast<std::int64_t>(std::ceil(t * kTimeScale)); }
std::int64_t FloorFixed(double t) { return static_cast<std::int64_t>(std::floor(t * kTimeScale)); }

}  // namespace

Problem Problem::Build(const VrpInstance& instance) {
  Problem p;
  const int n = static_cast<int>(instance.nodes.size());
  p.num_nodes = n;
  p.pickup_delivery = instance.pickup_delivery;
  p.capacity = instance.capacity;
  p.max_routes = instance.vehicles > 0 ? instance.vehicles : std::max(1, n - 1);
  const std::size_t nn = static_cast<std::size_t>(n) * n;
  p.distance.resize(nn);
  p.travel.resize(nn);
  p.ready.resize(n);
  p.due.resize(n);
  p.demand.resize(n);
  p.partner.assign(n, 0);
  p.is_pickup.assign(n, 0);
  for (int i = 0; i < n; ++i) {
    const VrpNode& a = instance.nodes[i];
    p.ready[i] = CeilFixed(a.ready);
    p.due[i] = FloorFixed(a.due);
    p.demand[i] = a.demand;
    if (p.pickup_delivery && i > 0) {
      p.partner[i] = a.delivery != 0 ? a.delivery : a.pickup;
      p.is_pickup[i] = a.delivery != 0 ? 1 : 0;
    }
    // Service and travel are rounded up separately: each sum is then an upper
    // bound of the exact one.
    const std::int64_t service = CeilFixed(a.service);
    for (int j = 0; j < n; ++j) {
      const VrpNode& b = instance.nodes[j];
      const double d = std::sqrt((a.x - b.x) * (a.x - b.x) + (a.y - b.y) * (a.y - b.y));
      p.distance[static_cast<std::size_t>(i) * n + j] = d;
      p.travel[static_cast<std::size_t>(i) * n + j] = service + CeilFixed(d);
    }
  }
  p.penalty = 1;
  for (int i = 1; i < n; ++i) p.penalty += 2 * p.Distance(0, i);

  // Neighbour rows hold customers only (the string-removal seed walks them).
  p.neighbors.resize(static_cast<std::size_t>(n) * (n - 1));
  std::vector<int> order(n - 1);
  for (int c = 1; c < n; ++c) {
    std::iota(order.begin(), order.end(), 1);
    std::stable_sort(order.begin(), order.end(),
                     [&](int a, int b) { return p.Distance(c, a) < p.Distance(c, b); });
    // The seed itself comes first even when another customer shares its spot.
    auto it = std::find(order.begin(), order.end(), c);
    std::rotate(order.begin(), it, it + 1);
    std::copy(order.begin(), order.end(), p.neighbors.begin() + static_cast<std::ptrdiff_t>(c) * (n - 1));
  }

  for (int c = 1; c < n; ++c) {
    if (p.pickup_delivery && !p.is_pickup[c]) continue;
    p.requests.push_back(c);
  }
  // A request that cannot be served even alone is never inserted.
  p.servable.assign(n, 0);
  for (int c : p.requests) {
    bool ok;
    if (p.pickup_delivery) {
      const int d = p.partner[c];
      const std::int64_t sp = std::max(p.ready[0] + p.Travel(0, c), p.ready[c]);
      const std::int64_t sd = std::max(sp + p.Travel(c, d), p.ready[d]);
      ok = sp <= p.due[c] && sd <= p.due[d] && sd + p.Travel(d, 0) <= p.due[0] && p.demand[c] <= p.capacity;
    } else {
      const std::int64_t s = std::max(p.ready[0] + p.Travel(0, c), p.ready[c]);
      ok = s <= p.due[c] && s + p.Travel(c, 0) <= p.due[0] && p.demand[c] <= p.capacity;
    }
    p.servable[c] = ok ? 1 : 0;
  }
  return p;
}

}  // namespace meal::routing::solver
