// Standing orders: an elder's recurring weekly order, with suspensions.
// Pure functions of the pattern and the calendar; the engine keeps the
// state and fires the timers.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "model/entities.h"

namespace meal::dispatch {

// The first service date on or after `from` (YYYY-MM-DD) that the pattern
// serves — its weekday is in the pattern, it is within first_date and
// last_date — or nullopt when there is none. Suspensions do not count:
// whether a date is suspended is decided when its order would be placed.
std::optional<std::string> NextServiceDate(const StandingOrderSet& pattern, std::string_view from);

// Whether a suspension covers `date`.
bool IsSuspended(const StandingOrder& standing, std::string_view date);

// The order for `date` ("<standing_id>@<date>"), its window in local time;
// the batch is "<batch_id>-<date>" when the pattern names one.
OrderPlaced OrderFor(const StandingOrderSet& pattern, std::string_view date, DurationMs utc_offset_ms);

// When the order for `date` is placed: `lead_ms` before its window opens.
EventTimeMs PlacingTime(const StandingOrderSet& pattern, std::string_view date, DurationMs utc_offset_ms,
                        DurationMs lead_ms);

// Ends every suspension in force on `today`: it now ends the day before
// (or is dropped when it had not begun). Later suspensions stay.
void Resume(StandingOrder& standing, std::string_view today);

}  // namespace meal::dispatch
