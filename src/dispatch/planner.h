// Translation between dispatch state and the routing library's model.
#pragma once

#include <functional>
#include <map>
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
// Stop job handles number the orders; pass `job_ids` to share one numbering
// across several couriers' routes (order id -> job), else they are local.
using JobIds = std::map<std::string, std::int32_t>;
routing::Route BuildRoute(const Courier& courier, const OrderLookup& orders, EventTimeMs now,
                          const EngineOptions& options, bool relax_committed, JobIds* job_ids = nullptr);

// Whether courier.route[i] is handled at the same stop as the one before:
// orders of one hub household, collected at one site or handed over at one
// door, one after the other.
bool SharesStopWithPrevious(const Courier& courier, std::size_t i, const OrderLookup& orders);

// The time spent at courier.route[i]: the configured pickup or delivery
// time, but none for a further meal collected at a shared stop and only the
// hub handover for one handed over at a shared door.
DurationMs ServiceMs(const Courier& courier, std::size_t i, const OrderLookup& orders, const EngineOptions& options);

// The pickup and delivery stops of a ready order, with `job` as handle.
void BuildJobStops(const Order& order, std::int32_t job, const EngineOptions& options,
                   routing::Stop* pickup, routing::Stop* delivery);

// The courier's plan with planned times, as published.
Assignment MakeAssignment(const Courier& courier, const OrderLookup& orders, EventTimeMs now,
                          const EngineOptions& options, const std::string& trigger_order_id);

}  // namespace meal::dispatch
