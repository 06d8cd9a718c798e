#include "service/peers.h"

#include <map>
#include <string>
#include <vector>

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "state/keys.h"
#include "state/memory_store.h"

namespace meal::service {
namespace {

TEST(ClientIdTest, CarriesTheAdvertisedUrl) {
  const std::string id = ClientIdWithUrl("meal-dispatchd-0", "http://meal-dispatchd-0.meal-dispatchd-headless:8080");
  EXPECT_EQ(id, "meal-dispatchd-0@http://meal-dispatchd-0.meal-dispatchd-headless:8080");
  EXPECT_EQ(UrlInClientId(id), "http://meal-dispatchd-0.meal-dispatchd-headless:8080");
  EXPECT_EQ(UrlInClientId("user@example@http://127.0.0.1:9"), "http://127.0.0.1:9");
}

TEST(ClientIdTest, NoUrlWhenTheClientIdCarriesNone) {
  EXPECT_EQ(UrlInClientId("meal-dispatchd"), "");
  EXPECT_EQ(UrlInClientId("ops@example.org"), "");
  EXPECT_EQ(UrlInClientId("x@https://a:1"), "");
}

// This instance ("b") over a store owning area-b, with peers "a" and "c"
// whose answers the test sets; the guard inside is a plain call.
class PeersTest : public ::testing::Test {
 protected:
  void SetUp() override {
    state::WriteSet w;
    w.Put(state::AreaTaskKey("area-b"), state::EncodeOffset(1));
    ASSERT_TRUE(store_.Commit(w).ok());
  }

  Peers MakePeers() {
    return Peers(
        Peers::Options{.self = "b", .metrics = &metrics_}, store_,
        [this](std::vector<kafka::GroupMember>* members) {
          ++describes_;
          *members = {{"c", "meal@http://c:1", {2}}, {"b", "meal@http://b:1", {1}}, {"a", "meal@http://a:1", {0}},
                      {"", "someone-else", {3}}};
          return Status::Ok();
        },
        [this](const std::string& url, const api::Request& request, api::Response* response) {
          sent_.push_back(url);
          forwarded_.push_back(request);
          const auto it = answers_.find(url);
          if (it == answers_.end()) return Status::Io("connection refused");
          *response = it->second;
          return Status::Ok();
        });
  }

  // `method` `target` through Peers::Around with `local` as the local answer.
  api::Response Call(Peers& peers, std::string method, const std::string& target, api::Response local,
                     std::map<std::string, std::string, api::CaseInsensitiveLess> headers = {}) {
    api::Request request;
    request.method = std::move(method);
    EXPECT_TRUE(api::ParseTarget(target, request).ok());
    request.headers = std::move(headers);
    const api::Guard guard = peers.Around([](const api::RouteMatch&, api::Request& r, const api::Handler& h) {
      return h(r);
    });
    const std::string pattern = request.path;
    return guard(api::RouteMatch{request.method, pattern}, request, [&](const api::Request&) { return local; });
  }

  std::uint64_t Forwarded(const std::string& result) {
    return metrics_.GetCounter("meal_forwarded_requests_total", "", {{"result", result}}).Value();
  }

