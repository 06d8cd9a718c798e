#include "dispatch/standing.h"

#include <gtest/gtest.h>

#include "common/dates.h"

namespace meal::dispatch {
namespace {

constexpr DurationMs kCst = 8 * kHourMs;
// 2025-12-01 00:00 in China (a Monday), as UTC ms.
constexpr EventTimeMs kMonday = 1'764'460'800'000 + 16 * kHourMs;
constexpr std::uint32_t kMon = 1u << 0, kWed = 1u << 2, kFri = 1u << 4, kSun = 1u << 6;

StandingOrderSet Pattern() {
  StandingOrderSet p;
  p.standing_id = "so-1";
  p.site_id = "site-1";
  p.elder_id = "elder-1";
  p.meals = 2;
  p.meal_class = MealClass::kChilled;
  p.weekdays = kMon | kWed | kFri;
  p.window_start_min = 11 * 60 + 30;
  p.window_end_min = 12 * 60 + 30;
  p.first_date = "2025-12-01";
  return p;
}

TEST(NextServiceDateTest, TheFirstPatternWeekdayOnOrAfterTheDateWithinItsRange) {
  StandingOrderSet p = Pattern();
  EXPECT_EQ(NextServiceDate(p, "2025-12-01"), "2025-12-01") << "a Monday";
  EXPECT_EQ(NextServiceDate(p, "2025-12-02"), "2025-12-03") << "Tuesday: on to Wednesday";
  EXPECT_EQ(NextServiceDate(p, "2025-12-06"), "2025-12-08") << "Saturday: on to next Monday";
  EXPECT_EQ(NextServiceDate(p, "2025-11-20"), "2025-12-01") << "never before first_date";
  p.last_date = "2025-12-05";
  EXPECT_EQ(NextServiceDate(p, "2025-12-04"), "2025-12-05") << "last_date is served";
  EXPECT_EQ(NextServiceDate(p, "2025-12-06"), std::nullopt);
  p.last_date.clear();
  p.weekdays = kSun;
  EXPECT_EQ(NextServiceDate(p, "2025-12-01"), "2025-12-07");
  p.weekdays = 0;
  EXPECT_EQ(NextServiceDate(p, "2025-12-01"), std::nullopt) << "a pattern without weekdays serves nothing";
}

TEST(IsSuspendedTest, BoundedAndOpenEndedSuspensionsCoverTheirDates) {
  StandingOrder so{Pattern(), "area-1", {{"2025-12-03", "2025-12-05", "hospital"}}, "2025-12-01"};
  EXPECT_FALSE(IsSuspended(so, "2025-12-02"));
  EXPECT_TRUE(IsSuspended(so, "2025-12-03"));
  EXPECT_TRUE(IsSuspended(so, "2025-12-05"));
  EXPECT_FALSE(IsSuspended(so, "2025-12-06"));
  so.suspensions.push_back({"2025-12-10", "", "away"});
  EXPECT_FALSE(IsSuspended(so, "2025-12-09"));
  EXPECT_TRUE(IsSuspended(so, "2026-06-01")) << "until resumed";
}

TEST(OrderForTest, NamesTheOrderByDateAndTimesItsWindowInLocalTime) {
  StandingOrderSet p = Pattern();
  OrderPlaced o = OrderFor(p, "2025-12-03", kCst);
  EXPECT_EQ(o.order_id, "so-1@2025-12-03");
  EXPECT_EQ(o.site_id, "site-1");
  EXPECT_EQ(o.elder_id, "elder-1");
  EXPECT_EQ(o.meals, 2u);
  EXPECT_EQ(o.meal_class, MealClass::kChilled);
  EXPECT_EQ(o.window_start_ms, kMonday + 2 * kDayMs + 11 * kHourMs + 30 * kMinuteMs);
  EXPECT_EQ(o.window_end_ms, kMonday + 2 * kDayMs + 12 * kHourMs + 30 * kMinuteMs);
  EXPECT_FALSE(o.has_delivery_location);
  EXPECT_EQ(o.batch_id, "") << "no batch without a pattern batch";
  p.batch_id = "lunch";
  EXPECT_EQ(OrderFor(p, "2025-12-03", kCst).batch_id, "lunch-2025-12-03");
}

TEST(PlacingTimeTest, LeadTimeBeforeTheWindowOpens) {
  EXPECT_EQ(PlacingTime(Pattern(), "2025-12-01", kCst, 3 * kHourMs), kMonday + 8 * kHourMs + 30 * kMinuteMs);
  EXPECT_EQ(PlacingTime(Pattern(), "2025-12-01", 0, 0), kMonday + 8 * kHourMs + 11 * kHourMs + 30 * kMinuteMs)
      << "UTC midnight is 08:00 in China";
}

TEST(ResumeTest, EndsTheSuspensionInForceYesterdayAndKeepsLaterOnes) {
  StandingOrder so{Pattern(), "area-1", {}, "2025-12-10"};
  so.suspensions = {
      {"2025-11-20", "2025-11-25", "past"},     // over: untouched
      {"2025-12-01", "", "hospital"},           // in force: now ends yesterday
      {"2025-12-04", "2025-12-06", "in force"}, // in force, bounded: ends yesterday too
      {"2025-12-20", "", "holiday"},            // later: stays
  };
  Resume(so, "2025-12-05");
  ASSERT_EQ(so.suspensions.size(), 4u);
  EXPECT_EQ(so.suspensions[0].until_date, "2025-11-25");
  EXPECT_EQ(so.suspensions[1].until_date, "2025-12-04");
  EXPECT_EQ(so.suspensions[2].until_date, "2025-12-04");
  EXPECT_EQ(so.suspensions[3].until_date, "");
  EXPECT_FALSE(IsSuspended(so, "2025-12-05"));
  EXPECT_TRUE(IsSuspended(so, "2025-12-04"));
  EXPECT_TRUE(IsSuspended(so, "2025-12-20"));
}

TEST(ResumeTest, ASuspensionBegunTodayIsDropped) {
  StandingOrder so{Pattern(), "area-1", {{"2025-12-05", "2025-12-09", "cold"}}, "2025-12-10"};
  Resume(so, "2025-12-05");
  EXPECT_TRUE(so.suspensions.empty());
}

}  // namespace
}  // namespace meal::dispatch
