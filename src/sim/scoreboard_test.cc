#include "sim/scoreboard.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

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

// An order the kitchen made ready: one-off or generated from a standing order.
struct ReadyOrder {
  std::string order_id;
  std::string area_id;
  EventTimeMs window_start_ms = 0;
  EventTimeMs window_end_ms = 0;
};

std::vector<ReadyOrder> ReadyOrders(const City& city) {
  std::vector<ReadyOrder> ready;
  for (const OrderInfo& o : city.orders) {
    if (!o.cancelled()) ready.push_back({o.order_id, o.area_id, o.window_start_ms, o.window_end_ms});
  }
  for (const StandingInfo& g : city.standing) {
    if (g.ready_ms >= 0) ready.push_back({g.order_id, g.area_id, g.window_start_ms, g.window_end_ms});
  }
  return ready;
}

SimRecord DeliveryRecord(const ReadyOrder& o, bool delivered, EventTimeMs t, const std::string& courier_id = "",
                         pb::FailureReason reason = pb::NO_ANSWER) {
  pb::DeliveryEvent e;
  e.mutable_header()->set_event_id("d-" + o.order_id);
  e.mutable_header()->set_area_id(o.area_id);
  e.mutable_header()->set_event_time_ms(t);
  if (delivered) {
    e.mutable_delivered()->set_order_id(o.order_id);
    e.mutable_delivered()->set_courier_id(courier_id);
  } else {
    e.mutable_failed()->set_order_id(o.order_id);
    e.mutable_failed()->set_courier_id(courier_id);
    e.mutable_failed()->set_reason(reason);
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
  // The standing orders' ready orders were placed by the service, not sent.
  const auto standing_ready = static_cast<std::int64_t>(std::count_if(
      city.standing.begin(), city.standing.end(), [](const StandingInfo& g) { return g.ready_ms >= 0; }));
  EXPECT_EQ(standing_ready, static_cast<std::int64_t>(city.standing.size()) - 1);  // one in hospital
  EXPECT_EQ(s.orders_placed + standing_ready, s.orders_ready + s.orders_cancelled);
  EXPECT_EQ(s.standing_orders, static_cast<std::int64_t>(city.standing.size()));
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
  const std::vector<ReadyOrder> orders = ReadyOrders(city);
  std::vector<const ReadyOrder*> ready;
  for (const ReadyOrder& o : orders) ready.push_back(&o);
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
    const ReadyOrder& o = *ready[i];
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

// More of each elder-care situation than the small city has.
const City& ElderCareCity() {
  static const City city = [] {
    CityOptions o;
    o.orders = 600;
    o.elders_per_site = 60;
    o.couriers_per_area = 10;
    o.paired_helper_share = 0.2;
    return GenerateCity(o);
  }();
  return city;
}

ReadyOrder Ready(const OrderInfo& o) { return {o.order_id, o.area_id, o.window_start_ms, o.window_end_ms}; }

pb::Assignment PlanOf(const std::string& courier, std::uint64_t version) {
  pb::Assignment a;
  a.set_courier_id(courier);
  a.set_plan_version(version);
  return a;
}

void AddStop(pb::Assignment* a, pb::StopKind kind, const std::string& order_id, std::uint32_t stop_index) {
  pb::PlannedStop* s = a->add_stops();
  s->set_kind(kind);
  s->set_order_id(order_id);
  s->set_stop_index(stop_index);
}

pb::Alert AlertOf(pb::AlertKind kind, const std::string& alert_id, EventTimeMs t) {
  pb::Alert a;
  a.mutable_header()->set_event_time_ms(t);
  a.set_kind(kind);
  a.set_alert_id(alert_id);
  return a;
}

TEST(ScoreboardTest, ScoresPairedEldersMealsByHelperTeamAndOthers) {
  const City& city = ElderCareCity();
  std::map<std::string, const ElderInfo*> elders;
  for (const ElderInfo& e : city.elders) elders[e.elder_id] = &e;
  std::vector<const OrderInfo*> paired;
  for (const OrderInfo& o : city.orders) {
    if (!o.cancelled() && !elders.at(o.elder_id)->paired_helper_id.empty()) paired.push_back(&o);
  }
  ASSERT_GE(paired.size(), 4u);
  const std::string helper = elders.at(paired[0]->elder_id)->paired_helper_id;
  std::string teammate;
  std::string stranger;
  const CourierInfo* helper_info = nullptr;
  for (const CourierInfo& c : city.couriers) {
    if (c.courier_id == helper) helper_info = &c;
  }
  ASSERT_NE(helper_info, nullptr);
  for (const CourierInfo& c : city.couriers) {
    if (c.courier_id != helper && c.team_id == helper_info->team_id && teammate.empty()) teammate = c.courier_id;
    if (c.team_id != helper_info->team_id && stranger.empty()) stranger = c.courier_id;
  }
  ASSERT_FALSE(teammate.empty());
  ASSERT_FALSE(stranger.empty());

  Scoreboard board(city);
  const std::int64_t wall = ProduceDay(city, &board);
  // The first three of the helper's elders' meals: by the helper, a teammate
  // and someone else; the fourth fails at the door and counts nowhere.
  std::vector<const OrderInfo*> theirs;
  for (const OrderInfo* o : paired) {
    if (elders.at(o->elder_id)->paired_helper_id == helper) theirs.push_back(o);
  }
  ASSERT_GE(theirs.size(), 4u);
  board.OnProduced(DeliveryRecord(Ready(*theirs[0]), true, theirs[0]->window_start_ms, helper), wall);
  board.OnProduced(DeliveryRecord(Ready(*theirs[1]), true, theirs[1]->window_start_ms, teammate), wall);
  board.OnProduced(DeliveryRecord(Ready(*theirs[2]), true, theirs[2]->window_start_ms, stranger), wall);
  board.OnProduced(DeliveryRecord(Ready(*theirs[3]), false, theirs[3]->window_start_ms, helper), wall);

  const DaySummary s = board.Summarize();
  EXPECT_EQ(s.paired_orders, static_cast<std::int64_t>(paired.size()));
  EXPECT_EQ(s.paired_by_helper, 1);
  EXPECT_EQ(s.paired_by_team, 1);
  EXPECT_EQ(s.paired_by_others, 1);
}

TEST(ScoreboardTest, CountsHubMealsHandedOverAtASharedStop) {
  const City& city = ElderCareCity();
  std::map<std::string, const ElderInfo*> elders;
  for (const ElderInfo& e : city.elders) elders[e.elder_id] = &e;
  // Two members' meals of one household and window, and one more hub meal.
  std::vector<const OrderInfo*> hub;
  for (const OrderInfo& o : city.orders) {
    if (!o.cancelled() && !elders.at(o.elder_id)->hub_household_id.empty()) hub.push_back(&o);
  }
  ASSERT_GE(hub.size(), 3u);
  ASSERT_EQ(hub[0]->window_start_ms, hub[1]->window_start_ms);
  ASSERT_EQ(elders.at(hub[0]->elder_id)->hub_household_id, elders.at(hub[1]->elder_id)->hub_household_id);
  const OrderInfo* alone = hub.back();

  Scoreboard board(city);
  const std::int64_t wall = ProduceDay(city, &board);
  pb::Assignment plan = PlanOf("courier-x", 1);
  AddStop(&plan, pb::PICKUP, hub[0]->order_id, 0);
  AddStop(&plan, pb::PICKUP, hub[1]->order_id, 0);
  AddStop(&plan, pb::PICKUP, alone->order_id, 0);
  AddStop(&plan, pb::DELIVERY, hub[0]->order_id, 1);
  AddStop(&plan, pb::DELIVERY, hub[1]->order_id, 1);
  AddStop(&plan, pb::DELIVERY, alone->order_id, 2);
  board.OnAssignment(plan, wall);
  board.OnProduced(DeliveryRecord(Ready(*hub[0]), true, hub[0]->window_start_ms, "courier-x"), wall);
  // The plan published after the first handover no longer shares the stop;
  // the second meal was still handed over at it.
  pb::Assignment after = PlanOf("courier-x", 2);
  AddStop(&after, pb::DELIVERY, hub[1]->order_id, 0);
  AddStop(&after, pb::DELIVERY, alone->order_id, 1);
  board.OnProduced(DeliveryRecord(Ready(*hub[1]), true, hub[1]->window_start_ms, "courier-x"), wall);
  board.OnAssignment(after, wall);
  board.OnProduced(DeliveryRecord(Ready(*alone), true, alone->window_start_ms, "courier-x"), wall);

  const DaySummary s = board.Summarize();
  EXPECT_EQ(s.hub_orders, static_cast<std::int64_t>(hub.size()));
  EXPECT_EQ(s.hub_shared_stop, 2);
}

TEST(ScoreboardTest, CountsWellnessChecksEscalationsAndAcknowledgements) {
  const City& city = ElderCareCity();
  Scoreboard board(city);
  const std::int64_t wall = ProduceDay(city, &board);
  const ReadyOrder a = Ready(city.orders[0]);
  const ReadyOrder b = Ready(city.orders[1]);
  const auto check = [](const ReadyOrder& o, const std::string& step, EventTimeMs t) {
    pb::Alert alert = AlertOf(pb::WELLNESS_CHECK, "wellness/" + o.order_id + "/" + step, t);
    alert.set_order_id(o.order_id);
    alert.set_case_id("wc-" + o.order_id);
    return alert;
  };
  const EventTimeMs t = a.window_start_ms;
  board.OnProduced(DeliveryRecord(a, false, t, "courier-x"), wall);
  board.OnProduced(DeliveryRecord(b, false, t, "courier-x", pb::REFUSED), wall);
  EXPECT_FALSE(board.AllWellnessClosed()) << "nobody answered, and no check is open yet";
  board.OnAlert(check(a, "0", t));
  board.OnAlert(check(a, "1", t + 10 * kMinuteMs));
  board.OnAlert(check(a, "1", t + 10 * kMinuteMs));  // announced again after a restart
  board.OnAlert(check(a, "2", t + 25 * kMinuteMs));
  board.OnAlert(check(a, "3/2", t + 115 * kMinuteMs));
  EXPECT_FALSE(board.AllWellnessClosed());
  pb::Alert closed = AlertOf(pb::WELLNESS_CLOSED, "wellness/" + a.order_id + "/closed", t + 2 * kHourMs);
  closed.set_order_id(a.order_id);
  closed.set_case_id("wc-" + a.order_id);
  board.OnAlert(closed);
  EXPECT_TRUE(board.AllWellnessClosed()) << "a refused meal opens no check";

  const DaySummary s = board.Summarize();
  EXPECT_EQ(s.wellness_opened, 1);
  EXPECT_EQ(s.wellness_escalations, 3);
  EXPECT_EQ(s.wellness_acknowledged, 1);
}

TEST(ScoreboardTest, RecallFinishesTheBatchAndReportsTheServicesCounts) {
  const City& city = ElderCareCity();
  ASSERT_TRUE(city.recall.has_value());
  const RecallInfo& recall = *city.recall;
  std::vector<const OrderInfo*> batch;
  for (const OrderInfo& o : city.orders) {
    if (!o.cancelled() && o.batch_id == recall.batch_id) batch.push_back(&o);
  }
  ASSERT_GE(batch.size(), 3u);

  Scoreboard board(city);
  const std::int64_t wall = ProduceDay(city, &board);
  pb::Assignment plan = PlanOf("courier-x", 1);
  for (const OrderInfo* o : batch) AddStop(&plan, pb::DELIVERY, o->order_id, 0);
  board.OnAssignment(plan, wall);
  EXPECT_EQ(board.assigned_unfinished(), static_cast<std::int64_t>(batch.size()));
  // One meal reached the door before the recall; one "delivery" reported
  // after it was refused by the service.
  board.OnProduced(DeliveryRecord(Ready(*batch[0]), true, recall.at_ms - kMinuteMs, "courier-x"), wall);
  board.OnProduced(DeliveryRecord(Ready(*batch[1]), true, recall.at_ms + kMinuteMs, "courier-x"), wall);
  EXPECT_EQ(board.delivered(), 2);

  pb::Alert own = AlertOf(pb::RECALL, "recall/" + recall.site_id + "/" + recall.batch_id + "/" + batch[0]->order_id,
                          recall.at_ms);
  own.set_order_id(batch[0]->order_id);
  own.set_site_id(recall.site_id);
  own.set_reason("batch recalled; already delivered: contact the elder, the meal must not be eaten");
  board.OnAlert(own);
  pb::Alert summary = AlertOf(pb::RECALL, "recall/" + recall.site_id + "/" + recall.batch_id, recall.at_ms);
  summary.set_site_id(recall.site_id);
  summary.set_reason("batch " + recall.batch_id +
                     " recalled by sim-food-safety: the kitchen reported a suspect ingredient: 7 stopped, "
                     "2 out for delivery, 1 delivered");
  board.OnAlert(summary);
  board.OnAlert(summary);  // the same alert again (a replay) counts once

  EXPECT_TRUE(board.AllAssignedFinished());
  EXPECT_EQ(board.delivered(), 1);
  const DaySummary s = board.Summarize();
  EXPECT_EQ(s.recalls, 1);
  EXPECT_EQ(s.recall_stopped, 7);
  EXPECT_EQ(s.recall_out_for_delivery, 2);
  EXPECT_EQ(s.recall_delivered, 1);
  EXPECT_EQ(s.delivered, 1);
}

TEST(ScoreboardTest, StandingOrdersSeenInPlansAndTheServiceApi) {
  const City& city = ElderCareCity();
  ASSERT_GE(city.standing.size(), 3u);
  Scoreboard board(city);
  const std::int64_t wall = ProduceDay(city, &board);
  DaySummary s = board.Summarize();
  EXPECT_EQ(s.standing_orders, static_cast<std::int64_t>(city.standing.size()));
  EXPECT_EQ(s.standing_generated, 0);
  EXPECT_EQ(s.standing_cancelled, -1) << "the API was not asked";

  pb::Assignment plan = PlanOf("courier-x", 1);
  AddStop(&plan, pb::PICKUP, city.standing[2].order_id, 0);
  AddStop(&plan, pb::DELIVERY, city.standing[2].order_id, 1);
  board.OnAssignment(plan, wall);
  board.OnServiceOrder(city.standing[0].order_id, "CANCELLED", "standing order suspended: hospital stay");
  board.OnServiceOrder(city.standing[1].order_id, "ASSIGNED", "");
  board.OnServiceOrder(city.standing[2].order_id, "ASSIGNED", "");
  s = board.Summarize();
  EXPECT_EQ(s.standing_generated, 3);
  EXPECT_EQ(s.standing_cancelled, 1);
}

TEST(ScoreboardTest, SummaryShowsEachElderCareSituation) {
  DaySummary s;
  s.paired_orders = 11;
  s.paired_by_helper = 8;
  s.paired_by_team = 2;
  s.paired_by_others = 1;
  s.hub_orders = 54;
  s.hub_shared_stop = 40;
  s.standing_orders = 18;
  s.standing_generated = 18;
  s.standing_cancelled = 1;
  s.wellness_opened = 20;
  s.wellness_escalations = 25;
  s.wellness_acknowledged = 20;
  s.recalls = 1;
  s.recall_stopped = 30;
  s.recall_out_for_delivery = 12;
  s.recall_delivered = 13;
  const std::string text = FormatSummary(s);
  for (const char* line :
       {"  paired-helper orders   11 ready; delivered 8 by the helper, 2 by the helper's team, 1 by others\n",
        "  hub-household orders   54 ready; 40 delivered at a shared stop\n",
        "  standing orders        18; 18 generated orders seen, 1 cancelled by suspension\n",
        "  wellness checks        20 opened, 25 escalation alerts, 20 acknowledged\n",
        "  recall                 1 batch(es): 30 orders stopped, 12 out for delivery, 13 delivered\n"}) {
    EXPECT_NE(text.find(line), std::string::npos) << line;
  }
  s.standing_cancelled = -1;
  EXPECT_NE(FormatSummary(s).find("? (no answer from the service API) cancelled by suspension"), std::string::npos);
  const std::string json = SummaryJson(s);
  for (const char* key : {"\"paired_by_helper\":8", "\"hub_shared_stop\":40", "\"standing_cancelled\":-1",
                          "\"wellness_escalations\":25", "\"recall_out_for_delivery\":12"}) {
    EXPECT_NE(json.find(key), std::string::npos) << key;
  }
}

}  // namespace
}  // namespace meal::sim
