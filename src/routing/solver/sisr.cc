#include "routing/solver/sisr.h"

#include <algorithm>
#include <chrono>
#include <cmath>
#include <vector>

#include "routing/solver/insertion.h"
#include "common/random.h"

namespace meal::routing::solver {

namespace {

using Clock = std::chrono::steady_clock;

class Search {
 public:
  Search(const Problem& p, const SisrOptions& o) : p_(p), o_(o), rng_(o.seed), start_(Clock::now()) {
    touched_flag_.assign(p.max_routes, 0);
    absence_.assign(p.num_nodes, 0);
    lone_distance_.assign(p.num_nodes, 0);
    for (int c : p.requests) {
      lone_distance_[c] = p.pickup_delivery
                              ? p.Distance(0, c) + p.Distance(c, p.partner[c]) + p.Distance(p.partner[c], 0)
                              : 2 * p.Distance(0, c);
    }
  }

  Solution Run();

 private:
  // Fraction of the run done, in [0, 1]: by iterations when capped (so the
  // schedule is reproducible), else by the clock.
  double Progress() const {
    if (o_.max_iterations > 0) return static_cast<double>(iteration_) / static_cast<double>(o_.max_iterations);
    return static_cast<double>(ElapsedMs()) / static_cast<double>(std::max<std::int64_t>(1, o_.budget_ms));
  }
  bool Done() const {
    if (o_.max_iterations > 0 && iteration_ >= o_.max_iterations) return true;
    return ElapsedMs() >= o_.budget_ms;
  }
  std::int64_t ElapsedMs() const {
    return std::chrono::duration_cast<std::chrono::milliseconds>(Clock::now() - start_).count();
  }

  // Inserts `items` greedily into `s` in one of SISR's sort orders; what
  // cannot be placed goes to s.unassigned. At most `route_cap` routes used.
  void Recreate(Solution& s, std::vector<int>& items, int route_cap);
  void SortItems(std::vector<int>& items);

  // Makes the touched routes of `dst` equal to those of `src`.
  void Sync(Solution& dst, const Solution& src);
  void ClearTouched() {
    for (int r : touched_) touched_flag_[r] = 0;
    touched_.clear();
  }

  void FleetPhase(double until);
  void DistancePhase(double from, double to, bool count_vehicles);

  const Problem& p_;
  const SisrOptions& o_;
  Rng rng_;
  Clock::time_point start_;
  std::int64_t iteration_ = 0;

  Solution current_;
  Solution candidate_;
  Solution best_;
  double best_cost_ = 0;
  int route_cap_ = 0;

