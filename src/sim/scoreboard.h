// Keeps the score of a simulated day: what was sent, what the service
// answered, how fast, what the couriers did, and how each elder-care
// situation went (paired helpers, hub households, standing orders, wellness
// checks, the recall). Pure logic; the caller
// passes wall-clock stamps in (microseconds on any monotonic clock).
// Not thread-safe.
#pragma once

#include <cstddef>
#include <cstdint>
#include <set>
#include <string>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "mealdispatch/v1/outputs.pb.h"
#include "sim/city.h"
#include "sim/sim_record.h"

namespace meal::sim {

struct DaySummary {
  std::int64_t orders_placed = 0;
  std::int64_t orders_ready = 0;
  std::int64_t orders_cancelled = 0;
  std::int64_t malformed_sent = 0;
  std::int64_t assigned = 0;        // ready orders seen in some assignment's stops
  std::int64_t unassignable = 0;    // ready orders whose latest word is an UNASSIGNABLE alert
  double unassignable_pct = 0;      // of ready
  std::int64_t without_outcome = 0; // ready orders neither assigned nor unassignable
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
  double on_time_pct = 0;           // delivered with event time <= window end, of delivered
  double latency_p50_ms = 0;        // OrderReady produced -> first assignment naming the order
  double latency_p99_ms = 0;
  std::int64_t latency_samples = 0;
  std::int64_t assignments_received = 0;
  std::int64_t alerts_received = 0;
  std::int64_t unreadable_outputs = 0;  // output records that did not parse
  std::int64_t events_produced = 0;     // records of the day (generator + couriers), not registry
  std::int64_t registry_records = 0;
  std::int64_t produce_errors = 0;      // records Kafka did not take
  double wall_s = 0;                    // day plus drain
  double events_per_s = 0;              // events_produced / wall_s
  double day_wall_s = 0;                // the day alone, without the drain
  double day_events_per_s = 0;          // records of the day produced / day_wall_s
  bool drained = false;                 // every outcome arrived before the drain timeout

  // Elder care. Orders of elders with a paired helper, made ready, and of
  // those delivered: by the helper, by another courier of the helper's team,
  // by anyone else.
  std::int64_t paired_orders = 0;
  std::int64_t paired_by_helper = 0;
  std::int64_t paired_by_team = 0;
  std::int64_t paired_by_others = 0;
  // Orders of hub-household members, made ready, and of those delivered at a
  // stop shared with another order (same stop_index in the courier's plan).
  std::int64_t hub_orders = 0;
  std::int64_t hub_shared_stop = 0;
  // Standing orders published; their generated orders seen in plans, alerts
  // or the service's API; generated orders the API shows cancelled by a
  // suspension (-1 when the API was not asked or never answered).
  std::int64_t standing_orders = 0;
  std::int64_t standing_generated = 0;
  std::int64_t standing_cancelled = -1;
  // Wellness checks: cases opened, escalation alerts (alert ids
  // "wellness/<order>/<step>" with step >= 1: the phone call onward), cases
  // closed by an acknowledgement.
  std::int64_t wellness_opened = 0;
  std::int64_t wellness_escalations = 0;
  std::int64_t wellness_acknowledged = 0;
  // Recalled batches and their orders, as the service counted them.
  std::int64_t recalls = 0;
  std::int64_t recall_stopped = 0;
  std::int64_t recall_out_for_delivery = 0;
  std::int64_t recall_delivered = 0;
};

class Scoreboard {
 public:
  // Learns the valid orders (ids, windows, batches, the standing orders'
  // generated ids), elders' helpers and households, and couriers' teams
  // from the city.
  explicit Scoreboard(const City& city);

  // A record was handed to the producer at `wall_us`. Order and delivery
  // events of known orders are scored; everything else is only counted.
  void OnProduced(const SimRecord& record, std::int64_t wall_us);
  // Counts a record of the day that is not an order or delivery event of
  // interest without parsing it (pings, shift events): cheaper on the hot path.
  void CountProduced() { ++events_produced_; }
  // A deliberately malformed record was produced.
  void CountMalformed() {
    ++events_produced_;
    ++malformed_;
  }
  void OnAssignment(const ::mealdispatch::v1::Assignment& assignment, std::int64_t wall_us);
  void OnAlert(const ::mealdispatch::v1::Alert& alert);
  void OnUnreadableOutput() { ++unreadable_outputs_; }
  // What the service's API answered for an order: its status name and the
  // note of its latest timeline entry. For standing orders' generated ids.
  void OnServiceOrder(std::string_view order_id, std::string_view status, std::string_view last_note);

