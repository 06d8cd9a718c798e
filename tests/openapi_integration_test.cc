// docs/openapi.yaml against the running service: schemathesis generates
// requests from the served /api/openapi.json (valid and invalid ones) and
// checks that none gets a 5xx and every response matches its schema.
#include <gtest/gtest.h>

#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <sstream>

#include "scenario.h"

namespace meal::testing {
namespace {

TEST(OpenApiIntegrationTest, ServiceAnswersSchemathesisWithinTheSpec) {
  ASSERT_TRUE(std::filesystem::exists(MEAL_SCHEMATHESIS)) << MEAL_SCHEMATHESIS << " missing: run scripts/lib/python-env";
  // A little of everything the API reads, so the generated requests that
  // happen to hit records get more than 404s.
  Scenario s("openapi");
  s.Site("site-1", "ZC21010301001", 5000);
  s.Elder("e1", 41.805);
  s.Elder("e2", 41.797);
  s.Elder("far", 41.90);
  const EventTimeMs t = kDay + 11 * kHour;
  s.Shift("c1", t, 6);
  s.Order("o1", "e1", t + 30 * kMinute, kHour, t + kMinute, OrderSpec{"b1"});
  s.Order("o2", "e2", t + 30 * kMinute, kHour, t + kMinute, OrderSpec{"b1"});
  s.Ready("o1", t + 2 * kMinute);
  s.Ready("o2", t + 2 * kMinute);
  s.StandingLunch("so-1", "e1", {1, 2, 3, 4, 5}, "2026-11-30", t);
  s.PickedUp("o2", "c1", t + 10 * kMinute);
  s.Failed("o2", "c1", t + 20 * kMinute, pb::NO_ANSWER);  // a wellness check to read and acknowledge
  s.Publish();

  ServiceProcess service("openapi", s.topics());
  // schemathesis sends requests as fast as the service answers: no 429s here.
  service.Set("api.requests_per_s=1000000");
  service.Set("api.burst=1000000");
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();

  // Path ids of the records above: random ones would only ever get 404s,
  // leaving the 200 schemas of these operations untested.
  const std::string config = service.log_path() + ".schemathesis.toml";
  std::ofstream(config) << R"([[operations]]
include-path = "/api/v1/orders/{id}"
parameters = { "path.id" = "o1" }
[[operations]]
include-path = "/api/v1/couriers/{id}"
parameters = { "path.id" = "c1" }
[[operations]]
include-path = "/api/v1/standing-orders/{id}"
parameters = { "path.id" = "so-1" }
[[operations]]
include-path = "/api/v1/elders/{id}"
parameters = { "path.id" = "far" }
[[operations]]
include-path-regex = "^/api/v1/orders/\\{id\\}/"
parameters = { "path.id" = "o1" }
[[operations]]
include-path-regex = "^/api/v1/wellness/"
parameters = { "path.id" = "wc-o2" }
)";
  const std::string report = service.log_path() + ".schemathesis";
  std::ostringstream command;
  // Bounded and seeded, so a run takes well under two minutes and a finding
  // reproduces. The stateful phase needs links the spec does not declare.
  // As the admin, so every operation is allowed (the roles have tests of their own).
  command << MEAL_SCHEMATHESIS << " --config-file " << config << " run --no-color --seed 20261130 --max-examples 25 --workers 1"
          << " --header 'Authorization: Bearer " << kAdminToken << "'"
          << " --phases examples,coverage,fuzzing --generation-database none"
          << " --checks not_a_server_error,response_schema_conformance"
          << " http://127.0.0.1:" << service.http_port() << "/api/openapi.json"
          << " >" << report << " 2>&1";
  const int status = std::system(command.str().c_str());
  std::ifstream in(report);
  const std::string output((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
  EXPECT_EQ(status, 0) << output;
  EXPECT_TRUE(service.running()) << "see " << service.log_path();
  EXPECT_EQ(service.Stop(), 0);
}

}  // namespace
}  // namespace meal::testing
