// Wellness checks: nobody answered the door, so someone must find out why.
// The no-answer protocol has steps — the courier knocks again and waits,
// then the office phones the elder, then the emergency contact, then a
// community worker goes round — each with a time limit in event time. When
// a step's time runs out the case escalates to the next, raising a critical
// alert; the last step keeps raising one each period. Only an operator's
// acknowledgement closes a case.
#pragma once

#include <array>

#include "model/entities.h"

namespace meal::dispatch {

// How long each step may take before the case escalates, by WellnessStep.
using WellnessSchedule = std::array<DurationMs, kWellnessSteps>;

// A case for the order whose delivery found nobody home, at step one.
WellnessCase OpenWellnessCase(const Order& order, const std::string& courier_id, EventTimeMs at,
                              const WellnessSchedule& schedule);

// Runs the case's clock to its due time: the next step begins then (or the
// last one is announced again). Call when stream time reaches step_due_ms.
void Escalate(WellnessCase& c, const WellnessSchedule& schedule);

// The alert for the case's current step and announcement (critical), or for
// its closing (info) once closed. Ids and times are functions of the case,
// so a re-announcement after a restart repeats the same alert.
Alert WellnessAlert(const WellnessCase& c, const WellnessSchedule& schedule);

}  // namespace meal::dispatch
