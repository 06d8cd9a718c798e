#include <memory>
#include <string>
#include <utility>

#include <nlohmann/json.hpp>

#include "api/websocket.h"
#include "service/http_routes.h"
#include "service/live_feed.h"
#include "service/masking.h"

namespace meal::service {

void AddStreamRoutes(api::Router& router, const RouteContext& ctx) {
  router.Add("GET", "/api/v1/stream", [ctx](const api::Request& req) {
    if (ctx.stream_hub == nullptr) return api::Error(503, "the live stream is not available");
    if (!api::IsWebSocketUpgrade(req)) {
      api::Response r = api::Error(426, "GET /api/v1/stream is a WebSocket: send an upgrade request");
      r.headers.emplace_back("Upgrade", "websocket");
      return r;
    }
    const auto area_param = req.query.find("area");
    const std::string area = area_param == req.query.end() ? std::string() : area_param->second;
    if (area_param != req.query.end() && area.empty()) return api::Error(400, "'area' must not be empty");
    // Subscribed before the snapshot is read: whatever commits meanwhile is
    // queued behind it, so nothing falls between the two.
    const bool masked = req.role == api::Role::kViewer;
    std::shared_ptr<api::StreamSubscription> subscription = ctx.stream_hub->Subscribe(area, masked);
    if (!subscription) {
      api::Response r = api::Error(429, "too many live stream clients (http.max_ws_clients = " +
                                            std::to_string(ctx.stream_hub->options().max_clients) + ")");
      r.headers.emplace_back("Retry-After", "10");
      return r;
    }
    nlohmann::json snapshot;
    if (Status s = StreamSnapshot(*ctx.store, ctx.engine_options, area, &snapshot); !s.ok()) {
      return api::Error(500, s.message());  // the subscription leaves with the last reference
    }
    if (masked) MaskForViewer(snapshot);
    subscription->PushFront(std::make_shared<const std::string>(
        snapshot.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace)));
    return api::WebSocketUpgrade(std::move(subscription));
  });
}

}  // namespace meal::service
