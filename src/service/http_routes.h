// The service's HTTP endpoints: health, readiness, metrics, the API description and the v1 read
// API. Handlers read committed state from the store (safe from any thread),
// never the engine's live memory.
#pragma once

#include <atomic>
#include <functional>

#include "api/http_server.h"
#include "api/stream_hub.h"
#include "dispatch/engine.h"
#include "metrics/registry.h"
#include "state/store.h"

namespace meal::service {

struct RouteContext {
  const metrics::Registry* metrics;
  const state::Store* store;
  const std::atomic<bool>* ready;
  dispatch::EngineOptions engine_options;  // to compute planned times
  // Publishes an operator's command to the commands topic and waits for the
  // broker (CommandPublisher::Publish).
  std::function<Status(const Event&)> publish_command;
  // The live stream's clients (GET /api/v1/stream); none: the route answers
  // 503.
  api::StreamHub* stream_hub = nullptr;
};

api::Router MakeRoutes(RouteContext context);

// The command endpoints (POST /api/v1/recalls, POST
// /api/v1/wellness/{id}/acknowledge, DELETE /api/v1/elders/{id}) and what
// they act on (GET
// /api/v1/wellness[/{id}], /api/v1/audit, /api/v1/standing-orders/{id}).
void AddCommandRoutes(api::Router& router, const RouteContext& context);

// Operators' manual dispatch (POST /api/v1/orders/{id}/reassign, unassign,
// hold, release) and the alert inbox (GET /api/v1/alerts, POST
// /api/v1/alerts/{id}/acknowledge).
void AddOperatorRoutes(api::Router& router, const RouteContext& context);

// What the web console needs besides the listings: GET /api/v1/sites (the
// meal sites with their service radius, for the map) and GET
// /api/v1/session (the caller's token name and role).
void AddConsoleRoutes(api::Router& router, const RouteContext& context);

// GET /api/v1/stream[?area=A]: the live stream over a WebSocket (see
// live_feed.h): first a snapshot of the area, then every committed change.
// 426 for a request that is no WebSocket upgrade, 429 over
// http.max_ws_clients, 400 for an empty area. A viewer's messages are
// masked (MaskForViewer).
void AddStreamRoutes(api::Router& router, const RouteContext& context);

}  // namespace meal::service
