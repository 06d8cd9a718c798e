// Tests for SolveVrp (the SISR solver in routing/solver/) on published
// benchmark instances.
//
// Solutions are judged by a checker written here from the problem definition
// in vrp.h, in plain double arithmetic; it shares no code with the solver's
// fixed-point route state, so a bug in the solver's cached checks shows up.
// Instances are read by a minimal loader of its own for the same reason.

#include <cmath>
#include <cstdlib>
#include <filesystem>
#include <tuple>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "routing/vrp.h"
#include "routing/vrp_formats.h"

namespace meal::routing {
namespace {

namespace fs = std::filesystem;

// The benchmark files live beside the repository (../shared/bench-data);
// MEAL_BENCH_DATA overrides that for other checkouts.
fs::path BenchDir() {
  if (const char* env = std::getenv("MEAL_BENCH_DATA")) return env;
  // __FILE__ is <repo>/src/routing/solver_test.cc.
  const fs::path repo = fs::path(__FILE__).parent_path().parent_path().parent_path();
  return repo.parent_path() / "shared" / "bench-data" / "routing";
}

struct CheckResult {
  std::string error;  // empty when feasible
  double distance = 0;
  int vehicles = 0;
};

double Euclid(const VrpNode& a, const VrpNode& b) { return std::hypot(a.x - b.x, a.y - b.y); }

// Every customer exactly once, fleet, capacity (Solomon: total; Li & Lim:
// load within [0, Q] all along), time windows and depot horizon, and for
// Li & Lim each pair on one route with the pickup first.
CheckResult Check(const VrpInstance& instance, const VrpSolution& solution) {
  constexpr double kEps = 1e-6;
  CheckResult result;
  const int n = static_cast<int>(instance.nodes.size());
  std::vector<int> seen(n, 0), route_of(n, -1), position(n, -1);
  const VrpNode& depot = instance.nodes[0];
  for (std::size_t r = 0; r < solution.routes.size(); ++r) {
    const std::vector<int>& route = solution.routes[r];
    if (route.empty()) continue;
    ++result.vehicles;
    double time = depot.ready;
    int prev = 0;
    int load = 0;
    for (std::size_t k = 0; k < route.size(); ++k) {
      const int c = route[k];
      if (c <= 0 || c >= n) return {"bad id " + std::to_string(c)};
      const VrpNode& node = instance.nodes[c];
      ++seen[c];
      route_of[c] = static_cast<int>(r);
      position[c] = static_cast<int>(k);
      const double leg = Euclid(instance.nodes[prev], node);
      time = std::max(time + instance.nodes[prev].service + leg, node.ready);
      result.distance += leg;
      if (time > node.due + kEps) return {"late at " + std::to_string(c)};
      load += node.demand;
      if (instance.pickup_delivery && (load < 0 || load > instance.capacity)) {
        return {"load out of range at " + std::to_string(c)};
      }
      prev = c;
    }
    const double back = Euclid(instance.nodes[prev], depot);
    result.distance += back;
    if (time + instance.nodes[prev].service + back > depot.due + kEps) return {"late at the depot"};
    if (!instance.pickup_delivery && load > instance.capacity) return {"over capacity"};
  }
  if (result.vehicles > instance.vehicles) return {"fleet exceeded"};
  for (int c = 1; c < n; ++c) {
    if (seen[c] != 1) return {"customer " + std::to_string(c) + " served " + std::to_string(seen[c]) + " times"};
    const int d = instance.nodes[c].delivery;
    if (instance.pickup_delivery && d != 0 && (route_of[d] != route_of[c] || position[d] < position[c])) {
      return {"pair " + std::to_string(c) + "->" + std::to_string(d) + " split or reversed"};
    }
  }
  return result;
}

class SolverTest : public ::testing::Test {
 protected:
  VrpInstance Load(const std::string& set, const std::string& name) {
    VrpInstance instance;
    const fs::path path = BenchDir() / set / (name + ".txt");
    const Status status = set.starts_with("lilim") ? LoadLiLim(path.string(), &instance)
                                                   : LoadSolomon(path.string(), &instance);
    loaded_ = status.ok();
    EXPECT_TRUE(loaded_) << status.ToString();
    return instance;
  }
  bool loaded_ = false;
};

// The benchmark data sits beside the repository (../shared/bench-data) on
// every machine that runs the tests; its absence is a failure, not a skip.
#define REQUIRE_LOADED()                                                   \
  if (!loaded_) FAIL() << "benchmark data not found under " << BenchDir() \
                       << " (set MEAL_BENCH_DATA)"

TEST_F(SolverTest, C101DistanceReachesBestKnown) {
  const VrpInstance instance = Load("solomon-100", "c101");
  REQUIRE_LOADED();
  VrpSolveOptions options;
  options.objective = VrpObjective::kDistance;
  options.budget_ms = 500;
  const CheckResult check = Check(instance, SolveVrp(instance, options));
  ASSERT_EQ(check.error, "");
  EXPECT_LE(check.distance, 828.94 * 1.01);
}

TEST_F(SolverTest, Rc101DistanceWithinTwoPercent) {
  const VrpInstance instance = Load("solomon-100", "rc101");
  REQUIRE_LOADED();
  VrpSolveOptions options;
  options.objective = VrpObjective::kDistance;
  options.budget_ms = 1000;
  const CheckResult check = Check(instance, SolveVrp(instance, options));
  ASSERT_EQ(check.error, "");
  // Distance-only best known: 1643.41 (16 vehicles); a 1 s run is typically
  // within 0.5%, the margin is for a loaded test machine.
  EXPECT_LE(check.distance, 1643.41 * 1.02);
}

TEST_F(SolverTest, Lc101VehiclesReachesTen) {
  const VrpInstance instance = Load("lilim-100", "lc101");
  REQUIRE_LOADED();
  VrpSolveOptions options;
  options.objective = VrpObjective::kVehicles;
  options.budget_ms = 1000;
  const CheckResult check = Check(instance, SolveVrp(instance, options));
  ASSERT_EQ(check.error, "");
  EXPECT_EQ(check.vehicles, 10);
  EXPECT_LE(check.distance, 828.94 * 1.01);
}

TEST_F(SolverTest, Lr201VehiclesFeasible) {
  // Long routes (4 vehicles for 100 tasks) exercise the pair walk deeply.
  const VrpInstance instance = Load("lilim-100", "lr201");
  REQUIRE_LOADED();
  VrpSolveOptions options;
  options.objective = VrpObjective::kVehicles;
  options.budget_ms = 600;
  const CheckResult check = Check(instance, SolveVrp(instance, options));
  ASSERT_EQ(check.error, "");
  EXPECT_LE(check.vehicles, 5);  // best known: 4
}

TEST_F(SolverTest, DeterministicForSeedAndIterationCap) {
  for (const auto& [set, name, objective] :
       {std::tuple{"solomon-100", "r101", VrpObjective::kDistance},
        std::tuple{"lilim-100", "lrc104", VrpObjective::kVehicles}}) {
    const VrpInstance instance = Load(set, name);
    REQUIRE_LOADED();
    VrpSolveOptions options;
    options.objective = objective;
    options.budget_ms = 60'000;  // never binding: the iteration cap stops it
    options.max_iterations = 3000;
    options.seed = 7;
    const VrpSolution first = SolveVrp(instance, options);
    const VrpSolution second = SolveVrp(instance, options);
    EXPECT_EQ(first.routes, second.routes) << name;
    EXPECT_EQ(Check(instance, first).error, "") << name;
    options.seed = 8;
    EXPECT_EQ(Check(instance, SolveVrp(instance, options)).error, "") << name;
  }
}

TEST(SolverSmallTest, TinyInstanceServesEveryone) {
  // Two customers that cannot share a vehicle (capacity), one that fits
  // anywhere: three customers, two routes at least.
  VrpInstance instance;
  instance.vehicles = 3;
  instance.capacity = 10;
  instance.nodes = {{0, 0, 0, 0, 0, 1000, 0, 0, 0},
                    {1, 10, 0, 8, 0, 1000, 5, 0, 0},
                    {2, -10, 0, 8, 0, 1000, 5, 0, 0},
                    {3, 0, 10, 2, 0, 1000, 5, 0, 0}};
  VrpSolveOptions options;
  options.budget_ms = 1000;
  options.max_iterations = 200;
  const CheckResult check = Check(instance, SolveVrp(instance, options));
  ASSERT_EQ(check.error, "");
  EXPECT_EQ(check.vehicles, 2);
}

TEST(SolverSmallTest, DepotOnlyGivesNoRoutes) {
  VrpInstance instance;
  instance.vehicles = 1;
  instance.capacity = 10;
  instance.nodes = {{0, 0, 0, 0, 0, 100, 0, 0, 0}};
  EXPECT_TRUE(SolveVrp(instance, VrpSolveOptions{}).routes.empty());
}

}  // namespace
}  // namespace meal::routing
