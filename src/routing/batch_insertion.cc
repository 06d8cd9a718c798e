#include "routing/batch_insertion.h"

#include <algorithm>
#include <optional>
#include <tuple>

namespace meal::routing {
namespace {

// What choosing a job now is worth, compared lexicographically: priority,
// then how many of its k best routes are missing (each a regret beyond
// measure), then the lateness and the travel regret.
struct Urgency {
  std::int32_t priority = 0;
  std::size_t missing = 0;
  std::int64_t lateness_regret = 0;
  DurationMs travel_regret = 0;

  auto Key() const { return std::tie(priority, missing, lateness_regret, travel_regret); }
};

Urgency UrgencyOf(const Job& job, const std::vector<Insertion>& top, std::size_t k) {
  Urgency u;
  u.priority = job.priority;
  u.missing = k - top.size();
  if (k == 1) {  // plain greedy: the cheapest job first
    u.lateness_regret = -top[0].added_lateness;
    u.travel_regret = -top[0].added_travel_ms;
    return u;
  }
  for (std::size_t h = 1; h < top.size(); ++h) {
    u.lateness_regret += top[h].added_lateness - top[0].added_lateness;
    u.travel_regret += top[h].added_travel_ms - top[0].added_travel_ms;
  }
  return u;
}

}  // namespace

BatchResult InsertJobs(LivePlan& plan, std::span<const Job> jobs, const BatchOptions& options) {
  // A lone job has nothing to be ranked against: its best route is enough,
  // and searching for one route prunes far more than searching for k.
  const std::size_t k = jobs.size() == 1 ? 1 : std::max<std::size_t>(1, options.regret_k);
  BatchResult result;
  std::vector<bool> done(jobs.size(), false);
  // Each job's k best routes, kept up to date as routes change.
  std::vector<std::vector<Insertion>> top(jobs.size());
  for (std::size_t j = 0; j < jobs.size(); ++j) top[j] = plan.BestInsertions(jobs[j].pickup, jobs[j].delivery, k);
  for (;;) {
    std::optional<std::size_t> chosen;
    Urgency chosen_urgency;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      if (done[j] || top[j].empty()) continue;
      const Urgency u = UrgencyOf(jobs[j], top[j], k);
      if (!chosen || u.Key() > chosen_urgency.Key()) {
        chosen = j;
        chosen_urgency = u;
      }
    }
    if (!chosen) break;
    const Insertion where = top[*chosen].front();
    const Route& route = plan.route(where.route);
    Route updated{route.vehicle, ApplyInsertion(route, where, jobs[*chosen].pickup, jobs[*chosen].delivery)};
    plan.SetRoute(where.route, std::move(updated));
    done[*chosen] = true;
    result.placed.push_back({*chosen, where});
    // Only the changed route can change a job's list: a job that had it
    // there is searched again in full (another route may now enter its
    // top k); for the others the changed route is searched alone and
    // joins the list if it earns a place.
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      if (done[j]) continue;
      const bool listed = std::any_of(top[j].begin(), top[j].end(),
                                      [&](const Insertion& i) { return i.route == where.route; });
      if (listed) {
        top[j] = plan.BestInsertions(jobs[j].pickup, jobs[j].delivery, k);
      } else if (const auto there = plan.BestInsertionInRoute(where.route, jobs[j].pickup, jobs[j].delivery)) {
        KeepBest(top[j], *there, k);
      }
    }
  }
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    if (!done[j]) result.unplaced.push_back(j);
  }
  return result;
}

}  // namespace meal::routing
