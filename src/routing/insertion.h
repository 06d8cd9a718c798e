// Cheapest feasible insertion of one pickup-and-delivery job into live routes.
#pragma once

#include <optional>
#include <span>

#include "routing/route.h"

namespace meal::routing {

struct Insertion {
  std::size_t route = 0;
  std::size_t pickup_pos = 0;    // index of the pickup in the new stop list
  std::size_t delivery_pos = 0;  // index of the delivery in the new stop list
  DurationMs added_travel_ms = 0;
  EventTimeMs end_ms = 0;        // the route's new end time
};

// The k-th stop of `stops` with the pickup placed at i and the delivery at
// j + 1 (the delivery goes before stops[j]), without building the sequence.
inline const Stop& InsertedStopAt(const std::vector<Stop>& stops, std::size_t i, std::size_t j, const Stop& pickup,
                                  const Stop& delivery, std::size_t k) {
  if (k < i) return stops[k];
  if (k == i) return pickup;
  if (k <= j) return stops[k - 1];
  if (k == j + 1) return delivery;
  return stops[k - 2];
}

// Tries every route and every pair of positions (pickup before delivery) and
// returns the feasible insertion that adds the least travel time; ties go to
// the earlier route end, then the lower route index, then earlier positions,
// so the answer is a pure function of the input. Routes that are infeasible
// as they stand are skipped. nullopt iff no route can take the job.
std::optional<Insertion> CheapestInsertion(std::span<const Route> routes, const Stop& pickup,
                                           const Stop& delivery, const TravelModel& travel);

// The route's stops with the job inserted as `insertion` says.
std::vector<Stop> ApplyInsertion(const Route& route, const Insertion& insertion, const Stop& pickup,
                                 const Stop& delivery);

}  // namespace meal::routing
