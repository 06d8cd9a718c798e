// Query parameters the API's listings share, each checked the same way: a
// bad value gets a 400 that names the parameter and what it accepts.
#pragma once

#include <cstdint>
#include <optional>

#include "api/http_server.h"

namespace meal::service {

// Query parameter `name` as a whole number in [min, max]; `fallback` when
// absent.
std::optional<api::Response> IntParam(const api::Request& req, const char* name, std::int64_t min, std::int64_t max,
                                      std::int64_t fallback, std::int64_t* out);

// `system=wgs84|gcj02`, the coordinate system positions are given in:
// *gcj02 true for gcj02 (the maps of mainland China), false when absent.
std::optional<api::Response> SystemParam(const api::Request& req, bool* gcj02);

}  // namespace meal::service
