// Backpressure against the real broker: a whole simulated day is in Kafka
// before the service starts, many times pipeline.max_buffered_records, so the
// consumer must pause and resume its partitions to get through it; it must
// hold its buffer to the bound and still apply every event once.
#include <gtest/gtest.h>

#include <set>
#include <string>

#include "mealdispatch/v1/outputs.pb.h"
#include "service_harness.h"

namespace meal::testing {
namespace {

namespace pb = ::mealdispatch::v1;

TEST(BackpressureIntegrationTest, ABurstManyTimesTheBufferPausesStaysBoundedAndLosesNothing) {
  constexpr std::size_t kMaxBuffered = 500;
  constexpr std::size_t kBatch = 100;  // one poll's worth, the headroom above kMaxBuffered
  // orders, couriers, deliveries and commands, 4 partitions each (CreateTopics).
  constexpr std::size_t kInputPartitions = 4 * 4;

  const sim::Topics topics = UniqueTopics("burst");
  sim::CityOptions options;  // 2,000 orders, 15 couriers per area
  options.seed = 17;
  options.areas = 4;
  options.malformed_share = 0.0;
  options.static_location_pings = true;
  options.topics = topics;
  const sim::City city = sim::GenerateCity(options);
  ASSERT_GE(city.events.size(), 10 * kMaxBuffered) << "not a burst";

  CreateTopics(topics);
  Produce(city.registry);
  Produce(city.events);

  ServiceProcess service("burst", topics);
  service.Set("pipeline.max_buffered_records=" + std::to_string(kMaxBuffered));
  service.Set("pipeline.batch_max_records=" + std::to_string(kBatch));
  service.Start();
  ASSERT_TRUE(service.WaitDrained(300)) << "see " << service.log_path();

  const double pauses = service.Metric("meal_consumer_pauses_total");
  const double peak = service.Metric("meal_buffered_records_peak");
  const double events = service.Metric("meal_events_total");
  EXPECT_GT(pauses, 0);
  EXPECT_EQ(service.Metric("meal_consumer_paused"), 0) << "drained, so resumed";
  // The bound ingest/backpressure.h promises: engaged at kMaxBuffered, the
  // partitions the merger waits on fetch up to kMaxBuffered + kBatch, then
  // one record each.
  EXPECT_GT(peak, 0);
  EXPECT_LE(peak, static_cast<double>(kMaxBuffered + kBatch + kInputPartitions - 1));
  EXPECT_EQ(events, static_cast<double>(city.registry.size() + city.events.size()))
      << "every input record counted once";
  EXPECT_EQ(service.Metric("meal_duplicate_events_total"), 0);
  RecordProperty("buffered_peak", std::to_string(peak));
  RecordProperty("pauses", std::to_string(pauses));
  RecordProperty("input_events", std::to_string(city.events.size()));
  ASSERT_EQ(service.Stop(), 0);

  std::set<std::string> settled;  // assigned or alerted as unassignable
  std::set<std::pair<std::string, std::uint64_t>> plans;
  std::set<std::string> alert_ids;
  std::size_t duplicate_plans = 0, duplicate_alerts = 0;
  for (const kafka::Record& r : ReadAll({topics.assignments, topics.alerts})) {
    if (r.topic == topics.assignments) {
      pb::Assignment a;
      ASSERT_TRUE(a.ParseFromString(r.value));
      if (!plans.emplace(a.courier_id(), a.plan_version()).second) ++duplicate_plans;
      for (const pb::PlannedStop& s : a.stops()) settled.insert(s.order_id());
    } else {
      pb::Alert a;
      ASSERT_TRUE(a.ParseFromString(r.value));
      if (!a.reannounced() && !alert_ids.insert(a.alert_id()).second) ++duplicate_alerts;
      if (a.kind() == pb::UNASSIGNABLE) settled.insert(a.order_id());
    }
  }
  std::size_t missing = 0;
  for (const std::string& id : city.ready_order_ids) missing += settled.contains(id) ? 0 : 1;
  EXPECT_GT(city.ready_order_ids.size(), 0u);
  EXPECT_EQ(missing, 0u) << "ready orders with neither an assignment nor an alert";
  EXPECT_EQ(duplicate_plans, 0u);
  EXPECT_EQ(duplicate_alerts, 0u);
  EXPECT_TRUE(ReadAll({topics.dlq}).empty()) << "valid input must not be dead-lettered";
}

}  // namespace
}  // namespace meal::testing
