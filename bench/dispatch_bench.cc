// The dispatch engine alone on a simulated day (sim::GenerateCity, seed 42):
// one area of 200 couriers and three sites, its registry applied first, then
// every area event in event order through Engine::Apply, with a state
// collection (CollectChanges) every 1,000 records as the service commits.
// One iteration is the whole day; `orders_per_s` is the day's ready orders
// over its time.
//
//   played:0  nobody plays the couriers, as in the whole-system orders run
//             (scripts/bench): routes only grow, and every courier keeps
//             its start position.
//   played:1  sim::CourierPlayer plays them from the published plans, in
//             process: pickups, deliveries, failed doors and location pings
//             every 30 s come back as events.
//
// The label is a digest of every output (assignments and alerts, as
// encoded for Kafka): an optimisation that changes no decision leaves it
// as it is.
//
// BM_LoadState: Engine::Load of a RocksDB state of `orders` orders, as the
// service restarts on it. The state is made once per size in
// $TMPDIR/dispatch_bench_state_<orders> (kept, so runs compare the same
// state) by writing the records directly: 250 areas of 3 sites, orders
// spread over the 90 days of retention, 2% still under way, the rest
// finished as a day leaves them (timeline of placed, ready, assigned,
// picked up and delivered or failed, or cancelled). Counters: the growth
// of resident memory over the load (rss_mib) and its peak (hwm_mib).
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "codec/decode.h"
#include "codec/encode.h"
#include "dispatch/engine.h"
#include "mealdispatch/v1/outputs.pb.h"
#include "sim/city.h"
#include "codec/state_codec.h"
#include "sim/courier_player.h"
#include "state/keys.h"
#include "state/rocksdb_store.h"
#include "state/write_set.h"

