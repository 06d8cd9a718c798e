#include "routing/reoptimize.h"

#include <algorithm>
#include <optional>
#include <tuple>

#include "routing/live_plan.h"

namespace meal::routing {
namespace {

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// Index of the delivery of the pickup at `p`, or kNone.
std::size_t DeliveryOf(const std::vector<Stop>& stops, std::size_t p) {
  for (std::size_t k = p + 1; k < stops.size(); ++k) {
    if (!stops[k].pickup && stops[k].job == stops[p].job) return k;
  }
  return kNone;
}

struct Cost {
  bool feasible = false;
  std::int64_t lateness = 0;
  DurationMs travel_ms = 0;
};

Cost CostOf(const Route& r, const TravelModel& travel) {
  RouteCost c;
  if (!Evaluate(r.vehicle, r.stops, travel, &c)) return {};
  return {true, c.lateness, c.travel_ms};
}

// The state one Reoptimize call works on, and the moves it may make.
class Search {
 public:
  Search(std::vector<Route>& routes, const TravelModel& travel, const ReoptimizeOptions& options,
         const std::vector<std::size_t>& frozen)
      : routes_(routes), travel_(travel), options_(options), frozen_(frozen), plan_(travel) {
    result_.changed.assign(routes.size(), false);
    for (std::size_t r = 0; r < routes.size(); ++r) {
      cost_.push_back(CostOf(routes[r], travel));
      plan_.SetRoute(r, routes[r]);
    }
  }

  ReoptimizeResult Run() {
    bool improved = true;
    while (improved && Budget()) {
      improved = false;
      for (std::size_t r = 0; r < routes_.size() && Budget(); ++r) improved |= RelocatePass(r);
      for (std::size_t r = 0; r < routes_.size() && Budget(); ++r) improved |= BlockMovePass(r);
      for (std::size_t a = 0; a < routes_.size() && Budget(); ++a) {
        for (std::size_t b = a + 1; b < routes_.size() && Budget(); ++b) improved |= ExchangePass(a, b);
      }
      for (std::size_t a = 0; a < routes_.size() && Budget(); ++a) {
        for (std::size_t b = a + 1; b < routes_.size() && Budget(); ++b) improved |= TailSwapPass(a, b);
      }
    }
    return std::move(result_);
  }

 private:
  bool Budget() const { return evaluations_ < options_.max_evaluations; }

  // Stops a courier may already be acting on: the first one by default.
  std::size_t Frozen(std::size_t r) const {
    return std::min(frozen_.empty() ? std::size_t{1} : frozen_[r], routes_[r].stops.size());
  }

  // Whether the job whose pickup is at `p` of route r may move: both stops
  // here, past the frozen prefix, not pinned.
  std::size_t MovableDelivery(std::size_t r, std::size_t p) const {
    const std::vector<Stop>& stops = routes_[r].stops;
    if (p < Frozen(r) || !stops[p].pickup || stops[p].pinned) return kNone;
    return DeliveryOf(stops, p);
  }

  // Takes the new routes if the plan gets better: less lateness, or the same
  // lateness and at least min_gain_ms less travel.
  bool Commit(std::initializer_list<std::pair<std::size_t, Route*>> updates) {
    std::int64_t lateness_before = 0, lateness_after = 0;
    DurationMs travel_before = 0, travel_after = 0;
    std::vector<Cost> costs;
    for (const auto& [r, route] : updates) {
      const Cost c = CostOf(*route, travel_);
      if (!c.feasible) return false;
      costs.push_back(c);
      lateness_before += cost_[r].lateness;
      travel_before += cost_[r].travel_ms;
      lateness_after += c.lateness;
      travel_after += c.travel_ms;
    }
    const DurationMs saved = travel_before - travel_after;
    if (lateness_after > lateness_before) return false;
    if (lateness_after == lateness_before && saved < options_.min_gain_ms) return false;
    std::size_t k = 0;
    for (const auto& [r, route] : updates) {
      routes_[r] = std::move(*route);
      cost_[r] = costs[k++];
      result_.changed[r] = true;
      plan_.SetRoute(r, routes_[r]);
    }
    result_.travel_saved_ms += saved;
    ++result_.moves;
    return true;
  }

