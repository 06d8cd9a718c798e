#include "service/query_params.h"

#include <charconv>
#include <string>

namespace meal::service {

std::optional<api::Response> IntParam(const api::Request& req, const char* name, std::int64_t min, std::int64_t max,
                                      std::int64_t fallback, std::int64_t* out) {
  const auto it = req.query.find(name);
  if (it == req.query.end()) {
    *out = fallback;
    return std::nullopt;
  }
  std::int64_t v = 0;
  const char* end = it->second.data() + it->second.size();
  const auto [ptr, ec] = std::from_chars(it->second.data(), end, v);
  if (ec != std::errc() || ptr != end || v < min || v > max) {
    return api::Error(400, "query parameter '" + std::string(name) + "' must be a whole number from " +
                               std::to_string(min) + " to " + std::to_string(max));
  }
  *out = v;
  return std::nullopt;
}

std::optional<api::Response> SystemParam(const api::Request& req, bool* gcj02) {
  const auto it = req.query.find("system");
  if (it != req.query.end() && it->second != "wgs84" && it->second != "gcj02") {
    return api::Error(400, "'system' must be wgs84 or gcj02");
  }
  *gcj02 = it != req.query.end() && it->second == "gcj02";
  return std::nullopt;
}

}  // namespace meal::service
