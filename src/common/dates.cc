#include "common/dates.h"

#include <chrono>
#include <cstdio>

namespace meal {

std::string LocalDate(EventTimeMs time_ms, DurationMs utc_offset_ms) {
  const std::chrono::sys_days day =
      std::chrono::floor<std::chrono::days>(std::chrono::sys_time<std::chrono::milliseconds>(
          std::chrono::milliseconds(time_ms + utc_offset_ms)));
  const std::chrono::year_month_day ymd(day);
  char text[16];
  std::snprintf(text, sizeof text, "%04d-%02u-%02u", static_cast<int>(ymd.year()),
                static_cast<unsigned>(ymd.month()), static_cast<unsigned>(ymd.day()));
  return text;
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

bool IsDate(std::string_view text) {
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return false;
  int parts[3] = {0, 0, 0};
  const std::size_t starts[3] = {0, 5, 8}, lengths[3] = {4, 2, 2};
  for (int p = 0; p < 3; ++p) {
    for (std::size_t i = starts[p]; i < starts[p] + lengths[p]; ++i) {
      if (text[i] < '0' || text[i] > '9') return false;
      parts[p] = parts[p] * 10 + (text[i] - '0');
    }
  }
  return std::chrono::year_month_day(std::chrono::year(parts[0]), std::chrono::month(static_cast<unsigned>(parts[1])),
                                     std::chrono::day(static_cast<unsigned>(parts[2])))
      .ok();
}

}  // namespace meal
