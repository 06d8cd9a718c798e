// The whole pipeline against the real broker: simulated input in, the real
// meal-dispatchd process, outputs and RocksDB state checked.
#include <gtest/gtest.h>

#include <random>
#include <set>

#include "mealdispatch/v1/events.pb.h"
#include "mealdispatch/v1/outputs.pb.h"
#include "service_harness.h"

namespace meal::testing {
namespace {

namespace pb = ::mealdispatch::v1;

struct Outcomes {
  std::set<std::string> assigned;      // order ids that appeared in a plan
  std::set<std::string> unassignable;  // order ids with an UNASSIGNABLE alert
  std::size_t assignment_records = 0;
  std::size_t duplicate_assignments = 0;  // same (courier, plan version) twice
  std::size_t duplicate_alerts = 0;       // same alert id twice
};

Outcomes ReadOutcomes(const sim::Topics& topics) {
  Outcomes out;
  std::set<std::pair<std::string, std::uint64_t>> plans;
  std::set<std::string> alert_ids;
  for (const kafka::Record& r : ReadAll({topics.assignments, topics.alerts})) {
    if (r.topic == topics.assignments) {
      pb::Assignment a;
      EXPECT_TRUE(a.ParseFromString(r.value));
      ++out.assignment_records;
      if (!plans.emplace(a.courier_id(), a.plan_version()).second) ++out.duplicate_assignments;
      for (const pb::PlannedStop& s : a.stops()) out.assigned.insert(s.order_id());
    } else {
      pb::Alert a;
      EXPECT_TRUE(a.ParseFromString(r.value));
      if (!alert_ids.insert(a.alert_id()).second) ++out.duplicate_alerts;
      if (a.kind() == pb::UNASSIGNABLE) out.unassignable.insert(a.order_id());
    }
  }
  return out;
}

// The whole input is in Kafka before the service starts: the service merges
// an area's topics by event time, which is a pure function of the input only
// when it is all there (a live producer racing the consumer would make the
// clean and the crashed run see different interleavings).
void PublishCity(const sim::Topics& topics, const sim::City& city) {
  CreateTopics(topics);
  Produce(city.registry);
  Produce(city.events);
}

sim::City MakeCity(const sim::Topics& topics, int orders, int areas, int couriers, double malformed) {
  sim::CityOptions options;
  options.seed = 7;
  options.orders = orders;
  options.areas = areas;
  options.couriers_per_area = couriers;
  options.malformed_share = malformed;
  options.static_location_pings = true;
  options.topics = topics;
  return sim::GenerateCity(options);
}

// (a) Every one of 10,000 simulated orders ends assigned or alerted, and no
// output record is published twice.
TEST(PipelineIntegrationTest, TenThousandOrdersAllAssignedOrAlertedWithoutDuplicates) {
  const sim::Topics topics = UniqueTopics("volume");
  const sim::City city = MakeCity(topics, 10000, 4, 40, 0.0);
  ServiceProcess service("volume", topics);
  PublishCity(topics, city);
  service.Start();
  ASSERT_TRUE(service.WaitDrained(300)) << "see " << service.log_path();
  ASSERT_EQ(service.Stop(), 0);

  const Outcomes outcomes = ReadOutcomes(topics);
  std::size_t missing = 0;
  for (const std::string& id : city.ready_order_ids) {
    if (!outcomes.assigned.contains(id) && !outcomes.unassignable.contains(id)) ++missing;
  }
  EXPECT_GE(city.ready_order_ids.size(), 9000u);
  EXPECT_EQ(missing, 0u) << "orders with neither an assignment nor an alert";
  EXPECT_GT(outcomes.assigned.size(), 0u);
  EXPECT_EQ(outcomes.duplicate_assignments, 0u);
  EXPECT_EQ(outcomes.duplicate_alerts, 0u);
  EXPECT_TRUE(ReadAll({topics.dlq}).empty()) << "valid input must not be dead-lettered";
}

// (b) SIGKILL mid-stream and restart: the final state and the read_committed
// outputs equal those of an uninterrupted run of the same input.
TEST(PipelineIntegrationTest, SigkillMidStreamLosesNothingAndAppliesNothingTwice) {
  const sim::Topics input = UniqueTopics("kill");
  const sim::City city = MakeCity(input, 3000, 2, 20, 0.01);
  std::size_t input_events = city.events.size();

  ServiceProcess clean("clean", RunTopics(input, "clean"));
  PublishCity(input, city);
  clean.Start();
  ASSERT_TRUE(clean.WaitDrained(300)) << "see " << clean.log_path();
  ASSERT_EQ(clean.Stop(), 0);

  ServiceProcess killed("killed", RunTopics(input, "killed"));
  killed.Start();
  // Kill once it is well into the input but not through it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  double seen = 0;
  while (std::chrono::steady_clock::now() < deadline &&
         (seen = killed.Metric("meal_events_total")) < 0.3 * static_cast<double>(input_events)) {
  }
  ASSERT_LT(seen, static_cast<double>(input_events)) << "the run finished before it could be killed";
  killed.Kill();
  killed.Start();
  ASSERT_TRUE(killed.WaitDrained(300)) << "see " << killed.log_path();
  ASSERT_EQ(killed.Stop(), 0);

  const RunDiff diff = CompareRuns(clean, killed);
  ASSERT_GT(diff.clean_state_keys, 1000u);
  EXPECT_GT(diff.clean_assignments, 0u);
  EXPECT_GT(diff.clean_alerts, 0u);
  EXPECT_GT(diff.clean_dead_letters, 0u);
  EXPECT_EQ(diff.mismatched, 0u) << diff.examples;
  EXPECT_EQ(diff.lost, 0u) << diff.examples;
  EXPECT_EQ(diff.duplicated, 0u) << diff.examples;
}

// (c) Malformed messages land in the DLQ with reasons while valid traffic
// keeps flowing.
TEST(PipelineIntegrationTest, MalformedMessagesGoToTheDeadLetterTopicAndTrafficFlows) {
  const sim::Topics topics = UniqueTopics("dlq");
  sim::City city = MakeCity(topics, 600, 2, 15, 0.0);
  ASSERT_EQ(city.malformed_count(), 0u);

  // 100 bad records of several kinds, spread through the day.
  std::mt19937_64 rng(11);
  std::vector<sim::SimRecord> bad;
  const std::string area = city.area_ids.front();
  for (int i = 0; i < 100; ++i) {
    const sim::SimRecord& anchor = city.events[rng() % city.events.size()];
    sim::SimRecord r{topics.orders, area, "", anchor.time_ms};
    pb::OrderEvent e;
    e.mutable_header()->set_event_id("bad-" + std::to_string(i));
    e.mutable_header()->set_area_id(area);
    e.mutable_header()->set_event_time_ms(anchor.time_ms);
    switch (i % 5) {
      case 0:  // not protobuf at all
        for (int b = 0; b < 40; ++b) r.value.push_back(static_cast<char>(rng() & 0xff));
        r.value[0] = '\xff';
        break;
      case 1:  // a valid message cut short
        e.mutable_placed()->set_order_id("bad-order-" + std::to_string(i));
        e.mutable_placed()->set_site_id("site-x");
        r.value = e.SerializeAsString();
        r.value.resize(r.value.size() - 5);
        break;
      case 2:  // no event id
        e.mutable_header()->clear_event_id();
        e.mutable_ready()->set_order_id("o");
        r.value = e.SerializeAsString();
        break;
      case 3:  // ready for an order never placed
        e.mutable_ready()->set_order_id("never-placed-" + std::to_string(i));
        r.value = e.SerializeAsString();
        break;
      case 4:  // keyed to another area than it says
        e.mutable_ready()->set_order_id("o");
        r.key = "area-elsewhere";
        r.value = e.SerializeAsString();
        break;
    }
    bad.push_back(std::move(r));
  }
  std::vector<sim::SimRecord> mixed = city.events;
  mixed.insert(mixed.end(), bad.begin(), bad.end());
  std::stable_sort(mixed.begin(), mixed.end(), [](const auto& a, const auto& b) { return a.time_ms < b.time_ms; });

  ServiceProcess service("dlq", topics);
  CreateTopics(topics);
  Produce(city.registry);
  Produce(mixed);
  service.Start();
  ASSERT_TRUE(service.WaitDrained(300)) << "see " << service.log_path();
  ASSERT_EQ(service.Stop(), 0);

  std::set<std::string> reasons;
  std::size_t dead = 0;
  for (const kafka::Record& r : ReadAll({topics.dlq})) {
    pb::DeadLetter d;
    ASSERT_TRUE(d.ParseFromString(r.value));
    EXPECT_FALSE(d.reason().empty());
    EXPECT_EQ(d.topic(), topics.orders);
    EXPECT_GE(d.offset(), 0);
    reasons.insert(d.reason().substr(0, 20));
    ++dead;
  }
  EXPECT_EQ(dead, 100u);
  EXPECT_GE(reasons.size(), 4u) << "each kind of damage gets its own reason";

  const Outcomes outcomes = ReadOutcomes(topics);
  std::size_t missing = 0;
  for (const std::string& id : city.ready_order_ids) {
    if (!outcomes.assigned.contains(id) && !outcomes.unassignable.contains(id)) ++missing;
  }
  EXPECT_EQ(missing, 0u) << "valid orders kept flowing around the bad ones";
  EXPECT_GT(outcomes.assigned.size(), city.ready_order_ids.size() / 2);
}

}  // namespace
}  // namespace meal::testing
