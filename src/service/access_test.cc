#include "service/access.h"

#include <algorithm>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "codec/state_codec.h"
#include "service/http_routes.h"
#include "service/masking.h"
#include "service/openapi.h"
#include "state/keys.h"
#include "state/memory_store.h"

namespace meal::service {
namespace {

using ::testing::Contains;
using ::testing::HasSubstr;
using ::testing::Pair;
using api::Role;
using nlohmann::json;

constexpr char kViewerToken[] = "demo-viewer-token";
constexpr char kDispatcherToken[] = "demo-dispatcher-token";
constexpr char kAdminToken[] = "demo-admin-token";

config::ApiConfig DemoTokens(double requests_per_s = 1000, int burst = 1000) {
  config::ApiConfig c;
  c.tokens = {{"desk-viewer", "viewer", Sha256Hex(kViewerToken)},
              {"desk-dispatcher", "dispatcher", Sha256Hex(kDispatcherToken)},
              {"desk-admin", "admin", Sha256Hex(kAdminToken)}};
  c.requests_per_s = requests_per_s;
  c.burst = burst;
  return c;
}

// A router with a few routes shaped like the service's, each answering
// who called it, behind `access`.
api::Router TestRouter(std::shared_ptr<AccessControl> access) {
  api::Router router;
  auto whoami = [](const api::Request& req) {
    return api::Json(200, {{"actor", req.actor}, {"role", RoleName(req.role)}, {"address", "3-2-401"}});
  };
  router.Add("GET", "/healthz", whoami);
  router.Add("GET", "/api/openapi.json", whoami);
  router.Add("GET", "/api/v1/orders/{id}", whoami);
  router.Add("POST", "/api/v1/recalls", whoami);
  router.Add("GET", "/api/v1/audit", whoami);
  router.Add("DELETE", "/api/v1/elders/{id}", whoami);
  router.Add("GET", "/api/v1/stream", whoami);
  router.Add("GET", "/api/v1/ledger.csv", [](const api::Request&) {
    api::Response r;
    r.content_type = "text/csv";
    r.body = "category\nliving_alone\n";
    return r;
  });
  router.SetGuard(AccessControl::AsGuard(std::move(access)));
  return router;
}

api::Response Send(const api::Router& router, const std::string& method, const std::string& target,
                   const std::string& token = {}) {
  api::Request req;
  req.method = method;
  EXPECT_TRUE(api::ParseTarget(target, req).ok()) << target;
  if (!token.empty()) req.headers["Authorization"] = "Bearer " + token;
  return router.Dispatch(req);
}

std::string HeaderOf(const api::Response& r, const std::string& name) {
  for (const auto& [n, v] : r.headers) {
    if (n == name) return v;
  }
  return {};
}

TEST(RequiredRoleTest, FollowsTheContractsPolicy) {
  for (const char* pattern : {"/healthz", "/readyz", "/metrics", "/api/openapi.json", "/", "/console", "/console/",
                              "/dashboard", "/dashboard/", "/assets/{file}"}) {
    EXPECT_EQ(RequiredRole("GET", pattern), Role::kNone) << pattern;
  }
  EXPECT_EQ(RequiredRole("GET", "/api/v1/orders"), Role::kViewer);
  EXPECT_EQ(RequiredRole("GET", "/api/v1/couriers/{id}"), Role::kViewer);
  EXPECT_EQ(RequiredRole("GET", "/api/v1/stream"), Role::kViewer);
  EXPECT_EQ(RequiredRole("POST", "/api/v1/recalls"), Role::kDispatcher);
  EXPECT_EQ(RequiredRole("POST", "/api/v1/orders/{id}/reassign"), Role::kDispatcher);
  EXPECT_EQ(RequiredRole("PUT", "/api/v1/anything"), Role::kDispatcher);
  EXPECT_EQ(RequiredRole("DELETE", "/api/v1/anything/{id}"), Role::kDispatcher);
  EXPECT_EQ(RequiredRole("GET", "/api/v1/audit"), Role::kAdmin);
  EXPECT_EQ(RequiredRole("DELETE", "/api/v1/elders/{id}"), Role::kAdmin);
  // Closed unless listed: a new route outside /api/v1, a write to a page.
  EXPECT_EQ(RequiredRole("GET", "/debug/state"), Role::kAdmin);
  EXPECT_EQ(RequiredRole("POST", "/healthz"), Role::kAdmin);
}

TEST(AccessTest, Sha256HexIsTheStandardDigest) {
  EXPECT_EQ(Sha256Hex(""), "e3b0c44298fc1c149afbf4c8996fb92427ae41e4649b934ca495991b7852b855");
  EXPECT_EQ(Sha256Hex(kViewerToken), "db2c460a3dd812a27b2a7f60d1320322c27ac3b28b3b90b11c05ecc7b4bcc856");
}

TEST(AccessTest, PublicRoutesNeedNoTokenAndGetNoCaller) {
  const api::Router router = TestRouter(std::make_shared<AccessControl>(DemoTokens()));
  for (const char* target : {"/healthz", "/api/openapi.json"}) {
    const api::Response r = Send(router, "GET", target);
    ASSERT_EQ(r.status, 200u) << target;
    EXPECT_EQ(json::parse(r.body)["role"], "none");
    EXPECT_EQ(json::parse(r.body)["address"], "3-2-401") << "public routes are not masked";
  }
  // A token given anyway changes nothing.
  EXPECT_EQ(json::parse(Send(router, "GET", "/healthz", kAdminToken).body)["actor"], "");
}

TEST(AccessTest, MissingBadOrUnknownTokensAre401WithAChallenge) {
  const api::Router router = TestRouter(std::make_shared<AccessControl>(DemoTokens()));
  api::Response r = Send(router, "GET", "/api/v1/orders/o1");
  EXPECT_EQ(r.status, 401u);
  EXPECT_EQ(HeaderOf(r, "WWW-Authenticate"), "Bearer realm=\"meal-dispatch\"");
  EXPECT_EQ(json::parse(r.body)["error"]["status"], 401);

  r = Send(router, "GET", "/api/v1/orders/o1", "not-a-token");
  EXPECT_EQ(r.status, 401u);
  EXPECT_THAT(HeaderOf(r, "WWW-Authenticate"), HasSubstr("error=\"invalid_token\""));
  r = Send(router, "GET", "/api/v1/orders/o1", std::string(kViewerToken) + "x");
  EXPECT_EQ(r.status, 401u);
  r = Send(router, "GET", "/api/v1/orders/o1", std::string(2000, 'a'));
  EXPECT_EQ(r.status, 401u);

  api::Request basic;
  basic.method = "GET";
  basic.path = "/api/v1/orders/o1";
  basic.headers["authorization"] = "Basic ZGVtbzpkZW1v";
  EXPECT_EQ(router.Dispatch(basic).status, 401u);
  // The scheme is case-insensitive.
  basic.headers["authorization"] = std::string("bearer  ") + kViewerToken;
  EXPECT_EQ(router.Dispatch(basic).status, 200u);
}

TEST(AccessTest, EachRoleGetsItsRoutesAndTheCallerIsTheTokensName) {
  const api::Router router = TestRouter(std::make_shared<AccessControl>(DemoTokens()));
  struct Case {
    const char* method;
    const char* target;
    unsigned viewer, dispatcher, admin;
  };
  const Case cases[] = {
      {"GET", "/api/v1/orders/o1", 200, 200, 200},
      {"POST", "/api/v1/recalls", 403, 200, 200},
      {"GET", "/api/v1/audit", 403, 403, 200},
      {"DELETE", "/api/v1/elders/e1", 403, 403, 200},
  };
  for (const Case& c : cases) {
    EXPECT_EQ(Send(router, c.method, c.target, kViewerToken).status, c.viewer) << c.method << " " << c.target;
    EXPECT_EQ(Send(router, c.method, c.target, kDispatcherToken).status, c.dispatcher) << c.method << " " << c.target;
    EXPECT_EQ(Send(router, c.method, c.target, kAdminToken).status, c.admin) << c.method << " " << c.target;
  }
  const api::Response forbidden = Send(router, "GET", "/api/v1/audit", kDispatcherToken);
  EXPECT_THAT(forbidden.body, HasSubstr("needs the admin role"));
  EXPECT_THAT(HeaderOf(forbidden, "WWW-Authenticate"), HasSubstr("insufficient_scope"));

  const json who = json::parse(Send(router, "POST", "/api/v1/recalls", kDispatcherToken).body);
  EXPECT_EQ(who["actor"], "desk-dispatcher");
  EXPECT_EQ(who["role"], "dispatcher");
}

TEST(AccessTest, TheStreamAloneTakesTheTokenFromTheQuery) {
  const api::Router router = TestRouter(std::make_shared<AccessControl>(DemoTokens()));
  const api::Response stream = Send(router, "GET", std::string("/api/v1/stream?access_token=") + kViewerToken);
  ASSERT_EQ(stream.status, 200u);
  EXPECT_EQ(json::parse(stream.body)["actor"], "desk-viewer");
  EXPECT_EQ(Send(router, "GET", std::string("/api/v1/orders/o1?access_token=") + kViewerToken).status, 401u);
  EXPECT_EQ(Send(router, "GET", "/api/v1/stream?access_token=nope").status, 401u);
}

TEST(AccessTest, ViewersGetJsonMaskedOthersDoNot) {
  const api::Router router = TestRouter(std::make_shared<AccessControl>(DemoTokens()));
  EXPECT_EQ(json::parse(Send(router, "GET", "/api/v1/orders/o1", kViewerToken).body)["address"], kMasked);
  EXPECT_EQ(json::parse(Send(router, "GET", "/api/v1/orders/o1", kDispatcherToken).body)["address"], "3-2-401");
  // Not JSON: left to its handler.
  EXPECT_EQ(Send(router, "GET", "/api/v1/ledger.csv", kViewerToken).body, "category\nliving_alone\n");
}

TEST(AccessTest, ATokenOverItsRateGets429WithRetryAfterAndOthersAreUnaffected) {
  auto now = std::chrono::steady_clock::time_point{} + std::chrono::hours(1);
  const api::Router router = TestRouter(std::make_shared<AccessControl>(
      DemoTokens(/*requests_per_s=*/0.5, /*burst=*/3), [&now] { return now; }));
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Send(router, "GET", "/api/v1/orders/o1", kViewerToken).status, 200u) << i;
  api::Response r = Send(router, "GET", "/api/v1/orders/o1", kViewerToken);
  EXPECT_EQ(r.status, 429u);
  EXPECT_EQ(HeaderOf(r, "Retry-After"), "2");
  EXPECT_EQ(json::parse(r.body)["error"]["status"], 429);
  EXPECT_EQ(Send(router, "GET", "/api/v1/orders/o1", kAdminToken).status, 200u) << "a bucket per token";
  // Unknown tokens are not counted against anyone.
  EXPECT_EQ(Send(router, "GET", "/api/v1/orders/o1", "guess").status, 401u);

