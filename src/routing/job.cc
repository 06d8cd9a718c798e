#include "routing/job.h"

#include <algorithm>

namespace meal::routing {
namespace {

// One stop serving both, or nullopt when their windows do not overlap.
std::optional<Stop> Combine(const Stop& a, const Stop& b, DurationMs extra_service_ms) {
  if (!(a.location == b.location) || a.place != b.place || a.gap_count != 0 || b.gap_count != 0) return std::nullopt;
  Stop s = a;
  s.load_delta += b.load_delta;
  s.earliest = std::max(a.earliest, b.earliest);
  s.latest = std::min(a.latest, b.latest);
  if (s.earliest > s.latest) return std::nullopt;
  s.service_ms = std::max(a.service_ms, b.service_ms) + extra_service_ms;
  if (a.max_ride_ms == 0 || b.max_ride_ms == 0) {
    s.max_ride_ms = std::max(a.max_ride_ms, b.max_ride_ms);
  } else {
    s.max_ride_ms = std::min(a.max_ride_ms, b.max_ride_ms);
  }
  s.due = std::min(a.due, b.due);
  s.lateness_weight = a.lateness_weight + b.lateness_weight;
  s.skills = a.skills | b.skills;
  return s;
}

}  // namespace

std::optional<Job> CombineJobs(const Job& a, const Job& b, DurationMs extra_service_ms) {
  if (a.delivery.picked_up_at != kNotPickedUp || b.delivery.picked_up_at != kNotPickedUp) return std::nullopt;
  const std::optional<Stop> pickup = Combine(a.pickup, b.pickup, 0);
  const std::optional<Stop> delivery = Combine(a.delivery, b.delivery, extra_service_ms);
  if (!pickup || !delivery) return std::nullopt;
  return Job{*pickup, *delivery, std::max(a.priority, b.priority)};
}

}  // namespace meal::routing
