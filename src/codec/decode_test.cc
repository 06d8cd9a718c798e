// Tests for codec/: wire events -> domain (decode.h), domain state <-> store
// bytes (state_codec.h) and domain outputs -> wire (encode.h). Inputs are
// built with the generated protobuf classes, as a producer would.

#include "codec/decode.h"

#include <cstdint>
#include <random>
#include <string>
#include <variant>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "codec/encode.h"
#include "codec/state_codec.h"
#include "common/geo.h"
#include "common/status.h"
#include "mealdispatch/v1/events.pb.h"
#include "mealdispatch/v1/outputs.pb.h"
#include "model/entities.h"

namespace meal::codec {
namespace {

namespace wire = ::mealdispatch::v1;
using ::testing::HasSubstr;

constexpr EventTimeMs kT0 = 1'700'000'000'000;
// The Bund, Shanghai, in WGS-84: inside the GCJ-02 region.
constexpr GeoPoint kShanghai{31.2400, 121.4900};

void SetHeader(wire::EventHeader* h) {
  h->set_event_id("evt-1");
  h->set_area_id("area-7");
  h->set_event_time_ms(kT0);
}

void SetWgs84(GeoPoint p, wire::Location* loc) {
  loc->set_lat(p.lat);
  loc->set_lon(p.lon);
  loc->set_system(wire::WGS84);
}

template <typename Message>
Status Decode(InputKind kind, const Message& msg, Event* event) {
  return DecodeEvent(kind, msg.SerializeAsString(), event);
}

// Decodes and expects an invalid-argument status whose message contains
// `needle`.
template <typename Message>
::testing::AssertionResult Rejects(InputKind kind, const Message& msg, const std::string& needle) {
  Event event;
  const Status s = Decode(kind, msg, &event);
  if (s.ok()) return ::testing::AssertionFailure() << "decoded OK, expected '" << needle << "'";
  if (s.code() != StatusCode::kInvalidArgument) {
    return ::testing::AssertionFailure() << "code is not invalid_argument: " << s.ToString();
  }
  if (s.message().find(needle) == std::string::npos) {
    return ::testing::AssertionFailure()
           << "message '" << s.message() << "' lacks '" << needle << "'";
  }
  return ::testing::AssertionSuccess();
}

wire::OrderEvent ValidPlaced() {
  wire::OrderEvent msg;
  SetHeader(msg.mutable_header());
  wire::OrderPlaced* p = msg.mutable_placed();
  p->set_order_id("order-1");
  p->set_site_id("site-1");
  p->set_elder_id("elder-1");
  p->set_meals(2);
  p->set_meal_class(wire::CHILLED);
  p->set_window_start_ms(kT0 + 3'600'000);
  p->set_window_end_ms(kT0 + 5'400'000);
  SetWgs84(kShanghai, p->mutable_delivery_location());
  p->set_batch_id("batch-9");
  return msg;
}

wire::CourierEvent ValidShiftStarted() {
  wire::CourierEvent msg;
  SetHeader(msg.mutable_header());
  wire::ShiftStarted* p = msg.mutable_shift_started();
  p->set_courier_id("courier-1");
  p->set_mode(wire::EBIKE);
  p->set_box_capacity(6);
  p->set_shift_end_ms(kT0 + 4 * 3'600'000);
  SetWgs84(kShanghai, p->mutable_location());
  return msg;
}

wire::DeliveryEvent ValidFailed(wire::FailureReason reason) {
  wire::DeliveryEvent msg;
  SetHeader(msg.mutable_header());
  wire::DeliveryFailed* p = msg.mutable_failed();
  p->set_order_id("order-1");
  p->set_courier_id("courier-1");
  p->set_reason(reason);
  p->set_note("nobody home");
  return msg;
}

wire::MealSite ValidSite() {
  wire::MealSite msg;
  SetHeader(msg.mutable_header());
  msg.set_site_id("site-1");
  msg.set_name("Community canteen");
  msg.set_facility_number("ZC31010100042");
  SetWgs84(kShanghai, msg.mutable_location());
  msg.set_radius_m(1500);
  msg.set_hot_meal_limit_ms(40 * 60'000);
  return msg;
}

wire::Elder ValidElder() {
  wire::Elder msg;
  SetHeader(msg.mutable_header());
  msg.set_elder_id("elder-1");
  SetWgs84(kShanghai, msg.mutable_home());
  msg.set_paired_helper_id("helper-3");
  msg.set_hub_household_id("hub-2");
  return msg;
}

// -------------------------------------------------------------- valid events

TEST(DecodeEventTest, OrderPlaced) {
  Event event;
  ASSERT_TRUE(Decode(InputKind::kOrders, ValidPlaced(), &event).ok());
  EXPECT_EQ(event.event_id, "evt-1");
  EXPECT_EQ(event.area_id, "area-7");
  EXPECT_EQ(event.time_ms, kT0);
  const auto* p = std::get_if<OrderPlaced>(&event.body);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->order_id, "order-1");
  EXPECT_EQ(p->site_id, "site-1");
  EXPECT_EQ(p->elder_id, "elder-1");
  EXPECT_EQ(p->meals, 2u);
  EXPECT_EQ(p->meal_class, MealClass::kChilled);
  EXPECT_EQ(p->window_start_ms, kT0 + 3'600'000);
  EXPECT_EQ(p->window_end_ms, kT0 + 5'400'000);
  EXPECT_TRUE(p->has_delivery_location);
  EXPECT_EQ(p->delivery_location, kShanghai);  // WGS-84 passes through unchanged
  EXPECT_EQ(p->batch_id, "batch-9");
}

TEST(DecodeEventTest, OrderPlacedMealClasses) {
  const std::vector<std::pair<wire::MealClass, MealClass>> cases = {
      {wire::HOT, MealClass::kHot},
      {wire::CHILLED, MealClass::kChilled},
      {wire::FROZEN, MealClass::kFrozen}};
  for (const auto& [in, want] : cases) {
    wire::OrderEvent msg = ValidPlaced();
    msg.mutable_placed()->set_meal_class(in);
    Event event;
    ASSERT_TRUE(Decode(InputKind::kOrders, msg, &event).ok()) << in;
    EXPECT_EQ(std::get<OrderPlaced>(event.body).meal_class, want) << in;
  }
  wire::OrderEvent msg = ValidPlaced();
  msg.mutable_placed()->set_meal_class(wire::MEAL_CLASS_UNSPECIFIED);
  EXPECT_TRUE(Rejects(InputKind::kOrders, msg, "meal class"));
}

TEST(DecodeEventTest, OrderPlacedWithoutDeliveryLocationUsesHome) {
  wire::OrderEvent msg = ValidPlaced();
  msg.mutable_placed()->clear_delivery_location();
  Event event;
  ASSERT_TRUE(Decode(InputKind::kOrders, msg, &event).ok());
  EXPECT_FALSE(std::get<OrderPlaced>(event.body).has_delivery_location);
}

TEST(DecodeEventTest, Gcj02LocationDecodesToWgs84) {
  const GeoPoint gcj = Wgs84ToGcj02(kShanghai);
  // The shift is hundreds of metres, so ignoring the system would show.
  ASSERT_GT(HaversineM(gcj, kShanghai), 100.0);
  wire::OrderEvent msg = ValidPlaced();
  wire::Location* loc = msg.mutable_placed()->mutable_delivery_location();
  loc->set_lat(gcj.lat);
  loc->set_lon(gcj.lon);
  loc->set_system(wire::GCJ02);
  Event event;
  ASSERT_TRUE(Decode(InputKind::kOrders, msg, &event).ok());
  EXPECT_LT(HaversineM(std::get<OrderPlaced>(event.body).delivery_location, kShanghai), 1.0);
}

TEST(DecodeEventTest, Gcj02CourierLocationDecodesToWgs84) {
  const GeoPoint wgs{39.9087, 116.3975};  // Beijing
  const GeoPoint gcj = Wgs84ToGcj02(wgs);
  ASSERT_GT(HaversineM(gcj, wgs), 100.0);
  wire::CourierEvent msg;
  SetHeader(msg.mutable_header());
  msg.mutable_location()->set_courier_id("courier-1");
  msg.mutable_location()->mutable_location()->set_lat(gcj.lat);
  msg.mutable_location()->mutable_location()->set_lon(gcj.lon);
  msg.mutable_location()->mutable_location()->set_system(wire::GCJ02);
  Event event;
  ASSERT_TRUE(Decode(InputKind::kCouriers, msg, &event).ok());
  const auto& update = std::get<LocationUpdate>(event.body);
  EXPECT_EQ(update.courier_id, "courier-1");
  EXPECT_LT(HaversineM(update.location, wgs), 1.0);
}

TEST(DecodeEventTest, OrderReady) {
  wire::OrderEvent msg;
  SetHeader(msg.mutable_header());
  msg.mutable_ready()->set_order_id("order-1");
  Event event;
  ASSERT_TRUE(Decode(InputKind::kOrders, msg, &event).ok());
  ASSERT_TRUE(std::holds_alternative<OrderReady>(event.body));
  EXPECT_EQ(std::get<OrderReady>(event.body).order_id, "order-1");
  EXPECT_EQ(event.time_ms, kT0);
}

TEST(DecodeEventTest, OrderCancelled) {
  wire::OrderEvent msg;
  SetHeader(msg.mutable_header());
  msg.mutable_cancelled()->set_order_id("order-1");
  msg.mutable_cancelled()->set_reason("elder in hospital");
  Event event;
  ASSERT_TRUE(Decode(InputKind::kOrders, msg, &event).ok());
  const auto* p = std::get_if<OrderCancelled>(&event.body);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->order_id, "order-1");
  EXPECT_EQ(p->reason, "elder in hospital");
}

TEST(DecodeEventTest, ShiftStarted) {
  Event event;
  ASSERT_TRUE(Decode(InputKind::kCouriers, ValidShiftStarted(), &event).ok());
  const auto* p = std::get_if<ShiftStarted>(&event.body);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->courier_id, "courier-1");
  EXPECT_EQ(p->mode, TravelMode::kEbike);
  EXPECT_EQ(p->box_capacity, 6u);
  EXPECT_EQ(p->shift_end_ms, kT0 + 4 * 3'600'000);
  EXPECT_EQ(p->location, kShanghai);
}

