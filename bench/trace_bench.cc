// The food-safety trace query (GET /api/v1/trace) on a real RocksDB store:
// one kitchen batch of 10,000 deliveries among 100,000 other orders, read
// through the HTTP handler as an operator would. Target: under 100 ms.
#include <benchmark/benchmark.h>

#include <atomic>
#include <filesystem>

#include "codec/state_codec.h"
#include "service/http_routes.h"
#include "state/keys.h"
#include "state/rocksdb_store.h"

namespace meal {
namespace {

void BM_TraceQuery(benchmark::State& state) {
  const auto batch_size = static_cast<int>(state.range(0));
  const auto dir = std::filesystem::temp_directory_path() / ("meal_trace_bench_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  std::unique_ptr<state::RocksDbStore> store;
  if (Status s = state::RocksDbStore::Open(dir.string(), state::RocksDbOptions{}, &store); !s.ok()) {
    state.SkipWithError(s.message().c_str());
    return;
  }
  // The batch under recall, and ten times as many orders of other batches
  // and sites around it in key order.
  for (int site = 0; site < 11; ++site) {
    state::WriteSet w;
    for (int i = 0; i < batch_size; ++i) {
      Order o;
      o.order_id = "order-" + std::to_string(site) + "-" + std::to_string(i);
      o.elder_id = "elder-" + std::to_string(i % 5000);
      o.courier_id = "courier-" + std::to_string(i % 200);
      o.status = OrderStatus::kDelivered;
      o.picked_up_ms = 1'795'990'000'000 + i;
      o.done_ms = o.picked_up_ms + 900'000;
      const std::string batch = site == 5 ? "lunch-0930" : "batch-" + std::to_string(site);
      w.Put(state::TraceKey("site-" + std::to_string(site % 3), batch, o.order_id), codec::EncodeTrace(o));
    }
    if (Status s = store->Commit(w); !s.ok()) {
      state.SkipWithError(s.message().c_str());
      return;
    }
  }
  metrics::Registry metrics;
  std::atomic<bool> ready{true};
  const api::Router router = service::MakeRoutes(service::RouteContext{&metrics, store.get(), &ready, {}});
  api::Request req;
  req.method = "GET";
  req.path = "/api/v1/trace";
  req.query = {{"site", "site-2"}, {"batch", "lunch-0930"}};
  std::size_t bytes = 0;
  for (auto _ : state) {
    const api::Response r = router.Dispatch(req);
    if (r.status != 200) state.SkipWithError("trace query failed");
    bytes = r.body.size();
    benchmark::DoNotOptimize(bytes);
  }
  state.counters["deliveries"] = batch_size;
  state.counters["response_kb"] = static_cast<double>(bytes) / 1024.0;
  store.reset();
  std::filesystem::remove_all(dir);
}
BENCHMARK(BM_TraceQuery)->Arg(10'000)->Unit(benchmark::kMillisecond);

}  // namespace
}  // namespace meal
