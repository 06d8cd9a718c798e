#include "routing/live_plan.h"

#include <algorithm>
#include <bit>
#include <limits>
#include <tuple>

namespace meal::routing {
namespace {

EventTimeMs StartAt(EventTimeMs arrival, const Stop& s) { return std::max(arrival, s.earliest); }

// ceil(ms) for 0 <= ms < 2^51 as RoundUpMs computes it, in arithmetic the
// compiler vectorises on any x86-64: adding 2^52 rounds to an integer held
// in the mantissa, whose bits are then read as the integer itself.
inline std::int64_t CeilBits(double ms) {
  constexpr double kTwo52 = 4503599627370496.0;
  double t = ms + kTwo52;
  t += t - kTwo52 < ms ? 1.0 : 0.0;
  return std::bit_cast<std::int64_t>(t) - std::bit_cast<std::int64_t>(kTwo52);
}

// Travel from every slot of a route to `to`, exactly as TravelModel::TravelMs
// computes it (same operations in the same order, so the same bits), in
// branch-free loops the compiler vectorises; the rare slot 64 km or more
// away is redone with AngleRad's other branch. `ms` is scratch for count.
void TravelFromSlots(const double* __restrict xs, const double* __restrict ys, const double* __restrict zs,
                     std::size_t count, const Place& to, double ms_per_rad, double* __restrict ms,
                     DurationMs* __restrict out) {
  const double tx = to.x, ty = to.y, tz = to.z;
  for (std::size_t s = 0; s < count; ++s) {
    const double dx = xs[s] - tx;
    const double dy = ys[s] - ty;
    const double dz = zs[s] - tz;
    const double chord = __builtin_sqrt(dx * dx + dy * dy + dz * dz);
    ms[s] = chord * (1.0 + chord * chord * kInv24) * ms_per_rad;
  }
  // The series is monotone, so a chord of kNearChord or more gives at least
  // this; a nearer slot that reaches it too is merely redone.
  const double far_ms = kNearChord * (1.0 + kNearChord * kNearChord * kInv24) * ms_per_rad;
  for (std::size_t s = 0; s < count; ++s) out[s] = CeilBits(ms[s]);
  for (std::size_t s = 0; s < count; ++s) {
    if (ms[s] >= far_ms) out[s] = RoundUpMs(AngleRad(Place{xs[s], ys[s], zs[s]}, to) * ms_per_rad);
  }
}

// A detour through a point costs at least nothing by the triangle inequality;
// legs rounded up to whole milliseconds from floating-point distances can
// break that by 1 ms, so bounds that rely on it keep this margin.
constexpr DurationMs kRoundingSlackMs = 2;

// The schedule of `count` stops given by `stop_at(k)` with travel `leg_at(k)`
// into each, checked as Evaluate checks it. `departures` has room for count.
template <typename StopAt, typename LegAt>
bool Simulate(const Vehicle& v, std::size_t count, StopAt&& stop_at, LegAt&& leg_at, EventTimeMs* departures,
              RouteCost* cost) {
  EventTimeMs now = v.start_time;
  std::int32_t load = v.onboard;
  DurationMs travel = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const Stop& stop = stop_at(k);
    const DurationMs leg = leg_at(k);
    travel += leg;
    const EventTimeMs start = StartAt(now + leg, stop);
    if (start > stop.latest) return false;
    load += stop.load_delta;
    if (load > v.capacity || load < 0) return false;
    if (!stop.pickup) {
      EventTimeMs picked = stop.picked_up_at;
      if (picked == kNotPickedUp) {
        std::size_t p = k;
        while (p > 0 && !(stop_at(p - 1).pickup && stop_at(p - 1).job == stop.job)) --p;
        if (p == 0) return false;
        picked = departures[p - 1];
      }
      if (stop.max_ride_ms > 0 && start - picked > stop.max_ride_ms) return false;
    }
    now = start + stop.service_ms;
    if (now > v.shift_end) return false;
    departures[k] = now;
  }
  *cost = {travel, now};
  return true;
}

}  // namespace

