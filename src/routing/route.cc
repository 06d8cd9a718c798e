#include "routing/route.h"

namespace meal::routing {

bool SetWindows(Stop& stop, std::span<const TimeWindow> windows) {
  if (windows.empty() || windows.size() > kMaxWindowGaps + 1) return false;
  for (std::size_t w = 0; w < windows.size(); ++w) {
    if (windows[w].start > windows[w].end) return false;
    // A gap needs at least one closed millisecond between two windows.
    if (w > 0 && windows[w].start <= windows[w - 1].end + 1) return false;
  }
  stop.earliest = windows.front().start;
  stop.latest = windows.back().end;
  stop.gap_count = static_cast<std::uint8_t>(windows.size() - 1);
  for (std::size_t w = 1; w < windows.size(); ++w) stop.gaps[w - 1] = {windows[w - 1].end + 1, windows[w].start};
  return true;
}

bool Evaluate(const Vehicle& vehicle, const std::vector<Stop>& stops, const TravelModel& travel,
              RouteCost* cost, std::vector<StopTiming>* timings) {
  std::vector<EventTimeMs> departures(stops.size());
  if (timings) timings->assign(stops.size(), StopTiming{});
  RouteCost local;
  return EvaluateSequence(
      vehicle, stops.size(), [&](std::size_t k) -> const Stop& { return stops[k]; }, travel,
      departures.data(), cost ? cost : &local, timings ? timings->data() : nullptr);
}

}  // namespace meal::routing
