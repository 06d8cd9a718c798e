// Fault ("chaos") tests against the real broker: while the service works
// through a recorded day it is killed at random points, loses its broker,
// finds its state disk full, or is joined by two more instances that leave
// again; afterwards its state and its read_committed outputs must equal those
// of a clean run of the same input (CompareRuns).
//
// Short by default, for ./scripts/test. scripts/chaos runs the long version:
//   MEAL_CHAOS_ROUNDS  SIGKILL rounds (default 3)
//   MEAL_CHAOS_ORDERS  orders of the recorded day (default 300)
//   MEAL_CHAOS_SEED    seeds the kill points and the moments of the faults
//   MEAL_CHAOS_REPORT  a file each test appends its row of the table to
#include <errno.h>
#include <fcntl.h>
#include <gtest/gtest.h>
#include <sys/mount.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <algorithm>
#include <chrono>
#include <cstdlib>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <iostream>
#include <memory>
#include <random>
#include <sstream>
#include <string>
#include <type_traits>
#include <vector>

#include "scenario.h"
#include "service_harness.h"

namespace meal::testing {
namespace {

struct Settings {
  int kill_rounds = 3;
  int orders = 300;
  std::uint64_t seed = 20261130;
  std::string report;
};

Settings FromEnv() {
  Settings s;
  const auto number = [](const char* name, auto* out) {
    const char* v = std::getenv(name);
    if (v == nullptr || *v == '\0') return;
    char* end = nullptr;
    const unsigned long long n = std::strtoull(v, &end, 10);
    if (*end != '\0' || n == 0) {
      ADD_FAILURE() << name << "=" << v << " is not a positive integer";
      return;
    }
    *out = static_cast<std::remove_pointer_t<decltype(out)>>(n);
  };
  number("MEAL_CHAOS_ROUNDS", &s.kill_rounds);
  number("MEAL_CHAOS_ORDERS", &s.orders);
  number("MEAL_CHAOS_SEED", &s.seed);
  if (const char* r = std::getenv("MEAL_CHAOS_REPORT")) s.report = r;
  return s;
}

// A day played in closed loop with doors nobody answers (wellness checks)
// and a few malformed records, recorded in `input`.
void RecordDay(const std::string& name, const sim::Topics& input, const Settings& settings, int min_orders) {
  sim::RunOptions run;
  run.city.seed = settings.seed;
  run.city.areas = 2;
  run.city.couriers_per_area = 10;
  run.city.orders = std::max(settings.orders, min_orders);
  run.city.malformed_share = 0.01;
  run.no_answer_share = 0.05;
  RecordClosedLoopDay(name, input, std::move(run));
}

std::string LogOf(const ServiceProcess& service) {
  std::ifstream in(service.log_path());
  std::stringstream text;
  text << in.rdbuf();
  return text.str();
}

// The last line of `text`, for a failure message.
std::string LastLine(std::string text) {
  while (!text.empty() && text.back() == '\n') text.pop_back();
  return text.substr(text.rfind('\n') + 1);
}

// Every fault test: a recorded day, a clean run over it, a faulted run over
// the same input, and the two compared.
class ChaosIntegrationTest : public ::testing::Test {
 protected:
  // Records a day of at least `min_orders` orders into topics named after
  // `name` and runs the clean instance through it.
  void RecordAndRunClean(const std::string& name, int min_orders = 0) {
    name_ = name;
    input_ = UniqueTopics(name);
    ASSERT_NO_FATAL_FAILURE(RecordDay(name, input_, settings_, min_orders));
    clean_ = std::make_unique<ServiceProcess>(name + "-clean", RunTopics(input_, "clean"));
    clean_->Start();
    ASSERT_TRUE(clean_->WaitDrained(300)) << "see " << clean_->log_path();
    events_ = AreaEventsRead(*clean_);
    ASSERT_EQ(clean_->Stop(), 0) << "see " << clean_->log_path();
  }

  // The run to fault, over the same input.
  ServiceProcess MakeFaulted() const { return ServiceProcess(name_ + "-faulted", RunTopics(input_, "faulted")); }

  // Area input records `service` has read since it started; the registry,
  // read again at every start, is left out.
  double AreaEventsRead(const ServiceProcess& service) const {
    std::istringstream metrics(service.Get("/metrics"));
    double sum = 0;
    for (std::string line; std::getline(metrics, line);) {
      for (const std::string* topic : {&input_.orders, &input_.couriers, &input_.deliveries, &input_.commands}) {
        std::string series = "meal_events_total{topic=\"";
        series.append(*topic).append("\"} ");
        if (line.starts_with(series)) sum += std::stod(line.substr(series.size()));
      }
    }
    return sum;
  }

