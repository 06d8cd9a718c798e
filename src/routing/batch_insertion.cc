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
  const std::size_t k = std::max<std::size_t>(1, options.regret_k);
  BatchResult result;
  std::vector<bool> done(jobs.size(), false);
  for (;;) {
    std::optional<std::size_t> chosen;
    Urgency chosen_urgency;
    Insertion chosen_insertion;
    for (std::size_t j = 0; j < jobs.size(); ++j) {
      if (done[j]) continue;
      const std::vector<Insertion> top = plan.BestInsertions(jobs[j].pickup, jobs[j].delivery, k);
      if (top.empty()) continue;
      const Urgency u = UrgencyOf(jobs[j], top, k);
      if (!chosen || u.Key() > chosen_urgency.Key()) {
        chosen = j;
        chosen_urgency = u;
        chosen_insertion = top.front();
      }
    }
    if (!chosen) break;
    const Route& route = plan.route(chosen_insertion.route);
    Route updated{route.vehicle, ApplyInsertion(route, chosen_insertion, jobs[*chosen].pickup, jobs[*chosen].delivery)};
    plan.SetRoute(chosen_insertion.route, std::move(updated));
    done[*chosen] = true;
    result.placed.push_back({*chosen, chosen_insertion});
  }
  for (std::size_t j = 0; j < jobs.size(); ++j) {
    if (!done[j]) result.unplaced.push_back(j);
  }
  return result;
}

}  // namespace meal::routing
