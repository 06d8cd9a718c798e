#include "dispatch/order_commands.h"

namespace meal::dispatch {
namespace {

std::string Is(const Order& order) {
  return "order " + order.order_id + " is " + std::string(OrderStatusName(order.status));
}

}  // namespace

std::optional<std::string> ReassignRefusal(const Order& order, const Courier& courier, EventTimeMs now) {
  const std::string id = "order " + order.order_id;
  switch (order.status) {
    case OrderStatus::kReady:
    case OrderStatus::kAssigned:
    case OrderStatus::kUnassigned: break;
    case OrderStatus::kPlaced: return id + " is not ready yet: the kitchen has not plated it";
    case OrderStatus::kHeld: return id + " is held: release it first";
    case OrderStatus::kPickedUp: return id + " is already picked up by courier " + order.courier_id;
    default: return Is(order);
  }
  if (order.courier_id == courier.courier_id) return id + " is already with courier " + courier.courier_id;
  if (!courier.on_shift || courier.shift_end_ms <= now) return "courier " + courier.courier_id + " is off shift";
  if (!courier.available) return "courier " + courier.courier_id + " is not available";
  if (order.meals > courier.box_capacity) {
    return std::to_string(order.meals) + " meals do not fit courier " + courier.courier_id + "'s box of " +
           std::to_string(courier.box_capacity);
  }
  return std::nullopt;
}

std::optional<std::string> UnassignRefusal(const Order& order) {
  if (order.status == OrderStatus::kAssigned) return std::nullopt;
  return Is(order) + (order.status == OrderStatus::kPickedUp ? ": the meal is on board" : ", not assigned");
}

std::optional<std::string> HoldRefusal(const Order& order) {
  switch (order.status) {
    case OrderStatus::kPlaced:
    case OrderStatus::kReady:
    case OrderStatus::kAssigned:
    case OrderStatus::kUnassigned: return std::nullopt;
    case OrderStatus::kPickedUp:
      return "order " + order.order_id + " is already picked up by courier " + order.courier_id;
    default: return Is(order);
  }
}

std::optional<std::string> ReleaseRefusal(const Order& order) {
  if (order.status == OrderStatus::kHeld) return std::nullopt;
  return Is(order) + ", not held";
}

}  // namespace meal::dispatch
