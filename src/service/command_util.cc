#include "service/command_util.h"

#include <atomic>
#include <chrono>
#include <cstdio>
#include <random>

#include "state/keys.h"

namespace meal::service {

using nlohmann::json;

std::string NewCommandId() {
  static const std::uint64_t instance = std::random_device{}() * 0x9E3779B97F4A7C15ull ^ std::random_device{}();
  static std::atomic<std::uint64_t> counter{0};
  const auto now = std::chrono::duration_cast<std::chrono::milliseconds>(
                       std::chrono::system_clock::now().time_since_epoch()).count();
  char id[64];
  std::snprintf(id, sizeof id, "cmd-%llx-%016llx-%llu", static_cast<unsigned long long>(now),
                static_cast<unsigned long long>(instance), static_cast<unsigned long long>(counter++));
  return id;
}

EventTimeMs AreaTime(const state::Store& store, const std::string& area_id) {
  std::string bytes;
  std::int64_t t = 0;
  if (store.Get(state::AreaKey(area_id), &bytes).ok() && state::DecodeOffset(bytes, &t) && t > 0) return t;
  return std::chrono::duration_cast<std::chrono::milliseconds>(std::chrono::system_clock::now().time_since_epoch())
      .count();
}

std::optional<api::Response> ParseBody(const api::Request& req, json* body) {
  *body = json::parse(req.body, nullptr, /*allow_exceptions=*/false);
  if (body->is_discarded() || !body->is_object()) return api::Error(400, "the body must be a JSON object");
  return std::nullopt;
}

std::optional<api::Response> Text(const json& body, const char* key, bool required, std::size_t max,
                                  std::string* out) {
  const auto it = body.find(key);
  if (it == body.end() || it->is_null()) {
    if (required) return api::Error(400, std::string("'") + key + "' is required");
    out->clear();
    return std::nullopt;
  }
  if (!it->is_string()) return api::Error(400, std::string("'") + key + "' must be a string");
  *out = it->get<std::string>();
  if (required && out->empty()) return api::Error(400, std::string("'") + key + "' must not be empty");
  if (out->size() > max) {
    return api::Error(400, std::string("'") + key + "' is longer than " + std::to_string(max) + " bytes");
  }
  return std::nullopt;
}

std::optional<api::Response> Actor(const api::Request& req, std::string* actor) {
  if (req.actor.empty()) return api::Error(401, "an operator's command needs a bearer token");
  *actor = req.actor;
  return std::nullopt;
}

api::Response Publish(const RouteContext& ctx, const Event& e, const char* action) {
  if (Status s = ctx.publish_command(e); !s.ok()) return api::Error(503, s.message());
  return api::Json(202,
                   {{"command_id", e.event_id}, {"area_id", e.area_id}, {"action", action}, {"time_ms", e.time_ms}});
}

}  // namespace meal::service
