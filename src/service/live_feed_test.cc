#include "service/live_feed.h"

#include <memory>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "codec/state_codec.h"
#include "service/http_routes.h"
#include "state/keys.h"
#include "state/memory_store.h"

namespace meal::service {
namespace {

using nlohmann::json;
using Next = api::StreamSubscription::Next;

Order MakeOrder(const std::string& id, const std::string& area, OrderStatus status) {
  Order o;
  o.order_id = id;
  o.area_id = area;
  o.site_id = "site-1";
  o.elder_id = "elder-" + id;
  o.status = status;
  o.pickup = {31.2300, 121.4700};
  o.dropoff = {31.2400, 121.4800};
  o.window_start_ms = 3'600'000;
  o.window_end_ms = 7'200'000;
  o.proof_ref = "photo-" + id;
  return o;
}

Courier MakeCourier(const std::string& id, const std::string& area, EventTimeMs at) {
  Courier c;
  c.courier_id = id;
  c.area_id = area;
  c.on_shift = true;
  c.box_capacity = 4;
  c.shift_end_ms = 36'000'000;
  c.location = {31.2310, 121.4710};
  c.location_ms = at;
  return c;
}

// Everything queued for `s`, parsed, oldest first.
std::vector<json> Drain(api::StreamSubscription& s) {
  std::vector<json> out;
  api::SharedText text;
  while (s.Pop(&text) == Next::kMessage) out.push_back(json::parse(*text));
  return out;
}

class LiveFeedTest : public ::testing::Test {
 protected:
  // Commits `w` and hands it to the feed, as the service loop does.
  void Commit(state::WriteSet w) {
    ASSERT_TRUE(store_.Commit(w).ok());
    feed_->Committed(std::move(w));
  }
  void Put(state::WriteSet& w, const Order& o) { w.Put(state::OrderKey(o.order_id), codec::EncodeOrder(o)); }
  void Put(state::WriteSet& w, const Courier& c) { w.Put(state::CourierKey(c.courier_id), codec::EncodeCourier(c)); }

