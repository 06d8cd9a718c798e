// meal-admin: operators' tools on the dispatch service's state directory.
#include <CLI/CLI.hpp>

#include <iostream>
#include <optional>

#include "admin/commands.h"
#include "admin/replay.h"
#include "config/config.h"
#include "service/service.h"

int main(int argc, char** argv) {
  CLI::App app{"meal-admin: inspect, verify, back up and restore the state of meal-dispatchd, and replay its input with another configuration"};
  app.require_subcommand(1);
  int status = meal::admin::kExitOk;
  std::string state_dir, id, to, from, config_path;
  std::optional<std::string> topic;
  auto state_dir_option = [&](CLI::App* command) {
    command->add_option("--state-dir", state_dir, "The service's RocksDB state directory (state.path)")->required();
  };

  CLI::App* order = app.add_subcommand("order", "Print a stored order as JSON");
  state_dir_option(order);
  order->add_option("ID", id, "Order id")->required();
  order->callback([&] { status = meal::admin::RunOrder(state_dir, id, std::cout, std::cerr); });

  CLI::App* courier = app.add_subcommand("courier", "Print a stored courier and its planned route as JSON");
  state_dir_option(courier);
  courier->add_option("-c,--config", config_path, "The service's TOML configuration, for its travel and service times")
      ->check(CLI::ExistingFile);
  courier->add_option("ID", id, "Courier id")->required();
  courier->callback([&] {
    meal::config::Config config;
    if (meal::Status s = meal::config::LoadConfig(config_path, {}, &config); !s.ok()) {
      std::cerr << "meal-admin: bad configuration: " << s.message() << "\n";
      status = meal::admin::kExitUsage;
      return;
    }
    status = meal::admin::RunCourier(state_dir, id, meal::service::MakeEngineOptions(config), std::cout, std::cerr);
  });

  CLI::App* offsets = app.add_subcommand("offsets", "List the stored next input offset of every topic partition");
  state_dir_option(offsets);
  offsets->add_option("--topic", topic, "Only this topic");
  offsets->callback([&] { status = meal::admin::RunOffsets(state_dir, topic, std::cout, std::cerr); });

  CLI::App* verify = app.add_subcommand("verify", "Decode every record and check references; exit 1 on problems");
  state_dir_option(verify);
  verify->callback([&] { status = meal::admin::RunVerify(state_dir, std::cout, std::cerr); });

  CLI::App* backup = app.add_subcommand("backup", "Write a consistent checkpoint (the service must be stopped)");
  state_dir_option(backup);
  backup->add_option("--to", to, "New directory for the checkpoint")->required();
  backup->callback([&] { status = meal::admin::RunBackup(state_dir, to, std::cout, std::cerr); });

  CLI::App* restore = app.add_subcommand("restore", "Restore a checkpoint into an absent or empty state directory");
  restore->add_option("--from", from, "A directory written by backup")->required();
  state_dir_option(restore);
  restore->callback([&] { status = meal::admin::RunRestore(from, state_dir, std::cout, std::cerr); });

  CLI::App* replay = app.add_subcommand(
      "replay", "Replay a time range of the input with another configuration into new topics and compare the outputs");
  meal::admin::ReplayOptions replay_options;
  std::vector<std::string> overrides;
  std::string bootstrap, json_path;
  replay->add_option("--bootstrap", bootstrap, "Same as --set kafka.bootstrap_servers=...");
  replay->add_option("-c,--config", config_path,
                     "TOML configuration to replay with ([topics]: input and original outputs)")
      ->check(CLI::ExistingFile);
  replay->add_option("--set", overrides, "Override a key: section.key=value (repeatable)");
  replay->add_option("--from-ms", replay_options.from_ms, "Start of the range: event time, ms since the epoch")
      ->required();
  replay->add_option("--to-ms", replay_options.to_ms, "End of the range (excluded)")->required();
  replay->add_option("--output-prefix", replay_options.output_prefix, "Outputs go to <P>assignments and <P>alerts")
      ->required();
  replay->add_option("--area", replay_options.area, "Only this area");
  replay->add_option("--json", json_path, "Also write the report as JSON to this file");
  replay->callback([&] {
    if (!bootstrap.empty()) overrides.push_back("kafka.bootstrap_servers=\"" + bootstrap + "\"");
    status = meal::admin::RunReplay(config_path, overrides, replay_options, json_path, std::cout, std::cerr);
  });

  try {
    app.parse(argc, argv);
  } catch (const CLI::ParseError& e) {
    // Help is not an error; every other parse failure is a usage error.
    return app.exit(e) == 0 ? meal::admin::kExitOk : meal::admin::kExitUsage;
  }
  return status;
}
