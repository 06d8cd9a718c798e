#include "common/dates.h"

#include <gtest/gtest.h>

namespace meal {
namespace {

TEST(LocalDateTest, ChinaStandardTimeTurnsTheDayAtSixteenUtc) {
  constexpr DurationMs kCst = 8 * kHourMs;
  constexpr EventTimeMs kNewYear2026Utc = 1'767'225'600'000;  // 2026-01-01T00:00:00Z
  EXPECT_EQ(LocalDate(kNewYear2026Utc, 0), "2026-01-01");
  EXPECT_EQ(LocalDate(kNewYear2026Utc - 1, 0), "2025-12-31");
  EXPECT_EQ(LocalDate(kNewYear2026Utc - 8 * kHourMs, kCst), "2026-01-01");
  EXPECT_EQ(LocalDate(kNewYear2026Utc - 8 * kHourMs - 1, kCst), "2025-12-31");
  EXPECT_EQ(LocalDate(kNewYear2026Utc + 59 * kDayMs, 0), "2026-03-01") << "2026 is no leap year";
  EXPECT_EQ(LocalDate(0, -kHourMs), "1969-12-31");
}

TEST(LocalMinuteOfDayTest, CountsFromLocalMidnight) {
  constexpr EventTimeMs kNewYear2026Utc = 1'767'225'600'000;
  EXPECT_EQ(LocalMinuteOfDay(kNewYear2026Utc, 8 * kHourMs), 8 * 60);
  EXPECT_EQ(LocalMinuteOfDay(kNewYear2026Utc - kMinuteMs, 0), 23 * 60 + 59);
  EXPECT_EQ(LocalMinuteOfDay(-kMinuteMs, 0), 23 * 60 + 59) << "before the epoch too";
  EXPECT_EQ(ClockText(10 * 60 + 5), "10:05");
  EXPECT_EQ(ClockText(0), "00:00");
}

TEST(IsDateTest, AcceptsRealDatesOnly) {
  EXPECT_TRUE(IsDate("2026-11-29"));
  EXPECT_TRUE(IsDate("2028-02-29"));
  EXPECT_FALSE(IsDate("2026-02-29"));
  EXPECT_FALSE(IsDate("2026-13-01"));
  EXPECT_FALSE(IsDate("2026-1-01"));
  EXPECT_FALSE(IsDate("2026/11/29"));
  EXPECT_FALSE(IsDate("2026-11-2x"));
  EXPECT_FALSE(IsDate(""));
}

}  // namespace
TEST(DatesTest, CalendarArithmetic) {
  // 2026-11-30 is a Monday; local midnight in China is 16:00 UTC the day before.
  EXPECT_EQ(IsoWeekday("2026-11-30"), 1);
  EXPECT_EQ(IsoWeekday("2026-12-06"), 7);
  EXPECT_EQ(AddDays("2026-11-30", 1), "2026-12-01");
  EXPECT_EQ(AddDays("2024-02-28", 1), "2024-02-29");
  EXPECT_EQ(AddDays("2027-01-01", -1), "2026-12-31");
  const DurationMs china = 8 * kHourMs;
  const EventTimeMs midnight = LocalMidnightMs("2026-11-30", china);
  EXPECT_EQ(LocalDate(midnight, china), "2026-11-30");
  EXPECT_EQ(LocalDate(midnight - 1, china), "2026-11-29");
  EXPECT_EQ(LocalMinuteOfDay(midnight, china), 0);
}

}  // namespace meal
