#include "service_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <atomic>
#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <set>
#include <sstream>
#include <thread>

#include "kafka/admin.h"
#include "kafka/producer.h"
#include "mealdispatch/v1/outputs.pb.h"
#include "state/keys.h"
#include "state/rocksdb_store.h"

namespace meal::testing {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
}

std::string& BootstrapOverride() {
  static std::string bootstrap;
  return bootstrap;
}

int FreePort() {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = 0;
  bind(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr);
  socklen_t len = sizeof addr;
  getsockname(fd, reinterpret_cast<sockaddr*>(&addr), &len);
  close(fd);
  return ntohs(addr.sin_port);
}

}  // namespace

bool WaitFor(const std::function<bool()>& done, int timeout_s, int interval_ms) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(interval_ms));
  }
  return done();
}

ScopedBootstrap::ScopedBootstrap(std::string bootstrap) { BootstrapOverride() = std::move(bootstrap); }

ScopedBootstrap::~ScopedBootstrap() { BootstrapOverride().clear(); }

std::string Bootstrap() {
  if (!BootstrapOverride().empty()) return BootstrapOverride();
  const std::string b = Env("MEAL_TEST_BOOTSTRAP");
  if (b.empty()) ADD_FAILURE() << "MEAL_TEST_BOOTSTRAP is not set: run these tests through ./scripts/test";
  return b;
}

sim::Topics UniqueTopics(const std::string& test_name) {
  const std::string p = "it." + test_name + "." + std::to_string(getpid()) + ".";
  sim::Topics t;
  t.orders = p + "orders";
  t.couriers = p + "couriers";
  t.deliveries = p + "deliveries";
  t.sites = p + "sites";
  t.elders = p + "elders";
  t.assignments = p + "assignments";
  t.alerts = p + "alerts";
  t.dlq = p + "dlq";
  t.commands = p + "commands";
  t.changelog = p + "changelog";
  return t;
}

std::vector<std::string> TopicOverrides(const sim::Topics& t) {
  const std::pair<const char*, const std::string*> topics[] = {
      {"orders", &t.orders}, {"couriers", &t.couriers},       {"deliveries", &t.deliveries},
      {"sites", &t.sites},   {"elders", &t.elders},           {"assignments", &t.assignments},
      {"alerts", &t.alerts}, {"dlq", &t.dlq},                 {"commands", &t.commands},
      {"changelog", &t.changelog}};
  std::vector<std::string> out;
  for (const auto& [key, name] : topics) out.push_back(std::string("topics.") + key + "=\"" + *name + "\"");
  return out;
}

sim::Topics RunTopics(const sim::Topics& input, const std::string& run) {
  sim::Topics t = input;
  for (std::string* output : {&t.assignments, &t.alerts, &t.dlq, &t.changelog}) output->append(".").append(run);
  return t;
}

void CreateTopics(const sim::Topics& t) {
  const std::vector<kafka::TopicSpec> specs = {
      {t.orders, 4, 1, false},      {t.couriers, 4, 1, false}, {t.deliveries, 4, 1, false},
      {t.sites, 1, 1, true},        {t.elders, 1, 1, true},    {t.assignments, 4, 1, false},
      {t.alerts, 4, 1, false},      {t.dlq, 4, 1, false},      {t.commands, 4, 1, false}};
  const Status s = kafka::EnsureTopics({{"bootstrap.servers", Bootstrap()}}, specs, 15000);
  ASSERT_TRUE(s.ok()) << s.ToString();
}

void Produce(const std::vector<sim::SimRecord>& records) {
  std::size_t acked = 0, failed = 0;
  std::string first_error;
  kafka::Producer producer({{"bootstrap.servers", Bootstrap()}}, [&](std::uint64_t, rd_kafka_resp_err_t err) {
    if (!err) return static_cast<void>(++acked);
    if (failed++ == 0) first_error = kafka::ErrorText(err);
  });
  for (const sim::SimRecord& r : records) {
    ASSERT_EQ(producer.Produce(r.topic, r.key, r.value, r.time_ms, 0), RD_KAFKA_RESP_ERR_NO_ERROR);
  }
  ASSERT_TRUE(producer.Flush(60000));
  ASSERT_EQ(failed, 0u) << first_error;
  ASSERT_EQ(acked, records.size());
}

