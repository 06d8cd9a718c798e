#include <cstdio>
#include <memory>
#include <stdexcept>

#include "common.h"
#include "driver.h"
#include "kafka/admin.h"
#include "kafka/producer.h"
#include "sim/runner.h"

namespace meal::bench {

int RunFill(const FillOptions& options) {
  const Clock::time_point started = Clock::now();
  const Day day = MakeDay(options.day);
  const double generate_s = SecondsBetween(started, Clock::now());
  const sim::Topics& topics = day.city.options.topics;
  const kafka::Properties props = {{"bootstrap.servers", options.day.bootstrap}};
  if (Status s = kafka::EnsureTopics(props, sim::TopicSpecs(topics, 4, 1), 15000); !s.ok()) {
    std::fprintf(stderr, "meal-bench fill: %s\n", s.ToString().c_str());
    return 1;
  }

  std::int64_t refused = 0;
  std::unique_ptr<kafka::Producer> producer;
  try {
    producer = std::make_unique<kafka::Producer>(props, [&](std::uint64_t, rd_kafka_resp_err_t err) {
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) ++refused;
    });
  } catch (const std::exception& e) {
    std::fprintf(stderr, "meal-bench fill: %s\n", e.what());
    return 1;
  }
  std::uint64_t tag = 0;
  const auto produce = [&](const sim::SimRecord& r) {
    if (producer->Produce(r.topic, r.key, r.value, r.time_ms, ++tag) != RD_KAFKA_RESP_ERR_NO_ERROR) ++refused;
  };
  // The registry first and acknowledged: the service reads it to its end
  // before any area event, and every order names a site and an elder.
  for (const sim::SimRecord& r : day.city.registry) produce(r);
  const bool registry_flushed = producer->Flush(60000);
  const Clock::time_point events_started = Clock::now();
  const std::size_t end = options.until_ready ? ReadyIndex(day, *options.until_ready) : day.city.events.size();
  for (std::size_t i = 0; i < end; ++i) produce(day.city.events[i]);
  const bool flushed = producer->Flush(120000) && registry_flushed;
  const double produce_s = SecondsBetween(events_started, Clock::now());

  nlohmann::json result = Describe(day);
  result["produced_area_events"] = end;
  result["generate_s"] = generate_s;
  result["produce_s"] = produce_s;
  result["refused"] = refused;
  std::printf("fill %s: %zu registry records, %zu of %zu area events (%lld location updates, %zu orders ready) "
              "produced in %.1f s\n",
              options.day.prefix.c_str(), day.city.registry.size(), end, day.city.events.size(),
              static_cast<long long>(day.locations), day.ready.size(), produce_s);
  if (!options.json_path.empty()) WriteJson(options.json_path, result);
  if (!flushed || refused > 0) {
    std::fprintf(stderr, "meal-bench fill: %lld records refused or unacknowledged\n", static_cast<long long>(refused));
    return 3;
  }
  return 0;
}

}  // namespace meal::bench
