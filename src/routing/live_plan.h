// An area's live plan: every courier's route with its schedule cached, so a
// new order's best insertion is found exactly and fast.
//
// BestInsertions returns exactly what CheapestInsertions (insertion.h)
// returns for the same routes — the same routes and positions, by the same
// objective and tie-breaks — while skipping work with bounds that are
// provably safe:
//   - with great-circle travel (which obeys the triangle inequality up to a
//     millisecond of rounding), a route whose cheapest conceivable detour,
//     from cached leg times and the new stops' travel times alone, cannot
//     beat the k-th best found is skipped, first on the pickup alone;
//   - within a route, a position pair is rejected by O(1) checks on each
//     stop's latest feasible start, the load profile and the new meal's ride
//     limit, and only a pair that could still win is simulated in full.
// Travel bounds prune only while the bar to beat has no lateness: a later
// candidate could otherwise win on lateness with more travel.
// Travel times use unit-vector places, computed once per stop. With a
// TravelTable (possibly asymmetric, not necessarily metric) they are looked
// up, and nothing that relies on the triangle inequality prunes: neither the
// detour bounds nor the latest-start check of stops between the pickup and
// the delivery (the way on through the delivery may be quicker than the
// direct leg), so a table costs a full simulation per surviving pair.
//
// Not thread-safe; one owner.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <utility>
#include <vector>

#include "routing/insertion.h"
#include "routing/route.h"
#include "routing/travel.h"

namespace meal::routing {

class LivePlan {
 public:
  explicit LivePlan(TravelModel travel, InsertionOptions options = {});

  // What the plan does with a route that breaks a bound as it is set.
  enum class Bounds : std::uint8_t {
    // The route is infeasible and takes no insertion.
    kEnforce,
    // Its courier is already behind: every stop's latest start, every ride
    // limit and the shift end are loosened to what its schedule now needs,
    // so new work can still be fitted in without delaying any stop further
    // (route() then has the loosened bounds). Infeasible only when it is so
    // whatever the times: box overfull, a skill missing, a delivery without
    // its pickup.
    kKeepLateness,
  };

  // Adds (r == size()) or replaces route r and refreshes its cache: O(stops).
  // Returns whether the route is feasible (see Bounds); an infeasible route
  // takes no insertion. Replacing a route by one with the same start, end,
  // mode and stop places (other times or bounds) costs no trigonometry.
  bool SetRoute(std::size_t r, const Route& route, Bounds bounds = Bounds::kEnforce);
  // Route r as it was last set, but starting at `start_time`, its bounds as
  // they were set and loosened afresh (kKeepLateness): O(1). Its schedule is
  // worked out again (O(stops), no copy, no trigonometry) only once a search
  // cannot rule the route out by travel alone, or route(r) is read.
  void SetStartTime(std::size_t r, EventTimeMs start_time);
  // Puts route r back as it was before the last SetRoute, which must have
  // been of route r, with no InsertRoute, EraseRoute or SetStartTime since:
  // O(1).
  void UndoSetRoute(std::size_t r);
  // Inserts a route before route r (r <= size()), as SetRoute.
  bool InsertRoute(std::size_t r, const Route& route);
  // Removes route r; the routes after it move down by one.
  void EraseRoute(std::size_t r);
  std::size_t size() const { return routes_.size(); }
  // Counts the calls that changed the plan: an answer found while it stays
  // the same still holds.
  std::uint64_t changes() const { return changes_; }
  const Route& route(std::size_t r) const { return Timed(r).route; }

  // The best insertion of the pickup–delivery pair in each route, for the k
  // best routes, best first. Equals CheapestInsertions(routes, …, k).
  std::vector<Insertion> BestInsertions(const Stop& pickup, const Stop& delivery, std::size_t k) const;
  // The cheapest feasible insertion, or nullopt when no route can take it.
  // Equals CheapestInsertion(routes, …).
  std::optional<Insertion> BestInsertion(const Stop& pickup, const Stop& delivery) const;
  // The cheapest feasible insertion into route r alone.
  std::optional<Insertion> BestInsertionInRoute(std::size_t r, const Stop& pickup, const Stop& delivery) const;

