#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "codec/state_codec.h"
#include "service/http_routes.h"
#include "state/keys.h"
#include "state/memory_store.h"

namespace meal::service {
namespace {

class ConsoleRoutesTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state::WriteSet w;
    for (const Site& s : {Site{"site-a1", "area-a", "东区食堂", "ZC2101020001", {41.80, 123.43}, 1500},
                          Site{"site-b1", "area-b", "北区助餐点", "ZC2101020002", {41.82, 123.45}, 800}}) {
      w.Put(state::SiteKey(s.site_id), codec::EncodeSite(s));
    }
    ASSERT_TRUE(store_.Commit(w).ok());
  }

  api::Response Get(const std::string& target, api::Role role = api::Role::kViewer, std::string actor = "desk-1") {
    api::Request req;
    req.method = "GET";
    EXPECT_TRUE(api::ParseTarget(target, req).ok()) << target;
    // What the guard fills in for a token.
    req.role = role;
    req.actor = std::move(actor);
    return MakeRoutes(RouteContext{&metrics_, &store_, &ready_, {}}).Dispatch(req);
  }

  metrics::Registry metrics_;
  std::atomic<bool> ready_{true};
  state::MemoryStore store_;
};

TEST_F(ConsoleRoutesTest, SessionNamesTheCallerAndRole) {
  api::Response r = Get("/api/v1/session", api::Role::kDispatcher, "desk-7");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(nlohmann::json::parse(r.body), (nlohmann::json{{"name", "desk-7"}, {"role", "dispatcher"}}));
  EXPECT_EQ(nlohmann::json::parse(Get("/api/v1/session", api::Role::kViewer).body)["role"], "viewer");
  EXPECT_EQ(nlohmann::json::parse(Get("/api/v1/session", api::Role::kAdmin).body)["role"], "admin");
}

TEST_F(ConsoleRoutesTest, SessionWithoutACallerIsUnauthorized) {
  const api::Response r = Get("/api/v1/session", api::Role::kNone, "");
  EXPECT_EQ(r.status, 401u);
  bool challenge = false;
  for (const auto& [name, value] : r.headers) challenge |= name == "WWW-Authenticate" && value == "Bearer";
  EXPECT_TRUE(challenge);
}

TEST_F(ConsoleRoutesTest, SitesWithLocationAndRadius) {
  const api::Response r = Get("/api/v1/sites");
  ASSERT_EQ(r.status, 200u) << r.body;
  const auto sites = nlohmann::json::parse(r.body)["sites"];
  ASSERT_EQ(sites.size(), 2u);
  EXPECT_EQ(sites[0]["site_id"], "site-a1");
  EXPECT_EQ(sites[0]["name"], "东区食堂");
  EXPECT_EQ(sites[0]["facility_number"], "ZC2101020001");
  EXPECT_EQ(sites[0]["radius_m"], 1500);
  EXPECT_DOUBLE_EQ(sites[0]["location"]["lat"].get<double>(), 41.80);
  EXPECT_EQ(sites[0]["location"]["system"], "WGS84");
}

TEST_F(ConsoleRoutesTest, SitesOfOneAreaAndInGcj02) {
  auto sites = nlohmann::json::parse(Get("/api/v1/sites?area=area-b").body)["sites"];
  ASSERT_EQ(sites.size(), 1u);
  EXPECT_EQ(sites[0]["site_id"], "site-b1");
  sites = nlohmann::json::parse(Get("/api/v1/sites?area=area-b&system=gcj02").body)["sites"];
  EXPECT_EQ(sites[0]["location"]["system"], "GCJ02");
  EXPECT_NE(sites[0]["location"]["lat"].get<double>(), 41.82);  // shifted in China
  EXPECT_EQ(Get("/api/v1/sites?system=bd09").status, 400u);
}

}  // namespace
}  // namespace meal::service
