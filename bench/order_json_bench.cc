// JSON of an order list as an operator's console fetches it: each order read
// from the state store, decoded and serialised by the API's order handler
// (GET /api/v1/orders/{id}), one request per order. There is no list
// endpoint yet, so the list is served order by order.
#include <benchmark/benchmark.h>

#include <atomic>
#include <string>
#include <vector>

#include "api/http_server.h"
#include "codec/state_codec.h"
#include "metrics/registry.h"
#include "sample_order.h"
#include "service/http_routes.h"
#include "state/keys.h"
#include "state/memory_store.h"

namespace meal::service {
namespace {

void BM_OrderListJson(benchmark::State& state) {
  const auto orders = static_cast<std::size_t>(state.range(0));
  state::MemoryStore store;
  state::WriteSet changes;
  std::vector<api::Request> requests(orders);
  for (std::size_t i = 0; i < orders; ++i) {
    const std::string id = "order-shenhe-01-s42-" + std::to_string(10000 + i);
    changes.Put(state::OrderKey(id), codec::EncodeOrder(bench::SampleOrder(id)));
    requests[i].method = "GET";
    requests[i].path = "/api/v1/orders/" + id;
  }
  if (Status s = store.Commit(changes); !s.ok()) {
    state.SkipWithError(s.ToString().c_str());
    return;
  }
  metrics::Registry registry;
  std::atomic<bool> ready{true};
  const api::Router router = MakeRoutes({&registry, &store, &ready, {}});
  std::int64_t bytes = 0;
  for (auto _ : state) {
    for (api::Request& request : requests) {
      const api::Response response = router.Dispatch(request);
      if (response.status != 200) state.SkipWithError(response.body.c_str());
      bytes += static_cast<std::int64_t>(response.body.size());
    }
  }
  state.SetItemsProcessed(static_cast<std::int64_t>(state.iterations() * orders));
  state.SetBytesProcessed(bytes);
}
BENCHMARK(BM_OrderListJson)->Arg(100)->Unit(benchmark::kMicrosecond);

}  // namespace
}  // namespace meal::service