std::vector<kafka::Record> ReadAll(const std::vector<std::string>& topics) {
  kafka::Reader reader({{"bootstrap.servers", Bootstrap()}, {"isolation.level", "read_committed"}}, topics);
  std::vector<kafka::Record> out;
  EXPECT_TRUE(reader.ReadToEnd(&out, 60000));
  return out;
}

ServiceProcess::ServiceProcess(std::string name, const sim::Topics& topics)
    : name_(std::move(name)), topics_(topics) {
  const auto base = std::filesystem::temp_directory_path() / ("meal_it_" + std::to_string(getpid()));
  std::filesystem::create_directories(base);
  state_dir_ = (base / (name_ + "-state")).string();
  log_path_ = (base / (name_ + ".log")).string();
  std::filesystem::remove_all(state_dir_);
  http_port_ = FreePort();
}

ServiceProcess::~ServiceProcess() {
  if (pid_ > 0) Kill();
}

void ServiceProcess::Start() {
  ASSERT_LT(pid_, 0);
  const std::string bin = Env("MEAL_TEST_BIN_DIR") + "/meal-dispatchd";
  ASSERT_TRUE(std::filesystem::exists(bin)) << bin << " not found; set MEAL_TEST_BIN_DIR";
  std::vector<std::string> args = {
      bin,
      "--bootstrap", Bootstrap(),
      "--state-dir", state_dir_,
      "--http-port", std::to_string(http_port_),
      "--set", "kafka.group_id=\"" + name_ + "-" + std::to_string(getpid()) + "\"",
  };
  for (const std::string& o : TopicOverrides(topics_)) args.insert(args.end(), {"--set", o});
  // The sha256 of kViewerToken, kDispatcherToken and kAdminToken.
  args.insert(args.end(),
              {"--set", "api.tokens=["
                        "{name = \"demo-viewer\", role = \"viewer\", "
                        "sha256 = \"db2c460a3dd812a27b2a7f60d1320322c27ac3b28b3b90b11c05ecc7b4bcc856\"}, "
                        "{name = \"demo-dispatcher\", role = \"dispatcher\", "
                        "sha256 = \"4aa6ed3f397c7e78438e0dfd294d749e6da5f9111f047b3c77e2cf60a70c7522\"}, "
                        "{name = \"demo-admin\", role = \"admin\", "
                        "sha256 = \"91c16f0d6cc1bec3c3603972182a07c66ff4fa71618a975e963d6dbe42b6dd37\"}]"});
  for (const std::string& o : overrides_) args.insert(args.end(), {"--set", o});
  pid_ = fork();
  ASSERT_GE(pid_, 0);
  if (pid_ == 0) {
    const int fd = open(log_path_.c_str(), O_WRONLY | O_CREAT | O_APPEND, 0644);
    dup2(fd, STDOUT_FILENO);
    dup2(fd, STDERR_FILENO);
    std::vector<char*> argv;
    for (std::string& a : args) argv.push_back(a.data());
    argv.push_back(nullptr);
    execv(argv[0], argv.data());
    _exit(127);
  }
  // Up when /healthz answers.
  ASSERT_TRUE(WaitFor([&] { return !running() || Get("/healthz").find("ok") != std::string::npos; }, 60) &&
              running())
      << "service did not come up; see " << log_path_;
}

int ServiceProcess::Stop() {
  if (pid_ <= 0) return -1;
  kill(pid_, SIGTERM);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
  return status;
}

