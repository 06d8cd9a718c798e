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
#include <benchmark/benchmark.h>

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "codec/decode.h"
#include "codec/encode.h"
#include "dispatch/engine.h"
#include "mealdispatch/v1/outputs.pb.h"
#include "sim/city.h"
#include "sim/courier_player.h"
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

}  // namespace
}  // namespace meal::dispatch
