// What the console needs besides orders, couriers and alerts: the meal
// sites to draw (public facts: each site is on a public list with its
// facility number), and who the caller is, so a page shows only the actions
// the caller's role may take.
#include <nlohmann/json.hpp>

#include "codec/state_codec.h"
#include "common/geo.h"
#include "service/access.h"
#include "service/http_routes.h"
#include "service/query_params.h"
#include "state/keys.h"

namespace meal::service {
namespace {

using nlohmann::json;

// GET /api/v1/session: the token's name and role, as the guard found them.
api::Response Session(const api::Request& req) {
  if (req.role == api::Role::kNone) {
    api::Response r = api::Error(401, "a bearer token is required");
    r.headers.emplace_back("WWW-Authenticate", "Bearer");
    return r;
  }
  return api::Json(200, {{"name", req.actor}, {"role", RoleName(req.role)}});
}

// GET /api/v1/sites[?area=A][&system=wgs84|gcj02]: every registered meal
// site, with its location and service radius, in site id order.
api::Response ListSites(const RouteContext& ctx, const api::Request& req) {
  const auto area = req.query.find("area");
  bool gcj02 = false;
  if (auto bad = SystemParam(req, &gcj02)) return *bad;
  json sites = json::array();
  Status decode = Status::Ok();
  const Status scan = ctx.store->Scan(state::kSitePrefix, [&](std::string_view, std::string_view value) {
    Site s;
    decode = codec::DecodeSite(value, &s);
    if (!decode.ok()) return false;
    if (area != req.query.end() && s.area_id != area->second) return true;
    const GeoPoint p = gcj02 ? Wgs84ToGcj02(s.location) : s.location;
    sites.push_back({{"site_id", s.site_id},
                     {"area_id", s.area_id},
                     {"name", s.name},
                     {"facility_number", s.facility_number},
                     {"location", {{"lat", p.lat}, {"lon", p.lon}, {"system", gcj02 ? "GCJ02" : "WGS84"}}},
                     {"radius_m", s.radius_m},
                     {"opens_min", s.opens_min},
                     {"closes_min", s.closes_min},
                     {"daily_capacity", s.daily_capacity}});
    return true;
  });
  if (!scan.ok()) return api::Error(500, scan.message());
  if (!decode.ok()) return api::Error(500, decode.message());
  return api::Json(200, {{"sites", sites}});
}

}  // namespace

void AddConsoleRoutes(api::Router& router, const RouteContext& ctx) {
  router.Add("GET", "/api/v1/session", [](const api::Request& req) { return Session(req); });
  router.Add("GET", "/api/v1/sites", [ctx](const api::Request& req) { return ListSites(ctx, req); });
}

}  // namespace meal::service
