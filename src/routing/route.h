// A courier's route as the planner sees it, and its feasibility.
#pragma once

#include <cstdint>
#include <limits>
#include <vector>

#include "common/geo.h"
#include "common/units.h"
#include "routing/travel.h"

namespace meal::routing {

inline constexpr EventTimeMs kNoLimit = std::numeric_limits<EventTimeMs>::max();
inline constexpr EventTimeMs kNotPickedUp = -1;

struct Stop {
  GeoPoint location;
  bool pickup = true;
  std::int32_t job = 0;          // the caller's job handle; pickup and delivery share it
  std::int32_t load_delta = 0;   // +meals at a pickup, -meals at a delivery
  EventTimeMs earliest = 0;      // service starts no earlier (ready time / window start)
  EventTimeMs latest = kNoLimit; // service starts no later (window end)
  DurationMs service_ms = 0;
  // Deliveries: longest time from the pickup's departure to service start
  // here (the hot-meal limit); 0 = none.
  DurationMs max_ride_ms = 0;
  // Deliveries whose meal is already on board: when it was picked up.
  EventTimeMs picked_up_at = kNotPickedUp;
};

struct Vehicle {
  GeoPoint start;
  EventTimeMs start_time = 0;          // when the vehicle is at `start`
  EventTimeMs shift_end = kNoLimit;    // every service must finish by then
  std::int32_t capacity = 0;
  std::int32_t onboard = 0;            // load already carried at start_time
  Mode mode = Mode::kBike;
};

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
  DurationMs travel_ms = 0;   // total driving/walking time
  EventTimeMs end_ms = 0;     // departure from the last stop
};

// Evaluates `n` stops in order, `stop_at(k)` giving the k-th, each started
// as early as allowed. Returns true iff every constraint holds: time windows,
// capacity, pickup before its delivery, maximum ride time, shift end.
// `departures` is scratch space for n entries. Fills `cost`, and `timings`
// (n entries) when not null.
template <typename StopAt>
bool EvaluateSequence(const Vehicle& vehicle, std::size_t n, StopAt&& stop_at,
                      const TravelModel& travel, EventTimeMs* departures, RouteCost* cost,
                      StopTiming* timings) {
  GeoPoint at = vehicle.start;
  EventTimeMs now = vehicle.start_time;
  std::int32_t load = vehicle.onboard;
  DurationMs travel_total = 0;
  for (std::size_t i = 0; i < n; ++i) {
    const Stop& stop = stop_at(i);
    const DurationMs leg = travel.TravelMs(at, stop.location, vehicle.mode);
    travel_total += leg;
    const EventTimeMs arrival = now + leg;
    const EventTimeMs start = arrival > stop.earliest ? arrival : stop.earliest;
    if (start > stop.latest) return false;
    load += stop.load_delta;
    if (load > vehicle.capacity || load < 0) return false;
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
    now = start + stop.service_ms;
    if (now > vehicle.shift_end) return false;
    departures[i] = now;
    if (timings) timings[i] = {arrival, start, now};
    at = stop.location;
  }
  if (cost) *cost = {travel_total, now};
  return true;
}

// EvaluateSequence over a whole route. Fills `timings` (resized) when given.
bool Evaluate(const Vehicle& vehicle, const std::vector<Stop>& stops, const TravelModel& travel,
              RouteCost* cost = nullptr, std::vector<StopTiming>* timings = nullptr);

}  // namespace meal::routing