namespace meal::dispatch {
namespace {

constexpr std::size_t kCollectEvery = 1000;

sim::CityOptions DayCity(int orders) {
  sim::CityOptions o;
  o.areas = 1;
  o.couriers_per_area = 200;
  o.orders = orders;
  // As scripts/bench sizes it: an elder for every order and a half.
  o.elders_per_site = orders * 2 / 3 / o.sites_per_area + 1;
  // The plain order flow, as the whole-system run has it.
  o.standing_order_share = 0;
  o.recall_batch = false;
  o.malformed_share = 0;
  return o;
}

codec::InputKind KindOf(const sim::Topics& t, const std::string& topic) {
  if (topic == t.orders) return codec::InputKind::kOrders;
  if (topic == t.couriers) return codec::InputKind::kCouriers;
  if (topic == t.deliveries) return codec::InputKind::kDeliveries;
  if (topic == t.sites) return codec::InputKind::kSites;
  if (topic == t.elders) return codec::InputKind::kElders;
  return codec::InputKind::kCommands;
}

// FNV-1a, so the digest is the same on every machine.
void Digest(std::uint64_t& h, std::string_view bytes) {
  for (const char ch : bytes) h = (h ^ static_cast<unsigned char>(ch)) * 1099511628211ull;
}

void BM_DispatchDay(benchmark::State& state) {
  const int orders = static_cast<int>(state.range(0));
  const bool played = state.range(1) != 0;
  const sim::City city = sim::GenerateCity(DayCity(orders));
  const sim::Topics& topics = city.options.topics;
  std::uint64_t digest = 0;
  std::int64_t applied = 0;
  for (auto _ : state) {
    Engine engine{EngineOptions{}};
    sim::CourierPlayer player{sim::PlayerOptions{}};
    std::vector<Output> outputs;
    state::WriteSet changes;
    digest = 14695981039346656037ull;
    applied = 0;
    auto apply = [&](const sim::SimRecord& record) {
      Event event;
      if (!codec::DecodeEvent(KindOf(topics, record.topic), record.value, &event).ok()) return;
      outputs.clear();
      if (engine.Apply(event, &outputs).outcome == ApplyOutcome::kApplied) ++applied;
      for (const Output& out : outputs) {
        if (const Assignment* a = std::get_if<Assignment>(&out)) {
          const std::string bytes = codec::EncodeAssignment(*a);
          Digest(digest, bytes);
          ::mealdispatch::v1::Assignment plan;
          if (played && plan.ParseFromString(bytes)) player.OnAssignment(plan);
        } else {
          Digest(digest, codec::EncodeAlert(std::get<Alert>(out)));
        }
      }
      if (applied % kCollectEvery == 0) {
        changes.Clear();
        engine.CollectChanges(&changes);
      }
    };
    for (const sim::SimRecord& record : city.registry) apply(record);
    std::size_t next = 0;
    while (next < city.events.size() || (played && player.NextDueMs() != sim::kNever)) {
      const EventTimeMs due = played ? player.NextDueMs() : sim::kNever;
      if (next < city.events.size() && city.events[next].time_ms < due) {
        player.ObserveInput(city.events[next]);
        apply(city.events[next++]);
        continue;
      }
      for (const sim::SimRecord& record : player.Advance(due)) apply(record);
    }
    engine.CollectChanges(&changes);
    benchmark::DoNotOptimize(changes);
  }
  state.counters["orders_per_s"] = benchmark::Counter(static_cast<double>(city.ready_order_ids.size()),
                                                      benchmark::Counter::kIsIterationInvariantRate);
  state.counters["events"] = static_cast<double>(applied);
  char label[40];
  std::snprintf(label, sizeof label, "outputs %016llx", static_cast<unsigned long long>(digest));
  state.SetLabel(label);
}
BENCHMARK(BM_DispatchDay)
    ->ArgsProduct({{1000, 4000}, {0, 1}})
    ->ArgNames({"orders", "played"})
    ->Unit(benchmark::kMillisecond)
    ->Iterations(1);

// Resident memory in MiB, as /proc/self/status gives it (`field` "VmRSS:"
// or "VmHWM:").
double ProcMib(std::string_view field) {
  std::ifstream status("/proc/self/status");
  for (std::string line; std::getline(status, line);) {
    if (line.starts_with(field)) return std::strtod(line.c_str() + field.size(), nullptr) / 1024.0;
  }
  return 0;
}

std::string StatePath(int orders) {
  const char* tmp = std::getenv("TMPDIR");
  std::string path = tmp ? tmp : "/tmp";
  path.append("/dispatch_bench_state_").append(std::to_string(orders));
  return path;
}

void WriteState(const std::string& path, int orders) {
  std::unique_ptr<state::RocksDbStore> store;
  if (!state::RocksDbStore::Open(path, {}, &store).ok()) std::abort();
  constexpr EventTimeMs kStart = 1'760'000'000'000;
  constexpr int kAreas = 250;
  state::WriteSet batch;
  for (int i = 0; i < orders; ++i) {
    const int area = i % kAreas;
    const std::string area_id = "area-" + std::to_string(area);
    Order o;
    o.order_id = "order-area-" + std::to_string(area) + "-s42-" + std::to_string(i);
    o.area_id = area_id;
    o.site_id = area_id + "-site-" + std::to_string(i % 3);
    o.elder_id = area_id + "-elder-" + std::to_string(i % 1200);
    o.window_start_ms = kStart + static_cast<EventTimeMs>(i) * (90 * 24 * kHourMs / orders);
    o.window_end_ms = o.window_start_ms + kHourMs;
    o.pickup = {31.2 + area * 1e-3, 121.4};
    o.dropoff = {31.21 + area * 1e-3, 121.41};
    o.placed_ms = o.window_start_ms - 3 * kHourMs;
    o.hot_meal_limit_ms = 45 * kMinuteMs;
    o.batch_id = "batch-" + std::to_string(i / 500);
    o.timeline.push_back({o.placed_ms, OrderStatus::kPlaced, ""});
    const bool under_way = i >= orders - orders / 50;
    if (i % 40 == 7 && !under_way) {
      o.status = OrderStatus::kCancelled;
      o.timeline.push_back({o.placed_ms + kHourMs, OrderStatus::kCancelled, "the elder is away"});
    } else {
      o.courier_id = area_id + "-courier-" + std::to_string(i % 200);
      o.ready_ms = o.window_start_ms - 20 * kMinuteMs;
      o.timeline.push_back({o.ready_ms, OrderStatus::kReady, ""});
      o.timeline.push_back({o.ready_ms, OrderStatus::kAssigned, o.courier_id});
      o.status = OrderStatus::kAssigned;
      if (!under_way) {
        o.picked_up_ms = o.ready_ms + 10 * kMinuteMs;
        o.done_ms = o.window_start_ms + 20 * kMinuteMs;
        o.timeline.push_back({o.picked_up_ms, OrderStatus::kPickedUp, ""});
        const bool failed = i % 50 == 3;
        o.status = failed ? OrderStatus::kFailed : OrderStatus::kDelivered;
        o.timeline.push_back({o.done_ms, o.status, failed ? "refused" : "on time"});
        if (!failed) o.proof_ref = "proof/" + o.order_id;
      }
    }
    batch.Put(state::OrderKey(o.order_id), codec::EncodeOrder(o));
    batch.Put(state::TraceKey(o.site_id, o.batch_id, o.order_id), codec::EncodeTrace(o));
    if (batch.size() >= 10'000 || i + 1 == orders) {
      if (!store->Commit(batch).ok()) std::abort();
      batch.Clear();
    }
  }
}

void BM_LoadState(benchmark::State& state) {
  const int orders = static_cast<int>(state.range(0));
  const std::string path = StatePath(orders);
  if (!std::filesystem::exists(path)) WriteState(path, orders);
  std::unique_ptr<state::RocksDbStore> store;
  if (!state::RocksDbStore::Open(path, {}, &store).ok()) std::abort();
  double rss = 0, hwm = 0;
  for (auto _ : state) {
    std::ofstream("/proc/self/clear_refs") << "5";  // resets the peak (VmHWM)
    const double before = ProcMib("VmRSS:");
    Engine engine{EngineOptions{}};
    if (!engine.Load(*store).ok()) std::abort();
    rss = ProcMib("VmRSS:") - before;
    hwm = ProcMib("VmHWM:") - before;
    benchmark::DoNotOptimize(engine);
  }
  state.counters["rss_mib"] = rss;
  state.counters["hwm_mib"] = hwm;
}
BENCHMARK(BM_LoadState)->Arg(1'000'000)->ArgName("orders")->Unit(benchmark::kMillisecond)->Iterations(1);

}  // namespace
}  // namespace meal::dispatch
