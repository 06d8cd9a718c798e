#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <sstream>

#include "admin/commands.h"
#include "admin/test_state.h"

namespace meal::admin {
namespace {

using InspectTest = StateDirTest;

TEST_F(InspectTest, OrderPrintsTheStoredRecordWithoutTheElderAddress) {
  WriteServiceState(Path("state"));
  std::ostringstream out, err;
  ASSERT_EQ(RunOrder(Path("state"), "order-1", out, err), kExitOk) << err.str();
  const nlohmann::json order = nlohmann::json::parse(out.str());
  EXPECT_EQ(order["order_id"], "order-1");
  EXPECT_EQ(order["status"], "DELIVERED");
  EXPECT_EQ(order["courier_id"], "courier-1");
  EXPECT_EQ(order["elder_id"], "elder-1");
  EXPECT_EQ(order["proof_ref"], "proof-1");
  EXPECT_EQ(order["window"]["start_ms"], kT0 + 11 * kHourMs);
  EXPECT_EQ(order["timeline"].back()["status"], "DELIVERED");
  EXPECT_EQ(out.str().find("41.805"), std::string::npos) << out.str();
}

TEST_F(InspectTest, UnknownOrderFailsNamingIt) {
  WriteServiceState(Path("state"));
  std::ostringstream out, err;
  EXPECT_EQ(RunOrder(Path("state"), "order-9", out, err), kExitFailed);
  EXPECT_EQ(err.str(), "meal-admin: no order order-9 in " + Path("state") + "\n");
  EXPECT_EQ(out.str(), "");
}

TEST_F(InspectTest, CourierPrintsTheRouteWithSitesButNoDoorsNorItsPositionAtOne) {
  WriteServiceState(Path("state"));
  std::ostringstream out, err;
  ASSERT_EQ(RunCourier(Path("state"), "courier-1", dispatch::EngineOptions{}, out, err), kExitOk) << err.str();
  const nlohmann::json courier = nlohmann::json::parse(out.str());
  EXPECT_EQ(courier["courier_id"], "courier-1");
  EXPECT_EQ(courier["on_shift"], true);
  EXPECT_FALSE(courier.contains("location"));  // at order-1's door since its delivery
  std::vector<std::string> stops;
  for (const nlohmann::json& stop : courier["route"]) {
    stops.push_back(stop["kind"].get<std::string>() + " " + stop["order_id"].get<std::string>());
    EXPECT_EQ(stop.contains("location"), stop["kind"] == "PICKUP") << stop;
    EXPECT_GT(stop["planned_arrival_ms"].get<EventTimeMs>(), 0);
  }
  std::sort(stops.begin(), stops.end());
  EXPECT_EQ(stops, (std::vector<std::string>{"DELIVERY order-2", "DELIVERY order-3", "PICKUP order-3"}));
  EXPECT_EQ(out.str().find("41.805"), std::string::npos) << out.str();
}

TEST_F(InspectTest, OffsetsAreListedByTopicThenPartitionNumber) {
  WriteServiceState(Path("state"));
  std::ostringstream out, err;
  ASSERT_EQ(RunOffsets(Path("state"), std::nullopt, out, err), kExitOk) << err.str();
  EXPECT_EQ(out.str(),
            "topic\tpartition\tnext_offset\n"
            "meal.couriers\t0\t3\n"
            "meal.orders\t0\t42\n"
            "meal.orders\t2\t5\n"
            "meal.orders\t10\t7\n");
  std::ostringstream one;
  ASSERT_EQ(RunOffsets(Path("state"), "meal.couriers", one, err), kExitOk) << err.str();
  EXPECT_EQ(one.str(), "topic\tpartition\tnext_offset\nmeal.couriers\t0\t3\n");
}

}  // namespace
}  // namespace meal::admin
