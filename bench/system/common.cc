#include "common.h"

#include <cstdio>
#include <fstream>
#include <sstream>
#include <stdexcept>

namespace meal::bench {

double SecondsBetween(Clock::time_point from, Clock::time_point to) {
  return std::chrono::duration<double>(to - from).count();
}

Clock::time_point DeadlineIn(double seconds) {
  return Clock::now() + std::chrono::duration_cast<Clock::duration>(std::chrono::duration<double>(seconds));
}

void Timeline::Start(Clock::time_point at) {
  start_ = last_ = at;
  samples_.assign(1, {0.0, 0});
}

void Timeline::Record(std::int64_t count) {
  const Clock::time_point now = Clock::now();
  if (now - last_ < interval_) return;
  last_ = now;
  samples_.emplace_back(SecondsBetween(start_, now), count);
}

void Timeline::Finish(std::int64_t count) {
  last_ = Clock::now();
  samples_.emplace_back(SecondsBetween(start_, last_), count);
}

bool Timeline::WriteCsv(const std::string& path) const {
  std::ofstream out(path, std::ios::trunc);
  out << "t_s,count\n";
  for (const auto& [t, count] : samples_) out << t << ',' << count << '\n';
  return static_cast<bool>(out);
}

void AddReadFlags(CLI::App& app, ReadFlags* flags) {
  app.add_option("--bootstrap", flags->bootstrap, "Kafka bootstrap servers")->required();
  app.add_option("--topics", flags->topics, "comma-separated input topics")->required();
  app.add_option("--expect", flags->expect, "records to read")->required()->check(CLI::PositiveNumber);
  app.add_option("--json", flags->json_path, "write the result here");
  app.add_option("--samples", flags->samples_path, "write records done over time here (CSV)");
  app.add_option("--timeout-s", flags->timeout_s, "give up after this long")->capture_default_str();
}

kafka::HandlePtr SubscribeFromStart(const std::string& bootstrap, const std::string& group_id,
                                    const std::vector<std::string>& topics) {
  // Fetch settings as in ingest::GroupConsumer.
  const kafka::Properties props = {
      {"bootstrap.servers", bootstrap},
      {"group.id", group_id},
      {"enable.auto.commit", "false"},
      {"auto.offset.reset", "earliest"},
      {"queued.min.messages", "200000"},
      {"queued.max.messages.kbytes", "262144"},
      {"fetch.wait.max.ms", "50"},
  };
  Status status;
  kafka::ConfPtr conf = kafka::MakeConf(props, &status);
  if (!status.ok()) throw std::runtime_error(status.message());
  char errstr[512];
  kafka::HandlePtr rk(rd_kafka_new(RD_KAFKA_CONSUMER, conf.get(), errstr, sizeof errstr));
  if (!rk) throw std::runtime_error(std::string("kafka consumer: ") + errstr);
  conf.release();  // owned by the handle now
  rd_kafka_poll_set_consumer(rk.get());
  rd_kafka_topic_partition_list_t* list = rd_kafka_topic_partition_list_new(static_cast<int>(topics.size()));
  for (const std::string& t : topics) rd_kafka_topic_partition_list_add(list, t.c_str(), RD_KAFKA_PARTITION_UA);
  const rd_kafka_resp_err_t err = rd_kafka_subscribe(rk.get(), list);
  rd_kafka_topic_partition_list_destroy(list);
  if (err) throw std::runtime_error("kafka subscribe: " + kafka::ErrorText(err));
  return rk;
}

ConsumeResult ConsumeAll(rd_kafka_t* consumer, std::int64_t expect, std::size_t max_batch, double timeout_s,
                         const std::function<void(std::span<rd_kafka_message_t* const>)>& on_batch) {
  ConsumeResult result;
  std::vector<rd_kafka_message_t*> batch;
  batch.reserve(max_batch);
  const Clock::time_point deadline = DeadlineIn(timeout_s);
  while (result.records < expect && Clock::now() < deadline) {
    int wait_ms = 20;
    while (batch.size() < max_batch) {
      rd_kafka_message_t* msg = rd_kafka_consumer_poll(consumer, wait_ms);
      if (msg == nullptr) break;
      wait_ms = 0;
      if (msg->err) {
        rd_kafka_message_destroy(msg);
        continue;
      }
      // The clock starts at the first record: joining the group is not
      // part of the throughput.
      if (!result.timeline.started()) result.timeline.Start();
      batch.push_back(msg);
    }
    if (batch.empty()) continue;
    on_batch(batch);
    result.records += static_cast<std::int64_t>(batch.size());
    for (rd_kafka_message_t* msg : batch) rd_kafka_message_destroy(msg);
    batch.clear();
    result.timeline.Record(result.records);
  }
  if (result.timeline.started()) result.timeline.Finish(result.records);
  result.complete = result.records >= expect;
  return result;
}

void Report(const char* what, const ConsumeResult& result, bool complete, const ReadFlags& flags,
            const nlohmann::json& extra) {
  const double seconds = result.timeline.elapsed_s();
  const double per_s = seconds > 0 ? static_cast<double>(result.records) / seconds : 0;
  std::printf("%s: %lld of %lld records in %.3f s, %.0f records/s\n", what, static_cast<long long>(result.records),
              static_cast<long long>(flags.expect), seconds, per_s);
  if (!flags.json_path.empty()) {
    nlohmann::json out = extra;
    out.update({{"records", result.records}, {"seconds", seconds}, {"per_s", per_s}, {"complete", complete}});
    WriteJson(flags.json_path, out);
  }
  if (!flags.samples_path.empty()) result.timeline.WriteCsv(flags.samples_path);
}

bool WriteJson(const std::string& path, const nlohmann::json& value) {
  std::ofstream out(path, std::ios::trunc);
  out << value.dump(2) << '\n';
  return static_cast<bool>(out);
}

std::vector<std::string> SplitList(const std::string& text) {
  std::vector<std::string> out;
  std::stringstream in(text);
  std::string part;
  while (std::getline(in, part, ',')) {
    if (!part.empty()) out.push_back(part);
  }
  return out;
}

}  // namespace meal::bench
