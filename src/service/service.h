// The dispatch service: the event loop that ties the pipeline together,
//   consume -> decode -> engine -> one state commit (state + offsets +
//   outbox) -> produce
// plus the HTTP endpoints. One thread runs the loop; HTTP runs on its own.
#pragma once

#include <array>
#include <atomic>
#include <chrono>
#include <memory>
#include <set>
#include <span>
#include <string>
#include <vector>

#include "api/http_server.h"
#include "codec/decode.h"
#include "config/config.h"
#include "dispatch/engine.h"
#include "ingest/group_consumer.h"
#include "ingest/task_merger.h"
#include "kafka/producer.h"
#include "kafka/reader.h"
#include "metrics/registry.h"
#include "service/changelog.h"
#include "service/command_publisher.h"
#include "service/live_feed.h"
#include "service/outbox.h"
#include "service/peers.h"
#include "state/rocksdb_store.h"

namespace meal::service {

// Engine options from the [dispatch] and [priority] sections and the tariffs.
dispatch::EngineOptions MakeEngineOptions(const config::Config& config);

class Service {
 public:
  explicit Service(config::Config config);
  ~Service();

  // Opens the state, creates missing topics, loads the registry, produces
  // outputs left in the outbox by an earlier run, subscribes and starts HTTP.
  Status Start();

  // Runs the event loop until `stop` becomes true, then commits and flushes.
  // Returns the error that stopped it early, if any.
  Status Run(const std::atomic<bool>& stop);

  // Every owned partition has been read up to its end at least once.
  bool ready() const { return ready_.load(std::memory_order_relaxed); }
  std::uint16_t http_port() const;
  metrics::Registry& metrics() { return metrics_; }

 private:
  struct AreaTopic {
    std::string name;
    codec::InputKind kind;
  };

  // The instance id: kafka.instance_id, else the one the state was last
  // published under, else the host name; kept in the state.
  Status InstanceId(std::string* instance);
  // Forwarding of API requests to the other instances (peers.h), unless
  // they cannot reach this one.
  Status StartPeers(const kafka::Properties& props);
  void BootstrapRegistry();
  void PollRegistry(int timeout_ms);
  void ProcessRecord(int topic_index, const rd_kafka_message_t& msg);
  void ApplyEvent(const std::string& topic, std::int32_t partition, std::int64_t offset,
                  std::string_view key, std::string_view value, std::int64_t timestamp_ms,
                  codec::InputKind kind);
  void DeadLetter(const std::string& topic, std::int32_t partition, std::int64_t offset,
                  std::string_view key, std::string_view value, std::int64_t timestamp_ms,
                  std::string_view reason);
  // Puts the engine's outputs in the outbox, to be committed with the state
  // that caused them.
  void EnqueueOutputs(std::span<const dispatch::Output> outputs);
  // The task (input partition) an area's events arrive on; -1 when none has
  // arrived yet.
  std::int32_t TaskOf(const std::string& area_id) const;
  // The changelog record of one change to `task`'s state, into the outbox.
  void LogChange(std::int32_t task, const state::WriteSet::Op& op);
  // One state commit (engine changes, input offsets, outbox), then the
  // outputs it holds go to the open transaction (Outbox::Publish).
  Status Commit();
  // Commits the state and then the open transaction, waiting for it: what
  // was applied is in the changelog before a task changes hands.
  Status CommitAndPublish();

  // Rebalance hooks (ingest::GroupConsumer), run inside its Poll. A failure
  // is kept in hook_error_ and stops the loop.
  void OnTasksAssigned(const std::vector<std::int32_t>& tasks);
  void OnTasksRevoked(const std::vector<std::int32_t>& tasks);
  // The task's state in the store is current, restored from the changelog
  // if it was not; true when it was restored.
  Status TakeTask(std::int32_t task, bool* restored);
  // Deletes the task's state (and any held outputs of it) from the store.
  Status ReleaseTask(std::int32_t task);
  // Tasks whose input offsets are in the store.
  std::vector<std::int32_t> LocalTasks() const;
  // The engine again from the store, after tasks came or went.
  Status ReloadEngine();
  void LoadAreaTasks();
  // Commit, and while the store refuses it, tries it again every second
  // (not applying input meanwhile) until it succeeds or `stop`.
  Status CommitOrWait(const std::atomic<bool>& stop);
  void UpdateGauges();
  // meal_alerts_open from the engine's counts (which Load takes from state,
  // so they are right across restarts).
  void SetOpenAlerts();

