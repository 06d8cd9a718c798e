#include "admin/replay.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "codec/encode.h"

namespace meal::admin {
namespace {

using ::testing::ElementsAre;
using ::testing::HasSubstr;

constexpr EventTimeMs kFrom = 1'000'000;
constexpr EventTimeMs kTo = 2'000'000;

TEST(RangeCutTest, BeforeTheRangeWarmsUpInItReplaysFromItsEndNothing) {
  RangeCut cut(kFrom, kTo);
  EXPECT_EQ(cut.Next("a", kFrom - 1), ReplayPhase::kWarmUp);
  EXPECT_EQ(cut.Next("a", kFrom), ReplayPhase::kReplay);
  EXPECT_EQ(cut.Next("a", kTo - 1), ReplayPhase::kReplay);
  EXPECT_EQ(cut.Next("a", kTo), ReplayPhase::kAfter);
}

TEST(RangeCutTest, ALateRecordStaysInThePhaseItsAreaReached) {
  RangeCut cut(kFrom, kTo);
  ASSERT_EQ(cut.Next("a", kFrom + 5), ReplayPhase::kReplay);
  // Stamped before the range, but the service applied it after records in
  // the range: applying it then and publishing what it causes is what the
  // service did.
  EXPECT_EQ(cut.Next("a", kFrom - 5), ReplayPhase::kReplay);
  ASSERT_EQ(cut.Next("a", kTo + 5), ReplayPhase::kAfter);
  // Applying it would reach a state the service never had.
  EXPECT_EQ(cut.Next("a", kTo - 5), ReplayPhase::kAfter);
}

TEST(RangeCutTest, EachAreaHasItsOwnCut) {
  RangeCut cut(kFrom, kTo);
  ASSERT_EQ(cut.Next("a", kTo), ReplayPhase::kAfter);
  EXPECT_EQ(cut.Next("b", kFrom - 1), ReplayPhase::kWarmUp);
  EXPECT_EQ(cut.Next("b", kFrom), ReplayPhase::kReplay);
}

Assignment Plan(const std::string& courier, std::uint64_t version, EventTimeMs t, std::vector<std::string> orders,
                const std::string& area = "area-1") {
  Assignment a;
  a.area_id = area;
  a.time_ms = t;
  a.courier_id = courier;
  a.plan_version = version;
  for (const std::string& order : orders) {
    a.stops.push_back(PlannedStop{StopKind::kPickup, order});
  }
  for (const std::string& order : orders) {
    a.stops.push_back(PlannedStop{StopKind::kDelivery, order});
  }
  return a;
}

Alert MakeAlert(const std::string& id, AlertKind kind, EventTimeMs t, const std::string& area = "area-1") {
  Alert a;
  a.alert_id = id;
  a.area_id = area;
  a.time_ms = t;
  a.kind = kind;
  a.order_id = id.substr(id.find('/') + 1);
  return a;
}

// A log built through the wire format, as Replay reads both sides.
class Log {
 public:
  Log& Add(const Assignment& a) {
    PlanRecord r;
    EXPECT_TRUE(DecodePlan(codec::EncodeAssignment(a), &r));
    log_.plans.push_back(r);
    return *this;
  }
  Log& Add(const Alert& a) {
    AlertRecord r;
    EXPECT_TRUE(DecodeAlert(codec::EncodeAlert(a), &r));
    log_.alerts.push_back(r);
    return *this;
  }
  const OutputLog& get() const { return log_; }

