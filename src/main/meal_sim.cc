// meal-sim: plays a synthetic city's service day against Kafka (and so
// against the dispatch service listening there), then prints the score.
//
//   meal-sim --bootstrap 127.0.0.1:19092 --seed 42 --areas 2 --orders 2000
//            --couriers 15 --duration-s 60 [--rate N | --as-fast-as-possible]
//            [--no-play] [--summary-json FILE] [--service-url http://127.0.0.1:8080]
//            [--no-operator] [--no-answer-share X] [--topic-prefix P]
//            (the API token, for reading orders back: MEAL_API_TOKEN or --api-token)
//
// Exit codes: 0 after a full run (whatever the service answered), 1 on bad
// flags, 2 when Kafka could not be reached or the registry not published,
// 3 when Kafka refused some of the day's records.
#include <atomic>
#include <chrono>
#include <csignal>
#include <cstdio>
#include <cstdlib>
#include <fstream>
#include <string>

#include <CLI/CLI.hpp>

#include "sim/city.h"
#include "sim/runner.h"
#include "sim/scoreboard.h"

namespace {

std::atomic<bool> g_stop{false};

extern "C" void OnSignal(int) { g_stop.store(true); }

// "YYYY-MM-DD" -> 00:00 China time as UTC ms; false if malformed.
bool ParseChinaDate(const std::string& text, meal::EventTimeMs* out) {
  int y = 0;
  int m = 0;
  int d = 0;
  char tail = 0;
  if (std::sscanf(text.c_str(), "%4d-%2d-%2d%c", &y, &m, &d, &tail) != 3) return false;
  if (y < 1970 || m < 1 || m > 12 || d < 1 || d > 31) return false;
  *out = meal::sim::ChinaMidnightMs(y, m, d);
  return true;
}

}  // namespace