  config::Config config_;
  dispatch::EngineOptions engine_options_;
  metrics::Registry metrics_;
  std::unique_ptr<state::RocksDbStore> store_;
  std::unique_ptr<dispatch::Engine> engine_;
  std::unique_ptr<kafka::Producer> producer_;
  std::unique_ptr<Outbox> outbox_;
  std::unique_ptr<Changelog> changelog_;
  std::string instance_;
  // Area -> task, as learned from the areas' events and kept under p/.
  std::map<std::string, std::int32_t> area_tasks_;
  std::vector<std::string> new_area_tasks_;  // learned since the last commit
  std::set<std::string> unattributed_areas_;  // warned about once
  // Input offsets as last written, so unchanged ones are not written (and
  // logged) again.
  std::map<std::string, std::int64_t> written_offsets_;
  bool assigned_once_ = false;
  bool stopping_ = false;  // revoked tasks are kept: the instance is stopping
  Status hook_error_;
  ingest::Merger merger_;
  std::unique_ptr<ingest::GroupConsumer> consumer_;
  std::unique_ptr<kafka::Reader> registry_;
  std::map<kafka::TopicPartition, std::int64_t> registry_offsets_;
  std::unique_ptr<CommandPublisher> commands_;
  // Describes the consumer group for peers_; both outlive http_, whose
  // guard uses them.
  kafka::HandlePtr group_admin_;
  std::unique_ptr<Peers> peers_;
  std::unique_ptr<api::HttpServer> http_;
  // The live stream: its clients, and what feeds them after each commit.
  // Destroyed before http_ (the feed first), after http_ is stopped.
  std::unique_ptr<api::StreamHub> stream_hub_;
  std::unique_ptr<LiveFeed> feed_;
  std::vector<AreaTopic> area_topics_;
  std::atomic<bool> ready_{false};

  // Per batch.
  std::vector<dispatch::Output> outputs_;
  std::vector<std::chrono::steady_clock::time_point> decisions_;  // when each order-ready was read
  std::chrono::steady_clock::time_point batch_read_at_;
  bool dirty_ = false;
  state::WriteSet commit_changes_;
  bool commit_failed_ = false;  // commit_changes_ were refused: try them again

  // Metrics, looked up once.
  std::vector<metrics::Counter*> events_by_topic_;
  std::vector<metrics::Counter*> dead_letters_by_topic_;
  metrics::Counter* decode_errors_ = nullptr;
  metrics::Counter* rejected_ = nullptr;
  metrics::Counter* duplicates_ = nullptr;
  metrics::Counter* assignments_ = nullptr;
  metrics::Counter* alerts_ = nullptr;
  metrics::Counter* deliveries_on_time_ = nullptr;
  metrics::Counter* deliveries_late_ = nullptr;
  std::array<metrics::Gauge*, kAlertKinds> open_alerts_{};
  metrics::Counter* commits_ = nullptr;
  metrics::Counter* commit_failures_ = nullptr;
  metrics::Histogram* decision_latency_ = nullptr;
  metrics::Histogram* commit_latency_ = nullptr;
  metrics::Gauge* outbox_pending_ = nullptr;
  metrics::Gauge* stall_seconds_ = nullptr;
  metrics::Gauge* state_bytes_ = nullptr;
  metrics::Gauge* buffered_ = nullptr;
  metrics::Gauge* ready_gauge_ = nullptr;
  std::chrono::steady_clock::time_point gauges_at_;
  std::set<std::pair<std::string, std::int32_t>> lag_series_;  // partitions meal_consumer_lag reports
};

}  // namespace meal::service
