#include "ingest/task_merger.h"

#include <gtest/gtest.h>

#include <string>
#include <vector>

namespace meal::ingest {
namespace {

using Merger = TaskMerger<std::string>;

std::vector<std::string> Drain(Merger& merger) {
  std::vector<std::string> out;
  int topic = 0;
  while (auto p = merger.Pop(&topic)) out.push_back(std::to_string(topic) + ":" + *p);
  return out;
}

TEST(TaskMergerTest, WaitsForEveryPartitionOfTheTask) {
  Merger merger;
  merger.AddPartition(0, 0);
  merger.AddPartition(1, 0);
  merger.Push(0, 0, /*timestamp=*/100, /*offset=*/10, "a");
  EXPECT_TRUE(Drain(merger).empty()) << "topic 1 may still hold an earlier record";
  merger.MarkEnd(1, 0);
  EXPECT_EQ(Drain(merger), std::vector<std::string>{"0:a"});
  EXPECT_FALSE(merger.AllCaughtUp());
  merger.MarkEnd(0, 0);
  EXPECT_TRUE(merger.AllCaughtUp());
}

TEST(TaskMergerTest, OrdersByTimestampThenTopicThenOffset) {
  Merger merger;
  for (int t = 0; t < 3; ++t) merger.AddPartition(t, 0);
  merger.Push(2, 0, 50, 1, "early");
  merger.Push(1, 0, 100, 7, "t1");
  merger.Push(0, 0, 100, 5, "t0-first");
  merger.Push(0, 0, 100, 6, "t0-second");
  merger.Push(2, 0, 200, 2, "late");
  for (int t = 0; t < 3; ++t) merger.MarkEnd(t, 0);
  const std::vector<std::string> expected = {"2:early", "0:t0-first", "0:t0-second", "1:t1", "2:late"};
  EXPECT_EQ(Drain(merger), expected);
}

TEST(TaskMergerTest, ARecordArrivingLaterStillGoesFirstIfEarlier) {
  Merger merger;
  merger.AddPartition(0, 0);
  merger.AddPartition(1, 0);
  merger.Push(0, 0, 300, 1, "late");
  merger.Push(1, 0, 100, 1, "early");  // arrives after, but is older
  merger.MarkEnd(0, 0);
  merger.MarkEnd(1, 0);
  EXPECT_EQ(Drain(merger), (std::vector<std::string>{"1:early", "0:late"}));
}

TEST(TaskMergerTest, TasksAreIndependent) {
  Merger merger;
  for (int p = 0; p < 2; ++p) {
    merger.AddPartition(0, p);
    merger.AddPartition(1, p);
  }
  merger.Push(0, 1, 10, 3, "p1");
  merger.MarkEnd(1, 1);
  // Partition 0 knows nothing yet and blocks only itself.
  EXPECT_EQ(Drain(merger), std::vector<std::string>{"0:p1"});
}

TEST(TaskMergerTest, RevokedPartitionDropsItsBufferAndLaterRecords) {
  Merger merger;
  merger.AddPartition(0, 0);
  merger.Push(0, 0, 1, 1, "x");
  merger.Push(0, 0, 2, 2, "y");
  EXPECT_EQ(merger.buffered(), 2u);
  merger.RemovePartition(0, 0);
  EXPECT_EQ(merger.buffered(), 0u);
  merger.Push(0, 0, 3, 3, "z");
  EXPECT_EQ(merger.buffered(), 0u);
  EXPECT_TRUE(Drain(merger).empty());
}

}  // namespace
}  // namespace meal::ingest
