#include "routing/reoptimize.h"

#include <algorithm>

#include "routing/live_plan.h"

namespace meal::routing {
namespace {

DurationMs Travel(const Route& r, const TravelModel& travel) {
  RouteCost cost;
  return Evaluate(r.vehicle, r.stops, travel, &cost) ? cost.travel_ms : -1;
}

constexpr std::size_t kNone = static_cast<std::size_t>(-1);

// Index of the delivery of the pickup at `p`, or kNone.
std::size_t DeliveryOf(const std::vector<Stop>& stops, std::size_t p) {
  for (std::size_t k = p + 1; k < stops.size(); ++k) {
    if (!stops[k].pickup && stops[k].job == stops[p].job) return k;
  }
  return kNone;
}

}  // namespace

ReoptimizeResult Reoptimize(std::vector<Route>& routes, const TravelModel& travel,
                            const ReoptimizeOptions& options, const std::vector<std::size_t>& frozen) {
  ReoptimizeResult result;
  result.changed.assign(routes.size(), false);
  std::vector<DurationMs> cost(routes.size());
  for (std::size_t r = 0; r < routes.size(); ++r) cost[r] = Travel(routes[r], travel);

  LivePlan plan(travel);
  for (std::size_t r = 0; r < routes.size(); ++r) plan.SetRoute(r, routes[r]);

  // Stops a courier may already be acting on: the first one by default.
  auto frozen_count = [&](std::size_t r) {
    return std::min(frozen.empty() ? std::size_t{1} : frozen[r], routes[r].stops.size());
  };
  std::int64_t evaluations = 0;
  bool improved = true;
  while (improved && evaluations < options.max_evaluations) {
    improved = false;
    for (std::size_t r = 0; r < routes.size() && evaluations < options.max_evaluations; ++r) {
      if (cost[r] < 0) continue;  // infeasible as it stands: leave it to the caller
      for (std::size_t p = frozen_count(r); p < routes[r].stops.size() && evaluations < options.max_evaluations;
           ++p) {
        const std::vector<Stop>& stops = routes[r].stops;
        if (!stops[p].pickup) continue;
        const std::size_t d = DeliveryOf(stops, p);
        if (d == kNone) continue;
        ++evaluations;

        Route without = routes[r];
        const Stop pickup = without.stops[p];
        const Stop delivery = without.stops[d];
        without.stops.erase(without.stops.begin() + static_cast<std::ptrdiff_t>(d));
        without.stops.erase(without.stops.begin() + static_cast<std::ptrdiff_t>(p));
        const DurationMs without_cost = Travel(without, travel);
        if (without_cost < 0) continue;  // removal broke something (rounding): keep it
        plan.SetRoute(r, without);
        const auto best = plan.BestInsertion(pickup, delivery);
        // Total travel falls by what removing the job saved minus its new
        // detour, whichever route that is in. Positions before a route's
        // frozen prefix would change what its courier is doing now.
        if (best) {
          const std::size_t target = best->route;
          const DurationMs saved = cost[r] - without_cost - best->added_travel_ms;
          if (saved >= options.min_gain_ms && best->pickup_pos >= frozen_count(target)) {
            Route moved = target == r ? without : routes[target];
            moved.stops = ApplyInsertion(moved, *best, pickup, delivery);
            if (target != r) {
              routes[r] = std::move(without);
              cost[r] = Travel(routes[r], travel);
              result.changed[r] = true;
              plan.SetRoute(r, routes[r]);
            }
            routes[target] = std::move(moved);
            cost[target] = Travel(routes[target], travel);
            result.changed[target] = true;
            plan.SetRoute(target, routes[target]);
            result.travel_saved_ms += saved;
            ++result.moves;
            improved = true;
            continue;
          }
        }
        plan.SetRoute(r, routes[r]);
      }
    }
  }
  return result;
}

}  // namespace meal::routing
