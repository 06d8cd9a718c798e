#include "routing/solver/insertion.h"

#include <algorithm>

namespace meal::routing::solver {

namespace {

// Blinks are drawn only when a position would become the best one: skipping
// a position that would not win anyway changes nothing, so this is the
// paper's rule at a fraction of the random draws.
inline bool Keep(double blink, Rng& rng) { return blink <= 0 || rng.Unit() >= blink; }

void BestSingleInRoute(const Problem& p, const Route& rt, int r, int c, double blink, Rng& rng,
                       InsertionChoice* best) {
  if (rt.TotalLoad() + p.demand[c] > p.capacity) return;
  const int* nd = rt.nodes.data();
  const std::int64_t* start = rt.start.data();
  const std::int64_t* latest = rt.latest.data();
  const std::int64_t ready_c = p.ready[c];
  const std::int64_t due_c = p.due[c];
  const int last = static_cast<int>(rt.nodes.size()) - 1;
  for (int k = 0; k < last; ++k) {
    const int a = nd[k];
    const int b = nd[k + 1];
    const std::int64_t arrive = start[k] + p.Travel(a, c);
    // Arrival at c only grows along the route (triangle inequality), so no
    // later position can make it in time either.
    if (arrive > due_c) break;
    const std::int64_t begin = std::max(arrive, ready_c);
    if (begin + p.Travel(c, b) > latest[k + 1]) continue;
    const double delta = p.Distance(a, c) + p.Distance(c, b) - p.Distance(a, b);
    if (delta < best->delta && Keep(blink, rng)) *best = {r, k, k, delta};
  }
}

void BestPairInRoute(const Problem& p, const Route& rt, int r, int pu, double blink, Rng& rng,
                     InsertionChoice* best) {
  const int de = p.partner[pu];
  const int q = p.demand[pu];
  const int* nd = rt.nodes.data();
  const std::int64_t* start = rt.start.data();
  const std::int64_t* latest = rt.latest.data();
  const int* load = rt.load.data();
  const std::int64_t ready_p = p.ready[pu], due_p = p.due[pu];
  const std::int64_t ready_d = p.ready[de], due_d = p.due[de];
  const std::int64_t travel_pd = p.Travel(pu, de);
  const double dist_pd = p.Distance(pu, de);
  const int last = static_cast<int>(rt.nodes.size()) - 1;
  for (int a = 0; a < last; ++a) {
    const int na = nd[a];
    const std::int64_t arrive_p = start[a] + p.Travel(na, pu);
    if (arrive_p > due_p) break;
    if (load[a] + q > p.capacity) continue;
    const std::int64_t begin_p = std::max(arrive_p, ready_p);
    const int nb = nd[a + 1];
    // Delivery right behind the pickup.
    {
      const std::int64_t begin_d = std::max(begin_p + travel_pd, ready_d);
      if (begin_d <= due_d && begin_d + p.Travel(de, nb) <= latest[a + 1]) {
        const double delta = p.Distance(na, pu) + dist_pd + p.Distance(de, nb) - p.Distance(na, nb);
        if (delta < best->delta && Keep(blink, rng)) *best = {r, a, a, delta};
      }
    }
    if (a + 1 == last) continue;
    // Pickup, then original nodes a+1..b, then the delivery: walk b forward
    // carrying the shifted service start `t` at node b.
    std::int64_t t = std::max(begin_p + p.Travel(pu, nb), p.ready[nb]);
    // Past latest[b] the original tail is already late; adding the delivery
    // only adds time (triangle inequality).
    if (t > latest[a + 1] || load[a + 1] + q > p.capacity) continue;
    const double pick_delta = p.Distance(na, pu) + p.Distance(pu, nb) - p.Distance(na, nb);
    if (pick_delta >= best->delta) continue;  // a delivery detour is never negative
    for (int b = a + 1; b < last; ++b) {
      const int x = nd[b];
      const int y = nd[b + 1];
      const std::int64_t arrive_d = t + p.Travel(x, de);
      if (arrive_d > due_d) break;
      const std::int64_t begin_d = std::max(arrive_d, ready_d);
      if (begin_d + p.Travel(de, y) <= latest[b + 1]) {
        const double delta = pick_delta + p.Distance(x, de) + p.Distance(de, y) - p.Distance(x, y);
        if (delta < best->delta && Keep(blink, rng)) *best = {r, a, b, delta};
      }
      if (b + 1 == last) break;
      t = std::max(t + p.Travel(x, y), p.ready[y]);
      if (t > latest[b + 1] || load[b + 1] + q > p.capacity) break;
    }
  }
}

}  // namespace

InsertionChoice BestInsertion(const Problem& p, const Solution& s, int request, bool allow_new_route,
                              double blink, Rng& rng) {
  InsertionChoice best;
  bool empty_seen = false;
  const int num_routes = static_cast<int>(s.routes.size());
  for (int r = 0; r < num_routes; ++r) {
    const Route& rt = s.routes[r];
    if (rt.Empty()) {
      // All empty routes are alike; one of them stands for all.
      if (!allow_new_route || empty_seen) continue;
      empty_seen = true;
    }
    if (p.pickup_delivery) {
      BestPairInRoute(p, rt, r, request, blink, rng, &best);
    } else {
      BestSingleInRoute(p, rt, r, request, blink, rng, &best);
    }
  }
  return best;
}

void ApplyInsertion(const Problem& p, Solution& s, int request, const InsertionChoice& choice) {
  std::vector<int>& nodes = s.routes[choice.route].nodes;
  nodes.insert(nodes.begin() + choice.after + 1, request);
  if (p.pickup_delivery) {
    // The pickup shifted the original node `after2` to after2 + 1.
    nodes.insert(nodes.begin() + choice.after2 + 2, p.partner[request]);
  }
  s.Rebuild(p, choice.route);
}

}  // namespace meal::routing::solver
