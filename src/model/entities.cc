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
    case OrderStatus::kRejected: return "REJECTED";
    case OrderStatus::kHeld: return "HELD";
  }
  return "UNKNOWN";
}

std::optional<OrderStatus> ParseOrderStatus(std::string_view name) {
  // The enum is dense from 0, and OrderStatusName's switch names every value,
  // so walking it until "UNKNOWN" covers any status added later.
  for (int i = 0;; ++i) {
    const auto status = static_cast<OrderStatus>(i);
    const std::string_view known = OrderStatusName(status);
    if (known == "UNKNOWN") return std::nullopt;
    if (known == name) return status;
  }
}

namespace {
constexpr std::string_view kCategoryNames[kElderCategories] = {
    "minimum_allowance", "extremely_poor", "near_poverty", "living_alone", "empty_nest",
    "left_behind",       "incapacitated",  "disabled",     "very_old",     "special_family_planning"};
}  // namespace

std::string_view ElderCategoryName(std::size_t bit) { return bit < kElderCategories ? kCategoryNames[bit] : ""; }

int ElderCategoryBitOf(std::string_view name) {
  for (std::size_t bit = 0; bit < kElderCategories; ++bit) {
    if (kCategoryNames[bit] == name) return static_cast<int>(bit);
  }
  return -1;
}

Payment& Payment::operator+=(const Payment& o) {
  price_fen += o.price_fen;
  individual_fen += o.individual_fen;
  enterprise_fen += o.enterprise_fen;
  government_fen += o.government_fen;
  village_fen += o.village_fen;
  charity_fen += o.charity_fen;
  return *this;
}

Payment Payment::Times(std::int64_t n) const {
  return {price_fen * n, individual_fen * n, enterprise_fen * n, government_fen * n, village_fen * n, charity_fen * n};
}

bool IsFinal(OrderStatus status) {
  return status == OrderStatus::kDelivered || status == OrderStatus::kFailed ||
         status == OrderStatus::kCancelled || status == OrderStatus::kRejected;
}

}  // namespace meal

namespace meal {

std::string_view WellnessOutcomeName(WellnessOutcome outcome) {
  switch (outcome) {
    case WellnessOutcome::kElderSafe: return "elder_safe";
    case WellnessOutcome::kNeededHelp: return "elder_needed_help";
    case WellnessOutcome::kTakenToHospital: return "taken_to_hospital";
    case WellnessOutcome::kAwayFromHome: return "away_from_home";
    case WellnessOutcome::kOther: return "other";
  }
  return "other";
}

std::string_view AlertKindName(AlertKind kind) {
  switch (kind) {
    case AlertKind::kUnassignable: return "UNASSIGNABLE";
    case AlertKind::kLateRisk: return "LATE_RISK";
    case AlertKind::kFoodSafetyRisk: return "FOOD_SAFETY_RISK";
    case AlertKind::kWellnessCheck: return "WELLNESS_CHECK";
    case AlertKind::kDeliveryFailed: return "DELIVERY_FAILED";
    case AlertKind::kOrderRejected: return "ORDER_REJECTED";
    case AlertKind::kOutsideRadius: return "OUTSIDE_RADIUS";
    case AlertKind::kRecall: return "RECALL";
    case AlertKind::kWellnessClosed: return "WELLNESS_CLOSED";
    case AlertKind::kCommandRefused: return "COMMAND_REFUSED";
  }
  return "UNKNOWN";
}

std::optional<AlertKind> ParseAlertKind(std::string_view name) {
  for (std::size_t k = 0; k < kAlertKinds; ++k) {
    const auto kind = static_cast<AlertKind>(k);
    if (AlertKindName(kind) == name) return kind;
  }
  return std::nullopt;
}

std::string_view SeverityName(Severity severity) {
  switch (severity) {
    case Severity::kInfo: return "INFO";
    case Severity::kWarning: return "WARNING";
    case Severity::kCritical: return "CRITICAL";
  }
  return "UNKNOWN";
}

std::string_view WellnessStepName(WellnessStep step) {
  switch (step) {
    case WellnessStep::kCourierRetries: return "courier_retries";
    case WellnessStep::kPhoneCall: return "phone_call";
    case WellnessStep::kEmergencyContact: return "emergency_contact";
    case WellnessStep::kCommunityWorker: return "community_worker";
  }
  return "community_worker";
}

}  // namespace meal
