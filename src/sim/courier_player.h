// Plays every courier's app: follows the plans the service publishes and
// reports what a courier would report — pickups, deliveries (a few failed;
// each delivered meal with its own proof, "photo-<order id>"), and location
// pings along the way. Pure logic on a simulated clock; the
// caller moves records to and from Kafka.
//
// Not thread-safe. Deterministic: the same calls with the same arguments give
// byte-identical records.
#pragma once

#include <cstddef>
#include <cstdint>
#include <limits>
#include <map>
#include <set>
#include <string>
#include <string_view>
#include <vector>

#include "common/geo.h"
#include "common/units.h"
#include "mealdispatch/v1/outputs.pb.h"
#include "sim/sim_record.h"

namespace meal::sim {

inline constexpr EventTimeMs kNever = std::numeric_limits<EventTimeMs>::max();

struct PlayerOptions {
  // Seeds delivery outcomes and event ids. Default: 42.
  std::uint64_t seed = 42;
  // Each on-shift courier reports its location this often; 0 disables the
  // pings. Default: 30 s.
  DurationMs location_interval_ms = 30 * kSecondMs;
  // Share of doors where nobody answers (a wellness check follows). At a
  // stop shared by several orders (a hub household) the door answers or not
  // for all of them. Default: 0.02.
  double no_answer_share = 0.02;
  // Share of deliveries failing for another reason (refused, address
  // problem, other). Default: 0.01.
  double other_failure_share = 0.01;
  Topics topics;
};

struct PlayerStats {
  std::int64_t plans_accepted = 0;
  std::int64_t plans_stale = 0;       // plan_version not newer than the current one
  std::int64_t pickups = 0;
  std::int64_t delivered = 0;
  std::int64_t failed = 0;
  std::int64_t no_answer = 0;         // of failed
  std::int64_t shared_handovers = 0;  // deliveries at a stop shared with the plan's previous delivery
  std::int64_t not_carried = 0;       // a delivery stop for an order never picked up: skipped
  std::int64_t late_stops = 0;        // stops whose planned arrival had passed when the plan came
  std::int64_t location_updates = 0;
};

class CourierPlayer {
 public:
  explicit CourierPlayer(PlayerOptions options);

  // A courier starts a shift at `location` (WGS-84) at `at_ms`, planned to end
  // at `shift_end_ms`; pings run from at_ms + interval while before the end.
  void StartShift(std::string_view courier_id, std::string_view area_id, GeoPoint location,
                  EventTimeMs at_ms, EventTimeMs shift_end_ms);
  // The shift ends: no more pings. Planned stops are still carried out (a
  // courier finishes the round).
  void EndShift(std::string_view courier_id, EventTimeMs at_ms);

  // Feeds one record the generator publishes: ShiftStarted and ShiftEnded on
  // the couriers topic become StartShift/EndShift; anything else (other
  // topics, pings, malformed bytes) is ignored. Returns true iff it was used.
  bool ObserveInput(const SimRecord& record);

  // Takes a courier's whole remaining plan. A plan_version not newer than the
  // courier's current plan is ignored (returns false). Stops the courier has
  // already done are skipped; stops planned before the player's clock happen
  // at the clock instead (the plan arrived late). Couriers never seen on a
  // shift are played too, without pings.
  bool OnAssignment(const ::mealdispatch::v1::Assignment& assignment);

  // Moves the clock to `now_ms` and returns every event due by then, in time
  // order (ties: stops before pings, then by courier id). A stop happens at
  // its planned arrival; a delivery then is Delivered, or DeliveryFailed with
  // a reason drawn from the seed and the order id (whether the door answers:
  // from the first order handed over at that stop).
  // REQUIRES: now_ms not before the previous call's.
  std::vector<SimRecord> Advance(EventTimeMs now_ms);

  // The earliest time something is due, or kNever.
  EventTimeMs NextDueMs() const;
  // The earliest time a planned stop is due, or kNever (pings ignored).
  EventTimeMs NextStopMs() const;
  // Current clock.
  EventTimeMs now_ms() const { return clock_ms_; }
  // Where the courier is at the current clock (WGS-84); false if unknown.
  bool PositionOf(std::string_view courier_id, GeoPoint* out) const;

  const PlayerStats& stats() const { return stats_; }

 private:
  struct Stop {
    int kind = 0;  // mealdispatch.v1.StopKind value
    std::string order_id;
    // For a delivery, the order whose draw decides whether the door answers:
    // the first delivery of its stop_index.
    std::string door_order_id;
    GeoPoint location;
    EventTimeMs due_ms = 0;
    EventTimeMs depart_ms = 0;
  };
  struct Courier {
    std::string area_id;
    bool on_shift = false;
    EventTimeMs shift_end_ms = 0;
    EventTimeMs next_ping_ms = kNever;
    std::uint64_t plan_version = 0;
    bool has_plan = false;
    std::vector<Stop> plan;
    std::size_t next_stop = 0;
    // Where the current leg starts: the courier moves in a straight line from
    // (anchor, anchor_ms) to the next stop, arriving at its due time.
    GeoPoint anchor;
    EventTimeMs anchor_ms = 0;
    bool known_position = false;
    std::set<std::string> carried;  // picked up, not yet delivered
  };

  GeoPoint PositionAt(const Courier& c, EventTimeMs t) const;
  void DoStop(const std::string& courier_id, Courier& c, std::vector<SimRecord>* out);
  void Ping(const std::string& courier_id, Courier& c, std::vector<SimRecord>* out);
  std::string NextEventId();

  PlayerOptions options_;
  std::map<std::string, Courier, std::less<>> couriers_;
  std::set<std::string> finished_orders_;  // delivered or failed by anyone
  EventTimeMs clock_ms_ = std::numeric_limits<EventTimeMs>::min();
  std::int64_t event_seq_ = 0;
  PlayerStats stats_;
};

}  // namespace meal::sim
