// meal-admin replay against the real broker: the service runs a scenario,
// then a time range of its input is replayed with the same configuration
// (no differences, the same records) and with changed rules (exactly the
// differences they cause), through the library and the command line.
#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <algorithm>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "admin/replay.h"
#include "config/config.h"
#include "scenario.h"

namespace meal::testing {
namespace {

// The service's configuration for `topics` (as ServiceProcess runs it), then `sets`.
std::vector<std::string> Overrides(const sim::Topics& topics, const std::vector<std::string>& sets) {
  std::vector<std::string> out = TopicOverrides(topics);
  out.insert(out.end(), sets.begin(), sets.end());
  return out;
}

admin::ReplayReport ReplayWith(const sim::Topics& topics, const std::vector<std::string>& sets, EventTimeMs from,
                               EventTimeMs to, const std::string& prefix) {
  admin::ReplayOptions options;
  std::vector<std::string> overrides = Overrides(topics, sets);
  overrides.push_back("kafka.bootstrap_servers=\"" + Bootstrap() + "\"");
  const Status loaded = config::LoadConfig("", overrides, &options.config);
  EXPECT_TRUE(loaded.ok()) << loaded.ToString();
  options.from_ms = from;
  options.to_ms = to;
  options.output_prefix = prefix;
  admin::ReplayReport report;
  const Status s = admin::Replay(options, &report);
  EXPECT_TRUE(s.ok()) << s.ToString();
  return report;
}

// The values of `topic`'s records stamped in [from, to), sorted.
std::vector<std::string> ValuesIn(const std::string& topic, EventTimeMs from, EventTimeMs to) {
  std::vector<std::string> out;
  for (const kafka::Record& r : ReadAll({topic})) {
    if (r.timestamp_ms >= from && r.timestamp_ms < to) out.push_back(r.value);
  }
  std::sort(out.begin(), out.end());
  return out;
}

std::string Quoted(const std::string& arg) { return "'" + arg + "'"; }

TEST(ReplayIntegrationTest, TheSameConfigReplaysTheSameOutputsChangedRulesShowWhatTheyChange) {
  Scenario s("replay");
  s.Site("site-1", "ZC21010301001", 5000);
  s.Elder("north", 41.81);  // 1.1 km north of the kitchen
  s.Elder("south", 41.79);  // 1.1 km south
  s.Elder("far", 41.86);    // beyond the site's radius
  const EventTimeMs t = kDay + 11 * kHour;
  s.Shift("c1", t, 6);
  s.Shift("c2", t, 6);
  s.Order("n", "north", t + 30 * kMinute, kHour, t + kMinute);
  s.Ready("n", t + 2 * kMinute);  // to c1 (equal couriers: the first)
  // The range. Re-optimisation runs when event time crosses an even
  // minute; none does between s's placement and its end, so s stays where
  // the insertion put it.
  const EventTimeMs from = t + 5 * kMinute;
  const EventTimeMs to = t + 7 * kMinute + kMinute / 2;
  s.Order("s", "south", t + 30 * kMinute, kHour, t + 6 * kMinute);
  // Least travel: idle c2 (1.1 km) rather than c1 (north then south, 2.2 km).
  s.Ready("s", t + 6 * kMinute + kMinute / 3);
  s.Order("f", "far", t + 30 * kMinute, kHour, t + 7 * kMinute);  // OUTSIDE_RADIUS
  // After the range.
  s.Order("n2", "north", t + 40 * kMinute, kHour, t + 9 * kMinute);
  s.Ready("n2", t + 10 * kMinute);
  s.Publish();

  ServiceProcess service("replay", s.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  ASSERT_EQ(service.Stop(), 0);

  const std::string prefix = "it.replay-what-if." + std::to_string(getpid()) + ".";
  {
    SCOPED_TRACE("the same configuration");
    const admin::ReplayReport same = ReplayWith(s.topics(), {}, from, to, prefix + "same.");
    EXPECT_EQ(same.registry_records, 4u);
    EXPECT_EQ(same.warm_up_events, 4u);
    EXPECT_EQ(same.replayed_events, 3u);
    EXPECT_EQ(same.after_range, 2u);
    EXPECT_EQ(same.skipped_records, 0u);
    EXPECT_TRUE(same.diff.same());
    EXPECT_EQ(same.diff.original.plans, same.diff.replayed.plans);
    EXPECT_EQ(same.diff.original.plans, 1u);  // c2's, for s
    EXPECT_EQ(same.diff.replayed.alerts_by_kind, (std::map<std::string, std::size_t>{{"OUTSIDE_RADIUS", 1}}));
    // Record for record what the service published for the range.
    EXPECT_EQ(ValuesIn(same.assignments_topic, from, to), ValuesIn(s.topics().assignments, from, to));
    EXPECT_EQ(ValuesIn(same.alerts_topic, from, to), ValuesIn(s.topics().alerts, from, to));
    EXPECT_EQ(same.published, 2u);
  }
  {
    SCOPED_TRACE("fewest couriers, through the command line");
    const char* bin_dir = std::getenv("MEAL_TEST_BIN_DIR");
    ASSERT_NE(bin_dir, nullptr) << "set MEAL_TEST_BIN_DIR";
    const std::string bin = std::string(bin_dir) + "/meal-admin";
    const std::string json_path =
        (std::filesystem::temp_directory_path() / ("meal_it_replay_" + std::to_string(getpid()) + ".json")).string();
    std::string command = Quoted(bin) + " replay --bootstrap " + Quoted(Bootstrap()) + " --from-ms " +
                          std::to_string(from) + " --to-ms " + std::to_string(to) + " --output-prefix " +
                          Quoted(prefix + "couriers.") + " --json " + Quoted(json_path);
    for (const std::string& o : Overrides(s.topics(), {"dispatch.objective=\"couriers\""})) {
      command += " --set " + Quoted(o);
    }
    const int status = std::system((command + " > /dev/null").c_str());
    ASSERT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << command;
    std::ifstream file(json_path);
    const nlohmann::json report = nlohmann::json::parse(file, nullptr, /*allow_exceptions=*/false);
    std::filesystem::remove(json_path);
    // c1 was busy already and can take s: c2 stays idle. n, on c1's new
    // plan, stays with c1 as before the range.
    EXPECT_EQ(report["courier_changes"],
              nlohmann::json::parse(R"([{"order_id":"s","area_id":"area-1","original":"c2","replayed":"c1"}])"))
        << report.dump(2);
    EXPECT_EQ(report["alerts_only_original"].size(), 0u);
    EXPECT_EQ(report["alerts_only_replayed"].size(), 0u);
    EXPECT_EQ(report["replayed"]["orders_planned"], 2);
    EXPECT_EQ(report["replayed"]["couriers_used"], 1);
  }
  {
    SCOPED_TRACE("homes beyond the radius rejected");
    const admin::ReplayReport reject =
        ReplayWith(s.topics(), {"dispatch.outside_radius=\"reject\""}, from, to, prefix + "reject.");
    EXPECT_TRUE(reject.diff.courier_changes.empty());
    ASSERT_EQ(reject.diff.alerts_only_original.size(), 1u);
    EXPECT_EQ(reject.diff.alerts_only_original[0].alert_id, "outside-radius/f");
    ASSERT_EQ(reject.diff.alerts_only_replayed.size(), 1u);
    EXPECT_EQ(reject.diff.alerts_only_replayed[0].alert_id, "rejected/f");
    EXPECT_EQ(reject.diff.alerts_only_replayed[0].kind, "ORDER_REJECTED");
  }
}

}  // namespace
}  // namespace meal::testing
