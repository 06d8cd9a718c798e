#include <algorithm>
#include <atomic>
#include <cmath>
#include <cstdio>
#include <fstream>
#include <limits>
#include <memory>
#include <stdexcept>
#include <thread>
#include <unordered_map>

#include "common.h"
#include "driver.h"
#include "kafka/admin.h"
#include "kafka/producer.h"
#include "kafka/reader.h"
#include "mealdispatch/v1/outputs.pb.h"

namespace meal::bench {
namespace {

namespace pb = ::mealdispatch::v1;

// The value at quantile q of sorted `v` (nearest rank), 0 when empty.
double Quantile(const std::vector<double>& v, double q) {
  if (v.empty()) return 0;
  const auto rank = static_cast<std::size_t>(std::ceil(q * static_cast<double>(v.size())));
  return v[std::clamp<std::size_t>(rank, 1, v.size()) - 1];
}

// Watches the service's outputs on a thread of its own, so a decision is
// stamped when it becomes readable, not when the offering loop gets round to
// it. Per ready order: when the first decision naming it was seen.
class DecisionWatcher {
 public:
  DecisionWatcher(const std::string& bootstrap, const sim::Topics& topics,
                  const std::unordered_map<std::string, std::size_t>& order_index)
      : topics_(topics), order_index_(order_index), seen_at_(order_index.size()) {
    // Read_committed: a decision counts once a downstream reader may act on
    // it. A short fetch wait, so an idle partition does not delay the rest.
    reader_ = std::make_unique<kafka::Reader>(
        kafka::Properties{{"bootstrap.servers", bootstrap},
                          {"isolation.level", "read_committed"},
                          {"fetch.wait.max.ms", "5"}},
        std::vector<std::string>{topics.assignments, topics.alerts});
    thread_ = std::thread([this] { Loop(); });
  }
  ~DecisionWatcher() { Stop(); }

  void Stop() {
    stop_.store(true);
    if (thread_.joinable()) thread_.join();
  }
  // True once the reader has reached the end of every output partition:
  // from then on a new output is seen as soon as it is readable.
  bool caught_up() const { return caught_up_.load(); }
  std::int64_t decided() const { return decided_.load(); }
  std::int64_t unassignable() const { return unassignable_.load(); }
  // REQUIRES: Stop() returned. When each order's decision was seen; the
  // epoch for undecided orders.
  const std::vector<Clock::time_point>& seen_at() const { return seen_at_; }

 private:
  void Loop() {
    std::vector<kafka::Record> records;
    while (!stop_.load()) {
      records.clear();
      reader_->Poll(&records, 2000, 5);
      const Clock::time_point now = Clock::now();
      if (reader_->AtEnd()) caught_up_.store(true);
      for (const kafka::Record& r : records) {
        if (r.topic == topics_.assignments) {
          pb::Assignment a;
          if (!a.ParseFromString(r.value)) continue;
          for (const pb::PlannedStop& stop : a.stops()) Decide(stop.order_id(), now, false);
        } else {
          pb::Alert a;
          if (a.ParseFromString(r.value) && a.kind() == pb::UNASSIGNABLE) Decide(a.order_id(), now, true);
        }
      }
    }
  }

  void Decide(const std::string& order_id, Clock::time_point now, bool unassignable) {
    auto it = order_index_.find(order_id);
    if (it == order_index_.end() || seen_at_[it->second] != Clock::time_point{}) return;
    seen_at_[it->second] = now;
    decided_.fetch_add(1);
    if (unassignable) unassignable_.fetch_add(1);
  }

