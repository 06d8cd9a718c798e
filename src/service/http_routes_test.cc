#include "service/http_routes.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "codec/state_codec.h"
#include "state/keys.h"
#include "state/memory_store.h"

namespace meal::service {
namespace {

using ::testing::HasSubstr;

// GET `target` ("/path?query") through the service's routes over `store`.
api::Response Get(const state::Store& store, const std::string& target) {
  metrics::Registry metrics;
  std::atomic<bool> ready{true};
  const api::Router router = MakeRoutes(RouteContext{&metrics, &store, &ready, {}});
  api::Request req;
  req.method = "GET";
  EXPECT_TRUE(api::ParseTarget(target, req).ok()) << target;
  return router.Dispatch(req);
}

class LedgerQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state::WriteSet w;
    auto book = [&](std::string date, std::string site, std::string order, std::string category, std::uint32_t meals,
                    Payment per_meal) {
      LedgerEntry e{order, site, "elder-" + order, date, category, meals, per_meal.Times(meals), 0};
      w.Put(state::LedgerKey(date, site, order), codec::EncodeLedger(e));
    };
    book("2026-11-29", "site-1", "o1", "extremely_poor", 1, {1500, 0, 0, 1500, 0, 0});
    book("2026-11-29", "site-1", "o2", "extremely_poor", 2, {1500, 0, 0, 1500, 0, 0});
    book("2026-11-29", "site-1", "o3", "none", 1, {1500, 1500, 0, 0, 0, 0});
    book("2026-11-29", "site-10", "o4", "very_old", 1, {1500, 1000, 0, 500, 0, 0});  // shares a prefix with site-1
    book("2026-11-30", "site-1", "o5", "none", 1, {1500, 1500, 0, 0, 0, 0});
    ASSERT_TRUE(store_.Commit(w).ok());
  }

  api::Response Get(const std::string& query) { return service::Get(store_, "/api/v1/ledger?" + query); }

  state::MemoryStore store_;
};

TEST_F(LedgerQueryTest, SumsOneSitesDayPerCategoryInFen) {
  const api::Response r = Get("date=2026-11-29&site=site-1");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto j = nlohmann::json::parse(r.body);
  EXPECT_EQ(j["site"], "site-1");
  ASSERT_EQ(j["categories"].size(), 2u);
  const auto& poor = j["categories"][0];
  EXPECT_EQ(poor["category"], "extremely_poor");
  EXPECT_EQ(poor["deliveries"], 2);
  EXPECT_EQ(poor["meals"], 3);
  EXPECT_EQ(poor["government_fen"], 4500);
  EXPECT_EQ(poor["individual_fen"], 0);
  EXPECT_EQ(j["total"]["deliveries"], 3) << "site-10 and the next day stay out";
  EXPECT_EQ(j["total"]["price_fen"], 6000);
  EXPECT_EQ(j["total"]["individual_fen"], 1500);
}

TEST_F(LedgerQueryTest, WithoutASiteCoversTheWholeDay) {
  const auto j = nlohmann::json::parse(Get("date=2026-11-29").body);
  EXPECT_TRUE(j["site"].is_null());
  EXPECT_EQ(j["total"]["deliveries"], 4);
  EXPECT_EQ(j["total"]["government_fen"], 5000);
}

TEST_F(LedgerQueryTest, ExportsCsvPerSiteAndCategory) {
  const api::Response r = Get("date=2026-11-29&format=csv");
  ASSERT_EQ(r.status, 200u);
  EXPECT_THAT(r.content_type, HasSubstr("text/csv"));
  EXPECT_EQ(r.body,
            "date,site,category,deliveries,meals,price_fen,individual_fen,enterprise_fen,government_fen,village_fen,"
            "charity_fen\n"
            "2026-11-29,site-1,extremely_poor,2,3,4500,0,0,4500,0,0\n"
            "2026-11-29,site-1,none,1,1,1500,1500,0,0,0,0\n"
            "2026-11-29,site-10,very_old,1,1,1500,1000,0,500,0,0\n");
}

