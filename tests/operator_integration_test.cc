// Operators' manual dispatch and the alert inbox against the real broker:
// commands through the API, applied by the area's owner from meal.commands,
// seen on the couriers' routes, in meal.assignments, in the alert store and
// in the metrics, across a restart.
#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "scenario.h"

namespace meal::testing {
namespace {

// The order ids on a route (GET /api/v1/couriers/{id}, or a plan), once each.
std::vector<std::string> OrdersOn(const nlohmann::json& route) {
  std::vector<std::string> ids;
  for (const auto& stop : route) {
    const std::string id = stop["order_id"];
    if (std::find(ids.begin(), ids.end(), id) == ids.end()) ids.push_back(id);
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

std::vector<std::string> OrdersOn(const pb::Assignment& plan) {
  std::vector<std::string> ids;
  for (const pb::PlannedStop& stop : plan.stops()) {
    if (std::find(ids.begin(), ids.end(), stop.order_id()) == ids.end()) ids.push_back(stop.order_id());
  }
  std::sort(ids.begin(), ids.end());
  return ids;
}

bool Has(const std::vector<std::string>& ids, const std::string& id) {
  return std::find(ids.begin(), ids.end(), id) != ids.end();
}

std::string NoteOf(const nlohmann::json& order, const std::string& status) {
  std::string note;
  for (const auto& t : order["timeline"]) {
    if (t["status"] == status) note = t["note"];
  }
  return note;
}

std::vector<std::string> AlertIds(const nlohmann::json& listing) {
  std::vector<std::string> ids;
  for (const auto& a : listing["alerts"]) ids.push_back(a["alert_id"]);
  return ids;
}

TEST(OperatorIntegrationTest, ReassignHoldReleaseUnassignAndTheAlertInboxThroughTheBroker) {
  Scenario s("operator");
  s.Site("site-1", "ZC21010301001", 2000);
  s.Elder("e1", 41.805);
  s.Elder("e2", 41.806);
  s.Elder("e3", 41.804);
  s.Elder("e4", 41.803);
  s.Elder("far", 41.83);  // 3.3 km from the kitchen, beyond its 2 km radius: an OUTSIDE_RADIUS alert
  const EventTimeMs t = kDay + 11 * kHour;
  s.Shift("c1", t, 6);
  s.Shift("c2", t, 6, {}, 41.81);
  const std::map<std::string, std::string> orders = {{"o1", "e1"}, {"o2", "e2"}, {"o3", "e3"}, {"o4", "e4"}};
  for (const auto& [id, elder] : orders) {
    s.Order(id, elder, t + 40 * kMinute, kHour, t + kMinute);
    s.Ready(id, t + 2 * kMinute);
  }
  s.Order("o5", "far", t + 40 * kMinute, kHour, t + kMinute);
  s.Publish();

  ServiceProcess service("operator", s.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  auto order = [&](const std::string& id) { return Body(service.Get("/api/v1/orders/" + id)); };
  auto post = [&](const std::string& path, const std::string& body) {
    return service.Call("POST", path, body, kDispatcherToken);
  };
  for (const auto& [id, elder] : orders) ASSERT_EQ(order(id)["status"], "ASSIGNED") << id;

  // Reassign o1 to the courier it is not with.
  const std::string from = order("o1")["courier_id"];
  const std::string to = from == "c1" ? "c2" : "c1";
  std::string r = post("/api/v1/orders/o1/reassign", R"({"courier_id":")" + to + R"(","reason":"elder asked for )" +
                                                          to + R"("})");
  ASSERT_EQ(StatusOf(r), 202) << r;
  EXPECT_EQ(Body(r)["action"], "reassign_order");
  ASSERT_TRUE(WaitFor([&] { return order("o1")["courier_id"] == to; }, 60)) << order("o1").dump();
  ASSERT_TRUE(service.WaitDrained(60));
  EXPECT_EQ(NoteOf(order("o1"), "ASSIGNED"), to + " (reassigned by demo-dispatcher: elder asked for " + to + ")");
  EXPECT_TRUE(Has(OrdersOn(Body(service.Get("/api/v1/couriers/" + to))["route"]), "o1"));
  EXPECT_FALSE(Has(OrdersOn(Body(service.Get("/api/v1/couriers/" + from))["route"]), "o1"));
  auto plans = s.LatestPlans();
  EXPECT_TRUE(Has(OrdersOn(plans[to]), "o1")) << "the new courier's plan on meal.assignments";
  EXPECT_FALSE(Has(OrdersOn(plans[from]), "o1")) << "and the old courier's, without it";

  // Hold o2: off every route until released.
  const std::string o2_courier = order("o2")["courier_id"];
  r = post("/api/v1/orders/o2/hold", R"({"reason":"elder at the clinic until noon"})");
  ASSERT_EQ(StatusOf(r), 202) << r;
  ASSERT_TRUE(WaitFor([&] { return order("o2")["status"] == "HELD"; }, 60));
  EXPECT_EQ(order("o2")["courier_id"], "");
  EXPECT_FALSE(Has(OrdersOn(Body(service.Get("/api/v1/couriers/" + o2_courier))["route"]), "o2"));
  EXPECT_EQ(StatusOf(post("/api/v1/orders/o2/hold", R"({"reason":"again"})")), 409);
  EXPECT_EQ(StatusOf(post("/api/v1/orders/o2/unassign", R"({"reason":"x"})")), 409);
  r = post("/api/v1/orders/o2/release", R"({"reason":"elder is home"})");
  ASSERT_EQ(StatusOf(r), 202) << r;
  ASSERT_TRUE(WaitFor([&] { return order("o2")["status"] == "ASSIGNED"; }, 60)) << order("o2").dump();
  EXPECT_EQ(NoteOf(order("o2"), "HELD"), "held by demo-dispatcher: elder at the clinic until noon");

  // Unassign o3: dispatch gives it to the other courier, never back.
  const std::string o3_before = order("o3")["courier_id"];
  r = post("/api/v1/orders/o3/unassign", R"({"reason":"courier's box is damaged"})");
  ASSERT_EQ(StatusOf(r), 202) << r;
  ASSERT_TRUE(WaitFor([&] {
    const auto o3 = order("o3");
    return o3["status"] == "ASSIGNED" && o3["courier_id"] != o3_before;
  }, 60)) << order("o3").dump();
  EXPECT_EQ(NoteOf(order("o3"), "READY"),
            "taken off courier " + o3_before + " by demo-dispatcher: courier's box is damaged");

  // The alert inbox: the far elder's order raised OUTSIDE_RADIUS.
  auto open = Body(service.Get("/api/v1/alerts?status=open"));
  ASSERT_TRUE(Has(AlertIds(open), "outside-radius/o5")) << open.dump();
  const double open_before = service.Metric("meal_alerts_open");
  EXPECT_GE(open_before, 1);
  r = post("/api/v1/alerts/outside-radius%2Fo5/acknowledge", R"({"note":"volunteer driver arranged"})");
  ASSERT_EQ(StatusOf(r), 202) << r;
  ASSERT_TRUE(WaitFor([&] {
    return Has(AlertIds(Body(service.Get("/api/v1/alerts?status=acknowledged"))), "outside-radius/o5");
  }, 60));
  ASSERT_TRUE(service.WaitDrained(60));
  const auto acknowledged = Body(service.Get("/api/v1/alerts?status=acknowledged&kind=OUTSIDE_RADIUS"))["alerts"][0];
  EXPECT_EQ(acknowledged["acknowledged_by"], "demo-dispatcher");
  EXPECT_EQ(acknowledged["note"], "volunteer driver arranged");
  EXPECT_EQ(acknowledged["order_id"], "o5");
  EXPECT_FALSE(Has(AlertIds(Body(service.Get("/api/v1/alerts?status=open"))), "outside-radius/o5"));
  EXPECT_EQ(service.Metric("meal_alerts_open"), open_before - 1);
  EXPECT_EQ(StatusOf(post("/api/v1/alerts/outside-radius%2Fo5/acknowledge", R"({"note":"again"})")), 409);

  // 4xx before anything is published.
  EXPECT_EQ(StatusOf(post("/api/v1/orders/o4/reassign", "not json")), 400);
  EXPECT_EQ(StatusOf(post("/api/v1/orders/o4/hold", R"({"reason":""})")), 400);
  EXPECT_EQ(StatusOf(post("/api/v1/orders/nothing/hold", R"({"reason":"x"})")), 404);
  EXPECT_EQ(StatusOf(post("/api/v1/orders/o4/reassign", R"({"courier_id":"nobody","reason":"x"})")), 404);
  EXPECT_EQ(StatusOf(post("/api/v1/alerts/nothing/acknowledge", R"({"note":"x"})")), 404);
  EXPECT_EQ(StatusOf(post("/api/v1/orders/o4/release", R"({"reason":"x"})")), 409);
  EXPECT_EQ(StatusOf(service.Call("POST", "/api/v1/orders/o4/hold", R"({"reason":"x"})", kViewerToken)), 403);

  // A delivery within its window counts as on time.
  const std::string o4_courier = order("o4")["courier_id"];
  s.PickedUp("o4", o4_courier, t + 30 * kMinute);
  s.Delivered("o4", o4_courier, t + 45 * kMinute);
  s.Publish();
  ASSERT_TRUE(WaitFor([&] { return order("o4")["status"] == "DELIVERED"; }, 60));
  const std::string metrics = service.Get("/metrics");
  EXPECT_NE(metrics.find("meal_deliveries_total{on_time=\"true\"} 1"), std::string::npos);
  EXPECT_NE(metrics.find("meal_deliveries_total{on_time=\"false\"} 0"), std::string::npos);

  const auto audit = Body(service.Get("/api/v1/audit"));
  std::map<std::string, std::string> actions;  // action -> actor
  for (const auto& e : audit["entries"]) actions[e["action"]] = e["actor"];
  for (const char* action :
       {"reassign_order", "hold_order", "release_order", "unassign_order", "acknowledge_alert"}) {
    EXPECT_EQ(actions[action], "demo-dispatcher") << action;
  }

  // Open alerts are counted again from state after a restart.
  const double open_after = service.Metric("meal_alerts_open");
  ASSERT_EQ(service.Stop(), 0);
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  EXPECT_EQ(service.Metric("meal_alerts_open"), open_after);
  EXPECT_EQ(order("o1")["courier_id"], to) << "still pinned where the operator put it";
  ASSERT_EQ(service.Stop(), 0);
}

}  // namespace
}  // namespace meal::testing
