#include "common/dates.h"

#include <chrono>
#include <cstdio>

namespace meal {
namespace {
std::string DateText(std::chrono::year_month_day ymd);
}  // namespace

std::string LocalDate(EventTimeMs time_ms, DurationMs utc_offset_ms) {
  const std::chrono::sys_days day =
      std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::milliseconds>(
          std::chrono::milliseconds(time_ms + utc_offset_ms)));
  return DateText(std::chrono::year_month_day(day));
}

int LocalMinuteOfDay(EventTimeMs time_ms, DurationMs utc_offset_ms) {
  const EventTimeMs local = time_ms + utc_offset_ms;
  const EventTimeMs into_day = ((local % kDayMs) + kDayMs) % kDayMs;
  return static_cast<int>(into_day / kMinuteMs);
}

std::string ClockText(int minute_of_day) {
  char text[8];
  std::snprintf(text, sizeof text, "%02d:%02d", minute_of_day / 60 % 100, minute_of_day % 60);
  return text;
}

namespace {

// The date written in `text`, or !ok() when it is none.
std::chrono::year_month_day ParseDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return {};
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (std::size_t i = starts[p]; i < starts[p] + lengths[p]; ++i) {
      if (text[i] < '0' || text[i] > '9') return {};
      parts[p] = parts[p] * 10 + (text[i] - '0');
    }
  }
  return std::chrono::year_month_day(std::chrono::year(parts[0]), std::chrono::month(static_cast<unsigned>(parts[1])),
                                     std::chrono::day(static_cast<unsigned>(parts[2])));
}

std::string DateText(std::chrono::year_month_day ymd) {
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
}

}  // namespace

bool IsDate(std::string_view text) { return ParseDate(text).ok(); }

EventTimeMs LocalMidnightMs(std::string_view date, DurationMs utc_offset_ms) {
  const std::chrono::sys_days day(ParseDate(date));
  return std::chrono::duration_cast<std::chrono::milliseconds>(day.time_since_epoch()).count() - utc_offset_ms;
}

std::string AddDays(std::string_view date, int days) {
  return DateText(std::chrono::year_month_day(std::chrono::sys_days(ParseDate(date)) + std::chrono::days(days)));
}

int IsoWeekday(std::string_view date) {
  return static_cast<int>(std::chrono::weekday(std::chrono::sys_days(ParseDate(date))).iso_encoding());
}

}  // namespace meal
