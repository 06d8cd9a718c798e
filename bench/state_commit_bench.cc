// One state commit as the service makes it per poll cycle: for each event
// applied, the changed order record and the event's duplicate-suppression
// key; then the area's stream time and the next input offset of every
// partition (3 topics x 4), all in one RocksDB WriteBatch.
#include <benchmark/benchmark.h>
#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <memory>
#include <string>
#include <vector>

#include "codec/state_codec.h"
#include "sample_order.h"
#include "state/keys.h"
#include "state/rocksdb_store.h"

namespace meal::state {
namespace {

// Distinct batches cycled through: later rounds rewrite the same keys, as an
// order's record is rewritten at each step of its life.
constexpr std::size_t kBatches = 64;

std::string Id(const char* prefix, std::size_t n) {
  char buf[48];
  std::snprintf(buf, sizeof buf, "%s-%07zu", prefix, n);
  return buf;
}

std::vector<WriteSet> MakeBatches(std::size_t events) {
  std::vector<WriteSet> batches(kBatches);
  std::size_t n = 0;
  for (WriteSet& changes : batches) {
    for (std::size_t e = 0; e < events; ++e, ++n) {
      const std::string order_id = Id("order-shenhe-01-s42", n);
      changes.Put(OrderKey(order_id), codec::EncodeOrder(bench::SampleOrder(order_id)));
      changes.Put(DedupKey("area-shenhe-01", Id("ev-s42", n)), {});
    }
    changes.Put(AreaKey("area-shenhe-01"), EncodeOffset(bench::kNoon));
    for (const char* topic : {"meal.orders", "meal.couriers", "meal.deliveries"}) {
      for (std::int32_t p = 0; p < 4; ++p) changes.Put(OffsetKey(topic, p), EncodeOffset(static_cast<std::int64_t>(n)));
    }
  }
  return batches;
}

void BM_StateCommit(benchmark::State& state) {
  const auto events = static_cast<std::size_t>(state.range(0));
  const std::filesystem::path dir =
      std::filesystem::temp_directory_path() / ("meal_state_commit_bench_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  RocksDbOptions options;
  options.sync = state.range(1) != 0;
  std::unique_ptr<RocksDbStore> store;
  if (Status s = RocksDbStore::Open(dir.string(), options, &store); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  const std::vector<WriteSet> batches = MakeBatches(events);
  std::size_t i = 0;
  for (auto _ : state) {
    if (Status s = store->Commit(batches[i++ % batches.size()]); !s.ok()) {
      state.SkipWithError(s.ToString().c_str());
      break;
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * events));
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_StateCommit)
    ->ArgNames({"events", "sync"})
    ->ArgsProduct({{1, 100, 2000}, {0, 1}})
    ->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace meal::state
