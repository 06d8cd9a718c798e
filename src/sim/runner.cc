#include "sim/runner.h"

#include <netdb.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdio>
#include <limits>
#include <map>
#include <memory>
#include <stdexcept>
#include <thread>
#include <utility>

#include <nlohmann/json.hpp>

#include "kafka/producer.h"
#include "kafka/reader.h"
#include "mealdispatch/v1/outputs.pb.h"
#include "sim/courier_player.h"
#include "sim/operator_desk.h"

namespace meal::sim {
namespace {

namespace pb = ::mealdispatch::v1;
using Clock = std::chrono::steady_clock;

std::int64_t MicrosSince(Clock::time_point start) {
  return std::chrono::duration_cast<std::chrono::microseconds>(Clock::now() - start).count();
}

// "HH:MM" of an event time in China time, for the progress line.
std::string LocalClock(EventTimeMs t) {
  const std::int64_t minute = (((t + kChinaUtcOffsetMs) / kMinuteMs) % 1440 + 1440) % 1440;
  char buf[8];
  std::snprintf(buf, sizeof buf, "%02d:%02d", static_cast<int>(minute / 60), static_cast<int>(minute % 60));
  return buf;
}

// One progress line on stderr: rewritten in place on a terminal (at most 5
// times a second), else printed at every 10% step so logs stay short.
class Progress {
 public:
  explicit Progress(bool enabled) : enabled_(enabled), tty_(isatty(STDERR_FILENO) == 1) {}

  void Update(double fraction, const std::string& text) {
    if (!enabled_) return;
    fraction = std::clamp(fraction, 0.0, 1.0);
    if (tty_) {
      const auto now = Clock::now();
      if (now - last_ < std::chrono::milliseconds(200) && fraction < 1.0) return;
      last_ = now;
      constexpr int kWidth = 30;
      const int filled = static_cast<int>(fraction * kWidth);
      std::string bar(static_cast<std::size_t>(filled), '#');
      bar.resize(kWidth, '.');
      std::fprintf(stderr, "\r[%s] %3.0f%% %s\033[K", bar.c_str(), fraction * 100, text.c_str());
      std::fflush(stderr);
      dirty_ = true;
    } else {
      const int decile = static_cast<int>(fraction * 10);
      if (decile <= last_decile_) return;
      last_decile_ = decile;
      std::fprintf(stderr, "meal-sim: %3d%% %s\n", decile * 10, text.c_str());
    }
  }

  // Prints a line of its own (ends a rewritten line first).
  void Line(const std::string& text) {
    if (!enabled_) return;
    EndLine();
    std::fprintf(stderr, "meal-sim: %s\n", text.c_str());
  }

  void EndLine() {
    if (dirty_) std::fputc('\n', stderr);
    dirty_ = false;
  }

 private:
  bool enabled_;
  bool tty_;
  bool dirty_ = false;
  int last_decile_ = -1;
  Clock::time_point last_{};
};

// GET `url` once; returns the HTTP status, or -1 when nothing answered, and
// the response body in *body when given. Plain http:// and HTTP/1.0 only:
// enough to see whether the service is up and to read a small JSON answer.
// A non-empty `token` is sent as "Authorization: Bearer <token>".
int HttpGet(const std::string& url, int timeout_ms, std::string* body = nullptr, const std::string& token = {}) {
  constexpr std::string_view kScheme = "http://";
  if (url.rfind(kScheme, 0) != 0) return -1;
  const std::string rest = url.substr(kScheme.size());
  const std::size_t slash = rest.find('/');
  const std::string host_port = rest.substr(0, slash);
  const std::string path = slash == std::string::npos ? "/healthz" : rest.substr(slash);
  const std::size_t colon = host_port.rfind(':');
  const std::string host = host_port.substr(0, colon);
  const std::string port = colon == std::string::npos ? "80" : host_port.substr(colon + 1);

  addrinfo hints{};
  hints.ai_family = AF_UNSPEC;
  hints.ai_socktype = SOCK_STREAM;
  addrinfo* found = nullptr;
  if (getaddrinfo(host.c_str(), port.c_str(), &hints, &found) != 0) return -1;
  std::unique_ptr<addrinfo, decltype(&freeaddrinfo)> guard(found, &freeaddrinfo);
  const int fd = socket(found->ai_family, found->ai_socktype, found->ai_protocol);
  if (fd < 0) return -1;
  timeval tv{timeout_ms / 1000, (timeout_ms % 1000) * 1000};
  setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
  setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof tv);
  int status = -1;
  if (connect(fd, found->ai_addr, found->ai_addrlen) == 0) {
    std::string request = "GET " + path + " HTTP/1.0\r\nHost: " + host_port + "\r\n";
    if (!token.empty()) request += "Authorization: Bearer " + token + "\r\n";
    request += "\r\n";
    if (send(fd, request.data(), request.size(), MSG_NOSIGNAL) == static_cast<ssize_t>(request.size())) {
      // HTTP/1.0: the server closes the connection after the response.
      std::string response;
      char buf[4096];
      for (ssize_t n; (n = recv(fd, buf, sizeof buf, 0)) > 0;) {
        response.append(buf, static_cast<std::size_t>(n));
        if (body == nullptr) break;
      }
      int code = 0;
      if (response.size() > 12 && std::sscanf(response.c_str(), "HTTP/%*d.%*d %d", &code) == 1) status = code;
      if (body != nullptr) {
        const std::size_t start = response.find("\r\n\r\n");
        *body = start == std::string::npos ? std::string() : response.substr(start + 4);
      }
    }
  }
  close(fd);
  return status;
}

}  // namespace