int main(int argc, char** argv) {
  meal::sim::RunOptions opt;
  meal::sim::CityOptions& city = opt.city;
  std::string day;
  std::string summary_json;
  bool no_play = false;
  bool static_pings = false;
  bool quiet = false;
  int sites_per_area = city.sites_per_area;

  CLI::App app{"meal-sim: plays a synthetic day of home-delivered meals against Kafka"};
  app.add_option("--bootstrap", opt.bootstrap, "Kafka bootstrap servers")->capture_default_str();
  app.add_option("--seed", city.seed, "seed of every random choice")->capture_default_str();
  app.add_option("--areas", city.areas, "service areas")->capture_default_str()->check(CLI::Range(1, 1000));
  app.add_option("--sites", sites_per_area, "meal sites per area")->capture_default_str()->check(CLI::Range(1, 99));
  app.add_option("--elders", city.elders_per_site, "registered elders per site")
      ->capture_default_str()
      ->check(CLI::Range(1, 9999));
  app.add_option("--orders", city.orders, "orders in the day, all areas together")
      ->capture_default_str()
      ->check(CLI::Range(0, 10000000));
  app.add_option("--couriers", city.couriers_per_area, "couriers per area")
      ->capture_default_str()
      ->check(CLI::Range(0, 999));
  app.add_option("--day", day,
                 "service day YYYY-MM-DD, China time (default: yesterday, so that no record "
                 "lies in the future; brokers refuse records timestamped over an hour ahead)");
  app.add_option("--cancel-share", city.cancel_share, "share of orders cancelled")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--malformed-share", city.malformed_share, "extra malformed records, share of the day's events")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  app.add_option("--location-interval-ms", city.location_interval_ms, "courier location ping interval")
      ->capture_default_str()
      ->check(CLI::Range(0, 3600000));
  app.add_option("--duration-s", opt.duration_s, "wall seconds the day takes")
      ->capture_default_str()
      ->check(CLI::PositiveNumber);
  auto* rate = app.add_option("--rate", opt.rate, "produce the day's events at N per second instead")
                   ->check(CLI::PositiveNumber);
  auto* afap = app.add_flag("--as-fast-as-possible", opt.as_fast_as_possible,
                            "produce the day as fast as Kafka takes it");
  rate->excludes(afap);
  app.add_flag("--no-play", no_play, "do not play the couriers (implies --static-pings)");
  app.add_flag("--static-pings", static_pings,
               "the generator also reports every on-shift courier at its site each interval; "
               "meant for open-loop runs (with play, the played couriers ping as well)");
  bool no_operator = false;
  app.add_flag("--no-operator", no_operator,
               "do not play the operators: wellness checks stay open for a person at the console");
  app.add_option("--no-answer-share", opt.no_answer_share, "share of doors where nobody answers")
      ->capture_default_str()
      ->check(CLI::Range(0.0, 1.0));
  std::string topic_prefix;
  app.add_option("--topic-prefix", topic_prefix,
                 "put this before every topic name (e.g. \"run7.\" gives run7.meal.orders), so runs sharing a "
                 "broker stay apart; the service's topics.* keys must name the same topics");
  app.add_option("--drain-timeout-s", opt.drain_timeout_s,
                 "after the day, wait this long at most for outstanding outcomes")
      ->capture_default_str()
      ->check(CLI::NonNegativeNumber);
  app.add_option("--partitions", opt.area_partitions, "partitions of the area-keyed topics when created")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--registry-partitions", opt.registry_partitions,
                 "partitions of the compacted registry topics when created")
      ->capture_default_str()
      ->check(CLI::Range(1, 1024));
  app.add_option("--summary-json", summary_json, "also write the summary as JSON to this file");
  app.add_option("--service-url", opt.service_url,
                 "wait for an HTTP 2xx from the service first (no path: /healthz)");
  if (const char* token = std::getenv("MEAL_API_TOKEN")) opt.api_token = token;
  app.add_option("--api-token", opt.api_token,
                 "bearer token for the service's API (default: $MEAL_API_TOKEN; a viewer's is enough)");
  app.add_flag("--quiet", quiet, "no progress on stderr");
  CLI11_PARSE(app, argc, argv);

  city.sites_per_area = sites_per_area;
  opt.play = !no_play;
  opt.operator_desk = !no_operator;
  for (std::string* name : {&city.topics.orders, &city.topics.couriers, &city.topics.deliveries, &city.topics.commands,
                            &city.topics.sites, &city.topics.elders, &city.topics.assignments, &city.topics.alerts,
                            &city.topics.dlq}) {
    *name = topic_prefix + *name;
  }
  city.static_location_pings = static_pings || no_play;
  opt.progress = !quiet;
  if (day.empty()) {
    // Yesterday in China time: the whole day is in the past (brokers refuse
    // future timestamps beyond log.message.timestamp.after.max.ms, one hour by
    // default since Kafka 4.0) and well inside a week's retention.
    const auto now_ms = std::chrono::duration_cast<std::chrono::milliseconds>(
                            std::chrono::system_clock::now().time_since_epoch())
                            .count();
    const meal::EventTimeMs local_day = (now_ms + meal::sim::kChinaUtcOffsetMs) / (24 * meal::kHourMs);
    city.day_start_ms = (local_day - 1) * 24 * meal::kHourMs - meal::sim::kChinaUtcOffsetMs;
  } else if (!ParseChinaDate(day, &city.day_start_ms)) {
    std::fprintf(stderr, "meal-sim: --day wants YYYY-MM-DD, got '%s'\n", day.c_str());
    return 1;
  }

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  meal::sim::DaySummary summary;
  bool have_summary = false;
  const meal::Status status = meal::sim::RunDay(opt, &g_stop, &summary, &have_summary);
  if (have_summary) {
    std::fputs(meal::sim::FormatSummary(summary).c_str(), stdout);
    std::fflush(stdout);
    if (!summary_json.empty()) {
      std::ofstream out(summary_json, std::ios::trunc);
      out << meal::sim::SummaryJson(summary);
      if (!out) std::fprintf(stderr, "meal-sim: could not write %s\n", summary_json.c_str());
    }
  }
  if (!status.ok()) {
    std::fprintf(stderr, "meal-sim: %s\n", status.ToString().c_str());
    return have_summary ? 3 : 2;
  }
  return 0;
}
