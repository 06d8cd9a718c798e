// Shared by the routing tests: a fixed noon and random points around one
// city centre, so the live-plan tests draw from the same neighbourhood.
#pragma once

#include <random>

#include "common/geo.h"
#include "common/units.h"

namespace meal::routing::testing {

inline constexpr EventTimeMs kNoon = 1'795'900'000'000;
inline constexpr DurationMs kMin = 60'000;

// A point within `spread` degrees of Shenyang's centre.
inline GeoPoint Near(std::mt19937_64& rng, double spread) {
  std::uniform_real_distribution<double> d(-spread, spread);
  return {41.80 + d(rng), 123.43 + d(rng)};
}

}  // namespace meal::routing::testing
