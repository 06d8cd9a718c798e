// GroupConsumer against librdkafka's in-process mock cluster: pausing and
// resuming through the real client loses nothing, repeats nothing, keeps
// each partition in order and holds the merger to its bound.
#include "ingest/group_consumer.h"

#include <gtest/gtest.h>
#include <librdkafka/rdkafka_mock.h>

#include <chrono>
#include <map>
#include <memory>
#include <set>
#include <string>
#include <vector>

#include "state/memory_store.h"

namespace meal::ingest {
namespace {

constexpr int kPartitions = 2;
constexpr int kRecordsPerPartition = 1500;

class MockCluster {
 public:
  explicit MockCluster(const std::vector<std::string>& topics, int partitions = kPartitions) {
    Status status;
    kafka::ConfPtr conf = kafka::MakeConf({{"test.mock.num.brokers", "1"}, {"linger.ms", "5"}}, &status);
    EXPECT_TRUE(status.ok()) << status.message();
    char errstr[512];
    producer_.reset(rd_kafka_new(RD_KAFKA_PRODUCER, conf.get(), errstr, sizeof errstr));
    EXPECT_TRUE(producer_) << errstr;
    conf.release();
    rd_kafka_mock_cluster_t* cluster = rd_kafka_handle_mock_cluster(producer_.get());
    for (const std::string& t : topics) {
      EXPECT_EQ(rd_kafka_mock_topic_create(cluster, t.c_str(), partitions, 1), RD_KAFKA_RESP_ERR_NO_ERROR);
    }
    bootstrap_ = rd_kafka_mock_cluster_bootstraps(cluster);
  }

  // Timestamps of the topics interleave, so the merger must hold one
  // topic's records while it waits for the other's.
  void Fill(const std::vector<std::string>& topics) {
    for (std::size_t t = 0; t < topics.size(); ++t) {
      for (int p = 0; p < kPartitions; ++p) {
        for (int i = 0; i < kRecordsPerPartition; ++i) {
          const std::string value = "record " + std::to_string(i);
          const std::int64_t timestamp = 1'700'000'000'000 + 2 * i + static_cast<std::int64_t>(t);
          ASSERT_EQ(rd_kafka_producev(producer_.get(), RD_KAFKA_V_TOPIC(topics[t].c_str()), RD_KAFKA_V_PARTITION(p),
                                      RD_KAFKA_V_VALUE(const_cast<char*>(value.data()), value.size()),
                                      RD_KAFKA_V_MSGFLAGS(RD_KAFKA_MSG_F_COPY), RD_KAFKA_V_TIMESTAMP(timestamp),
                                      RD_KAFKA_V_END),
                    RD_KAFKA_RESP_ERR_NO_ERROR);
        }
      }
    }
    ASSERT_EQ(rd_kafka_flush(producer_.get(), 30000), RD_KAFKA_RESP_ERR_NO_ERROR);
  }

  const std::string& bootstrap() const { return bootstrap_; }

 private:
  kafka::HandlePtr producer_;
  std::string bootstrap_;
};

TEST(GroupConsumerTest, PausesUnderABurstAndDeliversEveryRecordOnceInOrder) {
  const std::vector<std::string> topics = {"orders", "couriers"};
  MockCluster cluster(topics);
  cluster.Fill(topics);

  constexpr std::size_t kMaxBuffered = 100;
  constexpr std::size_t kBatch = 40;
  state::MemoryStore store;
  Merger merger;
  metrics::Registry registry;
  GroupConsumer consumer({{"bootstrap.servers", cluster.bootstrap()}, {"group.id", "backpressure"}}, topics, store,
                         merger, nullptr, nullptr, kMaxBuffered, kBatch,
                         {&registry.GetGauge("paused", ""), &registry.GetCounter("pauses", ""),
                          &registry.GetGauge("peak", "")});
  consumer.Subscribe();

  const std::size_t total = topics.size() * kPartitions * kRecordsPerPartition;
  std::map<std::pair<int, std::int32_t>, std::vector<std::int64_t>> applied;
  std::size_t count = 0, peak = 0, polls_while_paused = 0;
  // A bound on a failing run only; the loop ends when everything is applied.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  while (count < total && std::chrono::steady_clock::now() < deadline) {
    consumer.Poll(merger.buffered() > 0 ? 0 : 100, kBatch);
    peak = std::max(peak, merger.buffered());
    if (consumer.paused()) ++polls_while_paused;
    int topic = 0;
    for (std::size_t n = 0; n < kBatch; ++n) {
      std::optional<MessagePtr> msg = merger.Pop(&topic);
      if (!msg) break;
      applied[{topic, (*msg)->partition}].push_back((*msg)->offset);
      consumer.Applied(topic, (*msg)->partition, (*msg)->offset);
      ++count;
    }
  }