 private:
  struct Cached {
    Route route;
    // The stops, then the vehicle's end point as a last stop when it has one.
    std::vector<Stop> seq;
    bool feasible = false;
    // Places by slot: slot 0 is the start, slot k + 1 is seq[k]. Unit
    // vectors one array per axis so the distances to a new stop vectorise.
    std::vector<double> xs, ys, zs;
    std::vector<std::int32_t> places;
    std::vector<DurationMs> leg;         // into seq[k] from its predecessor
    std::vector<EventTimeMs> departure;  // from seq[k]
    std::vector<EventTimeMs> latest;     // latest start of seq[k] keeping every later stop feasible
    std::vector<Load> load;              // after seq[k]
    DurationMs travel_ms = 0;
    std::int64_t lateness = 0;
    double reach = 0;  // longest chord from the start to any slot
    bool has_skills = false;  // the vehicle has every skill its stops require
    bool timed = false;       // the schedule is for route.vehicle.start_time
    Bounds bounds = Bounds::kEnforce;
    // kKeepLateness, once loosened: each stop's latest start and ride limit
    // and the shift end as set, which a new start time loosens afresh.
    bool loosened = false;
    std::vector<std::pair<EventTimeMs, DurationMs>> set_bounds;
    EventTimeMs set_shift_end = 0;
  };

  // Whether `route` goes where c's route goes: same start, end, mode and
  // stop places.
  static bool SameWay(const Cached& c, const Route& route);
  // Fills c's places, reach and legs from c.route and c.seq; `was` is the
  // route c replaces.
  void SetWay(Cached& c, const Cached& was) const;
  // Works out c's schedule (departures, latest starts, cost, feasibility)
  // from its start time and its bounds as set, loosening them where
  // c.bounds says so.
  static void Time(Cached& c);
  // Route r with its schedule for its start time (see SetStartTime).
  const Cached& Timed(std::size_t r) const;
  // Loosens c's bounds to its schedule with none (kKeepLateness); false iff
  // it is infeasible even so.
  static bool Loosen(Cached& c);
  // Puts back the bounds Loosen loosened.
  static void RestoreBounds(Cached& c);
  // Sets the latest start of c.seq[k], in c.route too where it is a stop.
  static void SetLatest(Cached& c, std::size_t k, EventTimeMs latest);

  struct Query {
    const Stop& pickup;
    const Stop& delivery;
    Place pickup_place;
    Place delivery_place;
  };
  // Searches route r and keeps its best insertion in `top` (KeepBest), when
  // it can beat the k-th there.
  void SearchRoute(std::size_t r, const Query& q, std::vector<Insertion>& top, std::size_t k) const;
  // Travel between route c's slots and a new stop at `at`: to[s] from slot s,
  // from[k] to seq[k]. Returns `from`, which aliases to + 1 when travel is
  // symmetric.
  const DurationMs* TravelWith(const Cached& c, const Place& at, const Stop& stop, std::vector<DurationMs>& to,
                               std::vector<DurationMs>& from) const;
  // Simulates route `c` with the pickup at i and the delivery at j + 1 (as in
  // Insertion). Same checks as Evaluate.
  bool Confirm(const Cached& c, std::size_t i, std::size_t j, const Stop& pickup, const Stop& delivery,
               const DurationMs* to_p, const DurationMs* from_p, const DurationMs* to_d, const DurationMs* from_d,
               DurationMs pd, RouteCost* cost) const;

  TravelModel travel_;
  InsertionOptions options_;
  std::array<double, kModes> ms_per_rad_{};  // travel_.MsPerRadian by mode
  // Mutable: a search works out the schedules it needs (Timed).
  mutable std::vector<Cached> routes_;
  Cached replaced_;  // what the last SetRoute replaced
  std::uint64_t changes_ = 0;
  mutable std::vector<DurationMs> to_p_, from_p_, to_d_, from_d_;
  mutable std::vector<double> ms_scratch_;
  mutable std::vector<EventTimeMs> scratch_departure_;
};

}  // namespace meal::routing
