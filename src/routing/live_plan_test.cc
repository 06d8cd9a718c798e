#include "routing/live_plan.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <memory>
#include <random>

#include "routing/test_places.h"

namespace meal::routing {
namespace {

using testing::kMin;
using testing::kNoon;
using testing::Near;

// Gives a job the richer constraints at random: hot meals needing insulated
// slots, a second window, a soft due time, a skill.
void Enrich(std::mt19937_64& rng, Stop& p, Stop& d) {
  std::uniform_int_distribution<int> pick(0, 5);
  if (pick(rng) < 2) {
    p.load_delta.q[1] = p.load_delta.q[0];
    d.load_delta.q[1] = d.load_delta.q[0];
  }
  if (pick(rng) == 0 && d.latest != kNoLimit) {
    const TimeWindow two[] = {{d.earliest, d.earliest + 10 * kMin}, {d.earliest + 25 * kMin, d.latest}};
    EXPECT_TRUE(SetWindows(d, two));
  }
  if (pick(rng) < 2) {
    d.due = d.earliest + pick(rng) * 5 * kMin;
    d.lateness_weight = 1 + pick(rng);
  }
  if (pick(rng) == 0) d.skills = 2;
}

// Random live routes: jobs appended while the route stays feasible, some of
// them already picked up, so capacities, windows and ride limits all bind.
// With `places`, every stop and start gets a place number in a table of that
// many entries (stops sharing a number share a point).
std::vector<Route> RandomRoutes(std::mt19937_64& rng, int count, const TravelModel& travel,
                                const std::vector<GeoPoint>* places = nullptr) {
  std::vector<Route> routes;
  std::uniform_int_distribution<int> jobs(0, 6), cap(2, 8), mode(0, 3), window(0, 90), coin(0, 3);
  auto locate = [&](Stop& s, GeoPoint fallback) {
    s.location = fallback;
    if (!places) return;
    s.place = std::uniform_int_distribution<int>(0, static_cast<int>(places->size()) - 1)(rng);
    s.location = (*places)[static_cast<std::size_t>(s.place)];
  };
  for (int c = 0; c < count; ++c) {
    Route r;
    // Every seventh courier is one or two hundred kilometres away (a stale
    // position), so distances beyond the series' range are exercised too.
    r.vehicle = {Near(rng, c % 7 == 3 ? 1.5 : 0.02), kNoon, kNoon + (2 + c % 3) * 3'600'000,
                 Load{cap(rng), cap(rng) / 2, 0}, 0, static_cast<Mode>(mode(rng))};
    r.vehicle.skills = static_cast<std::uint64_t>(coin(rng));
    if (coin(rng) == 0) r.vehicle.end = Near(rng, 0.02);
    if (places && coin(rng) != 0) {
      r.vehicle.start_place = std::uniform_int_distribution<int>(0, static_cast<int>(places->size()) - 1)(rng);
      r.vehicle.start = (*places)[static_cast<std::size_t>(r.vehicle.start_place)];
    }
    if (!Evaluate(r.vehicle, {}, travel)) r.vehicle.end.reset();
    const int n = jobs(rng);
    for (int j = 0; j < n; ++j) {
      const EventTimeMs ws = kNoon + window(rng) * kMin;
      Stop p{{}, true, j, 1 + j % 2, kNoon + window(rng) * kMin / 3, kNoLimit, 2 * kMin, 0, kNotPickedUp};
      Stop d{{}, false, j, -(1 + j % 2), ws, ws + 60 * kMin, 3 * kMin, j % 3 == 0 ? 0 : 45 * kMin, kNotPickedUp};
      locate(p, Near(rng, 0.02));
      locate(d, Near(rng, 0.02));
      Enrich(rng, p, d);
      std::vector<Stop> stops = r.stops;
      if (j % 4 == 1 && (r.vehicle.onboard + -d.load_delta).FitsIn(r.vehicle.capacity)) {
        // Already on board: only the delivery is left, its ride started earlier.
        d.picked_up_at = kNoon - 10 * kMin;
        Route trial = r;
        trial.vehicle.onboard += -d.load_delta;
        trial.stops.push_back(d);
        if (Evaluate(trial.vehicle, trial.stops, travel)) r = std::move(trial);
        continue;
      }
      stops.push_back(p);
      stops.push_back(d);
      if (Evaluate(r.vehicle, stops, travel)) r.stops = std::move(stops);
    }
    routes.push_back(std::move(r));
  }
  return routes;
}

// Compares the cached search with the reference on random plans and
// queries, for the best and for the three best routes, under both
// objectives. Returns {queries with an answer, queries without}.
std::pair<int, int> CompareWithReference(const TravelModel& travel, std::uint64_t seed,
                                         const std::vector<GeoPoint>* places) {
  std::mt19937_64 rng(seed);
  int found = 0, none = 0;
  for (int instance = 0; instance < 300; ++instance) {
    const std::vector<Route> routes = RandomRoutes(rng, 1 + instance % 25, travel, places);
    InsertionOptions options;
    options.minimise_couriers = instance % 3 == 0;
    LivePlan plan(travel, options);
    for (std::size_t r = 0; r < routes.size(); ++r) plan.SetRoute(r, routes[r]);
    for (int q = 0; q < 5; ++q) {
      std::uniform_int_distribution<int> window(0, 120);
      const EventTimeMs ws = kNoon + window(rng) * kMin;
      Stop p{Near(rng, 0.02), true, 99, 1 + q % 2, kNoon + window(rng) * kMin / 4, kNoLimit, 2 * kMin, 0,
             kNotPickedUp};
      Stop d{Near(rng, 0.02), false, 99, -(1 + q % 2), ws, ws + 45 * kMin, 3 * kMin, 45 * kMin, kNotPickedUp};
      if (places) {
        p.place = q;
        p.location = (*places)[static_cast<std::size_t>(q)];
      }
      Enrich(rng, p, d);
      for (std::size_t k : {std::size_t{1}, std::size_t{3}}) {
        const auto expected = CheapestInsertions(routes, p, d, travel, options, k);
        const auto got = plan.BestInsertions(p, d, k);
        EXPECT_EQ(expected.size(), got.size()) << "instance " << instance << " query " << q << " k " << k;
        for (std::size_t e = 0; e < std::min(got.size(), expected.size()); ++e) {
          SCOPED_TRACE("instance " + std::to_string(instance) + " query " + std::to_string(q) + " rank " +
                       std::to_string(e));
          EXPECT_EQ(got[e].route, expected[e].route);
          EXPECT_EQ(got[e].pickup_pos, expected[e].pickup_pos);
          EXPECT_EQ(got[e].delivery_pos, expected[e].delivery_pos);
          EXPECT_EQ(got[e].added_lateness, expected[e].added_lateness);
          EXPECT_EQ(got[e].activates, expected[e].activates);
          EXPECT_EQ(got[e].added_travel_ms, expected[e].added_travel_ms);
          EXPECT_EQ(got[e].end_ms, expected[e].end_ms);
        }
      }
      const auto best = plan.BestInsertion(p, d);
      (best ? found : none) += 1;
    }
  }
  return {found, none};
}

TEST(LivePlanTest, AgreesWithTheExhaustiveSearchOnRandomPlans) {
  const auto [found, none] = CompareWithReference(TravelModel{}, 2024, nullptr);
  // Both outcomes must have been exercised for the comparison to mean much.
  EXPECT_GT(found, 500);
  EXPECT_GT(none, 20);
}

TEST(LivePlanTest, AgreesWithTheExhaustiveSearchOnAnAsymmetricTable) {
  // A road table that is neither symmetric nor metric (a one-way detour,
  // a tunnel), with some pairs unknown so the great-circle model fills in.
  std::mt19937_64 rng(77);
  std::vector<GeoPoint> places;
  for (int i = 0; i < 30; ++i) places.push_back(Near(rng, 0.02));
  TravelModel travel;
  auto table = std::make_shared<TravelTable>(places.size());
  std::uniform_real_distribution<double> stretch(0.5, 2.0);
  for (std::size_t a = 0; a < places.size(); ++a) {
    for (std::size_t b = 0; b < places.size(); ++b) {
      if ((a * 7 + b) % 11 == 0) continue;
      for (std::size_t m = 0; m < kModes; ++m) {
        const auto mode = static_cast<Mode>(m);
        const double ms = static_cast<double>(travel.TravelMs(places[a], places[b], mode)) * stretch(rng);
        table->Set(mode, a, b, static_cast<DurationMs>(ms));
      }
    }
  }
  travel.table = table;
  const auto [found, none] = CompareWithReference(travel, 99, &places);
  EXPECT_GT(found, 500);
  EXPECT_GT(none, 20);
}

TEST(LivePlanTest, KeepsAgreeingWhileRoutesGrowAndShrink) {
  // Routes replaced again and again move around inside the plan's flat
  // arrays, which are rebuilt now and then; answers must not change.
  const TravelModel travel;
  std::mt19937_64 rng(31);
  std::vector<Route> routes = RandomRoutes(rng, 20, travel);
  LivePlan plan(travel);
  for (std::size_t r = 0; r < routes.size(); ++r) plan.SetRoute(r, routes[r]);
  std::uniform_int_distribution<int> window(0, 120), pick(0, 19);
  int inserted = 0;
  for (int q = 0; q < 400; ++q) {
    const EventTimeMs ws = kNoon + window(rng) * kMin;
    const Stop p{Near(rng, 0.02), true, 1000 + q, 1, kNoon, kNoLimit, 2 * kMin, 0, kNotPickedUp};
    const Stop d{Near(rng, 0.02), false, 1000 + q, -1, ws, ws + 90 * kMin, 3 * kMin, 60 * kMin, kNotPickedUp};
    const auto expected = CheapestInsertion(routes, p, d, travel);
    const auto got = plan.BestInsertion(p, d);
    ASSERT_EQ(expected.has_value(), got.has_value()) << "query " << q;
    if (got) {
      ASSERT_EQ(got->route, expected->route) << "query " << q;
      ASSERT_EQ(got->pickup_pos, expected->pickup_pos);
      ASSERT_EQ(got->delivery_pos, expected->delivery_pos);
      Route& grown = routes[got->route];
      grown.stops = ApplyInsertion(grown, *got, p, d);
      plan.SetRoute(got->route, grown);
      ++inserted;
    }
    if (q % 7 == 0) {  // a courier finishes everything
      const auto r = static_cast<std::size_t>(pick(rng));
      routes[r].stops.clear();
      routes[r].vehicle.onboard = 0;
      plan.SetRoute(r, routes[r]);
    }
  }
  EXPECT_GT(inserted, 200);
}

// The reference for LivePlan::Bounds::kKeepLateness, by full evaluation:
// the route as it is when feasible, else its bounds loosened to its schedule
// without any; the route as it is (infeasible) when even that fails.
Route KeptLate(const Route& route, const TravelModel& travel) {
  if (Evaluate(route.vehicle, route.stops, travel)) return route;
  Route unbounded = route;
  for (Stop& s : unbounded.stops) {
    s.latest = kNoLimit;
    s.max_ride_ms = 0;
  }
  unbounded.vehicle.shift_end = kNoLimit;
  std::vector<StopTiming> t;
  RouteCost cost;
  if (!Evaluate(unbounded.vehicle, unbounded.stops, travel, &cost, &t)) return route;
  Route kept = route;
  for (std::size_t i = 0; i < kept.stops.size(); ++i) {
    Stop& s = kept.stops[i];
    s.latest = std::max(s.latest, t[i].service_start);
    if (s.pickup || s.max_ride_ms == 0) continue;
    EventTimeMs picked = s.picked_up_at;
    for (std::size_t j = i; picked == kNotPickedUp && j-- > 0;) {
      if (kept.stops[j].pickup && kept.stops[j].job == s.job) picked = t[j].departure;
    }
    s.max_ride_ms = std::max(s.max_ride_ms, t[i].service_start - picked);
  }
  kept.vehicle.shift_end = std::max(kept.vehicle.shift_end, cost.end_ms);
  return kept;
}

TEST(LivePlanTest, ANewStartTimeKeepsLatenessAsSettingTheRouteAgainWould) {
  // Couriers fall behind as their start moves on, and back (a plan may be
  // re-timed either way): the re-timed plan, one set afresh at that start
  // and the exhaustive search over the reference routes must agree.
  const TravelModel travel;
  std::mt19937_64 rng(8);
  int late = 0;
  for (int instance = 0; instance < 60; ++instance) {
    const std::vector<Route> routes = RandomRoutes(rng, 1 + instance % 12, travel);
    LivePlan retimed(travel);
    for (std::size_t r = 0; r < routes.size(); ++r) retimed.SetRoute(r, routes[r], LivePlan::Bounds::kKeepLateness);
    for (const DurationMs shift : {45 * kMin, 0 * kMin, 90 * kMin, 20 * kMin}) {
      LivePlan afresh(travel);
      std::vector<Route> expected;
      for (std::size_t r = 0; r < routes.size(); ++r) {
        Route shifted = routes[r];
        shifted.vehicle.start_time += shift;
        expected.push_back(KeptLate(shifted, travel));
        late += Evaluate(shifted.vehicle, shifted.stops, travel) ? 0 : 1;
        retimed.SetStartTime(r, shifted.vehicle.start_time);
        afresh.SetRoute(r, shifted, LivePlan::Bounds::kKeepLateness);
      }
      // Searched first, so the search meets routes not yet timed.
      const EventTimeMs ws = kNoon + 60 * kMin + shift;
      const Stop p{Near(rng, 0.02), true, 99, 1, kNoon, kNoLimit, 2 * kMin, 0, kNotPickedUp};
      const Stop d{Near(rng, 0.02), false, 99, -1, ws, ws + 60 * kMin, 3 * kMin, 45 * kMin, kNotPickedUp};
      const auto want = CheapestInsertions(expected, p, d, travel, {}, 3);
      for (const LivePlan* plan : {&retimed, &afresh}) {
        const auto got = plan->BestInsertions(p, d, 3);
        ASSERT_EQ(got.size(), want.size()) << "instance " << instance;
        for (std::size_t e = 0; e < got.size(); ++e) {
          EXPECT_EQ(got[e].route, want[e].route);
          EXPECT_EQ(got[e].pickup_pos, want[e].pickup_pos);
          EXPECT_EQ(got[e].delivery_pos, want[e].delivery_pos);
          EXPECT_EQ(got[e].added_lateness, want[e].added_lateness);
          EXPECT_EQ(got[e].added_travel_ms, want[e].added_travel_ms);
        }
        for (std::size_t r = 0; r < routes.size(); ++r) {
          const Route& got_route = plan->route(r);
          EXPECT_EQ(got_route.vehicle.shift_end, expected[r].vehicle.shift_end);
          for (std::size_t i = 0; i < got_route.stops.size(); ++i) {
            EXPECT_EQ(got_route.stops[i].latest, expected[r].stops[i].latest) << "instance " << instance;
            EXPECT_EQ(got_route.stops[i].max_ride_ms, expected[r].stops[i].max_ride_ms);
          }
        }
      }
    }
  }
  EXPECT_GT(late, 100) << "late routes must have been exercised";
}

TEST(LivePlanTest, ReplacingARouteRefreshesItsCache) {
  const TravelModel travel;
  const GeoPoint site{41.80, 123.43}, home{41.805, 123.435};
  LivePlan plan(travel);
  Route far;
  far.vehicle = {{41.90, 123.60}, kNoon, kNoon + 4 * 3'600'000, 4, 0, Mode::kBike};
  plan.SetRoute(0, far);
  Route near = far;
  near.vehicle.start = site;
  plan.SetRoute(1, near);
  const Stop p{site, true, 1, 1, kNoon, kNoLimit, 0, 0, kNotPickedUp};
  const Stop d{home, false, 1, -1, kNoon, kNoon + 3'600'000, 0, 0, kNotPickedUp};
  ASSERT_EQ(plan.BestInsertion(p, d)->route, 1u);
  plan.SetRoute(0, near);  // the far courier has come to the site
  EXPECT_EQ(plan.BestInsertion(p, d)->route, 0u) << "ties go to the lower route index";
}

TEST(LivePlanTest, EqualDetourGoesToTheRouteThatEndsEarlier) {
  // Bounds may only skip a route that is strictly worse: an equal detour
  // with an earlier end must still win, as in the exhaustive search.
  const TravelModel travel;
  const GeoPoint site{41.80, 123.43}, home{41.805, 123.435};
  Route later;
  later.vehicle = {site, kNoon + 10 * kMin, kNoon + 4 * 3'600'000, 4, 0, Mode::kBike};
  Route sooner = later;
  sooner.vehicle.start_time = kNoon;
  const std::vector<Route> routes = {later, sooner};
  LivePlan plan(travel);
  plan.SetRoute(0, later);
  plan.SetRoute(1, sooner);
  const Stop p{site, true, 1, 1, kNoon, kNoLimit, 0, 0, kNotPickedUp};
  const Stop d{home, false, 1, -1, kNoon, kNoon + 3'600'000, 0, 0, kNotPickedUp};
  ASSERT_EQ(CheapestInsertion(routes, p, d, travel)->route, 1u);
  EXPECT_EQ(plan.BestInsertion(p, d)->route, 1u);
}

TEST(LivePlanTest, AFarAwayCourierGetsExactTravelTimes) {
  // A courier more than 64 km away takes AngleRad's asin branch; a series
  // used beyond its range would be seconds off at this distance.
  const TravelModel travel;
  Route far;
  far.vehicle = {{50.0, 123.43}, kNoon, kNoLimit, 4, 0, Mode::kCar};
  const std::vector<Route> routes = {far};
  LivePlan plan(travel);
  plan.SetRoute(0, far);
  const Stop p{{41.80, 123.43}, true, 1, 1, kNoon, kNoLimit, 0, 0, kNotPickedUp};
  const Stop d{{41.805, 123.435}, false, 1, -1, kNoon, kNoLimit, 0, 0, kNotPickedUp};
  const auto expected = CheapestInsertion(routes, p, d, travel);
  const auto got = plan.BestInsertion(p, d);
  ASSERT_TRUE(expected && got);
  EXPECT_EQ(got->added_travel_ms, expected->added_travel_ms);
  EXPECT_EQ(got->end_ms, expected->end_ms);
}

TEST(LivePlanTest, PlacesGiveTheSameTravelTimesAsPoints) {
  const TravelModel travel;
  std::mt19937_64 rng(5);
  for (int i = 0; i < 1000; ++i) {
    const GeoPoint a = Near(rng, 0.5), b = Near(rng, 0.5);
    EXPECT_EQ(travel.TravelMs(ToPlace(a), ToPlace(b), Mode::kBike), travel.TravelMs(a, b, Mode::kBike));
    // Within 1 m of the haversine distance.
    const double metres = static_cast<double>(travel.TravelMs(a, b, Mode::kCar)) / 1000.0 *
                          travel.speed_mps[3] / travel.circuity;
    EXPECT_NEAR(metres, HaversineM(a, b), 1.0 + 0.01);
  }
}

}  // namespace
}  // namespace meal::routing
