#include "model/entities.h"

namespace meal {

std::string_view OrderStatusName(OrderStatus status) {
  switch (status) {
    case OrderStatus::kPlaced: return "PLACED";
    case OrderStatus::kReady: return "READY";
    case OrderStatus::kAssigned: return "ASSIGNED";
    case OrderStatus::kPickedUp: return "PICKED_UP";
    case OrderStatus::kDelivered: return "DELIVERED";
    case OrderStatus::kFailed: return "FAILED";
    case OrderStatus::kCancelled: return "CANCELLED";
    case OrderStatus::kUnassigned: return "UNASSIGNED";
  }
  return "UNKNOWN";
}

bool IsFinal(OrderStatus status) {
  return status == OrderStatus::kDelivered || status == OrderStatus::kFailed ||
         status == OrderStatus::kCancelled;
}

}  // namespace meal