  std::vector<json> Published(api::StreamSubscription& s) {
    EXPECT_TRUE(feed_->Flush(10'000));
    return Drain(s);
  }

  metrics::Registry metrics_;
  state::MemoryStore store_;
  api::StreamHub hub_{{}};
  std::unique_ptr<LiveFeed> feed_ =
      std::make_unique<LiveFeed>(store_, hub_, LiveFeed::Options{.metrics = &metrics_});
};

TEST_F(LiveFeedTest, CommittedOrdersCouriersAndAlertsBecomeMessagesInOrder) {
  auto all = hub_.Subscribe("", false);
  auto area2 = hub_.Subscribe("area-2", false);
  state::WriteSet w;
  Put(w, MakeOrder("o1", "area-1", OrderStatus::kReady));
  w.Put(state::DedupKey("area-1", "e1"), "");  // not a record the stream shows
  Put(w, MakeCourier("c1", "area-1", 1000));
  StoredAlert alert;
  alert.alert.alert_id = "late/o1";
  alert.alert.area_id = "area-1";
  alert.alert.kind = AlertKind::kLateRisk;
  alert.alert.order_id = "o1";
  w.Put(state::AlertKey("late/o1"), codec::EncodeStoredAlert(alert));
  Commit(std::move(w));
  state::WriteSet w2;
  Put(w2, MakeOrder("o2", "area-2", OrderStatus::kPlaced));
  Commit(std::move(w2));

  const std::vector<json> messages = Published(*all);
  ASSERT_EQ(messages.size(), 4u);
  EXPECT_EQ(messages[0]["type"], "order");
  EXPECT_EQ(messages[0]["area_id"], "area-1");
  EXPECT_EQ(messages[0]["order"]["order_id"], "o1");
  EXPECT_EQ(messages[0]["order"]["status"], "READY");
  EXPECT_EQ(messages[1]["type"], "courier");
  EXPECT_EQ(messages[1]["courier"]["courier_id"], "c1");
  EXPECT_TRUE(messages[1]["courier"].contains("route"));
  EXPECT_EQ(messages[2]["type"], "alert");
  EXPECT_EQ(messages[2]["alert"]["alert_id"], "late/o1");
  EXPECT_EQ(messages[2]["alert"]["status"], "open");
  EXPECT_EQ(messages[3]["order"]["order_id"], "o2");
  const std::vector<json> only_area2 = Published(*area2);
  ASSERT_EQ(only_area2.size(), 1u);
  EXPECT_EQ(only_area2[0]["order"]["order_id"], "o2");
  EXPECT_EQ(metrics_.GetCounter("meal_ws_messages_total", "").Value(), 4u);
}

TEST_F(LiveFeedTest, ViewersGetMaskedMessages) {
  auto dispatcher = hub_.Subscribe("", false);
  auto viewer = hub_.Subscribe("", true);
  state::WriteSet w;
  Put(w, MakeOrder("o1", "area-1", OrderStatus::kDelivered));
  Courier c = MakeCourier("c1", "area-1", 1000);
  c.at_door = true;  // its position is an elder's door
  Put(w, c);
  Commit(std::move(w));
  const std::vector<json> full = Published(*dispatcher);
  const std::vector<json> masked = Published(*viewer);
  ASSERT_EQ(full.size(), 2u);
  ASSERT_EQ(masked.size(), 2u);
  EXPECT_EQ(full[0]["order"]["proof_ref"], "photo-o1");
  EXPECT_EQ(masked[0]["order"]["proof_ref"], "***");
  EXPECT_TRUE(full[1]["courier"].contains("location"));
  EXPECT_FALSE(masked[1]["courier"].contains("location"));
  EXPECT_EQ(masked[1]["courier"]["courier_id"], "c1");
}

TEST_F(LiveFeedTest, PositionOnlyChangesAtMostOncePerSecondOfEventTime) {
  auto s = hub_.Subscribe("", false);
  auto move = [&](EventTimeMs at, std::uint64_t plan_version) {
    Courier c = MakeCourier("c1", "area-1", at);
    c.location.lat += static_cast<double>(at) * 1e-7;
    c.plan_version = plan_version;
    state::WriteSet w;
    Put(w, c);
    Commit(std::move(w));
    // One commit at a time: commits queued together would be coalesced.
    ASSERT_TRUE(feed_->Flush(10'000));
  };
  move(1000, 1);  // first sight: sent
  move(1500, 1);  // position only, 0.5 s later: not sent
  move(1999, 1);  // not yet
  move(2000, 1);  // a second after the last one sent: sent
  move(2100, 2);  // a new plan: sent at once
  move(2200, 2);  // position only: not sent
  std::vector<EventTimeMs> sent;
  for (const json& m : Published(*s)) sent.push_back(m["courier"]["location_ms"].get<EventTimeMs>());
  EXPECT_EQ(sent, (std::vector<EventTimeMs>{1000, 2000, 2100}));
}

TEST_F(LiveFeedTest, WithoutClientsNothingIsQueued) {
  state::WriteSet w;
  Put(w, MakeOrder("o1", "area-1", OrderStatus::kReady));
  Commit(std::move(w));
  auto late = hub_.Subscribe("", false);
  EXPECT_TRUE(Published(*late).empty());  // it starts from a snapshot instead
}

TEST_F(LiveFeedTest, ABacklogOverTheLimitClosesEveryClient) {
  feed_ = std::make_unique<LiveFeed>(store_, hub_, LiveFeed::Options{.max_pending_bytes = 0, .metrics = &metrics_});
  auto s = hub_.Subscribe("", false);
  state::WriteSet w;
  Put(w, MakeOrder("o1", "area-1", OrderStatus::kReady));
  Commit(std::move(w));
  api::SharedText text;
  EXPECT_EQ(s->Pop(&text), Next::kOverflowed);
  EXPECT_THAT(s->close_reason(), ::testing::HasSubstr("fell behind"));
  EXPECT_EQ(hub_.clients(), 0u);
  EXPECT_EQ(metrics_.GetCounter("meal_ws_feed_backlog_dropped_total", "").Value(), 1u);
}

TEST(StreamSnapshotTest, OpenOrdersAndCouriersOnShiftOfTheArea) {
  state::MemoryStore store;
  state::WriteSet w;
  auto put_order = [&](const Order& o) { w.Put(state::OrderKey(o.order_id), codec::EncodeOrder(o)); };
  put_order(MakeOrder("o1", "area-1", OrderStatus::kAssigned));
  put_order(MakeOrder("o2", "area-1", OrderStatus::kDelivered));  // final: left out
  put_order(MakeOrder("o3", "area-2", OrderStatus::kReady));
  Courier off = MakeCourier("c2", "area-1", 0);
  off.on_shift = false;
  for (const Courier& c : {MakeCourier("c1", "area-1", 0), off, MakeCourier("c3", "area-2", 0)}) {
    w.Put(state::CourierKey(c.courier_id), codec::EncodeCourier(c));
  }
  ASSERT_TRUE(store.Commit(w).ok());

  json snapshot;
  ASSERT_TRUE(StreamSnapshot(store, {}, "area-1", &snapshot).ok());
  EXPECT_EQ(snapshot["type"], "snapshot");
  EXPECT_EQ(snapshot["area_id"], "area-1");
  ASSERT_EQ(snapshot["orders"].size(), 1u);
  EXPECT_EQ(snapshot["orders"][0]["order_id"], "o1");
  ASSERT_EQ(snapshot["couriers"].size(), 1u);
  EXPECT_EQ(snapshot["couriers"][0]["courier_id"], "c1");

  ASSERT_TRUE(StreamSnapshot(store, {}, "", &snapshot).ok());
  EXPECT_TRUE(snapshot["area_id"].is_null());
  EXPECT_EQ(snapshot["orders"].size(), 2u);
  EXPECT_EQ(snapshot["couriers"].size(), 2u);
}

// The route itself, short of the socket: what it answers when it does not
// upgrade, and the subscription it hands the server when it does.
class StreamRouteTest : public ::testing::Test {
 protected:
  api::Response Get(const std::string& target, bool upgrade, api::Role role = api::Role::kDispatcher) {
    const api::Router router = MakeRoutes(RouteContext{&metrics_, &store_, &ready_, {}, {}, &hub_});
    api::Request req;
    req.method = "GET";
    EXPECT_TRUE(api::ParseTarget(target, req).ok());
    if (upgrade) {
      req.headers = {{"Upgrade", "websocket"},
                     {"Connection", "Upgrade"},
                     {"Sec-WebSocket-Version", "13"},
                     {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
    }
    req.role = role;  // as the guard leaves it
    return router.Dispatch(req);
  }

  metrics::Registry metrics_;
  state::MemoryStore store_;
  std::atomic<bool> ready_{true};
  api::StreamHub hub_{{.max_clients = 1}};
};

TEST_F(StreamRouteTest, UpgradesWithTheSnapshotFirstAndRefusesOverTheLimit) {
  state::WriteSet w;
  Order o = MakeOrder("o1", "area-1", OrderStatus::kPickedUp);
  w.Put(state::OrderKey("o1"), codec::EncodeOrder(o));
  ASSERT_TRUE(store_.Commit(w).ok());

  api::Response r = Get("/api/v1/stream?area=area-1", true, api::Role::kViewer);
  ASSERT_EQ(r.status, 101u) << r.body;
  ASSERT_NE(r.stream, nullptr);
  EXPECT_EQ(r.stream->area(), "area-1");
  EXPECT_TRUE(r.stream->masked());  // a viewer
  const std::vector<json> first = Drain(*r.stream);
  ASSERT_EQ(first.size(), 1u);
  EXPECT_EQ(first[0]["type"], "snapshot");
  EXPECT_EQ(first[0]["orders"][0]["proof_ref"], "***");

  const api::Response over = Get("/api/v1/stream", true);
  EXPECT_EQ(over.status, 429u);
  EXPECT_THAT(over.body, ::testing::HasSubstr("http.max_ws_clients"));
  r.stream.reset();  // that client leaves
  const api::Response dispatcher = Get("/api/v1/stream", true);
  ASSERT_EQ(dispatcher.status, 101u);
  EXPECT_FALSE(dispatcher.stream->masked());
}

TEST_F(StreamRouteTest, NoUpgradeGets426AndAnEmptyArea400) {
  const api::Response plain = Get("/api/v1/stream", false);
  EXPECT_EQ(plain.status, 426u);
  EXPECT_EQ(Get("/api/v1/stream?area=", true).status, 400u);
  EXPECT_EQ(hub_.clients(), 0u);
}

}  // namespace
}  // namespace meal::service