  // Pair relocate: each movable job of route r, out and back in at the best
  // place in any route.
  bool RelocatePass(std::size_t r) {
    bool improved = false;
    if (!cost_[r].feasible) return false;  // infeasible as it stands: leave it to the caller
    for (std::size_t p = Frozen(r); p < routes_[r].stops.size() && Budget(); ++p) {
      const std::size_t d = MovableDelivery(r, p);
      if (d == kNone) continue;
      ++evaluations_;
      Route without = routes_[r];
      const Stop pickup = without.stops[p];
      const Stop delivery = without.stops[d];
      without.stops.erase(without.stops.begin() + static_cast<std::ptrdiff_t>(d));
      without.stops.erase(without.stops.begin() + static_cast<std::ptrdiff_t>(p));
      if (!plan_.SetRoute(r, without)) {  // removal broke something (rounding): keep the job
        plan_.UndoSetRoute(r);
        continue;
      }
      const auto best = plan_.BestInsertion(pickup, delivery);
      plan_.UndoSetRoute(r);
      // Positions before a route's frozen prefix would change what its
      // courier is doing now.
      if (!best || best->pickup_pos < Frozen(best->route)) continue;
      const std::size_t target = best->route;
      if (target == r) {
        Route moved{without.vehicle, ApplyInsertion(without, *best, pickup, delivery)};
        improved |= Commit({{r, &moved}});
      } else {
        Route moved{routes_[target].vehicle, ApplyInsertion(routes_[target], *best, pickup, delivery)};
        improved |= Commit({{r, &without}, {target, &moved}});
      }
    }
    return improved;
  }

  // Or-opt: a block of two to four consecutive stops holding whole jobs
  // (say two meals collected together and dropped one after the other)
  // moved elsewhere in its route.
  bool BlockMovePass(std::size_t r) {
    if (!cost_[r].feasible) return false;
    const std::vector<Stop>& stops = routes_[r].stops;
    for (std::size_t len = 2; len <= 4; ++len) {
      for (std::size_t s = Frozen(r); s + len <= stops.size(); ++s) {
        if (!Closed(stops, s, len)) continue;
        for (std::size_t to = Frozen(r); to + len <= stops.size(); ++to) {
          if (to == s || !Budget()) continue;
          ++evaluations_;
          Route moved = routes_[r];
          std::vector<Stop> block(moved.stops.begin() + static_cast<std::ptrdiff_t>(s),
                                  moved.stops.begin() + static_cast<std::ptrdiff_t>(s + len));
          moved.stops.erase(moved.stops.begin() + static_cast<std::ptrdiff_t>(s),
                            moved.stops.begin() + static_cast<std::ptrdiff_t>(s + len));
          moved.stops.insert(moved.stops.begin() + static_cast<std::ptrdiff_t>(to), block.begin(), block.end());
          if (Commit({{r, &moved}})) {
            ++result_.block_moves;
            return true;  // positions changed: rescan later
          }
        }
      }
    }
    return false;
  }

  // Whether stops [s, s + len) hold only whole jobs not yet on board.
  static bool Closed(const std::vector<Stop>& stops, std::size_t s, std::size_t len) {
    for (std::size_t k = s; k < s + len; ++k) {
      if (stops[k].picked_up_at != kNotPickedUp) return false;
      bool partner = false;
      for (std::size_t o = s; o < s + len; ++o) {
        partner |= o != k && stops[o].job == stops[k].job && stops[o].pickup != stops[k].pickup;
      }
      if (!partner) return false;
    }
    return true;
  }

  // The best place for a job in one route, at or after position `from`.
  std::optional<Route> InsertInto(const Route& route, std::size_t from, const Stop& pickup,
                                  const Stop& delivery) const {
    const std::vector<Route> one = {route};
    std::optional<Insertion> best;
    std::vector<EventTimeMs> departures(route.stops.size() + 2);
    for (std::size_t i = from; i <= route.stops.size(); ++i) {
      for (std::size_t j = i; j <= route.stops.size(); ++j) {
        auto at = [&](std::size_t k) -> const Stop& { return InsertedStopAt(route.stops, i, j, pickup, delivery, k); };
        RouteCost cost;
        if (!EvaluateSequence(route.vehicle, route.stops.size() + 2, at, travel_, departures.data(), &cost, nullptr)) {
          continue;
        }
        const Insertion candidate{0, i, j + 1, cost.lateness, false, cost.travel_ms, cost.end_ms};
        if (!best || Better(candidate, *best)) best = candidate;
      }
    }
    if (!best) return std::nullopt;
    return Route{route.vehicle, ApplyInsertion(route, *best, pickup, delivery)};
  }

