#include "ingest/backpressure.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <initializer_list>
#include <map>
#include <random>
#include <set>
#include <string>
#include <vector>

#include "ingest/task_merger.h"

namespace meal::ingest {
namespace {

using Partition = Backpressure::Partition;

struct Fixture {
  metrics::Registry registry;
  Backpressure::Metrics metrics{&registry.GetGauge("paused", ""), &registry.GetCounter("pauses", ""),
                                &registry.GetGauge("peak", "")};
  std::set<Partition> waited;  // what the merger waits on, as the test says
  Backpressure bp{10, /*headroom=*/3, [this](const Partition& p) { return waited.contains(p); }, metrics};

  // Assigns `partitions` and buffers up to the threshold.
  void Engage(std::initializer_list<Partition> partitions) {
    for (const Partition& p : partitions) bp.Assigned(p);
    static_cast<void>(bp.OnRecord(10));
  }
};

std::set<Partition> AsSet(const std::vector<Partition>& v) { return {v.begin(), v.end()}; }

TEST(BackpressureTest, EngagesAtTheThresholdAndSparesWhatTheMergerWaitsOn) {
  Fixture f;
  const Partition a{0, 0}, b{1, 0}, c{0, 1};
  for (const Partition& p : {a, b, c}) f.bp.Assigned(p);
  f.waited = {b};
  for (std::size_t n = 1; n < 10; ++n) EXPECT_TRUE(f.bp.OnRecord(n).empty());
  EXPECT_FALSE(f.bp.engaged());
  const Backpressure::Actions actions = f.bp.OnRecord(10);
  EXPECT_TRUE(f.bp.engaged());
  EXPECT_EQ(AsSet(actions.pause), (std::set<Partition>{a, c}));
  EXPECT_TRUE(actions.resume.empty());
  EXPECT_FALSE(f.bp.IsPaused(b));
  EXPECT_EQ(f.metrics.paused->Value(), 1);
  EXPECT_EQ(f.metrics.pauses->Value(), 1u);
  EXPECT_EQ(f.metrics.buffered_peak->Value(), 10);
}

TEST(BackpressureTest, AWaitedOnPartitionFetchesUpToTheHardLimitAndResumesOnceDrained) {
  Fixture f;
  const Partition a{0, 0}, b{1, 0}, c{2, 0};
  f.waited = {b, c};
  f.Engage({a, b, c});
  f.waited = {c};
  EXPECT_TRUE(f.bp.OnRecord(11).empty());
  EXPECT_TRUE(f.bp.OnRecord(12).empty());
  EXPECT_EQ(f.bp.OnRecord(13).pause, std::vector<Partition>{b}) << "10 + headroom 3";
  EXPECT_FALSE(f.bp.IsPaused(c)) << "the merger still waits on it";
  f.waited.clear();
  EXPECT_EQ(f.bp.OnRecord(14).pause, std::vector<Partition>{c}) << "above the limit, one record each";
  EXPECT_EQ(f.metrics.buffered_peak->Value(), 14);

  EXPECT_TRUE(f.bp.Update(9).empty()) << "still engaged, nothing drained";
  f.waited = {b};  // the engine applied b's records; b's task waits on it again
  const Backpressure::Actions actions = f.bp.Update(8);
  EXPECT_EQ(actions.resume, std::vector<Partition>{b});
  EXPECT_TRUE(f.bp.engaged());
  EXPECT_TRUE(f.bp.IsPaused(a));
}

TEST(BackpressureTest, ResumesEverythingBelowHalf) {
  Fixture f;
  const Partition a{0, 0}, c{0, 1};
  f.Engage({a, c});
  EXPECT_TRUE(f.bp.Update(5).empty()) << "half is not below half";
  EXPECT_EQ(AsSet(f.bp.Update(4).resume), (std::set<Partition>{a, c}));
  EXPECT_FALSE(f.bp.engaged());
  EXPECT_EQ(f.metrics.paused->Value(), 0);
  EXPECT_TRUE(f.bp.Update(0).empty());

  static_cast<void>(f.bp.OnRecord(10));
  EXPECT_EQ(f.metrics.pauses->Value(), 2u);
}

TEST(BackpressureTest, APartitionAssignedWhileEngagedIsPausedLikeTheOthers) {
  Fixture f;
  const Partition a{0, 0}, fresh{2, 3};
  f.Engage({a});
  f.waited = {fresh};  // nothing of it buffered yet
  f.bp.Assigned(fresh);
  EXPECT_TRUE(f.bp.Update(10).empty());
  EXPECT_FALSE(f.bp.IsPaused(fresh)) << "its task releases nothing until it has a record";
  f.waited.clear();
  EXPECT_TRUE(f.bp.OnRecord(11).empty());
  EXPECT_TRUE(f.bp.OnRecord(12).empty());
  EXPECT_EQ(f.bp.OnRecord(13).pause, std::vector<Partition>{fresh});
}

TEST(BackpressureTest, ARevokedPartitionIsForgotten) {
  Fixture f;
  const Partition a{0, 0}, c{0, 1};
  f.Engage({a, c});
  EXPECT_TRUE(f.bp.Revoked(c)) << "paused: the caller must resume it in librdkafka";
  EXPECT_FALSE(f.bp.IsPaused(c));
  EXPECT_EQ(f.bp.Update(0).resume, std::vector<Partition>{a});
  EXPECT_FALSE(f.bp.Revoked(a));
  // Assigned again later, it starts unpaused.
  f.bp.Assigned(c);
  EXPECT_FALSE(f.bp.IsPaused(c));
}

// A consumer and engine simulated against the real TaskMerger: records are
// fetched in random bursts from unpaused partitions and applied in random
// batches. Backpressure must keep the promised bound, never stall the merge,
// and leave the merged order exactly as it is without it.
struct SimResult {
  std::vector<std::string> order;
  std::size_t peak = 0;
  std::uint64_t pauses = 0;
  bool stalled = false;
};

constexpr std::size_t kHeadroom = 50;  // the simulated poll's size

SimResult Simulate(std::size_t max_buffered, std::uint64_t seed) {
  constexpr int kTopics = 3, kPartitions = 4, kRecords = 400;
  std::mt19937_64 rng(seed);
  std::map<Partition, std::vector<std::int64_t>> input;  // timestamps by offset
  for (int t = 0; t < kTopics; ++t) {
    for (int p = 0; p < kPartitions; ++p) {
      std::int64_t ts = 0;
      auto& records = input[{t, p}];
      for (int i = 0; i < kRecords; ++i) records.push_back(ts += static_cast<std::int64_t>(rng() % 50));
    }
  }
  TaskMerger<std::string> merger;
  metrics::Registry registry;
  Backpressure bp(
      max_buffered, kHeadroom, [&](const Partition& p) { return merger.WaitsOn(p.first, p.second); },
      {&registry.GetGauge("paused", ""), &registry.GetCounter("pauses", ""), &registry.GetGauge("peak", "")});
  std::map<Partition, std::size_t> next;
  std::set<Partition> paused;  // as librdkafka would see it
  auto carry = [&](const Backpressure::Actions& actions) {
    for (const Partition& p : actions.pause) EXPECT_TRUE(paused.insert(p).second);
    for (const Partition& p : actions.resume) EXPECT_EQ(paused.erase(p), 1u);
  };
  for (const auto& [p, records] : input) {
    merger.AddPartition(p.first, p.second);
    bp.Assigned(p);
    next[p] = 0;
  }
  SimResult result;
  const std::size_t total = kTopics * kPartitions * kRecords;
  int idle = 0;
  while (result.order.size() < total) {
    carry(bp.Update(merger.buffered()));
    // One poll: up to 50 records from partitions librdkafka would fetch.
    std::vector<Partition> fetchable;
    for (const auto& [p, records] : input) {
      if (!paused.contains(p)) fetchable.push_back(p);
    }
    for (std::size_t i = 0; i < kHeadroom && !fetchable.empty(); ++i) {
      const Partition p = fetchable[rng() % fetchable.size()];
      if (paused.contains(p)) continue;
      std::size_t& n = next[p];
      if (n == input[p].size()) {
        merger.MarkEnd(p.first, p.second);
        continue;
      }
      merger.Push(p.first, p.second, input[p][n], static_cast<std::int64_t>(n),
                  std::to_string(p.first) + "/" + std::to_string(p.second) + "@" + std::to_string(n));
      ++n;
      result.peak = std::max(result.peak, merger.buffered());
      carry(bp.OnRecord(merger.buffered()));
    }
    // The engine applies up to 30.
    const std::size_t before = result.order.size();
    int topic = 0;
    for (std::size_t k = rng() % 31; k > 0; --k) {
      auto record = merger.Pop(&topic);
      if (!record) break;
      result.order.push_back(*record);
    }
    idle = result.order.size() == before ? idle + 1 : 0;
    if (idle > 1000) {
      result.stalled = true;
      break;
    }
  }
  result.pauses = registry.GetCounter("pauses", "").Value();
  EXPECT_EQ(registry.GetGauge("peak", "").Value(), static_cast<double>(result.peak));
  return result;
}

TEST(BackpressureTest, SimulatedBurstsStayBoundedNeverStallAndKeepTheMergeOrder) {
  constexpr std::size_t kPartitions = 12;
  for (std::uint64_t seed = 1; seed <= 20; ++seed) {
    SCOPED_TRACE("seed " + std::to_string(seed));
    const SimResult unbounded = Simulate(1'000'000, seed);
    ASSERT_FALSE(unbounded.stalled);
    EXPECT_EQ(unbounded.pauses, 0u);
    for (std::size_t max_buffered : {100, 20, 1}) {
      SCOPED_TRACE("max_buffered " + std::to_string(max_buffered));
      const SimResult bounded = Simulate(max_buffered, seed);
      ASSERT_FALSE(bounded.stalled);
      EXPECT_GT(bounded.pauses, 0u);
      EXPECT_LE(bounded.peak, max_buffered + kHeadroom + kPartitions - 1);
      // Same seed, same input; only the fetch pattern differs, and the order
      // within each task must not depend on it.
      auto by_task = [](const std::vector<std::string>& order) {
        std::map<std::string, std::vector<std::string>> tasks;
        for (const std::string& r : order) tasks[r.substr(r.find('/') + 1, r.find('@') - r.find('/') - 1)].push_back(r);
        return tasks;
      };
      EXPECT_EQ(by_task(bounded.order), by_task(unbounded.order));
    }
  }
}

}  // namespace
}  // namespace meal::ingest
