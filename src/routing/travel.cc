#include "routing/travel.h"

#include <cmath>
#include <numbers>

namespace meal::routing {
namespace {

constexpr double kEarthRadiusM = 6371008.8;  // as HaversineM
constexpr double kDegToRad = std::numbers::pi / 180.0;

}  // namespace

Place ToPlace(GeoPoint p) {
  const double lat = p.lat * kDegToRad;
  const double lon = p.lon * kDegToRad;
  return {std::cos(lat) * std::cos(lon), std::cos(lat) * std::sin(lon), std::sin(lat)};
}

TravelTable::TravelTable(std::size_t places) : places_(places) {
  for (auto& m : ms_) m.assign(places * places, -1);
}

void TravelTable::Set(Mode mode, std::size_t from, std::size_t to, DurationMs ms) {
  ms_[static_cast<std::size_t>(mode)][from * places_ + to] = ms;
}

double AngleRadFar(double chord) { return 2.0 * std::asin(chord / 2.0); }

double TravelModel::MsPerRadian(Mode mode) const {
  return kEarthRadiusM * circuity / speed_mps[static_cast<int>(mode)] * 1000.0;
}

}  // namespace meal::routing
