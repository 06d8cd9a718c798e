// Live plans as an area has them at a lunch peak, for the routing
// benchmarks: every courier has four jobs (about 8 stops), pickups and homes
// spread at random over a 4 x 4 km district, so no courier is far from any
// order and geometry alone prunes nothing. Deterministic for a given rng.
#pragma once

#include <random>
#include <utility>
#include <vector>

#include "routing/route.h"
#include "routing/travel.h"

namespace meal::routing::bench {

inline constexpr EventTimeMs kNoon = 1'795'900'000'000;

inline GeoPoint Near(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> d(-0.02, 0.02);
  return {41.80 + d(rng), 123.43 + d(rng)};
}

// Job handles run 0..3 within each route (callers that need them unique
// across routes renumber).
inline std::vector<Route> LiveRoutes(int couriers, std::mt19937_64& rng) {
  const TravelModel travel;
  std::vector<Route> routes;
  for (int c = 0; c < couriers; ++c) {
    Route r;
    r.vehicle = {Near(rng), kNoon, kNoon + 4 * 3'600'000, 8, 0, Mode::kEbike};
    // Four jobs appended one after another, so the plan is feasible.
    for (int j = 0; j < 4; ++j) {
      Stop p{Near(rng), true, j, 1, kNoon, kNoLimit, 120'000, 0, kNotPickedUp};
      Stop d{Near(rng), false, j, -1, kNoon, kNoon + 3 * 3'600'000, 180'000, 45 * 60'000, kNotPickedUp};
      std::vector<Stop> stops = r.stops;
      stops.push_back(p);
      stops.push_back(d);
      if (Evaluate(r.vehicle, stops, travel)) r.stops = std::move(stops);
    }
    routes.push_back(std::move(r));
  }
  return routes;
}

}  // namespace meal::routing::bench
