// Dispatch rules against the real broker, from hand-built events to the
// output topics and the API.
#include <gtest/gtest.h>

#include <map>
#include <nlohmann/json.hpp>

#include "mealdispatch/v1/events.pb.h"
#include "mealdispatch/v1/outputs.pb.h"
#include "service_harness.h"

namespace meal::testing {
namespace {

namespace pb = ::mealdispatch::v1;

constexpr EventTimeMs kDay = 1'795'968'000'000;  // 2026-11-30 00:00 in China
constexpr EventTimeMs kHour = 3'600'000;

void SetHeader(pb::EventHeader* h, const std::string& id, EventTimeMs t) {
  h->set_event_id(id);
  h->set_area_id("area-1");
  h->set_event_time_ms(t);
}

void SetPlace(pb::Location* l, double lat, double lon) {
  l->set_lat(lat);
  l->set_lon(lon);
  l->set_system(pb::WGS84);
}

TEST(SiteRulesIntegrationTest, ClosedFullAndFarOrdersAreAlertedAndCoverageIsReported) {
  const sim::Topics topics = UniqueTopics("site-rules");
  CreateTopics(topics);
  std::vector<sim::SimRecord> registry, orders;
  auto site = [&](std::string id, std::string facility, std::uint32_t opens, std::uint32_t closes,
                  std::uint32_t capacity) {
    pb::MealSite m;
    SetHeader(m.mutable_header(), "reg-" + id, kDay);
    m.set_site_id(id);
    m.set_facility_number(facility);
    SetPlace(m.mutable_location(), 41.80, 123.43);
    m.set_radius_m(1000);
    m.set_opens_min(opens);
    m.set_closes_min(closes);
    m.set_daily_capacity(capacity);
    registry.push_back({topics.sites, id, m.SerializeAsString(), kDay});
  };
  site("site-1", "ZC21010301001", 10 * 60 + 30, 13 * 60, 2);
  site("site-bad", "21010301001", 0, 0, 0);  // no unified facility number: dead-lettered
  auto elder = [&](std::string id, double lat) {
    pb::Elder m;
    SetHeader(m.mutable_header(), "reg-" + id, kDay);
    m.set_elder_id(id);
    SetPlace(m.mutable_home(), lat, 123.43);
    registry.push_back({topics.elders, id, m.SerializeAsString(), kDay});
  };
  elder("near", 41.805);
  elder("far", 41.83);
  auto place = [&](std::string id, std::string elder_id, EventTimeMs window_start) {
    pb::OrderEvent e;
    SetHeader(e.mutable_header(), "placed-" + id, kDay + 8 * kHour);
    pb::OrderPlaced* p = e.mutable_placed();
    p->set_order_id(id);
    p->set_site_id("site-1");
    p->set_elder_id(elder_id);
    p->set_meals(1);
    p->set_meal_class(pb::HOT);
    p->set_window_start_ms(window_start);
    p->set_window_end_ms(window_start + kHour);
    orders.push_back({topics.orders, "area-1", e.SerializeAsString(), kDay + 8 * kHour});
  };
  place("early", "near", kDay + 10 * kHour);
  place("lunch-1", "near", kDay + 11 * kHour);
  place("far-away", "far", kDay + 11 * kHour);
  place("lunch-2", "near", kDay + 11 * kHour + 1);
  Produce(registry);
  Produce(orders);

  ServiceProcess service("site-rules", topics);
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  const std::string coverage = service.Get("/api/v1/coverage");
  const std::string rejected = service.Get("/api/v1/orders/early");
  ASSERT_EQ(service.Stop(), 0);

  std::map<std::string, pb::Alert> alerts;
  for (const kafka::Record& r : ReadAll({topics.alerts})) {
    pb::Alert a;
    ASSERT_TRUE(a.ParseFromString(r.value));
    alerts[a.order_id()] = a;
  }
  ASSERT_EQ(alerts.size(), 3u);
  EXPECT_EQ(alerts["early"].kind(), pb::ORDER_REJECTED);
  EXPECT_EQ(alerts["early"].reason(), "site site-1 is closed for a delivery from 10:00 (open 10:30-13:00)");
  EXPECT_EQ(alerts["far-away"].kind(), pb::OUTSIDE_RADIUS);
  EXPECT_EQ(alerts["lunch-2"].kind(), pb::ORDER_REJECTED);
  EXPECT_EQ(alerts["lunch-2"].reason(), "site site-1 is full on 2026-11-30 (2 orders a day)");
  EXPECT_NE(rejected.find("\"status\":\"REJECTED\""), std::string::npos) << rejected;

  const std::vector<kafka::Record> dead = ReadAll({topics.dlq});
  ASSERT_EQ(dead.size(), 1u);
  pb::DeadLetter d;
  ASSERT_TRUE(d.ParseFromString(dead[0].value));
  EXPECT_NE(d.reason().find("facility_number"), std::string::npos) << d.reason();

  const std::size_t body = coverage.find("\r\n\r\n");
  ASSERT_NE(body, std::string::npos) << coverage;
  const auto j = nlohmann::json::parse(coverage.substr(body + 4));
  ASSERT_EQ(j["areas"].size(), 1u);
  EXPECT_EQ(j["areas"][0]["elders"], 2);
  EXPECT_EQ(j["areas"][0]["covered"], 1);
  EXPECT_EQ(j["areas"][0]["outside"], nlohmann::json::array({"far"}));
}

TEST(HotMealIntegrationTest, AMealOnBoardRunningLateRaisesAFoodSafetyRiskBeforeItBreaks) {
  const sim::Topics topics = UniqueTopics("hot-meal");
  CreateTopics(topics);
  std::vector<sim::SimRecord> registry, events;
  pb::MealSite s;
  SetHeader(s.mutable_header(), "reg-site", kDay);
  s.set_site_id("site-1");
  s.set_facility_number("ZC21010301001");
  SetPlace(s.mutable_location(), 41.80, 123.43);
  s.set_radius_m(3000);
  registry.push_back({topics.sites, "site-1", s.SerializeAsString(), kDay});
  pb::Elder e;
  SetHeader(e.mutable_header(), "reg-elder", kDay);
  e.set_elder_id("elder-1");
  SetPlace(e.mutable_home(), 41.805, 123.435);
  registry.push_back({topics.elders, "elder-1", e.SerializeAsString(), kDay});
  const EventTimeMs t = kDay + 11 * kHour;
  auto courier = [&](std::string id, EventTimeMs at, double lat) {
    pb::CourierEvent c;
    SetHeader(c.mutable_header(), id, at);
    if (id == "shift") {
      c.mutable_shift_started()->set_courier_id("c1");
      c.mutable_shift_started()->set_mode(pb::BIKE);
      c.mutable_shift_started()->set_box_capacity(4);
      c.mutable_shift_started()->set_shift_end_ms(t + 3 * kHour);
      SetPlace(c.mutable_shift_started()->mutable_location(), lat, 123.43);
    } else {
      c.mutable_location()->set_courier_id("c1");
      SetPlace(c.mutable_location()->mutable_location(), lat, 123.43);
    }
    events.push_back({topics.couriers, "area-1", c.SerializeAsString(), at});
  };
  courier("shift", t, 41.80);
  pb::OrderEvent placed;
  SetHeader(placed.mutable_header(), "placed", t);
  placed.mutable_placed()->set_order_id("o1");
  placed.mutable_placed()->set_site_id("site-1");
  placed.mutable_placed()->set_elder_id("elder-1");
  placed.mutable_placed()->set_meals(1);
  placed.mutable_placed()->set_meal_class(pb::HOT);
  placed.mutable_placed()->set_window_start_ms(t);
  placed.mutable_placed()->set_window_end_ms(t + kHour);
  events.push_back({topics.orders, "area-1", placed.SerializeAsString(), t});
  pb::OrderEvent ready;
  SetHeader(ready.mutable_header(), "ready", t + 60'000);
  ready.mutable_ready()->set_order_id("o1");
  events.push_back({topics.orders, "area-1", ready.SerializeAsString(), t + 60'000});
  pb::DeliveryEvent picked;
  SetHeader(picked.mutable_header(), "picked", t + 120'000);
  picked.mutable_picked_up()->set_order_id("o1");
  picked.mutable_picked_up()->set_courier_id("c1");
  events.push_back({topics.deliveries, "area-1", picked.SerializeAsString(), t + 120'000});
  courier("near", t + 5 * 60'000, 41.802);   // on the way: fine
  courier("astray", t + 20 * 60'000, 41.98);  // 20 km off: the meal cannot arrive in time
  courier("still", t + 21 * 60'000, 41.98);   // again: no second alert
  Produce(registry);
  Produce(events);

  ServiceProcess service("hot-meal", topics);
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  ASSERT_EQ(service.Stop(), 0);
  std::vector<pb::Alert> alerts;
  for (const kafka::Record& r : ReadAll({topics.alerts})) {
    pb::Alert a;
    ASSERT_TRUE(a.ParseFromString(r.value));
    alerts.push_back(a);
  }
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].kind(), pb::FOOD_SAFETY_RISK);
  EXPECT_EQ(alerts[0].severity(), pb::CRITICAL);
  EXPECT_EQ(alerts[0].order_id(), "o1");
  EXPECT_EQ(alerts[0].courier_id(), "c1");
  EXPECT_LT(alerts[0].header().event_time_ms(), t + 2 * 60'000 + 45 * 60'000) << "raised before the limit runs out";
}

TEST(PrioritiesIntegrationTest, TheNeedierElderIsServedAndTheOtherAlerted) {
  // One courier, one box, two lunches due within a quarter of an hour at
  // doors on opposite sides of the kitchen: only one can be served. The
  // empty-nest elder's order is ready first, the extremely poor elder's a
  // minute later; the second displaces the first.
  const sim::Topics topics = UniqueTopics("priorities");
  CreateTopics(topics);
  std::vector<sim::SimRecord> registry, events;
  pb::MealSite s;
  SetHeader(s.mutable_header(), "reg-site", kDay);
  s.set_site_id("site-1");
  s.set_facility_number("ZC21010301001");
  SetPlace(s.mutable_location(), 41.80, 123.43);
  s.set_radius_m(3000);
  registry.push_back({topics.sites, "site-1", s.SerializeAsString(), kDay});
  auto elder = [&](std::string id, double lat, pb::ElderCategory category) {
    pb::Elder m;
    SetHeader(m.mutable_header(), "reg-" + id, kDay);
    m.set_elder_id(id);
    SetPlace(m.mutable_home(), lat, 123.43);
    m.add_categories(category);
    registry.push_back({topics.elders, id, m.SerializeAsString(), kDay});
  };
  elder("empty-nest", 41.79, pb::EMPTY_NEST);
  elder("poorest", 41.81, pb::EXTREMELY_POOR);
  const EventTimeMs t = kDay + 11 * kHour;
  pb::CourierEvent shift;
  SetHeader(shift.mutable_header(), "shift", t);
  shift.mutable_shift_started()->set_courier_id("c1");
  shift.mutable_shift_started()->set_mode(pb::BIKE);
  shift.mutable_shift_started()->set_box_capacity(1);
  shift.mutable_shift_started()->set_shift_end_ms(t + 3 * kHour);
  SetPlace(shift.mutable_shift_started()->mutable_location(), 41.80, 123.43);
  events.push_back({topics.couriers, "area-1", shift.SerializeAsString(), t});
  auto order = [&](std::string id, std::string elder_id, EventTimeMs ready) {
    pb::OrderEvent placed;
    SetHeader(placed.mutable_header(), "placed-" + id, t);
    placed.mutable_placed()->set_order_id(id);
    placed.mutable_placed()->set_site_id("site-1");
    placed.mutable_placed()->set_elder_id(elder_id);
    placed.mutable_placed()->set_meals(1);
    placed.mutable_placed()->set_meal_class(pb::HOT);
    placed.mutable_placed()->set_window_start_ms(t);
    placed.mutable_placed()->set_window_end_ms(t + 15 * 60'000);
    events.push_back({topics.orders, "area-1", placed.SerializeAsString(), t});
    pb::OrderEvent r;
    SetHeader(r.mutable_header(), "ready-" + id, ready);
    r.mutable_ready()->set_order_id(id);
    events.push_back({topics.orders, "area-1", r.SerializeAsString(), ready});
  };
  order("low", "empty-nest", t + 60'000);
  order("high", "poorest", t + 120'000);
  Produce(registry);
  Produce(events);

  ServiceProcess service("priorities", topics);
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  const std::string low = service.Get("/api/v1/orders/low");
  const std::string high = service.Get("/api/v1/orders/high");
  ASSERT_EQ(service.Stop(), 0);

  EXPECT_NE(high.find("\"status\":\"ASSIGNED\""), std::string::npos) << high;
  EXPECT_NE(low.find("\"status\":\"UNASSIGNED\""), std::string::npos) << low;
  EXPECT_NE(low.find("made way for higher-priority order high"), std::string::npos) << low;
  // The courier's latest plan carries only the needier elder's meal.
  pb::Assignment latest;
  for (const kafka::Record& r : ReadAll({topics.assignments})) {
    pb::Assignment a;
    ASSERT_TRUE(a.ParseFromString(r.value));
    if (a.plan_version() > latest.plan_version()) latest = a;
  }
  ASSERT_EQ(latest.stops_size(), 2);
  EXPECT_EQ(latest.stops(0).order_id(), "high");
  std::vector<pb::Alert> alerts;
  for (const kafka::Record& r : ReadAll({topics.alerts})) {
    pb::Alert a;
    ASSERT_TRUE(a.ParseFromString(r.value));
    alerts.push_back(a);
  }
  ASSERT_EQ(alerts.size(), 1u);
  EXPECT_EQ(alerts[0].kind(), pb::UNASSIGNABLE);
  EXPECT_EQ(alerts[0].order_id(), "low");
}

}  // namespace
}  // namespace meal::testing
