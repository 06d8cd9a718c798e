// Cheapest insertion of one new order into an area's live plan: every
// courier has about 8 stops, as at a lunch peak.
#include <benchmark/benchmark.h>

#include <random>

#include "routing/insertion.h"
#include "routing/live_plan.h"

namespace meal::routing {
namespace {

constexpr EventTimeMs kNoon = 1'795'900'000'000;

GeoPoint Near(std::mt19937_64& rng) {
  std::uniform_real_distribution<double> d(-0.02, 0.02);
  return {41.80 + d(rng), 123.43 + d(rng)};
}

std::vector<Route> LiveRoutes(int couriers, std::mt19937_64& rng) {
  const TravelModel travel;
  std::vector<Route> routes;
  for (int c = 0; c < couriers; ++c) {
    Route r;
    r.vehicle = {Near(rng), kNoon, kNoon + 4 * 3'600'000, 8, 0, Mode::kEbike};
    // Four jobs appended one after another, so the plan is feasible.
    for (int j = 0; j < 4; ++j) {
      Stop p{Near(rng), true, j, 1, kNoon, kNoLimit, 120'000, 0, kNotPickedUp};
      Stop d{Near(rng), false, j, -1, kNoon, kNoon + 3 * 3'600'000, 180'000, 45 * 60'000, kNotPickedUp};
      std::vector<Stop> stops = r.stops;
      stops.push_back(p);
      stops.push_back(d);
      if (Evaluate(r.vehicle, stops, travel)) r.stops = std::move(stops);
    }
    routes.push_back(std::move(r));
  }
  return routes;
}

std::vector<std::pair<Stop, Stop>> Jobs(std::mt19937_64& rng) {
  std::vector<std::pair<Stop, Stop>> jobs;
  for (int i = 0; i < 64; ++i) {
    jobs.push_back({Stop{Near(rng), true, 99, 1, kNoon, kNoLimit, 120'000, 0, kNotPickedUp},
                    Stop{Near(rng), false, 99, -1, kNoon + 1'800'000, kNoon + 5'400'000, 180'000, 45 * 60'000,
                         kNotPickedUp}});
  }
  return jobs;
}

// The exhaustive reference: every courier, every position pair.
void BM_CheapestInsertion(benchmark::State& state) {
  std::mt19937_64 rng(42);
  const std::vector<Route> routes = LiveRoutes(static_cast<int>(state.range(0)), rng);
  const TravelModel travel;
  const auto jobs = Jobs(rng);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [p, d] = jobs[i++ % jobs.size()];
    benchmark::DoNotOptimize(CheapestInsertion(routes, p, d, travel));
  }
  state.counters["couriers"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_CheapestInsertion)->Arg(10)->Arg(50)->Arg(200)->Unit(benchmark::kMicrosecond);

// The same queries on cached routes with safe bounds: the same answers.
void BM_LivePlanInsertion(benchmark::State& state) {
  std::mt19937_64 rng(42);
  const std::vector<Route> routes = LiveRoutes(static_cast<int>(state.range(0)), rng);
  LivePlan plan{TravelModel{}};
  for (std::size_t r = 0; r < routes.size(); ++r) plan.SetRoute(r, routes[r]);
  const auto jobs = Jobs(rng);
  std::size_t i = 0;
  for (auto _ : state) {
    const auto& [p, d] = jobs[i++ % jobs.size()];
    benchmark::DoNotOptimize(plan.BestInsertion(p, d));
  }
  state.counters["couriers"] = static_cast<double>(state.range(0));
}
BENCHMARK(BM_LivePlanInsertion)->Arg(10)->Arg(50)->Arg(200)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace meal::routing
