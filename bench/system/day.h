// The input of the whole-system benchmark: one simulated service day
// (sim::GenerateCity, deterministic), with the couriers' location pings that
// dominate real traffic, and what it is made of. `meal-bench fill` and
// `meal-bench latency` build the same day from the same options.
#pragma once

#include <cstddef>
#include <cstdint>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "sim/city.h"

namespace meal::bench {

struct DayOptions {
  // Kafka bootstrap servers.
  std::string bootstrap;
  // Every topic name starts with this (e.g. "bench.day."), so runs on one
  // broker never share topics.
  std::string prefix;
  // The city. Its topics are replaced by the prefixed ones.
  sim::CityOptions city;
  // When > 0, only the day's first max_events area events (in event order)
  // are kept: the morning up to that point, with its realistic mix. Default: 0.
  std::size_t max_events = 0;
};

// The standard topic names under `prefix`.
sim::Topics PrefixedTopics(const std::string& prefix);

struct Day {
  sim::City city;
  // Index into city.events of every OrderReady, in event order, with its order id.
  std::vector<std::pair<std::size_t, std::string>> ready;
  std::int64_t locations = 0;  // LocationUpdate events
  std::int64_t orders = 0;     // OrderPlaced events
};

// Generates the day.
Day MakeDay(const DayOptions& options);

// Index into city.events of the day's k-th OrderReady (from 0), or the event
// count when there are not that many: where a latency run's offer starts.
std::size_t ReadyIndex(const Day& day, std::size_t k);

// The day's composition, for result files.
nlohmann::json Describe(const Day& day);

}  // namespace meal::bench
