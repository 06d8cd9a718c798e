// Decoding and validating one input record (codec::DecodeEvent), per kind of
// event, as the service does for every record it reads. Records come from the
// simulator's day (seed 42), so sizes and coordinate systems are the ones the
// service sees; delivery and availability events, which only the couriers'
// apps send, are made here for the day's orders and couriers.
#include <benchmark/benchmark.h>

#include <map>
#include <string>
#include <vector>

#include "codec/decode.h"
#include "mealdispatch/v1/events.pb.h"
#include "sim/city.h"

namespace meal::codec {
namespace {

namespace pb = ::mealdispatch::v1;

// Records per kind; the benchmark cycles through them.
constexpr std::size_t kPerKind = 512;

// Wire records by the name of their oneof case ("placed", "location", …)
// or registry type ("site", "elder").
using Records = std::map<std::string, std::vector<std::string>>;

template <typename Message>
void AddByCase(const std::string& bytes, Records* out) {
  Message m;
  if (!m.ParseFromString(bytes)) return;
  const auto* field = m.GetDescriptor()->FindFieldByNumber(static_cast<int>(m.kind_case()));
  if (field == nullptr) return;
  auto& list = (*out)[field->name()];
  if (list.size() < kPerKind) list.push_back(bytes);
}

void SetHeader(pb::EventHeader* h, const sim::OrderInfo& o, int n) {
  h->set_event_id("ev-bench-" + std::to_string(n));
  h->set_area_id(o.area_id);
  h->set_event_time_ms(o.window_start_ms);
}

Records MakeRecords() {
  sim::CityOptions options;
  options.static_location_pings = true;
  options.malformed_share = 0;
  const sim::City city = sim::GenerateCity(options);
  Records out;
  for (const sim::SimRecord& r : city.events) {
    if (r.topic == options.topics.orders) AddByCase<pb::OrderEvent>(r.value, &out);
    if (r.topic == options.topics.couriers) AddByCase<pb::CourierEvent>(r.value, &out);
  }
  for (const sim::SimRecord& r : city.registry) {
    auto& list = out[r.topic == options.topics.sites ? "site" : "elder"];
    if (list.size() < kPerKind) list.push_back(r.value);
  }
  for (std::size_t i = 0; i < kPerKind && i < city.orders.size(); ++i) {
    const sim::OrderInfo& o = city.orders[i];
    const std::string courier = city.couriers[i % city.couriers.size()].courier_id;
    const int n = static_cast<int>(i);
    pb::DeliveryEvent picked;
    SetHeader(picked.mutable_header(), o, 3 * n);
    picked.mutable_picked_up()->set_order_id(o.order_id);
    picked.mutable_picked_up()->set_courier_id(courier);
    out["picked_up"].push_back(picked.SerializeAsString());
    pb::DeliveryEvent delivered;
    SetHeader(delivered.mutable_header(), o, 3 * n + 1);
    delivered.mutable_delivered()->set_order_id(o.order_id);
    delivered.mutable_delivered()->set_courier_id(courier);
    out["delivered"].push_back(delivered.SerializeAsString());
    pb::DeliveryEvent failed;
    SetHeader(failed.mutable_header(), o, 3 * n + 2);
    failed.mutable_failed()->set_order_id(o.order_id);
    failed.mutable_failed()->set_courier_id(courier);
    failed.mutable_failed()->set_reason(pb::NO_ANSWER);
    out["failed"].push_back(failed.SerializeAsString());
    pb::CourierEvent availability;
    SetHeader(availability.mutable_header(), o, 3 * n);
    availability.mutable_availability()->set_courier_id(courier);
    availability.mutable_availability()->set_available(i % 2 == 0);
    out["availability"].push_back(availability.SerializeAsString());
  }
  return out;
}

const std::vector<std::string>& RecordsOf(const std::string& name) {
  static const Records records = MakeRecords();
  return records.at(name);
}

void BM_Decode(benchmark::State& state, InputKind kind, const char* name) {
  const std::vector<std::string>& records = RecordsOf(name);
  std::size_t i = 0;
  std::int64_t bytes = 0;
  for (auto _ : state) {
    const std::string& r = records[i++ % records.size()];
    Event event;  // one per record, as the service has it
    const Status s = DecodeEvent(kind, r, &event);
    if (!s.ok()) state.SkipWithError(s.message().c_str());
    benchmark::DoNotOptimize(event);
    bytes += static_cast<std::int64_t>(r.size());
  }
  state.SetBytesProcessed(bytes);
}
// Benchmark name, the topic's kind, and the records' name in RecordsOf.
struct Case {
  const char* name;
  InputKind kind;
  const char* records;
};
constexpr Case kCases[] = {
    {"order_placed", InputKind::kOrders, "placed"},       {"order_ready", InputKind::kOrders, "ready"},
    {"order_cancelled", InputKind::kOrders, "cancelled"}, {"shift_started", InputKind::kCouriers, "shift_started"},
    {"shift_ended", InputKind::kCouriers, "shift_ended"}, {"location", InputKind::kCouriers, "location"},
    {"availability", InputKind::kCouriers, "availability"}, {"picked_up", InputKind::kDeliveries, "picked_up"},
    {"delivered", InputKind::kDeliveries, "delivered"},   {"delivery_failed", InputKind::kDeliveries, "failed"},
    {"site", InputKind::kSites, "site"},                  {"elder", InputKind::kElders, "elder"},
};
[[maybe_unused]] const bool kRegistered = [] {
  for (const Case& c : kCases) {
    benchmark::RegisterBenchmark((std::string("BM_Decode/") + c.name).c_str(), BM_Decode, c.kind, c.records);
  }
  return true;
}();

}  // namespace
}  // namespace meal::codec
