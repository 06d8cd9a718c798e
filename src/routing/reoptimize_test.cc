#include "routing/reoptimize.h"

#include <gtest/gtest.h>

#include <map>
#include <random>

#include "routing/test_places.h"

namespace meal::routing {
namespace {

using testing::kMin;
using testing::kNoon;
using testing::Near;

DurationMs TotalTravel(const std::vector<Route>& routes, const TravelModel& travel) {
  DurationMs total = 0;
  for (const Route& r : routes) {
    RouteCost cost;
    EXPECT_TRUE(Evaluate(r.vehicle, r.stops, travel, &cost));
    total += cost.travel_ms;
  }
  return total;
}

// Jobs appended to random routes in a bad order (each job to a random
// courier), some meals already on board.
std::vector<Route> RandomPlan(std::mt19937_64& rng, int couriers, int jobs, const TravelModel& travel) {
  std::vector<Route> routes(static_cast<std::size_t>(couriers));
  for (Route& r : routes) r.vehicle = {Near(rng, 0.02), kNoon, kNoon + 6 * 3'600'000, 6, 0, Mode::kEbike};
  std::uniform_int_distribution<int> pick(0, couriers - 1), window(0, 120);
  for (int j = 0; j < jobs; ++j) {
    Route& r = routes[static_cast<std::size_t>(pick(rng))];
    const EventTimeMs ws = kNoon + window(rng) * kMin;
    Stop d{Near(rng, 0.02), false, j, -1, ws, ws + 120 * kMin, 3 * kMin, 60 * kMin, kNotPickedUp};
    if (j % 5 == 0) {  // on board already
      d.picked_up_at = kNoon - 5 * kMin;
      Route trial = r;
      trial.vehicle.onboard += 1;
      trial.stops.insert(trial.stops.begin(), d);
      if (Evaluate(trial.vehicle, trial.stops, travel)) r = std::move(trial);
      continue;
    }
    Stop p{Near(rng, 0.02), true, j, 1, kNoon, kNoLimit, 2 * kMin, 0, kNotPickedUp};
    std::vector<Stop> stops = r.stops;
    stops.push_back(p);
    stops.push_back(d);
    if (Evaluate(r.vehicle, stops, travel)) r.stops = std::move(stops);
  }
  return routes;
}

// (route, position) of each job's stops, and each route's committed stops in order.
struct Layout {
  std::map<std::pair<int, bool>, int> route_of;  // (job, pickup?) -> route
  std::vector<std::vector<int>> committed;       // per route: jobs of committed stops, in order
};

Layout LayoutOf(const std::vector<Route>& routes) {
  Layout out;
  out.committed.resize(routes.size());
  for (std::size_t r = 0; r < routes.size(); ++r) {
    const auto& stops = routes[r].stops;
    for (std::size_t k = 0; k < stops.size(); ++k) {
      EXPECT_TRUE(out.route_of.emplace(std::make_pair(stops[k].job, stops[k].pickup), static_cast<int>(r)).second)
          << "job " << stops[k].job << " appears twice";
      if (k == 0 || stops[k].picked_up_at != kNotPickedUp) out.committed[r].push_back(stops[k].job);
    }
  }
  return out;
}

TEST(ReoptimizeTest, NeverMovesCommittedStopsAndNeverWorsensThePlan) {
  const TravelModel travel;
  std::mt19937_64 rng(77);
  int total_moves = 0, exchanges = 0, tail_swaps = 0, block_moves = 0;
  for (int instance = 0; instance < 60; ++instance) {
    std::vector<Route> routes = RandomPlan(rng, 2 + instance % 8, 10 + instance % 20, travel);
    const Layout before = LayoutOf(routes);
    const DurationMs travel_before = TotalTravel(routes, travel);
    std::vector<Route> again = routes;

    ReoptimizeOptions options;
    options.max_evaluations = 5000;
    const ReoptimizeResult result = Reoptimize(routes, travel, options);
    total_moves += result.moves;
    exchanges += result.exchanges;
    tail_swaps += result.tail_swaps;
    block_moves += result.block_moves;

    const DurationMs travel_after = TotalTravel(routes, travel);  // also: every route feasible
    EXPECT_LE(travel_after, travel_before);
    EXPECT_EQ(travel_before - travel_after, result.travel_saved_ms);
    const Layout after = LayoutOf(routes);
    EXPECT_EQ(after.route_of.size(), before.route_of.size()) << "a job was lost or doubled";
    for (const auto& [key, route] : after.route_of) {
      const auto other = after.route_of.find({key.first, !key.second});
      if (other != after.route_of.end()) {
        EXPECT_EQ(route, other->second) << "pickup and delivery of job " << key.first << " split";
      }
    }
    // Committed stops: the same route, the same order, the first stop unchanged.
    for (std::size_t r = 0; r < routes.size(); ++r) {
      std::vector<int> kept;
      for (const Stop& s : routes[r].stops) {
        if (s.picked_up_at != kNotPickedUp) kept.push_back(s.job);
      }
      std::vector<int> was;
      const auto& old = again[r].stops;
      for (const Stop& s : old) {
        if (s.picked_up_at != kNotPickedUp) was.push_back(s.job);
      }
      EXPECT_EQ(kept, was) << "instance " << instance << " route " << r;
      if (!old.empty()) {
        ASSERT_FALSE(routes[r].stops.empty());
        EXPECT_EQ(routes[r].stops.front().job, old.front().job);
        EXPECT_EQ(routes[r].stops.front().pickup, old.front().pickup);
      }
    }
    // Deterministic.
    Reoptimize(again, travel, options);
    ASSERT_EQ(again.size(), routes.size());
    for (std::size_t r = 0; r < routes.size(); ++r) {
      ASSERT_EQ(again[r].stops.size(), routes[r].stops.size());
      for (std::size_t k = 0; k < routes[r].stops.size(); ++k) {
        EXPECT_EQ(again[r].stops[k].job, routes[r].stops[k].job);
        EXPECT_EQ(again[r].stops[k].pickup, routes[r].stops[k].pickup);
      }
    }
  }
  EXPECT_GT(total_moves, 30) << "the random plans are bad on purpose: moves must happen";
  // Each kind of move must have found something relocation did not.
  EXPECT_GT(exchanges, 0);
  EXPECT_GT(tail_swaps, 0);
  EXPECT_GT(block_moves, 0);
}

TEST(ReoptimizeTest, MovesAJobToTheCourierNextToIt) {
  const TravelModel travel;
  const GeoPoint a{41.80, 123.40}, b{41.80, 123.46};  // about 5 km apart
  std::vector<Route> routes(2);
  routes[0].vehicle = {a, kNoon, kNoon + 4 * 3'600'000, 4, 0, Mode::kBike};
  routes[1].vehicle = {b, kNoon, kNoon + 4 * 3'600'000, 4, 0, Mode::kBike};
  // Courier 0 is already heading to a job of its own (frozen first stop),
  // then has a job right next to courier 1.
  routes[0].stops = {Stop{a, true, 1, 1, kNoon, kNoLimit, 0, 0, kNotPickedUp},
                     Stop{{41.801, 123.401}, false, 1, -1, kNoon, kNoon + 3'600'000, 0, 0, kNotPickedUp},
                     Stop{b, true, 2, 1, kNoon, kNoLimit, 0, 0, kNotPickedUp},
                     Stop{{41.801, 123.461}, false, 2, -1, kNoon, kNoon + 3 * 3'600'000, 0, 0, kNotPickedUp}};
  const ReoptimizeResult result = Reoptimize(routes, travel, {});
  EXPECT_EQ(result.moves, 1);
  EXPECT_GT(result.travel_saved_ms, 10 * kMin);
  ASSERT_EQ(routes[0].stops.size(), 2u);
  ASSERT_EQ(routes[1].stops.size(), 2u);
  EXPECT_EQ(routes[1].stops[0].job, 2);
  EXPECT_TRUE(result.changed[0] && result.changed[1]);
}

TEST(ReoptimizeTest, APinnedJobStaysWithItsCourier) {
  // The same plan as above, but the job next to courier 1 is pinned to
  // courier 0 (its elder's paired helper): no move may take it away.
  const TravelModel travel;
  const GeoPoint a{41.80, 123.40}, b{41.80, 123.46};
  std::vector<Route> routes(2);
  routes[0].vehicle = {a, kNoon, kNoon + 4 * 3'600'000, 4, 0, Mode::kBike};
  routes[1].vehicle = {b, kNoon, kNoon + 4 * 3'600'000, 4, 0, Mode::kBike};
  routes[0].stops = {Stop{a, true, 1, 1, kNoon, kNoLimit, 0, 0, kNotPickedUp},
                     Stop{{41.801, 123.401}, false, 1, -1, kNoon, kNoon + 3'600'000, 0, 0, kNotPickedUp},
                     Stop{b, true, 2, 1, kNoon, kNoLimit, 0, 0, kNotPickedUp},
                     Stop{{41.801, 123.461}, false, 2, -1, kNoon, kNoon + 3 * 3'600'000, 0, 0, kNotPickedUp}};
  routes[0].stops[2].pinned = routes[0].stops[3].pinned = true;
  const ReoptimizeResult result = Reoptimize(routes, travel, {});
  EXPECT_EQ(result.moves, 0);
  ASSERT_EQ(routes[0].stops.size(), 4u);
  EXPECT_EQ(routes[0].stops[2].job, 2);
  EXPECT_TRUE(routes[1].stops.empty());
}

TEST(ReoptimizeTest, BudgetBoundsTheWork) {
  const TravelModel travel;
  std::mt19937_64 rng(3);
  std::vector<Route> routes = RandomPlan(rng, 8, 40, travel);
  ReoptimizeOptions options;
  options.max_evaluations = 1;
  EXPECT_LE(Reoptimize(routes, travel, options).moves, 1);
}

}  // namespace
}  // namespace meal::routing
