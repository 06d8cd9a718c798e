#include "dispatch/planner.h"

#include <algorithm>
#include <map>

namespace meal::dispatch {
namespace {

routing::Mode ToMode(TravelMode m) {
  switch (m) {
    case TravelMode::kWalk: return routing::Mode::kWalk;
    case TravelMode::kBike: return routing::Mode::kBike;
    case TravelMode::kEbike: return routing::Mode::kEbike;
    case TravelMode::kCar: return routing::Mode::kCar;
  }
  return routing::Mode::kBike;
}

// What relax_committed does to a route BuildRoute built without it.
void RelaxCommitted(routing::Route* route) {
  for (routing::Stop& stop : route->stops) {
    stop.latest = routing::kNoLimit;
    stop.max_ride_ms = 0;
  }
  route->vehicle.shift_end = routing::kNoLimit;
}

}  // namespace

bool SharesStopWithPrevious(const Courier& courier, std::size_t i, const OrderLookup& orders) {
  if (i == 0 || i >= courier.route.size()) return false;
  const RouteStop& here = courier.route[i];
  const RouteStop& before = courier.route[i - 1];
  if (here.kind != before.kind) return false;
  const Order* a = orders(before.order_id);
  const Order* b = orders(here.order_id);
  if (!a || !b || b->hub_household_id.empty() || a->hub_household_id != b->hub_household_id) return false;
  return here.kind == StopKind::kPickup ? a->pickup == b->pickup : a->dropoff == b->dropoff;
}

DurationMs ServiceMs(const Courier& courier, std::size_t i, const OrderLookup& orders, const EngineOptions& options) {
  const bool pickup = courier.route[i].kind == StopKind::kPickup;
  if (SharesStopWithPrevious(courier, i, orders)) return pickup ? 0 : options.hub_handover_ms;
  return pickup ? options.pickup_service_ms : options.delivery_service_ms;
}

void BuildJobStops(const Order& order, std::int32_t job, const EngineOptions& options,
                   routing::Stop* pickup, routing::Stop* delivery) {
  pickup->location = order.pickup;
  pickup->pickup = true;
  pickup->job = job;
  pickup->load_delta = static_cast<std::int32_t>(order.meals);
  // A meal that leaves the kitchen earlier than (window start - hot-meal limit)
  // would go cold waiting at the door, so no feasible plan picks it up
  // sooner; waiting at the kitchen instead keeps forward scheduling honest.
  pickup->earliest = order.ready_ms;
  if (order.hot_meal_limit_ms > 0) {
    pickup->earliest = std::max(pickup->earliest,
                                order.window_start_ms - order.hot_meal_limit_ms - options.pickup_service_ms);
  }
  pickup->latest = routing::kNoLimit;
  pickup->service_ms = options.pickup_service_ms;

  delivery->location = order.dropoff;
  delivery->pickup = false;
  delivery->job = job;
  delivery->load_delta = -static_cast<std::int32_t>(order.meals);
  delivery->earliest = order.window_start_ms;
  delivery->latest = order.window_end_ms;
  delivery->service_ms = options.delivery_service_ms;
  delivery->max_ride_ms = order.hot_meal_limit_ms;
  delivery->picked_up_at =
      order.status == OrderStatus::kPickedUp ? order.picked_up_ms : routing::kNotPickedUp;
  // An order an operator took off a courier stays where dispatch put it:
  // re-optimisation knows no exclusions.
  pickup->pinned = delivery->pinned = order.pinned || !order.excluded_couriers.empty();
}

routing::Route BuildRoute(const Courier& courier, const OrderLookup& orders, EventTimeMs now,
                          const EngineOptions& options, bool relax_committed, JobIds* job_ids) {
  routing::Route route;
  route.vehicle.start = courier.location;
  route.vehicle.start_time = std::max(now, courier.location_ms);
  route.vehicle.shift_end = courier.shift_end_ms;
  route.vehicle.capacity = static_cast<std::int32_t>(courier.box_capacity);
  route.vehicle.mode = ToMode(courier.mode);
  JobIds local;
  JobIds& jobs = job_ids ? *job_ids : local;
  route.stops.reserve(courier.route.size());
  for (const RouteStop& rs : courier.route) {
    const Order* order = orders(rs.order_id);
    if (!order) continue;  // cannot happen: routes only hold live orders
    auto [it, inserted] = jobs.emplace(rs.order_id, static_cast<std::int32_t>(jobs.size()));
    routing::Stop pickup, delivery;
    BuildJobStops(*order, it->second, options, &pickup, &delivery);
    routing::Stop stop = rs.kind == StopKind::kPickup ? pickup : delivery;
    stop.service_ms = ServiceMs(courier, route.stops.size(), orders, options);
    if (rs.kind == StopKind::kDelivery && order->status == OrderStatus::kPickedUp) {
      route.vehicle.onboard += static_cast<std::int32_t>(order->meals);
    }
    route.stops.push_back(stop);
  }
  if (relax_committed) RelaxCommitted(&route);
  return route;
}

Assignment MakeAssignment(const Courier& courier, const OrderLookup& orders, EventTimeMs now,
                          const EngineOptions& options, const std::string& trigger_order_id) {
  Assignment a;
  a.area_id = courier.area_id;
  a.time_ms = now;
  a.courier_id = courier.courier_id;
  a.plan_version = courier.plan_version;
  a.trigger_order_id = trigger_order_id;
  // Relaxed, so a late plan still gets its (late) times.
  const routing::Route route = BuildRoute(courier, orders, now, options, /*relax_committed=*/true);
  std::vector<routing::StopTiming> timings;
  routing::RouteCost cost;
  routing::Evaluate(route.vehicle, route.stops, options.travel, &cost, &timings);
  std::uint32_t stop_index = 0;
  for (std::size_t i = 0; i < courier.route.size() && i < timings.size(); ++i) {
    const RouteStop& rs = courier.route[i];
    if (i > 0 && !SharesStopWithPrevious(courier, i, orders)) ++stop_index;
    const Order* order = orders(rs.order_id);
    PlannedStop ps;
    ps.kind = rs.kind;
    ps.order_id = rs.order_id;
    ps.site_id = order ? order->site_id : std::string();
    ps.location = route.stops[i].location;
    ps.arrival_ms = timings[i].service_start;
    ps.departure_ms = timings[i].departure;
    ps.stop_index = stop_index;
    a.stops.push_back(std::move(ps));
  }
  return a;
}

}  // namespace meal::dispatch
