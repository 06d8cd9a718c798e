// Travel times between points for each travel mode.
#pragma once

#include <array>
#include <cstdint>

#include "common/geo.h"
#include "common/units.h"

namespace meal::routing {

enum class Mode : std::uint8_t { kWalk = 0, kBike = 1, kEbike = 2, kCar = 3 };

// A point as a unit vector from the Earth's centre: the great-circle
// (haversine) distance between two of them needs one square root and no
// trigonometry, so hot loops convert each point once.
struct Place {
  double x = 0;
  double y = 0;
  double z = 0;
};
Place ToPlace(GeoPoint p);
// 2·asin(chord/2), for chords of kNearChord and more.
double AngleRadFar(double chord);
inline constexpr double kNearChord = 0.01;
// A product, not a division: the insertion search evaluates the series for
// every stop, and a division costs several multiplications.
inline constexpr double kInv24 = 1.0 / 24.0;

// Central angle between two places, in radians. Inline: the insertion search
// computes it for every stop of every route.
inline double AngleRad(const Place& a, const Place& b) {
  const double dx = a.x - b.x;
  const double dy = a.y - b.y;
  const double dz = a.z - b.z;
  const double chord = __builtin_sqrt(dx * dx + dy * dy + dz * dz);
  // 2·asin(chord/2); below 0.01 rad (64 km) the series chord + chord³/24 is
  // exact to 1e-12 and avoids asin.
  return chord < kNearChord ? chord * (1.0 + chord * chord * kInv24) : AngleRadFar(chord);
}

// Rounds a non-negative time up to whole milliseconds (std::ceil is a library
// call on baseline x86-64).
inline DurationMs RoundUpMs(double ms) {
  const auto whole = static_cast<DurationMs>(ms);
  return static_cast<double>(whole) < ms ? whole + 1 : whole;
}

// Great-circle distance stretched by a circuity factor (streets are not
// straight lines) at a fixed speed per mode. Deterministic: integer
// milliseconds, rounded up. Both overloads give bit-identical results.
struct TravelModel {
  // Metres per second. Default: walk 1.2, bike 3.5, e-bike 5.0, car 6.0
  // (urban car speed including parking).
  std::array<double, 4> speed_mps = {1.2, 3.5, 5.0, 6.0};
  // Default: 1.3, a common ratio of road to great-circle distance in cities.
  double circuity = 1.3;

  // Milliseconds per radian of great circle in `mode`.
  double MsPerRadian(Mode mode) const;
  DurationMs TravelMs(const Place& from, const Place& to, Mode mode) const {
    return RoundUpMs(AngleRad(from, to) * MsPerRadian(mode));
  }
  DurationMs TravelMs(GeoPoint from, GeoPoint to, Mode mode) const {
    return TravelMs(ToPlace(from), ToPlace(to), mode);
  }
};

}  // namespace meal::routing