TEST_F(LedgerQueryTest, BadQueriesAreAnswered400) {
  EXPECT_EQ(Get("").status, 400u);
  EXPECT_EQ(Get("date=2026-02-30").status, 400u);
  EXPECT_EQ(Get("date=29/11/2026").status, 400u);
  const api::Response r = Get("date=2026-11-29&format=xml");
  EXPECT_EQ(r.status, 400u);
  EXPECT_THAT(r.body, HasSubstr("format"));
  EXPECT_EQ(nlohmann::json::parse(Get("date=2026-12-01").body)["total"]["deliveries"], 0) << "an empty day is no error";
}

TEST(TraceQueryTest, ListsEveryOrderOfTheBatchAndNoOther) {
  state::MemoryStore store;
  state::WriteSet w;
  auto order = [&](std::string id, std::string site, std::string batch, OrderStatus status) {
    Order o;
    o.order_id = id;
    o.elder_id = "elder-" + id;
    o.courier_id = "c1";
    o.site_id = site;
    o.batch_id = batch;
    o.status = status;
    o.picked_up_ms = 100;
    o.done_ms = status == OrderStatus::kDelivered ? 200 : 0;
    w.Put(state::TraceKey(site, batch, id), codec::EncodeTrace(o));
  };
  order("o1", "site-1", "lunch-0930", OrderStatus::kDelivered);
  order("o2", "site-1", "lunch-0930", OrderStatus::kPickedUp);
  order("o3", "site-1", "lunch-0930-b", OrderStatus::kDelivered);  // a batch sharing the prefix
  order("o4", "site-2", "lunch-0930", OrderStatus::kDelivered);    // the same batch name elsewhere
  ASSERT_TRUE(store.Commit(w).ok());
  const api::Response r = Get(store, "/api/v1/trace?site=site-1&batch=lunch-0930");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto j = nlohmann::json::parse(r.body);
  ASSERT_EQ(j["orders"].size(), 2u);
  EXPECT_EQ(j["orders"][0]["order_id"], "o1");
  EXPECT_EQ(j["orders"][0]["delivered_ms"], 200);
  EXPECT_EQ(j["orders"][1]["status"], "PICKED_UP");
  EXPECT_EQ(j["by_status"]["DELIVERED"], 1);
  EXPECT_EQ(Get(store, "/api/v1/trace?site=site-1").status, 400u);
}

class ListQueryTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state::WriteSet w;
    auto order = [&](std::string id, std::string area, std::string site, OrderStatus status, EventTimeMs window) {
      Order o;
      o.order_id = id;
      o.area_id = area;
      o.site_id = site;
      o.elder_id = "elder-" + id;
      o.status = status;
      o.window_start_ms = window;
      o.window_end_ms = window + 3'600'000;
      o.timeline.push_back({window - 7'200'000, OrderStatus::kPlaced, "placed"});
      w.Put(state::OrderKey(id), codec::EncodeOrder(o));
    };
    order("o1", "area-1", "site-1", OrderStatus::kAssigned, 1000);
    order("o2", "area-1", "site-1", OrderStatus::kUnassigned, 2000);
    order("o3", "area-1", "site-2", OrderStatus::kDelivered, 3000);
    order("o4", "area-2", "site-3", OrderStatus::kAssigned, 4000);
    order("o5", "area-1", "site-1", OrderStatus::kAssigned, 5000);
    auto courier = [&](std::string id, std::string area, bool on_shift) {
      Courier c;
      c.courier_id = id;
      c.area_id = area;
      c.on_shift = on_shift;
      c.location = {31.23, 121.47};
      if (id == "c1") c.route = {{StopKind::kPickup, "o1"}, {StopKind::kDelivery, "o1"}};
      w.Put(state::CourierKey(id), codec::EncodeCourier(c));
    };
    courier("c1", "area-1", true);
    courier("c2", "area-1", false);
    courier("c3", "area-2", true);
    ASSERT_TRUE(store_.Commit(w).ok());
  }

  nlohmann::json List(const std::string& target) {
    const api::Response r = Get(store_, target);
    EXPECT_EQ(r.status, 200u) << target << ": " << r.body;
    return nlohmann::json::parse(r.body);
  }

  static std::vector<std::string> Ids(const nlohmann::json& list, const char* key) {
    std::vector<std::string> ids;
    for (const auto& item : list) ids.push_back(item[key]);
    return ids;
  }

  state::MemoryStore store_;
};

