#include "service/record_json.h"

#include <map>

#include "codec/state_codec.h"
#include "common/geo.h"
#include "dispatch/planner.h"
#include "state/keys.h"

namespace meal::service {

using nlohmann::json;

namespace {

const char* StopKindName(StopKind k) { return k == StopKind::kPickup ? "PICKUP" : "DELIVERY"; }

}  // namespace

json OrderJson(const Order& o) {
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
          {"batch_id", o.batch_id},
          {"hub_household_id", o.hub_household_id},
          {"standing_id", o.standing_id},
          {"proof_ref", o.proof_ref},
          {"timeline", timeline}};
}

json AlertJson(const StoredAlert& stored) {
  const Alert& a = stored.alert;
  json out = {{"alert_id", a.alert_id},
              {"area_id", a.area_id},
              {"kind", AlertKindName(a.kind)},
              {"severity", SeverityName(a.severity)},
              {"order_id", a.order_id},
              {"courier_id", a.courier_id},
              {"elder_id", a.elder_id},
              {"site_id", a.site_id},
              {"case_id", a.case_id},
              {"reason", a.reason},
              {"time_ms", a.time_ms},
              {"status", stored.acknowledged ? "acknowledged" : "open"},
              {"acknowledged_by", nullptr},
              {"note", nullptr},
              {"acknowledged_ms", nullptr}};
  if (stored.acknowledged) {
    out["acknowledged_by"] = stored.acknowledged_by;
    out["note"] = stored.note;
    out["acknowledged_ms"] = stored.acknowledged_ms;
  }
  return out;
}

Status CourierJson(const state::Store& store, const std::string& courier_id, const dispatch::EngineOptions& options,
                   const CourierView& view, json* out) {
  std::string bytes;
  if (Status s = store.Get(state::CourierKey(courier_id), &bytes); !s.ok()) {
    return s.code() == StatusCode::kNotFound ? Status::NotFound("no courier " + courier_id) : s;
  }
  Courier courier;
  if (Status s = codec::DecodeCourier(bytes, &courier); !s.ok()) return s;
  *out = CourierJson(store, courier, options, view);
  return Status::Ok();
}

json CourierJson(const state::Store& store, const Courier& courier, const dispatch::EngineOptions& options,
                 const CourierView& view) {
  auto place = [&](GeoPoint p) -> json {
    if (view.gcj02) p = Wgs84ToGcj02(p);
    return {{"lat", p.lat}, {"lon", p.lon}, {"system", view.gcj02 ? "GCJ02" : "WGS84"}};
  };
  std::map<std::string, Order> orders;
  for (const RouteStop& stop : courier.route) {
    if (orders.contains(stop.order_id)) continue;
    std::string ob;
    Order o;
    if (store.Get(state::OrderKey(stop.order_id), &ob).ok() && codec::DecodeOrder(ob, &o).ok()) {
      orders.emplace(stop.order_id, std::move(o));
    }
  }
  const dispatch::OrderLookup lookup = [&](const std::string& oid) -> const Order* {
    auto it = orders.find(oid);
    return it == orders.end() ? nullptr : &it->second;
  };
  const Assignment plan = dispatch::MakeAssignment(courier, lookup, courier.location_ms, options, {});
  json stops = json::array();
  for (const PlannedStop& s : plan.stops) {
    json stop = {{"kind", StopKindName(s.kind)},
                 {"order_id", s.order_id},
                 {"site_id", s.site_id},
                 {"planned_arrival_ms", s.arrival_ms},
                 {"planned_departure_ms", s.departure_ms},
                 {"stop_index", s.stop_index}};
    if (s.kind == StopKind::kPickup || view.door_locations) stop["location"] = place(s.location);
    stops.push_back(std::move(stop));
  }
  json out = {{"courier_id", courier.courier_id},
          {"area_id", courier.area_id},
          {"team_id", courier.team_id},
          {"on_shift", courier.on_shift},
          {"available", courier.available},
          {"box_capacity", courier.box_capacity},
          {"shift_end_ms", courier.shift_end_ms},
          {"location_ms", courier.location_ms},
          {"plan_version", courier.plan_version},
          {"location_at_door", courier.at_door},
          {"route", stops}};
  if (view.door_locations) out["location"] = place(courier.location);
  return out;
}

}  // namespace meal::service
