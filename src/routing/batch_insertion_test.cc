#include "routing/batch_insertion.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <optional>
#include <random>
#include <tuple>

namespace meal::routing {
namespace {

constexpr EventTimeMs kNoon = 1'795'900'000'000;
constexpr DurationMs kMin = 60'000;
constexpr GeoPoint kSite{41.80, 123.43};

GeoPoint East(double km) { return {kSite.lat, kSite.lon + km / 83.0}; }  // about 83 km per degree here

Job MealFor(GeoPoint home, std::int32_t id, std::int32_t priority = 0) {
  Job job;
  job.pickup = Stop{kSite, true, id, 1, kNoon, kNoLimit, 0, 0, kNotPickedUp};
  job.delivery = Stop{home, false, id, -1, kNoon, kNoon + 40 * kMin, 0, 0, kNotPickedUp};
  job.priority = priority;
  return job;
}

Route Courier(GeoPoint at, Load boxes) {
  Route r;
  r.vehicle = {at, kNoon, kNoon + 4 * 60 * kMin, boxes, 0, Mode::kBike};
  return r;
}

TEST(InsertJobsTest, HigherPriorityIsServedFirstUnderScarcity) {
  LivePlan plan{TravelModel{}};
  // One courier, and lunch due within a quarter of an hour at two doors in
  // opposite directions: only one of them can be served.
  plan.SetRoute(0, Courier(kSite, 1));
  std::vector<Job> jobs = {MealFor(East(0.5), 0, /*priority=*/0), MealFor(East(-2.0), 1, /*priority=*/5)};
  for (Job& job : jobs) job.delivery.latest = kNoon + 15 * kMin;
  const BatchResult result = InsertJobs(plan, jobs, {});
  ASSERT_EQ(result.placed.size(), 1u);
  EXPECT_EQ(result.placed[0].job, 1u) << "the nearer meal is cheaper, but the other elder has priority";
  EXPECT_EQ(result.unplaced, std::vector<std::size_t>{0});
}

TEST(InsertJobsTest, RegretPlacesWhatGreedyStrands) {
  // Courier 0 at the site can reach both elders; courier 1, far out west,
  // only the near one in time. Greedy gives courier 0 the cheaper near meal
  // and strands the far one; regret sends the far meal, which has a single
  // option, first.
  auto setup = [](LivePlan& plan) {
    plan.SetRoute(0, Courier(kSite, 1));
    plan.SetRoute(1, Courier(East(-4.0), 1));
  };
  const std::vector<Job> jobs = {MealFor(East(0.3), 0), MealFor(East(6.0), 1)};
  LivePlan greedy{TravelModel{}};
  setup(greedy);
  ASSERT_EQ(greedy.BestInsertions(jobs[1].pickup, jobs[1].delivery, 2).size(), 1u) << "one option only";
  const BatchResult g = InsertJobs(greedy, jobs, BatchOptions{1});
  EXPECT_EQ(g.unplaced, std::vector<std::size_t>{1});

  LivePlan regret{TravelModel{}};
  setup(regret);
  const BatchResult r = InsertJobs(regret, jobs, BatchOptions{2});
  EXPECT_TRUE(r.unplaced.empty());
  ASSERT_EQ(r.placed.size(), 2u);
  EXPECT_EQ(r.placed[0].job, 1u);
  EXPECT_EQ(r.placed[0].insertion.route, 0u);
  EXPECT_EQ(r.placed[1].insertion.route, 1u);
}

TEST(InsertJobsTest, RandomBatchesKeepEveryRouteFeasibleAndLeaveOnlyWhatCannotFit) {
  const TravelModel travel;
  std::mt19937_64 rng(11);
  std::uniform_real_distribution<double> km(-3.0, 3.0);
  std::uniform_int_distribution<int> boxes(1, 4), minutes(0, 60), priority(0, 2);
  int unplaced_total = 0, placed_total = 0;
  for (int round = 0; round < 40; ++round) {
    LivePlan plan(travel);
    const int couriers = 1 + round % 6;
    for (int c = 0; c < couriers; ++c) {
      plan.SetRoute(static_cast<std::size_t>(c), Courier({kSite.lat + km(rng) / 111.0, kSite.lon + km(rng) / 83.0}, boxes(rng)));
    }
    std::vector<Job> jobs;
    for (int j = 0; j < 12; ++j) {
      Job job = MealFor({kSite.lat + km(rng) / 111.0, kSite.lon + km(rng) / 83.0}, j, priority(rng));
      job.delivery.earliest = kNoon + minutes(rng) * kMin;
      job.delivery.latest = job.delivery.earliest + 30 * kMin;
      job.delivery.max_ride_ms = 30 * kMin;
      jobs.push_back(job);
    }
    const BatchResult result = InsertJobs(plan, jobs, BatchOptions{1 + static_cast<std::size_t>(round % 3)});
    EXPECT_EQ(result.placed.size() + result.unplaced.size(), jobs.size());
    std::vector<int> seen(jobs.size(), 0);
    for (const Placement& p : result.placed) ++seen[p.job];
    for (std::size_t u : result.unplaced) ++seen[u];
    EXPECT_TRUE(std::all_of(seen.begin(), seen.end(), [](int n) { return n == 1; })) << "each job exactly once";
    for (std::size_t r = 0; r < plan.size(); ++r) {
      EXPECT_TRUE(Evaluate(plan.route(r).vehicle, plan.route(r).stops, travel)) << "round " << round;
    }
    // Only what no route can take any more is left out.
    for (std::size_t u : result.unplaced) EXPECT_FALSE(plan.BestInsertion(jobs[u].pickup, jobs[u].delivery));
    unplaced_total += static_cast<int>(result.unplaced.size());
    placed_total += static_cast<int>(result.placed.size());
  }
  EXPECT_GT(placed_total, 100);
  EXPECT_GT(unplaced_total, 20);
}

TEST(CombineJobsTest, AHubHouseholdBecomesOneStop) {
  Job a = MealFor(East(1.0), 1, 0);
  Job b = MealFor(East(1.0), 2, 3);
  a.delivery.service_ms = 3 * kMin;
  b.delivery.service_ms = 2 * kMin;
  a.delivery.max_ride_ms = 45 * kMin;
  b.delivery.max_ride_ms = 30 * kMin;
  b.delivery.earliest = kNoon + 10 * kMin;
  b.pickup.load_delta = Load{2, 2, 0};
  b.delivery.load_delta = -b.pickup.load_delta;
  const std::optional<Job> both = CombineJobs(a, b, kMin);
  ASSERT_TRUE(both);
  EXPECT_EQ(both->delivery.job, 1);
  EXPECT_EQ(both->pickup.load_delta, (Load{3, 2, 0}));
  EXPECT_EQ(both->delivery.load_delta, (Load{-3, -2, 0}));
  EXPECT_EQ(both->delivery.earliest, kNoon + 10 * kMin);
  EXPECT_EQ(both->delivery.latest, kNoon + 40 * kMin);
  EXPECT_EQ(both->delivery.service_ms, 4 * kMin) << "the longer handover plus one more";
  EXPECT_EQ(both->delivery.max_ride_ms, 30 * kMin);
  EXPECT_EQ(both->priority, 3);

  // One courier, one trip: both elders fed by the same visit.
  LivePlan plan{TravelModel{}};
  Route courier = Courier(kSite, 4);
  courier.vehicle.capacity = Load{4, 2, 0};  // two insulated slots
  plan.SetRoute(0, courier);
  const auto one = plan.BestInsertion(both->pickup, both->delivery);
  ASSERT_TRUE(one);
  EXPECT_EQ(one->delivery_pos, 1u);

  Job elsewhere = b;
  elsewhere.delivery.location = East(1.2);
  EXPECT_FALSE(CombineJobs(a, elsewhere, kMin)) << "another door";
  Job later = b;
  later.delivery.earliest = kNoon + 50 * kMin;
  later.delivery.latest = kNoon + 80 * kMin;
  EXPECT_FALSE(CombineJobs(a, later, kMin)) << "windows do not overlap";
  Job on_board = b;
  on_board.delivery.picked_up_at = kNoon;
  EXPECT_FALSE(CombineJobs(a, on_board, kMin));
}

// The batch keeps each job's k best routes up to date incrementally; this is
// the plain way, every list searched afresh after every placement.
BatchResult InsertJobsAfresh(LivePlan& plan, const std::vector<Job>& jobs, std::size_t k) {
  BatchResult result;
  std::vector<bool> done(jobs.size(), false);
  for (;;) {
    std::optional<std::size_t> chosen;
    std::vector<Insertion> chosen_top;
    auto key = [&](std::size_t j, const std::vector<Insertion>& top) {
      std::int64_t lateness = 0, travel = 0;
      if (k == 1) {
        lateness = -top[0].added_lateness;
        travel = -top[0].added_travel_ms;
      }
      for (std::size_t h = 1; h < top.size(); ++h) {
        lateness += top[h].added_lateness - top[0].added_lateness;
        travel += top[h].added_travel_ms - top[0].added_travel_ms;
      }
      return std::make_tuple(jobs[j].priority, k - top.size(), lateness, travel);
    };
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      if (done[j]) continue;
      const auto top = plan.BestInsertions(jobs[j].pickup, jobs[j].delivery, k);
      if (top.empty()) continue;
      if (!chosen || key(j, top) > key(*chosen, chosen_top)) {
        chosen = j;
        chosen_top = top;
      }
    }
    if (!chosen) break;
    const Insertion where = chosen_top.front();
    const Route& route = plan.route(where.route);
    plan.SetRoute(where.route, Route{route.vehicle, ApplyInsertion(route, where, jobs[*chosen].pickup,
                                                                   jobs[*chosen].delivery)});
    done[*chosen] = true;
    result.placed.push_back({*chosen, where});
  }
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    if (!done[j]) result.unplaced.push_back(j);
  }
  return result;
}