void ServiceProcess::Kill() {
  if (pid_ <= 0) return;
  kill(pid_, SIGKILL);
  int status = 0;
  waitpid(pid_, &status, 0);
  pid_ = -1;
}

std::string ServiceProcess::Get(const std::string& path) const { return Call("GET", path, {}, kAdminToken); }

std::string ServiceProcess::Post(const std::string& path, const std::string& json) const {
  return Call("POST", path, json, kAdminToken);
}

std::string ServiceProcess::Delete(const std::string& path, const std::string& json) const {
  return Call("DELETE", path, json, kAdminToken);
}

std::string ServiceProcess::Call(const std::string& method, const std::string& path, const std::string& body,
                                 const std::string& token) const {
  const int fd = socket(AF_INET, SOCK_STREAM, 0);
  sockaddr_in addr{};
  addr.sin_family = AF_INET;
  addr.sin_addr.s_addr = htonl(INADDR_LOOPBACK);
  addr.sin_port = htons(static_cast<std::uint16_t>(http_port_));
  std::string out;
  if (connect(fd, reinterpret_cast<sockaddr*>(&addr), sizeof addr) == 0) {
    std::string req = method + " " + path + " HTTP/1.1\r\nHost: 127.0.0.1\r\nConnection: close\r\n";
    if (!token.empty()) req += "Authorization: Bearer " + token + "\r\n";
    if (!body.empty()) {
      req += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
    }
    req += "\r\n" + body;
    if (send(fd, req.data(), req.size(), 0) == static_cast<ssize_t>(req.size())) {
      char buf[8192];
      ssize_t n;
      while ((n = recv(fd, buf, sizeof buf, 0)) > 0) out.append(buf, static_cast<std::size_t>(n));
    }
  }
  close(fd);
  return out;
}

double ServiceProcess::Metric(const std::string& metric) const {
  std::istringstream body(Get("/metrics"));
  double sum = 0;
  std::string line;
  while (std::getline(body, line)) {
    if (line.rfind(metric, 0) != 0) continue;
    const char next = line.size() > metric.size() ? line[metric.size()] : '\0';
    if (next != ' ' && next != '{') continue;
    sum += std::stod(line.substr(line.rfind(' ') + 1));
  }
  return sum;
}

bool ServiceProcess::Drained() const {
  const std::string metrics = Get("/metrics");
  if (metrics.find("meal_ready 1") == std::string::npos) return false;
  if (metrics.find("meal_consumer_lag{") == std::string::npos) return false;
  return Metric("meal_consumer_lag") == 0 && Metric("meal_outbox_pending") == 0 &&
         Metric("meal_buffered_records") == 0;
}

bool ServiceProcess::running() const {
  if (pid_ <= 0) return false;
  int status = 0;
  return waitpid(pid_, &status, WNOHANG) == 0;
}

bool ServiceProcess::WaitDrained(int timeout_s) const {
  // Gauges refresh every 100 ms, so "drained" must hold for a full second
  // before it is believed. A service that died fails at once.
  int streak = 0;
  return WaitFor([&] { return !running() || (streak = Drained() ? streak + 1 : 0) >= 20; }, timeout_s) &&
         running();
}

std::map<std::string, std::string> ServiceProcess::DumpState() const {
  std::map<std::string, std::string> out;
  std::unique_ptr<state::RocksDbStore> store;
  const Status s = state::RocksDbStore::Open(state_dir_, {}, &store);
  EXPECT_TRUE(s.ok()) << s.ToString();
  if (!s.ok()) return out;
  EXPECT_TRUE(store->Scan("", [&](std::string_view k, std::string_view v) {
                    if (!k.starts_with(state::kOutboxPrefix)) out.emplace(k, v);
                    return true;
                  }).ok());
  return out;
}

