// The subcommands of meal-bench, the whole-system benchmark's driver (run by
// scripts/bench). Each returns a process exit code: 0 on success, 1 when
// Kafka or the service could not be used, 3 when the run did not complete
// (timeout, records refused). Results go to a JSON file, samples to CSV.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "day.h"

namespace meal::bench {

struct FillOptions {
  DayOptions day;
  // When set, produce only the records before the day's k-th OrderReady
  // (from 0): the prefill of a latency run, which offers the rest.
  std::optional<std::size_t> until_ready;
  std::string json_path;
};

// Creates the prefixed topics (area topics with 4 partitions, registry topics
// compacted with 1, as the service makes them), produces the registry, then
// the day's area events in event order, and waits for every acknowledgement.
int RunFill(const FillOptions& options);

struct WatchOptions {
  // The service's HTTP port on 127.0.0.1.
  int http_port = 0;
  // Input topics whose meal_events_total counts.
  std::vector<std::string> topics;
  // Records the service must apply.
  std::int64_t expect = 0;
  double timeout_s = 600;
  std::string json_path;
  std::string samples_path;
};

// Follows the service's /metrics every 50 ms until it has read `expect`
// records from `topics` and its outbox is empty (every output acknowledged);
// the time runs from the last sample before the first record. Also reports
// the service's output counters.
int RunWatch(const WatchOptions& options);

// Polls http://127.0.0.1:<http_port>/readyz every 10 ms until it answers 200.
int RunWaitReady(int http_port, double timeout_s);

struct LatencyOptions {
  DayOptions day;
  // The offer starts at the day's k-th OrderReady (from 0); the orders
  // before it were in the prefill and warmed the service up: it has made
  // decisions and published them, as a running service has. Default: 0.
  std::size_t from_ready = 0;
  // OrderReady events offered per second; the events between two of them
  // (orders placed, shifts) go with the later one.
  double rate = 1000;
  // After the last record, wait this long at most for the last decisions.
  double drain_timeout_s = 60;
  std::string json_path;
  // Every decided order's latency in ms, one per line, ascending.
  std::string samples_path;
};

// Offers the day from its from_ready-th OrderReady on (the prefill is in
// Kafka and the service has read it) at `rate` orders per second, and times each
// order from the moment its OrderReady is handed to the producer to the
// moment a read_committed reader sees the first assignment naming it, or an
// UNASSIGNABLE alert for it: the service's decision, committed. Quantiles
// count an order still undecided after the drain as infinitely late (null in
// the JSON).
int RunLatency(const LatencyOptions& options);

}  // namespace meal::bench
