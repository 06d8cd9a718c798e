#include "sim/operator_desk.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <limits>
#include <set>
#include <string>
#include <utility>
#include <vector>

#include "mealdispatch/v1/events.pb.h"
#include "sim/city.h"

namespace meal::sim {
namespace {

namespace pb = ::mealdispatch::v1;

constexpr EventTimeMs kT0 = kDefaultDayStartMs + 12 * kHourMs;

pb::Alert WellnessAlert(const std::string& order_id, int step, EventTimeMs t) {
  pb::Alert a;
  a.mutable_header()->set_event_id("alert-" + order_id + "-" + std::to_string(step));
  a.mutable_header()->set_area_id("area-shenhe-01");
  a.mutable_header()->set_event_time_ms(t);
  a.set_alert_id("wellness/" + order_id + "/" + std::to_string(step));
  a.set_kind(pb::WELLNESS_CHECK);
  a.set_order_id(order_id);
  a.set_case_id("wc-" + order_id);
  return a;
}

struct Ack {
  EventTimeMs time_ms = 0;
  pb::CommandEvent command;
};

std::vector<Ack> Decode(const std::vector<SimRecord>& records) {
  std::vector<Ack> out;
  for (const SimRecord& r : records) {
    EXPECT_EQ(r.topic, "meal.commands");
    EXPECT_EQ(r.key, "area-shenhe-01");
    Ack ack{r.time_ms, {}};
    EXPECT_TRUE(ack.command.ParseFromString(r.value));
    EXPECT_EQ(ack.command.header().event_time_ms(), r.time_ms);
    EXPECT_EQ(ack.command.header().area_id(), r.key);
    out.push_back(std::move(ack));
  }
  return out;
}

// Fifty cases opened at kT0, a repeated announcement and an unrelated alert.
OperatorDesk BusyDesk() {
  OperatorDesk desk{DeskOptions{}};
  for (int i = 0; i < 50; ++i) {
    EXPECT_TRUE(desk.OnAlert(WellnessAlert("order-" + std::to_string(i), 0, kT0)));
  }
  EXPECT_FALSE(desk.OnAlert(WellnessAlert("order-7", 1, kT0 + 10 * kMinuteMs))) << "one acknowledgement a case";
  pb::Alert late = WellnessAlert("order-x", 0, kT0);
  late.set_kind(pb::LATE_RISK);
  EXPECT_FALSE(desk.OnAlert(late));
  return desk;
}

TEST(OperatorDeskTest, AcknowledgesEachCaseOnceSomeMinutesAfterItOpened) {
  OperatorDesk desk = BusyDesk();
  EXPECT_TRUE(desk.Advance(kT0 + 3 * kMinuteMs).empty()) << "nobody answers that fast";
  EXPECT_GE(desk.NextDueMs(), kT0 + 4 * kMinuteMs);
  const std::vector<Ack> acks = Decode(desk.Advance(kT0 + 40 * kMinuteMs));
  ASSERT_EQ(acks.size(), 50u);
  EXPECT_EQ(desk.NextDueMs(), std::numeric_limits<EventTimeMs>::max());
  EXPECT_EQ(desk.acknowledged(), 50);
  std::set<std::string> cases;
  std::set<std::string> event_ids;
  int before_first_escalation = 0;  // the service escalates at 10 min
  int after_second_escalation = 0;  // and again at 25 min
  for (const Ack& ack : acks) {
    const pb::CommandEvent& c = ack.command;
    EXPECT_EQ(c.actor(), "sim-operator");
    EXPECT_FALSE(c.reason().empty());
    ASSERT_TRUE(c.has_acknowledge_wellness());
    EXPECT_EQ(c.acknowledge_wellness().outcome(), pb::ELDER_SAFE);
    EXPECT_FALSE(c.acknowledge_wellness().note().empty());
    EXPECT_TRUE(cases.insert(c.acknowledge_wellness().case_id()).second);
    EXPECT_TRUE(event_ids.insert(c.header().event_id()).second);
    const DurationMs delay = ack.time_ms - kT0;
    EXPECT_EQ(delay % kMinuteMs, 0);
    EXPECT_GE(delay, 4 * kMinuteMs);
    EXPECT_LE(delay, 40 * kMinuteMs);
    if (delay < 10 * kMinuteMs) ++before_first_escalation;
    if (delay > 25 * kMinuteMs) ++after_second_escalation;
  }
  EXPECT_TRUE(cases.contains("wc-order-7"));
  EXPECT_TRUE(std::is_sorted(acks.begin(), acks.end(),
                             [](const Ack& a, const Ack& b) { return a.time_ms < b.time_ms; }));
  EXPECT_GT(before_first_escalation, 0);
  EXPECT_GT(after_second_escalation, 0);
}

TEST(OperatorDeskTest, IsDeterministic) {
  OperatorDesk a = BusyDesk();
  OperatorDesk b = BusyDesk();
  const std::vector<SimRecord> x = a.Advance(kT0 + kHourMs);
  EXPECT_EQ(x, b.Advance(kT0 + kHourMs));
  DeskOptions other;
  other.seed = 7;
  OperatorDesk c(other);
  for (int i = 0; i < 50; ++i) c.OnAlert(WellnessAlert("order-" + std::to_string(i), 0, kT0));
  EXPECT_NE(x, c.Advance(kT0 + kHourMs));
}

TEST(OperatorDeskTest, AnAlertThatArrivesLateIsAcknowledgedAtTheClock) {
  OperatorDesk desk{DeskOptions{}};
  EXPECT_TRUE(desk.Advance(kT0 + 2 * kHourMs).empty());
  ASSERT_TRUE(desk.OnAlert(WellnessAlert("order-1", 0, kT0)));
  const std::vector<Ack> acks = Decode(desk.Advance(kT0 + 2 * kHourMs + kSecondMs));
  ASSERT_EQ(acks.size(), 1u);
  EXPECT_EQ(acks[0].time_ms, kT0 + 2 * kHourMs);
  EXPECT_EQ(acks[0].command.acknowledge_wellness().case_id(), "wc-order-1");
}

}  // namespace
}  // namespace meal::sim
