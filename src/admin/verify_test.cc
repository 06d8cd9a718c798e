#include "admin/verify.h"

#include <gtest/gtest.h>

#include <sstream>

#include "admin/commands.h"
#include "admin/test_state.h"

namespace meal::admin {
namespace {

using VerifyTest = StateDirTest;

TEST_F(VerifyTest, EngineStatePassesWithRecordsCountedPerFamily) {
  WriteServiceState(Path("state"));
  std::ostringstream out, err;
  EXPECT_EQ(RunVerify(Path("state"), out, err), kExitOk) << out.str() << err.str();
  EXPECT_NE(out.str().find("  o/  orders: 3\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("  c/  couriers: 1\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("  l/  ledger entries: 1\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("  k/  input offsets: 4\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("  x/  outbox entries: 1\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("  t/  trace entries: 3\n"), std::string::npos) << out.str();
  EXPECT_NE(out.str().find("problems: 0\n"), std::string::npos) << out.str();
}

TEST_F(VerifyTest, RouteStopNamingADeliveredOrderIsReportedByKey) {
  const std::string dir = Path("state");
  WriteServiceState(dir);
  // order-3 marked delivered behind the courier's back: still on the route.
  std::map<std::string, std::string> all = ReadAll(dir);
  Order order;
  ASSERT_TRUE(codec::DecodeOrder(all.at(state::OrderKey("order-3")), &order).ok());
  order.status = OrderStatus::kDelivered;
  state::WriteSet changes;
  changes.Put(state::OrderKey("order-3"), codec::EncodeOrder(order));
  Commit(dir, changes);

  std::ostringstream out, err;
  EXPECT_EQ(RunVerify(dir, out, err), kExitFailed);
  EXPECT_NE(out.str().find("problems: 1\n  c/courier-1: route names order order-3, which is DELIVERED\n"),
            std::string::npos)
      << out.str();
}

TEST_F(VerifyTest, OrderOffItsCourierRouteAndBadRecordsAreEachReported) {
  const std::string dir = Path("state");
  WriteServiceState(dir);
  std::map<std::string, std::string> all = ReadAll(dir);
  Courier courier;
  ASSERT_TRUE(codec::DecodeCourier(all.at(state::CourierKey("courier-1")), &courier).ok());
  std::erase_if(courier.route, [](const RouteStop& s) { return s.order_id == "order-2"; });
  LedgerEntry entry;
  entry.order_id = "order-3";
  entry.site_id = "site-1";
  entry.service_date = "2025-11-30";
  state::WriteSet changes;
  changes.Put(state::CourierKey("courier-1"), codec::EncodeCourier(courier));
  changes.Put(state::LedgerKey(entry.service_date, entry.site_id, entry.order_id), codec::EncodeLedger(entry));
  changes.Put(state::OutboxKey(7), "\xff not an outbox entry");
  changes.Put(state::OffsetKey("meal.orders", 3), "short");
  changes.Put("z/stray", "");
  changes.Put(state::OrderKey("order-x"), all.at(state::OrderKey("order-1")));
  Order gone;
  gone.order_id = "order-gone";
  changes.Put(state::TraceKey("site-1", "batch-1", gone.order_id), codec::EncodeTrace(gone));
  Commit(dir, changes);

  VerifyReport report;
  std::unique_ptr<state::RocksDbStore> store;
  ASSERT_TRUE(state::RocksDbStore::OpenReadOnly(dir, &store).ok());
  ASSERT_TRUE(Verify(*store, &report).ok());
  std::vector<std::string> keys;
  for (const Problem& p : report.problems) keys.push_back(p.key);
  ASSERT_EQ(keys, (std::vector<std::string>{"k/meal.orders/3", "l/2025-11-30/site-1/order-3", "o/order-2",
                                            "o/order-x", "t/site-1/batch-1/order-gone", "x/7", "z/stray"}));
  EXPECT_EQ(report.problems[0].what, "not an 8-byte number");
  EXPECT_EQ(report.problems[1].what, "books order order-3, which is ASSIGNED, not DELIVERED");
  EXPECT_EQ(report.problems[2].what, "PICKED_UP to courier 'courier-1' but not on its route");
  EXPECT_EQ(report.problems[3].what, "holds the record that belongs at o/order-1");
  EXPECT_EQ(report.problems[4].what, "traces order order-gone, which is not stored");
  EXPECT_TRUE(report.problems[5].what.starts_with("does not decode: ")) << report.problems[5].what;
  EXPECT_EQ(report.problems[6].what, "unknown key family");
}

TEST_F(VerifyTest, MissingStateDirIsAUsageErrorNamingTheOption) {
  std::ostringstream out, err;
  EXPECT_EQ(RunVerify(Path("absent"), out, err), kExitUsage);
  EXPECT_EQ(err.str(), "meal-admin: --state-dir " + Path("absent") + ": no such directory\n");
  std::filesystem::create_directories(Path("empty"));
  std::ostringstream err2;
  EXPECT_EQ(RunVerify(Path("empty"), out, err2), kExitUsage);
  EXPECT_NE(err2.str().find("not a state store"), std::string::npos) << err2.str();
}

}  // namespace
}  // namespace meal::admin
