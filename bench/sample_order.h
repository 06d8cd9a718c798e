// A delivered order with its whole timeline, as the engine keeps it: the
// record the state store and the order API carry most often.
#pragma once

#include <string>

#include "model/entities.h"

namespace meal::bench {

inline constexpr EventTimeMs kNoon = 1'795'900'000'000;

inline Order SampleOrder(std::string order_id) {
  Order o;
  o.order_id = std::move(order_id);
  o.area_id = "area-shenhe-01";
  o.site_id = "site-shenhe-01-02";
  o.elder_id = "elder-shenhe-01-0421";
  o.meals = 1;
  o.window_start_ms = kNoon;
  o.window_end_ms = kNoon + 45 * kMinuteMs;
  o.pickup = {41.8012, 123.4321};
  o.dropoff = {41.8093, 123.4405};
  o.status = OrderStatus::kDelivered;
  o.courier_id = "courier-shenhe-01-17";
  o.placed_ms = kNoon - 2 * kHourMs;
  o.ready_ms = kNoon - 30 * kMinuteMs;
  o.picked_up_ms = kNoon - 20 * kMinuteMs;
  o.done_ms = kNoon + 5 * kMinuteMs;
  o.hot_meal_limit_ms = 45 * kMinuteMs;
  o.batch_id = "batch-site-shenhe-01-02-1130";
  o.timeline = {{o.placed_ms, OrderStatus::kPlaced, {}},
                {o.ready_ms, OrderStatus::kReady, {}},
                {o.ready_ms, OrderStatus::kAssigned, o.courier_id},
                {o.picked_up_ms, OrderStatus::kPickedUp, {}},
                {o.done_ms, OrderStatus::kDelivered, {}}};
  return o;
}

}  // namespace meal::bench