TEST(DecodeEventTest, ShiftStartedTravelModes) {
  const std::vector<std::pair<wire::TravelMode, TravelMode>> cases = {
      {wire::WALK, TravelMode::kWalk},
      {wire::BIKE, TravelMode::kBike},
      {wire::EBIKE, TravelMode::kEbike},
      {wire::CAR, TravelMode::kCar}};
  for (const auto& [in, want] : cases) {
    wire::CourierEvent msg = ValidShiftStarted();
    msg.mutable_shift_started()->set_mode(in);
    Event event;
    ASSERT_TRUE(Decode(InputKind::kCouriers, msg, &event).ok()) << in;
    EXPECT_EQ(std::get<ShiftStarted>(event.body).mode, want) << in;
  }
  wire::CourierEvent msg = ValidShiftStarted();
  msg.mutable_shift_started()->set_mode(wire::TRAVEL_MODE_UNSPECIFIED);
  EXPECT_TRUE(Rejects(InputKind::kCouriers, msg, "travel mode"));
}

TEST(DecodeEventTest, ShiftEnded) {
  wire::CourierEvent msg;
  SetHeader(msg.mutable_header());
  msg.mutable_shift_ended()->set_courier_id("courier-1");
  Event event;
  ASSERT_TRUE(Decode(InputKind::kCouriers, msg, &event).ok());
  ASSERT_TRUE(std::holds_alternative<ShiftEnded>(event.body));
  EXPECT_EQ(std::get<ShiftEnded>(event.body).courier_id, "courier-1");
}

TEST(DecodeEventTest, LocationUpdate) {
  wire::CourierEvent msg;
  SetHeader(msg.mutable_header());
  msg.mutable_location()->set_courier_id("courier-1");
  SetWgs84(kShanghai, msg.mutable_location()->mutable_location());
  Event event;
  ASSERT_TRUE(Decode(InputKind::kCouriers, msg, &event).ok());
  const auto* p = std::get_if<LocationUpdate>(&event.body);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->courier_id, "courier-1");
  EXPECT_EQ(p->location, kShanghai);
}

