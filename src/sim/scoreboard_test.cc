#include "sim/scoreboard.h"

#include <gtest/gtest.h>

#include <string>

#include "mealdispatch/v1/events.pb.h"

namespace meal::sim {
namespace {

namespace pb = ::mealdispatch::v1;

City SmallCity() {
  CityOptions o;
  o.orders = 200;
  o.elders_per_site = 40;
  o.couriers_per_area = 4;
  o.cancel_share = 0.05;
  return GenerateCity(o);
}

// Produces the whole day into the board, malformed records counted apart as
// meal-sim does; returns the wall stamp reached.
std::int64_t ProduceDay(const City& city, Scoreboard* board) {
  std::int64_t wall_us = 0;
  std::size_t m = 0;
  for (std::size_t i = 0; i < city.events.size(); ++i) {
    wall_us += 100;
    if (m < city.malformed.size() && city.malformed[m].event_index == i) {
      ++m;
      board->CountMalformed();
    } else {
      board->OnProduced(city.events[i], wall_us);
    }
  }
  return wall_us;
}

SimRecord DeliveryRecord(const OrderInfo& o, bool delivered, EventTimeMs t) {
  pb::DeliveryEvent e;
  e.mutable_header()->set_event_id("d-" + o.order_id);
  e.mutable_header()->set_area_id(o.area_id);
  e.mutable_header()->set_event_time_ms(t);
  if (delivered) {
    e.mutable_delivered()->set_order_id(o.order_id);
  } else {
    e.mutable_failed()->set_order_id(o.order_id);
    e.mutable_failed()->set_reason(pb::NO_ANSWER);
  }
  return {"meal.deliveries", o.area_id, e.SerializeAsString(), t};
}

TEST(ScoreboardTest, CountsWhatWasSentAndWaitsForOutcomes) {
  const City city = SmallCity();
  Scoreboard board(city);
  ProduceDay(city, &board);
  const DaySummary s = board.Summarize();
  EXPECT_EQ(s.orders_placed, static_cast<std::int64_t>(city.orders.size()));
  EXPECT_EQ(s.orders_ready, static_cast<std::int64_t>(city.ready_order_ids.size()));
  EXPECT_EQ(s.orders_placed, s.orders_ready + s.orders_cancelled);
  EXPECT_EQ(s.malformed_sent, static_cast<std::int64_t>(city.malformed_count()));
  EXPECT_EQ(s.events_produced, static_cast<std::int64_t>(city.events.size()));
  EXPECT_FALSE(board.AllReadyHaveOutcome());
  EXPECT_EQ(board.ready_without_outcome(), s.orders_ready);
  EXPECT_TRUE(board.AllAssignedFinished());
}

TEST(ScoreboardTest, ScoresAssignmentsAlertsAndDeliveries) {
  const City city = SmallCity();
  Scoreboard board(city);
  const std::int64_t wall = ProduceDay(city, &board);
  std::vector<const OrderInfo*> ready;
  for (const OrderInfo& o : city.orders) {
    if (!o.cancelled()) ready.push_back(&o);
  }
  ASSERT_GT(ready.size(), 10u);

  // All but the last ready order in one plan each; the last is unassignable.
  for (std::size_t i = 0; i + 1 < ready.size(); ++i) {
    pb::Assignment a;
    a.set_courier_id("courier-x");
    a.set_plan_version(i + 1);
    a.add_stops()->set_order_id(ready[i]->order_id);
    a.add_stops()->set_order_id(ready[i]->order_id);
    board.OnAssignment(a, wall + 5000 * static_cast<std::int64_t>(i + 1));
  }
  pb::Alert alert;
  alert.set_kind(pb::UNASSIGNABLE);
  alert.set_order_id(ready.back()->order_id);
  board.OnAlert(alert);
  EXPECT_TRUE(board.AllReadyHaveOutcome());
  EXPECT_FALSE(board.AllAssignedFinished());

  // Deliver all assigned: the first one late, the second failed.
  for (std::size_t i = 0; i + 1 < ready.size(); ++i) {
    const OrderInfo& o = *ready[i];
    const EventTimeMs t = i == 0 ? o.window_end_ms + kMinuteMs : o.window_end_ms;
    board.OnProduced(DeliveryRecord(o, i != 1, t), wall);
  }
  // A duplicate outcome does not count twice.
  board.OnProduced(DeliveryRecord(*ready[2], true, ready[2]->window_start_ms), wall);
  EXPECT_TRUE(board.AllAssignedFinished());

  const DaySummary s = board.Summarize();
  const std::int64_t n = static_cast<std::int64_t>(ready.size());
  EXPECT_EQ(s.assigned, n - 1);
  EXPECT_EQ(s.unassignable, 1);
  EXPECT_NEAR(s.unassignable_pct, 100.0 / static_cast<double>(n), 1e-9);
  EXPECT_EQ(s.without_outcome, 0);
  EXPECT_EQ(s.delivered, n - 2);
  EXPECT_EQ(s.failed, 1);
  EXPECT_NEAR(s.on_time_pct, 100.0 * static_cast<double>(n - 3) / static_cast<double>(n - 2), 1e-9);
  EXPECT_EQ(s.latency_samples, n - 1);
  EXPECT_GT(s.latency_p99_ms, s.latency_p50_ms);
  EXPECT_GT(s.latency_p50_ms, 0);
}

TEST(ScoreboardTest, SummaryJsonHasEveryField) {
  DaySummary s;
  s.orders_placed = 12;
  s.drained = true;
  const std::string json = SummaryJson(s);
  EXPECT_EQ(json.front(), '{');
  for (const char* key : {"\"orders_placed\":12", "\"orders_ready\"", "\"orders_cancelled\"",
                          "\"malformed_sent\"", "\"assigned\"", "\"unassignable\"",
                          "\"unassignable_pct\"", "\"delivered\"", "\"failed\"", "\"on_time_pct\"",
                          "\"latency_p50_ms\"", "\"latency_p99_ms\"", "\"events_produced\"",
                          "\"events_per_s\"", "\"day_events_per_s\"", "\"drained\":true"}) {
    EXPECT_NE(json.find(key), std::string::npos) << key;
  }
  EXPECT_NE(FormatSummary(s).find("orders placed"), std::string::npos);
}

}  // namespace
}  // namespace meal::sim