  const sim::Topics& topics_;
  const std::unordered_map<std::string, std::size_t>& order_index_;
  std::unique_ptr<kafka::Reader> reader_;
  std::vector<Clock::time_point> seen_at_;  // written by the thread only
  std::atomic<bool> caught_up_{false};
  std::atomic<std::int64_t> decided_{0};
  std::atomic<std::int64_t> unassignable_{0};
  std::atomic<bool> stop_{false};
  std::thread thread_;
};

}  // namespace

int RunLatency(const LatencyOptions& options) {
  const Day day = MakeDay(options.day);
  const sim::Topics& topics = day.city.options.topics;
  // The orders offered: day.ready[from, end).
  const std::size_t from = std::min(options.from_ready, day.ready.size());
  std::unordered_map<std::string, std::size_t> order_index;
  for (std::size_t k = from; k < day.ready.size(); ++k) order_index.emplace(day.ready[k].second, k - from);

  const kafka::Properties props = {{"bootstrap.servers", options.day.bootstrap}};
  const std::string warmup_topic = std::string(options.day.prefix).append("warmup");
  if (Status s = kafka::EnsureTopics(props, {{warmup_topic, 1, 1, false}}, 15000); !s.ok()) {
    std::fprintf(stderr, "meal-bench latency: %s\n", s.ToString().c_str());
    return 1;
  }
  std::int64_t refused = 0;
  std::unique_ptr<kafka::Producer> producer;
  std::unique_ptr<DecisionWatcher> watcher;
  try {
    // No linger: a kitchen's app sends an order's readiness at once.
    kafka::Properties producer_props = props;
    producer_props.emplace("linger.ms", "0");
    producer = std::make_unique<kafka::Producer>(producer_props, [&](std::uint64_t, rd_kafka_resp_err_t err) {
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) ++refused;
    });
    watcher = std::make_unique<DecisionWatcher>(options.day.bootstrap, topics, order_index);
  } catch (const std::exception& e) {
    std::fprintf(stderr, "meal-bench latency: %s\n", e.what());
    return 1;
  }
  // The clock starts once both clients are warm: the idempotent producer
  // has its producer id (a first record acknowledged, on a topic nobody
  // reads) and the input topics' metadata (else the first records to each
  // topic wait up to seconds for it), and the reader is at the end of the
  // outputs.
  bool warm = producer->Produce(warmup_topic, {}, {}, options.day.city.day_start_ms, 0) ==
                  RD_KAFKA_RESP_ERR_NO_ERROR &&
              producer->Flush(30000);
  for (const std::string* topic : {&topics.orders, &topics.couriers, &topics.deliveries}) {
    int partitions = 0;
    warm = warm && kafka::PartitionCount(producer->handle(), *topic, 10000, &partitions).ok();
  }
  const Clock::time_point warm_deadline = DeadlineIn(30);
  while (!watcher->caught_up() && Clock::now() < warm_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(5));
  }
  if (!warm || refused > 0 || !watcher->caught_up()) {
    std::fprintf(stderr, "meal-bench latency: the producer or the output reader did not come up within 30 s\n");
    return 1;
  }

  // Offer: the k-th OrderReady goes at t0 + k / rate, everything before it
  // in event order goes with it.
  const Clock::time_point t0 = Clock::now();
  std::vector<Clock::time_point> offered_at(order_index.size());
  const std::vector<sim::SimRecord>& events = day.city.events;
  std::size_t next_ready = from;
  std::uint64_t tag = 0;
  for (std::size_t i = ReadyIndex(day, from); i < events.size(); ++i) {
    const bool is_ready = next_ready < day.ready.size() && day.ready[next_ready].first == i;
    if (is_ready) {
      const Clock::time_point due =
          t0 + std::chrono::duration_cast<Clock::duration>(
                   std::chrono::duration<double>(static_cast<double>(next_ready - from) / options.rate));
      for (Clock::time_point now = Clock::now(); now < due; now = Clock::now()) {
        producer->Poll(0);
        std::this_thread::sleep_for(std::min<Clock::duration>(due - now, std::chrono::milliseconds(1)));
      }
      offered_at[next_ready++ - from] = Clock::now();
    }
    const sim::SimRecord& r = events[i];
    if (producer->Produce(r.topic, r.key, r.value, r.time_ms, ++tag) != RD_KAFKA_RESP_ERR_NO_ERROR) ++refused;
    if (tag % 256 == 0) producer->Poll(0);
  }
  const double offered_s = SecondsBetween(t0, Clock::now());
  const bool flushed = producer->Flush(60000);
  const Clock::time_point drain_deadline = DeadlineIn(options.drain_timeout_s);
  const auto wanted = static_cast<std::int64_t>(offered_at.size());
  while (watcher->decided() < wanted && Clock::now() < drain_deadline) {
    std::this_thread::sleep_for(std::chrono::milliseconds(20));
  }
  watcher->Stop();

  // Undecided orders count as infinitely late: a quantile over the decided
  // ones alone would flatter a service that drops work.
  constexpr double kNever = std::numeric_limits<double>::infinity();
  std::vector<double> latencies_ms;
  for (std::size_t k = 0; k < offered_at.size(); ++k) {
    const Clock::time_point seen = watcher->seen_at()[k];
    latencies_ms.push_back(seen != Clock::time_point{} ? 1000 * SecondsBetween(offered_at[k], seen) : kNever);
  }
  std::sort(latencies_ms.begin(), latencies_ms.end());
  const auto decided = static_cast<std::int64_t>(
      std::lower_bound(latencies_ms.begin(), latencies_ms.end(), kNever) - latencies_ms.begin());
  const double achieved = offered_s > 0 ? static_cast<double>(wanted) / offered_s : 0;
  const double p50 = Quantile(latencies_ms, 0.50);
  const double p99 = Quantile(latencies_ms, 0.99);
  const double p999 = Quantile(latencies_ms, 0.999);
  std::printf("latency at %.0f orders/s offered (%.0f achieved): %lld of %lld orders decided "
              "(%lld unassignable); p50 %.1f ms, p99 %.1f ms, p99.9 %.1f ms\n",
              options.rate, achieved, static_cast<long long>(decided), static_cast<long long>(wanted),
              static_cast<long long>(watcher->unassignable()), p50, p99, p999);
  if (!options.json_path.empty()) {
    // An infinite quantile (undecided orders) is written as null.
    nlohmann::json result = Describe(day);
    result.update({{"rate", options.rate},
                   {"achieved_rate", achieved},
                   {"offered_s", offered_s},
                   {"orders", wanted},
                   {"warmup_orders", from},
                   {"decided", decided},
                   {"unassignable", watcher->unassignable()},
                   {"p50_ms", p50},
                   {"p99_ms", p99},
                   {"p999_ms", p999},
                   {"max_ms", latencies_ms.empty() ? 0 : latencies_ms.back()},
                   {"refused", refused}});
    WriteJson(options.json_path, result);
  }
  if (!options.samples_path.empty()) {
    std::ofstream out(options.samples_path, std::ios::trunc);
    out << "latency_ms\n";
    for (std::int64_t i = 0; i < decided; ++i) out << latencies_ms[static_cast<std::size_t>(i)] << '\n';
  }
  if (!flushed || refused > 0 || decided < wanted) {
    std::fprintf(stderr, "meal-bench latency: %lld orders undecided, %lld records refused\n",
                 static_cast<long long>(wanted - decided), static_cast<long long>(refused));
    return 3;
  }
  return 0;
}

}  // namespace meal::bench
