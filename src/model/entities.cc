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
  }
  return "UNKNOWN";
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