TEST_F(ListQueryTest, OrdersMatchEveryFilterGiven) {
  using Names = std::vector<std::string>;
  EXPECT_EQ(Ids(List("/api/v1/orders")["orders"], "order_id"), (Names{"o1", "o2", "o3", "o4", "o5"}));
  EXPECT_EQ(Ids(List("/api/v1/orders?area=area-1&status=ASSIGNED,UNASSIGNED")["orders"], "order_id"),
            (Names{"o1", "o2", "o5"}));
  EXPECT_EQ(Ids(List("/api/v1/orders?site=site-1&from_ms=2000&to_ms=5000")["orders"], "order_id"), Names{"o2"});
  const auto one = List("/api/v1/orders?status=DELIVERED");
  ASSERT_EQ(one["orders"].size(), 1u);
  EXPECT_EQ(one["orders"][0]["status"], "DELIVERED");
  EXPECT_FALSE(one["orders"][0].contains("timeline")) << "the list leaves the timeline to the detail";
  EXPECT_TRUE(one["next_page_token"].is_null());
}

TEST_F(ListQueryTest, OrdersComeAPageAtATimeWithoutGapsOrRepeats) {
  std::vector<std::string> seen;
  std::string token;
  for (int page = 0; page < 10; ++page) {
    const auto j = List("/api/v1/orders?area=area-1&limit=2" + (token.empty() ? std::string() : "&page_token=" + token));
    EXPECT_LE(j["orders"].size(), 2u);
    for (const auto& o : j["orders"]) seen.push_back(o["order_id"]);
    if (j["next_page_token"].is_null()) break;
    token = j["next_page_token"];
  }
  EXPECT_EQ(seen, (std::vector<std::string>{"o1", "o2", "o3", "o5"}));
}

TEST_F(ListQueryTest, CouriersOfAnAreaOnShiftOrNot) {
  EXPECT_EQ(Ids(List("/api/v1/couriers")["couriers"], "courier_id"), (std::vector<std::string>{"c1", "c2", "c3"}));
  EXPECT_EQ(Ids(List("/api/v1/couriers?area=area-1&on_shift=true")["couriers"], "courier_id"),
            std::vector<std::string>{"c1"});
  const auto c1 = List("/api/v1/couriers?area=area-1&on_shift=true&system=gcj02")["couriers"][0];
  EXPECT_EQ(c1["location"]["system"], "GCJ02");
  ASSERT_EQ(c1["route"].size(), 2u) << "the route is planned from the stored orders";
  EXPECT_EQ(c1["route"][0]["kind"], "PICKUP");
  EXPECT_EQ(c1["route"][1]["order_id"], "o1");
}

TEST_F(ListQueryTest, BadListQueriesAreAnswered400) {
  for (const char* target : {"/api/v1/orders?status=LOST", "/api/v1/orders?status=READY,", "/api/v1/orders?limit=0",
                             "/api/v1/orders?limit=1001", "/api/v1/orders?from_ms=soon", "/api/v1/orders?to_ms=-1",
                             "/api/v1/couriers?on_shift=yes", "/api/v1/couriers?system=bd09"}) {
    const api::Response r = Get(store_, target);
    EXPECT_EQ(r.status, 400u) << target;
    EXPECT_THAT(r.body, HasSubstr("message")) << target;
  }
}

TEST(CoverageQueryTest, SharesOfEldersWithinASitesRadiusPerArea) {
  state::MemoryStore store;
  state::WriteSet w;
  Site site;
  site.site_id = "site-1";
  site.area_id = "area-1";
  site.facility_number = "ZC21010301001";
  site.location = {41.80, 123.43};
  site.radius_m = 1000;
  w.Put(state::SiteKey(site.site_id), codec::EncodeSite(site));
  auto elder = [&](std::string id, std::string area, GeoPoint home) {
    Elder e;
    e.elder_id = id;
    e.area_id = area;
    e.home = home;
    w.Put(state::ElderKey(id), codec::EncodeElder(e));
  };
  elder("e1", "area-1", {41.805, 123.43});  // about 560 m north
  elder("e2", "area-1", {41.80, 123.44});   // about 830 m east
  elder("e3", "area-1", {41.82, 123.43});   // 2.2 km: outside
  elder("e4", "area-2", {41.90, 123.43});   // another area, no site near
  ASSERT_TRUE(store.Commit(w).ok());
  const api::Response r = Get(store, "/api/v1/coverage");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto j = nlohmann::json::parse(r.body);
  ASSERT_EQ(j["areas"].size(), 2u);
  EXPECT_EQ(j["areas"][0]["area_id"], "area-1");
  EXPECT_EQ(j["areas"][0]["elders"], 3);
  EXPECT_EQ(j["areas"][0]["covered"], 2);
  EXPECT_NEAR(j["areas"][0]["share"].get<double>(), 2.0 / 3.0, 1e-9);
  EXPECT_EQ(j["areas"][0]["outside"], nlohmann::json::array({"e3"}));
  EXPECT_EQ(j["areas"][1]["covered"], 0);
  EXPECT_EQ(r.body.find("41.82"), std::string::npos) << "no addresses";
  EXPECT_EQ(Get(store, "/api/v1/coverage?area=area-9").status, 404u);
}