 private:
  OutputLog log_;
};

const DiffScope kScope{kFrom, kTo, ""};

TEST(DecodeOutputTest, APlanListsEachOrderOnceAndAnAlertItsKindByName) {
  PlanRecord plan;
  ASSERT_TRUE(DecodePlan(codec::EncodeAssignment(Plan("c1", 7, kFrom, {"o1", "o2"})), &plan));
  EXPECT_EQ(plan.area_id, "area-1");
  EXPECT_EQ(plan.time_ms, kFrom);
  EXPECT_EQ(plan.courier_id, "c1");
  EXPECT_EQ(plan.plan_version, 7u);
  EXPECT_THAT(plan.order_ids, ElementsAre("o1", "o2"));

  AlertRecord alert;
  ASSERT_TRUE(DecodeAlert(codec::EncodeAlert(MakeAlert("unassignable/o3/1", AlertKind::kUnassignable, kFrom)), &alert));
  EXPECT_EQ(alert.alert_id, "unassignable/o3/1");
  EXPECT_EQ(alert.kind, "UNASSIGNABLE");
  EXPECT_EQ(alert.order_id, "o3/1");
  EXPECT_FALSE(DecodePlan("\xff\xff not protobuf", &plan));
}

TEST(DiffOutputsTest, IdenticalLogsAgree) {
  Log log;
  log.Add(Plan("c1", 1, kFrom, {"o1"})).Add(Plan("c2", 1, kFrom + 1, {"o2"}));
  log.Add(MakeAlert("outside-radius/o1", AlertKind::kOutsideRadius, kFrom));
  const OutputDiff diff = DiffOutputs(log.get(), log.get(), kScope);
  EXPECT_TRUE(diff.same());
  EXPECT_EQ(diff.original.plans, 2u);
  EXPECT_EQ(diff.original.orders_planned, 2u);
  EXPECT_EQ(diff.original.couriers_used, 2u);
  EXPECT_EQ(diff.original.alerts, 1u);
  EXPECT_EQ(diff.original.alerts_by_kind.at("OUTSIDE_RADIUS"), 1u);
}

TEST(DiffOutputsTest, AnOrderGoesToTheCourierOfTheLastPlanListingIt) {
  Log original, replayed;
  // Re-optimisation moves o1 from c1 to c2: c1's next plan drops it.
  original.Add(Plan("c1", 1, kFrom, {"o1"})).Add(Plan("c1", 2, kFrom + 10, {})).Add(Plan("c2", 1, kFrom + 10, {"o1"}));
  // Delivered by c1: its later plan without o1 does not take it away.
  original.Add(Plan("c1", 3, kFrom + 20, {"o2"})).Add(Plan("c1", 4, kFrom + 30, {}));
  replayed.Add(Plan("c1", 1, kFrom, {"o1", "o2"}));
  const OutputDiff diff = DiffOutputs(original.get(), replayed.get(), kScope);
  EXPECT_THAT(diff.courier_changes, ElementsAre(CourierChange{"o1", "area-1", "c2", "c1"}));
  EXPECT_EQ(diff.original.couriers_used, 2u);
  EXPECT_EQ(diff.replayed.couriers_used, 1u);
  EXPECT_EQ(diff.original.plans, 5u);
}

TEST(DiffOutputsTest, AnOrderPlannedOnOneSideOnlyHasNoCourierOnTheOther) {
  Log original, replayed;
  original.Add(Plan("c1", 1, kFrom, {"o1"}));
  replayed.Add(Plan("c1", 1, kFrom, {"o2"}));
  const OutputDiff diff = DiffOutputs(original.get(), replayed.get(), kScope);
  EXPECT_THAT(diff.courier_changes,
              ElementsAre(CourierChange{"o1", "area-1", "c1", ""}, CourierChange{"o2", "area-1", "", "c1"}));
}

TEST(DiffOutputsTest, AnOrderPlannedBeforeTheRangeKeepsItsCourierFromThen) {
  Log original, replayed;
  original.Add(Plan("c1", 1, kFrom - 10, {"o1"})).Add(Plan("c2", 1, kFrom + 1, {"o2"}));
  // The replay gives o2 to c1 as well, and so publishes o1 again in range.
  replayed.Add(Plan("c1", 1, kFrom - 10, {"o1"})).Add(Plan("c1", 2, kFrom + 1, {"o1", "o2"}));
  const OutputDiff diff = DiffOutputs(original.get(), replayed.get(), kScope);
  EXPECT_THAT(diff.courier_changes, ElementsAre(CourierChange{"o2", "area-1", "c2", "c1"}));
  EXPECT_EQ(diff.original.orders_planned, 1u);
  EXPECT_EQ(diff.replayed.orders_planned, 2u);
  EXPECT_EQ(diff.replayed.plans, 1u);

  // Before the range the replay had already put o1 elsewhere.
  Log elsewhere;
  elsewhere.Add(Plan("c3", 1, kFrom - 10, {"o1"})).Add(Plan("c2", 1, kFrom + 1, {"o2"}));
  const OutputDiff moved = DiffOutputs(replayed.get(), elsewhere.get(), kScope);
  EXPECT_THAT(moved.courier_changes,
              ElementsAre(CourierChange{"o1", "area-1", "c1", "c3"}, CourierChange{"o2", "area-1", "c1", "c2"}));
}

TEST(DiffOutputsTest, OnlyOutputsStampedInTheRangeAndTheAreaCount) {
  Log original, replayed;
  original.Add(Plan("c1", 1, kFrom - 1, {"before"}))
      .Add(Plan("c1", 2, kTo, {"after"}))
      .Add(Plan("c9", 1, kFrom, {"elsewhere"}, "area-2"))
      .Add(MakeAlert("failed/x", AlertKind::kDeliveryFailed, kTo))
      .Add(MakeAlert("failed/y", AlertKind::kDeliveryFailed, kFrom, "area-2"));
  const OutputDiff all_areas = DiffOutputs(original.get(), replayed.get(), kScope);
  EXPECT_THAT(all_areas.courier_changes, ElementsAre(CourierChange{"elsewhere", "area-2", "c9", ""}));
  ASSERT_EQ(all_areas.alerts_only_original.size(), 1u);
  EXPECT_EQ(all_areas.alerts_only_original[0].alert_id, "failed/y");

  const OutputDiff area_1 = DiffOutputs(original.get(), replayed.get(), {kFrom, kTo, "area-1"});
  EXPECT_TRUE(area_1.same());
  EXPECT_EQ(area_1.original.plans, 0u);
}

TEST(DiffOutputsTest, RepeatedRecordsCountOnce) {
  Log original, replayed;
  // A re-delivered outbox and a wellness check announced again on restart.
  original.Add(Plan("c1", 1, kFrom, {"o1"})).Add(Plan("c1", 1, kFrom, {"o1"}));
  original.Add(MakeAlert("wellness/o1/0", AlertKind::kWellnessCheck, kFrom))
      .Add(MakeAlert("wellness/o1/0", AlertKind::kWellnessCheck, kFrom));
  replayed.Add(Plan("c1", 1, kFrom, {"o1"})).Add(MakeAlert("wellness/o1/0", AlertKind::kWellnessCheck, kFrom));
  const OutputDiff diff = DiffOutputs(original.get(), replayed.get(), kScope);
  EXPECT_TRUE(diff.same());
  EXPECT_EQ(diff.original.plans, 1u);
  EXPECT_EQ(diff.original.alerts, 1u);
  EXPECT_EQ(diff.original.alerts_by_kind.at("WELLNESS_CHECK"), 1u);
}

TEST(DiffOutputsTest, AlertsPresentOnOneSideOnlyAreListedByIdOnThatSide) {
  Log original, replayed;
  original.Add(MakeAlert("outside-radius/o1", AlertKind::kOutsideRadius, kFrom))
      .Add(MakeAlert("failed/o2", AlertKind::kDeliveryFailed, kFrom));
  replayed.Add(MakeAlert("rejected/o1", AlertKind::kOrderRejected, kFrom))
      .Add(MakeAlert("failed/o2", AlertKind::kDeliveryFailed, kFrom));
  const OutputDiff diff = DiffOutputs(original.get(), replayed.get(), kScope);
  ASSERT_EQ(diff.alerts_only_original.size(), 1u);
  EXPECT_EQ(diff.alerts_only_original[0].alert_id, "outside-radius/o1");
  EXPECT_EQ(diff.alerts_only_original[0].kind, "OUTSIDE_RADIUS");
  ASSERT_EQ(diff.alerts_only_replayed.size(), 1u);
  EXPECT_EQ(diff.alerts_only_replayed[0].alert_id, "rejected/o1");
  EXPECT_TRUE(diff.courier_changes.empty());
  EXPECT_FALSE(diff.same());
}

TEST(ReplayReportTest, SummaryAndJsonNameEveryDifference) {
  Log original, replayed;
  original.Add(Plan("c1", 1, kFrom, {"o1"})).Add(MakeAlert("outside-radius/o1", AlertKind::kOutsideRadius, kFrom));
  replayed.Add(Plan("c2", 1, kFrom, {"o1"}));
  ReplayOptions options;
  options.from_ms = kFrom;
  options.to_ms = kTo;
  ReplayReport report;
  report.assignments_topic = "whatif.assignments";
  report.alerts_topic = "whatif.alerts";
  report.replayed_events = 3;
  report.diff = DiffOutputs(original.get(), replayed.get(), kScope);

  const std::string text = FormatReport(options, report);
  EXPECT_THAT(text, HasSubstr("o1 (area-1): c1 -> c2"));
  EXPECT_THAT(text, HasSubstr("alerts only in the original: 1\n  outside-radius/o1 OUTSIDE_RADIUS"));
  EXPECT_THAT(text, HasSubstr("the outputs differ"));

  const nlohmann::json json = nlohmann::json::parse(ReportJson(options, report));
  EXPECT_EQ(json["courier_changes"][0]["order_id"], "o1");
  EXPECT_EQ(json["courier_changes"][0]["original"], "c1");
  EXPECT_EQ(json["courier_changes"][0]["replayed"], "c2");
  EXPECT_EQ(json["alerts_only_original"][0]["alert_id"], "outside-radius/o1");
  EXPECT_EQ(json["alerts_only_replayed"].size(), 0u);
  EXPECT_EQ(json["original"]["alerts_by_kind"]["OUTSIDE_RADIUS"], 1);
  EXPECT_EQ(json["input"]["replayed_events"], 3);
  EXPECT_EQ(json["same"], false);
}

TEST(ReplayTest, RefusesAnEmptyRangeAndAPrefixNamingTheServicesTopics) {
  ReplayOptions options;
  options.from_ms = kFrom;
  options.to_ms = kFrom;
  options.output_prefix = "whatif.";
  ReplayReport report;
  EXPECT_THAT(Replay(options, &report).message(), HasSubstr("range is empty"));
  options.to_ms = kTo;
  options.output_prefix = "meal.";  // meal.assignments is the service's
  EXPECT_THAT(Replay(options, &report).message(), HasSubstr("names the service's topic meal.assignments"));
  options.output_prefix.clear();
  EXPECT_THAT(Replay(options, &report).message(), HasSubstr("must not be empty"));
}

}  // namespace
}  // namespace meal::admin
