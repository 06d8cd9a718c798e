// The domain as the dispatch engine sees it: plain structs, no wire format.
// Locations are always WGS-84 here; codec/ converts at the edge.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <variant>
#include <vector>

#include "common/geo.h"
#include "common/units.h"

namespace meal {

enum class MealClass : std::uint8_t { kHot, kChilled, kFrozen };
enum class TravelMode : std::uint8_t { kWalk, kBike, kEbike, kCar };
enum class FailureReason : std::uint8_t { kNoAnswer, kRefused, kAddressProblem, kOther };
enum class StopKind : std::uint8_t { kPickup, kDelivery };

enum class OrderStatus : std::uint8_t {
  kPlaced,
  kReady,
  kAssigned,
  kPickedUp,
  kDelivered,
  kFailed,
  kCancelled,
  kUnassigned,  // ready, but no courier could take it; an alert was raised
  kRejected,    // refused when placed (site closed or full, out of radius); an alert was raised
  kHeld,        // held by an operator: on no route, out of automatic dispatch until released
};
std::string_view OrderStatusName(OrderStatus status);
// The status named `name` as OrderStatusName writes it, if any.
std::optional<OrderStatus> ParseOrderStatus(std::string_view name);
// True iff the order can no longer change.
bool IsFinal(OrderStatus status);

enum class AlertKind : std::uint8_t {
  kUnassignable,
  kLateRisk,
  kFoodSafetyRisk,
  kWellnessCheck,
  kDeliveryFailed,
  kOrderRejected,
  kOutsideRadius,
  kRecall,
  kWellnessClosed,
  kCommandRefused,  // an operator's order command could not be applied
};
inline constexpr std::size_t kAlertKinds = 10;
// "UNASSIGNABLE", "LATE_RISK", … as in outputs.proto.
std::string_view AlertKindName(AlertKind kind);
// The kind named `name` as AlertKindName writes it, if any.
std::optional<AlertKind> ParseAlertKind(std::string_view name);
enum class Severity : std::uint8_t { kInfo, kWarning, kCritical };
// "INFO", "WARNING", "CRITICAL".
std::string_view SeverityName(Severity severity);

// Elder categories as bit flags; several may apply.
enum ElderCategoryBit : std::uint32_t {
  kMinimumAllowance = 1u << 0,
  kExtremelyPoor = 1u << 1,
  kNearPoverty = 1u << 2,
  kLivingAlone = 1u << 3,
  kEmptyNest = 1u << 4,
  kLeftBehind = 1u << 5,
  kIncapacitated = 1u << 6,
  kDisabled = 1u << 7,
  kVeryOld = 1u << 8,
  kSpecialFamilyPlanning = 1u << 9,
};
inline constexpr std::size_t kElderCategories = 10;

// The configuration's name of the category at bit position `bit`
// ("minimum_allowance", …, "special_family_planning").
std::string_view ElderCategoryName(std::size_t bit);
// The bit position of a category name; -1 when unknown.
int ElderCategoryBitOf(std::string_view name);

// ---- registry ----

struct Site {
  std::string site_id;
  std::string area_id;
  std::string name;
  std::string facility_number;
  GeoPoint location;
  std::uint32_t radius_m = 0;
  DurationMs hot_meal_limit_ms = 0;  // 0: the configured default
  // Delivery windows may start in [opens_min, closes_min) minutes after local
  // midnight; both 0: all day.
  std::uint32_t opens_min = 0;
  std::uint32_t closes_min = 0;
  std::uint32_t daily_capacity = 0;  // orders per service date; 0: no limit
};

struct Elder {
  std::string elder_id;
  std::string area_id;
  GeoPoint home;
  std::uint32_t categories = 0;  // ElderCategoryBit flags
  std::string paired_helper_id;
  std::string hub_household_id;
};

// ---- input events ----

struct OrderPlaced {
  std::string order_id;
  std::string site_id;
  std::string elder_id;
  std::uint32_t meals = 1;
  MealClass meal_class = MealClass::kHot;
  EventTimeMs window_start_ms = 0;
  EventTimeMs window_end_ms = 0;
  bool has_delivery_location = false;
  GeoPoint delivery_location;
  std::string batch_id;
};
struct OrderReady { std::string order_id; };
struct OrderCancelled { std::string order_id; std::string reason; };

// A recurring order pattern (see events.proto StandingOrderSet).
struct StandingOrderSet {
  std::string standing_id;
  std::string site_id;
  std::string elder_id;
  std::uint32_t meals = 1;
  MealClass meal_class = MealClass::kHot;
  std::uint32_t weekdays = 0;  // bit d-1 for ISO weekday d (1 = Monday)
  std::uint32_t window_start_min = 0;
  std::uint32_t window_end_min = 0;
  std::string first_date;  // YYYY-MM-DD
  std::string last_date;   // empty: open-ended
  std::string batch_id;
};
struct StandingOrderSuspended {
  std::string standing_id;
  std::string from_date;
  std::string until_date;  // empty: until resumed
  std::string reason;
};
struct StandingOrderResumed { std::string standing_id; };

struct ShiftStarted {
  std::string courier_id;
  TravelMode mode = TravelMode::kBike;
  std::uint32_t box_capacity = 0;
  EventTimeMs shift_end_ms = 0;
  GeoPoint location;
  std::string team_id;
};
struct ShiftEnded { std::string courier_id; };
struct LocationUpdate { std::string courier_id; GeoPoint location; };
struct Availability { std::string courier_id; bool available = true; };

struct PickedUp { std::string order_id; std::string courier_id; };
struct Delivered { std::string order_id; std::string courier_id; std::string proof_ref; };
struct DeliveryFailed {
  std::string order_id;
  std::string courier_id;
  FailureReason reason = FailureReason::kOther;
};

// ---- operator commands (topic meal.commands) ----

enum class WellnessOutcome : std::uint8_t { kElderSafe = 1, kNeededHelp, kTakenToHospital, kAwayFromHome, kOther };
std::string_view WellnessOutcomeName(WellnessOutcome outcome);

struct RecallBatch {
  std::string site_id;
  std::string batch_id;
  std::string actor;
  std::string reason;
};
struct AcknowledgeWellness {
  std::string case_id;
  WellnessOutcome outcome = WellnessOutcome::kElderSafe;
  std::string note;
  std::string actor;
};
struct EraseElder {
  std::string elder_id;
  std::string actor;
  std::string reason;
};
// Moves stream time on when nothing else does, so timers fire.
struct Tick {};

// Operators' manual dispatch (see events.proto ReassignOrder … ReleaseOrder).
struct ReassignOrder {
  std::string order_id;
  std::string courier_id;
  std::string actor;
  std::string reason;
};
struct UnassignOrder {
  std::string order_id;
  std::string actor;
  std::string reason;
};
struct HoldOrder {
  std::string order_id;
  std::string actor;
  std::string reason;
};
struct ReleaseOrder {
  std::string order_id;
  std::string actor;
  std::string reason;
};
struct AcknowledgeAlert {
  std::string alert_id;
  std::string actor;
  std::string note;
};

using EventBody = std::variant<OrderPlaced, OrderReady, OrderCancelled, StandingOrderSet, StandingOrderSuspended,
                               StandingOrderResumed, ShiftStarted, ShiftEnded, LocationUpdate, Availability,
                               PickedUp, Delivered, DeliveryFailed, Site, Elder, RecallBatch, AcknowledgeWellness,
                               EraseElder, Tick, ReassignOrder, UnassignOrder, HoldOrder, ReleaseOrder,
                               AcknowledgeAlert>;

struct Event {
  std::string event_id;
  std::string area_id;
  EventTimeMs time_ms = 0;
  EventBody body;
};

// ---- state ----

struct TimelineEntry {
  EventTimeMs time_ms = 0;
  OrderStatus status = OrderStatus::kPlaced;
  std::string note;
};

struct Order {
  std::string order_id;
  std::string area_id;
  std::string site_id;
  std::string elder_id;
  std::uint32_t meals = 1;
  MealClass meal_class = MealClass::kHot;
  EventTimeMs window_start_ms = 0;
  EventTimeMs window_end_ms = 0;
  GeoPoint pickup;
  GeoPoint dropoff;
  OrderStatus status = OrderStatus::kPlaced;
  std::string courier_id;
  EventTimeMs placed_ms = 0;
  EventTimeMs ready_ms = 0;
  EventTimeMs picked_up_ms = 0;
  EventTimeMs done_ms = 0;
  DurationMs hot_meal_limit_ms = 0;  // 0: no limit (chilled, frozen)
  std::string batch_id;
  std::vector<TimelineEntry> timeline;
  // A FOOD_SAFETY_RISK alert has been raised for the meal on board.
  bool food_safety_alerted = false;
  // The elder's hub household when placed: its orders share a stop.
  std::string hub_household_id;
  // Stays with its courier when plans are re-optimised (paired helper,
  // hub-household stop).
  bool pinned = false;
  std::string proof_ref;    // proof of delivery
  std::string standing_id;  // the standing order that generated it
  // A LATE_RISK alert has been raised: its courier will miss the window.
  bool late_alerted = false;
  // Couriers automatic dispatch must not give it to: an operator took it
  // off them (UnassignOrder). A manual reassignment overrides it.
  std::vector<std::string> excluded_couriers;
};

struct Suspension {
  std::string from_date;
  std::string until_date;  // empty: until resumed
  std::string reason;
};

struct StandingOrder {
  StandingOrderSet pattern;
  std::string area_id;
  std::vector<Suspension> suspensions;
  std::string next_date;  // the next service date not yet generated
};

// A wellness check: nobody answered the door. Steps escalate in event time
// until an operator acknowledges it.
enum class WellnessStep : std::uint8_t { kCourierRetries, kPhoneCall, kEmergencyContact, kCommunityWorker };
inline constexpr std::size_t kWellnessSteps = 4;
std::string_view WellnessStepName(WellnessStep step);

struct WellnessCase {
  std::string case_id;
  std::string area_id;
  std::string order_id;
  std::string elder_id;
  std::string courier_id;
  std::string site_id;
  EventTimeMs opened_ms = 0;
  WellnessStep step = WellnessStep::kCourierRetries;
  EventTimeMs step_due_ms = 0;
  std::vector<std::pair<WellnessStep, EventTimeMs>> steps;  // each step and when it began
  std::uint32_t announcements = 0;  // alerts raised for the current step
  bool closed = false;
  EventTimeMs closed_ms = 0;
  std::string closed_by;
  WellnessOutcome outcome = WellnessOutcome::kElderSafe;
  std::string note;
};

// An operator command as applied: the audit trail.
struct AuditEntry {
  std::string command_id;
  std::string area_id;
  EventTimeMs time_ms = 0;
  std::string actor;
  std::string action;
  std::string target;
  std::string reason;
  std::string result;
};

struct RouteStop {
  StopKind kind = StopKind::kPickup;
  std::string order_id;
  friend bool operator==(const RouteStop&, const RouteStop&) = default;
};

struct Courier {
  std::string courier_id;
  std::string area_id;
  TravelMode mode = TravelMode::kBike;
  std::uint32_t box_capacity = 0;
  EventTimeMs shift_end_ms = 0;
  bool on_shift = false;
  bool available = true;
  GeoPoint location;
  EventTimeMs location_ms = 0;
  std::vector<RouteStop> route;  // stops not yet done, in planned order
  std::uint64_t plan_version = 0;
  std::string team_id;
  // `location` is the door of its last delivery (set there on delivery),
  // until it next moves: an elder's address, not shown to viewers.
  bool at_door = false;
};

// ---- outputs ----

struct PlannedStop {
  StopKind kind = StopKind::kPickup;
  std::string order_id;
  std::string site_id;
  GeoPoint location;
  EventTimeMs arrival_ms = 0;
  EventTimeMs departure_ms = 0;
  std::uint32_t stop_index = 0;  // shared by a hub household's orders
};

struct Assignment {
  std::string area_id;
  EventTimeMs time_ms = 0;
  std::string courier_id;
  std::uint64_t plan_version = 0;
  std::string trigger_order_id;
  std::vector<PlannedStop> stops;
};

// ---- subsidy ledger ----

// Who pays what, in fen (0.01 yuan): the price and its shares.
struct Payment {
  std::int64_t price_fen = 0;
  std::int64_t individual_fen = 0;
  std::int64_t enterprise_fen = 0;
  std::int64_t government_fen = 0;
  std::int64_t village_fen = 0;   // village (or neighbourhood) collective
  std::int64_t charity_fen = 0;