// The command endpoints over a store holding one site, one open and one
// closed wellness check; published commands are captured, not sent.
class CommandRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state::WriteSet w;
    Site site;
    site.site_id = "site-1";
    site.area_id = "area-1";
    w.Put(state::SiteKey("site-1"), codec::EncodeSite(site));
    w.Put(state::AreaKey("area-1"), state::EncodeOffset(1'795'990'000'000));
    WellnessCase open;
    open.case_id = "wc-o1";
    open.area_id = "area-1";
    open.order_id = "o1";
    open.step = WellnessStep::kPhoneCall;
    open.steps = {{WellnessStep::kCourierRetries, 1'795'989'000'000}, {WellnessStep::kPhoneCall, 1'795'989'600'000}};
    open.step_due_ms = 1'795'990'500'000;
    w.Put(state::WellnessKey("wc-o1"), codec::EncodeWellnessCase(open));
    WellnessCase closed = open;
    closed.case_id = "wc-o2";
    closed.closed = true;
    closed.closed_by = "duty-officer";
    w.Put(state::WellnessKey("wc-o2"), codec::EncodeWellnessCase(closed));
    w.Put(state::RecallKey("site-1", "b-old"), {});
    ASSERT_TRUE(store_.Commit(w).ok());
  }

  // As the access guard passes it on: from token `actor` ("" = none).
  api::Response Call(const std::string& method, const std::string& target, const std::string& body = {},
                     const std::string& actor = "duty-officer-zhang") {
    metrics::Registry metrics;
    std::atomic<bool> ready{true};
    RouteContext ctx{&metrics, &store_, &ready, {}, [this](const Event& e) {
                       published_.push_back(e);
                       return publish_status_;
                     }};
    const api::Router router = MakeRoutes(ctx);
    api::Request req;
    req.method = method;
    req.body = body;
    req.actor = actor;
    req.role = actor.empty() ? api::Role::kNone : api::Role::kAdmin;
    EXPECT_TRUE(api::ParseTarget(target, req).ok()) << target;
    return router.Dispatch(req);
  }

  state::MemoryStore store_;
  std::vector<Event> published_;
  Status publish_status_ = Status::Ok();
};

TEST_F(CommandRoutesTest, RecallIsPublishedToTheSitesAreaAtItsStreamTime) {
  const api::Response r = Call("POST", "/api/v1/recalls", R"({"site_id":"site-1","batch_id":"b-7","reason":"suspect rice"})",
                               "inspector-li");
  ASSERT_EQ(r.status, 202u) << r.body;
  ASSERT_EQ(published_.size(), 1u);
  const Event& e = published_[0];
  EXPECT_EQ(e.area_id, "area-1");
  EXPECT_EQ(e.time_ms, 1'795'990'000'000);
  const auto& recall = std::get<RecallBatch>(e.body);
  EXPECT_EQ(recall.batch_id, "b-7");
  EXPECT_EQ(recall.actor, "inspector-li");
  EXPECT_EQ(recall.reason, "suspect rice");
  EXPECT_EQ(nlohmann::json::parse(r.body)["command_id"], e.event_id);
}

