// Tests for the travel model, route evaluation and cheapest insertion.
//
// The insertion property test judges CheapestInsertion with a feasibility
// checker written here from the constraint definitions in route.h; it never
// calls Evaluate, so a bug shared by Evaluate and CheapestInsertion still
// shows up.

#include <algorithm>
#include <cstddef>
#include <cstdint>
#include <map>
#include <optional>
#include <random>
#include <string>
#include <tuple>
#include <vector>

#include <gtest/gtest.h>

#include "common/geo.h"
#include "common/units.h"
#include "routing/insertion.h"
#include "routing/route.h"
#include "routing/travel.h"

namespace meal::routing {
namespace {

// 2023-11-14T22:13:20Z: a realistic epoch time, far from zero.
constexpr EventTimeMs kT0 = 1'700'000'000'000;

// Roughly central Shanghai; the points below are a few hundred metres apart.
constexpr GeoPoint kDepot{31.2304, 121.4737};
constexpr GeoPoint kSite{31.2350, 121.4800};
constexpr GeoPoint kHome{31.2280, 121.4900};
constexpr GeoPoint kHome2{31.2400, 121.4650};

// Metres per degree of latitude on the sphere HaversineM uses
// (2 * pi * 6371008.8 / 360), written out rather than derived from geo.cc.
constexpr double kMetresPerDegreeLat = 111195.08;

// ---------------------------------------------------------------- TravelModel

TEST(TravelModelTest, ZeroDistanceTakesNoTime) {
  const TravelModel travel;
  for (Mode mode : {Mode::kWalk, Mode::kBike, Mode::kEbike, Mode::kCar}) {
    EXPECT_EQ(travel.TravelMs(kDepot, kDepot, mode), 0) << static_cast<int>(mode);
  }
}

TEST(TravelModelTest, MonotoneInDistance) {
  const TravelModel travel;
  for (Mode mode : {Mode::kWalk, Mode::kBike, Mode::kEbike, Mode::kCar}) {
    DurationMs previous = 0;
    // Walk north in 50 m steps up to 5 km: every step is strictly longer.
    for (int step = 1; step <= 100; ++step) {
      const GeoPoint to{kDepot.lat + step * 50.0 / kMetresPerDegreeLat, kDepot.lon};
      const DurationMs ms = travel.TravelMs(kDepot, to, mode);
      EXPECT_GT(ms, previous) << "mode " << static_cast<int>(mode) << " step " << step;
      previous = ms;
    }
  }
}

TEST(TravelModelTest, FasterModeIsQuicker) {
  const TravelModel travel;
  const DurationMs walk = travel.TravelMs(kDepot, kHome2, Mode::kWalk);
  const DurationMs bike = travel.TravelMs(kDepot, kHome2, Mode::kBike);
  const DurationMs ebike = travel.TravelMs(kDepot, kHome2, Mode::kEbike);
  const DurationMs car = travel.TravelMs(kDepot, kHome2, Mode::kCar);
  EXPECT_GT(walk, bike);
  EXPECT_GT(bike, ebike);
  EXPECT_GT(ebike, car);
  EXPECT_GT(car, 0);
}

TEST(TravelModelTest, OneKilometreAlongAMeridian) {
  const TravelModel travel;  // defaults: circuity 1.3, bike 3.5 m/s, walk 1.2 m/s
  const GeoPoint from{31.0, 121.0};
  const GeoPoint to{31.0 + 1000.0 / kMetresPerDegreeLat, 121.0};
  // 1000 m * 1.3 / 3.5 m/s = 371.43 s; 1000 m * 1.3 / 1.2 m/s = 1083.33 s.
  EXPECT_NEAR(static_cast<double>(travel.TravelMs(from, to, Mode::kBike)), 371'428.6, 3'714.0);
  EXPECT_NEAR(static_cast<double>(travel.TravelMs(from, to, Mode::kWalk)), 1'083'333.3, 10'833.0);
  // The same kilometre southwards, and across the equator, takes the same time.
  EXPECT_NEAR(static_cast<double>(travel.TravelMs(to, from, Mode::kBike)), 371'428.6, 3'714.0);
  const GeoPoint south{-500.0 / kMetresPerDegreeLat, 10.0};
  const GeoPoint north{500.0 / kMetresPerDegreeLat, 10.0};
  EXPECT_NEAR(static_cast<double>(travel.TravelMs(south, north, Mode::kBike)), 371'428.6, 3'714.0);
}

TEST(TravelModelTest, UsesConfiguredSpeedAndCircuity) {
  TravelModel travel;
  travel.circuity = 1.0;
  travel.speed_mps = {1.0, 2.0, 4.0, 10.0};
  const GeoPoint from{0.0, 0.0};
  const GeoPoint to{1000.0 / kMetresPerDegreeLat, 0.0};
  EXPECT_NEAR(static_cast<double>(travel.TravelMs(from, to, Mode::kWalk)), 1'000'000.0, 10'000.0);
  EXPECT_NEAR(static_cast<double>(travel.TravelMs(from, to, Mode::kCar)), 100'000.0, 1'000.0);
}

// ------------------------------------------------------------------ Evaluate

Stop Pickup(GeoPoint at, std::int32_t job, std::int32_t meals) {
  Stop s;
  s.location = at;
  s.pickup = true;
  s.job = job;
  s.load_delta = meals;
  return s;
}

Stop Delivery(GeoPoint at, std::int32_t job, std::int32_t meals) {
  Stop s;
  s.location = at;
  s.pickup = false;
  s.job = job;
  s.load_delta = -meals;
  return s;
}

Vehicle Bike(std::int32_t capacity) {
  Vehicle v;
  v.start = kDepot;
  v.start_time = kT0;
  v.capacity = capacity;
  v.mode = Mode::kBike;
  return v;
}

// Fixture with the leg times of the depot -> site -> home trip.
class EvaluateTest : public ::testing::Test {
 protected:
  DurationMs Leg(GeoPoint a, GeoPoint b) const { return travel_.TravelMs(a, b, Mode::kBike); }

  const TravelModel travel_;
  const DurationMs depot_site_ = Leg(kDepot, kSite);
  const DurationMs site_home_ = Leg(kSite, kHome);
};

TEST_F(EvaluateTest, EmptyRouteIsFeasibleAndEndsAtStart) {
  RouteCost cost{123, 456};
  std::vector<StopTiming> timings(3);
  EXPECT_TRUE(Evaluate(Bike(4), {}, travel_, &cost, &timings));
  EXPECT_EQ(cost.travel_ms, 0);
  EXPECT_EQ(cost.end_ms, kT0);
  EXPECT_TRUE(timings.empty());
}

TEST_F(EvaluateTest, LegsArePositive) {
  // The tests below rely on distinct points being a non-zero trip apart.
  ASSERT_GT(depot_site_, 1000);
  ASSERT_GT(site_home_, 1000);
}

TEST_F(EvaluateTest, TimeWindowLatestViolated) {
  std::vector<Stop> stops = {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  const EventTimeMs delivery_start = kT0 + depot_site_ + site_home_;
  stops[1].latest = delivery_start - 1;
  EXPECT_FALSE(Evaluate(Bike(4), stops, travel_));
  stops[1].latest = delivery_start;  // starting exactly at the window end is allowed
  EXPECT_TRUE(Evaluate(Bike(4), stops, travel_));
}

TEST_F(EvaluateTest, PickupLatestViolated) {
  std::vector<Stop> stops = {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  stops[0].latest = kT0 + depot_site_ - 1;
  EXPECT_FALSE(Evaluate(Bike(4), stops, travel_));
  stops[0].latest = kT0 + depot_site_;
  EXPECT_TRUE(Evaluate(Bike(4), stops, travel_));
}

TEST_F(EvaluateTest, CapacityViolated) {
  const std::vector<Stop> stops = {Pickup(kSite, 1, 3), Delivery(kHome, 1, 3)};
  EXPECT_FALSE(Evaluate(Bike(2), stops, travel_));
  EXPECT_TRUE(Evaluate(Bike(3), stops, travel_));
}

TEST_F(EvaluateTest, CapacityCountsMealsAlreadyOnBoard) {
  Vehicle vehicle = Bike(3);
  vehicle.onboard = 1;
  Stop onboard = Delivery(kHome2, 7, 1);
  onboard.picked_up_at = kT0 - kMinuteMs;
  // Job 1 (3 meals) is picked up while job 7's meal is still on board.
  const std::vector<Stop> overfull = {Pickup(kSite, 1, 3), onboard, Delivery(kHome, 1, 3)};
  EXPECT_FALSE(Evaluate(vehicle, overfull, travel_));
  // Delivering job 7 first frees the space.
  const std::vector<Stop> fits = {onboard, Pickup(kSite, 1, 3), Delivery(kHome, 1, 3)};
  EXPECT_TRUE(Evaluate(vehicle, fits, travel_));
}

TEST_F(EvaluateTest, DeliveryWithoutPrecedingPickup) {
  // One other meal is on board so the load never goes negative: the only
  // violated rule is precedence.
  Vehicle vehicle = Bike(4);
  vehicle.onboard = 1;
  const std::vector<Stop> reversed = {Delivery(kHome, 1, 1), Pickup(kSite, 1, 1)};
  EXPECT_FALSE(Evaluate(vehicle, reversed, travel_));
  const std::vector<Stop> ordered = {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  EXPECT_TRUE(Evaluate(vehicle, ordered, travel_));
}

TEST_F(EvaluateTest, PickupOfAnotherJobDoesNotCount) {
  Vehicle vehicle = Bike(4);
  vehicle.onboard = 1;
  const std::vector<Stop> wrong_job = {Pickup(kSite, 2, 1), Delivery(kHome, 1, 1)};
  EXPECT_FALSE(Evaluate(vehicle, wrong_job, travel_));
  const std::vector<Stop> right_job = {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  EXPECT_TRUE(Evaluate(vehicle, right_job, travel_));
}

TEST_F(EvaluateTest, MaximumRideTimeViolated) {
  std::vector<Stop> stops = {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  stops[0].service_ms = 2 * kMinuteMs;  // the ride counts from the pickup's departure
  // No waiting: the ride is exactly the site -> home leg.
  stops[1].max_ride_ms = site_home_ - 1;
  EXPECT_FALSE(Evaluate(Bike(4), stops, travel_));
  stops[1].max_ride_ms = site_home_;
  EXPECT_TRUE(Evaluate(Bike(4), stops, travel_));
}

TEST_F(EvaluateTest, MaximumRideTimeIncludesWaitingAtTheDoor) {
  std::vector<Stop> stops = {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  const EventTimeMs pickup_departure = kT0 + depot_site_;
  stops[1].earliest = pickup_departure + site_home_ + 10 * kMinuteMs;  // 10 min wait
  stops[1].max_ride_ms = site_home_ + 10 * kMinuteMs - 1;
  EXPECT_FALSE(Evaluate(Bike(4), stops, travel_));
  stops[1].max_ride_ms = site_home_ + 10 * kMinuteMs;
  EXPECT_TRUE(Evaluate(Bike(4), stops, travel_));
}

TEST_F(EvaluateTest, ShiftEndViolated) {
  Vehicle vehicle = Bike(4);
  std::vector<Stop> stops = {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  stops[0].service_ms = 2 * kMinuteMs;
  stops[1].service_ms = 3 * kMinuteMs;
  const EventTimeMs finish = kT0 + depot_site_ + 2 * kMinuteMs + site_home_ + 3 * kMinuteMs;
  vehicle.shift_end = finish - 1;  // the last service must finish by the shift end
  EXPECT_FALSE(Evaluate(vehicle, stops, travel_));
  vehicle.shift_end = finish;
  RouteCost cost;
  EXPECT_TRUE(Evaluate(vehicle, stops, travel_, &cost));
  EXPECT_EQ(cost.end_ms, finish);
}

TEST_F(EvaluateTest, WaitsForEarliest) {
  std::vector<Stop> stops = {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  stops[0].earliest = kT0 + depot_site_ + 15 * kMinuteMs;  // meal ready 15 min after arrival
  stops[0].service_ms = kMinuteMs;
  stops[1].service_ms = 2 * kMinuteMs;
  RouteCost cost;
  std::vector<StopTiming> timings;
  ASSERT_TRUE(Evaluate(Bike(4), stops, travel_, &cost, &timings));
  ASSERT_EQ(timings.size(), 2u);
  EXPECT_EQ(timings[0].arrival, kT0 + depot_site_);
  EXPECT_EQ(timings[0].service_start, stops[0].earliest);
  EXPECT_EQ(timings[0].departure, stops[0].earliest + kMinuteMs);
  EXPECT_EQ(timings[1].arrival, timings[0].departure + site_home_);
  EXPECT_EQ(timings[1].service_start, timings[1].arrival);
  EXPECT_EQ(timings[1].departure, timings[1].arrival + 2 * kMinuteMs);
  // Waiting is not travel.
  EXPECT_EQ(cost.travel_ms, depot_site_ + site_home_);
  EXPECT_EQ(cost.end_ms, timings[1].departure);
}

TEST_F(EvaluateTest, WaitingForEarliestCanBreakTheWindowEnd) {
  // The earliest start lies past `latest` of a later stop only because of
  // the wait; arriving on time is not enough.
  std::vector<Stop> stops = {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  stops[0].earliest = kT0 + depot_site_ + 15 * kMinuteMs;
  stops[1].latest = stops[0].earliest + site_home_ - 1;
  EXPECT_FALSE(Evaluate(Bike(4), stops, travel_));
  stops[1].latest = stops[0].earliest + site_home_;
  EXPECT_TRUE(Evaluate(Bike(4), stops, travel_));
}

TEST_F(EvaluateTest, OnBoardDeliveryNeedsNoPickupAndRidesFromPickedUpAt) {
  Vehicle vehicle = Bike(4);
  vehicle.onboard = 2;
  Stop delivery = Delivery(kHome, 1, 2);
  delivery.picked_up_at = kT0 - 10 * kMinuteMs;
  const DurationMs ride = 10 * kMinuteMs + Leg(kDepot, kHome);
  delivery.max_ride_ms = ride - 1;
  EXPECT_FALSE(Evaluate(vehicle, {delivery}, travel_));
  delivery.max_ride_ms = ride;
  std::vector<StopTiming> timings;
  ASSERT_TRUE(Evaluate(vehicle, {delivery}, travel_, nullptr, &timings));
  EXPECT_EQ(timings[0].service_start - delivery.picked_up_at, ride);
}

TEST_F(EvaluateTest, OnBoardDeliveryIgnoresALaterPickupOfTheSameHandle) {
  // The recorded pickup time wins even when a stop with the same handle is
  // in the route.
  Vehicle vehicle = Bike(4);
  vehicle.onboard = 1;
  Stop delivery = Delivery(kHome, 1, 1);
  delivery.picked_up_at = kT0 - 30 * kMinuteMs;
  delivery.max_ride_ms = 30 * kMinuteMs + Leg(kDepot, kSite) + Leg(kSite, kHome) - 1;
  std::vector<Stop> stops = {Pickup(kSite, 1, 1), delivery};
  EXPECT_FALSE(Evaluate(vehicle, stops, travel_));
  stops[1].max_ride_ms += 1;
  EXPECT_TRUE(Evaluate(vehicle, stops, travel_));
}

TEST_F(EvaluateTest, TimingsAreFilledAndConsistent) {
  Vehicle vehicle = Bike(6);
  vehicle.onboard = 1;
  std::vector<Stop> stops = {Pickup(kSite, 1, 2), Pickup(kSite, 2, 1), Delivery(kHome, 1, 2),
                             Delivery(kHome2, 3, 1), Delivery(kHome2, 2, 1)};
  stops[3].picked_up_at = kT0 - kMinuteMs;
  stops[0].service_ms = 2 * kMinuteMs;
  stops[1].service_ms = kMinuteMs;
  stops[1].earliest = kT0 + depot_site_ + 20 * kMinuteMs;
  stops[2].service_ms = 3 * kMinuteMs;
  stops[3].service_ms = 3 * kMinuteMs;
  stops[4].service_ms = 3 * kMinuteMs;
  RouteCost cost;
  std::vector<StopTiming> timings;
  ASSERT_TRUE(Evaluate(vehicle, stops, travel_, &cost, &timings));
  ASSERT_EQ(timings.size(), stops.size());
  GeoPoint at = vehicle.start;
  EventTimeMs previous_departure = vehicle.start_time;
  DurationMs travel_sum = 0;
  for (std::size_t k = 0; k < stops.size(); ++k) {
    SCOPED_TRACE("stop " + std::to_string(k));
    const DurationMs leg = Leg(at, stops[k].location);
    travel_sum += leg;
    EXPECT_EQ(timings[k].arrival, previous_departure + leg);
    EXPECT_LE(timings[k].arrival, timings[k].service_start);
    EXPECT_EQ(timings[k].service_start, std::max(timings[k].arrival, stops[k].earliest));
    EXPECT_LE(timings[k].service_start, timings[k].departure);
    EXPECT_EQ(timings[k].departure, timings[k].service_start + stops[k].service_ms);
    EXPECT_GE(timings[k].arrival, previous_departure);
    previous_departure = timings[k].departure;
    at = stops[k].location;
  }
  EXPECT_EQ(cost.travel_ms, travel_sum);
  EXPECT_EQ(cost.end_ms, timings.back().departure);
  // The wait at stop 1 shows.
  EXPECT_LT(timings[1].arrival, timings[1].service_start);
}

// ------------------------------------------- independent feasibility checker

// A plain simulation of route.h's constraint definitions. It does not call
// Evaluate or EvaluateSequence; travel times come from the TravelModel,
// which has its own tests above.
struct Check {
  bool feasible = false;
  DurationMs travel_ms = 0;
  EventTimeMs end_ms = 0;
  std::int64_t lateness = 0;
  std::string why;  // the first rule broken, for failure messages
};

// Service start at `stop` on arriving at `arrival`: the first moment of one
// of its windows that is not before the arrival, as a list of windows.
std::optional<EventTimeMs> WindowStart(const Stop& stop, EventTimeMs arrival) {
  std::vector<std::pair<EventTimeMs, EventTimeMs>> windows;
  EventTimeMs from = stop.earliest;
  for (std::uint8_t g = 0; g < stop.gap_count; ++g) {
    windows.emplace_back(from, stop.gaps[g].start - 1);
    from = stop.gaps[g].end;
  }
  windows.emplace_back(from, stop.latest);
  for (const auto& [open, close] : windows) {
    const EventTimeMs start = std::max(arrival, open);
    if (start <= close) return start;
  }
  return std::nullopt;
}

Check Simulate(const Vehicle& vehicle, const std::vector<Stop>& stops, const TravelModel& travel) {
  Check out;
  GeoPoint at = vehicle.start;
  EventTimeMs clock = vehicle.start_time;
  std::array<std::int64_t, kLoadDims> load{};
  for (std::size_t d = 0; d < kLoadDims; ++d) load[d] = vehicle.onboard.q[d];
  std::map<std::int32_t, EventTimeMs> pickup_departure;  // job -> departure of its pickup
  auto overloaded = [&] {
    for (std::size_t d = 0; d < kLoadDims; ++d) {
      if (load[d] > vehicle.capacity.q[d] || load[d] < 0) return true;
    }
    return false;
  };
  if (overloaded()) {
    out.why = "capacity at the start";
    return out;
  }
  for (std::size_t k = 0; k < stops.size(); ++k) {
    const Stop& stop = stops[k];
    const std::string where = " at stop " + std::to_string(k);
    if ((stop.skills & vehicle.skills) != stop.skills) {
      out.why = "skills" + where;
      return out;
    }
    const DurationMs leg = travel.TravelMs(at, stop.location, vehicle.mode);
    out.travel_ms += leg;
    const std::optional<EventTimeMs> start = WindowStart(stop, clock + leg);
    if (!start) {
      out.why = "window end" + where;
      return out;
    }
    for (std::size_t d = 0; d < kLoadDims; ++d) load[d] += stop.load_delta.q[d];
    if (overloaded()) {
      out.why = "capacity" + where;
      return out;
    }
    if (!stop.pickup) {
      EventTimeMs picked;
      if (stop.picked_up_at != kNotPickedUp) {
        picked = stop.picked_up_at;
      } else {
        auto it = pickup_departure.find(stop.job);
        if (it == pickup_departure.end()) {
          out.why = "delivery before pickup" + where;
          return out;
        }
        picked = it->second;
      }
      if (stop.max_ride_ms > 0 && *start - picked > stop.max_ride_ms) {
        out.why = "ride time" + where;
        return out;
      }
    }
    if (*start > stop.due) out.lateness += (*start - stop.due) * stop.lateness_weight;
    const EventTimeMs departure = *start + stop.service_ms;
    if (departure > vehicle.shift_end) {
      out.why = "shift end" + where;
      return out;
    }
    if (stop.pickup) pickup_departure[stop.job] = departure;
    clock = departure;
    at = stop.location;
  }
  if (vehicle.end) {
    const DurationMs leg = travel.TravelMs(at, *vehicle.end, vehicle.mode);
    out.travel_ms += leg;
    clock += leg;
    if (clock > vehicle.shift_end) {
      out.why = "return to the end after the shift";
      return out;
    }
  }
  out.feasible = true;
  out.end_ms = clock;
  return out;
}

// `stops` with `pickup` placed at index `p` and `delivery` at index `d` of
// the result (p < d), built element by element.
std::vector<Stop> InsertAt(const std::vector<Stop>& stops, std::size_t p, std::size_t d,
                           const Stop& pickup, const Stop& delivery) {
  std::vector<Stop> out;
  std::size_t next = 0;
  for (std::size_t k = 0; k < stops.size() + 2; ++k) {
    if (k == p) {
      out.push_back(pickup);
    } else if (k == d) {
      out.push_back(delivery);
    } else {
      out.push_back(stops[next++]);
    }
  }
  return out;
}

bool SameStop(const Stop& a, const Stop& b) {
  return a.location == b.location && a.pickup == b.pickup && a.job == b.job &&
         a.load_delta == b.load_delta && a.earliest == b.earliest && a.latest == b.latest &&
         a.service_ms == b.service_ms && a.max_ride_ms == b.max_ride_ms &&
         a.picked_up_at == b.picked_up_at && a.gap_count == b.gap_count && a.due == b.due &&
         a.skills == b.skills;
}

TEST(IndependentCheckerTest, AgreesWithHandMadeCases) {
  // The checker itself must be able to say no, or the property test below
  // could not fail.
  const TravelModel travel;
  Vehicle vehicle = Bike(2);
  EXPECT_TRUE(Simulate(vehicle, {Pickup(kSite, 1, 2), Delivery(kHome, 1, 2)}, travel).feasible);
  EXPECT_FALSE(Simulate(vehicle, {Pickup(kSite, 1, 3), Delivery(kHome, 1, 3)}, travel).feasible);
  EXPECT_FALSE(Simulate(vehicle, {Delivery(kHome, 1, 1), Pickup(kSite, 1, 1)}, travel).feasible);
  std::vector<Stop> late = {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  late[1].latest = kT0;
  EXPECT_FALSE(Simulate(vehicle, late, travel).feasible);
  vehicle.shift_end = kT0 + 1;
  EXPECT_FALSE(Simulate(vehicle, {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)}, travel).feasible);

  vehicle = Bike(2);
  Stop hot = Pickup(kSite, 1, 1);
  hot.load_delta = Load{1, 1, 0};  // one meal, and it is hot
  Stop hot_home = Delivery(kHome, 1, 1);
  hot_home.load_delta = -hot.load_delta;
  EXPECT_FALSE(Simulate(vehicle, {hot, hot_home}, travel).feasible) << "no insulated slot";
  vehicle.capacity = Load{2, 1, 0};
  EXPECT_TRUE(Simulate(vehicle, {hot, hot_home}, travel).feasible);

  std::vector<Stop> helper = {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  helper[1].skills = 4;
  EXPECT_FALSE(Simulate(vehicle, helper, travel).feasible) << "courier lacks the skill";
  vehicle.skills = 4 | 1;
  EXPECT_TRUE(Simulate(vehicle, helper, travel).feasible);

  std::vector<Stop> windows = {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  const Check open = Simulate(vehicle, windows, travel);
  const EventTimeMs arrival = open.end_ms;
  ASSERT_TRUE(SetWindows(windows[1], std::vector<TimeWindow>{{kT0, arrival - 10}, {arrival + 60'000, kNoLimit}}));
  const Check second = Simulate(vehicle, windows, travel);
  ASSERT_TRUE(second.feasible) << second.why;
  EXPECT_EQ(second.end_ms, arrival + 60'000) << "waits for the second window";
  windows[1].latest = arrival + 59'999;
  EXPECT_FALSE(Simulate(vehicle, windows, travel).feasible);

  std::vector<Stop> due = {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  due[1].due = arrival - 1000;
  due[1].lateness_weight = 3;
  EXPECT_EQ(Simulate(vehicle, due, travel).lateness, 3000);

  vehicle.end = kDepot;
  vehicle.shift_end = arrival + travel.TravelMs(kHome, kDepot, Mode::kBike) - 1;
  EXPECT_FALSE(Simulate(vehicle, {Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)}, travel).feasible)
      << "cannot be back at the end by the shift end";
}

TEST(SetWindowsTest, RejectsUnsortedOverlappingAndTooMany) {
  Stop stop;
  EXPECT_FALSE(SetWindows(stop, std::vector<TimeWindow>{}));
  EXPECT_FALSE(SetWindows(stop, std::vector<TimeWindow>{{10, 5}}));
  EXPECT_FALSE(SetWindows(stop, std::vector<TimeWindow>{{0, 10}, {11, 20}})) << "touching: one window";
  EXPECT_FALSE(SetWindows(stop, std::vector<TimeWindow>{{20, 30}, {0, 10}}));
  EXPECT_FALSE(SetWindows(stop, std::vector<TimeWindow>{{0, 1}, {5, 6}, {10, 11}, {15, 16}}));
  ASSERT_TRUE(SetWindows(stop, std::vector<TimeWindow>{{0, 10}, {20, 30}, {40, 50}}));
  EXPECT_EQ(stop.earliest, 0);
  EXPECT_EQ(stop.latest, 50);
  EXPECT_EQ(ServiceStart(stop, 5), 5);
  EXPECT_EQ(ServiceStart(stop, 11), 20);
  EXPECT_EQ(ServiceStart(stop, 35), 40);
  EXPECT_GT(ServiceStart(stop, 51), stop.latest);
  EXPECT_EQ(LatestServiceStart(stop, 15), 10);
  EXPECT_EQ(LatestServiceStart(stop, 45), 45);
  EXPECT_EQ(LatestServiceStart(stop, 99), 50);
  EXPECT_LT(LatestServiceStart(stop, -1), stop.earliest);
}

// -------------------------------------------------------- CheapestInsertion

struct Job {
  Stop pickup;
  Stop delivery;
};

// A random point within about 3 km of the depot; one in three is one of a
// few shared points, so stops coincide and insertion costs tie.
GeoPoint RandomPoint(std::mt19937_64& rng) {
  if (std::uniform_int_distribution<int>(0, 2)(rng) == 0) {
    constexpr GeoPoint kShared[] = {kDepot, kSite, kHome, kHome2};
    return kShared[std::uniform_int_distribution<int>(0, 3)(rng)];
  }
  std::uniform_real_distribution<double> offset(-0.025, 0.025);
  return {kDepot.lat + offset(rng), kDepot.lon + offset(rng)};
}

std::int64_t Uniform(std::mt19937_64& rng, std::int64_t lo, std::int64_t hi) {
  return std::uniform_int_distribution<std::int64_t>(lo, hi)(rng);
}

Job RandomJob(std::mt19937_64& rng, std::int32_t handle) {
  Job job;
  const auto meals = static_cast<std::int32_t>(Uniform(rng, 1, 3));
  job.pickup = Pickup(RandomPoint(rng), handle, meals);
  job.delivery = Delivery(RandomPoint(rng), handle, meals);
  job.pickup.earliest = kT0 + Uniform(rng, 0, 40) * kMinuteMs;  // ready time
  if (Uniform(rng, 0, 3) == 0) {
    job.pickup.latest = job.pickup.earliest + Uniform(rng, 5, 60) * kMinuteMs;
  }
  job.pickup.service_ms = Uniform(rng, 0, 3) * kMinuteMs;
  job.delivery.earliest = kT0 + Uniform(rng, 0, 60) * kMinuteMs;
  job.delivery.latest = job.delivery.earliest + Uniform(rng, 15, 120) * kMinuteMs;
  if (Uniform(rng, 0, 4) == 0) job.delivery.latest = kNoLimit;
  job.delivery.service_ms = Uniform(rng, 0, 4) * kMinuteMs;
  if (Uniform(rng, 0, 1) == 0) job.delivery.max_ride_ms = Uniform(rng, 10, 60) * kMinuteMs;
  if (Uniform(rng, 0, 2) == 0) {  // hot meals need insulated slots too
    job.pickup.load_delta.q[1] = meals;
    job.delivery.load_delta.q[1] = -meals;
  }
  if (Uniform(rng, 0, 3) == 0 && job.delivery.latest != kNoLimit) {  // not at home in between
    const EventTimeMs open = job.delivery.earliest;
    const EventTimeMs lunch = open + Uniform(rng, 5, 30) * kMinuteMs;
    const TimeWindow two[] = {{open, lunch}, {lunch + Uniform(rng, 5, 40) * kMinuteMs, job.delivery.latest}};
    if (two[1].start < two[1].end) {
      EXPECT_TRUE(SetWindows(job.delivery, two));
    }
  }
  if (Uniform(rng, 0, 2) == 0) {  // promised earlier than the hard limit
    job.delivery.due = job.delivery.earliest + Uniform(rng, 0, 40) * kMinuteMs;
    job.delivery.lateness_weight = Uniform(rng, 1, 3);
  }
  if (Uniform(rng, 0, 5) == 0) job.delivery.skills = std::uint64_t{1} << Uniform(rng, 0, 2);
  return job;
}

// A route that passes the independent checker: vehicles start with some
// meals already on board, then jobs are placed at random positions and kept
// only when the route stays feasible.
Route RandomFeasibleRoute(std::mt19937_64& rng, std::int32_t* next_handle) {
  Route route;
  route.vehicle.start = RandomPoint(rng);
  route.vehicle.start_time = kT0 + Uniform(rng, 0, 20) * kMinuteMs;
  route.vehicle.shift_end = Uniform(rng, 0, 4) == 0
                                ? kNoLimit
                                : route.vehicle.start_time + Uniform(rng, 60, 240) * kMinuteMs;
  route.vehicle.capacity = Load{static_cast<std::int32_t>(Uniform(rng, 2, 8)),
                                static_cast<std::int32_t>(Uniform(rng, 0, 4)), 0};
  route.vehicle.mode = static_cast<Mode>(Uniform(rng, 0, 3));
  route.vehicle.skills = static_cast<std::uint64_t>(Uniform(rng, 0, 7));
  if (Uniform(rng, 0, 2) == 0) route.vehicle.end = RandomPoint(rng);
  const TravelModel travel;
  if (!Simulate(route.vehicle, {}, travel).feasible) route.vehicle.end.reset();  // too far to be back in time
  // Meals already on board (their pickups are done).
  const std::int64_t onboard_jobs = Uniform(rng, 0, 2);
  for (std::int64_t k = 0; k < onboard_jobs; ++k) {
    Job job = RandomJob(rng, (*next_handle)++);
    if (!(route.vehicle.onboard + -job.delivery.load_delta).FitsIn(route.vehicle.capacity)) continue;
    job.delivery.picked_up_at = route.vehicle.start_time - Uniform(rng, 0, 15) * kMinuteMs;
    std::vector<Stop> candidate = route.stops;
    candidate.insert(candidate.begin() + static_cast<std::ptrdiff_t>(Uniform(
                                             rng, 0, static_cast<std::int64_t>(candidate.size()))),
                     job.delivery);
    Vehicle vehicle = route.vehicle;
    vehicle.onboard += -job.delivery.load_delta;
    if (Simulate(vehicle, candidate, travel).feasible) {
      route.vehicle = vehicle;
      route.stops = std::move(candidate);
    }
  }
  const std::int64_t jobs = Uniform(rng, 0, 6);
  for (std::int64_t k = 0; k < jobs; ++k) {
    const Job job = RandomJob(rng, (*next_handle)++);
    for (int attempt = 0; attempt < 20; ++attempt) {
      const auto size = static_cast<std::int64_t>(route.stops.size());
      const auto p = static_cast<std::size_t>(Uniform(rng, 0, size));
      const auto d =
          static_cast<std::size_t>(Uniform(rng, static_cast<std::int64_t>(p) + 1, size + 1));
      std::vector<Stop> candidate = InsertAt(route.stops, p, d, job.pickup, job.delivery);
      if (Simulate(route.vehicle, candidate, travel).feasible) {
        route.stops = std::move(candidate);
        break;
      }
    }
  }
  return route;
}

struct Candidate {
  std::size_t route = 0;
  std::size_t pickup_pos = 0;
  std::size_t delivery_pos = 0;
  std::int64_t added_lateness = 0;
  bool activates = false;
  DurationMs added_travel_ms = 0;
  EventTimeMs end_ms = 0;
};

// Every feasible (route, pickup index, delivery index), judged by Simulate.
std::vector<Candidate> BruteForce(const std::vector<Route>& routes, const Job& job, const TravelModel& travel,
                                  const InsertionOptions& options) {
  std::vector<Candidate> out;
  for (std::size_t r = 0; r < routes.size(); ++r) {
    const Check base = Simulate(routes[r].vehicle, routes[r].stops, travel);
    if (!base.feasible) continue;
    const std::size_t n = routes[r].stops.size();
    for (std::size_t p = 0; p <= n; ++p) {
      for (std::size_t d = p + 1; d <= n + 1; ++d) {
        const std::vector<Stop> stops = InsertAt(routes[r].stops, p, d, job.pickup, job.delivery);
        const Check with = Simulate(routes[r].vehicle, stops, travel);
        if (with.feasible) {
          out.push_back({r, p, d, std::max<std::int64_t>(0, with.lateness - base.lateness), options.minimise_couriers && n == 0,
                         with.travel_ms - base.travel_ms, with.end_ms});
        }
      }
    }
  }
  return out;
}

TEST(CheapestInsertionTest, MatchesIndependentBruteForceOnRandomInstances) {
  const TravelModel travel;
  int found = 0;
  int not_found = 0;
  int multi_route_found = 0;
  int late = 0;
  for (std::uint64_t seed = 1; seed <= 400; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    InsertionOptions options;
    options.minimise_couriers = seed % 2 == 0;
    std::mt19937_64 rng(seed);
    std::int32_t next_handle = 1;
    std::vector<Route> routes(static_cast<std::size_t>(Uniform(rng, 1, 8)));
    for (Route& route : routes) route = RandomFeasibleRoute(rng, &next_handle);
    for (const Route& route : routes) {
      ASSERT_TRUE(Simulate(route.vehicle, route.stops, travel).feasible) << "generator bug";
    }
    const Job job = RandomJob(rng, 100000);

    const std::optional<Insertion> got = CheapestInsertion(routes, job.pickup, job.delivery, travel, options);
    const std::vector<Candidate> all = BruteForce(routes, job, travel, options);

    if (!got) {
      // (d) nullopt only when nothing is feasible.
      EXPECT_TRUE(all.empty()) << all.size() << " feasible insertions exist, e.g. route "
                               << all.front().route << " at " << all.front().pickup_pos << ","
                               << all.front().delivery_pos;
      ++not_found;
      continue;
    }
    ++found;
    if (routes.size() > 1) ++multi_route_found;
    ASSERT_LT(got->route, routes.size());
    const Route& route = routes[got->route];
    ASSERT_LT(got->pickup_pos, got->delivery_pos);
    ASSERT_LE(got->delivery_pos, route.stops.size() + 1);

    // (a) the applied insertion passes the independent checker.
    const std::vector<Stop> applied = ApplyInsertion(route, *got, job.pickup, job.delivery);
    ASSERT_EQ(applied.size(), route.stops.size() + 2);
    const Check after = Simulate(route.vehicle, applied, travel);
    EXPECT_TRUE(after.feasible) << after.why;

    // The job's stops are where the insertion says, each exactly once.
    EXPECT_TRUE(SameStop(applied[got->pickup_pos], job.pickup));
    EXPECT_TRUE(SameStop(applied[got->delivery_pos], job.delivery));
    EXPECT_EQ(std::count_if(applied.begin(), applied.end(),
                            [&](const Stop& s) { return s.job == job.pickup.job; }),
              2);

    // (e) the existing stops keep their relative order.
    std::vector<Stop> rest;
    for (std::size_t k = 0; k < applied.size(); ++k) {
      if (k != got->pickup_pos && k != got->delivery_pos) rest.push_back(applied[k]);
    }
    ASSERT_EQ(rest.size(), route.stops.size());
    for (std::size_t k = 0; k < rest.size(); ++k) {
      EXPECT_TRUE(SameStop(rest[k], route.stops[k])) << "existing stop " << k << " moved";
    }

    // (b) the reported cost and end time are what the checker computes.
    const Check before = Simulate(route.vehicle, route.stops, travel);
    EXPECT_EQ(got->added_travel_ms, after.travel_ms - before.travel_ms);
    EXPECT_EQ(got->added_lateness, std::max<std::int64_t>(0, after.lateness - before.lateness));
    EXPECT_EQ(got->end_ms, after.end_ms);
    late += got->added_lateness > 0;

    // (c) nothing feasible is strictly cheaper, and ties resolve as the
    // header promises: earlier end, lower route, earlier positions.
    ASSERT_FALSE(all.empty());
    const auto key = [](const Candidate& c) {
      return std::tie(c.added_lateness, c.activates, c.added_travel_ms, c.end_ms, c.route, c.pickup_pos,
                      c.delivery_pos);
    };
    const Candidate best =
        *std::min_element(all.begin(), all.end(),
                          [&](const Candidate& a, const Candidate& b) { return key(a) < key(b); });
    EXPECT_EQ(got->added_travel_ms, best.added_travel_ms)
        << "cheaper: route " << best.route << " at " << best.pickup_pos << "," << best.delivery_pos;
    EXPECT_EQ(got->route, best.route);
    EXPECT_EQ(got->pickup_pos, best.pickup_pos);
    EXPECT_EQ(got->delivery_pos, best.delivery_pos);
  }
  // The instances must exercise both outcomes, or the checks above are idle.
  EXPECT_GE(found, 100);
  EXPECT_GE(not_found, 10);
  EXPECT_GE(multi_route_found, 60);
  EXPECT_GE(late, 5) << "lateness must decide some cases";
}

TEST(CheapestInsertionTest, NoRoutesGivesNullopt) {
  const TravelModel travel;
  std::mt19937_64 rng(7);
  const Job job = RandomJob(rng, 1);
  EXPECT_FALSE(CheapestInsertion({}, job.pickup, job.delivery, travel).has_value());
}

TEST(CheapestInsertionTest, SkipsRoutesInfeasibleAsTheyStand) {
  const TravelModel travel;
  // Route 0 is right at the site but already late for its own delivery;
  // route 1 is feasible but farther away.
  Route broken;
  broken.vehicle = Bike(4);
  broken.vehicle.start = kSite;
  Stop late = Delivery(kHome, 9, 1);
  late.picked_up_at = kT0;
  late.latest = kT0;  // cannot be reached in zero time
  broken.vehicle.onboard = 1;
  broken.stops = {late};
  ASSERT_FALSE(Simulate(broken.vehicle, broken.stops, travel).feasible);

  Route fine;
  fine.vehicle = Bike(4);
  fine.vehicle.start = kHome2;
  const std::vector<Route> routes = {broken, fine};
  const Job job{Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  const std::optional<Insertion> got = CheapestInsertion(routes, job.pickup, job.delivery, travel);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->route, 1u);
  EXPECT_EQ(got->pickup_pos, 0u);
  EXPECT_EQ(got->delivery_pos, 1u);
}

TEST(CheapestInsertionTest, PicksTheCheaperOfTwoEmptyRoutes) {
  const TravelModel travel;
  Route far;
  far.vehicle = Bike(4);
  far.vehicle.start = kHome2;
  Route near;
  near.vehicle = Bike(4);
  near.vehicle.start = kSite;
  const std::vector<Route> routes = {far, near};
  const Job job{Pickup(kSite, 1, 1), Delivery(kHome, 1, 1)};
  const std::optional<Insertion> got = CheapestInsertion(routes, job.pickup, job.delivery, travel);
  ASSERT_TRUE(got.has_value());
  EXPECT_EQ(got->route, 1u);
  EXPECT_EQ(got->added_travel_ms, travel.TravelMs(kSite, kHome, Mode::kBike));
}

}  // namespace
}  // namespace meal::routing
