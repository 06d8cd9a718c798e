// Tests for the benchmark file readers: the real Solomon and Li & Lim files
// (CRLF, as published), small in-memory files for each kind of bad input,
// the BKS tables and the route-file round trip.

#include "routing/vrp_formats.h"

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <map>
#include <sstream>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "common/status.h"
#include "routing/vrp.h"

namespace meal::routing {
namespace {

// <repo>/src/routing/this_file -> <repo>/../shared/bench-data/routing, where
// the project keeps the benchmark data beside the repository.
std::string BenchData() {
  const std::filesystem::path repo = std::filesystem::path(__FILE__).parent_path().parent_path().parent_path();
  return (repo / ".." / "shared" / "bench-data" / "routing").lexically_normal().string();
}

std::string ReadRaw(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

// Joins lines with CRLF, as the published files are written.
std::string Crlf(const std::vector<std::string>& lines) {
  std::string text;
  for (const std::string& line : lines) text += line + "\r\n";
  return text;
}

// A small Solomon file; line numbers in the tests below refer to it (1-based).
std::vector<std::string> MiniSolomon() {
  return {
      "MINI",                                                                           // 1
      "",                                                                               // 2
      "VEHICLE",                                                                        // 3
      "NUMBER     CAPACITY",                                                            // 4
      "  2         10",                                                                 // 5
      "",                                                                               // 6
      "CUSTOMER",                                                                       // 7
      "CUST NO.  XCOORD.   YCOORD.    DEMAND   READY TIME  DUE DATE   SERVICE   TIME",  // 8
      " ",                                                                              // 9
      "    0      0         0          0          0       100          0   ",           // 10
      "    1\t3\t4\t5\t0\t50\t1",                                                       // 11
      "    2      6         8          5         10        20          1",              // 12
  };
}

// A small Li & Lim file (tab-separated): pickup 1 -> delivery 2.
std::vector<std::string> MiniLiLim() {
  return {
      "2\t10\t1",                       // 1
      "0\t0\t0\t0\t0\t100\t0\t0\t0",    // 2
      "1\t3\t4\t5\t0\t100\t1\t0\t2",    // 3
      "2\t6\t8\t-5\t0\t100\t1\t1\t0",   // 4
  };
}

std::vector<std::string> Replace(std::vector<std::string> lines, int number, const std::string& text) {
  lines[number - 1] = text;
  return lines;
}

// Expects a failure whose message starts with "<source>:<line>: " and
// contains `what`.
void ExpectError(const Status& status, const std::string& source, int line, const std::string& what) {
  ASSERT_FALSE(status.ok());
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  const std::string prefix = source + ":" + std::to_string(line) + ": ";
  EXPECT_EQ(status.message().rfind(prefix, 0), 0u) << status.message();
  EXPECT_NE(status.message().find(what), std::string::npos) << status.message();
}

TEST(LoadSolomonTest, ReadsC101) {
  const std::string path = BenchData() + "/solomon-100/c101.txt";
  // The published files are CRLF; make sure this test really exercises that.
  ASSERT_NE(ReadRaw(path).find("\r\n"), std::string::npos) << path;
  VrpInstance instance;
  const Status status = LoadSolomon(path, &instance);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(instance.name, "c101");
  EXPECT_FALSE(instance.pickup_delivery);
  EXPECT_EQ(instance.vehicles, 25);
  EXPECT_EQ(instance.capacity, 200);
  ASSERT_EQ(instance.nodes.size(), 101u);
  for (int i = 0; i < 101; ++i) EXPECT_EQ(instance.nodes[i].id, i);
  const VrpNode& depot = instance.nodes[0];
  EXPECT_EQ(depot.x, 40);
  EXPECT_EQ(depot.y, 50);
  EXPECT_EQ(depot.demand, 0);
  EXPECT_EQ(depot.ready, 0);
  EXPECT_EQ(depot.due, 1236);
  EXPECT_EQ(depot.service, 0);
  const VrpNode& first = instance.nodes[1];  // "1 45 68 10 912 967 90"
  EXPECT_EQ(first.x, 45);
  EXPECT_EQ(first.y, 68);
  EXPECT_EQ(first.demand, 10);
  EXPECT_EQ(first.ready, 912);
  EXPECT_EQ(first.due, 967);
  EXPECT_EQ(first.service, 90);
  EXPECT_EQ(first.pickup, 0);
  EXPECT_EQ(first.delivery, 0);
  const VrpNode& last = instance.nodes[100];  // "100 55 85 20 647 726 90"
  EXPECT_EQ(last.x, 55);
  EXPECT_EQ(last.y, 85);
  EXPECT_EQ(last.demand, 20);
  EXPECT_EQ(last.ready, 647);
  EXPECT_EQ(last.due, 726);
  int total_demand = 0;
  for (const VrpNode& node : instance.nodes) total_demand += node.demand;
  EXPECT_EQ(total_demand, 1810);  // c101's known total; 10 routes of at most 200
}

TEST(LoadLiLimTest, ReadsLc101) {
  const std::string path = BenchData() + "/lilim-100/lc101.txt";
  const std::string raw = ReadRaw(path);
  ASSERT_NE(raw.find("\r\n"), std::string::npos) << path;
  ASSERT_NE(raw.find('\t'), std::string::npos) << path;
  VrpInstance instance;
  const Status status = LoadLiLim(path, &instance);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(instance.name, "lc101");
  EXPECT_TRUE(instance.pickup_delivery);
  EXPECT_EQ(instance.vehicles, 25);
  EXPECT_EQ(instance.capacity, 200);
  ASSERT_EQ(instance.nodes.size(), 107u);  // depot + 106 tasks (53 pairs)
  EXPECT_EQ(instance.nodes[0].due, 1236);
  const VrpNode& delivery = instance.nodes[1];  // "1 45 68 -10 912 967 90 11 0"
  EXPECT_EQ(delivery.x, 45);
  EXPECT_EQ(delivery.y, 68);
  EXPECT_EQ(delivery.demand, -10);
  EXPECT_EQ(delivery.ready, 912);
  EXPECT_EQ(delivery.due, 967);
  EXPECT_EQ(delivery.service, 90);
  EXPECT_EQ(delivery.pickup, 11);
  EXPECT_EQ(delivery.delivery, 0);
  const VrpNode& pickup = instance.nodes[11];  // "11 35 69 10 448 505 90 0 1"
  EXPECT_EQ(pickup.demand, 10);
  EXPECT_EQ(pickup.pickup, 0);
  EXPECT_EQ(pickup.delivery, 1);
  EXPECT_EQ(instance.nodes[3].delivery, 75);
  EXPECT_EQ(instance.nodes[75].pickup, 3);
  const VrpNode& last = instance.nodes[106];  // "106 60 85 -30 561 622 90 97 0"
  EXPECT_EQ(last.demand, -30);
  EXPECT_EQ(last.due, 622);
  EXPECT_EQ(last.pickup, 97);
  int pickups = 0;
  for (const VrpNode& node : instance.nodes) pickups += node.delivery != 0 ? 1 : 0;
  EXPECT_EQ(pickups, 53);
}

TEST(LoadSolomonTest, AcceptsCrlfLfTabsAndBlankLines) {
  for (const std::string& text :
       {Crlf(MiniSolomon()),
        [] {  // extra blank and whitespace-only lines between the rows
          std::vector<std::string> lines = MiniSolomon();
          lines.insert(lines.begin() + 10, {"", " \t "});
          lines.push_back("");
          return Crlf(lines);
        }(),
        [] {  // LF only, no final newline
          std::string t;
          for (const std::string& line : MiniSolomon()) t += line + "\n";
          t.pop_back();
          return t;
        }()}) {
    VrpInstance instance;
    const Status status = ParseSolomon(text, "dir/mini.txt", &instance);
    ASSERT_TRUE(status.ok()) << status.ToString();
    EXPECT_EQ(instance.name, "mini");
    EXPECT_EQ(instance.vehicles, 2);
    EXPECT_EQ(instance.capacity, 10);
    ASSERT_EQ(instance.nodes.size(), 3u);
    EXPECT_EQ(instance.nodes[1].x, 3);  // the tab-separated row
    EXPECT_EQ(instance.nodes[1].due, 50);
    EXPECT_EQ(instance.nodes[2].ready, 10);
  }
}

TEST(LoadSolomonTest, ReportsFileAndLineOfBadInput) {
  struct Case {
    int line;
    std::string text;
    std::string what;
  };
  const std::vector<Case> cases = {
      {12, "    2      6         8          5         10        20", "expected 7 numbers"},
      {11, "    1 3 4 x5 0 50 1", "'x5' is not a number (column DEMAND)"},
      {12, "    3 6 8 5 10 20 1", "node id 3 out of sequence: expected 2"},
      {11, "    1 3 4 5 60 50 1", "ready time 60 is after due time 50"},
      {11, "    1 3 4 -5 0 50 1", "negative demand -5"},
      {11, "    1 3 4 2.5 0 50 1", "DEMAND must be an integer"},
      {5, "  2", "expected 2 numbers"},
      {5, "  0  10", "vehicle count must be a positive integer"},
      {1, "25 200 1", "expected the instance name"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    VrpInstance instance;
    ExpectError(ParseSolomon(Crlf(Replace(MiniSolomon(), c.line, c.text)), "mini.txt", &instance), "mini.txt",
                c.line, c.what);
  }
  VrpInstance instance;
  std::vector<std::string> trailing = MiniSolomon();
  trailing.push_back("END");
  ExpectError(ParseSolomon(Crlf(trailing), "mini.txt", &instance), "mini.txt", 13, "expected a node row");
  std::vector<std::string> truncated = MiniSolomon();
  truncated.resize(9);
  ExpectError(ParseSolomon(Crlf(truncated), "mini.txt", &instance), "mini.txt", 9, "no customer rows");
  ExpectError(ParseSolomon("", "mini.txt", &instance), "mini.txt", 1, "empty file");
}

TEST(LoadSolomonTest, ReportsThePathOfABadFileAndOfAMissingOne) {
  const std::string path = ::testing::TempDir() + "/vrp_formats_test_bad.txt";
  {
    std::ofstream out(path, std::ios::binary);
    out << Crlf(Replace(MiniSolomon(), 12, "    2 6 8 5 10"));
  }
  VrpInstance instance;
  ExpectError(LoadSolomon(path, &instance), path, 12, "expected 7 numbers");
  std::remove(path.c_str());

  const Status missing = LoadSolomon(path, &instance);
  ASSERT_FALSE(missing.ok());
  EXPECT_EQ(missing.code(), StatusCode::kIoError);
  EXPECT_NE(missing.message().find(path), std::string::npos) << missing.message();
}

TEST(LoadLiLimTest, ReadsASmallFile) {
  VrpInstance instance;
  const Status status = ParseLiLim(Crlf(MiniLiLim()), "x/mini.txt", &instance);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(instance.name, "mini");
  EXPECT_TRUE(instance.pickup_delivery);
  ASSERT_EQ(instance.nodes.size(), 3u);
  EXPECT_EQ(instance.nodes[1].delivery, 2);
  EXPECT_EQ(instance.nodes[2].pickup, 1);
  EXPECT_EQ(instance.nodes[2].demand, -5);
}

TEST(LoadLiLimTest, ReportsFileAndLineOfBadInput) {
  struct Case {
    int line;
    std::string text;
    int error_line;
    std::string what;
  };
  const std::vector<Case> cases = {
      {3, "1\t3\t4\t5\t0\t100\t1\t0", 3, "expected 9 numbers"},
      {4, "2\t6\t8\t-5\t0\t100\t1\t3\t0", 4, "names partner 3, not a task in 1..2"},
      {4, "2\t6\t8\t-5\t0\t100\t1\t0\t0", 4, "must have exactly one of pickup and delivery"},
      {4, "2\t6\t8\t-6\t0\t100\t1\t1\t0", 3, "task 1 has demand 5 but its partner 2 has -6"},
      {2, "0\t0\t0\t3\t0\t100\t0\t0\t0", 2, "the depot (node 0) must have demand 0"},
      {1, "2\tten\t1", 1, "'ten' is not a number (column capacity)"},
      {1, "MINI", 1, "expected 'vehicles capacity speed'"},
  };
  for (const Case& c : cases) {
    SCOPED_TRACE(c.text);
    VrpInstance instance;
    ExpectError(ParseLiLim(Crlf(Replace(MiniLiLim(), c.line, c.text)), "mini.txt", &instance), "mini.txt",
                c.error_line, c.what);
  }
  // Two pairs where task 4 names the wrong pickup: reported at task 3's row,
  // which points at the row that fails to name it back.
  std::vector<std::string> lines = MiniLiLim();
  lines.push_back("3\t1\t1\t2\t0\t100\t1\t0\t4");  // line 5
  lines.push_back("4\t2\t2\t-2\t0\t100\t1\t1\t0");  // line 6
  VrpInstance instance;
  ExpectError(ParseLiLim(Crlf(lines), "mini.txt", &instance), "mini.txt", 5,
              "task 3 names partner 4, which does not name it back (line 6)");
  // A Solomon file given as Li & Lim.
  ExpectError(LoadLiLim(BenchData() + "/solomon-100/c101.txt", &instance), BenchData() + "/solomon-100/c101.txt", 1,
              "a Solomon file?");
}

TEST(LoadBksTest, ReadsThePublishedTables) {
  std::map<std::string, Bks> bks;
  Status status = LoadBks(BenchData() + "/bks/solomon-100.csv", &bks);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(bks.size(), 56u);
  EXPECT_EQ(bks["c101"].vehicles, 10);
  EXPECT_DOUBLE_EQ(bks["c101"].distance, 828.94);

  status = LoadBks(BenchData() + "/bks/lilim-100.csv", &bks);  // quoted sources with commas
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(bks.size(), 56u);
  EXPECT_EQ(bks["lc101"].vehicles, 10);
  EXPECT_DOUBLE_EQ(bks["lc101"].distance, 828.9369);
  EXPECT_EQ(bks.count("c101"), 0u) << "the map is cleared first";
}

TEST(LoadBksTest, HandlesQuotesCrlfAndReportsBadRows) {
  std::map<std::string, Bks> bks;
  const Status ok = ParseBks(
      "instance,vehicles,distance,source\r\nx1,3,12.5,\"a, \"\"quoted\"\" source\"\r\n\r\nx2\t, 4 ,7,plain\r\n",
      "t.csv", &bks);
  ASSERT_TRUE(ok.ok()) << ok.ToString();
  ASSERT_EQ(bks.size(), 2u);
  EXPECT_EQ(bks["x1"].vehicles, 3);
  EXPECT_DOUBLE_EQ(bks["x1"].distance, 12.5);
  EXPECT_EQ(bks["x2"].vehicles, 4);

  ExpectError(ParseBks("instance,vehicles,source\nx,1,s\n", "t.csv", &bks), "t.csv", 1,
              "must name the columns instance, vehicles and distance");
  ExpectError(ParseBks("instance,vehicles,distance\nx,1,2\ny,ten,2\n", "t.csv", &bks), "t.csv", 3,
              "vehicles must be a positive integer, got 'ten'");
  ExpectError(ParseBks("instance,vehicles,distance\nx,1,2\n\nx,1,3\n", "t.csv", &bks), "t.csv", 4,
              "instance x repeats line 2");
  ExpectError(ParseBks("instance,vehicles,distance,source\nx,1,2,\"open\n", "t.csv", &bks), "t.csv", 2,
              "unterminated quote");
  ExpectError(ParseBks("instance,vehicles,distance\nx,1\n", "t.csv", &bks), "t.csv", 2,
              "expected at least 3 fields");
}

TEST(SolutionFileTest, RoundTripsAndDropsEmptyRoutes) {
  VrpSolution solution;
  solution.routes = {{5, 3, 7}, {}, {1}};
  const std::string text = FormatSolution(solution);
  EXPECT_EQ(text, "Route 1 : 5 3 7\nRoute 2 : 1\n");
  VrpSolution back;
  const Status status = ParseSolution(text, "s.sol", &back);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(back.routes, (std::vector<std::vector<int>>{{5, 3, 7}, {1}}));
}

TEST(SolutionFileTest, ReadsSintefLayoutAndReportsBadLines) {
  VrpSolution solution;
  const Status status = ParseSolution(
      "Instance name : lc101\r\nAuthors : x\r\nSolution\r\nRoute 1 : 5 3\r\nRoute #2: 4\r\n\r\nroute 3:\t6 1\r\n",
      "s.sol", &solution);
  ASSERT_TRUE(status.ok()) << status.ToString();
  EXPECT_EQ(solution.routes, (std::vector<std::vector<int>>{{5, 3}, {4}, {6, 1}}));

  ExpectError(ParseSolution("Route 1 : 5 3\nRoute 2 : 4 x\n", "s.sol", &solution), "s.sol", 2,
              "'x' is not a node id");
  ExpectError(ParseSolution("Route 1 : 5 3\nCost 12\n", "s.sol", &solution), "s.sol", 2,
              "expected 'Route N : id id ...'");
  ExpectError(ParseSolution("Route 1 5 3\n", "s.sol", &solution), "s.sol", 1, "expected ':'");
  ExpectError(ParseSolution("Route one : 5 3\n", "s.sol", &solution), "s.sol", 1, "bad route number 'one'");
}

}  // namespace
}  // namespace meal::routing
