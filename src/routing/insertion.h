// Cheapest feasible insertion of one pickup-and-delivery job into live
// routes: the objective, and the exhaustive reference search.
#pragma once

#include <optional>
#include <span>
#include <tuple>
#include <vector>

#include "routing/route.h"

namespace meal::routing {

struct InsertionOptions {
  // Prefer couriers who already have work: starting an idle courier's route
  // ranks after any insertion into a busy one of equal lateness (the live
  // counterpart of the benchmarks' fewest-vehicles objective). Default: false
  // (least added travel).
  bool minimise_couriers = false;
};

struct Insertion {
  std::size_t route = 0;
  std::size_t pickup_pos = 0;    // index of the pickup in the new stop list
  std::size_t delivery_pos = 0;  // index of the delivery in the new stop list
  // Weighted lateness the insertion adds over the whole route; never
  // negative (with a non-metric table or rounding an insertion can make a
  // later stop earlier, which is not rewarded).
  std::int64_t added_lateness = 0;
  bool activates = false;        // puts an idle courier to work (minimise_couriers only)
  DurationMs added_travel_ms = 0;
  EventTimeMs end_ms = 0;        // the route's new end time
};

// The objective, lexicographic: added lateness, then (minimise_couriers)
// activation, then added travel, then the earlier route end. Equal keys are
// broken by the caller's enumeration order (lower route, earlier positions).
inline bool Better(const Insertion& a, const Insertion& b) {
  return std::tie(a.added_lateness, a.activates, a.added_travel_ms, a.end_ms) <
         std::tie(b.added_lateness, b.activates, b.added_travel_ms, b.end_ms);
}

// Adds `candidate` to `top` (at most k entries, best first, one per route)
// after any entry it does not beat.
void KeepBest(std::vector<Insertion>& top, const Insertion& candidate, std::size_t k);

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

// The reference search, by brute force: every route, every pair of positions
// (pickup before delivery), each candidate evaluated in full. Returns the
// best insertion of each route, the k best routes, best first; routes that
// are infeasible as they stand or lack a required skill take nothing.
// Deterministic: a pure function of the input.
std::vector<Insertion> CheapestInsertions(std::span<const Route> routes, const Stop& pickup, const Stop& delivery,
                                          const TravelModel& travel, const InsertionOptions& options,
                                          std::size_t k);
// The best of CheapestInsertions; nullopt iff no route can take the job.
std::optional<Insertion> CheapestInsertion(std::span<const Route> routes, const Stop& pickup,
                                           const Stop& delivery, const TravelModel& travel,
                                           const InsertionOptions& options = {});

// The route's stops with the job inserted as `insertion` says.
std::vector<Stop> ApplyInsertion(const Route& route, const Insertion& insertion, const Stop& pickup,
                                 const Stop& delivery);

}  // namespace meal::routing
