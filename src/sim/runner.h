// Plays a generated day against a real Kafka cluster: creates the topics,
// publishes the registry, produces the day's events on a simulated clock,
// listens to the service's assignments and alerts, plays the couriers, and
// keeps the score. This is meal-sim's engine; the executable only parses flags.
#pragma once

#include <atomic>
#include <string>
#include <vector>

#include "common/status.h"
#include "kafka/admin.h"
#include "kafka/client_config.h"
#include "sim/city.h"
#include "sim/scoreboard.h"

namespace meal::sim {

struct RunOptions {
  // Kafka bootstrap servers. Default: the development broker, 127.0.0.1:19092.
  std::string bootstrap = "127.0.0.1:19092";
  // Extra librdkafka properties for every client (producer, reader, admin).
  kafka::Properties kafka_properties;
  // The city and its day.
  CityOptions city;
  // The day (first event to last) is stretched or squeezed to take this many
  // wall seconds. Ignored when rate > 0 or as_fast_as_possible. Default: 60.
  double duration_s = 60;
  // When > 0, produce the generated events at this many per wall second
  // instead (the couriers' events come on top). Default: 0.
  double rate = 0;
  // Produce as fast as the producer takes records. Default: false.
  bool as_fast_as_possible = false;
  // Play the couriers from the service's assignments. Default: true.
  bool play = true;
  // Play the operators too: acknowledge each wellness check some minutes
  // after it opens (OperatorDesk). Off leaves them open for a person at the
  // console. Default: true.
  bool operator_desk = true;
  // Share of doors where nobody answers (PlayerOptions). Default: 0.02.
  double no_answer_share = 0.02;
  // After the day, wait at most this long for outstanding outcomes. Default: 30.
  double drain_timeout_s = 30;
  // Partitions of the area-keyed topics and of the registry topics. Existing
  // topics with another count are used as they are (with a warning).
  // Default: 4 and 4.
  int area_partitions = 4;
  int registry_partitions = 4;
  // When set, wait (up to 30 s, not fatal) for an HTTP 2xx from this URL
  // before the day starts; a URL without a path is probed at /healthz.
  std::string service_url;
  // Bearer token for the service's API (the standing orders' outcomes are
  // read from GET /api/v1/orders/{id}); a viewer's is enough. Default: none.
  std::string api_token;
  // Progress on stderr: one rewritten line on a terminal, else a line per
  // 10%. Default: true.
  bool progress = true;
};

// The topics meal-sim needs: area-keyed ones with `area_partitions`, the
// registry topics compacted with `registry_partitions`.
std::vector<kafka::TopicSpec> TopicSpecs(const Topics& topics, int area_partitions,
                                         int registry_partitions);

// Runs the whole day. Sets *summary and *summary_valid once the registry is
// published (from then on a summary is worth printing even on failure).
// Returns OK, or the error that kept it from talking to Kafka: topics could
// not be ensured, the registry was not acknowledged, records were refused.
// `stop` (may be null) ends the day early when it becomes true, e.g. on SIGINT.
Status RunDay(const RunOptions& options, const std::atomic<bool>* stop, DaySummary* summary,
              bool* summary_valid);

}  // namespace meal::sim
