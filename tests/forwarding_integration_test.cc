// Two instances in one consumer group, one area: the instance that does not
// own the area answers API queries about it by forwarding them to the one
// that does (service/peers.h), and an unknown id is still 404 everywhere.
#include <gtest/gtest.h>

#include <unistd.h>

#include <memory>
#include <sstream>
#include <string>
#include <vector>

#include "scenario.h"

namespace meal::testing {
namespace {

// Partitions of the area topics the instance consumes (one meal_consumer_lag
// series each).
int OwnedPartitions(const ServiceProcess& s) {
  std::istringstream metrics(s.Get("/metrics"));
  int series = 0;
  for (std::string line; std::getline(metrics, line);) series += line.starts_with("meal_consumer_lag{");
  return series;
}

double AnsweredByPeers(const ServiceProcess& s) {
  std::istringstream metrics(s.Get("/metrics"));
  for (std::string line; std::getline(metrics, line);) {
    if (line.starts_with("meal_forwarded_requests_total{result=\"answered\"}")) return std::stod(line.substr(line.rfind(' ')));
  }
  return 0;
}

std::string BodyText(const std::string& response) {
  const std::size_t at = response.find("\r\n\r\n");
  return at == std::string::npos ? std::string() : response.substr(at + 4);
}

TEST(ForwardingIntegrationTest, AnyInstanceAnswersForAnAreaOwnedByAnother) {
  Scenario s("forwarding");
  s.Site("site-1", "ZC21010301001", 5000);
  s.Elder("e1", 41.805);
  s.Elder("e2", 41.803);
  const EventTimeMs t = kDay + 11 * kHour;
  s.Shift("c1", t, 6);
  s.Order("o1", "e1", t + 40 * kMinute, kHour, t + kMinute);
  s.Ready("o1", t + 2 * kMinute);
  s.Order("o2", "e2", t + 40 * kMinute, kHour, t + kMinute);
  s.Ready("o2", t + 2 * kMinute);
  s.Publish();

  const std::string group = "kafka.group_id=\"forwarding-" + std::to_string(getpid()) + "\"";
  std::vector<std::unique_ptr<ServiceProcess>> instances;
  for (const char* id : {"first", "second"}) {
    instances.push_back(std::make_unique<ServiceProcess>(std::string("forwarding-") + id, s.topics()));
    ServiceProcess& instance = *instances.back();
    instance.Set(group);
    instance.Set(std::string("kafka.instance_id=\"") + id + "\"");
    instance.Set("kafka.session_timeout_ms=6000");
    // ServiceProcess gives each a free loopback port of its own.
    instance.Set("http.advertised_url=\"http://127.0.0.1:" + std::to_string(instance.http_port()) + "\"");
  }
  ServiceProcess& first = *instances[0];
  ServiceProcess& second = *instances[1];
  first.Start();
  second.Start();
  // Four partitions of four area topics, two tasks each.
  ASSERT_TRUE(WaitFor([&] { return OwnedPartitions(first) == 8 && OwnedPartitions(second) == 8; }, 120))
      << "see " << first.log_path() << " and " << second.log_path();
  ASSERT_TRUE(first.WaitDrained(120)) << "see " << first.log_path();
  ASSERT_TRUE(second.WaitDrained(120)) << "see " << second.log_path();

  // Both answer 200 once the group's description names both (it is cached
  // for a second), with the owner's answer.
  const std::vector<std::string> paths = {"/api/v1/orders/o1", "/api/v1/orders/o2", "/api/v1/orders?area=area-1",
                                          "/api/v1/couriers/c1"};
  for (const std::string& path : paths) {
    ASSERT_TRUE(WaitFor([&] { return StatusOf(first.Get(path)) == 200 && StatusOf(second.Get(path)) == 200; }, 60))
        << path << ": " << first.Get(path) << "\n" << second.Get(path);
    EXPECT_EQ(BodyText(first.Get(path)), BodyText(second.Get(path))) << path;
  }
  EXPECT_EQ(Body(first.Get("/api/v1/orders/o1"))["status"], "ASSIGNED");
  EXPECT_EQ(Body(second.Get("/api/v1/orders?area=area-1"))["orders"].size(), 2u);
  // Exactly one of them is not the owner and forwarded.
  const double forwarded_first = AnsweredByPeers(first);
  const double forwarded_second = AnsweredByPeers(second);
  EXPECT_TRUE((forwarded_first > 0) != (forwarded_second > 0)) << forwarded_first << " / " << forwarded_second;

  // A command about the area, sent to the instance that does not own it, is
  // validated and published by the owner.
  ServiceProcess& other = forwarded_first > 0 ? first : second;
  const std::string held = other.Call("POST", "/api/v1/orders/o2/hold", R"({"reason":"elder away"})", kDispatcherToken);
  EXPECT_EQ(StatusOf(held), 202) << held;
  EXPECT_TRUE(WaitFor([&] { return Body(other.Get("/api/v1/orders/o2"))["status"] == "HELD"; }, 60));

  for (const auto& instance : instances) {
    EXPECT_EQ(StatusOf(instance->Get("/api/v1/orders/no-such-order")), 404);
    EXPECT_EQ(StatusOf(instance->Call("POST", "/api/v1/orders/no-such-order/hold", R"({"reason":"x"})",
                                      kDispatcherToken)),
              404);
  }
  EXPECT_EQ(first.Stop(), 0) << "see " << first.log_path();
  EXPECT_EQ(second.Stop(), 0) << "see " << second.log_path();
}

}  // namespace
}  // namespace meal::testing