TEST(DecodeEventTest, Availability) {
  for (bool available : {false, true}) {
    wire::CourierEvent msg;
    SetHeader(msg.mutable_header());
    msg.mutable_availability()->set_courier_id("courier-1");
    msg.mutable_availability()->set_available(available);
    Event event;
    ASSERT_TRUE(Decode(InputKind::kCouriers, msg, &event).ok());
    const auto* p = std::get_if<Availability>(&event.body);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->courier_id, "courier-1");
    EXPECT_EQ(p->available, available);
  }
}

TEST(DecodeEventTest, PickedUp) {
  wire::DeliveryEvent msg;
  SetHeader(msg.mutable_header());
  msg.mutable_picked_up()->set_order_id("order-1");
  msg.mutable_picked_up()->set_courier_id("courier-1");
  Event event;
  ASSERT_TRUE(Decode(InputKind::kDeliveries, msg, &event).ok());
  const auto* p = std::get_if<PickedUp>(&event.body);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->order_id, "order-1");
  EXPECT_EQ(p->courier_id, "courier-1");
}

TEST(DecodeEventTest, Delivered) {
  wire::DeliveryEvent msg;
  SetHeader(msg.mutable_header());
  msg.mutable_delivered()->set_order_id("order-1");
  msg.mutable_delivered()->set_courier_id("courier-1");
  Event event;
  ASSERT_TRUE(Decode(InputKind::kDeliveries, msg, &event).ok());
  const auto* p = std::get_if<Delivered>(&event.body);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->order_id, "order-1");
  EXPECT_EQ(p->courier_id, "courier-1");
}

TEST(DecodeEventTest, DeliveryFailedWithEachReason) {
  const std::vector<std::pair<wire::FailureReason, FailureReason>> cases = {
      {wire::NO_ANSWER, FailureReason::kNoAnswer},
      {wire::REFUSED, FailureReason::kRefused},
      {wire::ADDRESS_PROBLEM, FailureReason::kAddressProblem},
      {wire::OTHER, FailureReason::kOther}};
  for (const auto& [in, want] : cases) {
    SCOPED_TRACE(wire::FailureReason_Name(in));
    Event event;
    ASSERT_TRUE(Decode(InputKind::kDeliveries, ValidFailed(in), &event).ok());
    const auto* p = std::get_if<DeliveryFailed>(&event.body);
    ASSERT_NE(p, nullptr);
    EXPECT_EQ(p->order_id, "order-1");
    EXPECT_EQ(p->courier_id, "courier-1");
    EXPECT_EQ(p->reason, want);
  }
}

TEST(DecodeEventTest, Site) {
  Event event;
  ASSERT_TRUE(Decode(InputKind::kSites, ValidSite(), &event).ok());
  const auto* p = std::get_if<Site>(&event.body);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->site_id, "site-1");
  EXPECT_EQ(p->area_id, "area-7");  // from the header
  EXPECT_EQ(p->name, "Community canteen");
  EXPECT_EQ(p->facility_number, "ZC31010100042");
  EXPECT_EQ(p->location, kShanghai);
  EXPECT_EQ(p->radius_m, 1500u);
  EXPECT_EQ(p->hot_meal_limit_ms, 40 * 60'000);
}

TEST(DecodeEventTest, SiteHoursAndCapacity) {
  wire::MealSite msg = ValidSite();
  msg.set_opens_min(10 * 60 + 30);
  msg.set_closes_min(13 * 60);
  msg.set_daily_capacity(200);
  Event event;
  ASSERT_TRUE(Decode(InputKind::kSites, msg, &event).ok());
  const auto& site = std::get<Site>(event.body);
  EXPECT_EQ(site.opens_min, 630u);
  EXPECT_EQ(site.closes_min, 780u);
  EXPECT_EQ(site.daily_capacity, 200u);
  msg.set_closes_min(600);
  EXPECT_TRUE(Rejects(InputKind::kSites, msg, "opening hours 630-600"));
  msg.set_opens_min(0);
  msg.set_closes_min(1441);
  EXPECT_TRUE(Rejects(InputKind::kSites, msg, "opening hours"));
}

TEST(DecodeEventTest, SiteNeedsAUnifiedFacilityNumber) {
  for (const char* bad : {"", "310101-0042", "ZC3101010004", "ZC310101000421", "ZC91010100042", "zc31010100042",
                          "ZC3101010004X"}) {
    wire::MealSite msg = ValidSite();
    msg.set_facility_number(bad);
    EXPECT_TRUE(Rejects(InputKind::kSites, msg, "facility_number")) << bad;
  }
}

TEST(DecodeEventTest, ElderCategoriesBecomeBitFlags) {
  wire::Elder msg = ValidElder();
  msg.add_categories(wire::MINIMUM_ALLOWANCE);
  msg.add_categories(wire::LIVING_ALONE);
  msg.add_categories(wire::VERY_OLD);
  msg.add_categories(wire::SPECIAL_FAMILY_PLANNING);
  Event event;
  ASSERT_TRUE(Decode(InputKind::kElders, msg, &event).ok());
  const auto* p = std::get_if<Elder>(&event.body);
  ASSERT_NE(p, nullptr);
  EXPECT_EQ(p->elder_id, "elder-1");
  EXPECT_EQ(p->area_id, "area-7");
  EXPECT_EQ(p->home, kShanghai);
  EXPECT_EQ(p->categories, static_cast<std::uint32_t>(kMinimumAllowance | kLivingAlone | kVeryOld |
                                                      kSpecialFamilyPlanning));
  EXPECT_EQ(p->paired_helper_id, "helper-3");
  EXPECT_EQ(p->hub_household_id, "hub-2");
}

TEST(DecodeEventTest, EachElderCategoryHasItsOwnBit) {
  const std::vector<std::pair<wire::ElderCategory, std::uint32_t>> cases = {
      {wire::MINIMUM_ALLOWANCE, kMinimumAllowance},
      {wire::EXTREMELY_POOR, kExtremelyPoor},
      {wire::NEAR_POVERTY, kNearPoverty},
      {wire::LIVING_ALONE, kLivingAlone},
      {wire::EMPTY_NEST, kEmptyNest},
      {wire::LEFT_BEHIND, kLeftBehind},
      {wire::INCAPACITATED, kIncapacitated},
      {wire::DISABLED, kDisabled},
      {wire::VERY_OLD, kVeryOld},
      {wire::SPECIAL_FAMILY_PLANNING, kSpecialFamilyPlanning}};
  for (const auto& [in, bit] : cases) {
    wire::Elder msg = ValidElder();
    msg.add_categories(in);
    Event event;
    ASSERT_TRUE(Decode(InputKind::kElders, msg, &event).ok()) << in;
    EXPECT_EQ(std::get<Elder>(event.body).categories, bit) << wire::ElderCategory_Name(in);
  }
}

