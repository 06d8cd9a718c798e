// What every operator's command endpoint does the same way: read the JSON
// body, take the caller's token name as the audit's "who", give the command
// an id and its area's event time, and publish it (202, or 503 when the
// broker does not take it). Thread-safe: handlers run on the HTTP threads.
#pragma once

#include <cstddef>
#include <optional>
#include <string>

#include <nlohmann/json.hpp>

#include "api/http_server.h"
#include "model/entities.h"
#include "service/http_routes.h"
#include "state/store.h"

namespace meal::service {

// Ids and operators' free text as the command decoder bounds them.
inline constexpr std::size_t kMaxCommandIdBytes = 128;
inline constexpr std::size_t kMaxCommandTextBytes = 1024;

// Unique across instances and restarts: the engine de-duplicates by id.
std::string NewCommandId();

// The area's stream time from committed state (the wall clock when the area
// has none yet): a command happens "now" in the area's event time, moves no
// timer forward, and a replay applies it at the same point.
EventTimeMs AreaTime(const state::Store& store, const std::string& area_id);

// The JSON object in the body, or a 400 saying what is wrong.
std::optional<api::Response> ParseBody(const api::Request& req, nlohmann::json* body);

// body[key] as a string of at most `max` bytes; required: present and not
// empty (else "" when absent); or a 400 naming the key.
std::optional<api::Response> Text(const nlohmann::json& body, const char* key, bool required, std::size_t max,
                                  std::string* out);

// The audit trail's "who": the name of the token the guard accepted (a
// body's "actor" is not trusted); 401 without one.
std::optional<api::Response> Actor(const api::Request& req, std::string* actor);

// Publishes `e` (RouteContext::publish_command): 202 with its command id,
// area, `action` and time, or 503 with the broker's error.
api::Response Publish(const RouteContext& ctx, const Event& e, const char* action);

}  // namespace meal::service