std::vector<kafka::TopicSpec> TopicSpecs(const Topics& topics, int area_partitions,
                                         int registry_partitions) {
  std::vector<kafka::TopicSpec> specs;
  for (const std::string* name : {&topics.orders, &topics.couriers, &topics.deliveries, &topics.commands,
                                  &topics.assignments, &topics.alerts, &topics.dlq}) {
    specs.push_back({*name, area_partitions, 1, false});
  }
  for (const std::string* name : {&topics.sites, &topics.elders}) {
    specs.push_back({*name, registry_partitions, 1, true});
  }
  return specs;
}

Status RunDay(const RunOptions& opt, const std::atomic<bool>* stop, DaySummary* summary,
              bool* summary_valid) {
  *summary_valid = false;
  const auto stopped = [stop] { return stop != nullptr && stop->load(); };
  Progress progress(opt.progress);
  const Topics& topics = opt.city.topics;

  const City city = GenerateCity(opt.city);
  progress.Line("generated " + std::to_string(city.sites.size()) + " sites, " +
                std::to_string(city.elders.size()) + " elders, " +
                std::to_string(city.couriers.size()) + " couriers, " +
                std::to_string(city.orders.size()) + " orders, " + std::to_string(city.standing.size()) +
                " standing orders, " +
                std::to_string(city.events.size()) + " events (" +
                std::to_string(city.malformed_count()) + " malformed)");

  kafka::Properties props = opt.kafka_properties;
  props["bootstrap.servers"] = opt.bootstrap;

  // Topics. A partition-count mismatch means someone created them before us
  // (e.g. the service); that is theirs to decide, so carry on.
  if (Status s = kafka::EnsureTopics(
          props, TopicSpecs(topics, opt.area_partitions, opt.registry_partitions), 15000);
      !s.ok()) {
    if (s.code() != StatusCode::kFailedPrecondition) return s;
    progress.Line("warning: " + s.ToString());
  }

  // Producer. Delivery reports come back on this thread from Poll/Flush.
  std::int64_t refused = 0;
  std::string first_refusal;
  std::unique_ptr<kafka::Producer> producer;
  try {
    kafka::Properties producer_props = props;
    producer_props.emplace("client.id", "meal-sim");
    producer = std::make_unique<kafka::Producer>(
        producer_props, [&](std::uint64_t, rd_kafka_resp_err_t err) {
          if (err == RD_KAFKA_RESP_ERR_NO_ERROR) return;
          if (refused++ > 0) return;
          first_refusal = kafka::ErrorText(err);
          if (err == RD_KAFKA_RESP_ERR_INVALID_TIMESTAMP) {
            first_refusal +=
                " (the broker refuses records stamped further ahead than "
                "log.message.timestamp.after.max.ms, one hour by default: pick a past day)";
          }
        });
  } catch (const std::exception& e) {
    return Status::Invalid(e.what());
  }
  std::uint64_t tag = 0;
  const auto produce = [&](const SimRecord& r) {
    const rd_kafka_resp_err_t err = producer->Produce(r.topic, r.key, r.value, r.time_ms, ++tag);
    if (err != RD_KAFKA_RESP_ERR_NO_ERROR && refused++ == 0) first_refusal = kafka::ErrorText(err);
  };

  // The registry first, and wait for it: the service must know every site
  // and elder before the first order names one.
  for (const SimRecord& r : city.registry) produce(r);
  if (!producer->Flush(30000)) return Status::Io("the registry was not acknowledged within 30 s");
  if (refused > 0) return Status::Io("the registry was refused: " + first_refusal);
  progress.Line("published the registry (" + std::to_string(city.registry.size()) + " records)");

  // Listen from the current end of the outputs, so only this run's answers count.
  std::map<kafka::TopicPartition, std::int64_t> start;
  const std::vector<std::string> outputs = {topics.assignments, topics.alerts};
  for (const std::string& topic : outputs) {
    int partitions = 0;
    if (Status s = kafka::PartitionCount(producer->handle(), topic, 10000, &partitions); !s.ok()) {
      return s;
    }
    for (int p = 0; p < partitions; ++p) {
      std::int64_t low = 0;
      std::int64_t high = 0;
      const rd_kafka_resp_err_t err =
          rd_kafka_query_watermark_offsets(producer->handle(), topic.c_str(), p, &low, &high, 10000);
      if (err != RD_KAFKA_RESP_ERR_NO_ERROR) {
        return Status::Io("end offset of " + topic + ": " + kafka::ErrorText(err));
      }
      start[{topic, p}] = high;
    }
  }
  std::unique_ptr<kafka::Reader> reader;
  try {
    kafka::Properties reader_props = props;
    reader_props["isolation.level"] = "read_committed";
    reader_props.emplace("client.id", "meal-sim-reader");
    reader = std::make_unique<kafka::Reader>(reader_props, outputs, start);
  } catch (const std::exception& e) {
    return Status::Io(e.what());
  }

  if (!opt.service_url.empty()) {
    const auto deadline = Clock::now() + std::chrono::seconds(30);
    int status = -1;
    while (!stopped() && Clock::now() < deadline) {
      status = HttpGet(opt.service_url, 2000);
      if (status >= 200 && status < 300) break;
      std::this_thread::sleep_for(std::chrono::milliseconds(500));
    }
    progress.Line(status >= 200 && status < 300
                      ? "service answered at " + opt.service_url
                      : "warning: no 2xx from " + opt.service_url + " (last status " +
                            std::to_string(status) + "); playing anyway");
  }

  Scoreboard board(city);
  PlayerOptions player_options;
  player_options.seed = opt.city.seed;
  player_options.location_interval_ms = opt.city.location_interval_ms;
  player_options.topics = topics;
  player_options.no_answer_share = opt.no_answer_share;
  CourierPlayer player(player_options);
  DeskOptions desk_options;
  desk_options.seed = opt.city.seed;
  desk_options.topics = topics;
  OperatorDesk desk(desk_options);

  const Clock::time_point wall0 = Clock::now();
  std::vector<kafka::Record> consumed;
  const auto consume = [&](int timeout_ms) {
    consumed.clear();
    reader->Poll(&consumed, 10000, timeout_ms);
    for (const kafka::Record& r : consumed) {
      const std::int64_t now_us = MicrosSince(wall0);
      if (r.topic == topics.assignments) {
        pb::Assignment a;
        if (!a.ParseFromString(r.value)) {
          board.OnUnreadableOutput();
          continue;
        }
        board.OnAssignment(a, now_us);
        if (opt.play) player.OnAssignment(a);
      } else {
        pb::Alert a;
        if (!a.ParseFromString(r.value)) {
          board.OnUnreadableOutput();
          continue;
        }
        board.OnAlert(a);
        if (opt.play && opt.operator_desk) desk.OnAlert(a);
      }
    }
  };
  // The couriers' and the operators' records up to `t`, merged in time order.
  std::vector<SimRecord> played;
  const auto play_until = [&](EventTimeMs t) {
    played = player.Advance(t);
    std::vector<SimRecord> commands = desk.Advance(t);
    const std::size_t couriers_end = played.size();
    played.insert(played.end(), std::make_move_iterator(commands.begin()), std::make_move_iterator(commands.end()));
    std::inplace_merge(played.begin(), played.begin() + static_cast<std::ptrdiff_t>(couriers_end), played.end(),
                       [](const SimRecord& a, const SimRecord& b) { return a.time_ms < b.time_ms; });
    for (const SimRecord& r : played) {
      produce(r);
      board.OnProduced(r, MicrosSince(wall0));
    }
  };

  // The simulated clock. Real-time mode maps wall time linearly onto the day;
  // rate mode moves it event by event; as-fast-as-possible jumps. `speed` is
  // simulated ms per wall ms, also used to keep the couriers moving while
  // draining.
  const std::vector<SimRecord>& events = city.events;
  const std::size_t n = events.size();
  const EventTimeMs first = n > 0 ? events.front().time_ms : opt.city.day_start_ms;
  const EventTimeMs last = n > 0 ? events.back().time_ms : first;
  const double span_ms = static_cast<double>(std::max<EventTimeMs>(last - first, 1));
  const bool afap = opt.as_fast_as_possible;
  const bool by_rate = !afap && opt.rate > 0;
  double speed = std::numeric_limits<double>::infinity();
  if (by_rate) {
    speed = span_ms / std::max(1000.0 * static_cast<double>(n) / opt.rate, 1.0);
  } else if (!afap) {
    speed = span_ms / std::max(opt.duration_s * 1000.0, 1.0);
  }
  const auto wall_ms = [&] { return static_cast<double>(MicrosSince(wall0)) / 1000.0; };

  std::size_t next = 0;
  std::size_t next_malformed = 0;
  EventTimeMs sim_now = first;
  const auto progress_text = [&] {
    return "sim " + LocalClock(sim_now) + "  produced " + std::to_string(next) + "/" +
           std::to_string(n) + "  assigned " + std::to_string(board.assigned()) + "  delivered " +
           std::to_string(board.delivered());
  };
  while (next < n && !stopped()) {
    std::size_t allowed = n;
    if (afap) {
      allowed = std::min(n, next + 2000);
      sim_now = events[allowed - 1].time_ms;
    } else if (by_rate) {
      const double due = std::floor(wall_ms() / 1000.0 * opt.rate) + 1;
      allowed = std::min<std::size_t>(n, static_cast<std::size_t>(due));
      sim_now = std::max(sim_now, events[std::max<std::size_t>(allowed, 1) - 1].time_ms);
    } else {
      sim_now = first + static_cast<EventTimeMs>(wall_ms() * speed);
      allowed = static_cast<std::size_t>(
          std::upper_bound(events.begin(), events.end(), sim_now,
                           [](EventTimeMs t, const SimRecord& r) { return t < r.time_ms; }) -
          events.begin());
    }
    for (; next < allowed; ++next) {
      const SimRecord& r = events[next];
      // The couriers' events up to this moment go first, keeping time order.
      if (opt.play) play_until(r.time_ms);
      produce(r);
      if (next_malformed < city.malformed.size() && city.malformed[next_malformed].event_index == next) {
        ++next_malformed;
        board.CountMalformed();
      } else {
        board.OnProduced(r, MicrosSince(wall0));
        if (opt.play) player.ObserveInput(r);
      }
      if (next % 512 == 511) {
        producer->Poll(0);
        consume(0);
      }
    }
    if (opt.play) play_until(sim_now);

    // Sleep in the reader until the next thing is due (at most 20 ms, so
    // answers are taken promptly).
    int wait_ms = 0;
    if (!afap && next < n) {
      const double next_due_wall = by_rate ? 1000.0 * static_cast<double>(next) / opt.rate
                                           : static_cast<double>(events[next].time_ms - first) / speed;
      wait_ms = static_cast<int>(std::clamp(next_due_wall - wall_ms(), 0.0, 20.0));
    }
    consume(wait_ms);
    producer->Poll(0);
    progress.Update(n > 0 ? static_cast<double>(next) / static_cast<double>(n) : 1.0, progress_text());
  }
  progress.Update(1.0, progress_text());
  progress.EndLine();
  const double day_wall_s = static_cast<double>(MicrosSince(wall0)) / 1e6;
  const std::int64_t day_events = board.events_produced();

  // Drain: wait for every ready order's outcome and, when playing, for the
  // couriers to finish their rounds; the simulated clock keeps running.
  const Clock::time_point drain0 = Clock::now();
  const EventTimeMs drain_sim0 = std::max(sim_now, last);
  bool drained = false;
  std::int64_t last_report_s = -1;
  while (!stopped()) {
    if (board.AllReadyHaveOutcome() &&
        (!opt.play || (board.AllAssignedFinished() && (board.AllWellnessClosed() || !opt.operator_desk) &&
                       desk.NextDueMs() == kNever))) {
      drained = true;
      break;
    }
    const double drained_ms = static_cast<double>(MicrosSince(drain0)) / 1000.0;
    if (drained_ms > opt.drain_timeout_s * 1000.0) break;
    if (opt.play) {
      if (afap) {
        const EventTimeMs due = std::min(player.NextStopMs(), desk.NextDueMs());
        if (due != kNever) sim_now = std::max(sim_now, due);
      } else {
        sim_now = drain_sim0 + static_cast<EventTimeMs>(drained_ms * speed);
      }
      play_until(sim_now);
    }
    consume(20);
    producer->Poll(0);
    const std::int64_t second = static_cast<std::int64_t>(drained_ms / 1000.0);
    if (second != last_report_s && second % 5 == 0) {
      last_report_s = second;
      progress.Line("draining: " + std::to_string(board.ready_without_outcome()) +
                    " ready orders without outcome, " + std::to_string(board.assigned_unfinished()) +
                    " assigned not finished" + (board.AllWellnessClosed() ? "" : ", wellness checks open"));
    }
  }
  if (!producer->Flush(30000)) {
    if (refused++ == 0) first_refusal = "records still unacknowledged after 30 s";
  }

  // Orders the service generated from standing orders appear on no output
  // topic once cancelled, so the service's API is asked about each.
  if (!opt.service_url.empty()) {
    const std::string base = opt.service_url.substr(0, opt.service_url.find('/', std::string_view("http://").size()));
    for (const StandingInfo& g : city.standing) {
      if (g.order_id.empty()) continue;
      std::string body;
      std::string path = g.order_id;
      // '@' is a delimiter in URLs; the API's own ids carry it.
      path.replace(path.find('@'), 1, "%40");
      int status = HttpGet(base + "/api/v1/orders/" + path, 2000, &body, opt.api_token);
      // Over the token's request rate (429): wait a second and ask again.
      for (int tries = 0; status == 429 && tries < 30 && !stopped(); ++tries) {
        std::this_thread::sleep_for(std::chrono::seconds(1));
        status = HttpGet(base + "/api/v1/orders/" + path, 2000, &body, opt.api_token);
      }
      if (status != 200) continue;
      const nlohmann::json order = nlohmann::json::parse(body, nullptr, /*allow_exceptions=*/false);
      if (!order.is_object() || !order.contains("status") || !order["status"].is_string()) continue;
      std::string note;
      if (order.contains("timeline") && order["timeline"].is_array() && !order["timeline"].empty()) {
        const nlohmann::json& last = order["timeline"].back();
        if (last.is_object() && last.contains("note") && last["note"].is_string()) note = last["note"];
      }
      board.OnServiceOrder(g.order_id, order["status"].get<std::string>(), note);
    }
  }

  DaySummary s = board.Summarize();
  s.registry_records = static_cast<std::int64_t>(city.registry.size());
  s.produce_errors = refused;
  s.wall_s = static_cast<double>(MicrosSince(wall0)) / 1e6;
  s.events_per_s = s.wall_s > 0 ? static_cast<double>(s.events_produced) / s.wall_s : 0;
  s.day_wall_s = day_wall_s;
  s.day_events_per_s = day_wall_s > 0 ? static_cast<double>(day_events) / day_wall_s : 0;
  s.drained = drained;
  *summary = s;
  *summary_valid = true;
  if (refused > 0) {
    return Status::Io(std::to_string(refused) + " records not accepted by Kafka, first: " +
                      first_refusal);
  }
  return Status::Ok();
}

}  // namespace meal::sim