  std::vector<int> items_;
  std::vector<int> touched_;
  std::vector<char> touched_flag_;
  std::vector<double> sort_key_;
  std::vector<std::int64_t> absence_;
  std::vector<double> lone_distance_;  // per request: served on its own route
};

void Search::SortItems(std::vector<int>& items) {
  // Random 4, demand 4, far 2, close 1 (the paper's weights).
  for (int i = static_cast<int>(items.size()) - 1; i > 0; --i) std::swap(items[i], items[rng_.Below(i + 1)]);
  const int pick = rng_.Below(11);
  if (pick < 4) return;
  sort_key_.resize(p_.num_nodes);
  for (int c : items) {
    if (pick < 8) {
      sort_key_[c] = -std::abs(p_.demand[c]);
    } else {
      double d = p_.Distance(0, c);
      if (p_.pickup_delivery) d = std::max(d, p_.Distance(0, p_.partner[c]));
      sort_key_[c] = pick < 10 ? -d : d;
    }
  }
  std::stable_sort(items.begin(), items.end(), [&](int a, int b) { return sort_key_[a] < sort_key_[b]; });
}

void Search::Recreate(Solution& s, std::vector<int>& items, int route_cap) {
  SortItems(items);
  int used = s.UsedRoutes();
  for (int c : items) {
    if (!p_.servable[c]) {
      s.unassigned.push_back(c);
      continue;
    }
    const InsertionChoice choice = BestInsertion(p_, s, c, used < route_cap, o_.blink, rng_);
    if (!choice.Found()) {
      s.unassigned.push_back(c);
      continue;
    }
    if (s.routes[choice.route].Empty()) ++used;
    ApplyInsertion(p_, s, c, choice);
    if (!touched_flag_[choice.route]) {
      touched_flag_[choice.route] = 1;
      touched_.push_back(choice.route);
    }
  }
}

void Search::Sync(Solution& dst, const Solution& src) {
  for (int c : src.unassigned) {
    dst.route_of[c] = -1;
    dst.pos_of[c] = -1;
    if (p_.pickup_delivery) {
      dst.route_of[p_.partner[c]] = -1;
      dst.pos_of[p_.partner[c]] = -1;
    }
  }
  for (int r : touched_) dst.CopyRoute(src, r);
  dst.unassigned = src.unassigned;
}

void Search::FleetPhase(double until) {
  // Requests left out in the current solution accumulate absence; a
  // candidate wins when it leaves out fewer, or ones absent less often: the
  // hard-to-place customers get priority.
  Solution fleet_best = current_;
  auto absence_sum = [&](const Solution& s) {
    std::int64_t sum = 0;
    for (int c : s.unassigned) sum += absence_[c];
    return sum;
  };
  while (!Done() && Progress() < until) {
    if (current_.unassigned.empty()) {
      fleet_best = current_;
      if (current_.UsedRoutes() <= 1) break;
      // Drop the route with the fewest customers.
      int drop = -1;
      for (int r = 0; r < static_cast<int>(current_.routes.size()); ++r) {
        if (current_.routes[r].Empty()) continue;
        if (drop < 0 || current_.routes[r].Size() < current_.routes[drop].Size()) drop = r;
      }
      route_cap_ = current_.UsedRoutes() - 1;
      items_.clear();
      RemoveRoute(p_, current_, drop, &items_, &touched_);
      current_.unassigned.insert(current_.unassigned.end(), items_.begin(), items_.end());
      candidate_ = current_;
      ClearTouched();
    }
    ++iteration_;
    items_.assign(candidate_.unassigned.begin(), candidate_.unassigned.end());
    candidate_.unassigned.clear();
    RuinStrings(p_, o_.ruin, candidate_, rng_, &items_, &touched_);
    for (int r : touched_) touched_flag_[r] = 1;
    Recreate(candidate_, items_, route_cap_);
    // When the absence sums tie (usually the same requests left out), the
    // shorter solution wins, so the fleet found next is not a distance wreck.
    const std::int64_t cand_abs = absence_sum(candidate_);
    const std::int64_t cur_abs = absence_sum(current_);
    const bool accept = candidate_.unassigned.size() < current_.unassigned.size() || cand_abs < cur_abs ||
                        (cand_abs == cur_abs && candidate_.unassigned.size() == current_.unassigned.size() &&
                         candidate_.Distance() < current_.Distance() - o_.fleet_temperature * std::log(1.0 - rng_.Unit()));
    if (accept) {
      Sync(current_, candidate_);
    } else {
      Sync(candidate_, current_);
    }
    ClearTouched();
    for (int c : current_.unassigned) ++absence_[c];
  }
  if (current_.unassigned.empty()) fleet_best = current_;
  current_ = fleet_best;
  candidate_ = current_;
  route_cap_ = current_.UsedRoutes();
  best_ = current_;
  best_cost_ = best_.Cost(p_, o_.minimise_vehicles);
}

void Search::DistancePhase(double from, double to, bool count_vehicles) {
  // With the fleet held (count_vehicles), a request left out costs a finite
  // price, so the walk can pass through partial solutions: with a minimal
  // fleet the complete ones are too far apart to reach otherwise. Only
  // complete solutions become the best.
  double soft = count_vehicles ? o_.unassigned_weight : 0;
  // The price adapts so that the walk spends about half its time on complete
  // solutions: too cheap and it never comes back, too dear and it is stuck.
  int window = 0;
  int complete_in_window = 0;
  auto walk_cost = [&](const Solution& s) {
    if (soft <= 0) return s.Cost(p_, count_vehicles);
    double cost = s.Distance();
    for (int c : s.unassigned) cost += soft * lone_distance_[c];
    return cost;
  };
  double current_cost = walk_cost(current_);
  best_cost_ = best_.Cost(p_, count_vehicles);
  const double t0 = o_.initial_temperature;
  const double ratio = o_.final_temperature / o_.initial_temperature;
  const double span = std::max(1e-9, to - from);
  while (!Done() && (to >= 1 || Progress() < to)) {
    ++iteration_;
    const double progress = std::clamp((Progress() - from) / span, 0.0, 1.0);
    const double temperature = t0 * std::pow(ratio, progress);
    items_.assign(candidate_.unassigned.begin(), candidate_.unassigned.end());
    candidate_.unassigned.clear();
    RuinStrings(p_, o_.ruin, candidate_, rng_, &items_, &touched_);
    for (int r : touched_) touched_flag_[r] = 1;
    Recreate(candidate_, items_, route_cap_);
    const double cost = walk_cost(candidate_);
    // Threshold form of the Metropolis rule: accept if the candidate beats
    // the current cost minus T ln U (U uniform in (0, 1]).
    if (cost < current_cost - temperature * std::log(1.0 - rng_.Unit())) {
      Sync(current_, candidate_);
      current_cost = cost;
      const double true_cost = soft > 0 ? current_.Cost(p_, count_vehicles) : cost;
      if (true_cost < best_cost_) {
        best_ = current_;
        best_cost_ = true_cost;
      }
    } else {
      Sync(candidate_, current_);
    }
    ClearTouched();
    if (soft > 0) {
      complete_in_window += current_.unassigned.empty() ? 1 : 0;
      if (++window == 200) {
        if (complete_in_window < 60) soft = std::min(soft * 1.3, 50.0);
        if (complete_in_window > 140) soft = std::max(soft / 1.3, 0.1);
        current_cost = walk_cost(current_);
        window = 0;
        complete_in_window = 0;
      }
    }
  }
}

Solution Search::Run() {
  current_.Init(p_);
  route_cap_ = p_.max_routes;
  items_ = current_.unassigned;
  current_.unassigned.clear();
  Recreate(current_, items_, route_cap_);
  ClearTouched();
  candidate_ = current_;
  best_ = current_;
  best_cost_ = best_.Cost(p_, o_.minimise_vehicles);
  if (o_.minimise_vehicles) {
    // Distance first, free fleet: a good-distance start for fleet
    // minimisation, which keeps most of its routes.
    const double a_end = o_.distance_first_share;
    const double b_end = a_end + o_.fleet_share;
    DistancePhase(0, a_end, false);
    current_ = best_;
    candidate_ = current_;
    FleetPhase(b_end);
    DistancePhase(std::min(Progress(), b_end), 1, true);
  } else {
    DistancePhase(0, 1, false);
  }
  return best_;
}

}  // namespace

Solution SolveSisr(const Problem& p, const SisrOptions& options) {
  Search search(p, options);
  return search.Run();
}

}  // namespace meal::routing::solver
