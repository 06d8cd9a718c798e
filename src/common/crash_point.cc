#include "common/crash_point.h"

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string>

namespace meal {
namespace {

struct Armed {
  std::string point;
  long remaining = 0;  // passes left before the crash; 0 when unarmed
};

Armed& Arming() {
  static Armed armed = [] {
    Armed a;
    const char* spec = std::getenv("MEAL_TEST_CRASH_AT");
    if (!spec || !*spec) return a;
    const std::string s(spec);
    const std::size_t colon = s.find(':');
    a.point = s.substr(0, colon);
    a.remaining = colon == std::string::npos ? 1 : std::max(1L, std::strtol(s.c_str() + colon + 1, nullptr, 10));
    return a;
  }();
  return armed;
}

}  // namespace

void CrashPoint(std::string_view point) {
  Armed& armed = Arming();
  if (armed.remaining == 0 || point != armed.point) return;
  if (--armed.remaining > 0) return;
  std::fprintf(stderr, "MEAL_TEST_CRASH_AT: aborting at %.*s\n", static_cast<int>(point.size()), point.data());
  std::fflush(stderr);
  std::abort();
}

}  // namespace meal
