// Travel times between points for each travel mode.
#pragma once

#include <array>
#include <cstdint>

#include "common/geo.h"
#include "common/units.h"

namespace meal::routing {

enum class Mode : std::uint8_t { kWalk = 0, kBike = 1, kEbike = 2, kCar = 3 };

// Haversine distance stretched by a circuity factor (streets are not straight
// lines) at a fixed speed per mode. Deterministic: integer milliseconds.
struct TravelModel {
  // Metres per second. Default: walk 1.2, bike 3.5, e-bike 5.0, car 6.0
  // (urban car speed including parking).
  std::array<double, 4> speed_mps = {1.2, 3.5, 5.0, 6.0};
  // Default: 1.3, a common ratio of road to great-circle distance in cities.
  double circuity = 1.3;

  DurationMs TravelMs(GeoPoint from, GeoPoint to, Mode mode) const;
};

}  // namespace meal::routing