bool LivePlan::SetRoute(std::size_t r, Route route) {
  if (r == routes_.size()) routes_.emplace_back();
  Cached& c = routes_[r];
  c.route = std::move(route);
  const Vehicle& v = c.route.vehicle;
  const std::vector<Stop>& stops = c.route.stops;
  const std::size_t n = stops.size();
  std::vector<Place> places(n + 1);
  places[0] = ToPlace(v.start);
  for (std::size_t k = 0; k < n; ++k) places[k + 1] = ToPlace(stops[k].location);
  c.xs.resize(n + 1);
  c.ys.resize(n + 1);
  c.zs.resize(n + 1);
  for (std::size_t k = 0; k <= n; ++k) {
    c.xs[k] = places[k].x;
    c.ys[k] = places[k].y;
    c.zs[k] = places[k].z;
  }
  c.leg.resize(n);
  for (std::size_t k = 0; k < n; ++k) c.leg[k] = travel_.TravelMs(places[k], places[k + 1], v.mode);
  c.departure.resize(n);
  RouteCost cost;
  c.feasible = Simulate(
      v, n, [&](std::size_t k) -> const Stop& { return stops[k]; }, [&](std::size_t k) { return c.leg[k]; },
      c.departure.data(), &cost);
  c.travel_ms = cost.travel_ms;
  c.load.resize(n);
  std::int32_t load = v.onboard;
  for (std::size_t k = 0; k < n; ++k) c.load[k] = load += stops[k].load_delta;
  c.latest.resize(n);
  EventTimeMs next_latest = kNoLimit;
  for (std::size_t k = n; k-- > 0;) {
    EventTimeMs l = std::min(stops[k].latest, v.shift_end - stops[k].service_ms);
    if (k + 1 < n && next_latest != kNoLimit) l = std::min(l, next_latest - c.leg[k + 1] - stops[k].service_ms);
    c.latest[k] = l;
    next_latest = l;
  }
  return c.feasible;
}

bool LivePlan::Confirm(const Cached& c, std::size_t i, std::size_t j, const Stop& pickup, const Stop& delivery,
                       const DurationMs* dp, const DurationMs* dd, DurationMs pd, RouteCost* cost) const {
  const std::vector<Stop>& stops = c.route.stops;
  auto at = [&](std::size_t k) -> const Stop& { return InsertedStopAt(stops, i, j, pickup, delivery, k); };
  auto leg = [&](std::size_t k) -> DurationMs {
    if (k < i) return c.leg[k];
    if (k == i) return dp[i];                      // from slot i (start or stop i-1)
    if (k <= j) return k == i + 1 ? dp[i + 1] : c.leg[k - 1];  // stop k-1, after the pickup
    if (k == j + 1) return j == i ? pd : dd[j];    // from stop j-1 (or the pickup)
    return k == j + 2 ? dd[j + 1] : c.leg[k - 2];  // stop k-2, after the delivery
  };
  scratch_departure_.resize(stops.size() + 2);
  return Simulate(c.route.vehicle, stops.size() + 2, at, leg, scratch_departure_.data(), cost);
}