namespace {

namespace pb = ::mealdispatch::v1;

// One run's outputs, read_committed, without the alerts sent again at start-up.
struct RunOutputs {
  std::vector<kafka::Record> records;
  std::size_t assignments = 0, alerts = 0, dead_letters = 0;
  std::set<std::string> wellness_check_ids;
  std::size_t duplicated = 0;
  std::vector<std::string> duplicates;  // a description of each
};

RunOutputs ReadOutputs(const sim::Topics& topics) {
  RunOutputs out;
  std::set<std::pair<std::string, std::uint64_t>> plans;
  std::set<std::string> alert_ids;
  std::set<std::tuple<std::string, std::int32_t, std::int64_t>> dead_inputs;
  const auto repeated = [&](bool first_time, std::string what) {
    if (first_time) return;
    ++out.duplicated;
    out.duplicates.push_back(std::move(what));
  };
  for (kafka::Record& r : ReadAll({topics.assignments, topics.alerts, topics.dlq})) {
    if (r.topic == topics.assignments) {
      pb::Assignment a;
      EXPECT_TRUE(a.ParseFromString(r.value)) << r.topic << " offset " << r.offset;
      ++out.assignments;
      repeated(plans.emplace(a.courier_id(), a.plan_version()).second,
               "assignment " + a.courier_id() + " v" + std::to_string(a.plan_version()));
    } else if (r.topic == topics.alerts) {
      pb::Alert a;
      EXPECT_TRUE(a.ParseFromString(r.value)) << r.topic << " offset " << r.offset;
      if (a.reannounced()) continue;
      ++out.alerts;
      if (a.kind() == pb::WELLNESS_CHECK) out.wellness_check_ids.insert(a.alert_id());
      repeated(alert_ids.insert(a.alert_id()).second, "alert " + a.alert_id());
    } else {
      pb::DeadLetter d;
      EXPECT_TRUE(d.ParseFromString(r.value)) << r.topic << " offset " << r.offset;
      ++out.dead_letters;
      repeated(dead_inputs.emplace(d.topic(), d.partition(), d.offset()).second,
               "dead letter of " + d.topic() + "[" + std::to_string(d.partition()) + "]@" +
                   std::to_string(d.offset()));
    }
    out.records.push_back(std::move(r));
  }
  return out;
}

// State keys hold binary ids; a failure message shows them escaped.
std::string Printable(std::string_view key) {
  std::string out;
  for (const char c : key) {
    if (c >= 0x20 && c < 0x7f) {
      out.push_back(c);
    } else {
      char hex[5];
      std::snprintf(hex, sizeof hex, "\\x%02x", static_cast<unsigned char>(c));
      out.append(hex);
    }
  }
  return out;
}

}  // namespace

