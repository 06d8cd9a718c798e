// The manual-dispatch and alert-inbox endpoints over a hand-built store;
// published commands are captured, not sent.
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "codec/state_codec.h"
#include "service/http_routes.h"
#include "state/keys.h"
#include "state/memory_store.h"

namespace meal::service {
namespace {

using ::testing::HasSubstr;
using nlohmann::json;

constexpr EventTimeMs kNow = 1'795'990'000'000;  // area-1's stream time

class OperatorRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state::WriteSet w;
    w.Put(state::AreaKey("area-1"), state::EncodeOffset(kNow));
    auto order = [&](std::string id, OrderStatus status, std::string courier = {}, std::string area = "area-1") {
      Order o;
      o.order_id = id;
      o.area_id = area;
      o.site_id = "site-1";
      o.elder_id = "elder-1";
      o.status = status;
      o.courier_id = courier;
      w.Put(state::OrderKey(id), codec::EncodeOrder(o));
    };
    order("o-ready", OrderStatus::kReady);
    order("o-assigned", OrderStatus::kAssigned, "c1");
    order("o-picked", OrderStatus::kPickedUp, "c1");
    order("o-held", OrderStatus::kHeld);
    order("o-done", OrderStatus::kDelivered, "c1");
    auto courier = [&](std::string id, bool on_shift, std::string area = "area-1") {
      Courier c;
      c.courier_id = id;
      c.area_id = area;
      c.on_shift = on_shift;
      c.box_capacity = 6;
      c.shift_end_ms = kNow + 3'600'000;
      w.Put(state::CourierKey(id), codec::EncodeCourier(c));
    };
    courier("c1", true);
    courier("c2", true);
    courier("c-off", false);
    courier("c-elsewhere", true, "area-2");
    auto alert = [&](std::string id, AlertKind kind, EventTimeMs t, std::string area = "area-1",
                     bool acknowledged = false) {
      StoredAlert a;
      a.alert.alert_id = id;
      a.alert.area_id = area;
      a.alert.time_ms = t;
      a.alert.kind = kind;
      a.alert.severity = Severity::kCritical;
      a.alert.order_id = "o-ready";
      a.alert.reason = "why";
      a.acknowledged = acknowledged;
      if (acknowledged) {
        a.acknowledged_by = "desk-1";
        a.note = "seen";
        a.acknowledged_ms = t + 1;
      }
      w.Put(state::AlertKey(id), codec::EncodeStoredAlert(a));
    };
    alert("wellness/o1/0", AlertKind::kWellnessCheck, kNow - 30);
    alert("unassignable/o2/1", AlertKind::kUnassignable, kNow - 10);
    alert("late/o3", AlertKind::kLateRisk, kNow - 20, "area-1", /*acknowledged=*/true);
    alert("late/o4", AlertKind::kLateRisk, kNow - 10, "area-2");
    alert("recall/site-1/b-1", AlertKind::kRecall, kNow - 40);
    ASSERT_TRUE(store_.Commit(w).ok());
  }

  api::Response Call(const std::string& method, const std::string& target, const std::string& body = {},
                     const std::string& actor = "desk-1") {
    metrics::Registry metrics;
    std::atomic<bool> ready{true};
    RouteContext ctx{&metrics, &store_, &ready, {}, [this](const Event& e) {
                       published_.push_back(e);
                       return Status::Ok();
                     }};
    const api::Router router = MakeRoutes(ctx);
    api::Request req;
    req.method = method;
    req.body = body;
    req.actor = actor;
    req.role = actor.empty() ? api::Role::kNone : api::Role::kDispatcher;
    EXPECT_TRUE(api::ParseTarget(target, req).ok()) << target;
    return router.Dispatch(req);
  }

  std::vector<std::string> Listed(const std::string& query) {
    const api::Response r = Call("GET", "/api/v1/alerts" + query);
    EXPECT_EQ(r.status, 200u) << query << " " << r.body;
    std::vector<std::string> ids;
    const json j = json::parse(r.body);
    for (const auto& a : j["alerts"]) ids.push_back(a["alert_id"]);
    return ids;
  }

  state::MemoryStore store_;
  std::vector<Event> published_;
};

