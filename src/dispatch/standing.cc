#include "dispatch/standing.h"

#include <algorithm>

#include "common/dates.h"

namespace meal::dispatch {

std::optional<std::string> NextServiceDate(const StandingOrderSet& pattern, std::string_view from) {
  std::string date(std::max(from, std::string_view(pattern.first_date)));
  // Every weekday comes round within a week.
  for (int i = 0; i < 7; ++i, date = AddDays(date, 1)) {
    if (!pattern.last_date.empty() && date > pattern.last_date) return std::nullopt;
    if (pattern.weekdays & (1u << (IsoWeekday(date) - 1))) return date;
  }
  return std::nullopt;
}

bool IsSuspended(const StandingOrder& standing, std::string_view date) {
  return std::any_of(standing.suspensions.begin(), standing.suspensions.end(), [&](const Suspension& s) {
    return s.from_date <= date && (s.until_date.empty() || date <= s.until_date);
  });
}

OrderPlaced OrderFor(const StandingOrderSet& pattern, std::string_view date, DurationMs utc_offset_ms) {
  const EventTimeMs midnight = LocalMidnightMs(date, utc_offset_ms);
  OrderPlaced o;
  o.order_id = pattern.standing_id + "@" + std::string(date);
  o.site_id = pattern.site_id;
  o.elder_id = pattern.elder_id;
  o.meals = pattern.meals;
  o.meal_class = pattern.meal_class;
  o.window_start_ms = midnight + pattern.window_start_min * kMinuteMs;
  o.window_end_ms = midnight + pattern.window_end_min * kMinuteMs;
  if (!pattern.batch_id.empty()) o.batch_id = pattern.batch_id + "-" + std::string(date);
  return o;
}

EventTimeMs PlacingTime(const StandingOrderSet& pattern, std::string_view date, DurationMs utc_offset_ms,
                        DurationMs lead_ms) {
  return LocalMidnightMs(date, utc_offset_ms) + pattern.window_start_min * kMinuteMs - lead_ms;
}

void Resume(StandingOrder& standing, std::string_view today) {
  const std::string yesterday = AddDays(today, -1);
  std::erase_if(standing.suspensions, [&](Suspension& s) {
    const bool in_force = s.from_date <= today && (s.until_date.empty() || today <= s.until_date);
    if (!in_force) return false;
    if (s.from_date > yesterday) return true;  // it began today: as if it never had
    s.until_date = yesterday;
    return false;
  });
}

}  // namespace meal::dispatch