  // Waits until `service` has read `events` area input records since it
  // started (or has nothing left to read, or died) and returns how many it
  // had read then. Polls every 2 ms, so a kill point may land anywhere in a
  // batch; whether the input is through is only asked once the count stands
  // still.
  double ReadUntil(const ServiceProcess& service, double events) const {
    double seen = -1;
    auto still_since = std::chrono::steady_clock::now();
    EXPECT_TRUE(WaitFor(
        [&] {
          const double now = AreaEventsRead(service);
          if (now != seen) still_since = std::chrono::steady_clock::now();
          seen = now;
          return seen >= events || !service.running() ||
                 (std::chrono::steady_clock::now() - still_since > std::chrono::milliseconds(500) &&
                  service.Drained());
        },
        300, 2))
        << "the service read " << seen << " of the " << events << " records it was to read";
    return seen;
  }

  // A seeded point in the input, between the shares `from` and `to` of it.
  double PointWithin(double from, double to) {
    return std::uniform_real_distribution<double>(from, to)(rng_) * events_;
  }

  // Compares `faulted` (stopped) with the clean run, reports the row of the
  // table scripts/chaos prints (stdout, and MEAL_CHAOS_REPORT when set), and
  // expects no difference, and a clean run with something to compare.
  void Finish(const std::string& fault, int rounds, const ServiceProcess& faulted) {
    const RunDiff diff = CompareRuns(*clean_, faulted);
    std::ostringstream row;
    row << "| " << fault << " | " << rounds << " | " << static_cast<long long>(events_) << " | " << diff.lost
        << " | " << diff.duplicated << " | " << diff.mismatched << " | " << diff.lost_wellness << " |";
    std::cout << "fault | rounds | events | lost | duplicated | mismatched | lost_wellness\n" << row.str() << "\n";
    if (!settings_.report.empty()) {
      std::ofstream out(settings_.report, std::ios::app);
      out << row.str() << "\n";
      EXPECT_TRUE(out.good()) << "cannot append to " << settings_.report;
    }
    EXPECT_GT(diff.clean_state_keys, 100u);
    EXPECT_GT(diff.clean_assignments, 0u);
    EXPECT_GT(diff.clean_dead_letters, 0u);
    EXPECT_GT(diff.clean_wellness_checks, 0u) << "the recorded day needs doors nobody answered";
    EXPECT_EQ(diff.lost, 0u) << diff.examples;
    EXPECT_EQ(diff.duplicated, 0u) << diff.examples;
    EXPECT_EQ(diff.mismatched, 0u) << diff.examples;
    EXPECT_EQ(diff.lost_wellness, 0u) << diff.examples;
  }

  const Settings settings_ = FromEnv();
  std::mt19937_64 rng_{settings_.seed};
  std::string name_;
  sim::Topics input_;
  std::unique_ptr<ServiceProcess> clean_;
  double events_ = 0;  // area input records the clean run read
};

// (1) SIGKILL at random points under load, then a restart, round after
// round; the kill points are fractions of the input drawn from the seed.
TEST_F(ChaosIntegrationTest, SigkillAtRandomPointsLosesAndDuplicatesNothing) {
  ASSERT_NO_FATAL_FAILURE(RecordAndRunClean("chaos_kill"));
  // Sorted points within the input; each run reads up to the next one.
  std::vector<double> points(static_cast<std::size_t>(settings_.kill_rounds));
  for (double& p : points) p = PointWithin(0.05, 0.95);
  std::sort(points.begin(), points.end());

  ServiceProcess faulted = MakeFaulted();
  double previous = 0;
  int under_load = 0;
  for (std::size_t round = 0; round < points.size(); ++round) {
    faulted.Start();
    const double target = std::max(1.0, points[round] - previous);
    previous = points[round];
    const double seen = ReadUntil(faulted, target);
    ASSERT_TRUE(faulted.running()) << "round " << round << ": the service died; see " << faulted.log_path();
    if (seen >= target) ++under_load;
    faulted.Kill();
    std::cout << "round " << round + 1 << ": killed after " << seen << " records (aimed at " << target << ")"
              << std::endl;
  }
  // Restarts replay what the last commit had not covered, so later rounds
  // may find the input through; most must still hit a service at work.
  EXPECT_GE(under_load, (settings_.kill_rounds + 1) / 2) << "too few kills landed under load";
  faulted.Start();
  ASSERT_TRUE(faulted.WaitDrained(300)) << "see " << faulted.log_path();
  ASSERT_EQ(faulted.Stop(), 0) << "see " << faulted.log_path();
  Finish("sigkill", settings_.kill_rounds, faulted);
}

// (2) The broker stops under load and comes back. The test runs a broker of
// its own, so the tests sharing the suite's broker never notice.
TEST_F(ChaosIntegrationTest, BrokerRestartUnderLoadLosesAndDuplicatesNothing) {
  PrivateBroker broker(MEAL_KAFKA_SCRIPT, "chaos_broker");
  ASSERT_TRUE(broker.Start()) << "see " << broker.log_path();
  const ScopedBootstrap use(broker.bootstrap());
  ASSERT_NO_FATAL_FAILURE(RecordAndRunClean("chaos_broker"));

  ServiceProcess faulted = MakeFaulted();
  faulted.Start();
  const double seen = ReadUntil(faulted, PointWithin(0.1, 0.6));
  ASSERT_LT(seen, events_) << "the input was through before the broker could stop";
  ASSERT_TRUE(broker.Stop()) << "see " << broker.log_path();
  ASSERT_TRUE(faulted.running()) << "the service died without its broker; see " << faulted.log_path();
  ASSERT_TRUE(broker.Start()) << "see " << broker.log_path();
  std::cout << "broker restarted after " << seen << " records" << std::endl;
  ASSERT_TRUE(faulted.WaitDrained(300)) << "see " << faulted.log_path();
  ASSERT_EQ(faulted.Stop(), 0) << "see " << faulted.log_path();
  Finish("broker_restart", 1, faulted);
}

// A tmpfs of `size` at `dir` while it lives: a state disk the test can fill.
class TmpfsMount {
 public:
  TmpfsMount(std::string dir, const std::string& size) : dir_(std::move(dir)) {
    std::filesystem::create_directories(dir_);
    const std::string options = "size=" + size;
    if (mount("tmpfs", dir_.c_str(), "tmpfs", MS_NOSUID | MS_NODEV, options.c_str()) != 0) {
      error_ = std::strerror(errno);
    }
  }
  ~TmpfsMount() {
    if (error_.empty() && umount2(dir_.c_str(), MNT_DETACH) != 0) {
      ADD_FAILURE() << "umount " << dir_ << ": " << std::strerror(errno);
    }
  }
  TmpfsMount(const TmpfsMount&) = delete;
  TmpfsMount& operator=(const TmpfsMount&) = delete;

