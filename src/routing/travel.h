// Travel times between points for each travel mode.
#pragma once

#include <array>
#include <cstdint>
#include <memory>
#include <vector>

#include "common/geo.h"
#include "common/units.h"

namespace meal::routing {

enum class Mode : std::uint8_t { kWalk = 0, kBike = 1, kEbike = 2, kCar = 3 };
inline constexpr std::size_t kModes = 4;

// A stop or vehicle without an entry in a TravelTable.
inline constexpr std::int32_t kNoPlace = -1;

// Travel times between numbered places from outside, per mode — a road
// network's duration table such as an OSRM /table response. May be
// asymmetric (one-way streets) and partial: an entry never set falls back to
// the great-circle model.
class TravelTable {
 public:
  explicit TravelTable(std::size_t places);
  std::size_t size() const { return places_; }
  // REQUIRES: from, to < size(); ms >= 0.
  void Set(Mode mode, std::size_t from, std::size_t to, DurationMs ms);
  // The stored time, or -1 when unknown or out of range.
  DurationMs Get(Mode mode, std::int32_t from, std::int32_t to) const {
    if (from < 0 || to < 0 || static_cast<std::size_t>(from) >= places_ || static_cast<std::size_t>(to) >= places_) {
      return -1;
    }
    return ms_[static_cast<std::size_t>(mode)][static_cast<std::size_t>(from) * places_ + static_cast<std::size_t>(to)];
  }

 private:
  std::size_t places_;
  std::array<std::vector<DurationMs>, kModes> ms_;
};

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
// straight lines) at a fixed speed per mode, unless a table knows better.
// Deterministic: integer milliseconds, rounded up. Both TravelMs overloads
// give bit-identical results.
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

  // Road-network times between numbered places; null: none. Shared, never
  // changed once set, so copies of the model are cheap.
  std::shared_ptr<const TravelTable> table;

  // The table's time when both places are in it, else TravelMs.
  DurationMs Between(GeoPoint from, std::int32_t from_place, GeoPoint to, std::int32_t to_place, Mode mode) const {
    if (table) {
      const DurationMs ms = table->Get(mode, from_place, to_place);
      if (ms >= 0) return ms;
    }
    return TravelMs(from, to, mode);
  }
};

}  // namespace meal::routing
