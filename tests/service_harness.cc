#include "service_harness.h"

#include <arpa/inet.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <netinet/in.h>
#include <signal.h>
#include <sys/socket.h>
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <sstream>
#include <thread>

#include "kafka/admin.h"
#include "kafka/producer.h"
#include "state/keys.h"
#include "state/rocksdb_store.h"

namespace meal::testing {
namespace {

std::string Env(const char* name) {
  const char* v = std::getenv(name);
  return v ? v : "";
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

bool WaitFor(const std::function<bool()>& done, int timeout_s) {
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(timeout_s);
  while (std::chrono::steady_clock::now() < deadline) {
    if (done()) return true;
    std::this_thread::sleep_for(std::chrono::milliseconds(50));
  }
  return done();
}

std::string Bootstrap() {
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
  return t;
}

std::vector<std::string> TopicOverrides(const sim::Topics& t) {
  const std::pair<const char*, const std::string*> topics[] = {
      {"orders", &t.orders}, {"couriers", &t.couriers},       {"deliveries", &t.deliveries},
      {"sites", &t.sites},   {"elders", &t.elders},           {"assignments", &t.assignments},
      {"alerts", &t.alerts}, {"dlq", &t.dlq},                 {"commands", &t.commands}};
  std::vector<std::string> out;
  for (const auto& [key, name] : topics) out.push_back(std::string("topics.") + key + "=\"" + *name + "\"");
  return out;
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

}  // namespace meal::testing
