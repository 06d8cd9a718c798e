#include "routing/insertion.h"

#include <algorithm>

namespace meal::routing {

void KeepBest(std::vector<Insertion>& top, const Insertion& candidate, std::size_t k) {
  const auto at = std::upper_bound(top.begin(), top.end(), candidate, Better);
  if (static_cast<std::size_t>(at - top.begin()) >= k) return;
  top.insert(at, candidate);
  if (top.size() > k) top.pop_back();
}

std::vector<Insertion> CheapestInsertions(std::span<const Route> routes, const Stop& pickup, const Stop& delivery,
                                          const TravelModel& travel, const InsertionOptions& options,
                                          std::size_t k) {
  std::vector<Insertion> top;
  std::vector<EventTimeMs> departures;
  for (std::size_t r = 0; r < routes.size(); ++r) {
    const Route& route = routes[r];
    const std::vector<Stop>& stops = route.stops;
    const std::size_t n = stops.size();
    if (!HasSkills(route.vehicle, pickup.skills | delivery.skills)) continue;
    departures.resize(n + 2);
    RouteCost base;
    if (!EvaluateSequence(
            route.vehicle, n, [&](std::size_t s) -> const Stop& { return stops[s]; }, travel, departures.data(),
            &base, nullptr)) {
      continue;
    }
    std::optional<Insertion> best;
    for (std::size_t i = 0; i <= n; ++i) {
      for (std::size_t j = i; j <= n; ++j) {
        auto at = [&](std::size_t s) -> const Stop& { return InsertedStopAt(stops, i, j, pickup, delivery, s); };
        RouteCost cost;
        if (!EvaluateSequence(route.vehicle, n + 2, at, travel, departures.data(), &cost, nullptr)) continue;
        const Insertion candidate{r,
                                  i,
                                  j + 1,
                                  std::max<std::int64_t>(0, cost.lateness - base.lateness),
                                  options.minimise_couriers && n == 0,
                                  cost.travel_ms - base.travel_ms,
                                  cost.end_ms};
        if (!best || Better(candidate, *best)) best = candidate;
      }
    }
    if (best) KeepBest(top, *best, k);
  }
  return top;
}

std::optional<Insertion> CheapestInsertion(std::span<const Route> routes, const Stop& pickup,
                                           const Stop& delivery, const TravelModel& travel,
                                           const InsertionOptions& options) {
  const std::vector<Insertion> top = CheapestInsertions(routes, pickup, delivery, travel, options, 1);
  if (top.empty()) return std::nullopt;
  return top.front();
}

std::vector<Stop> ApplyInsertion(const Route& route, const Insertion& insertion, const Stop& pickup,
                                 const Stop& delivery) {
  std::vector<Stop> out = route.stops;
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(insertion.pickup_pos), pickup);
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(insertion.delivery_pos), delivery);
  return out;
}

}  // namespace meal::routing
