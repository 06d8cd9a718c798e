// The service's HTTP endpoints: health, readiness, metrics and the v1 read
// API. Handlers read committed state from the store (safe from any thread),
// never the engine's live memory.
#pragma once

#include <atomic>

#include "api/http_server.h"
#include "dispatch/engine.h"
#include "metrics/registry.h"
#include "state/store.h"

namespace meal::service {

struct RouteContext {
  const metrics::Registry* metrics;
  const state::Store* store;
  const std::atomic<bool>* ready;
  dispatch::EngineOptions engine_options;  // to compute planned times
};

api::Router MakeRoutes(RouteContext context);

}  // namespace meal::service