  // Empty iff mounted.
  const std::string& error() const { return error_; }

 private:
  std::string dir_;
  std::string error_;
};

// Writes `path` until its file system has at most `leave` bytes free (or
// none). Returns the bytes written; -1 (errno set) on any error but ENOSPC.
long long FillWith(const std::string& path, long long leave) {
  const int fd = open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC, 0600);
  if (fd < 0) return -1;
  const std::string chunk(1 << 20, '\0');
  long long written = 0;
  for (;;) {
    struct statvfs fs {};
    if (fstatvfs(fd, &fs) != 0) break;
    const long long room = static_cast<long long>(fs.f_bavail) * static_cast<long long>(fs.f_frsize) - leave;
    if (room <= 0) break;
    const ssize_t n = write(fd, chunk.data(), std::min<std::size_t>(chunk.size(), static_cast<std::size_t>(room)));
    if (n > 0) {
      written += n;
      continue;
    }
    if (n < 0 && errno == ENOSPC) break;
    const int error = errno;
    close(fd);
    errno = error;
    return -1;
  }
  close(fd);
  return written;
}

// (3) The state disk fills up under load: the commit fails with a clear
// error, the service reports not ready and waits, nothing is corrupted, and
// it carries on once there is room again.
TEST_F(ChaosIntegrationTest, StateDiskFullWaitsForRoomAndLosesNothing) {
  ASSERT_NO_FATAL_FAILURE(RecordAndRunClean("chaos_disk"));
  const std::string disk = (std::filesystem::path(clean_->state_dir()).parent_path() / "chaos_disk-disk").string();
  const TmpfsMount mounted(disk, "64m");
  ASSERT_EQ(mounted.error(), "") << "cannot mount a tmpfs at " << disk
                                 << ": this test needs root with CAP_SYS_ADMIN (mount -t tmpfs) to fill a disk";
  ServiceProcess faulted = MakeFaulted();
  faulted.set_state_dir(disk + "/state");
  // The margin the service keeps free on a disk this small.
  faulted.Set("state.min_free_mb=8");
  faulted.Start();
  const double seen = ReadUntil(faulted, PointWithin(0.1, 0.6));
  ASSERT_LT(seen, events_) << "the input was through before the disk could fill";

  const std::string ballast = disk + "/ballast";
  // Filled to within 2 MiB, under the service's 8 MiB margin: the margin is
  // what keeps RocksDB itself from meeting a full disk, which Debian's
  // RocksDB 7.8.3 does not survive (docs/reliability.md, Limits).
  ASSERT_GE(FillWith(ballast, 2 << 20), 0) << ballast << ": " << std::strerror(errno);
  std::string log;
  ASSERT_TRUE(WaitFor(
      [&] { return !faulted.running() || (log = LogOf(faulted)).find("state commit failed: ") != std::string::npos; },
      60))
      << "no state commit failed with the disk full; see " << faulted.log_path();
  ASSERT_TRUE(faulted.running()) << "the service died on a full disk: " << LastLine(LogOf(faulted));
  EXPECT_NE(log.find("retrying every 1 s"), std::string::npos) << "see " << faulted.log_path();
  EXPECT_TRUE(WaitFor([&] { return StatusOf(faulted.Get("/readyz")) == 503 && faulted.Metric("meal_ready") == 0; }, 10))
      << "/readyz must answer 503 while the state cannot be committed";
  ASSERT_TRUE(faulted.running()) << "the service exited on a full disk: " << LastLine(LogOf(faulted));

  ASSERT_TRUE(std::filesystem::remove(ballast));
  ASSERT_TRUE(WaitFor(
      [&] { return LogOf(faulted).find("state commit succeeded again after ") != std::string::npos; }, 60))
      << "no state commit succeeded within 60 s of the room coming back; see " << faulted.log_path();
  ASSERT_TRUE(faulted.WaitDrained(300)) << "see " << faulted.log_path();
  EXPECT_EQ(StatusOf(faulted.Get("/readyz")), 200);
  ASSERT_EQ(faulted.Stop(), 0) << "see " << faulted.log_path();
  Finish("disk_full", 1, faulted);
}

// (4) Scale-out and back under load: two more instances join the first
// (1 -> 3), each task they are given moves with its state through the
// changelog, and when they stop (3 -> 1) their tasks come back to the first.
// The first instance ends with every task, so its state is compared whole.
TEST_F(ChaosIntegrationTest, RebalancingOneToThreeToOneLosesAndDuplicatesNothing) {
  // A longer day: the group takes seconds to change, and must change twice
  // while there is input left.
  ASSERT_NO_FATAL_FAILURE(RecordAndRunClean("chaos_rebalance", 1200));
  const sim::Topics topics = RunTopics(input_, "faulted");
  const std::string group = "kafka.group_id=\"" + name_ + "-faulted-" + std::to_string(getpid()) + "\"";
  std::vector<std::unique_ptr<ServiceProcess>> instances;
  for (const char* id : {"first", "second", "third"}) {
    instances.push_back(std::make_unique<ServiceProcess>(name_ + "-" + id, topics));
    ServiceProcess& instance = *instances.back();
    instance.Set(group);
    instance.Set(std::string("kafka.instance_id=\"") + id + "\"");
    // Stopped instances' tasks move after this long (static members do
    // not leave the group); the broker's minimum.
    instance.Set("kafka.session_timeout_ms=6000");
    // A transaction per record: the day lasts long enough for the group
    // to change while there is input left.
    instance.Set("pipeline.batch_max_records=1");
    instance.Set("pipeline.commit_interval_ms=1");
  }
  ServiceProcess& first = *instances[0];
  auto read_by_all = [&] {
    double sum = 0;
    for (const auto& instance : instances) {
      if (instance->running()) sum += AreaEventsRead(*instance);
    }
    return sum;
  };

  first.Start();
  const double before = ReadUntil(first, PointWithin(0.05, 0.2));
  ASSERT_LT(before, events_) << "the input was through before the others could join";
  instances[1]->Start();
  instances[2]->Start();
  // Scaled out once the newcomers have read input of tasks they were given.
  ASSERT_TRUE(WaitFor([&] { return AreaEventsRead(*instances[1]) > 0 && AreaEventsRead(*instances[2]) > 0; }, 120))
      << "the new instances were given no task; see " << instances[1]->log_path();
  const double scaled_out_at = read_by_all();
  std::cout << "1 -> 3 after " << before << " records; the three had read " << scaled_out_at << std::endl;
  // The three share a tenth of the day; the two leave while input is left.
  ASSERT_TRUE(WaitFor([&] { return read_by_all() >= std::min(events_ * 0.7, scaled_out_at + events_ * 0.1); }, 120));
  const double left = events_ - read_by_all();
  for (std::size_t i = 1; i < instances.size(); ++i) {
    ASSERT_EQ(instances[i]->Stop(), 0) << "see " << instances[i]->log_path();
  }
  std::cout << "3 -> 1 with about " << left << " records left" << std::endl;
  // Drained once it owns every partition again (four tasks of four topics).
  const auto owned = [](const ServiceProcess& s) {
    std::istringstream metrics(s.Get("/metrics"));
    int series = 0;
    for (std::string line; std::getline(metrics, line);) series += line.starts_with("meal_consumer_lag{");
    return series;
  };
  ASSERT_TRUE(WaitFor([&] { return owned(first) == 16; }, 120)) << "see " << first.log_path();
  ASSERT_TRUE(first.WaitDrained(300)) << "see " << first.log_path();
  ASSERT_EQ(first.Stop(), 0) << "see " << first.log_path();
  Finish("rebalance_1_3_1", 1, first);
}

}  // namespace
}  // namespace meal::testing
