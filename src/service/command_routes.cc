// Operators' commands (recall, wellness acknowledgement) and the state they
// act on (wellness checks, standing orders, the audit trail). A command is
// checked against committed state for a clear 4xx, then published to the
// commands topic; the area's owner applies it in log order.
#include <nlohmann/json.hpp>

#include "codec/state_codec.h"
#include "service/command_util.h"
#include "service/http_routes.h"
#include "state/keys.h"

namespace meal::service {
namespace {

using nlohmann::json;

json CaseJson(const WellnessCase& c) {
  json steps = json::array();
  for (const auto& [step, at] : c.steps) steps.push_back({{"step", WellnessStepName(step)}, {"at_ms", at}});
  json out = {{"case_id", c.case_id},   {"area_id", c.area_id},     {"order_id", c.order_id},
              {"elder_id", c.elder_id}, {"courier_id", c.courier_id}, {"site_id", c.site_id},
              {"opened_ms", c.opened_ms}, {"status", c.closed ? "closed" : "open"},
              {"step", WellnessStepName(c.step)}, {"steps", steps}};
  if (c.closed) {
    out["closed"] = {{"at_ms", c.closed_ms}, {"by", c.closed_by}, {"outcome", WellnessOutcomeName(c.outcome)},
                     {"note", c.note}};
  } else {
    out["escalates_at_ms"] = c.step_due_ms;
  }
  return out;
}

std::optional<WellnessOutcome> OutcomeOf(std::string_view name) {
  for (auto o : {WellnessOutcome::kElderSafe, WellnessOutcome::kNeededHelp, WellnessOutcome::kTakenToHospital,
                 WellnessOutcome::kAwayFromHome, WellnessOutcome::kOther}) {
    if (WellnessOutcomeName(o) == name) return o;
  }
  return std::nullopt;
}

api::Response PostRecall(const RouteContext& ctx, const api::Request& req) {
  json body;
  if (auto bad = ParseBody(req, &body)) return *bad;
  std::string site_id, batch_id, actor, reason;
  if (auto bad = Text(body, "site_id", true, kMaxCommandIdBytes, &site_id)) return *bad;
  if (auto bad = Text(body, "batch_id", true, kMaxCommandIdBytes, &batch_id)) return *bad;
  if (auto bad = Actor(req, &actor)) return *bad;
  if (auto bad = Text(body, "reason", true, kMaxCommandTextBytes, &reason)) return *bad;
  std::string bytes;
  Site site;
  if (!ctx.store->Get(state::SiteKey(site_id), &bytes).ok()) return api::Error(404, "no site " + site_id);
  if (Status s = codec::DecodeSite(bytes, &site); !s.ok()) return api::Error(500, s.message());
  if (ctx.store->Get(state::RecallKey(site_id, batch_id), &bytes).ok()) {
    return api::Error(409, "batch " + batch_id + " of site " + site_id + " is already recalled");
  }
  Event e{NewCommandId(), site.area_id, AreaTime(*ctx.store, site.area_id),
          RecallBatch{site_id, batch_id, actor, reason}};
  return Publish(ctx, e, "recall");
}

api::Response PostAcknowledge(const RouteContext& ctx, const api::Request& req) {
  const std::string& case_id = req.path_params.at("id");
  json body;
  if (auto bad = ParseBody(req, &body)) return *bad;
  std::string outcome_name, note, actor;
  if (auto bad = Text(body, "outcome", true, 64, &outcome_name)) return *bad;
  if (auto bad = Actor(req, &actor)) return *bad;
  // The "why" of the audit trail: what was found, whom the office reached.
  if (auto bad = Text(body, "note", true, kMaxCommandTextBytes, &note)) return *bad;
  const auto outcome = OutcomeOf(outcome_name);
  if (!outcome) {
    return api::Error(400, "'outcome' must be one of elder_safe, elder_needed_help, taken_to_hospital, "
                           "away_from_home, other");
  }
  std::string bytes;
  WellnessCase c;
  if (!ctx.store->Get(state::WellnessKey(case_id), &bytes).ok()) return api::Error(404, "no wellness check " + case_id);
  if (Status s = codec::DecodeWellnessCase(bytes, &c); !s.ok()) return api::Error(500, s.message());
  if (c.closed) return api::Error(409, "wellness check " + case_id + " was closed by " + c.closed_by);
  Event e{NewCommandId(), c.area_id, AreaTime(*ctx.store, c.area_id),
          AcknowledgeWellness{case_id, *outcome, note, actor}};
  return Publish(ctx, e, "acknowledge_wellness");
}

// DELETE /api/v1/elders/{id}: erasure on the elder's request (or their
// guardian's), with who decided and why.
api::Response EraseElderRequest(const RouteContext& ctx, const api::Request& req) {
  const std::string& elder_id = req.path_params.at("id");
  json body;
  if (auto bad = ParseBody(req, &body)) return *bad;
  std::string actor, reason;
  if (auto bad = Actor(req, &actor)) return *bad;
  if (auto bad = Text(body, "reason", true, kMaxCommandTextBytes, &reason)) return *bad;
  std::string bytes;
  Elder elder;
  if (!ctx.store->Get(state::ElderKey(elder_id), &bytes).ok()) return api::Error(404, "no registered elder " + elder_id);
  if (Status s = codec::DecodeElder(bytes, &elder); !s.ok()) return api::Error(500, s.message());
  Event e{NewCommandId(), elder.area_id, AreaTime(*ctx.store, elder.area_id), EraseElder{elder_id, actor, reason}};
  return Publish(ctx, e, "erase_elder");
}

api::Response ListWellness(const RouteContext& ctx, const api::Request& req) {
  const auto status_it = req.query.find("status");
  const std::string status = status_it == req.query.end() ? "open" : status_it->second;
  if (status != "open" && status != "closed" && status != "all") {
    return api::Error(400, "'status' must be open, closed or all");
  }
  const auto area = req.query.find("area");
  json cases = json::array();
  Status decode = Status::Ok();
  const Status scan = ctx.store->Scan(state::kWellnessPrefix, [&](std::string_view, std::string_view value) {
    WellnessCase c;
    decode = codec::DecodeWellnessCase(value, &c);
    if (!decode.ok()) return false;
    if (area != req.query.end() && c.area_id != area->second) return true;
    if (status == "all" || (status == "open") != c.closed) cases.push_back(CaseJson(c));
    return true;
  });
  if (!scan.ok()) return api::Error(500, scan.message());
  if (!decode.ok()) return api::Error(500, decode.message());
  return api::Json(200, {{"status", status}, {"cases", cases}});
}

api::Response GetWellness(const RouteContext& ctx, const api::Request& req) {
  const std::string& case_id = req.path_params.at("id");
  std::string bytes;
  WellnessCase c;
  if (!ctx.store->Get(state::WellnessKey(case_id), &bytes).ok()) return api::Error(404, "no wellness check " + case_id);
  if (Status s = codec::DecodeWellnessCase(bytes, &c); !s.ok()) return api::Error(500, s.message());
  return api::Json(200, CaseJson(c));
}

api::Response ListAudit(const RouteContext& ctx, const api::Request& req) {
  const auto area = req.query.find("area");
  json entries = json::array();
  Status decode = Status::Ok();
  const Status scan = ctx.store->Scan(state::kAuditPrefix, [&](std::string_view, std::string_view value) {
    AuditEntry a;
    decode = codec::DecodeAudit(value, &a);
    if (!decode.ok()) return false;
    if (area != req.query.end() && a.area_id != area->second) return true;
    entries.push_back({{"command_id", a.command_id}, {"area_id", a.area_id}, {"time_ms", a.time_ms},
                       {"actor", a.actor},           {"action", a.action},   {"target", a.target},
                       {"reason", a.reason},         {"result", a.result}});
    return true;
  });
  if (!scan.ok()) return api::Error(500, scan.message());
  if (!decode.ok()) return api::Error(500, decode.message());
  return api::Json(200, {{"entries", entries}});
}

api::Response GetStanding(const RouteContext& ctx, const api::Request& req) {
  const std::string& id = req.path_params.at("id");
  std::string bytes;
  StandingOrder so;
  if (!ctx.store->Get(state::StandingKey(id), &bytes).ok()) return api::Error(404, "no standing order " + id);
  if (Status s = codec::DecodeStandingOrder(bytes, &so); !s.ok()) return api::Error(500, s.message());
  const StandingOrderSet& p = so.pattern;
  json weekdays = json::array();
  for (int d = 1; d <= 7; ++d) {
    if (p.weekdays & (1u << (d - 1))) weekdays.push_back(d);
  }
  json suspensions = json::array();
  for (const Suspension& s : so.suspensions) {
    suspensions.push_back({{"from_date", s.from_date}, {"until_date", s.until_date}, {"reason", s.reason}});
  }
  return api::Json(200, {{"standing_id", p.standing_id}, {"area_id", so.area_id}, {"site_id", p.site_id},
                         {"elder_id", p.elder_id}, {"meals", p.meals}, {"weekdays", weekdays},
                         {"window", {{"start_min", p.window_start_min}, {"end_min", p.window_end_min}}},
                         {"first_date", p.first_date}, {"last_date", p.last_date},
                         {"suspensions", suspensions}, {"next_date", so.next_date}});
}

}  // namespace

void AddCommandRoutes(api::Router& router, const RouteContext& ctx) {
  router.Add("POST", "/api/v1/recalls", [ctx](const api::Request& req) { return PostRecall(ctx, req); });
  router.Add("POST", "/api/v1/wellness/{id}/acknowledge",
             [ctx](const api::Request& req) { return PostAcknowledge(ctx, req); });
  router.Add("GET", "/api/v1/wellness", [ctx](const api::Request& req) { return ListWellness(ctx, req); });
  router.Add("GET", "/api/v1/wellness/{id}", [ctx](const api::Request& req) { return GetWellness(ctx, req); });
  router.Add("DELETE", "/api/v1/elders/{id}", [ctx](const api::Request& req) { return EraseElderRequest(ctx, req); });
  router.Add("GET", "/api/v1/audit", [ctx](const api::Request& req) { return ListAudit(ctx, req); });
  router.Add("GET", "/api/v1/standing-orders/{id}", [ctx](const api::Request& req) { return GetStanding(ctx, req); });
}

}  // namespace meal::service