  Payment& operator+=(const Payment& o);
  Payment Times(std::int64_t n) const;
  std::int64_t SharesFen() const { return individual_fen + enterprise_fen + government_fen + village_fen + charity_fen; }
};

// The price of one meal at a site for elders of a category. Empty site or
// category -1: any.
struct Tariff {
  std::string site_id;
  int category = -1;  // ElderCategoryBit position
  Payment per_meal;
};

// One delivered order as booked: exactly one per delivery, none otherwise.
struct LedgerEntry {
  std::string order_id;
  std::string site_id;
  std::string elder_id;
  std::string service_date;  // YYYY-MM-DD, local time
  std::string category;      // the category the tariff was chosen by; "none" without
  std::uint32_t meals = 0;
  Payment amount;            // per_meal × meals
  EventTimeMs delivered_ms = 0;
  std::string area_id;       // where it was delivered
};

struct Alert {
  std::string alert_id;
  std::string area_id;
  EventTimeMs time_ms = 0;
  AlertKind kind = AlertKind::kUnassignable;
  Severity severity = Severity::kWarning;
  std::string order_id;
  std::string courier_id;
  std::string elder_id;
  std::string site_id;
  std::string reason;
  std::string case_id;
  bool reannounced = false;  // sent again at start-up (Engine::Reannounce)
};

// An alert as stored (key n/<alert id>): open until an operator
// acknowledges it.
struct StoredAlert {
  Alert alert;
  bool acknowledged = false;
  std::string acknowledged_by;
  std::string note;
  EventTimeMs acknowledged_ms = 0;
};

}  // namespace meal
