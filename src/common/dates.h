// Calendar dates of event times, in a fixed offset from UTC.
#pragma once

#include <string>
#include <string_view>

#include "common/units.h"

namespace meal {

inline constexpr DurationMs kDayMs = 24 * kHourMs;

// The local date of `time_ms` as YYYY-MM-DD, local time being UTC plus
// `utc_offset_ms` (fixed: the service areas keep no daylight saving).
std::string LocalDate(EventTimeMs time_ms, DurationMs utc_offset_ms);

// Minutes since local midnight of `time_ms` (0–1439).
int LocalMinuteOfDay(EventTimeMs time_ms, DurationMs utc_offset_ms);

// "HH:MM" for minutes since midnight.
std::string ClockText(int minute_of_day);

// Whether `text` is a real date written YYYY-MM-DD.
bool IsDate(std::string_view text);

// For a date that IsDate accepts: when its local midnight falls, in ms
// since the Unix epoch.
EventTimeMs LocalMidnightMs(std::string_view date, DurationMs utc_offset_ms);

// For a date that IsDate accepts: the date `days` later (or earlier).
std::string AddDays(std::string_view date, int days);

// For a date that IsDate accepts: its ISO weekday, 1 = Monday … 7 = Sunday.
int IsoWeekday(std::string_view date);

}  // namespace meal