  // True iff every order whose OrderReady was produced has been assigned or
  // declared unassignable.
  bool AllReadyHaveOutcome() const { return ready_without_outcome_ == 0; }
  // True iff every ready order that was assigned (and not later declared
  // unassignable) has been delivered or failed.
  bool AllAssignedFinished() const { return assigned_unfinished_ == 0; }
  // True iff every door nobody answered (of an order not recalled) has had
  // its wellness check opened, and every check opened has been closed.
  bool AllWellnessClosed() const;
  std::int64_t ready_without_outcome() const { return ready_without_outcome_; }
  std::int64_t assigned_unfinished() const { return assigned_unfinished_; }
  std::int64_t ready_produced() const { return ready_; }
  std::int64_t delivered() const { return delivered_; }
  std::int64_t failed() const { return failed_; }
  std::int64_t assigned() const { return assigned_; }
  std::int64_t events_produced() const { return events_produced_; }

  // The summary so far. Fields the scoreboard cannot know (wall time,
  // registry, produce errors, drained) are left for the caller to fill in.
  DaySummary Summarize() const;

 private:
  // kRecalled: the service cancelled it in a recall before any outcome.
  enum class Outcome : std::uint8_t { kNone, kAssigned, kUnassignable, kDelivered, kFailed, kRecalled };
  struct OrderScore {
    EventTimeMs window_end_ms = 0;
    std::string site_id;
    std::string batch_id;
    std::string helper_id;     // the elder's paired helper
    bool hub = false;          // the elder lives in a hub household
    bool standing = false;     // generated from a standing order
    bool seen_in_output = false;
    bool shared_stop = false;  // its delivery shared a stop in the latest plan before its outcome
    EventTimeMs outcome_ms = 0;  // event time of the delivery or failure
    bool on_time = false;
    bool no_answer = false;
    std::string delivered_by;
    bool ready_produced = false;
    bool cancelled = false;
    bool ever_assigned = false;
    Outcome outcome = Outcome::kNone;
    std::int64_t ready_wall_us = -1;
    bool latency_taken = false;
  };

  // Moves one order to a new outcome, keeping the counters in step.
  void SetOutcome(OrderScore& o, Outcome next);
  void Recount(const OrderScore& o, int sign);
  static bool Final(const OrderScore& o) {
    return o.outcome == Outcome::kDelivered || o.outcome == Outcome::kFailed || o.outcome == Outcome::kRecalled;
  }
  void OnWellnessAlert(const ::mealdispatch::v1::Alert& alert);
  void OnRecallAlert(const ::mealdispatch::v1::Alert& alert);

  std::string orders_topic_;
  std::string deliveries_topic_;
  std::unordered_map<std::string, OrderScore> orders_;
  std::int64_t malformed_ = 0;
  std::int64_t placed_ = 0;
  std::int64_t ready_ = 0;
  std::int64_t cancelled_ = 0;
  std::int64_t assigned_ = 0;
  std::int64_t delivered_ = 0;
  std::int64_t on_time_ = 0;
  std::int64_t failed_ = 0;
  std::int64_t ready_without_outcome_ = 0;
  std::int64_t assigned_unfinished_ = 0;
  std::int64_t events_produced_ = 0;
  std::int64_t assignments_ = 0;
  std::int64_t alerts_ = 0;
  std::int64_t unreadable_outputs_ = 0;
  std::vector<double> latencies_ms_;
  std::unordered_map<std::string, std::string> team_of_;  // courier id -> team id
  std::set<std::string> standing_ids_;                    // StandingOrderSet published
  std::set<std::string> wellness_opened_;                 // case ids
  std::set<std::string> wellness_closed_;
  std::set<std::string> wellness_orders_;                 // order ids with a case
  std::int64_t unopened_no_answer_ = 0;                   // NO_ANSWER failures without a case yet
  std::set<std::string> escalation_alerts_;               // alert ids
  std::set<std::string> recalls_;                         // summary alert ids
  std::int64_t recall_stopped_ = 0;
  std::int64_t recall_out_for_delivery_ = 0;
  std::int64_t recall_delivered_ = 0;
  std::int64_t standing_cancelled_ = -1;
};

// The summary as an aligned text block for people.
std::string FormatSummary(const DaySummary& s);
// The summary as one JSON object (snake_case keys, as in DaySummary).
std::string SummaryJson(const DaySummary& s);

}  // namespace meal::sim
