#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

#include <algorithm>
#include <cstdio>
#include <cstdlib>
#include <string_view>
#include <thread>

#include "common.h"
#include "driver.h"

namespace meal::bench {
namespace {

namespace beast = boost::beast;
namespace http = beast::http;
using tcp = boost::asio::ip::tcp;

struct HttpAnswer {
  int status = -1;  // -1: nobody answered
  std::string body;
};

// GET http://127.0.0.1:<port><target>, one connection per request.
HttpAnswer Get(int port, const char* target) {
  HttpAnswer answer;
  boost::asio::io_context io;
  beast::tcp_stream stream(io);
  beast::error_code ec;
  stream.socket().connect({boost::asio::ip::make_address_v4("127.0.0.1"), static_cast<unsigned short>(port)}, ec);
  if (ec) return answer;
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1");
  http::write(stream, request, ec);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  if (!ec) http::read(stream, buffer, response, ec);
  if (ec) return answer;
  answer.status = static_cast<int>(response.result_int());
  answer.body = std::move(response.body());
  stream.socket().shutdown(tcp::socket::shutdown_both, ec);
  return answer;
}

// Sum of the samples of `metric` in Prometheus text; with `topics` given,
// only of series labelled with one of them.
double Sum(std::string_view text, std::string_view metric, const std::vector<std::string>& topics = {}) {
  double sum = 0;
  while (!text.empty()) {
    const std::size_t eol = std::min(text.find('\n'), text.size());
    const std::string_view line = text.substr(0, eol);
    text.remove_prefix(std::min(eol + 1, text.size()));
    if (!line.starts_with(metric) || line.size() <= metric.size()) continue;
    const char after = line[metric.size()];
    if (after != ' ' && after != '{') continue;
    if (!topics.empty()) {
      const bool wanted = std::any_of(topics.begin(), topics.end(), [&](const std::string& t) {
        return line.find("topic=\"" + t + "\"") != std::string_view::npos;
      });
      if (!wanted) continue;
    }
    sum += std::strtod(std::string(line.substr(line.rfind(' ') + 1)).c_str(), nullptr);
  }
  return sum;
}

}  // namespace

int RunWatch(const WatchOptions& options) {
  constexpr auto kInterval = std::chrono::milliseconds(50);
  Timeline timeline(kInterval);
  const Clock::time_point deadline = DeadlineIn(options.timeout_s);
  Clock::time_point last_idle = Clock::now();
  std::string metrics;
  std::int64_t applied = 0;
  bool done = false;
  while (!done && Clock::now() < deadline) {
    const Clock::time_point polled = Clock::now();
    HttpAnswer answer = Get(options.http_port, "/metrics");
    if (answer.status == 200) {
      metrics = std::move(answer.body);
      applied = static_cast<std::int64_t>(Sum(metrics, "meal_events_total", options.topics));
      if (applied == 0) last_idle = polled;
      if (applied > 0 && !timeline.started()) timeline.Start(last_idle);
      if (timeline.started()) timeline.Record(applied);
      done = applied >= options.expect && Sum(metrics, "meal_outbox_pending") == 0 &&
             Sum(metrics, "meal_buffered_records") == 0;
    }
    if (!done) std::this_thread::sleep_until(polled + kInterval);
  }
  if (timeline.started()) timeline.Finish(applied);
  const double seconds = timeline.elapsed_s();
  const double per_s = seconds > 0 ? static_cast<double>(applied) / seconds : 0;
  std::printf("service: %lld records applied in %.3f s, %.0f records/s\n", static_cast<long long>(applied), seconds,
              per_s);
  if (!options.json_path.empty()) {
    WriteJson(options.json_path, {{"records", applied},
                                  {"seconds", seconds},
                                  {"per_s", per_s},
                                  {"complete", done},
                                  {"assignments", Sum(metrics, "meal_assignments_total")},
                                  {"alerts", Sum(metrics, "meal_alerts_total")},
                                  {"dead_letters", Sum(metrics, "meal_dead_letters_total")},
                                  {"state_commits", Sum(metrics, "meal_state_commits_total")}});
  }
  if (!options.samples_path.empty()) timeline.WriteCsv(options.samples_path);
  if (!done) {
    std::fprintf(stderr, "meal-bench watch: %lld of %lld records applied within %.0f s\n",
                 static_cast<long long>(applied), static_cast<long long>(options.expect), options.timeout_s);
    return 3;
  }
  return 0;
}

int RunWaitReady(int http_port, double timeout_s) {
  const Clock::time_point deadline = DeadlineIn(timeout_s);
  while (Clock::now() < deadline) {
    if (Get(http_port, "/readyz").status == 200) return 0;
    std::this_thread::sleep_for(std::chrono::milliseconds(10));
  }
  std::fprintf(stderr, "meal-bench wait-ready: no 200 from /readyz within %.0f s\n", timeout_s);
  return 3;
}

}  // namespace meal::bench