TEST_F(OperatorRoutesTest, OrderCommandsArePublishedToTheOrdersAreaAtItsStreamTimeByTheCaller) {
  struct Case {
    std::string path;
    std::string body;
    std::string action;
  };
  const Case cases[] = {
      {"/api/v1/orders/o-ready/reassign", R"({"courier_id":"c2","reason":"nearer"})", "reassign_order"},
      {"/api/v1/orders/o-assigned/unassign", R"({"reason":"c1 is ill","actor":"not-trusted"})", "unassign_order"},
      {"/api/v1/orders/o-assigned/hold", R"({"reason":"elder in hospital"})", "hold_order"},
      {"/api/v1/orders/o-held/release", R"({"reason":"elder home"})", "release_order"},
  };
  for (const Case& c : cases) {
    published_.clear();
    const api::Response r = Call("POST", c.path, c.body, "desk-7");
    ASSERT_EQ(r.status, 202u) << c.path << " " << r.body;
    ASSERT_EQ(published_.size(), 1u);
    const Event& e = published_[0];
    EXPECT_EQ(e.area_id, "area-1");
    EXPECT_EQ(e.time_ms, kNow);
    const json answer = json::parse(r.body);
    EXPECT_EQ(answer["command_id"], e.event_id);
    EXPECT_EQ(answer["action"], c.action);
  }
  const api::Response again =
      Call("POST", "/api/v1/orders/o-ready/reassign", R"({"courier_id":"c2","reason":"nearer"})", "desk-7");
  ASSERT_EQ(again.status, 202u);
  const auto& reassign = std::get<ReassignOrder>(published_.back().body);
  EXPECT_EQ(reassign.order_id, "o-ready");
  EXPECT_EQ(reassign.courier_id, "c2");
  EXPECT_EQ(reassign.actor, "desk-7");
  EXPECT_EQ(reassign.reason, "nearer");
  Call("POST", "/api/v1/orders/o-assigned/unassign", R"({"reason":"c1 is ill","actor":"not-trusted"})", "desk-7");
  EXPECT_EQ(std::get<UnassignOrder>(published_.back().body).actor, "desk-7");
}

TEST_F(OperatorRoutesTest, OrderCommandsAnswer400ForABadBody404ForUnknownIds409ForTheWrongState) {
  struct Case {
    std::string path;
    std::string body;
    unsigned status;
    std::string message;
  };
  const Case cases[] = {
      {"/api/v1/orders/o-ready/reassign", "not json", 400, "JSON object"},
      {"/api/v1/orders/o-ready/reassign", R"({"reason":"x"})", 400, "'courier_id' is required"},
      {"/api/v1/orders/o-ready/reassign", R"({"courier_id":"c2"})", 400, "'reason' is required"},
      {"/api/v1/orders/o-ready/hold", R"({"reason":""})", 400, "'reason' must not be empty"},
      {"/api/v1/orders/o-ready/hold", R"({"reason":7})", 400, "'reason' must be a string"},
      {"/api/v1/orders/nothing/hold", R"({"reason":"x"})", 404, "no order nothing"},
      {"/api/v1/orders/o-ready/reassign", R"({"courier_id":"nobody","reason":"x"})", 404, "no courier nobody"},
      {"/api/v1/orders/o-picked/reassign", R"({"courier_id":"c2","reason":"x"})", 409,
       "order o-picked is already picked up by courier c1"},
      {"/api/v1/orders/o-ready/reassign", R"({"courier_id":"c-off","reason":"x"})", 409, "courier c-off is off shift"},
      {"/api/v1/orders/o-ready/reassign", R"({"courier_id":"c-elsewhere","reason":"x"})", 409, "works in area area-2"},
      {"/api/v1/orders/o-assigned/reassign", R"({"courier_id":"c1","reason":"x"})", 409, "already with courier c1"},
      {"/api/v1/orders/o-held/reassign", R"({"courier_id":"c2","reason":"x"})", 409, "release it first"},
      {"/api/v1/orders/o-ready/unassign", R"({"reason":"x"})", 409, "order o-ready is READY, not assigned"},
      {"/api/v1/orders/o-done/hold", R"({"reason":"x"})", 409, "order o-done is DELIVERED"},
      {"/api/v1/orders/o-held/hold", R"({"reason":"x"})", 409, "order o-held is HELD"},
      {"/api/v1/orders/o-ready/release", R"({"reason":"x"})", 409, "order o-ready is READY, not held"},
  };
  for (const Case& c : cases) {
    const api::Response r = Call("POST", c.path, c.body);
    EXPECT_EQ(r.status, c.status) << c.path << " " << c.body << " " << r.body;
    EXPECT_THAT(r.body, HasSubstr(c.message)) << c.path << " " << c.body;
  }
  EXPECT_EQ(Call("POST", "/api/v1/orders/o-ready/hold", R"({"reason":"x"})", "").status, 401u);
  EXPECT_TRUE(published_.empty());
}

