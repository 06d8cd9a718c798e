// An area's live plan: every courier's route with its schedule cached, so a
// new order's best insertion is found exactly and fast.
//
// BestInsertion returns exactly what CheapestInsertion (insertion.h) returns
// for the same routes — the same route and positions, by the same objective
// and tie-breaks — while skipping work with bounds that are provably safe:
//   - a route whose cheapest conceivable detour (from cached leg times and the
//     new stops' travel times alone) already exceeds the best found is skipped;
//   - within a route, a position pair is rejected by O(1) checks on each stop's
//     latest feasible start, the load profile and the new meal's ride limit,
//     and only a pair at least as cheap as the best is simulated in full.
// Travel times use unit-vector places, computed once per stop.
//
// Not thread-safe; one owner.
#pragma once

#include <optional>
#include <vector>

#include "routing/insertion.h"
#include "routing/route.h"
#include "routing/travel.h"

namespace meal::routing {

class LivePlan {
 public:
  explicit LivePlan(TravelModel travel) : travel_(std::move(travel)) {}

  // Adds (r == size()) or replaces route r and refreshes its cache: O(stops).
  // Returns whether the route is feasible as it stands; an infeasible route
  // takes no insertion.
  bool SetRoute(std::size_t r, Route route);
  std::size_t size() const { return routes_.size(); }
  const Route& route(std::size_t r) const { return routes_[r].route; }

  // The cheapest feasible insertion of the pickup–delivery pair, or nullopt
  // when no route can take it. Equals CheapestInsertion(routes, …).
  std::optional<Insertion> BestInsertion(const Stop& pickup, const Stop& delivery) const;

 private:
  struct Cached {
    Route route;
    bool feasible = false;
    // Unit vectors of the places, one array per axis so the distances to a new
    // stop vectorise. Slot 0: the start; slot k + 1: stop k.
    std::vector<double> xs, ys, zs;
    std::vector<DurationMs> leg;         // into stop k from its predecessor
    std::vector<EventTimeMs> departure;  // from stop k
    std::vector<EventTimeMs> latest;    // latest start of stop k keeping every later stop feasible
    std::vector<std::int32_t> load;      // after stop k
    DurationMs travel_ms = 0;
  };

  // Simulates route `c` with the pickup at i and the delivery at j + 1 (as in
  // Insertion), using cached legs and the new stops' travel times `dp`, `dd`
  // (by slot) and `pd`. Same checks as Evaluate.
  bool Confirm(const Cached& c, std::size_t i, std::size_t j, const Stop& pickup, const Stop& delivery,
               const DurationMs* dp, const DurationMs* dd, DurationMs pd, RouteCost* cost) const;

  TravelModel travel_;
  std::vector<Cached> routes_;
  mutable std::vector<DurationMs> dp_, dd_;
  mutable std::vector<double> ms_scratch_;
  mutable std::vector<EventTimeMs> scratch_departure_;
};

}  // namespace meal::routing
