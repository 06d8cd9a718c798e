#include "common/geo.h"

#include <cmath>
#include <numbers>

namespace meal {
namespace {

constexpr double kEarthRadiusM = 6371008.8;
constexpr double kDegToRad = std::numbers::pi / 180.0;
// Krasovsky 1940 ellipsoid, as the GCJ-02 formula uses.
constexpr double kKrasovskyA = 6378245.0;
constexpr double kKrasovskyEe = 0.00669342162296594323;

double TransformLat(double x, double y) {
  const double pi = std::numbers::pi;
  double ret = -100.0 + 2.0 * x + 3.0 * y + 0.2 * y * y + 0.1 * x * y + 0.2 * std::sqrt(std::abs(x));
  ret += (20.0 * std::sin(6.0 * x * pi) + 20.0 * std::sin(2.0 * x * pi)) * 2.0 / 3.0;
  ret += (20.0 * std::sin(y * pi) + 40.0 * std::sin(y / 3.0 * pi)) * 2.0 / 3.0;
  ret += (160.0 * std::sin(y / 12.0 * pi) + 320 * std::sin(y * pi / 30.0)) * 2.0 / 3.0;
  return ret;
}

double TransformLon(double x, double y) {
  const double pi = std::numbers::pi;
  double ret = 300.0 + x + 2.0 * y + 0.1 * x * x + 0.1 * x * y + 0.1 * std::sqrt(std::abs(x));
  ret += (20.0 * std::sin(6.0 * x * pi) + 20.0 * std::sin(2.0 * x * pi)) * 2.0 / 3.0;
  ret += (20.0 * std::sin(x * pi) + 40.0 * std::sin(x / 3.0 * pi)) * 2.0 / 3.0;
  ret += (150.0 * std::sin(x / 12.0 * pi) + 300.0 * std::sin(x / 30.0 * pi)) * 2.0 / 3.0;
  return ret;
}

}  // namespace

DistanceM HaversineM(GeoPoint a, GeoPoint b) {
  const double dlat = (b.lat - a.lat) * kDegToRad;
  const double dlon = (b.lon - a.lon) * kDegToRad;
  const double s = std::sin(dlat / 2) * std::sin(dlat / 2) +
                   std::cos(a.lat * kDegToRad) * std::cos(b.lat * kDegToRad) *
                       std::sin(dlon / 2) * std::sin(dlon / 2);
  return 2 * kEarthRadiusM * std::asin(std::min(1.0, std::sqrt(s)));
}

bool InGcjRegion(GeoPoint p) {
  return p.lon >= 72.004 && p.lon <= 137.8347 && p.lat >= 0.8293 && p.lat <= 55.8271;
}

GeoPoint Wgs84ToGcj02(GeoPoint wgs) {
  if (!InGcjRegion(wgs)) return wgs;
  double dlat = TransformLat(wgs.lon - 105.0, wgs.lat - 35.0);
  double dlon = TransformLon(wgs.lon - 105.0, wgs.lat - 35.0);
  const double radlat = wgs.lat * kDegToRad;
  double magic = std::sin(radlat);
  magic = 1 - kKrasovskyEe * magic * magic;
  const double sqrt_magic = std::sqrt(magic);
  dlat = (dlat * 180.0) / ((kKrasovskyA * (1 - kKrasovskyEe)) / (magic * sqrt_magic) * std::numbers::pi);
  dlon = (dlon * 180.0) / (kKrasovskyA / sqrt_magic * std::cos(radlat) * std::numbers::pi);
  return {wgs.lat + dlat, wgs.lon + dlon};
}

GeoPoint Gcj02ToWgs84(GeoPoint gcj) {
  if (!InGcjRegion(gcj)) return gcj;
  // The shift varies slowly, so wgs = gcj - shift(wgs) converges fast.
  GeoPoint wgs = gcj;
  for (int i = 0; i < 10; ++i) {
    const GeoPoint back = Wgs84ToGcj02(wgs);
    const double err_lat = back.lat - gcj.lat;
    const double err_lon = back.lon - gcj.lon;
    wgs.lat -= err_lat;
    wgs.lon -= err_lon;
    if (std::abs(err_lat) < 1e-10 && std::abs(err_lon) < 1e-10) break;
  }
  return wgs;
}

bool IsValidLatLon(double lat, double lon) {
  return std::isfinite(lat) && std::isfinite(lon) && lat >= -90 && lat <= 90 && lon >= -180 &&
         lon <= 180;
}

}  // namespace meal
