// A synthetic city for one service day: meal sites, registered elders,
// couriers' shifts, the day's orders (one-off and standing, with hub
// households and paired helpers) and a batch recall, as the Kafka records the
// service would receive. Pure and deterministic: the same options give byte-identical
// records. No Kafka here.
//
// All ids are pseudonymous (site-…, elder-…, courier-…, order-…); no names,
// phone numbers or real addresses are generated.
#pragma once

#include <cstddef>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "common/geo.h"
#include "common/units.h"
#include "sim/sim_record.h"

namespace meal::sim {

// Offset of China Standard Time from UTC; local clock times of the day
// (lunch at 11:00, …) are China time.
inline constexpr DurationMs kChinaUtcOffsetMs = 8 * kHourMs;

// UTC milliseconds of 00:00 China time on the given civil date.
// REQUIRES: a valid Gregorian date.
EventTimeMs ChinaMidnightMs(int year, int month, int day);

// 2026-11-30 00:00 China time (2026-11-29T16:00:00Z).
inline constexpr EventTimeMs kDefaultDayStartMs = 1795968000000;

struct CityOptions {
  // Seeds every random choice. Default: 42.
  std::uint64_t seed = 42;
  // Service areas (the Kafka key). Default: 2.
  int areas = 2;
  // Meal sites per area; each courier starts at one of them. Default: 3.
  int sites_per_area = 3;
  // Registered elders per site. Default: 150.
  int elders_per_site = 150;
  // Couriers per area; a courier may work the lunch shift, the dinner shift or
  // both. Default: 15.
  int couriers_per_area = 15;
  // Orders for the whole day across all areas (cancelled ones included,
  // malformed extras not). Default: 2000.
  int orders = 2000;
  // 00:00 China time of the service day, as UTC ms. Default: 2026-11-30.
  EventTimeMs day_start_ms = kDefaultDayStartMs;
  // Where the city is (WGS-84). Default: Shenyang, 41.80 N 123.43 E.
  GeoPoint center{41.80, 123.43};
  // Share of orders cancelled between placed and ready. Default: 0.02.
  double cancel_share = 0.02;
  // Extra malformed records, as a share of the valid area events (static
  // pings included). Default: 0.005.
  double malformed_share = 0.005;
  // Share of elders whose home is reported in GCJ-02. Default: 0.2.
  double gcj02_share = 0.2;
  // Share of elders living in a hub household (中心户) of 3–4. Default: 0.06.
  double hub_household_share = 0.06;
  // Share of elders with a paired helper (one of their area's couriers who
  // works both shifts, so on shift whenever the elder's meals are). Default: 0.02.
  double paired_helper_share = 0.02;
  // Share of elders, outside hub households and without a helper, who have a
  // standing order (lunch Monday to Friday from their site) instead of
  // one-off orders. The first is suspended for a hospital stay after the
  // day's order was generated, the second is suspended before and resumed
  // before the window. Default: 0.02.
  double standing_order_share = 0.02;
  // Recall one cooking batch: the first area's lunch batch plated 11:00–11:30
  // at its site with the most orders in it, at 11:50, when some of its meals
  // are delivered, some on their way and some still at the kitchen. Default: true.
  bool recall_batch = true;
  // Interval of the static location pings below. Default: 30 s.
  DurationMs location_interval_ms = 30 * kSecondMs;
  // When set, every on-shift courier also reports its site as its location
  // every location_interval_ms: for open-loop runs where nobody plays the
  // couriers, so the service's stream time keeps moving. Default: false.
  bool static_location_pings = false;
  Topics topics;
};

struct SiteInfo {
  std::string site_id;
  std::string area_id;
  std::string name;
  std::string facility_number;
  GeoPoint location;  // WGS-84
  std::uint32_t radius_m = 0;
  DurationMs hot_meal_limit_ms = 0;
};

struct ElderInfo {
  std::string elder_id;
  std::string area_id;
  std::string site_id;      // the site that serves this elder
  GeoPoint home_wgs84;      // the truth
  GeoPoint reported;        // as published: home_wgs84, or its GCJ-02 form
  bool reported_gcj02 = false;
  std::vector<int> categories;  // mealdispatch.v1.ElderCategory values, ascending
  std::string paired_helper_id;
  std::string hub_household_id;
  bool hub_host = false;    // orders for the hub name this elder
};

struct ShiftInfo {
  EventTimeMs start_ms = 0;
  EventTimeMs end_ms = 0;
};

struct CourierInfo {
  std::string courier_id;
  std::string area_id;
  std::string site_id;  // where each shift starts
  std::string team_id;  // one team per site: "team-" + the site id without "site-"
  int mode = 0;         // mealdispatch.v1.TravelMode value
  std::uint32_t box_capacity = 0;
  std::vector<ShiftInfo> shifts;  // time-ordered, disjoint
};

struct OrderInfo {
  std::string order_id;
  std::string area_id;
  std::string site_id;
  std::string elder_id;
  std::uint32_t meals = 0;
  int meal_class = 0;  // mealdispatch.v1.MealClass value
  EventTimeMs placed_ms = 0;
  EventTimeMs ready_ms = -1;      // -1 when cancelled
  EventTimeMs cancelled_ms = -1;  // -1 unless cancelled
  EventTimeMs window_start_ms = 0;
  EventTimeMs window_end_ms = 0;
  GeoPoint destination_wgs84;     // the elder's (or hub host's) home, or the override
  std::string batch_id;
  bool cancelled() const { return cancelled_ms >= 0; }
};

// What happens to a standing order on the day.
enum class StandingStory {
  kServed,                // its order is generated and made ready
  kSuspended,             // suspended (hospital stay) after its order was generated: cancelled
  kSuspendedThenResumed,  // suspended before its order was due, resumed before the window
};

// A standing order and, when the day is one of its weekdays, the order the
// service should generate for it.
struct StandingInfo {
  std::string standing_id;
  std::string area_id;
  std::string site_id;
  std::string elder_id;
  StandingStory story = StandingStory::kServed;
  EventTimeMs window_start_ms = 0;
  EventTimeMs window_end_ms = 0;
  // "<standing_id>@<YYYY-MM-DD>"; empty when the day is a Saturday or Sunday.
  std::string order_id;
  EventTimeMs ready_ms = -1;       // the kitchen's OrderReady; -1 when none
  EventTimeMs suspended_ms = -1;   // -1 unless suspended
  EventTimeMs resumed_ms = -1;     // -1 unless resumed
};

struct RecallInfo {
  std::string area_id;
  std::string site_id;
  std::string batch_id;
  EventTimeMs at_ms = 0;
};

// How a deliberately malformed record is broken.
enum class MalformedKind {
  kRandomBytes,          // not protobuf at all
  kTruncated,            // a valid OrderEvent cut short
  kMissingHeaderField,   // valid protobuf, event_id or area_id empty
  kWindowInverted,       // OrderPlaced whose window ends before it starts
  kUnknownCoordinates,   // a location in no known coordinate system
  kReadyForUnknownOrder, // OrderReady for an order never placed
};
inline constexpr int kMalformedKindCount = 6;
std::string_view MalformedKindName(MalformedKind kind);

struct MalformedNote {
  std::size_t event_index = 0;  // into City::events
  MalformedKind kind = MalformedKind::kRandomBytes;
};

struct City {
  CityOptions options;
  std::vector<std::string> area_ids;
  std::vector<SiteInfo> sites;
  std::vector<ElderInfo> elders;
  std::vector<CourierInfo> couriers;
  std::vector<OrderInfo> orders;  // valid one-off orders only, in generation order
  std::vector<StandingInfo> standing;
  std::optional<RecallInfo> recall;

  // Registry records (sites, then elders), keyed by their own id, stamped
  // with day_start_ms. Publish and flush these before the events.
  std::vector<SimRecord> registry;
  // Area events (orders, couriers, commands) keyed by area id, sorted by
  // time_ms (stable: ties keep generation order). Malformed records are
  // mixed in.
  std::vector<SimRecord> events;
  std::vector<MalformedNote> malformed;  // ascending event_index

  // Ground truth for tests and the run summary.
  // Orders made ready: one-off ones not cancelled, in generation order,
  // then the standing orders' generated ones.
  std::vector<std::string> ready_order_ids;
  std::size_t malformed_count() const { return malformed.size(); }
};

// Generates the city and its day.
// REQUIRES: areas, sites_per_area >= 1; elders_per_site >= 1 when orders > 0;
// counts >= 0; shares in [0, 1].
City GenerateCity(const CityOptions& options);

// Moves `p` by the given metres north and east (flat-Earth step, fine for
// the few kilometres of a city).
GeoPoint OffsetM(GeoPoint p, double north_m, double east_m);

}  // namespace meal::sim