TEST_F(CommandRoutesTest, TheAuditsWhoIsTheTokensNameNeverTheBodys) {
  api::Response r = Call("POST", "/api/v1/recalls",
                         R"({"site_id":"site-1","batch_id":"b-7","actor":"someone-else","reason":"suspect rice"})",
                         "inspector-li");
  ASSERT_EQ(r.status, 202u) << r.body;
  EXPECT_EQ(std::get<RecallBatch>(published_.at(0).body).actor, "inspector-li");
  r = Call("POST", "/api/v1/wellness/wc-o1/acknowledge", R"({"outcome":"elder_safe","note":"fine","actor":"x"})",
           "desk-2");
  ASSERT_EQ(r.status, 202u) << r.body;
  EXPECT_EQ(std::get<AcknowledgeWellness>(published_.at(1).body).actor, "desk-2");
  Elder elder;
  elder.elder_id = "e1";
  elder.area_id = "area-1";
  state::WriteSet w;
  w.Put(state::ElderKey("e1"), codec::EncodeElder(elder));
  ASSERT_TRUE(store_.Commit(w).ok());
  r = Call("DELETE", "/api/v1/elders/e1", R"({"reason":"the elder's request","actor":"x"})", "admin-li");
  ASSERT_EQ(r.status, 202u) << r.body;
  EXPECT_EQ(std::get<EraseElder>(published_.at(2).body).actor, "admin-li");

  // Without a guard's caller (a router with no access control) a command is refused.
  r = Call("POST", "/api/v1/recalls", R"({"site_id":"site-1","batch_id":"b-8","reason":"x"})", "");
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(published_.size(), 3u);
}

TEST_F(CommandRoutesTest, BadRecallsGetAClearFourHundred) {
  EXPECT_EQ(Call("POST", "/api/v1/recalls", "not json").status, 400u);
  api::Response r = Call("POST", "/api/v1/recalls", R"({"site_id":"site-1","batch_id":"b-7"})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_THAT(r.body, HasSubstr("'reason' is required"));
  r = Call("POST", "/api/v1/recalls", R"({"site_id":"site-9","batch_id":"b-7","reason":"x"})");
  EXPECT_EQ(r.status, 404u);
  r = Call("POST", "/api/v1/recalls", R"({"site_id":"site-1","batch_id":"b-old","reason":"x"})");
  EXPECT_EQ(r.status, 409u);
  EXPECT_THAT(r.body, HasSubstr("already recalled"));
  EXPECT_TRUE(published_.empty());
}

TEST_F(CommandRoutesTest, AcknowledgingAWellnessCheckNeedsAnOpenCaseAndAnOutcome) {
  api::Response r = Call("POST", "/api/v1/wellness/wc-o1/acknowledge",
                         R"({"outcome":"away_from_home","note":"at her daughter's"})");
  ASSERT_EQ(r.status, 202u) << r.body;
  ASSERT_EQ(published_.size(), 1u);
  const auto& ack = std::get<AcknowledgeWellness>(published_[0].body);
  EXPECT_EQ(ack.case_id, "wc-o1");
  EXPECT_EQ(ack.outcome, WellnessOutcome::kAwayFromHome);
  EXPECT_EQ(ack.note, "at her daughter's");
  EXPECT_EQ(ack.actor, "duty-officer-zhang");
  EXPECT_EQ(Call("POST", "/api/v1/wellness/wc-o1/acknowledge", R"({"outcome":"fine","note":"n"})").status, 400u);
  r = Call("POST", "/api/v1/wellness/wc-o1/acknowledge", R"({"outcome":"elder_safe"})");
  EXPECT_EQ(r.status, 400u);
  EXPECT_THAT(r.body, HasSubstr("'note' is required"));
  EXPECT_EQ(Call("POST", "/api/v1/wellness/wc-o9/acknowledge", R"({"outcome":"elder_safe","note":"n"})").status, 404u);
  r = Call("POST", "/api/v1/wellness/wc-o2/acknowledge", R"({"outcome":"elder_safe","note":"n"})");
  EXPECT_EQ(r.status, 409u);
  EXPECT_THAT(r.body, HasSubstr("closed by duty-officer"));
  publish_status_ = Status::Io("broker down");
  EXPECT_EQ(Call("POST", "/api/v1/wellness/wc-o1/acknowledge", R"({"outcome":"elder_safe","note":"n"})").status, 503u);
}

TEST_F(CommandRoutesTest, ListsOpenWellnessChecksWithTheirSteps) {
  api::Response r = Call("GET", "/api/v1/wellness");
  ASSERT_EQ(r.status, 200u) << r.body;
  auto j = nlohmann::json::parse(r.body);
  ASSERT_EQ(j["cases"].size(), 1u);
  EXPECT_EQ(j["cases"][0]["case_id"], "wc-o1");
  EXPECT_EQ(j["cases"][0]["step"], "phone_call");
  EXPECT_EQ(j["cases"][0]["escalates_at_ms"], 1'795'990'500'000);
  EXPECT_EQ(j["cases"][0]["steps"].size(), 2u);
  j = nlohmann::json::parse(Call("GET", "/api/v1/wellness?status=all").body);
  EXPECT_EQ(j["cases"].size(), 2u);
  EXPECT_EQ(Call("GET", "/api/v1/wellness?status=maybe").status, 400u);
  j = nlohmann::json::parse(Call("GET", "/api/v1/wellness/wc-o2").body);
  EXPECT_EQ(j["closed"]["by"], "duty-officer");
  EXPECT_EQ(Call("GET", "/api/v1/wellness/wc-o9").status, 404u);
}

// Every route MakeRoutes adds; the router does not list its routes, so a new
// endpoint is added here and to docs/openapi.yaml.
const std::set<std::pair<std::string, std::string>> kRoutes = {
    {"get", "/healthz"},
    {"get", "/readyz"},
    {"get", "/metrics"},
    {"get", "/api/openapi.json"},
    {"get", "/api/v1/orders"},
    {"get", "/api/v1/orders/{id}"},
    {"post", "/api/v1/orders/{id}/reassign"},
    {"post", "/api/v1/orders/{id}/unassign"},
    {"post", "/api/v1/orders/{id}/hold"},
    {"post", "/api/v1/orders/{id}/release"},
    {"get", "/api/v1/alerts"},
    {"post", "/api/v1/alerts/{id}/acknowledge"},
    {"get", "/api/v1/couriers"},
    {"get", "/api/v1/couriers/{id}"},
    {"get", "/api/v1/sites"},
    {"get", "/api/v1/session"},
    {"get", "/api/v1/stream"},
    {"get", "/api/v1/ledger"},
    {"get", "/api/v1/coverage"},
    {"get", "/api/v1/trace"},
    {"post", "/api/v1/recalls"},
    {"post", "/api/v1/wellness/{id}/acknowledge"},
    {"get", "/api/v1/wellness"},
    {"get", "/api/v1/wellness/{id}"},
    {"get", "/api/v1/audit"},
    {"get", "/api/v1/standing-orders/{id}"},
    {"delete", "/api/v1/elders/{id}"},
};

TEST(OpenApiTest, ServesTheSpecAsJsonDescribingEveryRoute) {
  state::MemoryStore store;
  const api::Response r = Get(store, "/api/openapi.json");
  ASSERT_EQ(r.status, 200u);
  EXPECT_EQ(r.content_type, "application/json");
  const auto spec = nlohmann::json::parse(r.body, nullptr, /*allow_exceptions=*/false);
  ASSERT_FALSE(spec.is_discarded()) << "not JSON";
  EXPECT_THAT(spec["openapi"].get<std::string>(), ::testing::StartsWith("3."));
  std::set<std::pair<std::string, std::string>> described;
  for (const auto& [path, item] : spec["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      described.emplace(method, path);
      EXPECT_TRUE(operation.contains("responses")) << method << " " << path;
    }
  }
  EXPECT_EQ(described, kRoutes);

  // The list above matches the router: each route reaches a handler, not the
  // router's own 404 or 405.
  metrics::Registry metrics;
  std::atomic<bool> ready{true};
  const api::Router router = MakeRoutes(RouteContext{&metrics, &store, &ready, {}, [](const Event&) {
                                                      return Status::Ok();
                                                    }});
  for (const auto& [method, pattern] : kRoutes) {
    api::Request req;
    req.method = method;
    std::transform(req.method.begin(), req.method.end(), req.method.begin(), ::toupper);
    std::string path = pattern;
    if (const auto brace = path.find("{id}"); brace != std::string::npos) path.replace(brace, 4, "x");
    ASSERT_TRUE(api::ParseTarget(path, req).ok());
    const api::Response routed = router.Dispatch(req);
    EXPECT_NE(routed.status, 405u) << method << " " << pattern;
    EXPECT_THAT(routed.body, ::testing::Not(HasSubstr("no such resource"))) << method << " " << pattern;
  }
}

}  // namespace
}  // namespace meal::service
