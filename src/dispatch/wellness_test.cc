#include "dispatch/wellness.h"

#include <gtest/gtest.h>

namespace meal::dispatch {
namespace {

constexpr EventTimeMs kAt = 1'764'470'000'000;
const WellnessSchedule kSchedule = {10 * kMinuteMs, 15 * kMinuteMs, 30 * kMinuteMs, 60 * kMinuteMs};

Order Failed() {
  Order o;
  o.order_id = "o1";
  o.area_id = "area-1";
  o.site_id = "site-1";
  o.elder_id = "elder-1";
  return o;
}

TEST(WellnessTest, ACaseOpensAtStepOneWithACriticalAlert) {
  const WellnessCase c = OpenWellnessCase(Failed(), "c1", kAt, kSchedule);
  EXPECT_EQ(c.case_id, "wc-o1");
  EXPECT_EQ(c.area_id, "area-1");
  EXPECT_EQ(c.courier_id, "c1");
  EXPECT_EQ(c.opened_ms, kAt);
  EXPECT_EQ(c.step, WellnessStep::kCourierRetries);
  EXPECT_EQ(c.step_due_ms, kAt + 10 * kMinuteMs);
  EXPECT_EQ(c.announcements, 1u);
  ASSERT_EQ(c.steps.size(), 1u);
  EXPECT_EQ(c.steps[0], std::pair(WellnessStep::kCourierRetries, kAt));
  EXPECT_FALSE(c.closed);

  const Alert a = WellnessAlert(c, kSchedule);
  EXPECT_EQ(a.alert_id, "wellness/o1/0");
  EXPECT_EQ(a.kind, AlertKind::kWellnessCheck);
  EXPECT_EQ(a.severity, Severity::kCritical);
  EXPECT_EQ(a.time_ms, kAt);
  EXPECT_EQ(a.case_id, "wc-o1");
  EXPECT_EQ(a.order_id, "o1");
  EXPECT_EQ(a.elder_id, "elder-1");
  EXPECT_EQ(a.courier_id, "c1");
  EXPECT_EQ(a.site_id, "site-1");
  EXPECT_NE(a.reason.find("step 1 of 4"), std::string::npos) << a.reason;
  EXPECT_NE(a.reason.find("acknowledge case wc-o1"), std::string::npos) << a.reason;
}

TEST(WellnessTest, EscalatesThroughEachStepThenRepeatsTheLast) {
  WellnessCase c = OpenWellnessCase(Failed(), "c1", kAt, kSchedule);
  struct Expected {
    WellnessStep step;
    EventTimeMs announced;
    EventTimeMs due;
    const char* alert_id;
  };
  const Expected expected[] = {
      {WellnessStep::kPhoneCall, kAt + 10 * kMinuteMs, kAt + 25 * kMinuteMs, "wellness/o1/1"},
      {WellnessStep::kEmergencyContact, kAt + 25 * kMinuteMs, kAt + 55 * kMinuteMs, "wellness/o1/2"},
      {WellnessStep::kCommunityWorker, kAt + 55 * kMinuteMs, kAt + 115 * kMinuteMs, "wellness/o1/3"},
      {WellnessStep::kCommunityWorker, kAt + 115 * kMinuteMs, kAt + 175 * kMinuteMs, "wellness/o1/3/2"},
      {WellnessStep::kCommunityWorker, kAt + 175 * kMinuteMs, kAt + 235 * kMinuteMs, "wellness/o1/3/3"},
  };
  for (const Expected& e : expected) {
    Escalate(c, kSchedule);
    EXPECT_EQ(c.step, e.step) << e.alert_id;
    EXPECT_EQ(c.step_due_ms, e.due) << e.alert_id;
    const Alert a = WellnessAlert(c, kSchedule);
    EXPECT_EQ(a.alert_id, e.alert_id);
    EXPECT_EQ(a.time_ms, e.announced) << e.alert_id;
    EXPECT_EQ(a.severity, Severity::kCritical);
  }
  ASSERT_EQ(c.steps.size(), 4u) << "a repeated announcement is not a new step";
  EXPECT_EQ(c.steps[3], std::pair(WellnessStep::kCommunityWorker, kAt + 55 * kMinuteMs));
  EXPECT_EQ(c.announcements, 3u);
}

TEST(WellnessTest, AClosedCaseAnnouncesItsClosingAsInfo) {
  WellnessCase c = OpenWellnessCase(Failed(), "c1", kAt, kSchedule);
  Escalate(c, kSchedule);
  c.closed = true;
  c.closed_ms = kAt + 12 * kMinuteMs;
  c.closed_by = "ops-wang";
  c.outcome = WellnessOutcome::kTakenToHospital;
  c.note = "fell in the kitchen";
  const Alert a = WellnessAlert(c, kSchedule);
  EXPECT_EQ(a.alert_id, "wellness/o1/closed");
  EXPECT_EQ(a.kind, AlertKind::kWellnessClosed);
  EXPECT_EQ(a.severity, Severity::kInfo);
  EXPECT_EQ(a.time_ms, kAt + 12 * kMinuteMs);
  EXPECT_EQ(a.reason, "closed by ops-wang: " + std::string(WellnessOutcomeName(WellnessOutcome::kTakenToHospital)) +
                          " (fell in the kitchen)");
}

}  // namespace
}  // namespace meal::dispatch
