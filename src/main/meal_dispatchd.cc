// meal-dispatchd: the dispatch service.
#include <CLI/CLI.hpp>
#include <spdlog/spdlog.h>

#include <csignal>
#include <iostream>

#include "config/config.h"
#include "service/service.h"

namespace {
std::atomic<bool> g_stop{false};
void OnSignal(int) { g_stop.store(true); }
}  // namespace

int main(int argc, char** argv) {
  CLI::App app{"meal-dispatchd: dispatches home-delivered meals to older people"};
  std::string config_path;
  std::vector<std::string> overrides;
  std::string bootstrap, state_dir;
  int http_port = -1;
  bool print_defaults = false;
  app.add_option("-c,--config", config_path, "TOML configuration file")->check(CLI::ExistingFile);
  app.add_option("--set", overrides, "Override a key: section.key=value (repeatable)");
  app.add_option("--bootstrap", bootstrap, "Same as --set kafka.bootstrap_servers=...");
  app.add_option("--state-dir", state_dir, "Same as --set state.path=...");
  app.add_option("--http-port", http_port, "Same as --set http.port=...");
  app.add_flag("--print-defaults", print_defaults, "Print every configuration key with its default and exit");
  CLI11_PARSE(app, argc, argv);

  if (print_defaults) {
    std::cout << meal::config::DescribeDefaults();
    return 0;
  }
  if (!bootstrap.empty()) overrides.push_back("kafka.bootstrap_servers=\"" + bootstrap + "\"");
  if (!state_dir.empty()) overrides.push_back("state.path=\"" + state_dir + "\"");
  if (http_port >= 0) overrides.push_back("http.port=" + std::to_string(http_port));

  meal::config::Config config;
  if (meal::Status s = meal::config::LoadConfig(config_path, overrides, &config); !s.ok()) {
    std::cerr << "meal-dispatchd: bad configuration: " << s.message() << "\n";
    return 2;
  }
  spdlog::set_level(spdlog::level::from_str(config.log.level));
  spdlog::set_pattern("%Y-%m-%dT%H:%M:%S.%e %^%l%$ %v");

  std::signal(SIGINT, OnSignal);
  std::signal(SIGTERM, OnSignal);

  meal::service::Service service(config);
  if (meal::Status s = service.Start(); !s.ok()) {
    spdlog::critical("start-up failed: {}", s.ToString());
    return 1;
  }
  const meal::Status s = service.Run(g_stop);
  if (!s.ok()) {
    spdlog::critical("stopped on error: {}", s.ToString());
    return 1;
  }
  spdlog::info("stopped cleanly");
  return 0;
}
