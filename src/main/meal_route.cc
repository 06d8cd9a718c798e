// meal-route: runs the routing solver on the classic benchmarks (Solomon
// VRPTW, Li & Lim PDPTW), checks every answer with the independent checker
// before reporting it, and re-checks saved solutions.
//
//   meal-route bench --set solomon|lilim DIR [--objective distance|vehicles]
//                    [--budget-ms N] [--seed S] [--solutions OUTDIR]
//                    [--csv FILE] [--bks FILE] [--instances a,b,c]
//   meal-route check --set solomon|lilim INSTANCE_FILE SOL_FILE
//
// bench solves every *.txt in DIR in name order and prints one line per
// instance ("name vehicles distance gap_to_bks% ms feasible", followed by
// "    ! violation" lines when infeasible), then exactly one "summary:" line.
// Gap = (distance - bks) / bks x 100 against the BKS table's distance, over
// the instances that have a BKS row; CNV and CTD are the totals of vehicles
// and distance over all instances run. All figures are the checker's. --objective defaults to distance for solomon and
// vehicles for lilim; --bks defaults to DIR/../bks/ and the table matching
// the set, objective and folder (solomon-100-distance-only.csv,
// solomon-100.csv, lilim-100.csv, lilim-200.csv, homberger-200.csv).
// The CSV file is rewritten by each run, one row per instance as it
// finishes: instance,vehicles,distance,bks_vehicles,bks_distance,gap_pct,
// ms,feasible (BKS fields empty when the table has no row for it).
//
// Exit codes: 0 when every solution is feasible, 1 when any is not, 2 on bad
// flags or unreadable input.
#include <algorithm>
#include <chrono>
#include <cmath>
#include <cstdint>
#include <cstdio>
#include <exception>
#include <filesystem>
#include <fstream>
#include <map>
#include <numeric>
#include <limits>
#include <set>
#include <string>
#include <system_error>
#include <vector>

#include <CLI/CLI.hpp>
#include <fmt/core.h>

#include "common/status.h"
#include "routing/vrp.h"
#include "routing/vrp_checker.h"
#include "routing/vrp_formats.h"

