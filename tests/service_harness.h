// Test support: runs meal-dispatchd as a child process against the broker
// that ./scripts/test started, publishes simulated input, and reads outputs.
#pragma once

#include <sys/types.h>

#include <cstdint>
#include <functional>
#include <map>
#include <string>
#include <vector>

#include "kafka/reader.h"
#include "sim/city.h"

namespace meal::testing {

// The broker address from MEAL_TEST_BOOTSTRAP; fails the test when unset.
std::string Bootstrap();

// Topic names unique to one test, so tests never see each other's records.
sim::Topics UniqueTopics(const std::string& test_name);

// The API tokens every ServiceProcess accepts, one per role (the demo's:
// scripts/lib/demo-tokens.toml holds their hashes under the same names).
inline constexpr char kViewerToken[] = "demo-viewer-token";
inline constexpr char kDispatcherToken[] = "demo-dispatcher-token";
inline constexpr char kAdminToken[] = "demo-admin-token";

// Polls `done` every 50 ms until it holds or `timeout_s` pass: waiting on a
// condition with a deadline, never sleeping for a guessed time.
bool WaitFor(const std::function<bool()>& done, int timeout_s);

// The --set overrides ("topics.orders=\"…\"", …) that point a
// configuration at `topics`.
std::vector<std::string> TopicOverrides(const sim::Topics& topics);

// Creates the test's topics as the service would (area topics with 4
// partitions, registry topics compacted with 1), so input can be written
// before the service starts.
void CreateTopics(const sim::Topics& topics);

// Produces records (value bytes as given, timestamp = time_ms) and waits for
// every acknowledgement.
void Produce(const std::vector<sim::SimRecord>& records);

// Every record currently in `topics`.
std::vector<kafka::Record> ReadAll(const std::vector<std::string>& topics);

class ServiceProcess {
 public:
  // `name` keys the state folder, consumer group and log file.
  ServiceProcess(std::string name, const sim::Topics& topics);
  ~ServiceProcess();

  // Adds a --set override ("section.key=value") for the next Start.
  void Set(std::string override) { overrides_.push_back(std::move(override)); }
  void Start();
  // SIGTERM and wait: the service commits and flushes before exiting.
  // Returns the exit status.
  int Stop();
  // SIGKILL and wait.
  void Kill();
  // True while the child process has not exited.
  bool running() const;

  // GET on the service's HTTP port, as the admin (kAdminToken): the whole
  // response; empty on connection failure.
  std::string Get(const std::string& path) const;
  // POST of a JSON body, likewise.
  std::string Post(const std::string& path, const std::string& json) const;
  // DELETE with a JSON body, likewise.
  std::string Delete(const std::string& path, const std::string& json) const;
  // `method` on `path` with `body` (JSON when not empty) and, unless empty,
  // "Authorization: Bearer <token>": the whole response.
  std::string Call(const std::string& method, const std::string& path, const std::string& body,
                   const std::string& token) const;
  // Sum of every series of `metric` in /metrics (0 when absent).
  double Metric(const std::string& metric) const;
  // Ready, all owned partitions consumed to their end, and the outbox empty.
  bool Drained() const;
  // Waits (bounded) until Drained(); false on timeout.
  bool WaitDrained(int timeout_s) const;

  // Every key and value in the state store except the outbox, in key order.
  // REQUIRES: stopped.
  std::map<std::string, std::string> DumpState() const;

  const std::string& state_dir() const { return state_dir_; }
  const std::string& log_path() const { return log_path_; }
  // The loopback port the service's HTTP server listens on.
  int http_port() const { return http_port_; }

 private:
  std::string name_;
  sim::Topics topics_;
  std::vector<std::string> overrides_;
  std::string state_dir_;
  std::string log_path_;
  int http_port_ = 0;
  pid_t pid_ = -1;
};

}  // namespace meal::testing
