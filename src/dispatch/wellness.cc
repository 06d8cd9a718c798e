#include "dispatch/wellness.h"

#include <string>

namespace meal::dispatch {
namespace {

constexpr const char* kStepTask[kWellnessSteps] = {
    "courier: knock again, call out, wait at the door",
    "office: phone the elder",
    "office: phone the elder's emergency contact",
    "community worker: visit the home now",
};

}  // namespace

WellnessCase OpenWellnessCase(const Order& order, const std::string& courier_id, EventTimeMs at,
                              const WellnessSchedule& schedule) {
  WellnessCase c;
  c.case_id = "wc-" + order.order_id;
  c.area_id = order.area_id;
  c.order_id = order.order_id;
  c.elder_id = order.elder_id;
  c.courier_id = courier_id;
  c.site_id = order.site_id;
  c.opened_ms = at;
  c.step = WellnessStep::kCourierRetries;
  c.step_due_ms = at + schedule[0];
  c.steps.emplace_back(c.step, at);
  c.announcements = 1;
  return c;
}

void Escalate(WellnessCase& c, const WellnessSchedule& schedule) {
  const EventTimeMs at = c.step_due_ms;
  const auto index = static_cast<std::size_t>(c.step);
  if (index + 1 < kWellnessSteps) {
    c.step = static_cast<WellnessStep>(index + 1);
    c.steps.emplace_back(c.step, at);
    c.announcements = 1;
  } else {
    ++c.announcements;
  }
  c.step_due_ms = at + schedule[static_cast<std::size_t>(c.step)];
}

Alert WellnessAlert(const WellnessCase& c, const WellnessSchedule& schedule) {
  Alert a;
  a.area_id = c.area_id;
  a.kind = c.closed ? AlertKind::kWellnessClosed : AlertKind::kWellnessCheck;
  a.severity = c.closed ? Severity::kInfo : Severity::kCritical;
  a.order_id = c.order_id;
  a.courier_id = c.courier_id;
  a.elder_id = c.elder_id;
  a.site_id = c.site_id;
  a.case_id = c.case_id;
  const auto step = static_cast<std::size_t>(c.step);
  if (c.closed) {
    a.alert_id = "wellness/" + c.order_id + "/closed";
    a.time_ms = c.closed_ms;
    a.reason = "closed by " + c.closed_by + ": " + std::string(WellnessOutcomeName(c.outcome)) +
               (c.note.empty() ? "" : " (" + c.note + ")");
    return a;
  }
  a.alert_id = "wellness/" + c.order_id + "/" + std::to_string(step);
  if (c.announcements > 1) a.alert_id.append("/").append(std::to_string(c.announcements));
  a.time_ms = c.step_due_ms - schedule[step];  // when this announcement fell due
  a.reason = "nobody answered the door: step " + std::to_string(step + 1) + " of " + std::to_string(kWellnessSteps) +
             ", " + kStepTask[step] + "; acknowledge case " + c.case_id + " when the elder is accounted for";
  return a;
}

}  // namespace meal::dispatch
