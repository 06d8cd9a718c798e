// A courier's route as the planner sees it, and its feasibility.
//
// Constraints (all hard): each stop's service starts inside one of its time
// windows; the load in every dimension stays within the vehicle's capacity
// and never goes negative; a delivery follows its pickup (or its meal is
// already on board); a delivery starts within its maximum ride time of the
// pickup's departure; the vehicle has every skill a stop requires; every
// service ends, and the vehicle is back at its end point if it has one, by
// the shift end. Soft: a stop served after its `due` time adds lateness,
// weighted per stop.
#pragma once

#include <array>
#include <cstdint>
#include <limits>
#include <optional>
#include <span>
#include <vector>

#include "common/geo.h"
#include "common/units.h"
#include "routing/travel.h"

namespace meal::routing {

inline constexpr EventTimeMs kNoLimit = std::numeric_limits<EventTimeMs>::max();
inline constexpr EventTimeMs kNotPickedUp = -1;

// Quantities carried, one per capacity dimension. The caller names the
// dimensions; the dispatch engine uses meals (boxes), hot meals (insulated
// slots) and chilled meals. Converts from a plain count of the first
// dimension, the common case of a single box capacity.
inline constexpr std::size_t kLoadDims = 3;
struct Load {
  std::array<std::int32_t, kLoadDims> q{};

  constexpr Load() = default;
  constexpr Load(std::int32_t first) : q{first, 0, 0} {}  // NOLINT: a count of the first dimension
  constexpr Load(std::int32_t a, std::int32_t b, std::int32_t c) : q{a, b, c} {}

