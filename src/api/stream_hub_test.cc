#include "api/stream_hub.h"

#include <memory>
#include <string>
#include <vector>

#include <gtest/gtest.h>

#include "metrics/registry.h"

namespace meal::api {
namespace {

using Next = StreamSubscription::Next;

SharedText Text(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

StreamMessage Message(std::string area, std::string full, std::string masked = {}) {
  return {std::move(area), Text(std::move(full)), masked.empty() ? nullptr : Text(std::move(masked))};
}

// Everything queued for `s`, oldest first.
std::vector<std::string> Drain(StreamSubscription& s) {
  std::vector<std::string> out;
  SharedText text;
  while (s.Pop(&text) == Next::kMessage) out.push_back(*text);
  return out;
}

TEST(StreamHubTest, AreaSubscribersGetTheirAreaAndMaskedOnesTheMaskedText) {
  StreamHub hub({});
  auto area1 = hub.Subscribe("a1", /*masked=*/false);
  auto all_masked = hub.Subscribe("", /*masked=*/true);
  ASSERT_TRUE(area1 && all_masked);
  hub.Publish(Message("a1", "full-1", "masked-1"));
  hub.Publish(Message("a2", "full-2", "masked-2"));
  hub.Publish(Message("a1", "full-3"));  // no masked text: the same for everyone
  EXPECT_EQ(Drain(*area1), (std::vector<std::string>{"full-1", "full-3"}));
  EXPECT_EQ(Drain(*all_masked), (std::vector<std::string>{"masked-1", "masked-2", "full-3"}));
}

TEST(StreamHubTest, RefusesClientsOverTheLimitUntilOneLeaves) {
  metrics::Registry registry;
  StreamHub hub({.max_clients = 2, .metrics = &registry});
  auto first = hub.Subscribe("", false);
  auto second = hub.Subscribe("", false);
  EXPECT_TRUE(first && second);
  EXPECT_EQ(hub.Subscribe("", false), nullptr);
  EXPECT_EQ(hub.clients(), 2u);
  EXPECT_EQ(registry.GetGauge("meal_ws_clients", "").Value(), 2.0);
  first->Cancel();
  first->Cancel();  // idempotent
  EXPECT_EQ(hub.clients(), 1u);
  EXPECT_NE(hub.Subscribe("", false), nullptr);
  second.reset();  // a subscription destroyed leaves the hub too
  EXPECT_EQ(hub.clients(), 0u);  // the third was dropped at once as well
  EXPECT_FALSE(hub.has_clients());
}

TEST(StreamHubTest, AQueueOverTheLimitIsDroppedAndTheOthersGoOn) {
  metrics::Registry registry;
  StreamHub hub({.queue_messages = 3, .metrics = &registry});
  auto slow = hub.Subscribe("", false);
  auto fast = hub.Subscribe("", false);
  int slow_wakes = 0;
  slow->SetWaker([&] { ++slow_wakes; });
  SharedText text;
  ASSERT_EQ(slow->Pop(&text), Next::kIdle);  // the session waits for messages
  for (int i = 0; i < 4; ++i) {
    hub.Publish(Message("a", std::to_string(i)));
    EXPECT_EQ(Drain(*fast), std::vector<std::string>{std::to_string(i)});
  }
  EXPECT_EQ(slow_wakes, 2);  // the first message (idle) and the overflow
  EXPECT_TRUE(slow->overflowed());
  EXPECT_EQ(slow->Pop(&text), Next::kOverflowed);
  EXPECT_EQ(slow->Pop(&text), Next::kOverflowed);  // stays so
  EXPECT_EQ(slow->close_reason(), "client too slow: more than 3 messages queued (http.ws_queue_messages)");
  EXPECT_EQ(hub.clients(), 1u);
  EXPECT_EQ(hub.slow_clients_closed(), 1u);
  EXPECT_EQ(registry.GetCounter("meal_ws_slow_clients_closed_total", "").Value(), 1u);
  hub.Publish(Message("a", "after"));
  EXPECT_EQ(Drain(*fast), std::vector<std::string>{"after"});
  EXPECT_EQ(slow->Pop(&text), Next::kOverflowed);
}

TEST(StreamHubTest, TheWakerRunsOnlyWhenTheSessionWaits) {
  StreamHub hub({});
  auto s = hub.Subscribe("", false);
  int wakes = 0;
  s->SetWaker([&] { ++wakes; });
  hub.Publish(Message("a", "1"));  // the session has not asked yet: it will Pop anyway
  EXPECT_EQ(wakes, 0);
  SharedText text;
  EXPECT_EQ(s->Pop(&text), Next::kMessage);
  EXPECT_EQ(s->Pop(&text), Next::kIdle);
  hub.Publish(Message("a", "2"));
  hub.Publish(Message("a", "3"));
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(Drain(*s), (std::vector<std::string>{"2", "3"}));
  s->Cancel();
  hub.Publish(Message("a", "4"));
  EXPECT_EQ(wakes, 1);
  EXPECT_EQ(s->Pop(&text), Next::kCancelled);
}

TEST(StreamHubTest, PushFrontGoesAheadOfWhatIsQueued) {
  StreamHub hub({});
  auto s = hub.Subscribe("", false);
  hub.Publish(Message("a", "live"));
  s->PushFront(Text("snapshot"));
  EXPECT_EQ(Drain(*s), (std::vector<std::string>{"snapshot", "live"}));
}

TEST(StreamHubTest, ASubscriptionOutlivingTheHubGetsNothingMore) {
  auto hub = std::make_unique<StreamHub>(StreamHub::Options{});
  auto s = hub->Subscribe("", false);
  hub->Publish(Message("a", "1"));
  hub.reset();
  EXPECT_EQ(Drain(*s), std::vector<std::string>{"1"});
  s->Cancel();  // must not touch the destroyed hub
}

TEST(StreamHubTest, DropAllClosesEveryClientWithTheReason) {
  StreamHub hub({});
  auto a = hub.Subscribe("a", false);
  auto b = hub.Subscribe("", true);
  int wakes = 0;
  a->SetWaker([&] { ++wakes; });
  hub.Publish(Message("a", "1"));
  hub.DropAll("the stream fell behind");
  EXPECT_EQ(wakes, 1);
  SharedText text;
  EXPECT_EQ(a->Pop(&text), Next::kOverflowed);
  EXPECT_EQ(b->Pop(&text), Next::kOverflowed);
  EXPECT_EQ(a->close_reason(), "the stream fell behind");
  EXPECT_EQ(hub.clients(), 0u);
  EXPECT_EQ(hub.slow_clients_closed(), 0u);
  EXPECT_NE(hub.Subscribe("", false), nullptr);  // new clients are welcome
}

TEST(StreamHubTest, RejectsZeroLimits) {
  EXPECT_THROW(StreamHub({.max_clients = 0}), std::invalid_argument);
  EXPECT_THROW(StreamHub({.queue_messages = 0}), std::invalid_argument);
}

}  // namespace
}  // namespace meal::api