RunDiff CompareRuns(const ServiceProcess& clean, const ServiceProcess& faulted) {
  constexpr std::size_t kExamples = 5;
  RunDiff diff;
  std::size_t shown = 0;
  const auto example = [&](const std::string& line) {
    if (shown++ < kExamples) diff.examples.append(line).append("\n");
  };

  // The instance id names the instance, not the dispatch: runs may differ in it.
  std::map<std::string, std::string> clean_state = clean.DumpState();
  std::map<std::string, std::string> faulted_state = faulted.DumpState();
  clean_state.erase(std::string(state::kInstanceKey));
  faulted_state.erase(std::string(state::kInstanceKey));
  diff.clean_state_keys = clean_state.size();
  for (const auto& [key, value] : clean_state) {
    const auto it = faulted_state.find(key);
    if (it == faulted_state.end()) {
      ++diff.mismatched;
      example("state key only in the clean run: " + Printable(key));
    } else if (it->second != value) {
      ++diff.mismatched;
      example("state differs at " + Printable(key));
    }
  }
  for (const auto& [key, value] : faulted_state) {
    if (!clean_state.contains(key)) {
      ++diff.mismatched;
      example("state key only in the faulted run: " + Printable(key));
    }
  }

  const RunOutputs clean_out = ReadOutputs(clean.topics());
  RunOutputs faulted_out = ReadOutputs(faulted.topics());
  diff.clean_assignments = clean_out.assignments;
  diff.clean_alerts = clean_out.alerts;
  diff.clean_dead_letters = clean_out.dead_letters;
  diff.clean_wellness_checks = clean_out.wellness_check_ids.size();
  diff.duplicated = faulted_out.duplicated;
  for (const std::string& d : faulted_out.duplicates) example("duplicated: " + d);

  // Output topics differ between the runs by name only: a record is its
  // kind (which of the three outputs), key and value.
  const auto kind_of = [](const sim::Topics& t, const std::string& topic) {
    return topic == t.assignments ? 'a' : topic == t.alerts ? 'l' : 'd';
  };
  std::multiset<std::string> faulted_records;
  for (const kafka::Record& r : faulted_out.records) {
    faulted_records.insert(kind_of(faulted.topics(), r.topic) + r.key + '\0' + r.value);
  }
  for (const kafka::Record& r : clean_out.records) {
    const auto it = faulted_records.find(kind_of(clean.topics(), r.topic) + r.key + '\0' + r.value);
    if (it != faulted_records.end()) {
      faulted_records.erase(it);
    } else {
      ++diff.lost;
      example("lost: " + r.topic + "[" + std::to_string(r.partition) + "]@" + std::to_string(r.offset));
    }
  }
  for (const std::string& id : clean_out.wellness_check_ids) {
    if (!faulted_out.wellness_check_ids.contains(id)) {
      ++diff.lost_wellness;
      example("wellness check alert lost: " + id);
    }
  }
  if (shown > kExamples) diff.examples.append("… and ").append(std::to_string(shown - kExamples)).append(" more\n");
  return diff;
}

PrivateBroker::PrivateBroker(std::string script, const std::string& name) : script_(std::move(script)) {
  const auto base = std::filesystem::temp_directory_path() / ("meal_it_" + std::to_string(getpid()));
  dir_ = (base / (name + "-kafka")).string();
  log_path_ = dir_ + ".log";
  std::filesystem::remove_all(dir_);
  std::filesystem::create_directories(base);
  port_ = FreePort();
  do controller_port_ = FreePort();
  while (controller_port_ == port_);
}

PrivateBroker::~PrivateBroker() {
  if (started_) Stop();
  std::filesystem::remove_all(dir_);
}

bool PrivateBroker::Start() {
  started_ = true;
  return Run("start");
}

bool PrivateBroker::Stop() {
  const bool stopped = Run("stop");
  started_ = !stopped;
  return stopped;
}

std::string PrivateBroker::bootstrap() const {
  std::string b = "127.0.0.1:";
  b.append(std::to_string(port_));
  return b;
}

bool PrivateBroker::Run(const std::string& command) {
  std::string line = "MEAL_KAFKA_DIR='" + dir_ + "'";
  line.append(" MEAL_KAFKA_PORT=").append(std::to_string(port_));
  line.append(" MEAL_KAFKA_CONTROLLER_PORT=").append(std::to_string(controller_port_));
  line.append(" '").append(script_).append("' ").append(command);
  line.append(" >>'").append(log_path_).append("' 2>&1");
  return std::system(line.c_str()) == 0;
}

void RecordClosedLoopDay(const std::string& name, const sim::Topics& input, sim::RunOptions run) {
  ServiceProcess live(name + "-live", input);
  CreateTopics(input);
  live.Start();
  run.bootstrap = Bootstrap();
  run.city.topics = input;
  run.duration_s = 15;
  run.registry_partitions = 1;
  run.progress = false;
  run.drain_timeout_s = 10;
  std::atomic<bool> stop{false};
  sim::DaySummary summary;
  bool summary_valid = false;
  ASSERT_TRUE(sim::RunDay(run, &stop, &summary, &summary_valid).ok());
  ASSERT_EQ(live.Stop(), 0) << "see " << live.log_path();
}

}  // namespace meal::testing