  constexpr Load& operator+=(const Load& o) {
    for (std::size_t d = 0; d < kLoadDims; ++d) q[d] += o.q[d];
    return *this;
  }
  friend constexpr Load operator+(Load a, const Load& b) { return a += b; }
  friend constexpr Load operator-(const Load& a) { return Load{-a.q[0], -a.q[1], -a.q[2]}; }
  friend constexpr bool operator==(const Load&, const Load&) = default;
  // Every dimension within [0, capacity].
  constexpr bool FitsIn(const Load& capacity) const {
    for (std::size_t d = 0; d < kLoadDims; ++d) {
      if (q[d] > capacity.q[d] || q[d] < 0) return false;
    }
    return true;
  }
  // Per dimension maximum.
  static constexpr Load Max(const Load& a, const Load& b) {
    Load m;
    for (std::size_t d = 0; d < kLoadDims; ++d) m.q[d] = a.q[d] > b.q[d] ? a.q[d] : b.q[d];
    return m;
  }
};

struct TimeWindow {
  EventTimeMs start = 0;
  EventTimeMs end = kNoLimit;
};

// Extra windows beyond the first: a stop has at most this many gaps.
inline constexpr std::size_t kMaxWindowGaps = 2;

struct Stop {
  GeoPoint location;
  bool pickup = true;
  std::int32_t job = 0;          // the caller's job handle; pickup and delivery share it
  Load load_delta;               // +meals at a pickup, -meals at a delivery
  // Service starts within [earliest, latest] and outside every gap: one
  // window, or up to kMaxWindowGaps + 1 of them (SetWindows).
  EventTimeMs earliest = 0;
  EventTimeMs latest = kNoLimit;
  DurationMs service_ms = 0;
  // Deliveries: longest time from the pickup's departure to service start
  // here (the hot-meal limit); 0 = none.
  DurationMs max_ride_ms = 0;
  // Deliveries whose meal is already on board: when it was picked up.
  EventTimeMs picked_up_at = kNotPickedUp;
  // Intervals [start, end) inside [earliest, latest] in which service cannot
  // start, sorted and disjoint; the first gap_count are used.
  std::array<TimeWindow, kMaxWindowGaps> gaps{};
  std::uint8_t gap_count = 0;
  // Soft deadline: starting service later adds (start - due) · lateness_weight.
  EventTimeMs due = kNoLimit;
  std::int64_t lateness_weight = 1;
  // Skills the vehicle must have (bit set), e.g. a paired helper's own skill.
  std::uint64_t skills = 0;
  // Index of the place in the TravelModel's table, or kNoPlace.
  std::int32_t place = kNoPlace;
  // Stays on its route when plans are re-optimised (a paired helper's job,
  // a hub household's shared stop); set on both stops of a job.
  bool pinned = false;
};

// Sets `stop`'s windows: sorted, disjoint, at most kMaxWindowGaps + 1.
// Returns false (and leaves `stop` unchanged) otherwise.
bool SetWindows(Stop& stop, std::span<const TimeWindow> windows);

// The earliest time service can start at `stop` on arriving at `arrival`;
// may exceed stop.latest, in which case the stop cannot be served.
inline EventTimeMs ServiceStart(const Stop& stop, EventTimeMs arrival) {
  EventTimeMs t = arrival > stop.earliest ? arrival : stop.earliest;
  for (std::uint8_t g = 0; g < stop.gap_count; ++g) {
    if (t >= stop.gaps[g].start && t < stop.gaps[g].end) t = stop.gaps[g].end;
  }
  return t;
}

// The latest time service can start at `stop` no later than `t`; less than
// stop.earliest when there is none. Arriving at any time up to the result
// lets service start by the result (ServiceStart is monotone).
inline EventTimeMs LatestServiceStart(const Stop& stop, EventTimeMs t) {
  if (t > stop.latest) t = stop.latest;
  for (std::uint8_t g = stop.gap_count; g-- > 0;) {
    if (t >= stop.gaps[g].start && t < stop.gaps[g].end) t = stop.gaps[g].start - 1;
  }
  return t;
}

// Weighted lateness of starting service at `start`.
inline std::int64_t Lateness(const Stop& stop, EventTimeMs start) {
  return start > stop.due ? (start - stop.due) * stop.lateness_weight : 0;
}

struct Vehicle {
  GeoPoint start;
  EventTimeMs start_time = 0;          // when the vehicle is at `start`
  EventTimeMs shift_end = kNoLimit;    // every service (and the return to `end`) must finish by then
  Load capacity;
  Load onboard;                        // load already carried at start_time
  Mode mode = Mode::kBike;
  // Where the route must finish (a depot, the courier's home); none: the
  // route ends at its last stop.
  std::optional<GeoPoint> end;
  std::uint64_t skills = 0;
  std::int32_t start_place = kNoPlace;
  std::int32_t end_place = kNoPlace;
};

// Whether `vehicle` has every skill in `required`.
inline bool HasSkills(const Vehicle& vehicle, std::uint64_t required) { return (required & ~vehicle.skills) == 0; }

struct Route {
  Vehicle vehicle;
  std::vector<Stop> stops;
};

struct StopTiming {
  EventTimeMs arrival = 0;
  EventTimeMs service_start = 0;
  EventTimeMs departure = 0;
};

struct RouteCost {
  DurationMs travel_ms = 0;   // total driving/walking time, the return to the end included
  EventTimeMs end_ms = 0;     // departure from the last stop, or arrival at the end point
  std::int64_t lateness = 0;  // weighted, summed over stops
};

// Evaluates `n` stops in order, `stop_at(k)` giving the k-th, each started
// as early as allowed. Returns true iff every constraint holds (see the top
// of this file). `departures` is scratch space for n entries. Fills `cost`,
// and `timings` (n entries) when not null.
template <typename StopAt>
bool EvaluateSequence(const Vehicle& vehicle, std::size_t n, StopAt&& stop_at, const TravelModel& travel,
                      EventTimeMs* departures, RouteCost* cost, StopTiming* timings) {
  GeoPoint at = vehicle.start;
  std::int32_t at_place = vehicle.start_place;
  EventTimeMs now = vehicle.start_time;
  Load load = vehicle.onboard;
  if (!load.FitsIn(vehicle.capacity)) return false;
  DurationMs travel_total = 0;
  std::int64_t lateness = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Stop& stop = stop_at(i);
    if (!HasSkills(vehicle, stop.skills)) return false;
    const DurationMs leg = travel.Between(at, at_place, stop.location, stop.place, vehicle.mode);
    travel_total += leg;
    const EventTimeMs arrival = now + leg;
    const EventTimeMs start = ServiceStart(stop, arrival);
    if (start > stop.latest) return false;
    load += stop.load_delta;
    if (!load.FitsIn(vehicle.capacity)) return false;
    if (!stop.pickup) {
      EventTimeMs picked = stop.picked_up_at;
      if (picked == kNotPickedUp) {
        std::size_t p = i;
        while (p > 0 && !(stop_at(p - 1).pickup && stop_at(p - 1).job == stop.job)) --p;
        if (p == 0) return false;  // a delivery needs its pickup first
        picked = departures[p - 1];
      }
      if (stop.max_ride_ms > 0 && start - picked > stop.max_ride_ms) return false;
    }
    lateness += Lateness(stop, start);
    now = start + stop.service_ms;
    if (now > vehicle.shift_end) return false;
    departures[i] = now;
    if (timings) timings[i] = {arrival, start, now};
    at = stop.location;
    at_place = stop.place;
  }
  if (vehicle.end) {
    const DurationMs leg = travel.Between(at, at_place, *vehicle.end, vehicle.end_place, vehicle.mode);
    travel_total += leg;
    now += leg;
    if (now > vehicle.shift_end) return false;
  }
  if (cost) *cost = {travel_total, now, lateness};
  return true;
}

// EvaluateSequence over a whole route. Fills `timings` (resized) when given.
bool Evaluate(const Vehicle& vehicle, const std::vector<Stop>& stops, const TravelModel& travel,
              RouteCost* cost = nullptr, std::vector<StopTiming>* timings = nullptr);

}  // namespace meal::routing
