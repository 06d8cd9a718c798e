// meal-bench: the whole-system benchmark's driver, run by scripts/bench.
//
//   meal-bench fill --bootstrap B --prefix P [day options] [--until-ready K] [--json F]
//   meal-bench watch --http-port N --topics t1,t2,t3 --expect N [--json F] [--samples F]
//   meal-bench wait-ready --http-port N [--timeout-s S]
//   meal-bench latency --bootstrap B --prefix P [day options] --rate R [--from-ready K]
//                      [--json F] [--samples F]
//
// Day options (the same for fill and latency, so both build the same day):
//   --seed --areas --sites --elders --couriers --orders --day-start-ms
//   --ping-interval-ms MS (every on-shift courier reports its location; default: no pings)
//   --max-events N (only the day's first N area events)
//
// Exit codes: 0 on success, 1 on bad flags or when Kafka or the service
// could not be used, 3 when a run did not complete.
#include <CLI/CLI.hpp>

#include "common.h"
#include "driver.h"

namespace {

void AddDayOptions(CLI::App* app, meal::bench::DayOptions* day) {
  meal::sim::CityOptions& city = day->city;
  // Throughput and latency are measured on the plain order flow, as in
  // earlier runs: no standing orders (their orders appear only inside the
  // service) and no recall (a command, not input from sites or couriers).
  city.standing_order_share = 0;
  city.recall_batch = false;
  app->add_option("--bootstrap", day->bootstrap, "Kafka bootstrap servers")->required();
  app->add_option("--prefix", day->prefix, "topic name prefix, e.g. bench.day.")->required();
  app->add_option("--seed", city.seed, "seed of every random choice")->capture_default_str();
  app->add_option("--areas", city.areas, "service areas")->capture_default_str()->check(CLI::Range(1, 100000));
  app->add_option("--sites", city.sites_per_area, "meal sites per area")
      ->capture_default_str()
      ->check(CLI::Range(1, 99));
  app->add_option("--elders", city.elders_per_site, "registered elders per site")
      ->capture_default_str()
      ->check(CLI::Range(1, 99999));
  app->add_option("--couriers", city.couriers_per_area, "couriers per area")
      ->capture_default_str()
      ->check(CLI::Range(0, 9999));
  app->add_option("--orders", city.orders, "orders in the day, all areas together")
      ->capture_default_str()
      ->check(CLI::Range(0, 100000000));
  app->add_option("--day-start-ms", city.day_start_ms, "00:00 China time of the day, UTC ms")->required();
  app->add_option("--max-events", day->max_events, "keep only the day's first N area events")
      ->check(CLI::PositiveNumber);
  app->add_option_function<meal::DurationMs>(
         "--ping-interval-ms",
         [&city](meal::DurationMs ms) {
           city.static_location_pings = true;
           city.location_interval_ms = ms;
         },
         "every on-shift courier reports its location this often (default: no pings)")
      ->check(CLI::Range(1000, 3600000));
}

}  // namespace

int main(int argc, char** argv) {
  namespace bench = meal::bench;
  CLI::App app{"meal-bench: the whole-system benchmark's driver"};
  app.require_subcommand(1);

  bench::FillOptions fill;
  CLI::App* fill_cmd = app.add_subcommand("fill", "create the topics and produce a simulated day");
  AddDayOptions(fill_cmd, &fill.day);
  fill_cmd->add_option("--until-ready", fill.until_ready,
                       "stop before the day's K-th OrderReady, from 0 (the prefill of a latency run)");
  fill_cmd->add_option("--json", fill.json_path, "write what was produced here");

  bench::WatchOptions watch;
  std::string watch_topics;
  CLI::App* watch_cmd = app.add_subcommand("watch", "follow the service until it has applied N records");
  watch_cmd->add_option("--http-port", watch.http_port, "the service's HTTP port")->required();
  watch_cmd->add_option("--topics", watch_topics, "comma-separated input topics")->required();
  watch_cmd->add_option("--expect", watch.expect, "records to apply")->required()->check(CLI::PositiveNumber);
  watch_cmd->add_option("--timeout-s", watch.timeout_s, "give up after this long")->capture_default_str();
  watch_cmd->add_option("--json", watch.json_path, "write the result here");
  watch_cmd->add_option("--samples", watch.samples_path, "write records applied over time here (CSV)");

  int ready_port = 0;
  double ready_timeout_s = 120;
  CLI::App* ready_cmd = app.add_subcommand("wait-ready", "wait until the service's /readyz answers 200");
  ready_cmd->add_option("--http-port", ready_port, "the service's HTTP port")->required();
  ready_cmd->add_option("--timeout-s", ready_timeout_s, "give up after this long")->capture_default_str();

  bench::LatencyOptions latency;
  CLI::App* latency_cmd = app.add_subcommand("latency", "offer the day's orders at a rate and time the decisions");
  AddDayOptions(latency_cmd, &latency.day);
  latency_cmd->add_option("--rate", latency.rate, "OrderReady events per second")
      ->required()
      ->check(CLI::PositiveNumber);
  latency_cmd->add_option("--from-ready", latency.from_ready,
                          "start the offer at the day's K-th OrderReady, from 0 (the end of the prefill)")
      ->capture_default_str();
  latency_cmd->add_option("--drain-timeout-s", latency.drain_timeout_s, "wait this long for the last decisions")
      ->capture_default_str();
  latency_cmd->add_option("--json", latency.json_path, "write the result here");
  latency_cmd->add_option("--samples", latency.samples_path, "write every decision latency (ms) here");

  CLI11_PARSE(app, argc, argv);
  if (*fill_cmd) return bench::RunFill(fill);
  if (*watch_cmd) {
    watch.topics = bench::SplitList(watch_topics);
    return bench::RunWatch(watch);
  }
  if (*ready_cmd) return bench::RunWaitReady(ready_port, ready_timeout_s);
  return bench::RunLatency(latency);
}
