#include "routing/insertion.h"

#include <algorithm>
#include <tuple>

namespace meal::routing {
namespace {

// Per-route data for one insertion query, reused across routes so the
// search allocates nothing once warmed up.
struct Scratch {
  std::vector<EventTimeMs> departure;   // of each existing stop in the current plan
  std::vector<EventTimeMs> latest;      // latest service start keeping every later stop on time
  std::vector<DurationMs> leg;          // travel into each stop from its predecessor
  std::vector<std::int32_t> load;       // load after each stop
  std::vector<DurationMs> to_pickup;    // travel from (start, stop 0, …, stop n-1) to the pickup
  std::vector<DurationMs> from_pickup;  // travel from the pickup to stop k
  std::vector<DurationMs> to_delivery;  // travel from (start, stop 0, …) to the delivery
  std::vector<DurationMs> from_delivery;
  std::vector<EventTimeMs> eval;        // scratch for EvaluateSequence
};

EventTimeMs StartAt(EventTimeMs arrival, const Stop& s) { return std::max(arrival, s.earliest); }

}  // namespace

// Enumerates the same (route, pickup position, delivery position) triples as
// an exhaustive search, but rejects most of them with O(1) necessary
// conditions (time windows and shift end through each stop's latest start,
// box capacity through the load profile, the new meal's own ride limit).
// A candidate that passes and is at least as cheap as the best so far is
// confirmed by a full evaluation, which also checks the ride limits of meals
// already planned and yields the route end for tie-breaking — so the answer
// is exactly the exhaustive search's.
std::optional<Insertion> CheapestInsertion(std::span<const Route> routes, const Stop& pickup,
                                           const Stop& delivery, const TravelModel& travel) {
  std::optional<Insertion> best;
  thread_local Scratch s;
  for (std::size_t r = 0; r < routes.size(); ++r) {
    const Route& route = routes[r];
    const Vehicle& v = route.vehicle;
    const std::vector<Stop>& stops = route.stops;
    const std::size_t n = stops.size();
    const DurationMs pd = travel.TravelMs(pickup.location, delivery.location, v.mode);

    // The plan as it stands.
    s.departure.resize(n);
    s.latest.resize(n);
    s.leg.resize(n);
    s.load.resize(n);
    s.eval.resize(n + 2);
    RouteCost base;
    if (!EvaluateSequence(
            v, n, [&](std::size_t k) -> const Stop& { return stops[k]; }, travel, s.eval.data(), &base,
            nullptr)) {
      continue;
    }
    {
      GeoPoint at = v.start;
      EventTimeMs now = v.start_time;
      std::int32_t load = v.onboard;
      for (std::size_t k = 0; k < n; ++k) {
        s.leg[k] = travel.TravelMs(at, stops[k].location, v.mode);
        now = StartAt(now + s.leg[k], stops[k]) + stops[k].service_ms;
        s.departure[k] = now;
        load += stops[k].load_delta;
        s.load[k] = load;
        at = stops[k].location;
      }
      EventTimeMs next_latest = kNoLimit;
      for (std::size_t k = n; k-- > 0;) {
        EventTimeMs l = std::min(stops[k].latest, v.shift_end - stops[k].service_ms);
        if (k + 1 < n && next_latest != kNoLimit) {
          l = std::min(l, next_latest - s.leg[k + 1] - stops[k].service_ms);
        }
        s.latest[k] = l;
        next_latest = l;
      }
    }
    // Travel between the new stops and every place of the route; slot 0 is
    // the vehicle's start, slot k + 1 is stop k.
    s.to_pickup.resize(n + 1);
    s.to_delivery.resize(n + 1);
    s.from_pickup.resize(n);
    s.from_delivery.resize(n);
    s.to_pickup[0] = travel.TravelMs(v.start, pickup.location, v.mode);
    s.to_delivery[0] = travel.TravelMs(v.start, delivery.location, v.mode);
    for (std::size_t k = 0; k < n; ++k) {
      s.to_pickup[k + 1] = travel.TravelMs(stops[k].location, pickup.location, v.mode);
      s.from_pickup[k] = travel.TravelMs(pickup.location, stops[k].location, v.mode);
      s.to_delivery[k + 1] = travel.TravelMs(stops[k].location, delivery.location, v.mode);
      s.from_delivery[k] = travel.TravelMs(delivery.location, stops[k].location, v.mode);
    }

    for (std::size_t i = 0; i <= n; ++i) {
      // Pickup between stop i-1 (or the start) and stop i.
      const EventTimeMs before_p = i == 0 ? v.start_time : s.departure[i - 1];
      const std::int32_t load_before = i == 0 ? v.onboard : s.load[i - 1];
      if (load_before + pickup.load_delta > v.capacity) continue;
      const EventTimeMs p_start = StartAt(before_p + s.to_pickup[i], pickup);
      if (p_start > pickup.latest) continue;
      const EventTimeMs p_dep = p_start + pickup.service_ms;
      if (p_dep > v.shift_end) continue;
      const DurationMs p_detour = s.to_pickup[i] + (i < n ? s.from_pickup[i] - s.leg[i] : 0);

      // Stops i..j-1 shifted by the pickup, then the delivery before stop j.
      EventTimeMs dep_prev = p_dep;  // departure from the stop before the delivery
      std::int32_t max_load = load_before + pickup.load_delta;
      for (std::size_t j = i; j <= n; ++j) {
        if (j > i) {
          // Stop j-1 now follows the pickup (j-1 == i) or its shifted predecessor.
          const std::size_t k = j - 1;
          const DurationMs into = k == i ? s.from_pickup[i] : s.leg[k];
          const EventTimeMs start = StartAt(dep_prev + into, stops[k]);
          if (start > s.latest[k]) break;  // stop k is this late for every later j too
          dep_prev = start + stops[k].service_ms;
          max_load = std::max(max_load, s.load[k] + pickup.load_delta);
          if (max_load > v.capacity) break;  // and stays over for every later j
        }
        const DurationMs into_d = j == i ? pd : s.to_delivery[j];
        const EventTimeMs d_start = StartAt(dep_prev + into_d, delivery);
        // Under the triangle inequality these would hold for every later j
        // too, but rounded travel times need not obey it exactly: skip, not stop.
        if (d_start > delivery.latest) continue;
        if (delivery.max_ride_ms > 0 && d_start - p_dep > delivery.max_ride_ms) continue;
        const EventTimeMs d_dep = d_start + delivery.service_ms;
        if (d_dep > v.shift_end) continue;
        if (j < n && StartAt(d_dep + s.from_delivery[j], stops[j]) > s.latest[j]) continue;

        DurationMs added;
        if (j == i) {
          added = s.to_pickup[i] + pd + (i < n ? s.from_delivery[i] - s.leg[i] : 0);
        } else {
          added = p_detour + s.to_delivery[j] + (j < n ? s.from_delivery[j] - s.leg[j] : 0);
        }
        if (best && added > best->added_travel_ms) continue;

        auto at = [&](std::size_t k) -> const Stop& { return InsertedStopAt(stops, i, j, pickup, delivery, k); };
        RouteCost cost;
        if (!EvaluateSequence(v, n + 2, at, travel, s.eval.data(), &cost, nullptr)) continue;
        Insertion candidate{r, i, j + 1, cost.travel_ms - base.travel_ms, cost.end_ms};
        if (!best || std::tie(candidate.added_travel_ms, candidate.end_ms) <
                         std::tie(best->added_travel_ms, best->end_ms)) {
          best = candidate;
        }
      }
    }
  }
  return best;
}

std::vector<Stop> ApplyInsertion(const Route& route, const Insertion& insertion, const Stop& pickup,
                                 const Stop& delivery) {
  std::vector<Stop> out = route.stops;
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(insertion.pickup_pos), pickup);
  out.insert(out.begin() + static_cast<std::ptrdiff_t>(insertion.delivery_pos), delivery);
  return out;
}

}  // namespace meal::routing
