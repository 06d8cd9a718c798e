// Translation between dispatch state and the routing library's model.
#pragma once

#include <functional>
#include <string>
#include <vector>

#include "dispatch/engine.h"
#include "routing/route.h"

namespace meal::dispatch {

using OrderLookup = std::function<const Order*(const std::string&)>;

// The courier's remaining stops as a routing::Route starting at its last
// known position at `now`. When `relax_committed` is set, stops already in
// the plan lose their time windows and ride limits: they are promised, and
// a delay that already happened must not block planning new work.
// Stop job handles are positions in courier.route's order list.
routing::Route BuildRoute(const Courier& courier, const OrderLookup& orders, EventTimeMs now,
                          const EngineOptions& options, bool relax_committed);

// The pickup and delivery stops of a ready order, with `job` as handle.
void BuildJobStops(const Order& order, std::int32_t job, const EngineOptions& options,
                   routing::Stop* pickup, routing::Stop* delivery);

// The courier's plan with planned times, as published.
Assignment MakeAssignment(const Courier& courier, const OrderLookup& orders, EventTimeMs now,
                          const EngineOptions& options, const std::string& trigger_order_id);

}  // namespace meal::dispatch
