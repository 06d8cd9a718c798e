// One re-optimisation step (routing::Reoptimize) over an area's live plan,
// with the engine's default budget: what the engine pays each time an area's
// stream time crosses dispatch.reoptimize_interval_s.
#include <benchmark/benchmark.h>

#include <random>

#include "live_routes.h"
#include "routing/reoptimize.h"

namespace meal::routing {
namespace {

// dispatch.reoptimize_evaluations' default.
constexpr std::int64_t kEngineEvaluations = 128;

void BM_Reoptimize(benchmark::State& state) {
  std::mt19937_64 rng(42);
  std::vector<Route> plan = bench::LiveRoutes(static_cast<int>(state.range(0)), rng);
  // The engine numbers jobs across the whole area.
  for (std::size_t r = 0; r < plan.size(); ++r) {
    for (Stop& stop : plan[r].stops) stop.job += static_cast<std::int32_t>(4 * r);
  }
  const TravelModel travel;
  ReoptimizeOptions options;
  options.max_evaluations = kEngineEvaluations;
  std::int64_t moves = 0;
  for (auto _ : state) {
    // Every step starts from the same plan: a step that found the moves
    // would leave the next one nothing to do.
    state.PauseTiming();
    std::vector<Route> routes = plan;
    state.ResumeTiming();
    const ReoptimizeResult result = Reoptimize(routes, travel, options);
    moves += result.moves;
    benchmark::DoNotOptimize(routes.data());
  }
  state.counters["couriers"] = static_cast<double>(state.range(0));
  state.counters["moves"] = benchmark::Counter(static_cast<double>(moves), benchmark::Counter::kAvgIterations);
}
BENCHMARK(BM_Reoptimize)->Arg(10)->Arg(50)->Arg(200)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace meal::routing