  // Pair exchange: a movable job of route a and one of route b trade places,
  // each put in the best place of its new route.
  bool ExchangePass(std::size_t a, std::size_t b) {
    if (!cost_[a].feasible || !cost_[b].feasible) return false;
    for (std::size_t pa = Frozen(a); pa < routes_[a].stops.size() && Budget(); ++pa) {
      const std::size_t da = MovableDelivery(a, pa);
      if (da == kNone) continue;
      for (std::size_t pb = Frozen(b); pb < routes_[b].stops.size() && Budget(); ++pb) {
        const std::size_t db = MovableDelivery(b, pb);
        if (db == kNone) continue;
        ++evaluations_;
        Route ra = routes_[a], rb = routes_[b];
        const Stop job_a[2] = {ra.stops[pa], ra.stops[da]};
        const Stop job_b[2] = {rb.stops[pb], rb.stops[db]};
        ra.stops.erase(ra.stops.begin() + static_cast<std::ptrdiff_t>(da));
        ra.stops.erase(ra.stops.begin() + static_cast<std::ptrdiff_t>(pa));
        rb.stops.erase(rb.stops.begin() + static_cast<std::ptrdiff_t>(db));
        rb.stops.erase(rb.stops.begin() + static_cast<std::ptrdiff_t>(pb));
        std::optional<Route> new_a = InsertInto(ra, Frozen(a), job_b[0], job_b[1]);
        if (!new_a) continue;
        std::optional<Route> new_b = InsertInto(rb, Frozen(b), job_a[0], job_a[1]);
        if (!new_b) continue;
        if (Commit({{a, &*new_a}, {b, &*new_b}})) {
          ++result_.exchanges;
          return true;  // positions changed: rescan later
        }
      }
    }
    return false;
  }

  // Where route r may be cut for 2-opt*: past its frozen prefix, no job
  // open across the cut, no meal already on board and no pinned job in the
  // tail.
  std::vector<std::size_t> Cuts(std::size_t r) const {
    const std::vector<Stop>& stops = routes_[r].stops;
    std::vector<std::size_t> cuts;
    std::vector<bool> tail_ok(stops.size() + 1, true);
    for (std::size_t k = stops.size(); k-- > 0;) {
      tail_ok[k] = tail_ok[k + 1] && stops[k].picked_up_at == kNotPickedUp && !stops[k].pinned;
    }
    std::int64_t open = 0;
    for (std::size_t c = 0; c <= stops.size(); ++c) {
      if (c >= Frozen(r) && open == 0 && tail_ok[c]) cuts.push_back(c);
      if (c < stops.size() && stops[c].picked_up_at == kNotPickedUp) open += stops[c].pickup ? 1 : -1;
    }
    return cuts;
  }

  // 2-opt*: routes a and b swap tails at cuts where no job spans the cut.
  bool TailSwapPass(std::size_t a, std::size_t b) {
    if (!cost_[a].feasible || !cost_[b].feasible) return false;
    const std::vector<std::size_t> cuts_a = Cuts(a), cuts_b = Cuts(b);
    const std::vector<Stop>& sa = routes_[a].stops;
    const std::vector<Stop>& sb = routes_[b].stops;
    for (std::size_t ca : cuts_a) {
      for (std::size_t cb : cuts_b) {
        if (!Budget()) return false;
        if (ca == sa.size() && cb == sb.size()) continue;  // both tails empty
        if (ca == Frozen(a) && cb == Frozen(b)) continue;  // whole plans swapped: a relabelling
        ++evaluations_;
        Route na{routes_[a].vehicle, {sa.begin(), sa.begin() + static_cast<std::ptrdiff_t>(ca)}};
        Route nb{routes_[b].vehicle, {sb.begin(), sb.begin() + static_cast<std::ptrdiff_t>(cb)}};
        na.stops.insert(na.stops.end(), sb.begin() + static_cast<std::ptrdiff_t>(cb), sb.end());
        nb.stops.insert(nb.stops.end(), sa.begin() + static_cast<std::ptrdiff_t>(ca), sa.end());
        if (Commit({{a, &na}, {b, &nb}})) {
          ++result_.tail_swaps;
          return true;
        }
      }
    }
    return false;
  }

  std::vector<Route>& routes_;
  const TravelModel& travel_;
  const ReoptimizeOptions& options_;
  const std::vector<std::size_t>& frozen_;
  LivePlan plan_;
  std::vector<Cost> cost_;
  std::int64_t evaluations_ = 0;
  ReoptimizeResult result_;
};

}  // namespace

ReoptimizeResult Reoptimize(std::vector<Route>& routes, const TravelModel& travel, const ReoptimizeOptions& options,
                            const std::vector<std::size_t>& frozen) {
  return Search(routes, travel, options, frozen).Run();
}

}  // namespace meal::routing
