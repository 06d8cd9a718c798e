// Points on the Earth and the conversions between the coordinate systems
// that phones (WGS-84) and Chinese map SDKs (GCJ-02) report.
#pragma once

#include "common/units.h"

namespace meal {

// Always WGS-84 inside the service; converted at the edges.
struct GeoPoint {
  double lat = 0;
  double lon = 0;
  friend bool operator==(const GeoPoint&, const GeoPoint&) = default;
};

// Great-circle distance on a spherical Earth (mean radius 6,371,008.8 m).
DistanceM HaversineM(GeoPoint a, GeoPoint b);

// True iff the point lies in the rough mainland-China box where GCJ-02
// applies; outside it GCJ-02 equals WGS-84.
bool InGcjRegion(GeoPoint p);

// The published GCJ-02 forward transform.
GeoPoint Wgs84ToGcj02(GeoPoint wgs);

// Inverse by fixed-point iteration; error below 1 cm after convergence.
GeoPoint Gcj02ToWgs84(GeoPoint gcj);

// Returns true iff lat is in [-90, 90] and lon in [-180, 180].
bool IsValidLatLon(double lat, double lon);

}  // namespace meal
