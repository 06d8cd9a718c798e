#include "service/http_routes.h"

#include <nlohmann/json.hpp>

#include "codec/state_codec.h"
#include "dispatch/planner.h"
#include "state/keys.h"

namespace meal::service {
namespace {

using nlohmann::json;

const char* StopKindName(StopKind k) { return k == StopKind::kPickup ? "PICKUP" : "DELIVERY"; }

json OrderJson(const Order& o) {
  // The elder's address and categories are not part of this view.
  json timeline = json::array();
  for (const TimelineEntry& t : o.timeline) {
    timeline.push_back({{"time_ms", t.time_ms}, {"status", OrderStatusName(t.status)}, {"note", t.note}});
  }
  return {{"order_id", o.order_id},
          {"area_id", o.area_id},
          {"site_id", o.site_id},
          {"elder_id", o.elder_id},
          {"status", OrderStatusName(o.status)},
          {"courier_id", o.courier_id},
          {"meals", o.meals},
          {"window", {{"start_ms", o.window_start_ms}, {"end_ms", o.window_end_ms}}},
          {"placed_ms", o.placed_ms},
          {"ready_ms", o.ready_ms},
          {"picked_up_ms", o.picked_up_ms},
          {"done_ms", o.done_ms},
          {"timeline", timeline}};
}

}  // namespace

api::Router MakeRoutes(RouteContext ctx) {
  api::Router router;
  router.Add("GET", "/healthz", [](const api::Request&) { return api::Json(200, {{"status", "ok"}}); });
  router.Add("GET", "/readyz", [ctx](const api::Request&) {
    const bool ready = ctx.ready->load(std::memory_order_relaxed);
    return api::Json(ready ? 200 : 503, {{"ready", ready}});
  });
  router.Add("GET", "/metrics", [ctx](const api::Request&) { return api::PrometheusText(*ctx.metrics); });

  router.Add("GET", "/api/v1/orders/{id}", [ctx](const api::Request& req) {
    const std::string& id = req.path_params.at("id");
    std::string bytes;
    if (!ctx.store->Get(state::OrderKey(id), &bytes).ok()) return api::Error(404, "no order " + id);
    Order order;
    if (Status s = codec::DecodeOrder(bytes, &order); !s.ok()) return api::Error(500, s.message());
    return api::Json(200, OrderJson(order));
  });

  router.Add("GET", "/api/v1/couriers/{id}", [ctx](const api::Request& req) {
    const std::string& id = req.path_params.at("id");
    std::string bytes;
    if (!ctx.store->Get(state::CourierKey(id), &bytes).ok()) return api::Error(404, "no courier " + id);
    Courier courier;
    if (Status s = codec::DecodeCourier(bytes, &courier); !s.ok()) return api::Error(500, s.message());
    std::map<std::string, Order> orders;
    for (const RouteStop& stop : courier.route) {
      if (orders.contains(stop.order_id)) continue;
      std::string ob;
      Order o;
      if (ctx.store->Get(state::OrderKey(stop.order_id), &ob).ok() && codec::DecodeOrder(ob, &o).ok()) {
        orders.emplace(stop.order_id, std::move(o));
      }
    }
    const dispatch::OrderLookup lookup = [&](const std::string& oid) -> const Order* {
      auto it = orders.find(oid);
      return it == orders.end() ? nullptr : &it->second;
    };
    const Assignment plan = dispatch::MakeAssignment(courier, lookup, courier.location_ms,
                                                     ctx.engine_options, {});
    json stops = json::array();
    for (const PlannedStop& s : plan.stops) {
      stops.push_back({{"kind", StopKindName(s.kind)},
                       {"order_id", s.order_id},
                       {"site_id", s.site_id},
                       {"planned_arrival_ms", s.arrival_ms},
                       {"planned_departure_ms", s.departure_ms}});
    }
    return api::Json(200, {{"courier_id", courier.courier_id},
                           {"area_id", courier.area_id},
                           {"on_shift", courier.on_shift},
                           {"available", courier.available},
                           {"box_capacity", courier.box_capacity},
                           {"shift_end_ms", courier.shift_end_ms},
                           {"location", {{"lat", courier.location.lat}, {"lon", courier.location.lon}, {"system", "WGS84"}}},
                           {"location_ms", courier.location_ms},
                           {"plan_version", courier.plan_version},
                           {"route", stops}});
  });
  return router;
}

}  // namespace meal::service
