#include "common/geo.h"

#include <gtest/gtest.h>

#include <random>

namespace meal {
namespace {

TEST(GcjTest, ShiftsMainlandPointsByHundredsOfMetresAndInvertsToACentimetre) {
  std::mt19937_64 rng(3);
  std::uniform_real_distribution<double> lat(20.0, 50.0), lon(80.0, 130.0);
  for (int i = 0; i < 2000; ++i) {
    const GeoPoint wgs{lat(rng), lon(rng)};
    if (!InGcjRegion(wgs)) continue;
    const GeoPoint gcj = Wgs84ToGcj02(wgs);
    const double shift = HaversineM(wgs, gcj);
    EXPECT_GT(shift, 1.0) << wgs.lat << "," << wgs.lon;
    EXPECT_LT(shift, 1000.0) << "the published offsets stay under a kilometre";
    EXPECT_LT(HaversineM(Gcj02ToWgs84(gcj), wgs), 0.01);
  }
}

TEST(GcjTest, ShenyangOffsetMatchesTheKnownMagnitude) {
  // Around Shenyang a Chinese map draws a GPS fix a few hundred metres to
  // the north-east of where it is.
  const GeoPoint wgs{41.80, 123.43};
  const GeoPoint gcj = Wgs84ToGcj02(wgs);
  EXPECT_GT(gcj.lon, wgs.lon);
  EXPECT_GT(gcj.lat, wgs.lat);
  const double shift = HaversineM(wgs, gcj);
  EXPECT_GT(shift, 200.0);
  EXPECT_LT(shift, 700.0);
}

TEST(GcjTest, OutsideChinaBothSystemsAreTheSame) {
  for (const GeoPoint p : {GeoPoint{51.5, -0.12}, GeoPoint{35.68, 139.69}, GeoPoint{-33.87, 151.21}}) {
    EXPECT_FALSE(InGcjRegion(p));
    EXPECT_EQ(Wgs84ToGcj02(p), p);
    EXPECT_EQ(Gcj02ToWgs84(p), p);
  }
}

TEST(HaversineTest, OneDegreeOfLatitude) {
  EXPECT_NEAR(HaversineM({41.0, 123.0}, {42.0, 123.0}), 111195.08, 0.01);
  EXPECT_EQ(HaversineM({41.8, 123.4}, {41.8, 123.4}), 0.0);
}

}  // namespace
}  // namespace meal