TEST(InsertJobsTest, IncrementalListsGiveTheSameAnswerAsSearchingAfresh) {
  const TravelModel travel;
  std::mt19937_64 rng(5);
  std::uniform_real_distribution<double> km(-3.0, 3.0);
  std::uniform_int_distribution<int> boxes(1, 4), minutes(0, 60), priority(0, 2);
  int placed = 0;
  for (int round = 0; round < 30; ++round) {
    LivePlan incremental(travel), afresh(travel);
    for (int c = 0; c < 2 + round % 7; ++c) {
      const Route courier = Courier({kSite.lat + km(rng) / 111.0, kSite.lon + km(rng) / 83.0}, boxes(rng));
      incremental.SetRoute(static_cast<std::size_t>(c), courier);
      afresh.SetRoute(static_cast<std::size_t>(c), courier);
    }
    std::vector<Job> jobs;
    for (int j = 0; j < 15; ++j) {
      Job job = MealFor({kSite.lat + km(rng) / 111.0, kSite.lon + km(rng) / 83.0}, j, priority(rng));
      job.delivery.earliest = kNoon + minutes(rng) * kMin;
      job.delivery.latest = job.delivery.earliest + 30 * kMin;
      jobs.push_back(job);
    }
    const std::size_t k = 1 + static_cast<std::size_t>(round % 3);
    const BatchResult a = InsertJobs(incremental, jobs, BatchOptions{k});
    const BatchResult b = InsertJobsAfresh(afresh, jobs, k);
    ASSERT_EQ(a.placed.size(), b.placed.size()) << "round " << round;
    for (std::size_t p = 0; p < a.placed.size(); ++p) {
      EXPECT_EQ(a.placed[p].job, b.placed[p].job) << "round " << round << " placement " << p;
      EXPECT_EQ(a.placed[p].insertion.route, b.placed[p].insertion.route);
      EXPECT_EQ(a.placed[p].insertion.pickup_pos, b.placed[p].insertion.pickup_pos);
      EXPECT_EQ(a.placed[p].insertion.delivery_pos, b.placed[p].insertion.delivery_pos);
    }
    EXPECT_EQ(a.unplaced, b.unplaced);
    placed += static_cast<int>(a.placed.size());
  }
  EXPECT_GT(placed, 150);
}

}  // namespace
}  // namespace meal::routing
