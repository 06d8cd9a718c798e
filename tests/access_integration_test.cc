// Who may call what, against the running service: every operation the
// served API description lists is tried without a token and with each
// role's; a viewer's courier, order and ledger are masked; a body over the
// limit gets 413 and a token over its rate 429.
#include <gtest/gtest.h>

#include <cctype>
#include <string>

#include "scenario.h"

namespace meal::testing {
namespace {

using nlohmann::json;

// The value of header `name` in a raw HTTP response ("" when absent).
std::string HeaderOf(const std::string& response, const std::string& name) {
  std::string lower = response.substr(0, response.find("\r\n\r\n"));
  for (char& c : lower) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  std::string key = "\r\n";
  for (char c : name) key += static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  key += ':';
  const std::size_t at = lower.find(key);
  if (at == std::string::npos) return {};
  const std::size_t start = response.find_first_not_of(' ', at + key.size());
  return response.substr(start, response.find("\r\n", start) - start);
}

// "/api/v1/orders/{id}/reassign" -> "/api/v1/orders/x/reassign".
std::string Concrete(const std::string& pattern) {
  std::string out;
  bool in_capture = false;
  for (char c : pattern) {
    if (c == '{') {
      in_capture = true;
      out += 'x';
    } else if (c == '}') {
      in_capture = false;
    } else if (!in_capture) {
      out += c;
    }
  }
  return out;
}

TEST(AccessIntegrationTest, EveryOperationAnswersEachRoleByThePolicy) {
  Scenario s("access-policy");
  s.Site("site-1", "ZC21010301001", 5000);
  s.Elder("e1", 41.805);
  s.Publish();
  ServiceProcess service("access-policy", s.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();

  const json spec = Body(service.Call("GET", "/api/openapi.json", {}, {}));
  ASSERT_TRUE(spec.contains("paths")) << spec.dump();
  int operations = 0;
  for (const auto& [path, item] : spec["paths"].items()) {
    for (const auto& [method, operation] : item.items()) {
      ++operations;
      std::string verb = method;
      for (char& c : verb) c = static_cast<char>(std::toupper(static_cast<unsigned char>(c)));
      const std::string target = Concrete(path);
      const std::string where = verb + " " + path;
      const bool write = verb != "GET";
      // Bodies that fail validation: a write passed by the guard answers 4xx, changes nothing.
      const std::string body = write ? "{}" : "";
      const bool is_public = path.rfind("/api/v1/", 0) != 0;
      const bool admin_only = (verb == "GET" && path == "/api/v1/audit") || (verb == "DELETE" && path == "/api/v1/elders/{id}");

      const std::string anonymous = service.Call(verb, target, body, {});
      if (is_public) {
        EXPECT_NE(StatusOf(anonymous), 401) << where;
        EXPECT_NE(StatusOf(anonymous), 403) << where;
        EXPECT_EQ(operation.value("security", json()), json::array()) << where;
        continue;
      }
      EXPECT_EQ(StatusOf(anonymous), 401) << where << "\n" << anonymous;
      EXPECT_EQ(HeaderOf(anonymous, "WWW-Authenticate"), "Bearer realm=\"meal-dispatch\"") << where;

      const int viewer = StatusOf(service.Call(verb, target, body, kViewerToken));
      const int dispatcher = StatusOf(service.Call(verb, target, body, kDispatcherToken));
      const int admin = StatusOf(service.Call(verb, target, body, kAdminToken));
      if (write || admin_only) {
        EXPECT_EQ(viewer, 403) << where;
      } else {
        EXPECT_TRUE(viewer != 401 && viewer != 403) << where << ": " << viewer;
      }
      if (admin_only) {
        EXPECT_EQ(dispatcher, 403) << where;
      } else {
        EXPECT_TRUE(dispatcher != 401 && dispatcher != 403) << where << ": " << dispatcher;
      }
      EXPECT_TRUE(admin != 401 && admin != 403 && admin != 429) << where << ": " << admin;
    }
  }
  EXPECT_GE(operations, 18);
  for (const char* open : {"/healthz", "/readyz", "/metrics", "/api/openapi.json"}) {
    EXPECT_EQ(StatusOf(service.Call("GET", open, {}, {})), 200) << open;
  }
  const std::string unknown = service.Call("GET", "/api/v1/wellness", {}, "demo-intruder-token");
  EXPECT_EQ(StatusOf(unknown), 401);
  EXPECT_NE(HeaderOf(unknown, "WWW-Authenticate").find("invalid_token"), std::string::npos) << unknown;
  // Unknown routes stay 404 with or without a token, saying nothing about it.
  EXPECT_EQ(StatusOf(service.Call("GET", "/api/v1/nothing-here", {}, {})), 404);
  EXPECT_EQ(service.Stop(), 0);
}

TEST(AccessIntegrationTest, AViewerSeesNoDoorProofOrCategory) {
  Scenario s("access-mask");
  s.Site("site-1", "ZC21010301001", 5000);
  s.Elder("e1", 41.805, pb::EXTREMELY_POOR);
  s.Elder("e2", 41.797);
  const EventTimeMs t = kDay + 11 * kHour;
  s.Shift("c1", t, 6);
  s.Order("o1", "e1", t + 30 * kMinute, kHour, t + kMinute);
  s.Order("o2", "e2", t + 30 * kMinute, kHour, t + kMinute);
  s.Ready("o1", t + 2 * kMinute);
  s.Ready("o2", t + 2 * kMinute);
  s.PickedUp("o1", "c1", t + 5 * kMinute);
  s.PickedUp("o2", "c1", t + 5 * kMinute);
  s.Delivered("o1", "c1", t + 31 * kMinute, "photo-o1");  // c1 stands at e1's door, o2 still to go
  s.Publish();
  ServiceProcess service("access-mask", s.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();

  const json courier_d = Body(service.Call("GET", "/api/v1/couriers/c1", {}, kDispatcherToken));
  const json courier_v = Body(service.Call("GET", "/api/v1/couriers/c1", {}, kViewerToken));
  const json order_d = Body(service.Call("GET", "/api/v1/orders/o1", {}, kDispatcherToken));
  const json order_v = Body(service.Call("GET", "/api/v1/orders/o1", {}, kViewerToken));
  const json ledger_d = Body(service.Call("GET", "/api/v1/ledger?date=2026-11-30", {}, kDispatcherToken));
  const json ledger_v = Body(service.Call("GET", "/api/v1/ledger?date=2026-11-30", {}, kViewerToken));
  const std::string csv_v = service.Call("GET", "/api/v1/ledger?date=2026-11-30&format=csv", {}, kViewerToken);
  ASSERT_EQ(service.Stop(), 0);

  // The dispatcher sees where c1 stands (e1's door) and where o2 goes.
  ASSERT_TRUE(courier_d.contains("location")) << courier_d.dump();
  EXPECT_EQ(courier_d["location_at_door"], true);
  ASSERT_EQ(courier_d["route"].size(), 1u) << courier_d.dump();
  EXPECT_EQ(courier_d["route"][0]["kind"], "DELIVERY");
  EXPECT_TRUE(courier_d["route"][0].contains("location"));
  // The viewer sees the courier and its plan, without either door.
  EXPECT_EQ(courier_v["courier_id"], "c1");
  EXPECT_FALSE(courier_v.contains("location")) << courier_v.dump();
  ASSERT_EQ(courier_v["route"].size(), 1u);
  EXPECT_EQ(courier_v["route"][0]["order_id"], "o2");
  EXPECT_FALSE(courier_v["route"][0].contains("location")) << courier_v.dump();

  EXPECT_EQ(order_d["proof_ref"], "photo-o1");
  EXPECT_EQ(order_v["proof_ref"], "***");
  EXPECT_EQ(order_v["status"], "DELIVERED");

  ASSERT_EQ(ledger_d["categories"].size(), 1u) << ledger_d.dump();
  EXPECT_EQ(ledger_d["categories"][0]["category"], "extremely_poor");
  EXPECT_EQ(ledger_v["categories"][0]["category"], "***");
  EXPECT_EQ(ledger_v["total"], ledger_d["total"]);
  EXPECT_EQ(StatusOf(csv_v), 200);
  EXPECT_EQ(csv_v.find("extremely_poor"), std::string::npos) << csv_v;
}

TEST(AccessIntegrationTest, AnOversizedBodyIs413AndATokenOverItsRateIs429) {
  Scenario s("access-limits");
  s.Site("site-1", "ZC21010301001", 5000);
  s.Publish();
  ServiceProcess service("access-limits", s.topics());
  service.Set("http.max_body_kb=1");
  service.Set("api.requests_per_s=0.01");  // one more request every 100 s: none within this test
  service.Set("api.burst=3");
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();

  const std::string big = R"({"site_id":"site-1","batch_id":"b-1","reason":")" + std::string(2048, 'x') + R"("})";
  const std::string too_large = service.Call("POST", "/api/v1/recalls", big, kDispatcherToken);
  EXPECT_EQ(StatusOf(too_large), 413) << too_large;

  int allowed = 0;
  std::string limited;
  for (int i = 0; i < 10 && limited.empty(); ++i) {
    const std::string r = service.Call("GET", "/api/v1/wellness", {}, kViewerToken);
    if (StatusOf(r) == 429) {
      limited = r;
    } else {
      EXPECT_EQ(StatusOf(r), 200) << r;
      ++allowed;
    }
  }
  EXPECT_EQ(allowed, 3) << "the burst";
  ASSERT_EQ(StatusOf(limited), 429);
  EXPECT_GE(std::stoi(HeaderOf(limited, "Retry-After")), 1) << limited;
  EXPECT_EQ(Body(limited)["error"]["status"], 429);
  // Each token has its own bucket; health and metrics have none.
  EXPECT_EQ(StatusOf(service.Call("GET", "/api/v1/wellness", {}, kAdminToken)), 200);
  EXPECT_EQ(StatusOf(service.Call("GET", "/healthz", {}, {})), 200);
  EXPECT_EQ(service.Stop(), 0);
}

}  // namespace
}  // namespace meal::testing
