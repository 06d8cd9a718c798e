#include "routing/live_plan.h"

#include <algorithm>
#include <bit>
#include <limits>

namespace meal::routing {
namespace {

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
// away is redone with AngleRad's other branch, unless `near` promises there
// is none. `ms` is scratch for count.
void TravelFromSlots(const double* __restrict xs, const double* __restrict ys, const double* __restrict zs,
                     std::size_t count, const Place& to, double ms_per_rad, bool near, double* __restrict ms,
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
  if (near) return;
  for (std::size_t s = 0; s < count; ++s) {
    if (ms[s] >= far_ms) out[s] = RoundUpMs(AngleRad(Place{xs[s], ys[s], zs[s]}, to) * ms_per_rad);
  }
}

// A detour through a point costs at least nothing by the triangle inequality;
// legs rounded up to whole milliseconds from floating-point distances can
// break that by 1 ms, so bounds that rely on it keep this margin.
constexpr DurationMs kRoundingSlackMs = 2;

// The vehicle's end point as the route's last stop: nothing to load, open
// until the shift ends, and no delivery refers to it.
Stop EndStop(const Vehicle& v) {
  Stop s;
  s.location = *v.end;
  s.place = v.end_place;
  s.job = std::numeric_limits<std::int32_t>::min();
  s.latest = v.shift_end;
  return s;
}

// When the meal of `stop`, a delivery at k of `stop_at`, was collected: its
// picked_up_at when on board, else the departure from the nearest pickup of
// its job before it; kNotPickedUp when there is none.
template <typename StopAt>
EventTimeMs PickedAt(const Stop& stop, std::size_t k, StopAt&& stop_at, const EventTimeMs* departures) {
  if (stop.picked_up_at != kNotPickedUp) return stop.picked_up_at;
  for (std::size_t p = k; p-- > 0;) {
    if (stop_at(p).pickup && stop_at(p).job == stop.job) return departures[p];
  }
  return kNotPickedUp;
}

// The schedule of `count` stops given by `stop_at(k)` with travel `leg_at(k)`
// into each, checked as EvaluateSequence checks it (an end point being the
// last stop); with kTimeBounds false, no latest start, ride limit or shift
// end is checked. `departures` has room for count.
template <bool kTimeBounds = true, typename StopAt, typename LegAt>
bool Simulate(const Vehicle& v, std::size_t count, StopAt&& stop_at, LegAt&& leg_at, EventTimeMs* departures,
              RouteCost* cost) {
  EventTimeMs now = v.start_time;
  Load load = v.onboard;
  if (!load.FitsIn(v.capacity)) return false;
  DurationMs travel = 0;
  std::int64_t lateness = 0;
  for (std::size_t k = 0; k < count; ++k) {
    const Stop& stop = stop_at(k);
    const DurationMs leg = leg_at(k);
    travel += leg;
    const EventTimeMs start = ServiceStart(stop, now + leg);
    if (kTimeBounds && start > stop.latest) return false;
    load += stop.load_delta;
    if (!load.FitsIn(v.capacity)) return false;
    if (!stop.pickup) {
      const EventTimeMs picked = PickedAt(stop, k, stop_at, departures);
      if (picked == kNotPickedUp) return false;
      if (kTimeBounds && stop.max_ride_ms > 0 && start - picked > stop.max_ride_ms) return false;
    }
    lateness += Lateness(stop, start);
    now = start + stop.service_ms;
    if (kTimeBounds && now > v.shift_end) return false;
    departures[k] = now;
  }
  *cost = {travel, now, lateness};
  return true;
}

}  // namespace

LivePlan::LivePlan(TravelModel travel, InsertionOptions options) : travel_(std::move(travel)), options_(options) {
  for (std::size_t m = 0; m < kModes; ++m) ms_per_rad_[m] = travel_.MsPerRadian(static_cast<Mode>(m));
}

bool LivePlan::SetRoute(std::size_t r, const Route& route, Bounds bounds) {
  if (r == routes_.size()) routes_.emplace_back();
  ++changes_;
  // Filled beside the route it replaces, which stays there for UndoSetRoute.
  Cached& c = replaced_;
  const Cached& was = routes_[r];
  c.route = route;
  c.bounds = bounds;
  c.loosened = false;
  const Vehicle& v = c.route.vehicle;
  c.seq = c.route.stops;
  if (v.end) c.seq.push_back(EndStop(v));
  const std::vector<Stop>& seq = c.seq;
  const std::size_t m = seq.size();
  // Places and legs depend only on where the route goes. A route set again
  // with other times or bounds keeps them, and only its schedule is worked
  // out again.
  if (SameWay(was, route)) {
    c.xs = was.xs;
    c.ys = was.ys;
    c.zs = was.zs;
    c.places = was.places;
    c.leg = was.leg;
    c.reach = was.reach;
  } else {
    SetWay(c, was);
  }
  c.has_skills = true;
  for (const Stop& s : c.route.stops) c.has_skills = c.has_skills && HasSkills(v, s.skills);
  c.load.resize(m);
  Load load = v.onboard;
  for (std::size_t k = 0; k < m; ++k) c.load[k] = load += seq[k].load_delta;
  Time(c);
  std::swap(routes_[r], replaced_);
  return routes_[r].feasible;
}

void LivePlan::SetStartTime(std::size_t r, EventTimeMs start_time) {
  Cached& c = routes_[r];
  if (c.route.vehicle.start_time == start_time) return;
  ++changes_;
  c.route.vehicle.start_time = start_time;
  c.timed = false;
}

const LivePlan::Cached& LivePlan::Timed(std::size_t r) const {
  Cached& c = routes_[r];
  if (!c.timed) Time(c);
  return c;
}

void LivePlan::Time(Cached& c) {
  if (c.loosened) RestoreBounds(c);
  const Vehicle& v = c.route.vehicle;
  const std::vector<Stop>& seq = c.seq;
  const std::size_t m = seq.size();
  auto simulate = [&] {
    RouteCost cost;
    c.departure.resize(m);
    c.feasible = c.has_skills && Simulate(
                                     v, m, [&](std::size_t k) -> const Stop& { return seq[k]; },
                                     [&](std::size_t k) { return c.leg[k]; }, c.departure.data(), &cost);
    c.travel_ms = cost.travel_ms;
    c.lateness = cost.lateness;
  };
  simulate();
  if (!c.feasible && c.bounds == Bounds::kKeepLateness && c.has_skills && Loosen(c)) simulate();
  c.latest.resize(m);
  for (std::size_t k = m; k-- > 0;) {
    EventTimeMs cap = v.shift_end - seq[k].service_ms;
    if (k + 1 < m) cap = std::min(cap, c.latest[k + 1] - c.leg[k + 1] - seq[k].service_ms);
    c.latest[k] = LatestServiceStart(seq[k], cap);
  }
  c.timed = true;
}

bool LivePlan::Loosen(Cached& c) {
  const std::size_t m = c.seq.size();
  auto stop_at = [&](std::size_t k) -> const Stop& { return c.seq[k]; };
  RouteCost cost;
  c.departure.resize(m);
  if (!Simulate</*kTimeBounds=*/false>(
          c.route.vehicle, m, stop_at, [&](std::size_t k) { return c.leg[k]; }, c.departure.data(), &cost)) {
    return false;
  }
  c.loosened = true;
  c.set_bounds.resize(c.route.stops.size());
  c.set_shift_end = c.route.vehicle.shift_end;
  for (std::size_t k = 0; k < c.route.stops.size(); ++k) {
    Stop& stop = c.route.stops[k];
    c.set_bounds[k] = {stop.latest, stop.max_ride_ms};
    const EventTimeMs start = c.departure[k] - stop.service_ms;
    SetLatest(c, k, std::max(stop.latest, start));
    if (stop.pickup || stop.max_ride_ms == 0) continue;
    const DurationMs ride = start - PickedAt(stop, k, stop_at, c.departure.data());
    stop.max_ride_ms = c.seq[k].max_ride_ms = std::max(stop.max_ride_ms, ride);
  }
  c.route.vehicle.shift_end = std::max(c.route.vehicle.shift_end, cost.end_ms);
  if (c.route.vehicle.end) SetLatest(c, m - 1, c.route.vehicle.shift_end);
  return true;
}

void LivePlan::RestoreBounds(Cached& c) {
  for (std::size_t k = 0; k < c.route.stops.size(); ++k) {
    SetLatest(c, k, c.set_bounds[k].first);
    c.route.stops[k].max_ride_ms = c.seq[k].max_ride_ms = c.set_bounds[k].second;
  }
  c.route.vehicle.shift_end = c.set_shift_end;
  if (c.route.vehicle.end) SetLatest(c, c.seq.size() - 1, c.set_shift_end);
  c.loosened = false;
}

void LivePlan::SetLatest(Cached& c, std::size_t k, EventTimeMs latest) {
  c.seq[k].latest = latest;
  if (k < c.route.stops.size()) c.route.stops[k].latest = latest;
}

void LivePlan::UndoSetRoute(std::size_t r) {
  ++changes_;
  std::swap(routes_[r], replaced_);
}

bool LivePlan::InsertRoute(std::size_t r, const Route& route) {
  routes_.emplace(routes_.begin() + static_cast<std::ptrdiff_t>(r));
  return SetRoute(r, route);
}

void LivePlan::EraseRoute(std::size_t r) {
  ++changes_;
  routes_.erase(routes_.begin() + static_cast<std::ptrdiff_t>(r));
}

bool LivePlan::SameWay(const Cached& c, const Route& route) {
  const Vehicle& was = c.route.vehicle;
  const Vehicle& v = route.vehicle;
  if (c.xs.empty() || c.route.stops.size() != route.stops.size() || !(was.start == v.start) ||
      was.start_place != v.start_place || was.mode != v.mode || was.end.has_value() != v.end.has_value() ||
      (v.end && (!(*was.end == *v.end) || was.end_place != v.end_place))) {
    return false;
  }
  for (std::size_t k = 0; k < route.stops.size(); ++k) {
    if (!(c.route.stops[k].location == route.stops[k].location) || c.route.stops[k].place != route.stops[k].place) {
      return false;
    }
  }
  return true;
}

void LivePlan::SetWay(Cached& c, const Cached& was) const {
  const Vehicle& v = c.route.vehicle;
  const std::vector<Stop>& seq = c.seq;
  const std::size_t m = seq.size();
  auto point = [](const Cached& route, std::size_t slot) {
    return slot == 0 ? route.route.vehicle.start : route.seq[slot - 1].location;
  };
  // A unit vector is a function of its point alone, so one the replaced
  // route has (a route changed by a job or two keeps most of its points) is
  // copied rather than computed with a sincos; the search for it starts
  // after the last one found.
  std::size_t next = 0;
  auto place_of = [&](GeoPoint p) {
    const std::size_t slots = was.xs.size();
    for (std::size_t n = 0; n < slots; ++n) {
      const std::size_t s = (next + n) % slots;
      if (point(was, s) == p) {
        next = s + 1;
        return Place{was.xs[s], was.ys[s], was.zs[s]};
      }
    }
    return ToPlace(p);
  };
  c.xs.resize(m + 1);
  c.ys.resize(m + 1);
  c.zs.resize(m + 1);
  c.places.resize(m + 1);
  c.places[0] = v.start_place;
  for (std::size_t k = 0; k <= m; ++k) {
    const Place p = place_of(point(c, k));
    c.xs[k] = p.x;
    c.ys[k] = p.y;
    c.zs[k] = p.z;
    if (k > 0) c.places[k] = seq[k - 1].place;
  }
  c.reach = 0;
  for (std::size_t k = 1; k <= m; ++k) {
    const double dx = c.xs[k] - c.xs[0], dy = c.ys[k] - c.ys[0], dz = c.zs[k] - c.zs[0];
    c.reach = std::max(c.reach, __builtin_sqrt(dx * dx + dy * dy + dz * dz));
  }
  c.leg.resize(m);
  for (std::size_t k = 0; k < m; ++k) {
    c.leg[k] = travel_.table ? travel_.Between(point(c, k), c.places[k], seq[k].location, seq[k].place, v.mode)
                             : travel_.TravelMs(Place{c.xs[k], c.ys[k], c.zs[k]},
                                                Place{c.xs[k + 1], c.ys[k + 1], c.zs[k + 1]}, v.mode);
  }
}

const DurationMs* LivePlan::TravelWith(const Cached& c, const Place& at, const Stop& stop,
                                       std::vector<DurationMs>& to, std::vector<DurationMs>& from) const {
  const std::size_t slots = c.xs.size();
  const Vehicle& v = c.route.vehicle;
  to.resize(slots);
  if (!travel_.table) {
    // Symmetric: the time from slot k + 1 to the stop is the time back.
    // Every slot lies within `reach` of the start (a chord in space), so a
    // stop that near the start is near them all.
    const double dx = c.xs[0] - at.x, dy = c.ys[0] - at.y, dz = c.zs[0] - at.z;
    const bool near = __builtin_sqrt(dx * dx + dy * dy + dz * dz) + c.reach < kNearChord * (1 - 1e-9);
    ms_scratch_.resize(slots);
    TravelFromSlots(c.xs.data(), c.ys.data(), c.zs.data(), slots, at, ms_per_rad_[static_cast<std::size_t>(v.mode)],
                    near, ms_scratch_.data(), to.data());
    return to.data() + 1;
  }
  from.resize(slots - 1);
  for (std::size_t s = 0; s < slots; ++s) {
    const Place slot{c.xs[s], c.ys[s], c.zs[s]};
    const GeoPoint slot_point = s == 0 ? v.start : c.seq[s - 1].location;
    const DurationMs there = travel_.table->Get(v.mode, c.places[s], stop.place);
    to[s] = there >= 0 ? there : travel_.TravelMs(slot, at, v.mode);
    if (s == 0) continue;
    const DurationMs back = travel_.table->Get(v.mode, stop.place, c.places[s]);
    from[s - 1] = back >= 0 ? back : travel_.Between(stop.location, stop.place, slot_point, c.places[s], v.mode);
  }
  return from.data();
}

bool LivePlan::Confirm(const Cached& c, std::size_t i, std::size_t j, const Stop& pickup, const Stop& delivery,
                       const DurationMs* to_p, const DurationMs* from_p, const DurationMs* to_d,
                       const DurationMs* from_d, DurationMs pd, RouteCost* cost) const {
  const std::vector<Stop>& seq = c.seq;
  auto at = [&](std::size_t k) -> const Stop& { return InsertedStopAt(seq, i, j, pickup, delivery, k); };
  auto leg = [&](std::size_t k) -> DurationMs {
    if (k < i) return c.leg[k];
    if (k == i) return to_p[i];                          // from slot i (start or seq[i-1])
    if (k <= j) return k == i + 1 ? from_p[i] : c.leg[k - 1];  // seq[k-1], after the pickup
    if (k == j + 1) return j == i ? pd : to_d[j];        // from seq[j-1] (or the pickup)
    return k == j + 2 ? from_d[j] : c.leg[k - 2];        // seq[k-2], after the delivery
  };
  scratch_departure_.resize(seq.size() + 2);
  return Simulate(c.route.vehicle, seq.size() + 2, at, leg, scratch_departure_.data(), cost);
}

std::optional<Insertion> LivePlan::BestInsertion(const Stop& pickup, const Stop& delivery) const {
  const std::vector<Insertion> top = BestInsertions(pickup, delivery, 1);
  if (top.empty()) return std::nullopt;
  return top.front();
}

std::vector<Insertion> LivePlan::BestInsertions(const Stop& pickup, const Stop& delivery, std::size_t k) const {
  std::vector<Insertion> top;
  if (k == 0) return top;
  const Query q{pickup, delivery, ToPlace(pickup.location), ToPlace(delivery.location)};
  for (std::size_t r = 0; r < routes_.size(); ++r) SearchRoute(r, q, top, k);
  return top;
}

std::optional<Insertion> LivePlan::BestInsertionInRoute(std::size_t r, const Stop& pickup,
                                                        const Stop& delivery) const {
  std::vector<Insertion> top;
  SearchRoute(r, Query{pickup, delivery, ToPlace(pickup.location), ToPlace(delivery.location)}, top, 1);
  if (top.empty()) return std::nullopt;
  return top.front();
}

void LivePlan::SearchRoute(std::size_t r, const Query& q, std::vector<Insertion>& top, std::size_t k) const {
  const Stop& pickup = q.pickup;
  const Stop& delivery = q.delivery;
  const Place& pp = q.pickup_place;
  const Place& pdl = q.delivery_place;
  const bool metric = !travel_.table;
  // Only where the route goes is read until it is timed, below; a route
  // already known to be infeasible is skipped at once.
  const Cached& c = routes_[r];
  const Vehicle& v = c.route.vehicle;
  if (!c.has_skills || !HasSkills(v, pickup.skills | delivery.skills) || (c.timed && !c.feasible)) return;
  const std::vector<Stop>& seq = c.seq;
  const std::size_t n = c.route.stops.size();  // insertion positions 0..n
  const std::size_t m = seq.size();            // n, plus the end point
  const bool activates = options_.minimise_couriers && n == 0;
  // The bar a candidate must beat to enter the top k; its travel prunes
  // only when no candidate of this route can win on lateness or activation.
  const Insertion* bar = top.size() == k ? &top.back() : nullptr;
  if (bar && bar->added_lateness == 0 && bar->activates < activates) return;
  auto travel_bar = [&](const Insertion* b) -> DurationMs {
    return b && b->added_lateness == 0 && b->activates == activates ? b->added_travel_ms
                                                                     : std::numeric_limits<DurationMs>::max();
  };

  const DurationMs* from_p = TravelWith(c, pp, pickup, to_p_, from_p_);
  const DurationMs* to_p = to_p_.data();
  auto detour = [&](const DurationMs* to, const DurationMs* from, std::size_t pos) {
    return to[pos] + (pos < m ? from[pos] - c.leg[pos] : 0);
  };
  // The least detour over all positions, without a branch per position:
  // every position but a last one without an end point has a successor.
  const std::size_t followed = std::min(n + 1, m);
  auto least_detour = [&](const DurationMs* to, const DurationMs* from, std::size_t from_pos) {
    DurationMs least = n == m ? to[n] : std::numeric_limits<DurationMs>::max();
    for (std::size_t pos = from_pos; pos < followed; ++pos) least = std::min(least, to[pos] + from[pos] - c.leg[pos]);
    return least;
  };
  // Whatever follows the pickup adds no less than nothing, up to rounding:
  // a route where the pickup alone costs too much needs no delivery times.
  const DurationMs route_bar = travel_bar(bar);
  if (metric && route_bar != std::numeric_limits<DurationMs>::max() &&
      least_detour(to_p, from_p, 0) - kRoundingSlackMs > route_bar) {
    return;
  }
  const DurationMs* from_d = TravelWith(c, pdl, delivery, to_d_, from_d_);
  const DurationMs* to_d = to_d_.data();
  const DurationMs pd = travel_.table ? travel_.Between(pickup.location, pickup.place, delivery.location,
                                                        delivery.place, v.mode)
                                      : RoundUpMs(AngleRad(pp, pdl) * ms_per_rad_[static_cast<std::size_t>(v.mode)]);
  auto adjacent = [&](std::size_t pos) { return to_p[pos] + pd + (pos < m ? from_d[pos] - c.leg[pos] : 0); };

  // The least added travel any position pair could have in this route.
  if (metric && route_bar != std::numeric_limits<DurationMs>::max()) {
    DurationMs min_adjacent = std::numeric_limits<DurationMs>::max();
    for (std::size_t pos = 0; pos <= n; ++pos) min_adjacent = std::min(min_adjacent, adjacent(pos));
    DurationMs bound = min_adjacent;
    // Over delivery positions 1..n, after a pickup somewhere before.
    if (n > 0) bound = std::min(bound, least_detour(to_p, from_p, 0) + least_detour(to_d, from_d, 1));
    if (bound > route_bar) return;
  }

  if (!Timed(r).feasible) return;
  std::optional<Insertion> route_best;
  for (std::size_t i = 0; i <= n; ++i) {
    const EventTimeMs before_p = i == 0 ? v.start_time : c.departure[i - 1];
    const Load load_before = i == 0 ? v.onboard : c.load[i - 1];
    if (!(load_before + pickup.load_delta).FitsIn(v.capacity)) continue;
    const EventTimeMs p_start = ServiceStart(pickup, before_p + to_p[i]);
    if (p_start > pickup.latest) continue;
    const EventTimeMs p_dep = p_start + pickup.service_ms;
    if (p_dep > v.shift_end) continue;
    const DurationMs p_detour = detour(to_p, from_p, i);
    // The delivery's own detour is never negative (up to rounding).
    const DurationMs bar_ms = std::min(route_bar, travel_bar(route_best ? &*route_best : nullptr));
    if (metric && bar_ms != std::numeric_limits<DurationMs>::max() && p_detour - kRoundingSlackMs > bar_ms) {
      continue;
    }

    EventTimeMs dep_prev = p_dep;
    Load max_load = load_before + pickup.load_delta;
    for (std::size_t j = i; j <= n; ++j) {
      if (j > i) {
        // seq[j-1] now follows the pickup (j-1 == i) or its shifted predecessor.
        const std::size_t s = j - 1;
        const DurationMs into = s == i ? from_p[i] : c.leg[s];
        const EventTimeMs start = ServiceStart(seq[s], dep_prev + into);
        // Too late for the stops after it, for this j and every later one.
        // The delivery still to come after seq[s] may make the way on
        // quicker than the direct leg latest[s] assumes: by a rounding
        // margin when travel is metric, by anything when it is not.
        if (metric && start - kRoundingSlackMs > c.latest[s]) break;
        dep_prev = start + seq[s].service_ms;
        max_load = Load::Max(max_load, c.load[s] + pickup.load_delta);
        if (!max_load.FitsIn(v.capacity)) break;  // over for this and every later j
      }
      const DurationMs added = j == i ? adjacent(i) : p_detour + detour(to_d, from_d, j);
      if (added > std::min(route_bar, travel_bar(route_best ? &*route_best : nullptr))) continue;
      const EventTimeMs d_start = ServiceStart(delivery, dep_prev + (j == i ? pd : to_d[j]));
      if (d_start > delivery.latest) continue;
      if (delivery.max_ride_ms > 0 && d_start - p_dep > delivery.max_ride_ms) continue;
      const EventTimeMs d_dep = d_start + delivery.service_ms;
      if (d_dep > v.shift_end) continue;
      if (j < m && ServiceStart(seq[j], d_dep + from_d[j]) > c.latest[j]) continue;

      RouteCost cost;
      if (!Confirm(c, i, j, pickup, delivery, to_p, from_p, to_d, from_d, pd, &cost)) continue;
      const Insertion candidate{r,         i,
                                j + 1,     std::max<std::int64_t>(0, cost.lateness - c.lateness),
                                activates, cost.travel_ms - c.travel_ms,
                                cost.end_ms};
      if (!route_best || Better(candidate, *route_best)) route_best = candidate;
    }
  }
  if (route_best) KeepBest(top, *route_best, k);
}

}  // namespace meal::routing
