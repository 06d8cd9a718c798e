// Tests for the independent solution checker, on tiny hand-made instances
// where every time, load and distance can be worked out on paper: one valid
// solution each, then each rule broken exactly once; then published
// best-known solutions, which must pass.

#include "routing/vrp_checker.h"

#include <cmath>
#include <filesystem>
#include <string>
#include <utility>
#include <vector>

#include <gtest/gtest.h>

#include "common/status.h"
#include "routing/vrp.h"
#include "routing/vrp_formats.h"

namespace meal::routing {
namespace {

std::string BenchData() {
  const std::filesystem::path repo = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
  return (repo / ".." / "shared" / "bench-data" / "routing").lexically_normal().string();
}

VrpNode Node(int id, double x, double y, int demand, double ready, double due, double service, int pickup = 0,
             int delivery = 0) {
  VrpNode node;
  node.id = id;
  node.x = x;
  node.y = y;
  node.demand = demand;
  node.ready = ready;
  node.due = due;
  node.service = service;
  node.pickup = pickup;
  node.delivery = delivery;
  return node;
}

// VRPTW, 2 vehicles of capacity 15. The valid plan {1, 2} {3}:
//   route 1: depot -5-> 1 (arrive 5 = due 5, leave 6) -5-> 2 (arrive 11,
//            leave 12) -10-> depot at 22; load 10.
//   route 2: depot -sqrt2-> 3 (arrive 1.41, wait to 20, leave 25) -sqrt2->
//            depot at 26.41; load 7.
//   distance 20 + 2 sqrt2.
VrpInstance TinyVrptw() {
  VrpInstance instance;
  instance.name = "tiny";
  instance.vehicles = 2;
  instance.capacity = 15;
  instance.nodes = {
      Node(0, 0, 0, 0, 0, 100, 0),
      Node(1, 3, 4, 5, 0, 5, 1),
      Node(2, 6, 8, 5, 10, 20, 1),
      Node(3, 1, 1, 7, 20, 90, 5),
  };
  return instance;
}

// PDPTW, 2 vehicles of capacity 10; pairs 1 -> 2 (5 units) and 3 -> 4
// (7 units), wide windows. The valid plan {1, 2} {3, 4}: route 1 is
// 5 + 5 + 10 = 20, route 2 is 6 + 3 + 3 = 12; distance 32.
VrpInstance TinyPdptw() {
  VrpInstance instance;
  instance.name = "tiny-pd";
  instance.vehicles = 2;
  instance.capacity = 10;
  instance.pickup_delivery = true;
  instance.nodes = {
      Node(0, 0, 0, 0, 0, 200, 0),
      Node(1, 3, 4, 5, 0, 100, 1, 0, 2),
      Node(2, 6, 8, -5, 0, 100, 1, 1, 0),
      Node(3, 0, 6, 7, 0, 100, 1, 0, 4),
      Node(4, 0, 3, -7, 0, 100, 1, 3, 0),
  };
  return instance;
}

VrpSolution Routes(std::vector<std::vector<int>> routes) {
  VrpSolution solution;
  solution.routes = std::move(routes);
  return solution;
}

std::string Joined(const CheckReport& report) {
  std::string all;
  for (const std::string& v : report.violations) all += "\n  " + v;
  return all;
}

// The report is infeasible with exactly one violation, mentioning `what`.
void ExpectOnly(const CheckReport& report, const std::string& what) {
  EXPECT_FALSE(report.feasible);
  ASSERT_EQ(report.violations.size(), 1u) << Joined(report);
  EXPECT_NE(report.violations[0].find(what), std::string::npos) << Joined(report);
}

TEST(CheckSolutionTest, ValidVrptwPlanPassesWithItsExactDistance) {
  const CheckReport report = CheckSolution(TinyVrptw(), Routes({{1, 2}, {}, {3}}));
  EXPECT_TRUE(report.feasible) << Joined(report);
  EXPECT_TRUE(report.violations.empty());
  EXPECT_EQ(report.vehicles, 2) << "an empty route uses no vehicle";
  EXPECT_DOUBLE_EQ(report.distance, 20 + 2 * std::sqrt(2.0));
}

TEST(CheckSolutionTest, MissingCustomer) {
  ExpectOnly(CheckSolution(TinyVrptw(), Routes({{1, 2}})), "customer 3 is not served");
}

TEST(CheckSolutionTest, DuplicateCustomer) {
  // 3 twice in a row: no travel, back by 31.4, load 14; only the repeat is wrong.
  ExpectOnly(CheckSolution(TinyVrptw(), Routes({{1, 2}, {3, 3}})), "customer 3 is served 2 times");
}

TEST(CheckSolutionTest, CapacityVrptw) {
  // All on one route: on time (3 at 20.6), but 17 units for 15.
  ExpectOnly(CheckSolution(TinyVrptw(), Routes({{1, 2, 3}})), "total demand 17 exceeds the capacity 15");
}

TEST(CheckSolutionTest, TimeWindow) {
  // 2 first (at 10, leave 11), then 1 at 16, after its due time 5.
  ExpectOnly(CheckSolution(TinyVrptw(), Routes({{2, 1}, {3}})), "customer 1 starts service at 16.0000");
}

TEST(CheckSolutionTest, DepotDueTime) {
  VrpInstance instance = TinyVrptw();
  instance.nodes[0].due = 25;  // route 1 is back at 22, route 2 only at 26.41
  ExpectOnly(CheckSolution(instance, Routes({{1, 2}, {3}})), "route 2: back at the depot at 26.4142");
}

TEST(CheckSolutionTest, FleetSize) {
  const CheckReport report = CheckSolution(TinyVrptw(), Routes({{1}, {2}, {3}}));
  ExpectOnly(report, "3 vehicles used, the fleet has 2");
  EXPECT_EQ(report.vehicles, 3);
}

TEST(CheckSolutionTest, InvalidNodeIds) {
  ExpectOnly(CheckSolution(TinyVrptw(), Routes({{1, 2}, {3, 9}})), "node id 9 out of range 1..3");
  ExpectOnly(CheckSolution(TinyVrptw(), Routes({{1, 2}, {-1, 3}})), "node id -1 out of range");
  ExpectOnly(CheckSolution(TinyVrptw(), Routes({{1, 0, 2}, {3}})), "the depot (0) inside a route");
}

TEST(CheckSolutionTest, ToleratesRoundingNoiseButNotLateness) {
  // Arrival at 2 is sqrt2 + sqrt2; a due time 1e-9 earlier is rounding
  // noise, 1e-3 earlier is late.
  VrpInstance instance;
  instance.vehicles = 1;
  instance.capacity = 10;
  const double arrival = std::sqrt(2.0) + std::sqrt(2.0);
  instance.nodes = {Node(0, 0, 0, 0, 0, 100, 0), Node(1, 1, 1, 1, 0, 100, 0), Node(2, 2, 2, 1, 0, arrival - 1e-9, 0)};
  EXPECT_TRUE(CheckSolution(instance, Routes({{1, 2}})).feasible);
  instance.nodes[2].due = arrival - 1e-3;
  ExpectOnly(CheckSolution(instance, Routes({{1, 2}})), "customer 2 starts service");
}

TEST(CheckSolutionTest, ValidPdptwPlanPassesWithItsExactDistance) {
  const CheckReport report = CheckSolution(TinyPdptw(), Routes({{1, 2}, {3, 4}}));
  EXPECT_TRUE(report.feasible) << Joined(report);
  EXPECT_EQ(report.vehicles, 2);
  EXPECT_DOUBLE_EQ(report.distance, 32.0);
  // Both pairs on one route, one after the other: load 5, 0, 7, 0.
  EXPECT_TRUE(CheckSolution(TinyPdptw(), Routes({{1, 2, 3, 4}})).feasible);
}

TEST(CheckSolutionTest, CapacityPdptwLoadAlongTheRoute) {
  // Total demand is 0, but after 1 and 3 the vehicle carries 12 > 10.
  ExpectOnly(CheckSolution(TinyPdptw(), Routes({{1, 3, 2, 4}})), "load 12 after customer 3 exceeds the capacity 10");
}

TEST(CheckSolutionTest, CapacityPdptwLoadBelowZero) {
  // Only a malformed instance can drive the load below 0 without breaking a
  // pair: here the delivery takes off more than its pickup brought.
  VrpInstance instance = TinyPdptw();
  instance.nodes[2].demand = -6;
  ExpectOnly(CheckSolution(instance, Routes({{1, 2}, {3, 4}})), "load -1 after customer 2 is below 0");
}

TEST(CheckSolutionTest, DeliveryBeforeItsPickup) {
  ExpectOnly(CheckSolution(TinyPdptw(), Routes({{2, 1}, {3, 4}})), "delivery 2 comes before its pickup 1");
}

TEST(CheckSolutionTest, PairSplitAcrossRoutes) {
  // Route 1 carries 7, 0, then 5 home; route 2 delivers what it never loaded.
  ExpectOnly(CheckSolution(TinyPdptw(), Routes({{3, 4, 1}, {2}})),
             "route 2: delivery 2 is on another route than its pickup 1 (route 1)");
}

TEST(CheckSolutionTest, MissingPickupIsReportedOnceAsMissing) {
  ExpectOnly(CheckSolution(TinyPdptw(), Routes({{2}, {3, 4}})), "customer 1 is not served");
}

TEST(CheckSolutionTest, MalformedInstance) {
  VrpInstance instance = TinyVrptw();
  instance.nodes[2].id = 7;
  ExpectOnly(CheckSolution(instance, Routes({{1, 2}, {3}})), "malformed instance: nodes[2] has id 7");
  EXPECT_FALSE(CheckSolution(VrpInstance(), Routes({})).feasible);
}

TEST(CheckSolutionTest, C101OneRoutePerCustomerBreaksOnlyTheFleet) {
  // Every Solomon customer can be served alone from the depot, so the only
  // fault of this plan is using 100 vehicles out of 25.
  VrpInstance instance;
  const Status status = LoadSolomon(BenchData() + "/solomon-100/c101.txt", &instance);
  ASSERT_TRUE(status.ok()) << status.ToString();
  VrpSolution solution;
  double expected = 0;
  for (int i = 1; i <= 100; ++i) {
    solution.routes.push_back({i});
    const double dx = instance.nodes[i].x - instance.nodes[0].x;
    const double dy = instance.nodes[i].y - instance.nodes[0].y;
    expected += 2 * std::sqrt(dx * dx + dy * dy);
  }
  const CheckReport report = CheckSolution(instance, solution);
  ExpectOnly(report, "100 vehicles used, the fleet has 25");
  EXPECT_EQ(report.vehicles, 100);
  EXPECT_NEAR(report.distance, expected, 1e-9);
}

// Published best-known routes (SINTEF, via rogalski-wmii-uni-lodz-pl/
// vrp-benchmarks best_known_solutions/, file headers shortened). Tight
// schedules where service often starts exactly at a due time: the checker
// must accept them and reproduce the published distance.
constexpr const char* kLr101Bks = R"(Instance name : lr101
Authors       : Geir Hasle, Oddvar Kloster
Solution
Route  1 : 63 64 49 48
Route  2 : 39 23 104 67 55 25
Route  3 : 14 44 105 38 43 13
Route  4 : 36 47 19 8 46 17
Route  5 : 62 11 90 20 32 70
Route  6 : 33 29 78 34 35 77
Route  7 : 30 51 101 9 66 1
Route  8 : 95 98 16 86 91 100
Route  9 : 72 75 22 74 102 58
Route  10 : 2 21 73 41 56 4
Route  11 : 27 69 76 79 3 54 24 80
Route  12 : 59 99 94 96
Route  13 : 5 83 61 85 37 93
Route  14 : 92 42 15 87 57 97
Route  15 : 45 82 18 84 60 89
Route  16 : 31 88 7 10
Route  17 : 52 6
Route  18 : 65 71 81 50 68 103
Route  19 : 28 12 40 53 106 26
)";

constexpr const char* kC2_2_1Bks = R"(Instance name : c2_2_1
Authors       : Geir Hasle, Oddvar Kloster
Solution
Route  1 : 104 64 137 198 164 174 115 140 26 18 57 113 131 169 192 84 27 53 56 185 180 37 123 121 124 55 85 88 135 1 111 157 34 176 114 68
Route  2 : 144 42 110 6 184 148 29 2 138 143 126 128 48 145 25 90 193 20 71 127 5 194 190 80 158 101 91 197 44 106 159 83 14
Route  3 : 67 132 10 153 59 86 93 118 182 45 77 33 13 12 73 32 50 96 139 103 141 74 100 81 130 112 120 125 109 149 152 95 129
Route  4 : 178 167 40 39 119 38 166 102 98 76 8 78 177 134 22 191 150 43 151 69 97 31 181 172 87 163 75 168 154 21 51
Route  5 : 188 196 142 107 200 41 183 65 35 116 15 3 199 189 47 175 155 89 179 9 19 146 186 161 54 147 195 156 79 4 11 23 36
Route  6 : 28 136 171 63 173 94 99 70 162 46 187 60 30 108 133 16 61 72 62 122 24 92 49 160 117 82 17 7 170 165 58 66 52 105
)";

