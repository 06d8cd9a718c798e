// For the admin tests: dispatch state as the service commits it, in a real
// RocksDB store under a temporary directory of the test's own.
#pragma once

#include <gtest/gtest.h>
#include <unistd.h>

#include <filesystem>
#include <map>
#include <memory>
#include <string>

#include "codec/state_codec.h"
#include "dispatch/engine.h"
#include "state/keys.h"
#include "state/rocksdb_store.h"

namespace meal::admin {

inline constexpr EventTimeMs kT0 = 1'764'460'800'000;  // a fixed day, 00:00 UTC
inline constexpr GeoPoint kSiteAt{41.8000, 123.4300};
inline constexpr GeoPoint kHomeAt{41.8050, 123.4350};  // ~700 m away; must never be printed

class StateDirTest : public ::testing::Test {
 protected:
  void SetUp() override {
    root_ = std::filesystem::temp_directory_path() /
            ("meal_admin_" + std::string(::testing::UnitTest::GetInstance()->current_test_info()->name()) + "_" +
             std::to_string(getpid()));
    std::filesystem::remove_all(root_);
    std::filesystem::create_directories(root_);
  }
  void TearDown() override { std::filesystem::remove_all(root_); }

  std::string Path(const std::string& name) const { return (root_ / name).string(); }

  static void Commit(const std::string& dir, const state::WriteSet& changes) {
    std::unique_ptr<state::RocksDbStore> store;
    ASSERT_TRUE(state::RocksDbStore::Open(dir, {}, &store).ok());
    ASSERT_TRUE(store->Commit(changes).ok());
  }

  // Through the engine: site-1, elder-1 and courier-1, who has delivered
  // order-1 (booked in the ledger), has order-2 on board and order-3 still
  // to collect, all of kitchen batch-1; plus input offsets and an outbox
  // entry, in one commit.
  static void WriteServiceState(const std::string& dir) {
    dispatch::Engine engine{dispatch::EngineOptions{}};
    std::vector<dispatch::Output> outputs;
    auto apply = [&](std::string id, EventTimeMs t, EventBody body) {
      const dispatch::ApplyResult r = engine.Apply(Event{std::move(id), "area-1", t, std::move(body)}, &outputs);
      ASSERT_EQ(r.outcome, dispatch::ApplyOutcome::kApplied) << r.reason;
    };
    Site site;
    site.site_id = "site-1";
    site.area_id = "area-1";
    site.location = kSiteAt;
    site.radius_m = 2000;
    apply("s1", kT0, site);
    apply("e1", kT0, Elder{"elder-1", "area-1", kHomeAt, kLivingAlone, {}, {}});
    const EventTimeMs ten = kT0 + 10 * kHourMs;
    apply("shift", ten, ShiftStarted{"courier-1", TravelMode::kBike, 6, ten + 4 * kHourMs, kSiteAt, {}});
    for (const char* order : {"order-1", "order-2", "order-3"}) {
      OrderPlaced p;
      p.order_id = order;
      p.site_id = "site-1";
      p.elder_id = "elder-1";
      p.window_start_ms = kT0 + 11 * kHourMs;
      p.window_end_ms = kT0 + 12 * kHourMs;
      p.batch_id = "batch-1";
      apply(std::string("placed-") + order, ten, p);
      apply(std::string("ready-") + order, ten + 30 * kMinuteMs, OrderReady{order});
    }
    apply("picked-1", ten + 40 * kMinuteMs, PickedUp{"order-1", "courier-1"});
    apply("picked-2", ten + 41 * kMinuteMs, PickedUp{"order-2", "courier-1"});
    apply("delivered-1", ten + 60 * kMinuteMs, Delivered{"order-1", "courier-1", "proof-1"});
    state::WriteSet changes;
    engine.CollectChanges(&changes);
    changes.Put(state::OffsetKey("meal.orders", 0), state::EncodeOffset(42));
    changes.Put(state::OffsetKey("meal.orders", 10), state::EncodeOffset(7));
    changes.Put(state::OffsetKey("meal.orders", 2), state::EncodeOffset(5));
    changes.Put(state::OffsetKey("meal.couriers", 0), state::EncodeOffset(3));
    changes.Put(state::OutboxKey(1), codec::EncodeOutbox({"meal.assignments", "area-1", "plan", ten}));
    Commit(dir, changes);
  }

  // Every key and value, through a read-only open.
  static std::map<std::string, std::string> ReadAll(const std::string& dir) {
    std::unique_ptr<state::RocksDbStore> store;
    std::map<std::string, std::string> all;
    EXPECT_TRUE(state::RocksDbStore::OpenReadOnly(dir, &store).ok());
    if (!store) return all;
    EXPECT_TRUE(store->Scan("", [&](std::string_view k, std::string_view v) {
                  all.emplace(k, v);
                  return true;
                }).ok());
    return all;
  }

  std::filesystem::path root_;
};

}  // namespace meal::admin
