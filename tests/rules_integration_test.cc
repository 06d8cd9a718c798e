// Dispatch rules against the real broker, from hand-built events to the
// output topics and the API.
#include <gtest/gtest.h>

#include <map>

#include "scenario.h"

namespace meal::testing {
namespace {

TEST(SiteRulesIntegrationTest, ClosedFullAndFarOrdersAreAlertedAndCoverageIsReported) {
  Scenario s("site-rules");
  s.Site("site-1", "ZC21010301001", 1000, 10 * 60 + 30, 13 * 60, 2);
  s.Site("site-bad", "21010301001", 1000);  // no unified facility number: dead-lettered
  s.Elder("near", 41.805);
  s.Elder("far", 41.83);
  const EventTimeMs at = kDay + 8 * kHour;
  s.Order("early", "near", kDay + 10 * kHour, kHour, at);
  s.Order("lunch-1", "near", kDay + 11 * kHour, kHour, at);
  s.Order("far-away", "far", kDay + 11 * kHour, kHour, at);
  s.Order("lunch-2", "near", kDay + 11 * kHour + 1, kHour, at);
  s.Publish();

  ServiceProcess service("site-rules", s.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  const auto coverage = Body(service.Get("/api/v1/coverage"));
  const auto rejected = Body(service.Get("/api/v1/orders/early"));
  ASSERT_EQ(service.Stop(), 0);

  std::map<std::string, pb::Alert> alerts;
  for (const pb::Alert& a : s.Alerts()) alerts[a.order_id()] = a;
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts["early"].kind(), pb::ORDER_REJECTED);
  EXPECT_EQ(alerts["early"].reason(), "site site-1 is closed for a delivery from 10:00 (open 10:30-13:00)");
  EXPECT_EQ(alerts["far-away"].kind(), pb::OUTSIDE_RADIUS);
  EXPECT_EQ(alerts["lunch-2"].kind(), pb::ORDER_REJECTED);
  EXPECT_EQ(alerts["lunch-2"].reason(), "site site-1 is full on 2026-11-30 (2 orders a day)");
  EXPECT_EQ(rejected["status"], "REJECTED");

  const std::vector<kafka::Record> dead = ReadAll({s.topics().dlq});
  ASSERT_EQ(dead.size(), 1u);
  pb::DeadLetter d;
  ASSERT_TRUE(d.ParseFromString(dead[0].value));
  EXPECT_NE(d.reason().find("facility_number"), std::string::npos) << d.reason();

  ASSERT_EQ(coverage["areas"].size(), 1u);
  EXPECT_EQ(coverage["areas"][0]["elders"], 2);
  EXPECT_EQ(coverage["areas"][0]["covered"], 1);
  EXPECT_EQ(coverage["areas"][0]["outside"], nlohmann::json::array({"far"}));
}

TEST(HotMealIntegrationTest, AMealOnBoardRunningLateRaisesAFoodSafetyRiskBeforeItBreaks) {
  Scenario s("hot-meal");
  s.Site("site-1", "ZC21010301001", 3000);
  s.Elder("elder-1", 41.805);
  const EventTimeMs t = kDay + 11 * kHour;
  s.Shift("c1", t, 4);
  s.Order("o1", "elder-1", t, kHour, t);
  s.Ready("o1", t + kMinute);
  s.PickedUp("o1", "c1", t + 2 * kMinute);
  s.Ping("c1", t + 5 * kMinute, 41.802);   // on the way: fine
  s.Ping("c1", t + 20 * kMinute, 41.98);   // 20 km off: the meal cannot arrive in time
  s.Ping("c1", t + 21 * kMinute, 41.98);   // still: no second alert
  s.Publish();

  ServiceProcess service("hot-meal", s.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  ASSERT_EQ(service.Stop(), 0);
  // The same detour also makes the delivery late: a LATE_RISK beside it.
  std::vector<pb::Alert> alerts;
  for (const pb::Alert& a : s.Alerts()) {
    if (a.kind() == pb::LATE_RISK) {
      EXPECT_EQ(a.alert_id(), "late/o1");
    } else {
      alerts.push_back(a);
    }
  }
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].kind(), pb::FOOD_SAFETY_RISK);
  EXPECT_EQ(alerts[0].severity(), pb::CRITICAL);
  EXPECT_EQ(alerts[0].order_id(), "o1");
  EXPECT_EQ(alerts[0].courier_id(), "c1");
  EXPECT_LT(alerts[0].header().event_time_ms(), t + 2 * kMinute + 45 * kMinute) << "raised before the limit runs out";
}

TEST(PrioritiesIntegrationTest, TheNeedierElderIsServedAndTheOtherAlerted) {
  // One courier, one box, two lunches due within a quarter of an hour at
  // doors on opposite sides of the kitchen: only one can be served. The
  // empty-nest elder's order is ready first, the extremely poor elder's a
  // minute later; the second displaces the first.
  Scenario s("priorities");
  s.Site("site-1", "ZC21010301001", 3000);
  s.Elder("empty-nest", 41.79, pb::EMPTY_NEST);
  s.Elder("poorest", 41.81, pb::EXTREMELY_POOR);
  const EventTimeMs t = kDay + 11 * kHour;
  s.Shift("c1", t, 1);
  s.Order("low", "empty-nest", t, 15 * kMinute, t);
  s.Order("high", "poorest", t, 15 * kMinute, t);
  s.Ready("low", t + kMinute);
  s.Ready("high", t + 2 * kMinute);
  s.Publish();

  ServiceProcess service("priorities", s.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  const auto low = Body(service.Get("/api/v1/orders/low"));
  const auto high = Body(service.Get("/api/v1/orders/high"));
  ASSERT_EQ(service.Stop(), 0);

  EXPECT_EQ(high["status"], "ASSIGNED");
  EXPECT_EQ(low["status"], "UNASSIGNED");
  EXPECT_NE(low.dump().find("made way for higher-priority order high"), std::string::npos) << low.dump();
  // The courier's latest plan carries only the needier elder's meal.
  pb::Assignment latest;
  for (const kafka::Record& r : ReadAll({s.topics().assignments})) {
    pb::Assignment a;
    ASSERT_TRUE(a.ParseFromString(r.value));
    if (a.plan_version() > latest.plan_version()) latest = a;
  }
  ASSERT_EQ(latest.stops_size(), 2);
  EXPECT_EQ(latest.stops(0).order_id(), "high");
  const std::vector<pb::Alert> alerts = s.Alerts();
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].kind(), pb::UNASSIGNABLE);
  EXPECT_EQ(alerts[0].order_id(), "low");
}

}  // namespace
}  // namespace meal::testing