std::optional<Insertion> LivePlan::BestInsertion(const Stop& pickup, const Stop& delivery) const {
  std::optional<Insertion> best;
  const Place pp = ToPlace(pickup.location);
  const Place pdl = ToPlace(delivery.location);
  for (std::size_t r = 0; r < routes_.size(); ++r) {
    const Cached& c = routes_[r];
    if (!c.feasible) continue;
    const Vehicle& v = c.route.vehicle;
    const std::vector<Stop>& stops = c.route.stops;
    const std::size_t n = stops.size();
    // Travel is symmetric: dp_[s] is both slot s -> pickup and pickup -> stop s-1.
    dp_.resize(n + 1);
    dd_.resize(n + 1);
    const double ms_per_rad = travel_.MsPerRadian(v.mode);
    ms_scratch_.resize(n + 1);
    TravelFromSlots(c.xs.data(), c.ys.data(), c.zs.data(), n + 1, pp, ms_per_rad, ms_scratch_.data(), dp_.data());
    auto detour = [&](const std::vector<DurationMs>& d, std::size_t pos) {
      return d[pos] + (pos < n ? d[pos + 1] - c.leg[pos] : 0);
    };
    // Whatever follows the pickup adds no less than nothing, up to rounding:
    // a route where the pickup alone costs too much needs no delivery times.
    if (best) {
      DurationMs min_p = std::numeric_limits<DurationMs>::max();
      for (std::size_t pos = 0; pos <= n; ++pos) min_p = std::min(min_p, detour(dp_, pos));
      if (min_p - kRoundingSlackMs > best->added_travel_ms) continue;
    }
    TravelFromSlots(c.xs.data(), c.ys.data(), c.zs.data(), n + 1, pdl, ms_per_rad, ms_scratch_.data(), dd_.data());
    const DurationMs pd = RoundUpMs(AngleRad(pp, pdl) * ms_per_rad);

    // The least added travel any position pair could have in this route.
    if (best) {
      DurationMs min_p = std::numeric_limits<DurationMs>::max();
      DurationMs min_d_after = std::numeric_limits<DurationMs>::max();  // over positions 1..n
      DurationMs min_adjacent = std::numeric_limits<DurationMs>::max();
      for (std::size_t pos = 0; pos <= n; ++pos) {
        min_p = std::min(min_p, detour(dp_, pos));
        if (pos >= 1) min_d_after = std::min(min_d_after, detour(dd_, pos));
        min_adjacent = std::min(min_adjacent, dp_[pos] + pd + (pos < n ? dd_[pos + 1] - c.leg[pos] : 0));
      }
      DurationMs bound = min_adjacent;
      if (n > 0) bound = std::min(bound, min_p + min_d_after);
      if (bound > best->added_travel_ms) continue;
    }

    for (std::size_t i = 0; i <= n; ++i) {
      const EventTimeMs before_p = i == 0 ? v.start_time : c.departure[i - 1];
      const std::int32_t load_before = i == 0 ? v.onboard : c.load[i - 1];
      if (load_before + pickup.load_delta > v.capacity) continue;
      const EventTimeMs p_start = StartAt(before_p + dp_[i], pickup);
      if (p_start > pickup.latest) continue;
      const EventTimeMs p_dep = p_start + pickup.service_ms;
      if (p_dep > v.shift_end) continue;
      const DurationMs p_detour = detour(dp_, i);
      // The delivery's own detour is never negative (up to rounding).
      if (best && p_detour - kRoundingSlackMs > best->added_travel_ms) continue;

      EventTimeMs dep_prev = p_dep;
      std::int32_t max_load = load_before + pickup.load_delta;
      for (std::size_t j = i; j <= n; ++j) {
        if (j > i) {
          const std::size_t k = j - 1;
          const DurationMs into = k == i ? dp_[i + 1] : c.leg[k];
          const EventTimeMs start = StartAt(dep_prev + into, stops[k]);
          if (start > c.latest[k]) break;
          dep_prev = start + stops[k].service_ms;
          max_load = std::max(max_load, c.load[k] + pickup.load_delta);
          if (max_load > v.capacity) break;
        }
        const DurationMs added = j == i ? dp_[i] + pd + (i < n ? dd_[i + 1] - c.leg[i] : 0)
                                        : p_detour + detour(dd_, j);
        if (best && added > best->added_travel_ms) continue;
        const EventTimeMs d_start = StartAt(dep_prev + (j == i ? pd : dd_[j]), delivery);
        if (d_start > delivery.latest) continue;
        if (delivery.max_ride_ms > 0 && d_start - p_dep > delivery.max_ride_ms) continue;
        const EventTimeMs d_dep = d_start + delivery.service_ms;
        if (d_dep > v.shift_end) continue;
        if (j < n && StartAt(d_dep + dd_[j + 1], stops[j]) > c.latest[j]) continue;

        RouteCost cost;
        if (!Confirm(c, i, j, pickup, delivery, dp_.data(), dd_.data(), pd, &cost)) continue;
        const Insertion candidate{r, i, j + 1, cost.travel_ms - c.travel_ms, cost.end_ms};
        if (!best || std::tie(candidate.added_travel_ms, candidate.end_ms) <
                         std::tie(best->added_travel_ms, best->end_ms)) {
          best = candidate;
        }
      }
    }
  }
  return best;
}

}  // namespace meal::routing
