#include "routing/route.h"

namespace meal::routing {

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
