// Operators' manual dispatch (POST /api/v1/orders/{id}/reassign, unassign,
// hold, release) and the alert inbox (GET /api/v1/alerts, POST
// /api/v1/alerts/{id}/acknowledge). Each command is checked against
// committed state with the engine's own rules (dispatch/order_commands.h)
// for a clear 4xx, then published to the commands topic, where the area's
// owner applies it in log order; state may change in between, and the
// engine then refuses it (audit entry and COMMAND_REFUSED alert).
#include <algorithm>
#include <charconv>

#include <nlohmann/json.hpp>

#include "codec/state_codec.h"
#include "dispatch/order_commands.h"
#include "service/command_util.h"
#include "service/http_routes.h"
#include "service/query_params.h"
#include "service/record_json.h"
#include "state/keys.h"

namespace meal::service {
namespace {

using nlohmann::json;

enum class OrderAction { kReassign, kUnassign, kHold, kRelease };

// Reads record `key` into `out` with `decode`: nullopt, or the 404 (`missing`)
// or 500 to answer.
template <typename T, typename Decode>
std::optional<api::Response> Read(const state::Store& store, const std::string& key, Decode decode,
                                  const std::string& missing, T* out) {
  std::string bytes;
  if (Status s = store.Get(key, &bytes); !s.ok()) {
    return s.code() == StatusCode::kNotFound ? api::Error(404, missing) : api::Error(500, s.message());
  }
  if (Status s = decode(bytes, out); !s.ok()) return api::Error(500, s.message());
  return std::nullopt;
}

api::Response PostOrderCommand(const RouteContext& ctx, const api::Request& req, OrderAction action) {
  const std::string& order_id = req.path_params.at("id");
  json body;
  if (auto bad = ParseBody(req, &body)) return *bad;
  std::string actor, reason, courier_id;
  if (auto bad = Actor(req, &actor)) return *bad;
  if (action == OrderAction::kReassign) {
    if (auto bad = Text(body, "courier_id", true, kMaxCommandIdBytes, &courier_id)) return *bad;
  }
  if (auto bad = Text(body, "reason", true, kMaxCommandTextBytes, &reason)) return *bad;
  Order order;
  if (auto bad = Read(*ctx.store, state::OrderKey(order_id), codec::DecodeOrder, "no order " + order_id, &order)) {
    return *bad;
  }
  const EventTimeMs now = AreaTime(*ctx.store, order.area_id);
  std::optional<std::string> refusal;
  EventBody command;
  const char* name = "";
  switch (action) {
    case OrderAction::kReassign: {
      Courier courier;
      if (auto bad = Read(*ctx.store, state::CourierKey(courier_id), codec::DecodeCourier, "no courier " + courier_id,
                          &courier)) {
        return *bad;
      }
      if (courier.area_id != order.area_id) {
        return api::Error(409, "courier " + courier_id + " works in area " + courier.area_id + ", order " + order_id +
                                   " is in area " + order.area_id);
      }
      refusal = dispatch::ReassignRefusal(order, courier, now);
      command = ReassignOrder{order_id, courier_id, actor, reason};
      name = "reassign_order";
      break;
    }
    case OrderAction::kUnassign:
      refusal = dispatch::UnassignRefusal(order);
      command = UnassignOrder{order_id, actor, reason};
      name = "unassign_order";
      break;
    case OrderAction::kHold:
      refusal = dispatch::HoldRefusal(order);
      command = HoldOrder{order_id, actor, reason};
      name = "hold_order";
      break;
    case OrderAction::kRelease:
      refusal = dispatch::ReleaseRefusal(order);
      command = ReleaseOrder{order_id, actor, reason};
      name = "release_order";
      break;
  }
  if (refusal) return api::Error(409, *refusal);
  return Publish(ctx, Event{NewCommandId(), order.area_id, now, std::move(command)}, name);
}

// The position after `a` in the listing's order (newest first, then by id):
// "<time_ms>:<alert id>".
std::string PageToken(const Alert& a) { return std::to_string(a.time_ms) + ":" + a.alert_id; }

bool ParsePageToken(const std::string& token, EventTimeMs* time_ms, std::string* alert_id) {
  const std::size_t colon = token.find(':');
  if (colon == std::string::npos || colon == 0) return false;
  const char* end = token.data() + colon;
  const auto [ptr, ec] = std::from_chars(token.data(), end, *time_ms);
  if (ec != std::errc() || ptr != end) return false;
  *alert_id = token.substr(colon + 1);
  return true;
}

constexpr std::int64_t kDefaultAlertPage = 100;
constexpr std::int64_t kMaxAlertPage = 1000;

// GET /api/v1/alerts[?status=open|acknowledged|all][&area=][&kind=][&limit=][&page_token=]
api::Response ListAlerts(const RouteContext& ctx, const api::Request& req) {
  auto param = [&](const char* name) -> const std::string* {
    const auto it = req.query.find(name);
    return it == req.query.end() ? nullptr : &it->second;
  };
  const std::string* status = param("status");
  if (status && *status != "open" && *status != "acknowledged" && *status != "all") {
    return api::Error(400, "'status' must be open, acknowledged or all");
  }
  std::optional<AlertKind> kind;
  if (const std::string* k = param("kind")) {
    kind = ParseAlertKind(*k);
    if (!kind) {
      std::string names;
      for (std::size_t i = 0; i < kAlertKinds; ++i) {
        names.append(i ? ", " : "").append(AlertKindName(static_cast<AlertKind>(i)));
      }
      return api::Error(400, "'kind' must be one of " + names);
    }
  }
  std::int64_t limit = 0;
  if (auto bad = IntParam(req, "limit", 1, kMaxAlertPage, kDefaultAlertPage, &limit)) return *bad;
  EventTimeMs after_time = 0;
  std::string after_id;
  const std::string* token = param("page_token");
  if (token && !ParsePageToken(*token, &after_time, &after_id)) {
    return api::Error(400, "'page_token' is not one this listing gave");
  }
  const std::string* area = param("area");
  std::vector<StoredAlert> alerts;
  Status decode = Status::Ok();
  const Status scan = ctx.store->Scan(state::kAlertPrefix, [&](std::string_view, std::string_view value) {
    StoredAlert a;
    decode = codec::DecodeStoredAlert(value, &a);
    if (!decode.ok()) return false;
    if (area && a.alert.area_id != *area) return true;
    if (kind && a.alert.kind != *kind) return true;
    if (status && *status != "all" && (*status == "acknowledged") != a.acknowledged) return true;
    alerts.push_back(std::move(a));
    return true;
  });
  if (!scan.ok()) return api::Error(500, scan.message());
  if (!decode.ok()) return api::Error(500, decode.message());
  // The listing's order: newest first, then by id.
  auto before = [](EventTimeMs a_time, const std::string& a_id, EventTimeMs b_time, const std::string& b_id) {
    return a_time != b_time ? a_time > b_time : a_id < b_id;
  };
  std::sort(alerts.begin(), alerts.end(), [&](const StoredAlert& a, const StoredAlert& b) {
    return before(a.alert.time_ms, a.alert.alert_id, b.alert.time_ms, b.alert.alert_id);
  });
  auto it = alerts.begin();
  if (token) {
    it = std::find_if(alerts.begin(), alerts.end(), [&](const StoredAlert& a) {
      return before(after_time, after_id, a.alert.time_ms, a.alert.alert_id);
    });
  }
  json page = json::array();
  for (; it != alerts.end() && page.size() < static_cast<std::size_t>(limit); ++it) page.push_back(AlertJson(*it));
  json next = nullptr;
  if (it != alerts.end()) next = PageToken(std::prev(it)->alert);
  return api::Json(200, {{"alerts", std::move(page)}, {"next_page_token", std::move(next)}});
}

// POST /api/v1/alerts/{id}/acknowledge {"note"}
api::Response AcknowledgeAlertRequest(const RouteContext& ctx, const api::Request& req) {
  const std::string& alert_id = req.path_params.at("id");
  json body;
  if (auto bad = ParseBody(req, &body)) return *bad;
  std::string actor, note;
  if (auto bad = Actor(req, &actor)) return *bad;
  if (auto bad = Text(body, "note", true, kMaxCommandTextBytes, &note)) return *bad;
  StoredAlert stored;
  if (auto bad = Read(*ctx.store, state::AlertKey(alert_id), codec::DecodeStoredAlert, "no alert " + alert_id,
                      &stored)) {
    return *bad;
  }
  if (stored.acknowledged) {
    return api::Error(409, "alert " + alert_id + " was acknowledged by " + stored.acknowledged_by);
  }
  const std::string& area = stored.alert.area_id;
  return Publish(ctx, Event{NewCommandId(), area, AreaTime(*ctx.store, area), AcknowledgeAlert{alert_id, actor, note}},
                 "acknowledge_alert");
}

}  // namespace

void AddOperatorRoutes(api::Router& router, const RouteContext& ctx) {
  const std::pair<const char*, OrderAction> actions[] = {{"reassign", OrderAction::kReassign},
                                                         {"unassign", OrderAction::kUnassign},
                                                         {"hold", OrderAction::kHold},
                                                         {"release", OrderAction::kRelease}};
  for (const auto& [path, action] : actions) {
    router.Add("POST", std::string("/api/v1/orders/{id}/") + path,
               [ctx, action = action](const api::Request& req) { return PostOrderCommand(ctx, req, action); });
  }
  router.Add("GET", "/api/v1/alerts", [ctx](const api::Request& req) { return ListAlerts(ctx, req); });
  router.Add("POST", "/api/v1/alerts/{id}/acknowledge",
             [ctx](const api::Request& req) { return AcknowledgeAlertRequest(ctx, req); });
}

}  // namespace meal::service
