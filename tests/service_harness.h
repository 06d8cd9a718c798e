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
#include "sim/runner.h"

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

// Polls `done` every `interval_ms` until it holds or `timeout_s` pass:
// waiting on a condition with a deadline, never sleeping for a guessed time.
bool WaitFor(const std::function<bool()>& done, int timeout_s, int interval_ms = 50);

// Points Bootstrap() (and so everything here) at another broker while it
// lives. Not thread-safe; not nestable.
class ScopedBootstrap {
 public:
  explicit ScopedBootstrap(std::string bootstrap);
  ~ScopedBootstrap();
  ScopedBootstrap(const ScopedBootstrap&) = delete;
  ScopedBootstrap& operator=(const ScopedBootstrap&) = delete;
};

// The --set overrides ("topics.orders=\"…\"", …) that point a
// configuration at `topics`.
std::vector<std::string> TopicOverrides(const sim::Topics& topics);

// `input` with output topics of their own ("<output>.<run>"): runs of the
// service over the same input that must not see each other's outputs.
sim::Topics RunTopics(const sim::Topics& input, const std::string& run);

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
  // Keeps the state in `dir` instead of a folder of the test's temporary
  // directory (e.g. on a file system of its own). REQUIRES: not started.
  void set_state_dir(std::string dir) { state_dir_ = std::move(dir); }
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

  const sim::Topics& topics() const { return topics_; }
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

// Plays a day in closed loop against a service of its own ("<name>-live")
// and leaves it recorded in `input`: the simulator's couriers deliver what the
// service plans (and, with run.no_answer_share, find doors nobody answers,
// which simulated operators acknowledge). A replay of the topics is then
// decided by them alone. `run` gives the city and its shares; the broker,
// topics, pace and drain are filled in here.
void RecordClosedLoopDay(const std::string& name, const sim::Topics& input, sim::RunOptions run);

// How a faulted run of the service differs from a clean single-instance run
// of the same input: the checks every fault test ends with. Outputs are read
// read_committed; alerts with reannounced set (sent again at start-up for a
// check still open) are ignored everywhere.
struct RunDiff {
  // Output records of the clean run missing from the faulted run, compared
  // as a multiset of key and value.
  std::size_t lost = 0;
  // Records of the faulted run that repeat one before it: an assignment's
  // (courier, plan version), an alert's id, a dead letter's input record
  // (topic, partition, offset).
  std::size_t duplicated = 0;
  // State keys whose value differs, or that only one run has.
  std::size_t mismatched = 0;
  // WELLNESS_CHECK alert ids of the clean run absent from the faulted run.
  std::size_t lost_wellness = 0;
  // What the clean run holds, so a test can tell the comparison had substance.
  std::size_t clean_state_keys = 0;
  std::size_t clean_assignments = 0;
  std::size_t clean_alerts = 0;
  std::size_t clean_dead_letters = 0;
  std::size_t clean_wellness_checks = 0;
  // The first few differences found, one a line, for failure messages.
  std::string examples;
};

// Compares the faulted run's state and outputs with the clean run's.
// REQUIRES: both stopped; their topics() share the input and not the outputs.
RunDiff CompareRuns(const ServiceProcess& clean, const ServiceProcess& faulted);

// A broker of the test's own: scripts/kafka with a scratch folder and free
// ports, so a test may stop and restart it without disturbing tests that
// share the broker ./scripts/test starts.
class PrivateBroker {
 public:
  // `script` is the path of scripts/kafka; `name` keys the scratch folder.
  PrivateBroker(std::string script, const std::string& name);
  // Stops the broker and removes its folder.
  ~PrivateBroker();
  PrivateBroker(const PrivateBroker&) = delete;
  PrivateBroker& operator=(const PrivateBroker&) = delete;

  // Starts it (formatting its storage the first time) and waits until it
  // accepts clients. Returns true iff it did; the script's output goes to
  // log_path().
  bool Start();
  // Stops it (TERM, a bounded wait, then KILL). Returns true iff it stopped.
  bool Stop();
  // "127.0.0.1:<port>".
  std::string bootstrap() const;
  const std::string& log_path() const { return log_path_; }

 private:
  bool Run(const std::string& command);

  std::string script_;
  std::string dir_;
  std::string log_path_;
  int port_ = 0;
  int controller_port_ = 0;
  bool started_ = false;
};

}  // namespace meal::testing