namespace {

namespace fs = std::filesystem;
using meal::Status;
using meal::routing::Bks;
using meal::routing::CheckReport;
using meal::routing::VrpInstance;
using meal::routing::VrpObjective;
using meal::routing::VrpSolution;

constexpr int kExitInfeasible = 1;
constexpr int kExitBadInput = 2;
// Violations printed per infeasible instance; the rest are counted.
constexpr std::size_t kMaxViolationsShown = 10;

Status LoadInstance(const std::string& set, const std::string& path, VrpInstance* instance) {
  return set == "lilim" ? meal::routing::LoadLiLim(path, instance) : meal::routing::LoadSolomon(path, instance);
}

// DIR/../bks/<table>, the table chosen as documented at the top.
std::string DefaultBksPath(const std::string& set, const std::string& dir, VrpObjective objective) {
  fs::path folder = fs::path(dir).lexically_normal();
  if (folder.filename().empty()) folder = folder.parent_path();  // "dir/" -> "dir"
  const std::string name = folder.filename().string();
  std::string table;
  if (set == "lilim") {
    table = name.find("200") != std::string::npos ? "lilim-200.csv" : "lilim-100.csv";
  } else if (name.rfind("homberger", 0) == 0) {
    table = "homberger-200.csv";
  } else {
    table = objective == VrpObjective::kDistance ? "solomon-100-distance-only.csv" : "solomon-100.csv";
  }
  return (folder.parent_path() / "bks" / table).string();
}

// On stdout, under the instance's line, so that a log keeps them together.
void PrintViolations(const CheckReport& report) {
  for (std::size_t i = 0; i < report.violations.size() && i < kMaxViolationsShown; ++i) {
    fmt::print("    ! {}\n", report.violations[i]);
  }
  if (report.violations.size() > kMaxViolationsShown) {
    fmt::print("    ! ... and {} more\n", report.violations.size() - kMaxViolationsShown);
  }
}

double Median(std::vector<double> values) {
  std::sort(values.begin(), values.end());
  const std::size_t n = values.size();
  return n % 2 == 1 ? values[n / 2] : (values[n / 2 - 1] + values[n / 2]) / 2;
}

// Rounds tiny negatives to 0 so they do not print as "-0.00": a gap of
// -0.0004% is just the BKS table's rounding (Solomon's has 2 decimals).
double NoNegativeZero(double value, double resolution) { return std::fabs(value) < resolution / 2 ? 0.0 : value; }

// A gap that cannot be computed (no BKS row) is NaN and prints as "n/a".
constexpr double kNoGap = std::numeric_limits<double>::quiet_NaN();

std::string Percent(double value) {
  return std::isnan(value) ? std::string("n/a") : fmt::format("{:.2f}%", NoNegativeZero(value, 0.01));
}

// The *.txt files in `dir`, sorted by file name; only those named in
// `wanted` (by file name without .txt) unless it is empty, each of which
// must exist.
Status ListInstances(const std::string& dir, const std::vector<std::string>& wanted, std::vector<fs::path>* files) {
  files->clear();
  std::error_code ec;
  for (const fs::directory_entry& entry : fs::directory_iterator(dir, ec)) {
    if (entry.is_regular_file() && entry.path().extension() == ".txt") files->push_back(entry.path());
  }
  if (ec) return Status::Io(fmt::format("cannot list {}: {}", dir, ec.message()));
  std::sort(files->begin(), files->end(),
            [](const fs::path& a, const fs::path& b) { return a.filename().string() < b.filename().string(); });
  if (!wanted.empty()) {
    const std::set<std::string> names(wanted.begin(), wanted.end());
    std::erase_if(*files, [&](const fs::path& p) { return names.count(p.stem().string()) == 0; });
    for (const std::string& name : names) {
      if (std::none_of(files->begin(), files->end(), [&](const fs::path& p) { return p.stem().string() == name; })) {
        return Status::NotFound(fmt::format("no instance {} in {}", name, dir));
      }
    }
  }
  if (files->empty()) return Status::NotFound(fmt::format("no *.txt instance files in {}", dir));
  return Status::Ok();
}

// One CSV row, as documented at the top; `bks` may be null.
std::string CsvRow(const std::string& name, const CheckReport& report, const Bks* bks, double gap, double ms) {
  std::string row = fmt::format("{},{},{:.4f},", name, report.vehicles, report.distance);
  row += bks != nullptr ? fmt::format("{},{:.4f},", bks->vehicles, bks->distance) : std::string(",,");
  row += std::isnan(gap) ? std::string() : fmt::format("{:.4f}", NoNegativeZero(gap, 1e-4));
  row += fmt::format(",{:.0f},{}\n", ms, report.feasible ? "true" : "false");
  return row;
}

struct BenchFlags {
  std::string set;
  std::string dir;
  std::string objective;  // empty: by set
  std::int64_t budget_ms = 1000;
  std::uint64_t seed = 1;
  std::string solutions_dir;
  std::string csv_path;
  std::string bks_path;
  std::vector<std::string> instances;
};

int RunBench(const BenchFlags& flags) {
  meal::routing::VrpSolveOptions options;
  const std::string objective = !flags.objective.empty() ? flags.objective
                                : flags.set == "lilim"   ? "vehicles"
                                                         : "distance";
  options.objective = objective == "vehicles" ? VrpObjective::kVehicles : VrpObjective::kDistance;
  options.budget_ms = flags.budget_ms;
  options.seed = flags.seed;

  std::vector<fs::path> files;
  if (Status s = ListInstances(flags.dir, flags.instances, &files); !s.ok()) {
    fmt::print(stderr, "meal-route: {}\n", s.message());
    return kExitBadInput;
  }

  // Best-known solutions: a missing default table only costs the gaps.
  std::map<std::string, Bks> bks;
  const std::string bks_path =
      flags.bks_path.empty() ? DefaultBksPath(flags.set, flags.dir, options.objective) : flags.bks_path;
  if (Status s = meal::routing::LoadBks(bks_path, &bks); !s.ok()) {
    if (!flags.bks_path.empty()) {
      fmt::print(stderr, "meal-route: {}\n", s.ToString());
      return kExitBadInput;
    }
    fmt::print(stderr, "meal-route: no BKS table ({}); gaps are left out\n", s.ToString());
    bks.clear();
  }

  std::error_code ec;
  if (!flags.solutions_dir.empty()) {
    fs::create_directories(flags.solutions_dir, ec);
    if (ec) {
      fmt::print(stderr, "meal-route: cannot create {}: {}\n", flags.solutions_dir, ec.message());
      return kExitBadInput;
    }
  }
  std::ofstream csv;
  if (!flags.csv_path.empty()) {
    const fs::path parent = fs::path(flags.csv_path).parent_path();
    if (!parent.empty()) fs::create_directories(parent, ec);
    csv.open(flags.csv_path, std::ios::trunc);
    if (!csv) {
      fmt::print(stderr, "meal-route: cannot write {}\n", flags.csv_path);
      return kExitBadInput;
    }
    csv << "instance,vehicles,distance,bks_vehicles,bks_distance,gap_pct,ms,feasible\n";
  }

  fmt::print("# meal-route bench: set={} dir={} objective={} budget_ms={} seed={} bks={}\n", flags.set, flags.dir,
             objective, options.budget_ms, options.seed, bks.empty() ? "none" : bks_path);
  fmt::print("# {:<10} {:>4} {:>11} {:>11} {:>7} {}\n", "instance", "veh", "distance", "gap_to_bks", "ms",
             "feasible");
  std::fflush(stdout);

  int infeasible = 0;
  long long total_vehicles = 0;
  double total_distance = 0;
  double total_ms = 0;
  std::vector<double> gaps;
  for (const fs::path& file : files) {
    VrpInstance instance;
    if (Status s = LoadInstance(flags.set, file.string(), &instance); !s.ok()) {
      fmt::print(stderr, "meal-route: {}\n", s.ToString());
      return kExitBadInput;
    }
    VrpSolution solution;
    std::string solver_error;
    const auto start = std::chrono::steady_clock::now();
    try {
      solution = meal::routing::SolveVrp(instance, options);
    } catch (const std::exception& e) {
      // The tool is an edge: a throwing solver is one failed instance, not a
      // lost run.
      solver_error = e.what();
    }
    const double ms = std::chrono::duration<double, std::milli>(std::chrono::steady_clock::now() - start).count();

    // The checker, not the solver, has the last word on every figure shown.
    CheckReport report = meal::routing::CheckSolution(instance, solution);
    if (!solver_error.empty()) {
      report.feasible = false;
      report.violations.insert(report.violations.begin(), "the solver threw: " + solver_error);
    }
    double gap = kNoGap;
    const auto row = bks.find(instance.name);
    if (row != bks.end() && row->second.distance > 0) {
      gap = (report.distance - row->second.distance) / row->second.distance * 100.0;
      gaps.push_back(gap);
    }
    infeasible += report.feasible ? 0 : 1;
    total_vehicles += report.vehicles;
    total_distance += report.distance;
    total_ms += ms;

    fmt::print("{:<12} {:>4} {:>11.2f} {:>11} {:>7.0f} {}\n", instance.name, report.vehicles, report.distance,
               Percent(gap), ms, report.feasible ? "feasible" : "INFEASIBLE");
    if (!report.feasible) PrintViolations(report);
    std::fflush(stdout);

    if (!flags.solutions_dir.empty()) {
      const fs::path sol = fs::path(flags.solutions_dir) / (instance.name + ".sol");
      std::ofstream out(sol, std::ios::trunc);
      out << meal::routing::FormatSolution(solution);
      if (!out.flush()) {
        fmt::print(stderr, "meal-route: cannot write {}\n", sol.string());
        return kExitBadInput;
      }
    }
    if (csv.is_open()) {
      csv << CsvRow(instance.name, report, row != bks.end() ? &row->second : nullptr, gap, ms);
      csv.flush();  // a row per finished instance survives an interrupted run
    }
  }

  const double avg_gap =
      gaps.empty() ? kNoGap : std::accumulate(gaps.begin(), gaps.end(), 0.0) / static_cast<double>(gaps.size());
  const double median_gap = gaps.empty() ? kNoGap : Median(gaps);
  fmt::print("summary: instances={} infeasible={} avg_gap={} median_gap={} cnv={} ctd={:.2f} avg_ms={:.0f}\n",
             files.size(), infeasible, Percent(avg_gap), Percent(median_gap), total_vehicles, total_distance,
             total_ms / static_cast<double>(files.size()));
  return infeasible == 0 ? 0 : kExitInfeasible;
}

int RunCheck(const std::string& set, const std::string& instance_path, const std::string& solution_path) {
  VrpInstance instance;
  if (Status s = LoadInstance(set, instance_path, &instance); !s.ok()) {
    fmt::print(stderr, "meal-route: {}\n", s.ToString());
    return kExitBadInput;
  }
  VrpSolution solution;
  if (Status s = meal::routing::LoadSolution(solution_path, &solution); !s.ok()) {
    fmt::print(stderr, "meal-route: {}\n", s.ToString());
    return kExitBadInput;
  }
  const CheckReport report = meal::routing::CheckSolution(instance, solution);
  if (report.feasible) {
    fmt::print("feasible\n");
  } else {
    fmt::print("infeasible: {} violation{}\n", report.violations.size(), report.violations.size() == 1 ? "" : "s");
    for (const std::string& v : report.violations) fmt::print("  {}\n", v);
  }
  fmt::print("vehicles={} distance={:.4f}\n", report.vehicles, report.distance);
  return report.feasible ? 0 : kExitInfeasible;
}

}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"meal-route: the routing solver on the Solomon and Li & Lim benchmarks"};
  app.require_subcommand(1);
  const std::vector<std::string> sets = {"solomon", "lilim"};

  BenchFlags bench;
  CLI::App* bench_cmd = app.add_subcommand("bench", "solve every instance in DIR, check and report");
  bench_cmd->add_option("--set", bench.set, "instance format: solomon (VRPTW) or lilim (PDPTW)")
      ->required()
      ->check(CLI::IsMember(sets));
  bench_cmd->add_option("dir", bench.dir, "folder of *.txt instance files")->required()->check(CLI::ExistingDirectory);
  bench_cmd->add_option("--objective", bench.objective,
                        "distance (total distance alone) or vehicles (fewest vehicles, then distance); "
                        "default: distance for solomon, vehicles for lilim")
      ->check(CLI::IsMember({"distance", "vehicles"}));
  bench_cmd->add_option("--budget-ms", bench.budget_ms, "wall-clock budget per instance")
      ->capture_default_str()
      ->check(CLI::Range(std::int64_t{1}, std::int64_t{86'400'000}));
  bench_cmd->add_option("--seed", bench.seed, "solver seed")->capture_default_str();
  bench_cmd->add_option("--solutions", bench.solutions_dir, "write OUTDIR/<instance>.sol (default: none)");
  bench_cmd->add_option("--csv", bench.csv_path, "write one CSV row per instance to FILE (default: none)");
  bench_cmd->add_option("--bks", bench.bks_path, "BKS table (default: DIR/../bks/<table for the set>)");
  bench_cmd->add_option("--instances", bench.instances, "only these instances, e.g. c101,r201")->delimiter(',');

  std::string check_set;
  std::string check_instance;
  std::string check_solution;
  CLI::App* check_cmd = app.add_subcommand("check", "re-check a .sol file against its instance");
  check_cmd->add_option("--set", check_set, "instance format: solomon or lilim")
      ->required()
      ->check(CLI::IsMember(sets));
  check_cmd->add_option("instance", check_instance, "instance file")->required()->check(CLI::ExistingFile);
  check_cmd->add_option("solution", check_solution, "solution file (Route N : id id ...)")
      ->required()
      ->check(CLI::ExistingFile);

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    const int rc = app.exit(e);
    return rc == 0 ? 0 : kExitBadInput;
  }
  if (bench_cmd->parsed()) return RunBench(bench);
  return RunCheck(check_set, check_instance, check_solution);
}
