// Named points where a test may make the process die, to prove that a crash
// at any instant of the commit protocol loses and doubles nothing
// (docs/reliability.md). Armed only by the environment variable
// MEAL_TEST_CRASH_AT=<point>[:<n>]: the n-th pass (default 1st) through
// <point> calls std::abort(), as sudden as SIGKILL. Unarmed, a pass costs one
// comparison.
#pragma once

#include <string_view>

namespace meal {

void CrashPoint(std::string_view point);

}  // namespace meal