TEST_F(OperatorRoutesTest, AlertsAreListedNewestFirstFilteredAndPaged) {
  EXPECT_EQ(Listed(""), (std::vector<std::string>{"late/o4", "unassignable/o2/1", "late/o3", "wellness/o1/0",
                                                  "recall/site-1/b-1"}));
  EXPECT_EQ(Listed("?status=open&area=area-1"),
            (std::vector<std::string>{"unassignable/o2/1", "wellness/o1/0", "recall/site-1/b-1"}));
  EXPECT_EQ(Listed("?status=acknowledged"), std::vector<std::string>{"late/o3"});
  EXPECT_EQ(Listed("?kind=LATE_RISK"), (std::vector<std::string>{"late/o4", "late/o3"}));
  std::vector<std::string> paged;
  std::string token;
  for (int page = 0; page < 5; ++page) {
    const api::Response r = Call("GET", "/api/v1/alerts?limit=2" + (token.empty() ? "" : "&page_token=" + token));
    ASSERT_EQ(r.status, 200u) << r.body;
    const json j = json::parse(r.body);
    EXPECT_LE(j["alerts"].size(), 2u);
    for (const auto& a : j["alerts"]) paged.push_back(a["alert_id"]);
    if (j["next_page_token"].is_null()) break;
    token = j["next_page_token"];
  }
  EXPECT_EQ(paged, Listed(""));

  const json acknowledged = json::parse(Call("GET", "/api/v1/alerts?status=acknowledged").body)["alerts"][0];
  EXPECT_EQ(acknowledged["status"], "acknowledged");
  EXPECT_EQ(acknowledged["acknowledged_by"], "desk-1");
  EXPECT_EQ(acknowledged["note"], "seen");
  EXPECT_EQ(acknowledged["acknowledged_ms"], kNow - 19);
  EXPECT_EQ(acknowledged["kind"], "LATE_RISK");
  EXPECT_EQ(acknowledged["severity"], "CRITICAL");
  const json open = json::parse(Call("GET", "/api/v1/alerts?kind=WELLNESS_CHECK").body)["alerts"][0];
  EXPECT_EQ(open["status"], "open");
  EXPECT_TRUE(open["acknowledged_by"].is_null());
  EXPECT_TRUE(open["acknowledged_ms"].is_null());

  for (const char* bad : {"?status=closed", "?kind=FIRE", "?limit=0", "?limit=1001", "?limit=ten",
                          "?page_token=yesterday", "?page_token=:x"}) {
    const api::Response r = Call("GET", std::string("/api/v1/alerts") + bad);
    EXPECT_EQ(r.status, 400u) << bad << " " << r.body;
  }
}

TEST_F(OperatorRoutesTest, AnAlertIsAcknowledgedOnceWithANoteByTheCaller) {
  // Alert ids hold '/': one path segment, %-escaped.
  api::Response r = Call("POST", "/api/v1/alerts/wellness%2Fo1%2F0/acknowledge", R"({"note":"courier knocking"})");
  ASSERT_EQ(r.status, 202u) << r.body;
  ASSERT_EQ(published_.size(), 1u);
  EXPECT_EQ(published_[0].area_id, "area-1");
  EXPECT_EQ(published_[0].time_ms, kNow);
  const auto& ack = std::get<AcknowledgeAlert>(published_[0].body);
  EXPECT_EQ(ack.alert_id, "wellness/o1/0");
  EXPECT_EQ(ack.actor, "desk-1");
  EXPECT_EQ(ack.note, "courier knocking");
  EXPECT_EQ(json::parse(r.body)["action"], "acknowledge_alert");

  r = Call("POST", "/api/v1/alerts/late%2Fo3/acknowledge", R"({"note":"again"})");
  EXPECT_EQ(r.status, 409u);
  EXPECT_THAT(r.body, HasSubstr("was acknowledged by desk-1"));
  EXPECT_EQ(Call("POST", "/api/v1/alerts/nothing/acknowledge", R"({"note":"x"})").status, 404u);
  EXPECT_EQ(Call("POST", "/api/v1/alerts/late%2Fo4/acknowledge", R"({})").status, 400u);
  EXPECT_EQ(Call("POST", "/api/v1/alerts/late%2Fo4/acknowledge", "[]").status, 400u);
  EXPECT_EQ(published_.size(), 1u);
}

}  // namespace
}  // namespace meal::service
