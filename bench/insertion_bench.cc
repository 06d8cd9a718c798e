// Cheapest insertion of one new order into an area's live plan
// (live_routes.h: every courier has about 8 stops, as at a lunch peak).
#include <benchmark/benchmark.h>

#include <random>

#include "live_routes.h"
#include "routing/insertion.h"
#include "routing/live_plan.h"

namespace meal::routing {
namespace {

using bench::kNoon;
using bench::LiveRoutes;
using bench::Near;

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
