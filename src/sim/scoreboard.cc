#include "sim/scoreboard.h"

#include <nlohmann/json.hpp>

#include <algorithm>
#include <cmath>
#include <cstdio>

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
  orders_.reserve(city.orders.size());
  for (const OrderInfo& o : city.orders) {
    OrderScore& s = orders_[o.order_id];
    s.window_end_ms = o.window_end_ms;
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
      if (it == orders_.end() || it->second.outcome == Outcome::kDelivered ||
          it->second.outcome == Outcome::kFailed) {
        return;
      }
      ++delivered_;
      if (e.header().event_time_ms() <= it->second.window_end_ms) ++on_time_;
      SetOutcome(it->second, Outcome::kDelivered);
    } else if (e.has_failed()) {
      auto it = orders_.find(e.failed().order_id());
      if (it == orders_.end() || it->second.outcome == Outcome::kDelivered ||
          it->second.outcome == Outcome::kFailed) {
        return;
      }
      ++failed_;
      SetOutcome(it->second, Outcome::kFailed);
    }
  }
}

void Scoreboard::OnAssignment(const pb::Assignment& assignment, std::int64_t wall_us) {
  ++assignments_;
  for (const pb::PlannedStop& stop : assignment.stops()) {
    auto it = orders_.find(stop.order_id());
    if (it == orders_.end()) continue;
    OrderScore& o = it->second;
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
  if (alert.kind() != pb::UNASSIGNABLE) return;
  auto it = orders_.find(alert.order_id());
  if (it == orders_.end()) return;
  OrderScore& o = it->second;
  if (o.outcome == Outcome::kNone || o.outcome == Outcome::kAssigned) {
    SetOutcome(o, Outcome::kUnassignable);
  }
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
  char buf[2048];
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
      "  drained                %s\n",
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
      s.drained ? "yes" : "no (timed out)");
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
  };
  return j.dump() + "\n";
}

}  // namespace meal::sim
