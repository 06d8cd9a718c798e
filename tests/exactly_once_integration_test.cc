// Exactly-once outputs (docs/reliability.md): the process dies at each named
// instant of the commit protocol (MEAL_TEST_CRASH_AT), is started again, and
// a read_committed reader then sees exactly the outputs of a run that never
// crashed: none lost, none twice, and the same state.
#include <gtest/gtest.h>

#include <cstdlib>
#include <fstream>
#include <sstream>
#include <string>

#include "service_harness.h"

namespace meal::testing {
namespace {

// Sets MEAL_TEST_CRASH_AT for the children started while it lives.
class CrashAt {
 public:
  explicit CrashAt(const std::string& spec) { setenv("MEAL_TEST_CRASH_AT", spec.c_str(), 1); }
  ~CrashAt() { unsetenv("MEAL_TEST_CRASH_AT"); }
};

TEST(ExactlyOnceIntegrationTest, ACrashAtEveryInstantOfTheCommitLosesAndDoublesNoOutput) {
  const sim::Topics input = UniqueTopics("eos");
  sim::CityOptions options;
  options.seed = 11;
  options.orders = 2000;
  options.areas = 2;
  options.couriers_per_area = 20;
  options.malformed_share = 0.01;  // dead letters are outputs too
  options.static_location_pings = true;
  options.topics = input;
  const sim::City city = sim::GenerateCity(options);
  CreateTopics(input);
  Produce(city.registry);
  Produce(city.events);

  ServiceProcess clean("eos-clean", RunTopics(input, "clean"));
  // Small batches, so that the run has many commits and transactions to die in.
  clean.Set("pipeline.batch_max_records=200");
  clean.Start();
  ASSERT_TRUE(clean.WaitDrained(300)) << "see " << clean.log_path();
  ASSERT_EQ(clean.Stop(), 0);

  for (const std::string point : {"after_state_commit", "before_txn_commit", "after_txn_commit"}) {
    SCOPED_TRACE(point);
    ServiceProcess crashed("eos-" + point, RunTopics(input, point));
    crashed.Set("pipeline.batch_max_records=200");
    {
      const CrashAt crash(point + ":8");
      crashed.Start();
      ASSERT_TRUE(WaitFor([&] { return !crashed.running(); }, 300))
          << "it never reached " << point << "; see " << crashed.log_path();
    }
    std::stringstream log;
    log << std::ifstream(crashed.log_path()).rdbuf();
    ASSERT_NE(log.str().find("MEAL_TEST_CRASH_AT: aborting at " + point), std::string::npos)
        << "it died otherwise; see " << crashed.log_path();
    crashed.Stop();  // reaped already; forgets the process
    crashed.Start();
    ASSERT_TRUE(crashed.WaitDrained(300)) << "see " << crashed.log_path();
    ASSERT_EQ(crashed.Stop(), 0);

    const RunDiff diff = CompareRuns(clean, crashed);
    EXPECT_GT(diff.clean_assignments, 100u);
    EXPECT_GT(diff.clean_dead_letters, 0u);
    EXPECT_EQ(diff.lost, 0u) << diff.examples;
    EXPECT_EQ(diff.duplicated, 0u) << diff.examples;
    EXPECT_EQ(diff.mismatched, 0u) << diff.examples;
    EXPECT_EQ(diff.lost_wellness, 0u) << diff.examples;
  }
}

}  // namespace
}  // namespace meal::testing