  ASSERT_EQ(count, total);
  for (const auto& [tp, offsets] : applied) {
    ASSERT_EQ(offsets.size(), static_cast<std::size_t>(kRecordsPerPartition)) << tp.first << "/" << tp.second;
    for (std::size_t i = 0; i < offsets.size(); ++i) {
      ASSERT_EQ(offsets[i], static_cast<std::int64_t>(i)) << "topic " << tp.first << " partition " << tp.second;
    }
  }
  EXPECT_GT(registry.GetCounter("pauses", "").Value(), 0u);
  EXPECT_GT(polls_while_paused, 0u);
  const std::size_t assigned = topics.size() * kPartitions;
  EXPECT_LE(peak, kMaxBuffered + kBatch + assigned - 1);
  EXPECT_EQ(registry.GetGauge("peak", "").Value(), static_cast<double>(peak));
  EXPECT_EQ(merger.buffered(), 0u);
}

// Partition numbers of `consumer`'s assignment, per topic.
std::map<std::string, std::set<std::int32_t>> Tasks(const GroupConsumer& consumer) {
  std::map<std::string, std::set<std::int32_t>> out;
  for (const PartitionLag& lag : consumer.Lags()) out[lag.topic].insert(lag.partition);
  return out;
}

// Instances join one by one, as when a deployment scales from one to
// three: after every rebalance each owns whole tasks.
TEST(GroupConsumerTest, InstancesJoiningOneByOneEachOwnWholeTasks) {
  const std::vector<std::string> topics = {"orders", "couriers", "deliveries"};
  constexpr int kTasks = 4;
  constexpr int kInstances = 3;
  MockCluster cluster(topics, kTasks);
  state::MemoryStore store;
  metrics::Registry registry;
  const Backpressure::Metrics metrics{&registry.GetGauge("paused", ""), &registry.GetCounter("pauses", ""),
                                      &registry.GetGauge("peak", "")};
  // Quick heartbeats: a member learns of a rebalance at its next heartbeat.
  const kafka::Properties props = {{"bootstrap.servers", cluster.bootstrap()},
                                   {"group.id", "tasks"},
                                   {"heartbeat.interval.ms", "200"},
                                   {"session.timeout.ms", "6000"}};
  std::vector<std::unique_ptr<Merger>> mergers;
  std::vector<std::unique_ptr<GroupConsumer>> instances;
  const std::size_t all = topics.size() * kTasks;
  for (int joined = 1; joined <= kInstances; ++joined) {
    mergers.push_back(std::make_unique<Merger>());
    instances.push_back(std::make_unique<GroupConsumer>(props, topics, store, *mergers.back(), nullptr, nullptr, 1000, 100,
                                                        metrics));
    instances.back()->Subscribe();
    // A bound on a failing run only: the loop ends once every instance
    // holds a task and every partition is someone's.
    auto settled = [&] {
      std::size_t total = 0;
      for (const auto& c : instances) {
        if (c->assigned_count() == 0) return false;
        total += c->assigned_count();
      }
      return total == all;
    };
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(60);
    while (!settled() && std::chrono::steady_clock::now() < deadline) {
      for (const auto& c : instances) c->Poll(20, 100);
    }
    ASSERT_TRUE(settled()) << joined << " instances";
    for (const auto& c : instances) {
      const auto tasks = Tasks(*c);
      ASSERT_EQ(tasks.size(), topics.size()) << joined << " instances: one owns partitions of some topics only";
      for (const std::string& topic : topics) {
        EXPECT_EQ(tasks.at(topic), tasks.at(topics[0])) << joined << " instances: " << topic << " split from its tasks";
      }
    }
  }
}

}  // namespace
}  // namespace meal::ingest
