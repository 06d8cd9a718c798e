#include "sim/scoreboard.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <cstdlib>

#include "mealdispatch/v1/events.pb.h"

namespace meal::sim {
namespace {

namespace pb = ::mealdispatch::v1;

// Nearest-rank percentile of a sorted sample.
double Percentile(const std::vector<double>& sorted, double p) {
  if (sorted.empty()) return 0;
  const double rank = std::ceil(p / 100.0 * static_cast<double>(sorted.size()));
  const std::size_t index = static_cast<std::size_t>(std::max(rank, 1.0)) - 1;
  return sorted[std::min(index, sorted.size() - 1)];
}

double Pct(std::int64_t part, std::int64_t whole) {
  return whole > 0 ? 100.0 * static_cast<double>(part) / static_cast<double>(whole) : 0.0;
}

}  // namespace

Scoreboard::Scoreboard(const City& city)
    : orders_topic_(city.options.topics.orders),
      deliveries_topic_(city.options.topics.deliveries) {
  std::unordered_map<std::string, const ElderInfo*> elders;
  for (const ElderInfo& e : city.elders) elders[e.elder_id] = &e;
  for (const CourierInfo& c : city.couriers) team_of_[c.courier_id] = c.team_id;
  orders_.reserve(city.orders.size() + city.standing.size());
  for (const OrderInfo& o : city.orders) {
    OrderScore& s = orders_[o.order_id];
    s.window_end_ms = o.window_end_ms;
    s.site_id = o.site_id;
    s.batch_id = o.batch_id;
    if (auto it = elders.find(o.elder_id); it != elders.end()) {
      s.helper_id = it->second->paired_helper_id;
      s.hub = !it->second->hub_household_id.empty();
    }
  }
  for (const StandingInfo& g : city.standing) {
    if (g.order_id.empty()) continue;
    OrderScore& s = orders_[g.order_id];
    s.window_end_ms = g.window_end_ms;
    s.site_id = g.site_id;
    s.standing = true;
  }
}

void Scoreboard::Recount(const OrderScore& o, int sign) {
  if (!o.ready_produced || o.cancelled) return;
  if (o.outcome == Outcome::kNone) ready_without_outcome_ += sign;
  if (o.outcome == Outcome::kAssigned) assigned_unfinished_ += sign;
}

void Scoreboard::SetOutcome(OrderScore& o, Outcome next) {
  Recount(o, -1);
  o.outcome = next;
  Recount(o, +1);
}

void Scoreboard::OnProduced(const SimRecord& record, std::int64_t wall_us) {
  ++events_produced_;
  if (record.topic == orders_topic_) {
    pb::OrderEvent e;
    if (!e.ParseFromString(record.value)) return;
    if (e.has_placed()) {
      if (orders_.contains(e.placed().order_id())) ++placed_;
    } else if (e.has_standing_set()) {
      standing_ids_.insert(e.standing_set().standing_id());
    } else if (e.has_ready()) {
      auto it = orders_.find(e.ready().order_id());
      if (it == orders_.end() || it->second.ready_produced) return;
      OrderScore& o = it->second;
      ++ready_;
      Recount(o, -1);
      o.ready_produced = true;
      o.ready_wall_us = wall_us;
      Recount(o, +1);
    } else if (e.has_cancelled()) {
      auto it = orders_.find(e.cancelled().order_id());
      if (it == orders_.end() || it->second.cancelled) return;
      Recount(it->second, -1);
      it->second.cancelled = true;
      ++cancelled_;
    }
  } else if (record.topic == deliveries_topic_) {
    pb::DeliveryEvent e;
    if (!e.ParseFromString(record.value)) return;
    if (e.has_delivered()) {
      auto it = orders_.find(e.delivered().order_id());
      if (it == orders_.end() || Final(it->second)) return;
      OrderScore& o = it->second;
      ++delivered_;
      o.outcome_ms = e.header().event_time_ms();
      o.on_time = o.outcome_ms <= o.window_end_ms;
      if (o.on_time) ++on_time_;
      o.delivered_by = e.delivered().courier_id();
      SetOutcome(o, Outcome::kDelivered);
    } else if (e.has_failed()) {
      auto it = orders_.find(e.failed().order_id());
      if (it == orders_.end() || Final(it->second)) return;
      OrderScore& o = it->second;
      ++failed_;
      o.outcome_ms = e.header().event_time_ms();
      o.no_answer = e.failed().reason() == pb::NO_ANSWER;
      if (o.no_answer && !wellness_orders_.contains(it->first)) ++unopened_no_answer_;
      SetOutcome(o, Outcome::kFailed);
    }
  }
}

void Scoreboard::OnAssignment(const pb::Assignment& assignment, std::int64_t wall_us) {
  ++assignments_;
  std::unordered_map<std::uint32_t, int> deliveries_at;  // stop_index -> delivery stops there
  for (const pb::PlannedStop& stop : assignment.stops()) {
    if (stop.kind() == pb::DELIVERY) ++deliveries_at[stop.stop_index()];
  }
  for (const pb::PlannedStop& stop : assignment.stops()) {
    auto it = orders_.find(stop.order_id());
    if (it == orders_.end()) continue;
    OrderScore& o = it->second;
    o.seen_in_output = true;
    if (stop.kind() == pb::DELIVERY && !Final(o)) o.shared_stop = deliveries_at[stop.stop_index()] > 1;
    if (!o.ever_assigned && o.ready_produced && !o.cancelled) ++assigned_;
    o.ever_assigned = true;
    if (o.ready_produced && !o.latency_taken) {
      o.latency_taken = true;
      latencies_ms_.push_back(static_cast<double>(wall_us - o.ready_wall_us) / 1000.0);
    }
    if (o.outcome == Outcome::kNone || o.outcome == Outcome::kUnassignable) {
      SetOutcome(o, Outcome::kAssigned);
    }
  }
}

void Scoreboard::OnAlert(const pb::Alert& alert) {
  ++alerts_;
  if (auto it = orders_.find(alert.order_id()); it != orders_.end()) it->second.seen_in_output = true;
  switch (alert.kind()) {
    case pb::WELLNESS_CHECK:
    case pb::WELLNESS_CLOSED:
      OnWellnessAlert(alert);
      return;
    case pb::RECALL:
      OnRecallAlert(alert);
      return;
    case pb::UNASSIGNABLE:
      break;
    default:
      return;
  }
  auto it = orders_.find(alert.order_id());
  if (it == orders_.end()) return;
  OrderScore& o = it->second;
  if (o.outcome == Outcome::kNone || o.outcome == Outcome::kAssigned) {
    SetOutcome(o, Outcome::kUnassignable);
  }
}

void Scoreboard::OnWellnessAlert(const pb::Alert& alert) {
  if (alert.case_id().empty()) return;
  if (alert.kind() == pb::WELLNESS_CLOSED) {
    wellness_closed_.insert(alert.case_id());
    return;
  }
  wellness_opened_.insert(alert.case_id());
  if (wellness_orders_.insert(alert.order_id()).second) {
    auto it = orders_.find(alert.order_id());
    if (it != orders_.end() && it->second.outcome == Outcome::kFailed && it->second.no_answer) --unopened_no_answer_;
  }
  // "wellness/<order>/<step>", with "/<announcement>" when a step repeats.
  const std::string prefix = "wellness/" + alert.order_id() + "/";
  if (!alert.alert_id().starts_with(prefix)) return;
  const int step = std::atoi(alert.alert_id().c_str() + prefix.size());
  if (step >= 1) escalation_alerts_.insert(alert.alert_id());
}

void Scoreboard::OnRecallAlert(const pb::Alert& alert) {
  // Only the batch's summary carries the counts; each order's own alert
  // ("recall/<site>/<batch>/<order>") is covered by the summary.
  if (!alert.order_id().empty() || !recalls_.insert(alert.alert_id()).second) return;
  const std::string prefix = "recall/" + alert.site_id() + "/";
  if (!alert.alert_id().starts_with(prefix)) return;
  const std::string batch_id = alert.alert_id().substr(prefix.size());
  // "...: 3 stopped, 2 out for delivery, 4 delivered"
  const std::size_t tail = alert.reason().rfind(": ");
  long long stopped = 0;
  long long out = 0;
  long long delivered = 0;
  if (tail != std::string::npos &&
      std::sscanf(alert.reason().c_str() + tail + 2, "%lld stopped, %lld out for delivery, %lld delivered", &stopped,
                  &out, &delivered) == 3) {
    recall_stopped_ += stopped;
    recall_out_for_delivery_ += out;
    recall_delivered_ += delivered;
  }
  // The service cancelled every order of the batch without an outcome by
  // then; an outcome reported after the recall was refused.
  for (auto& [id, o] : orders_) {
    if (o.site_id != alert.site_id() || o.batch_id != batch_id || o.outcome == Outcome::kRecalled) continue;
    const bool before = o.outcome_ms <= alert.header().event_time_ms();
    if ((o.outcome == Outcome::kDelivered || o.outcome == Outcome::kFailed) && before) continue;
    if (o.outcome == Outcome::kDelivered) {
      --delivered_;
      if (o.on_time) --on_time_;
    } else if (o.outcome == Outcome::kFailed) {
      --failed_;
      if (o.no_answer && !wellness_orders_.contains(id)) --unopened_no_answer_;
    }
    SetOutcome(o, Outcome::kRecalled);
  }
}

void Scoreboard::OnServiceOrder(std::string_view order_id, std::string_view status, std::string_view last_note) {
  auto it = orders_.find(std::string(order_id));
  if (it == orders_.end()) return;
  it->second.seen_in_output = true;
  if (standing_cancelled_ < 0) standing_cancelled_ = 0;
  if (status == "CANCELLED" && last_note.starts_with("standing order suspended")) ++standing_cancelled_;
}

bool Scoreboard::AllWellnessClosed() const {
  return unopened_no_answer_ == 0 && wellness_closed_.size() >= wellness_opened_.size();
}

DaySummary Scoreboard::Summarize() const {
  DaySummary s;
  s.orders_placed = placed_;
  s.orders_ready = ready_;
  s.orders_cancelled = cancelled_;
  s.malformed_sent = malformed_;
  // An order assigned before its OrderReady was produced counts once ready.
  std::int64_t assigned = 0;
  for (const auto& [id, o] : orders_) {
    if (!o.ready_produced || o.cancelled) continue;
    if (o.ever_assigned) ++assigned;
    if (o.outcome == Outcome::kUnassignable) ++s.unassignable;
  }
  s.assigned = assigned;
  for (const auto& [id, o] : orders_) {
    if (o.standing && o.seen_in_output) ++s.standing_generated;
    if (!o.ready_produced || o.cancelled) continue;
    const bool delivered = o.outcome == Outcome::kDelivered;
    if (!o.helper_id.empty()) {
      ++s.paired_orders;
      const auto team = team_of_.find(o.helper_id);
      const auto courier_team = team_of_.find(o.delivered_by);
      if (delivered && o.delivered_by == o.helper_id) {
        ++s.paired_by_helper;
      } else if (delivered && team != team_of_.end() && courier_team != team_of_.end() &&
                 team->second == courier_team->second) {
        ++s.paired_by_team;
      } else if (delivered) {
        ++s.paired_by_others;
      }
    }
    if (o.hub) {
      ++s.hub_orders;
      if (delivered && o.shared_stop) ++s.hub_shared_stop;
    }
  }
  s.standing_orders = static_cast<std::int64_t>(standing_ids_.size());
  s.standing_cancelled = standing_cancelled_;
  s.wellness_opened = static_cast<std::int64_t>(wellness_opened_.size());
  s.wellness_escalations = static_cast<std::int64_t>(escalation_alerts_.size());
  s.wellness_acknowledged = static_cast<std::int64_t>(wellness_closed_.size());
  s.recalls = static_cast<std::int64_t>(recalls_.size());
  s.recall_stopped = recall_stopped_;
  s.recall_out_for_delivery = recall_out_for_delivery_;
  s.recall_delivered = recall_delivered_;
  s.unassignable_pct = Pct(s.unassignable, ready_);
  s.without_outcome = ready_without_outcome_;
  s.delivered = delivered_;
  s.failed = failed_;
  s.on_time_pct = Pct(on_time_, delivered_);
  std::vector<double> sorted = latencies_ms_;
  std::sort(sorted.begin(), sorted.end());
  s.latency_p50_ms = Percentile(sorted, 50);
  s.latency_p99_ms = Percentile(sorted, 99);
  s.latency_samples = static_cast<std::int64_t>(sorted.size());
  s.assignments_received = assignments_;
  s.alerts_received = alerts_;
  s.unreadable_outputs = unreadable_outputs_;
  s.events_produced = events_produced_;
  return s;
}

std::string FormatSummary(const DaySummary& s) {
  const std::string standing_cancelled =
      s.standing_cancelled < 0 ? "? (no answer from the service API)" : std::to_string(s.standing_cancelled);
  char buf[4096];
  std::snprintf(
      buf, sizeof buf,
      "meal-sim summary\n"
      "  orders placed          %lld\n"
      "  orders ready           %lld\n"
      "  orders cancelled       %lld\n"
      "  malformed sent         %lld\n"
      "  assigned               %lld\n"
      "  unassignable           %lld (%.2f%% of ready)\n"
      "  without outcome        %lld\n"
      "  delivered              %lld\n"
      "  failed                 %lld\n"
      "  delivered on time      %.2f%%\n"
      "  decision latency p50   %.1f ms\n"
      "  decision latency p99   %.1f ms (%lld samples)\n"
      "  assignments received   %lld\n"
      "  alerts received        %lld\n"
      "  unreadable outputs     %lld\n"
      "  registry records       %lld\n"
      "  events produced        %lld\n"
      "  produce errors         %lld\n"
      "  wall time              %.1f s\n"
      "  events/s               %.0f\n"
      "  day wall time          %.1f s (%.0f events/s)\n"
      "  drained                %s\n"
      "elder care\n"
      "  paired-helper orders   %lld ready; delivered %lld by the helper, %lld by the helper's team, %lld by others\n"
      "  hub-household orders   %lld ready; %lld delivered at a shared stop\n"
      "  standing orders        %lld; %lld generated orders seen, %s cancelled by suspension\n"
      "  wellness checks        %lld opened, %lld escalation alerts, %lld acknowledged\n"
      "  recall                 %lld batch(es): %lld orders stopped, %lld out for delivery, %lld delivered\n",
      static_cast<long long>(s.orders_placed), static_cast<long long>(s.orders_ready),
      static_cast<long long>(s.orders_cancelled), static_cast<long long>(s.malformed_sent),
      static_cast<long long>(s.assigned), static_cast<long long>(s.unassignable),
      s.unassignable_pct, static_cast<long long>(s.without_outcome),
      static_cast<long long>(s.delivered), static_cast<long long>(s.failed), s.on_time_pct,
      s.latency_p50_ms, s.latency_p99_ms, static_cast<long long>(s.latency_samples),
      static_cast<long long>(s.assignments_received), static_cast<long long>(s.alerts_received),
      static_cast<long long>(s.unreadable_outputs), static_cast<long long>(s.registry_records),
      static_cast<long long>(s.events_produced), static_cast<long long>(s.produce_errors),
      s.wall_s, s.events_per_s, s.day_wall_s, s.day_events_per_s,
      s.drained ? "yes" : "no (timed out)", static_cast<long long>(s.paired_orders),
      static_cast<long long>(s.paired_by_helper), static_cast<long long>(s.paired_by_team),
      static_cast<long long>(s.paired_by_others), static_cast<long long>(s.hub_orders),
      static_cast<long long>(s.hub_shared_stop), static_cast<long long>(s.standing_orders),
      static_cast<long long>(s.standing_generated),
      standing_cancelled.c_str(),
      static_cast<long long>(s.wellness_opened), static_cast<long long>(s.wellness_escalations),
      static_cast<long long>(s.wellness_acknowledged), static_cast<long long>(s.recalls),
      static_cast<long long>(s.recall_stopped), static_cast<long long>(s.recall_out_for_delivery),
      static_cast<long long>(s.recall_delivered));
  return buf;
}

std::string SummaryJson(const DaySummary& s) {
  const nlohmann::json j = {
      {"orders_placed", s.orders_placed},
      {"orders_ready", s.orders_ready},
      {"orders_cancelled", s.orders_cancelled},
      {"malformed_sent", s.malformed_sent},
      {"assigned", s.assigned},
      {"unassignable", s.unassignable},
      {"unassignable_pct", s.unassignable_pct},
      {"without_outcome", s.without_outcome},
      {"delivered", s.delivered},
      {"failed", s.failed},
      {"on_time_pct", s.on_time_pct},
      {"latency_p50_ms", s.latency_p50_ms},
      {"latency_p99_ms", s.latency_p99_ms},
      {"latency_samples", s.latency_samples},
      {"assignments_received", s.assignments_received},
      {"alerts_received", s.alerts_received},
      {"unreadable_outputs", s.unreadable_outputs},
      {"registry_records", s.registry_records},
      {"events_produced", s.events_produced},
      {"produce_errors", s.produce_errors},
      {"wall_s", s.wall_s},
      {"events_per_s", s.events_per_s},
      {"day_wall_s", s.day_wall_s},
      {"day_events_per_s", s.day_events_per_s},
      {"drained", s.drained},
      {"paired_orders", s.paired_orders},
      {"paired_by_helper", s.paired_by_helper},
      {"paired_by_team", s.paired_by_team},
      {"paired_by_others", s.paired_by_others},
      {"hub_orders", s.hub_orders},
      {"hub_shared_stop", s.hub_shared_stop},
      {"standing_orders", s.standing_orders},
      {"standing_generated", s.standing_generated},
      {"standing_cancelled", s.standing_cancelled},
      {"wellness_opened", s.wellness_opened},
      {"wellness_escalations", s.wellness_escalations},
      {"wellness_acknowledged", s.wellness_acknowledged},
      {"recalls", s.recalls},
      {"recall_stopped", s.recall_stopped},
      {"recall_out_for_delivery", s.recall_out_for_delivery},
      {"recall_delivered", s.recall_delivered},
  };
  return j.dump() + "\n";
}

}  // namespace meal::sim