  now += std::chrono::seconds(1);
  EXPECT_EQ(Send(router, "GET", "/api/v1/orders/o1", kViewerToken).status, 429u);
  now += std::chrono::seconds(1);
  EXPECT_EQ(Send(router, "GET", "/api/v1/orders/o1", kViewerToken).status, 200u);
  now += std::chrono::hours(1);  // refills up to the burst, not beyond
  for (int i = 0; i < 3; ++i) EXPECT_EQ(Send(router, "GET", "/api/v1/orders/o1", kViewerToken).status, 200u) << i;
  EXPECT_EQ(Send(router, "GET", "/api/v1/orders/o1", kViewerToken).status, 429u);
}

TEST(AccessTest, WithoutTokensEveryApiRouteIs401AndHealthStillAnswers) {
  auto access = std::make_shared<AccessControl>(config::ApiConfig{});
  EXPECT_FALSE(access->has_tokens());
  const api::Router router = TestRouter(access);
  EXPECT_EQ(Send(router, "GET", "/healthz").status, 200u);
  EXPECT_EQ(Send(router, "GET", "/api/v1/orders/o1", kAdminToken).status, 401u);
  EXPECT_EQ(Send(router, "POST", "/api/v1/recalls", kAdminToken).status, 401u);
}

// docs/openapi.yaml says what the guard does, operation by operation.
TEST(AccessTest, TheApiDescriptionDocumentsThePolicyOfEveryOperation) {
  const json spec = json::parse(OpenApiJson());
  EXPECT_EQ(spec["security"], json::parse(R"([{"bearer": []}])"));
  EXPECT_EQ(spec["components"]["securitySchemes"]["bearer"]["scheme"], "bearer");
  for (const auto& [path, item] : spec["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      std::string upper = method;
      std::transform(upper.begin(), upper.end(), upper.begin(), ::toupper);
      const Role role = RequiredRole(upper, path);
      const json& responses = operation["responses"];
      const std::string where = upper + " " + path;
      if (role == Role::kNone) {
        EXPECT_EQ(operation.value("security", json()), json::array()) << where << " is public: security: []";
        continue;
      }
      EXPECT_FALSE(operation.contains("security") && operation["security"].empty()) << where << " needs a token";
      EXPECT_TRUE(responses.contains("401")) << where;
      EXPECT_TRUE(responses.contains("429")) << where;
      EXPECT_EQ(responses.contains("403"), role > Role::kViewer) << where;
      EXPECT_EQ(responses.contains("413"), operation.contains("requestBody")) << where;
    }
  }
}

// The service's real routes over a store: a viewer's order and ledger are
// masked, a dispatcher's are not.
class GuardedRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state::WriteSet w;
    Order o;
    o.order_id = "o1";
    o.area_id = "area-1";
    o.elder_id = "e1";
    o.status = OrderStatus::kDelivered;
    o.proof_ref = "photo-o1";
    w.Put(state::OrderKey("o1"), codec::EncodeOrder(o));
    LedgerEntry e{"o1", "site-1", "e1", "2026-11-29", "living_alone", 1, {1500, 500, 0, 1000, 0, 0}, 0};
    w.Put(state::LedgerKey("2026-11-29", "site-1", "o1"), codec::EncodeLedger(e));
    ASSERT_TRUE(store_.Commit(w).ok());
    router_ = MakeRoutes(RouteContext{&metrics_, &store_, &ready_, {}});
    router_.SetGuard(AccessControl::AsGuard(std::make_shared<AccessControl>(DemoTokens())));
  }

  metrics::Registry metrics_;
  std::atomic<bool> ready_{true};
  state::MemoryStore store_;
  api::Router router_;
};