TEST(DecodeEventTest, DecodingDoesNotCarryOverFromThePreviousRecord) {
  // The decoder reuses its message objects; a record without categories
  // after one with them must come out with none.
  wire::Elder with = ValidElder();
  with.add_categories(wire::DISABLED);
  Event event;
  ASSERT_TRUE(Decode(InputKind::kElders, with, &event).ok());
  wire::Elder without = ValidElder();
  without.clear_paired_helper_id();
  Event next;
  ASSERT_TRUE(Decode(InputKind::kElders, without, &next).ok());
  EXPECT_EQ(std::get<Elder>(next.body).categories, 0u);
  EXPECT_EQ(std::get<Elder>(next.body).paired_helper_id, "");
}

TEST(DecodeEventTest, IdsUpTo128BytesAreAccepted) {
  wire::OrderEvent msg = ValidPlaced();
  msg.mutable_header()->set_event_id(std::string(128, 'e'));
  msg.mutable_placed()->set_order_id(std::string(128, 'o'));
  Event event;
  ASSERT_TRUE(Decode(InputKind::kOrders, msg, &event).ok());
  EXPECT_EQ(std::get<OrderPlaced>(event.body).order_id, std::string(128, 'o'));
}

TEST(DecodeEventTest, RecordOfExactly64KiBIsAccepted) {
  wire::OrderEvent msg = ValidPlaced();
  msg.mutable_placed()->set_batch_id(std::string(65'000, 'b'));
  const std::size_t size = msg.ByteSizeLong();
  msg.mutable_placed()->set_batch_id(std::string(65'000 + (kMaxEventBytes - size), 'b'));
  ASSERT_EQ(msg.ByteSizeLong(), kMaxEventBytes);
  Event event;
  EXPECT_TRUE(Decode(InputKind::kOrders, msg, &event).ok());
  msg.mutable_placed()->mutable_batch_id()->push_back('b');
  EXPECT_TRUE(Rejects(InputKind::kOrders, msg, "64 KiB"));
}

// ------------------------------------------------------------ invalid input

TEST(DecodeEventTest, RejectsMalformedBytes) {
  const std::string garbage(16, '\xff');  // a varint that never ends
  for (InputKind kind : {InputKind::kOrders, InputKind::kCouriers, InputKind::kDeliveries,
                         InputKind::kSites, InputKind::kElders}) {
    Event event;
    const Status s = DecodeEvent(kind, garbage, &event);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
    EXPECT_THAT(s.message(), HasSubstr("not a valid mealdispatch.v1."));
  }
}

TEST(DecodeEventTest, RejectsRandomBytes) {
  std::mt19937 rng(20240607);
  std::uniform_int_distribution<int> byte(0, 255);
  std::uniform_int_distribution<int> length(1, 300);
  for (int trial = 0; trial < 500; ++trial) {
    std::string bytes(static_cast<std::size_t>(length(rng)), '\0');
    for (char& c : bytes) c = static_cast<char>(byte(rng));
    for (InputKind kind : {InputKind::kOrders, InputKind::kCouriers, InputKind::kDeliveries,
                           InputKind::kSites, InputKind::kElders}) {
      Event event;
      const Status s = DecodeEvent(kind, bytes, &event);
      EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << "trial " << trial;
      EXPECT_FALSE(s.message().empty());
    }
  }
}

TEST(DecodeEventTest, RejectsTruncatedMessage) {
  const std::string whole = ValidPlaced().SerializeAsString();
  Event event;
  // Cut inside the nested OrderPlaced: its length prefix promises more.
  const Status s = DecodeEvent(InputKind::kOrders, whole.substr(0, whole.size() - 3), &event);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("not a valid mealdispatch.v1.OrderEvent protobuf"));
  // No strict prefix of a valid record decodes.
  for (std::size_t n = 0; n < whole.size(); ++n) {
    EXPECT_FALSE(DecodeEvent(InputKind::kOrders, whole.substr(0, n), &event).ok()) << n << " bytes";
  }
}

TEST(DecodeEventTest, RejectsRecordLargerThan64KiB) {
  wire::OrderEvent msg = ValidPlaced();
  msg.mutable_placed()->set_batch_id(std::string(70'000, 'b'));
  EXPECT_TRUE(Rejects(InputKind::kOrders, msg, "larger than 64 KiB"));
  // The size gate comes before parsing: oversized garbage says so too.
  Event event;
  const Status s = DecodeEvent(InputKind::kSites, std::string(kMaxEventBytes + 1, '\xff'), &event);
  EXPECT_THAT(s.message(), HasSubstr("64 KiB"));
}

TEST(DecodeEventTest, RejectsMissingHeader) {
  wire::OrderEvent order = ValidPlaced();
  order.clear_header();
  EXPECT_TRUE(Rejects(InputKind::kOrders, order, "header missing"));
  wire::CourierEvent courier = ValidShiftStarted();
  courier.clear_header();
  EXPECT_TRUE(Rejects(InputKind::kCouriers, courier, "header missing"));
  wire::DeliveryEvent delivery = ValidFailed(wire::REFUSED);
  delivery.clear_header();
  EXPECT_TRUE(Rejects(InputKind::kDeliveries, delivery, "header missing"));
  wire::MealSite site = ValidSite();
  site.clear_header();
  EXPECT_TRUE(Rejects(InputKind::kSites, site, "header missing"));
  wire::Elder elder = ValidElder();
  elder.clear_header();
  EXPECT_TRUE(Rejects(InputKind::kElders, elder, "header missing"));
}

TEST(DecodeEventTest, RejectsMissingEventId) {
  wire::OrderEvent msg = ValidPlaced();
  msg.mutable_header()->clear_event_id();
  EXPECT_TRUE(Rejects(InputKind::kOrders, msg, "event_id missing"));
}

TEST(DecodeEventTest, RejectsMissingAreaId) {
  wire::Elder msg = ValidElder();
  msg.mutable_header()->clear_area_id();
  EXPECT_TRUE(Rejects(InputKind::kElders, msg, "area_id missing"));
}

TEST(DecodeEventTest, RejectsEventTimeNotPositive) {
  for (std::int64_t t : {std::int64_t{0}, std::int64_t{-1}, std::int64_t{-kT0}}) {
    wire::CourierEvent msg = ValidShiftStarted();
    msg.mutable_header()->set_event_time_ms(t);
    EXPECT_TRUE(Rejects(InputKind::kCouriers, msg, "event_time_ms")) << t;
  }
}

TEST(DecodeEventTest, RejectsWindowEndBeforeStart) {
  wire::OrderEvent msg = ValidPlaced();
  msg.mutable_placed()->set_window_end_ms(msg.placed().window_start_ms() - 1);
  EXPECT_TRUE(Rejects(InputKind::kOrders, msg, "window ends before it starts"));
  msg.mutable_placed()->set_window_end_ms(msg.placed().window_start_ms());  // empty window
  EXPECT_TRUE(Rejects(InputKind::kOrders, msg, "window"));
}

TEST(DecodeEventTest, RejectsZeroMeals) {
  wire::OrderEvent msg = ValidPlaced();
  msg.mutable_placed()->set_meals(0);
  EXPECT_TRUE(Rejects(InputKind::kOrders, msg, "meals"));
}

TEST(DecodeEventTest, RejectsUnspecifiedCoordinateSystem) {
  wire::OrderEvent msg = ValidPlaced();
  wire::Location* loc = msg.mutable_placed()->mutable_delivery_location();
  loc->set_system(wire::COORDINATE_SYSTEM_UNSPECIFIED);
  EXPECT_TRUE(Rejects(InputKind::kOrders, msg, "coordinate system"));
}

TEST(DecodeEventTest, RejectsLatitudeOutOfRange) {
  for (double lat : {90.0001, -91.0, 1e9}) {
    wire::MealSite msg = ValidSite();
    msg.mutable_location()->set_lat(lat);
    EXPECT_TRUE(Rejects(InputKind::kSites, msg, "out of range")) << lat;
  }
  wire::MealSite msg = ValidSite();
  msg.mutable_location()->set_lon(180.5);
  EXPECT_TRUE(Rejects(InputKind::kSites, msg, "out of range"));
}

TEST(DecodeEventTest, RejectsMissingLocation) {
  wire::CourierEvent msg = ValidShiftStarted();
  msg.mutable_shift_started()->clear_location();
  EXPECT_TRUE(Rejects(InputKind::kCouriers, msg, "location missing"));
}

TEST(DecodeEventTest, RejectsNoKindSet) {
  wire::OrderEvent order;
  SetHeader(order.mutable_header());
  EXPECT_TRUE(Rejects(InputKind::kOrders, order, "order event has no kind"));
  wire::CourierEvent courier;
  SetHeader(courier.mutable_header());
  EXPECT_TRUE(Rejects(InputKind::kCouriers, courier, "courier event has no kind"));
  wire::DeliveryEvent delivery;
  SetHeader(delivery.mutable_header());
  EXPECT_TRUE(Rejects(InputKind::kDeliveries, delivery, "delivery event has no kind"));
}

TEST(DecodeEventTest, RejectsUnknownElderCategory) {
  for (int category : {0, 11, 1000}) {
    wire::Elder msg = ValidElder();
    msg.add_categories(wire::LIVING_ALONE);
    msg.mutable_categories()->Add(category);  // open enum: any int reaches the wire
    EXPECT_TRUE(Rejects(InputKind::kElders, msg, "unknown elder category")) << category;
  }
}

TEST(DecodeEventTest, RejectsUnspecifiedFailureReason) {
  EXPECT_TRUE(Rejects(InputKind::kDeliveries, ValidFailed(wire::FAILURE_REASON_UNSPECIFIED),
                      "failure reason missing"));
}

TEST(DecodeEventTest, RejectsIdLongerThan128Bytes) {
  const std::string long_id(129, 'x');
  {
    wire::OrderEvent msg = ValidPlaced();
    msg.mutable_header()->set_event_id(long_id);
    EXPECT_TRUE(Rejects(InputKind::kOrders, msg, "event_id too long"));
  }
  {
    wire::OrderEvent msg = ValidPlaced();
    msg.mutable_header()->set_area_id(long_id);
    EXPECT_TRUE(Rejects(InputKind::kOrders, msg, "area_id too long"));
  }
  {
    wire::OrderEvent msg = ValidPlaced();
    msg.mutable_placed()->set_order_id(long_id);
    EXPECT_TRUE(Rejects(InputKind::kOrders, msg, "order_id too long"));
  }
  {
    wire::CourierEvent msg = ValidShiftStarted();
    msg.mutable_shift_started()->set_courier_id(long_id);
    EXPECT_TRUE(Rejects(InputKind::kCouriers, msg, "courier_id too long"));
  }
  {
    wire::DeliveryEvent msg = ValidFailed(wire::OTHER);
    msg.mutable_failed()->set_courier_id(long_id);
    EXPECT_TRUE(Rejects(InputKind::kDeliveries, msg, "courier_id too long"));
  }
  {
    wire::MealSite msg = ValidSite();
    msg.set_site_id(long_id);
    EXPECT_TRUE(Rejects(InputKind::kSites, msg, "site_id too long"));
  }
  {
    wire::Elder msg = ValidElder();
    msg.set_elder_id(long_id);
    EXPECT_TRUE(Rejects(InputKind::kElders, msg, "elder_id too long"));
  }
}

TEST(DecodeEventTest, RejectsMissingIdsInBodies) {
  {
    wire::OrderEvent msg;
    SetHeader(msg.mutable_header());
    msg.mutable_ready();  // kind set, order_id empty
    EXPECT_TRUE(Rejects(InputKind::kOrders, msg, "order_id missing"));
  }
  {
    wire::DeliveryEvent msg;
    SetHeader(msg.mutable_header());
    msg.mutable_picked_up()->set_order_id("order-1");
    EXPECT_TRUE(Rejects(InputKind::kDeliveries, msg, "courier_id missing"));
  }
}

// ------------------------------------------------------------- state codec

Order SampleOrder() {
  Order o;
  o.order_id = "order-1";
  o.area_id = "area-7";
  o.site_id = "site-1";
  o.elder_id = "elder-1";
  o.meals = 3;
  o.meal_class = MealClass::kFrozen;
  o.window_start_ms = kT0 + 1;
  o.window_end_ms = kT0 + 2;
  o.pickup = {31.2, 121.4};
  o.dropoff = {31.25, 121.45};
  o.status = OrderStatus::kUnassigned;  // the last enumerator
  o.courier_id = "courier-1";
  o.placed_ms = kT0 + 3;
  o.ready_ms = kT0 + 4;
  o.picked_up_ms = kT0 + 5;
  o.done_ms = kT0 + 6;
  o.hot_meal_limit_ms = 45 * 60'000;
  o.batch_id = "batch-9";
  o.timeline = {{kT0 + 3, OrderStatus::kPlaced, "placed"},
                {kT0 + 4, OrderStatus::kReady, ""},
                {kT0 + 5, OrderStatus::kAssigned, "courier-1"},
                {kT0 + 6, OrderStatus::kCancelled, "by site"}};
  return o;
}

TEST(StateCodecTest, OrderRoundTrip) {
  const Order in = SampleOrder();
  Order out;
  out.timeline = {{1, OrderStatus::kFailed, "stale"}};  // replaced, not appended to
  ASSERT_TRUE(DecodeOrder(EncodeOrder(in), &out).ok());
  EXPECT_EQ(out.order_id, in.order_id);
  EXPECT_EQ(out.area_id, in.area_id);
  EXPECT_EQ(out.site_id, in.site_id);
  EXPECT_EQ(out.elder_id, in.elder_id);
  EXPECT_EQ(out.meals, in.meals);
  EXPECT_EQ(out.meal_class, in.meal_class);
  EXPECT_EQ(out.window_start_ms, in.window_start_ms);
  EXPECT_EQ(out.window_end_ms, in.window_end_ms);
  EXPECT_EQ(out.pickup, in.pickup);
  EXPECT_EQ(out.dropoff, in.dropoff);
  EXPECT_EQ(out.status, in.status);
  EXPECT_EQ(out.courier_id, in.courier_id);
  EXPECT_EQ(out.placed_ms, in.placed_ms);
  EXPECT_EQ(out.ready_ms, in.ready_ms);
  EXPECT_EQ(out.picked_up_ms, in.picked_up_ms);
  EXPECT_EQ(out.done_ms, in.done_ms);
  EXPECT_EQ(out.hot_meal_limit_ms, in.hot_meal_limit_ms);
  EXPECT_EQ(out.batch_id, in.batch_id);
  ASSERT_EQ(out.timeline.size(), in.timeline.size());
  for (std::size_t k = 0; k < in.timeline.size(); ++k) {
    EXPECT_EQ(out.timeline[k].time_ms, in.timeline[k].time_ms) << k;
    EXPECT_EQ(out.timeline[k].status, in.timeline[k].status) << k;
    EXPECT_EQ(out.timeline[k].note, in.timeline[k].note) << k;
  }
}

TEST(StateCodecTest, OrderRoundTripKeepsEveryStatus) {
  for (OrderStatus status : {OrderStatus::kPlaced, OrderStatus::kReady, OrderStatus::kAssigned,
                             OrderStatus::kPickedUp, OrderStatus::kDelivered, OrderStatus::kFailed,
                             OrderStatus::kCancelled, OrderStatus::kUnassigned, OrderStatus::kRejected,
                             OrderStatus::kHeld}) {
    Order in = SampleOrder();
    in.status = status;
    Order out;
    ASSERT_TRUE(DecodeOrder(EncodeOrder(in), &out).ok());
    EXPECT_EQ(out.status, status) << OrderStatusName(status);
  }
}

TEST(StateCodecTest, CourierRoundTrip) {
  Courier in;
  in.courier_id = "courier-1";
  in.area_id = "area-7";
  in.mode = TravelMode::kCar;
  in.box_capacity = 12;
  in.shift_end_ms = kT0 + 7;
  in.on_shift = true;
  in.available = false;
  in.location = {31.21, 121.41};
  in.location_ms = kT0 + 8;
  in.route = {{StopKind::kPickup, "order-1"}, {StopKind::kPickup, "order-2"},
              {StopKind::kDelivery, "order-2"}, {StopKind::kDelivery, "order-1"}};
  in.plan_version = (std::uint64_t{1} << 40) + 5;
  Courier out;
  out.route = {{StopKind::kDelivery, "stale"}};
  ASSERT_TRUE(DecodeCourier(EncodeCourier(in), &out).ok());
  EXPECT_EQ(out.courier_id, in.courier_id);
  EXPECT_EQ(out.area_id, in.area_id);
  EXPECT_EQ(out.mode, in.mode);
  EXPECT_EQ(out.box_capacity, in.box_capacity);
  EXPECT_EQ(out.shift_end_ms, in.shift_end_ms);
  EXPECT_EQ(out.on_shift, in.on_shift);
  EXPECT_EQ(out.available, in.available);
  EXPECT_EQ(out.location, in.location);
  EXPECT_EQ(out.location_ms, in.location_ms);
  EXPECT_EQ(out.route, in.route);
  EXPECT_EQ(out.plan_version, in.plan_version);
}

TEST(StateCodecTest, SiteRoundTrip) {
  const Site in{"site-1", "area-7", "Community canteen", "ZC31010100042", {31.22, 121.42}, 1500,
                40 * 60'000};
  Site out;
  ASSERT_TRUE(DecodeSite(EncodeSite(in), &out).ok());
  EXPECT_EQ(out.site_id, in.site_id);
  EXPECT_EQ(out.area_id, in.area_id);
  EXPECT_EQ(out.name, in.name);
  EXPECT_EQ(out.facility_number, in.facility_number);
  EXPECT_EQ(out.location, in.location);
  EXPECT_EQ(out.radius_m, in.radius_m);
  EXPECT_EQ(out.hot_meal_limit_ms, in.hot_meal_limit_ms);
}

TEST(StateCodecTest, ElderRoundTrip) {
  const std::uint32_t some = kLivingAlone | kVeryOld;
  const std::uint32_t all = (1u << 10) - 1;
  for (std::uint32_t categories : {0u, some, all}) {
    const Elder in{"elder-1", "area-7", {31.23, 121.43}, categories, "helper-3", "hub-2"};
    Elder out;
    out.categories = kDisabled;  // overwritten, not or-ed into
    ASSERT_TRUE(DecodeElder(EncodeElder(in), &out).ok());
    EXPECT_EQ(out.elder_id, in.elder_id);
    EXPECT_EQ(out.area_id, in.area_id);
    EXPECT_EQ(out.home, in.home);
    EXPECT_EQ(out.categories, in.categories);
    EXPECT_EQ(out.paired_helper_id, in.paired_helper_id);
    EXPECT_EQ(out.hub_household_id, in.hub_household_id);
  }
}

TEST(StateCodecTest, OutboxRoundTripKeepsBinaryBytes) {
  const OutboxEntry in{"meal.assignments", std::string("area\0-7", 7),
                       std::string("\x00\xff\x80value", 8), kT0 + 9};
  OutboxEntry out;
  ASSERT_TRUE(DecodeOutbox(EncodeOutbox(in), &out).ok());
  EXPECT_EQ(out.topic, in.topic);
  EXPECT_EQ(out.key, in.key);
  EXPECT_EQ(out.value, in.value);
  EXPECT_EQ(out.timestamp_ms, in.timestamp_ms);
}

TEST(StateCodecTest, CorruptBytesAreAnInternalError) {
  const std::string garbage(16, '\xff');
  Order order;
  const Status s = DecodeOrder(garbage, &order);
  EXPECT_EQ(s.code(), StatusCode::kInternal);
  EXPECT_THAT(s.message(), HasSubstr("corrupt"));
  Courier courier;
  EXPECT_EQ(DecodeCourier(garbage, &courier).code(), StatusCode::kInternal);
  OutboxEntry entry;
  EXPECT_EQ(DecodeOutbox(garbage, &entry).code(), StatusCode::kInternal);
}

// ------------------------------------------------------------------ encode

TEST(EncodeTest, AssignmentParsesBack) {
  Assignment a;
  a.area_id = "area-7";
  a.time_ms = kT0;
  a.courier_id = "courier-1";
  a.plan_version = 42;
  a.trigger_order_id = "order-2";
  a.stops = {{StopKind::kPickup, "order-2", "site-1", {31.2, 121.4}, kT0 + 10, kT0 + 20},
             {StopKind::kDelivery, "order-2", "site-1", {31.25, 121.45}, kT0 + 30, kT0 + 40}};
  wire::Assignment msg;
  ASSERT_TRUE(msg.ParseFromString(EncodeAssignment(a)));
  EXPECT_EQ(msg.header().event_id(), "asg/courier-1/42");
  EXPECT_EQ(msg.header().area_id(), "area-7");
  EXPECT_EQ(msg.header().event_time_ms(), kT0);
  EXPECT_EQ(msg.courier_id(), "courier-1");
  EXPECT_EQ(msg.plan_version(), 42u);
  EXPECT_EQ(msg.trigger_order_id(), "order-2");
  ASSERT_EQ(msg.stops_size(), 2);
  for (int k = 0; k < 2; ++k) {
    const PlannedStop& want = a.stops[static_cast<std::size_t>(k)];
    const wire::PlannedStop& got = msg.stops(k);
    EXPECT_EQ(got.kind(), k == 0 ? wire::PICKUP : wire::DELIVERY);
    EXPECT_EQ(got.order_id(), want.order_id);
    EXPECT_EQ(got.site_id(), want.site_id);
    EXPECT_EQ(got.location().lat(), want.location.lat);
    EXPECT_EQ(got.location().lon(), want.location.lon);
    EXPECT_EQ(got.location().system(), wire::WGS84);
    EXPECT_EQ(got.planned_arrival_ms(), want.arrival_ms);
    EXPECT_EQ(got.planned_departure_ms(), want.departure_ms);
  }
}

TEST(EncodeTest, AlertParsesBack) {
  const std::vector<std::pair<AlertKind, wire::AlertKind>> kinds = {
      {AlertKind::kUnassignable, wire::UNASSIGNABLE},
      {AlertKind::kLateRisk, wire::LATE_RISK},
      {AlertKind::kFoodSafetyRisk, wire::FOOD_SAFETY_RISK},
      {AlertKind::kWellnessCheck, wire::WELLNESS_CHECK},
      {AlertKind::kDeliveryFailed, wire::DELIVERY_FAILED},
      {AlertKind::kOrderRejected, wire::ORDER_REJECTED},
      {AlertKind::kOutsideRadius, wire::OUTSIDE_RADIUS},
      {AlertKind::kRecall, wire::RECALL},
      {AlertKind::kWellnessClosed, wire::WELLNESS_CLOSED},
      {AlertKind::kCommandRefused, wire::COMMAND_REFUSED}};
  const std::vector<std::pair<Severity, wire::Severity>> severities = {
      {Severity::kInfo, wire::INFO},
      {Severity::kWarning, wire::WARNING},
      {Severity::kCritical, wire::CRITICAL}};
  for (const auto& [kind, wire_kind] : kinds) {
    for (const auto& [severity, wire_severity] : severities) {
      Alert a;
      a.alert_id = "alert-1";
      a.area_id = "area-7";
      a.time_ms = kT0;
      a.kind = kind;
      a.severity = severity;
      a.order_id = "order-1";
      a.courier_id = "courier-1";
      a.elder_id = "elder-1";
      a.site_id = "site-1";
      a.reason = "no courier can reach the door in time";
      wire::Alert msg;
      ASSERT_TRUE(msg.ParseFromString(EncodeAlert(a)));
      EXPECT_EQ(msg.header().event_id(), "alert-1");
      EXPECT_EQ(msg.header().area_id(), "area-7");
      EXPECT_EQ(msg.header().event_time_ms(), kT0);
      EXPECT_EQ(msg.alert_id(), "alert-1");
      EXPECT_EQ(msg.kind(), wire_kind);
      EXPECT_EQ(msg.severity(), wire_severity);
      EXPECT_EQ(msg.order_id(), "order-1");
      EXPECT_EQ(msg.courier_id(), "courier-1");
      EXPECT_EQ(msg.elder_id(), "elder-1");
      EXPECT_EQ(msg.site_id(), "site-1");
      EXPECT_EQ(msg.reason(), a.reason);
    }
  }
}

// ------------------------------------------------------------- commands

TEST(CommandCodecTest, OperatorsOrderCommandsAndAlertAcknowledgementRoundTrip) {
  const std::vector<EventBody> bodies = {
      ReassignOrder{"order-1", "courier-2", "desk-1", "courier-1 has a flat tyre"},
      UnassignOrder{"order-1", "desk-1", "courier called in sick"},
      HoldOrder{"order-1", "desk-1", "elder in hospital"},
      ReleaseOrder{"order-1", "desk-1", "elder is home"},
      AcknowledgeAlert{"recall/site-1/batch-9/order-1", "desk-1", "phoned the elder"}};
  for (const EventBody& body : bodies) {
    const Event in{"cmd-1", "area-7", kT0, body};
    Event out;
    ASSERT_TRUE(DecodeEvent(InputKind::kCommands, EncodeCommand(in), &out).ok()) << body.index();
    EXPECT_EQ(out.event_id, "cmd-1");
    EXPECT_EQ(out.area_id, "area-7");
    EXPECT_EQ(out.time_ms, kT0);
    ASSERT_EQ(out.body.index(), body.index());
    std::visit(
        [&](const auto& got) {
          using T = std::decay_t<decltype(got)>;
          const T& want = std::get<T>(body);
          if constexpr (std::is_same_v<T, ReassignOrder>) {
            EXPECT_EQ(got.order_id, want.order_id);
            EXPECT_EQ(got.courier_id, want.courier_id);
            EXPECT_EQ(got.actor, want.actor);
            EXPECT_EQ(got.reason, want.reason);
          } else if constexpr (std::is_same_v<T, UnassignOrder> || std::is_same_v<T, HoldOrder> ||
                               std::is_same_v<T, ReleaseOrder>) {
            EXPECT_EQ(got.order_id, want.order_id);
            EXPECT_EQ(got.actor, want.actor);
            EXPECT_EQ(got.reason, want.reason);
          } else if constexpr (std::is_same_v<T, AcknowledgeAlert>) {
            EXPECT_EQ(got.alert_id, want.alert_id);
            EXPECT_EQ(got.actor, want.actor);
            EXPECT_EQ(got.note, want.note);
          }
        },
        out.body);
  }
}

TEST(CommandCodecTest, OrderCommandsNeedTheirIdsAndAnActor) {
  const std::vector<std::pair<EventBody, std::string>> bad = {
      {ReassignOrder{"order-1", "", "desk-1", "x"}, "courier_id missing"},
      {ReassignOrder{"", "courier-1", "desk-1", "x"}, "order_id missing"},
      {UnassignOrder{"", "desk-1", "x"}, "order_id missing"},
      {HoldOrder{"order-1", "", "x"}, "actor missing"},
      {ReleaseOrder{std::string(129, 'o'), "desk-1", "x"}, "order_id too long"},
      {AcknowledgeAlert{"", "desk-1", "x"}, "alert_id missing"},
      {AcknowledgeAlert{std::string(513, 'a'), "desk-1", "x"}, "alert_id too long"},
      {HoldOrder{"order-1", "desk-1", std::string(1025, 'r')}, "reason longer than 1 KiB"}};
  for (const auto& [body, why] : bad) {
    Event out;
    const Status s = DecodeEvent(InputKind::kCommands, EncodeCommand({"cmd-1", "area-7", kT0, body}), &out);
    EXPECT_FALSE(s.ok()) << why;
    EXPECT_THAT(s.message(), HasSubstr(why));
  }
}

TEST(StateCodecTest, StoredAlertRoundTrip) {
  StoredAlert in;
  in.alert = {"wellness/order-1/0", "area-7", kT0, AlertKind::kWellnessCheck, Severity::kCritical, "order-1",
              "courier-1", "elder-1", "site-1", "nobody answered the door", "wc-order-1"};
  in.acknowledged = true;
  in.acknowledged_by = "desk-1";
  in.note = "courier knocking again";
  in.acknowledged_ms = kT0 + 5;
  StoredAlert out;
  ASSERT_TRUE(DecodeStoredAlert(EncodeStoredAlert(in), &out).ok());
  EXPECT_EQ(EncodeAlert(out.alert), EncodeAlert(in.alert));
  EXPECT_EQ(out.alert.kind, AlertKind::kWellnessCheck);
  EXPECT_EQ(out.alert.time_ms, kT0);
  EXPECT_TRUE(out.acknowledged);
  EXPECT_EQ(out.acknowledged_by, "desk-1");
  EXPECT_EQ(out.note, "courier knocking again");
  EXPECT_EQ(out.acknowledged_ms, kT0 + 5);
  EXPECT_FALSE(DecodeStoredAlert("\xff\xff", &out).ok());
}

TEST(StateCodecTest, OrderKeepsItsExcludedCouriers) {
  Order in = SampleOrder();
  in.status = OrderStatus::kHeld;
  in.excluded_couriers = {"courier-1", "courier-9"};
  Order out;
  out.excluded_couriers = {"stale"};
  ASSERT_TRUE(DecodeOrder(EncodeOrder(in), &out).ok());
  EXPECT_EQ(out.status, OrderStatus::kHeld);
  EXPECT_EQ(out.excluded_couriers, in.excluded_couriers);
}

TEST(EncodeTest, DeadLetterParsesBack) {
  const std::string value(16, '\xff');  // the unusable record, kept byte for byte
  const std::string key("area\0-7", 7);
  DeadLetterInfo info;
  info.topic = "meal.orders";
  info.partition = 3;
  info.offset = (std::int64_t{1} << 40) + 1;
  info.key = key;
  info.value = value;
  info.reason = "not a valid mealdispatch.v1.OrderEvent protobuf";
  info.record_timestamp_ms = kT0;
  wire::DeadLetter msg;
  ASSERT_TRUE(msg.ParseFromString(EncodeDeadLetter(info)));
  EXPECT_EQ(msg.topic(), "meal.orders");
  EXPECT_EQ(msg.partition(), 3);
  EXPECT_EQ(msg.offset(), info.offset);
  EXPECT_EQ(msg.original_key(), key);
  EXPECT_EQ(msg.original_value(), value);
  EXPECT_EQ(msg.reason(), info.reason);
  EXPECT_EQ(msg.record_timestamp_ms(), kT0);
}

}  // namespace
}  // namespace meal::codec
