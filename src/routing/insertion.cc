#include "routing/insertion.h"

#include <tuple>

namespace meal::routing {

std::optional<Insertion> CheapestInsertion(std::span<const Route> routes, const Stop& pickup,
                                           const Stop& delivery, const TravelModel& travel) {
  std::optional<Insertion> best;
  std::vector<EventTimeMs> departures;
  for (std::size_t r = 0; r < routes.size(); ++r) {
    const Route& route = routes[r];
    const std::vector<Stop>& stops = route.stops;
    const std::size_t n = stops.size();
    departures.resize(n + 2);
    RouteCost base;
    if (!EvaluateSequence(
            route.vehicle, n, [&](std::size_t k) -> const Stop& { return stops[k]; }, travel,
            departures.data(), &base, nullptr)) {
      continue;
    }
    for (std::size_t i = 0; i <= n; ++i) {
      for (std::size_t j = i; j <= n; ++j) {
        // New sequence: stops[0..i) P stops[i..j) D stops[j..n)
        auto at = [&](std::size_t k) -> const Stop& {
          if (k < i) return stops[k];
          if (k == i) return pickup;
          if (k <= j) return stops[k - 1];
          if (k == j + 1) return delivery;
          return stops[k - 2];
        };
        RouteCost cost;
        if (!EvaluateSequence(route.vehicle, n + 2, at, travel, departures.data(), &cost,
                              nullptr)) {
          continue;
        }
        Insertion candidate{r, i, j + 1, cost.travel_ms - base.travel_ms, cost.end_ms};
        if (!best || std::tie(candidate.added_travel_ms, candidate.end_ms) <
                         std::tie(best->added_travel_ms, best->end_ms)) {
          best = candidate;
        }
      }
    }
  }
  return best;
}

std::vector<Stop> ApplyInsertion(const Route& route, const Insertion& insertion, const Stop& pickup,
                                 const Stop& delivery) {
  std::vector<Stop> out = route.stops;
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(insertion.pickup_pos), pickup);
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(insertion.delivery_pos), delivery);
  return out;
}

}  // namespace meal::routing