TEST(CheckSolutionTest, AcceptsPublishedBestKnownSolutions) {
  VrpInstance lr101;
  Status status = LoadLiLim(BenchData() + "/lilim-100/lr101.txt", &lr101);
  ASSERT_TRUE(status.ok()) << status.ToString();
  VrpSolution solution;
  status = ParseSolution(kLr101Bks, "lr101.sol", &solution);
  ASSERT_TRUE(status.ok()) << status.ToString();
  CheckReport report = CheckSolution(lr101, solution);
  EXPECT_TRUE(report.feasible) << Joined(report);
  EXPECT_EQ(report.vehicles, 19);
  EXPECT_NEAR(report.distance, 1650.7992, 5e-5);  // the table has 4 decimals

  // The same routes with one pair turned round: 6 is the delivery of 52.
  solution.routes[16] = {6, 52};
  report = CheckSolution(lr101, solution);
  EXPECT_FALSE(report.feasible);
  ASSERT_FALSE(report.violations.empty());
  EXPECT_NE(report.violations[0].find("delivery 6 comes before its pickup 52"), std::string::npos) << Joined(report);

  VrpInstance c2_2_1;
  status = LoadSolomon(BenchData() + "/homberger-200/c2_2_1.txt", &c2_2_1);
  ASSERT_TRUE(status.ok()) << status.ToString();
  status = ParseSolution(kC2_2_1Bks, "c2_2_1.sol", &solution);
  ASSERT_TRUE(status.ok()) << status.ToString();
  report = CheckSolution(c2_2_1, solution);
  EXPECT_TRUE(report.feasible) << Joined(report);
  EXPECT_EQ(report.vehicles, 6);
  EXPECT_NEAR(report.distance, 1931.4425, 5e-5);
}

}  // namespace
}  // namespace meal::routing
