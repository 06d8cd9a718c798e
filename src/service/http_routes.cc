#include "service/http_routes.h"

#include <algorithm>
#include <limits>
#include <optional>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "codec/state_codec.h"
#include "common/dates.h"
#include "common/geo.h"
#include "service/masking.h"
#include "service/openapi.h"
#include "service/query_params.h"
#include "service/record_json.h"
#include "state/keys.h"

namespace meal::service {
namespace {

using nlohmann::json;

// One line of a ledger summary.
struct LedgerTotal {
  std::int64_t deliveries = 0;
  std::int64_t meals = 0;
  Payment amount;

  void Add(const LedgerEntry& e) {
    ++deliveries;
    meals += e.meals;
    amount += e.amount;
  }
};

json TotalJson(const LedgerTotal& t) {
  return {{"deliveries", t.deliveries},         {"meals", t.meals},
          {"price_fen", t.amount.price_fen},     {"individual_fen", t.amount.individual_fen},
          {"enterprise_fen", t.amount.enterprise_fen}, {"government_fen", t.amount.government_fen},
          {"village_fen", t.amount.village_fen}, {"charity_fen", t.amount.charity_fen}};
}

// GET /api/v1/ledger?date=YYYY-MM-DD[&site=S][&format=csv]: the day's
// deliveries and who pays what, per category (JSON) or per site and
// category (CSV), in fen. Amounts are sums of booked entries, so they are
// exact and add up.
api::Response LedgerQuery(const RouteContext& ctx, const api::Request& req) {
  const auto date = req.query.find("date");
  if (date == req.query.end() || !IsDate(date->second)) {
    return api::Error(400, "query parameter 'date' must be a date written YYYY-MM-DD");
  }
  const auto site_param = req.query.find("site");
  const std::string site = site_param == req.query.end() ? std::string() : site_param->second;
  const auto format = req.query.find("format");
  const bool csv = format != req.query.end() && format->second == "csv";
  if (format != req.query.end() && !csv && format->second != "json") {
    return api::Error(400, "query parameter 'format' must be json or csv");
  }
  std::map<std::string, LedgerTotal> by_category;
  std::map<std::pair<std::string, std::string>, LedgerTotal> by_site_category;
  LedgerTotal total;
  Status decode = Status::Ok();
  Status scan = ctx.store->Scan(state::LedgerKey(date->second, site), [&](std::string_view, std::string_view value) {
    LedgerEntry e;
    decode = codec::DecodeLedger(value, &e);
    if (!decode.ok()) return false;
    if (!site.empty() && e.site_id != site) return true;  // a longer site id sharing the prefix
    by_category[e.category].Add(e);
    by_site_category[{e.site_id, e.category}].Add(e);
    total.Add(e);
    return true;
  });
  if (!scan.ok()) return api::Error(500, scan.message());
  if (!decode.ok()) return api::Error(500, decode.message());
  if (csv) {
    api::Response r;
    r.content_type = "text/csv; charset=utf-8";
    r.body = "date,site,category,deliveries,meals,price_fen,individual_fen,enterprise_fen,government_fen,village_fen,charity_fen\n";
    // The JSON is masked for a viewer by the access guard; CSV is not JSON.
    const bool mask = req.role == api::Role::kViewer;
    for (const auto& [key, t] : by_site_category) {
      r.body += date->second + "," + key.first + "," + (mask ? kMasked : key.second) + "," + std::to_string(t.deliveries) + "," +
                std::to_string(t.meals) + "," + std::to_string(t.amount.price_fen) + "," +
                std::to_string(t.amount.individual_fen) + "," + std::to_string(t.amount.enterprise_fen) + "," +
                std::to_string(t.amount.government_fen) + "," + std::to_string(t.amount.village_fen) + "," +
                std::to_string(t.amount.charity_fen) + "\n";
    }
    r.headers.emplace_back("Content-Disposition", "attachment; filename=\"ledger-" + date->second + ".csv\"");
    return r;
  }
  json categories = json::array();
  for (const auto& [category, t] : by_category) {
    json line = TotalJson(t);
    line["category"] = category;
    categories.push_back(std::move(line));
  }
  return api::Json(200, {{"date", date->second},
                         {"site", site.empty() ? json(nullptr) : json(site)},
                         {"currency", "CNY"},
                         {"categories", categories},
                         {"total", TotalJson(total)}});
}

// GET /api/v1/trace?site=S&batch=B: every order of a kitchen batch — elder,
// courier, status, pickup and delivery times — from the batch index, for a
// food-safety recall. Elder ids only; addresses stay in the registry.
api::Response TraceQuery(const RouteContext& ctx, const api::Request& req) {
  const auto site = req.query.find("site");
  const auto batch = req.query.find("batch");
  if (site == req.query.end() || site->second.empty() || batch == req.query.end() || batch->second.empty()) {
    return api::Error(400, "query parameters 'site' and 'batch' are both required");
  }
  json orders = json::array();
  std::map<std::string, std::int64_t> by_status;
  Status decode = Status::Ok();
  const Status scan = ctx.store->Scan(state::TraceKey(site->second, batch->second),
                                      [&](std::string_view, std::string_view value) {
                                        Order o;
                                        decode = codec::DecodeTrace(value, &o);
                                        if (!decode.ok()) return false;
                                        ++by_status[std::string(OrderStatusName(o.status))];
                                        orders.push_back({{"order_id", o.order_id},
                                                          {"elder_id", o.elder_id},
                                                          {"courier_id", o.courier_id},
                                                          {"status", OrderStatusName(o.status)},
                                                          {"picked_up_ms", o.picked_up_ms},
                                                          {"delivered_ms", o.status == OrderStatus::kDelivered ? o.done_ms : 0}});
                                        return true;
                                      });
  if (!scan.ok()) return api::Error(500, scan.message());
  if (!decode.ok()) return api::Error(500, decode.message());
  return api::Json(200, {{"site", site->second}, {"batch", batch->second}, {"by_status", by_status}, {"orders", orders}});
}

// GET /api/v1/coverage[?area=A]: per service area, the share of registered
// elders within the service radius of at least one registered site, and the
// ids of those outside (ids only: no addresses leave this way).
api::Response CoverageQuery(const RouteContext& ctx, const api::Request& req) {
  const auto area_param = req.query.find("area");
  std::vector<Site> sites;
  Status decode = Status::Ok();
  Status scan = ctx.store->Scan(state::kSitePrefix, [&](std::string_view, std::string_view value) {
    Site s;
    decode = codec::DecodeSite(value, &s);
    if (decode.ok()) sites.push_back(std::move(s));
    return decode.ok();
  });
  struct AreaCoverage {
    std::int64_t elders = 0;
    std::vector<std::string> outside;
  };
  std::map<std::string, AreaCoverage> areas;
  if (scan.ok() && decode.ok()) {
    scan = ctx.store->Scan(state::kElderPrefix, [&](std::string_view, std::string_view value) {
      Elder e;
      decode = codec::DecodeElder(value, &e);
      if (!decode.ok()) return false;
      if (area_param != req.query.end() && e.area_id != area_param->second) return true;
      AreaCoverage& area = areas[e.area_id];
      ++area.elders;
      const bool covered = std::any_of(sites.begin(), sites.end(), [&](const Site& s) {
        return s.radius_m > 0 && HaversineM(s.location, e.home) <= s.radius_m;
      });
      if (!covered) area.outside.push_back(e.elder_id);
      return true;
    });
  }
  if (!scan.ok()) return api::Error(500, scan.message());
  if (!decode.ok()) return api::Error(500, decode.message());
  if (area_param != req.query.end() && areas.empty()) return api::Error(404, "no registered elders in area " + area_param->second);
  json list = json::array();
  for (const auto& [id, a] : areas) {
    const auto covered = a.elders - static_cast<std::int64_t>(a.outside.size());
    list.push_back({{"area_id", id},
                    {"elders", a.elders},
                    {"covered", covered},
                    {"share", a.elders == 0 ? 0.0 : static_cast<double>(covered) / static_cast<double>(a.elders)},
                    {"outside", a.outside}});
  }
  return api::Json(200, {{"sites", sites.size()}, {"areas", list}});
}

constexpr std::int64_t kDefaultPage = 100;
constexpr std::int64_t kMaxPage = 1000;

// GET /api/v1/orders: orders matching every filter given, in order id
// order, a page at a time. The page token is the id of the next order to
// return, so a listing resumes where it stopped without rereading.
api::Response ListOrders(const RouteContext& ctx, const api::Request& req) {
  std::vector<OrderStatus> statuses;
  if (const auto it = req.query.find("status"); it != req.query.end()) {
    const std::string_view list = it->second;
    for (std::size_t start = 0;;) {
      const auto comma = list.find(',', start);
      const std::string_view name = list.substr(start, comma == std::string_view::npos ? comma : comma - start);
      const auto status = ParseOrderStatus(name);
      if (!status) return api::Error(400, "unknown order status '" + std::string(name) + "' in 'status'");
      statuses.push_back(*status);
      if (comma == std::string_view::npos) break;
      start = comma + 1;
    }
  }
  auto text = [&](const char* name) {
    const auto it = req.query.find(name);
    return it == req.query.end() ? std::string() : it->second;
  };
  const std::string area = text("area");
  const std::string site = text("site");
  const std::string page_token = text("page_token");
  std::int64_t from_ms = 0;
  std::int64_t to_ms = 0;
  std::int64_t limit = 0;
  constexpr std::int64_t kForever = std::numeric_limits<std::int64_t>::max();
  if (auto bad = IntParam(req, "from_ms", 0, kForever, 0, &from_ms)) return *bad;
  if (auto bad = IntParam(req, "to_ms", 0, kForever, kForever, &to_ms)) return *bad;
  if (auto bad = IntParam(req, "limit", 1, kMaxPage, kDefaultPage, &limit)) return *bad;

  json orders = json::array();
  json next = nullptr;
  Status decode = Status::Ok();
  const Status scan = ctx.store->ScanFrom(
      state::kOrderPrefix, state::OrderKey(page_token), [&](std::string_view, std::string_view value) {
        Order o;
        decode = codec::DecodeOrder(value, &o);
        if (!decode.ok()) return false;
        if (!statuses.empty() && std::find(statuses.begin(), statuses.end(), o.status) == statuses.end()) return true;
        if (!area.empty() && o.area_id != area) return true;
        if (!site.empty() && o.site_id != site) return true;
        if (o.window_start_ms < from_ms || o.window_start_ms >= to_ms) return true;
        if (std::cmp_equal(orders.size(), limit)) {
          next = o.order_id;
          return false;
        }
        json item = OrderJson(o);
        item.erase("timeline");  // the detail endpoint has it; a list of thousands does not need it
        orders.push_back(std::move(item));
        return true;
      });
  if (!scan.ok()) return api::Error(500, scan.message());
  if (!decode.ok()) return api::Error(500, decode.message());
  return api::Json(200, {{"orders", orders}, {"next_page_token", next}});
}

// GET /api/v1/couriers: every courier (of an area; on shift or not), each
// with its position and planned route, for a console's map.
api::Response ListCouriers(const RouteContext& ctx, const api::Request& req) {
  const auto area = req.query.find("area");
  const auto on_shift = req.query.find("on_shift");
  if (on_shift != req.query.end() && on_shift->second != "true" && on_shift->second != "false") {
    return api::Error(400, "'on_shift' must be true or false");
  }
  CourierView view;
  if (auto bad = SystemParam(req, &view.gcj02)) return *bad;
  std::vector<Courier> selected;
  Status decode = Status::Ok();
  const Status scan = ctx.store->Scan(state::kCourierPrefix, [&](std::string_view, std::string_view value) {
    Courier c;
    decode = codec::DecodeCourier(value, &c);
    if (!decode.ok()) return false;
    if (area != req.query.end() && c.area_id != area->second) return true;
    if (on_shift != req.query.end() && c.on_shift != (on_shift->second == "true")) return true;
    selected.push_back(std::move(c));
    return true;
  });
  if (!scan.ok()) return api::Error(500, scan.message());
  if (!decode.ok()) return api::Error(500, decode.message());
  // Each courier's JSON reads its orders: after the scan, since a store
  // need not allow reads from inside its own scan.
  json couriers = json::array();
  for (const Courier& c : selected) couriers.push_back(CourierJson(*ctx.store, c, ctx.engine_options, view));
  return api::Json(200, {{"couriers", couriers}});
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
  router.Add("GET", "/api/openapi.json", [](const api::Request&) {
    api::Response r;
    r.body = OpenApiJson();
    return r;
  });

  router.Add("GET", "/api/v1/orders/{id}", [ctx](const api::Request& req) {
    const std::string& id = req.path_params.at("id");
    std::string bytes;
    if (!ctx.store->Get(state::OrderKey(id), &bytes).ok()) return api::Error(404, "no order " + id);
    Order order;
    if (Status s = codec::DecodeOrder(bytes, &order); !s.ok()) return api::Error(500, s.message());
    return api::Json(200, OrderJson(order));
  });

  router.Add("GET", "/api/v1/orders", [ctx](const api::Request& req) { return ListOrders(ctx, req); });
  router.Add("GET", "/api/v1/couriers", [ctx](const api::Request& req) { return ListCouriers(ctx, req); });
  router.Add("GET", "/api/v1/couriers/{id}", [ctx](const api::Request& req) {
    const std::string& id = req.path_params.at("id");
    CourierView view;
    if (auto bad = SystemParam(req, &view.gcj02)) return *bad;
    json courier;
    const Status s = CourierJson(*ctx.store, id, ctx.engine_options, view, &courier);
    if (s.code() == StatusCode::kNotFound) return api::Error(404, s.message());
    if (!s.ok()) return api::Error(500, s.message());
    return api::Json(200, courier);
  });
  router.Add("GET", "/api/v1/ledger", [ctx](const api::Request& req) { return LedgerQuery(ctx, req); });
  router.Add("GET", "/api/v1/coverage", [ctx](const api::Request& req) { return CoverageQuery(ctx, req); });
  router.Add("GET", "/api/v1/trace", [ctx](const api::Request& req) { return TraceQuery(ctx, req); });
  AddCommandRoutes(router, ctx);
  AddOperatorRoutes(router, ctx);
  AddConsoleRoutes(router, ctx);
  AddStreamRoutes(router, ctx);
  return router;
}

}  // namespace meal::service