  state::MemoryStore store_;
  metrics::Registry metrics_;
  int describes_ = 0;
  std::map<std::string, api::Response> answers_;
  std::vector<std::string> sent_;
  std::vector<api::Request> forwarded_;
};

TEST_F(PeersTest, ANotFoundGoesToTheOtherMembersInTurnAndTheFirstAnswerWins) {
  answers_["http://a:1"] = api::Error(404, "no order o1");
  answers_["http://c:1"] = api::Json(200, {{"order_id", "o1"}});
  Peers peers = MakePeers();
  const api::Response r = Call(peers, "GET", "/api/v1/orders/o1", api::Error(404, "no order o1"),
                               {{"Authorization", "Bearer t"}, {"Host", "b:1"}});
  EXPECT_EQ(r.status, 200u);
  EXPECT_EQ(r.body, R"({"order_id":"o1"})");
  EXPECT_EQ(sent_, (std::vector<std::string>{"http://a:1", "http://c:1"}));  // never itself
  ASSERT_EQ(forwarded_.size(), 2u);
  EXPECT_EQ(forwarded_[0].header("Authorization"), "Bearer t");
  EXPECT_EQ(forwarded_[0].header(kForwardedHeader), "1");
  EXPECT_EQ(forwarded_[0].header("Host"), "");
  EXPECT_EQ(Forwarded("answered"), 1u);
}

TEST_F(PeersTest, AForwardedRequestIsNeverForwardedAgain) {
  answers_["http://a:1"] = api::Json(200, {});
  Peers peers = MakePeers();
  const api::Response r = Call(peers, "GET", "/api/v1/orders/o1", api::Error(404, "no order o1"),
                               {{"x-meal-forwarded", "1"}});
  EXPECT_EQ(r.status, 404u);
  EXPECT_TRUE(sent_.empty());
}

TEST_F(PeersTest, TheLocalAnswerStandsWhenNoPeerHasIt) {
  answers_["http://a:1"] = api::Error(404, "no order o9");
  Peers peers = MakePeers();  // c refuses the connection
  const api::Response r = Call(peers, "POST", "/api/v1/orders/o9/hold", api::Error(404, "no order o9 here"));
  EXPECT_EQ(r.status, 404u);
  EXPECT_EQ(r.body, api::Error(404, "no order o9 here").body);
  EXPECT_EQ(sent_.size(), 2u);
  EXPECT_EQ(Forwarded("not_found"), 1u);
}

TEST_F(PeersTest, AnAreaQueryGoesToThePeersOnlyWhenTheAreaIsNotOwnedHere) {
  answers_["http://a:1"] = api::Json(200, {{"orders", {"o1"}}});
  Peers peers = MakePeers();
  const api::Response empty = api::Json(200, {{"orders", nlohmann::json::array()}});
  EXPECT_EQ(Call(peers, "GET", "/api/v1/orders?area=area-b", empty).body, R"({"orders":[]})");
  EXPECT_TRUE(sent_.empty());
  EXPECT_EQ(Call(peers, "GET", "/api/v1/orders?area=area-a", empty).body, R"({"orders":["o1"]})");
  EXPECT_EQ(sent_, std::vector<std::string>{"http://a:1"});
  ASSERT_EQ(forwarded_.size(), 1u);
  EXPECT_EQ(forwarded_[0].query.at("area"), "area-a");
}

TEST_F(PeersTest, WhatSucceededOrFailedOtherwiseHereStaysLocal) {
  answers_["http://a:1"] = api::Json(200, {});
  Peers peers = MakePeers();
  EXPECT_EQ(Call(peers, "GET", "/api/v1/orders", api::Json(200, {{"orders", {}}})).status, 200u);
  EXPECT_EQ(Call(peers, "POST", "/api/v1/recalls?area=area-a", api::Json(202, {})).status, 202u);
  EXPECT_EQ(Call(peers, "GET", "/api/v1/orders?area=area-a&limit=x", api::Error(400, "limit")).status, 400u);
  EXPECT_EQ(Call(peers, "GET", "/api/v1/orders/o1", api::Error(401, "no token")).status, 401u);
  EXPECT_EQ(Call(peers, "HEAD", "/api/v1/orders/o1", api::Error(404, "no order")).status, 404u);
  EXPECT_EQ(Call(peers, "GET", "/healthz", api::Error(404, "x")).status, 404u);
  EXPECT_TRUE(sent_.empty());
}

TEST_F(PeersTest, TheGroupIsDescribedOncePerSecondAtMost) {
  Peers peers = MakePeers();
  for (int i = 0; i < 3; ++i) Call(peers, "GET", "/api/v1/orders/o1", api::Error(404, "no order o1"));
  EXPECT_EQ(describes_, 1);
  EXPECT_EQ(Forwarded("unreachable"), 3u);
}

}  // namespace
}  // namespace meal::service