TEST_F(GuardedRoutesTest, AViewersOrderHidesItsProofOfDelivery) {
  const json viewer = json::parse(Send(router_, "GET", "/api/v1/orders/o1", kViewerToken).body);
  const json dispatcher = json::parse(Send(router_, "GET", "/api/v1/orders/o1", kDispatcherToken).body);
  EXPECT_EQ(dispatcher["proof_ref"], "photo-o1");
  EXPECT_EQ(viewer["proof_ref"], kMasked);
  EXPECT_EQ(viewer["status"], "DELIVERED");
}

TEST_F(GuardedRoutesTest, AViewersLedgerHasTheFiguresButNoCategories) {
  const json viewer = json::parse(Send(router_, "GET", "/api/v1/ledger?date=2026-11-29", kViewerToken).body);
  const json dispatcher = json::parse(Send(router_, "GET", "/api/v1/ledger?date=2026-11-29", kDispatcherToken).body);
  EXPECT_EQ(dispatcher["categories"][0]["category"], "living_alone");
  EXPECT_EQ(viewer["categories"][0]["category"], kMasked);
  EXPECT_EQ(viewer["categories"][0]["government_fen"], 1000);
  EXPECT_EQ(viewer["total"], dispatcher["total"]);

  const std::string csv = Send(router_, "GET", "/api/v1/ledger?date=2026-11-29&format=csv", kViewerToken).body;
  EXPECT_THAT(csv, HasSubstr("2026-11-29,site-1,***,1,"));
  EXPECT_EQ(csv.find("living_alone"), std::string::npos);
  EXPECT_THAT(Send(router_, "GET", "/api/v1/ledger?date=2026-11-29&format=csv", kDispatcherToken).body,
              HasSubstr("living_alone"));
}

}  // namespace
}  // namespace meal::service
