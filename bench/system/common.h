// Pieces shared by the whole-system benchmark tools (bench-bare-consumer,
// bench-passthrough, meal-bench): a progress timeline, a consumer that reads
// topics from their beginning the way the service does, and result files.
// Not thread-safe unless a function says otherwise.
#pragma once

#include <librdkafka/rdkafka.h>

#include <chrono>
#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include <CLI/CLI.hpp>
#include <nlohmann/json.hpp>

#include "kafka/client_config.h"

namespace meal::bench {

using Clock = std::chrono::steady_clock;

double SecondsBetween(Clock::time_point from, Clock::time_point to);
// Now plus `seconds`.
Clock::time_point DeadlineIn(double seconds);

// A cumulative count over time, sampled at most every `interval`, for the
// throughput-over-time plot. Times are seconds since Start().
class Timeline {
 public:
  explicit Timeline(std::chrono::milliseconds interval = std::chrono::milliseconds(100))
      : interval_(interval) {}

  // Starts the clock at `at` with a sample (0, 0).
  void Start(Clock::time_point at = Clock::now());
  // Samples `count` if an interval has passed since the last sample.
  void Record(std::int64_t count);
  // Samples `count` now, whatever the interval: the end of the run.
  void Finish(std::int64_t count);

  bool started() const { return !samples_.empty(); }
  // Seconds from Start() to the last sample.
  double elapsed_s() const { return samples_.empty() ? 0 : samples_.back().first; }
  // "t_s,count" lines under a header.
  bool WriteCsv(const std::string& path) const;

 private:
  std::chrono::milliseconds interval_;
  Clock::time_point start_{};
  Clock::time_point last_{};
  std::vector<std::pair<double, std::int64_t>> samples_;
};

// The service's largest poll cycle (pipeline.batch_max_records' default).
inline constexpr std::size_t kMaxBatch = 2000;

// Flags of the tools that read the service's input topics
// (bench-bare-consumer, bench-passthrough).
struct ReadFlags {
  std::string bootstrap;
  std::string topics;  // comma-separated
  std::int64_t expect = 0;
  std::string json_path;
  std::string samples_path;
  double timeout_s = 600;
};
void AddReadFlags(CLI::App& app, ReadFlags* flags);

// A consumer in a new group `group_id`, subscribed to `topics` and reading
// them from the beginning, with the service's fetch settings (a fetch queue
// of the same size, so both meet librdkafka 2.0.2's fetch pauses alike).
// Throws std::runtime_error when the client cannot be made.
kafka::HandlePtr SubscribeFromStart(const std::string& bootstrap, const std::string& group_id,
                                    const std::vector<std::string>& topics);

// What ConsumeAll saw: records handed over, and the timeline from the first
// record to the end of the last on_batch.
struct ConsumeResult {
  std::int64_t records = 0;
  bool complete = false;  // `expect` records arrived before the timeout
  Timeline timeline;
};

// Polls `consumer` until `expect` records have arrived or `timeout_s` pass.
// One poll cycle, as in the service's loop, waits up to 20 ms for a first
// record and then takes what is already fetched, up to `max_batch`; its
// records go to `on_batch` (which must not keep them) and are destroyed.
// Error events (end of partition included) are not records.
ConsumeResult ConsumeAll(rd_kafka_t* consumer, std::int64_t expect, std::size_t max_batch, double timeout_s,
                         const std::function<void(std::span<rd_kafka_message_t* const>)>& on_batch);

// Prints "<what>: N records in S s, R records/s", and writes the result
// file (records, seconds, per_s, complete, and `extra`) and the samples
// the flags ask for.
void Report(const char* what, const ConsumeResult& result, bool complete, const ReadFlags& flags,
            const nlohmann::json& extra = nlohmann::json::object());

// Writes `value` to `path`, pretty-printed; false on failure.
bool WriteJson(const std::string& path, const nlohmann::json& value);

// Splits "a,b,c" at commas; empty parts are dropped.
std::vector<std::string> SplitList(const std::string& text);

}  // namespace meal::bench
