// Units of the domain. Times are event times in milliseconds since the Unix
// epoch; durations are milliseconds; distances are metres.
#pragma once

#include <cstdint>

namespace meal {

using EventTimeMs = std::int64_t;
using DurationMs = std::int64_t;
using DistanceM = double;

inline constexpr DurationMs kSecondMs = 1000;
inline constexpr DurationMs kMinuteMs = 60 * kSecondMs;
inline constexpr DurationMs kHourMs = 60 * kMinuteMs;

}  // namespace meal
