#include "routing/travel.h"

#include <cmath>

namespace meal::routing {

DurationMs TravelModel::TravelMs(GeoPoint from, GeoPoint to, Mode mode) const {
  const double metres = HaversineM(from, to) * circuity;
  return static_cast<DurationMs>(std::ceil(metres / speed_mps[static_cast<int>(mode)] * 1000.0));
}

}  // namespace meal::routing
