#include "service/service.h"

#include <spdlog/spdlog.h>

#include <unistd.h>

#include <stdexcept>

#include "api/static_site.h"
#include "api/tls.h"
#include "codec/encode.h"
#include "common/crash_point.h"
#include "kafka/admin.h"
#include "service/access.h"
#include "service/http_routes.h"
#include "service/peers.h"
#include "state/keys.h"

namespace meal::service {
namespace {

using Clock = std::chrono::steady_clock;

double Seconds(Clock::duration d) { return std::chrono::duration<double>(d).count(); }

// Longest wait for a Kafka transaction call.
constexpr int kTxnTimeoutMs = 30000;

std::string HostName() {
  char name[256] = {};
  if (gethostname(name, sizeof name - 1) != 0) return "meal-dispatchd";
  return name;
}

// `routes` with `access` deciding who may call them and, unless null,
// `peers` answering what this instance cannot.
api::Router Guarded(const std::shared_ptr<AccessControl>& access, Peers* peers, api::Router routes) {
  api::Guard guard = AccessControl::AsGuard(access);
  routes.SetGuard(peers ? peers->Around(std::move(guard)) : std::move(guard));
  return routes;
}

// `routes` and, when there are pages, theirs.
api::Router WithPages(std::shared_ptr<const api::StaticSite> pages, api::Router routes) {
  if (pages) api::StaticSite::AddRoutes(std::move(pages), routes);
  return routes;
}

kafka::Properties ClientProps(const config::Config& c) {
  return {{"bootstrap.servers", c.kafka.bootstrap_servers}, {"client.id", c.kafka.client_id}};
}

// Where peers reach this instance's API; "" when they cannot (TLS: the
// peers' client speaks plain HTTP).
std::string AdvertisedUrl(const config::Config& c) {
  if (!c.http.tls_cert.empty()) return {};
  if (!c.http.advertised_url.empty()) return c.http.advertised_url;
  std::string url = "http://";
  url += HostName();
  url += ':';
  url += std::to_string(c.http.port);
  return url;
}

}  // namespace

dispatch::EngineOptions MakeEngineOptions(const config::Config& config) {
  const config::DispatchConfig& c = config.dispatch;
  const config::PriorityConfig& p = config.priority;
  const config::WellnessConfig& w = config.wellness;
  dispatch::EngineOptions o;
  o.hot_meal_limit_ms = c.hot_meal_limit_min * kMinuteMs;
  o.chilled_meal_limit_ms = c.chilled_meal_limit_min * kMinuteMs;
  o.pickup_service_ms = c.pickup_service_s * kSecondMs;
  o.delivery_service_ms = c.delivery_service_s * kSecondMs;
  o.retries_per_completion = static_cast<std::size_t>(c.retries_per_completion);
  o.reoptimize_interval_ms = c.reoptimize_interval_s * kSecondMs;
  o.reoptimize_evaluations = c.reoptimize_evaluations;
  o.insertion.minimise_couriers = c.objective == "couriers";
  o.regret_k = static_cast<std::size_t>(c.regret_k);
  o.travel.circuity = c.circuity;
  o.travel.speed_mps = {c.walk_kmh / 3.6, c.bike_kmh / 3.6, c.ebike_kmh / 3.6, c.car_kmh / 3.6};
  // In ElderCategoryBit order.
  o.category_priority = {p.minimum_allowance, p.extremely_poor, p.near_poverty, p.living_alone, p.empty_nest,
                         p.left_behind,       p.incapacitated,  p.disabled,     p.very_old,     p.special_family_planning};
  o.must_serve_priority = p.must_serve_from;
  o.utc_offset_ms = c.utc_offset_min * kMinuteMs;
  o.reject_outside_radius = c.outside_radius == "reject";
  o.helper_fallback_team = c.helper_fallback == "team";
  o.continuity_tolerance_ms = c.continuity_tolerance_s * kSecondMs;
  o.hub_handover_ms = c.hub_handover_s * kSecondMs;
  o.standing_lead_ms = c.standing_lead_min * kMinuteMs;
  o.wellness_schedule = {w.courier_retry_min * kMinuteMs, w.phone_call_min * kMinuteMs,
                         w.emergency_contact_min * kMinuteMs, w.community_worker_min * kMinuteMs};
  o.order_retention_ms = config.retention.order_days * 24 * kHourMs;
  o.tariffs.clear();
  for (const config::TariffConfig& t : config.tariffs) {
    o.tariffs.push_back({t.site == "*" ? std::string() : t.site, t.category == "*" ? -1 : ElderCategoryBitOf(t.category),
                         Payment{t.price_fen, t.individual_fen, t.enterprise_fen, t.government_fen, t.village_fen,
                                 t.charity_fen}});
  }
  return o;
}

Service::Service(config::Config config)
    : config_(std::move(config)), engine_options_(MakeEngineOptions(config_)) {
  area_topics_ = {{config_.topics.orders, codec::InputKind::kOrders},
                  {config_.topics.couriers, codec::InputKind::kCouriers},
                  {config_.topics.deliveries, codec::InputKind::kDeliveries},
                  {config_.topics.commands, codec::InputKind::kCommands}};
  for (const AreaTopic& t : area_topics_) {
    events_by_topic_.push_back(&metrics_.GetCounter("meal_events_total", "Input records read, per topic", {{"topic", t.name}}));
    dead_letters_by_topic_.push_back(&metrics_.GetCounter("meal_dead_letters_total", "Input records sent to the dead-letter topic, per input topic", {{"topic", t.name}}));
  }
  for (const std::string& t : {config_.topics.sites, config_.topics.elders}) {
    metrics_.GetCounter("meal_events_total", "Input records read, per topic", {{"topic", t}});
    metrics_.GetCounter("meal_dead_letters_total", "Input records sent to the dead-letter topic, per input topic", {{"topic", t}});
  }
  decode_errors_ = &metrics_.GetCounter("meal_decode_errors_total", "Records that could not be decoded or failed validation");
  rejected_ = &metrics_.GetCounter("meal_rejected_events_total", "Valid records the engine could not apply (unknown ids, wrong state)");
  duplicates_ = &metrics_.GetCounter("meal_duplicate_events_total", "Records ignored because their event id was already applied");
  assignments_ = &metrics_.GetCounter("meal_assignments_total", "Route plans published");
  alerts_ = &metrics_.GetCounter("meal_alerts_total", "Alerts published");
  deliveries_on_time_ = &metrics_.GetCounter("meal_deliveries_total", "Orders delivered, by whether within their window",
                                             {{"on_time", "true"}});
  deliveries_late_ = &metrics_.GetCounter("meal_deliveries_total", "Orders delivered, by whether within their window",
                                          {{"on_time", "false"}});
  for (std::size_t k = 0; k < kAlertKinds; ++k) {
    open_alerts_[k] = &metrics_.GetGauge("meal_alerts_open", "Stored alerts not yet acknowledged, by kind",
                                         {{"kind", std::string(AlertKindName(static_cast<AlertKind>(k)))}});
  }
  commits_ = &metrics_.GetCounter("meal_state_commits_total", "State commits (one RocksDB write batch each)");
  commit_failures_ = &metrics_.GetCounter("meal_state_commit_failures_total",
                                          "State commits the store refused (each retried every second until it succeeds)");
  decision_latency_ = &metrics_.GetHistogram("meal_decision_latency_seconds",
      "From reading an order-ready event to the state commit that holds its decision",
      metrics::ExponentialBounds(0.0005, 2, 16));
  commit_latency_ = &metrics_.GetHistogram("meal_state_commit_seconds", "Duration of one state commit",
      metrics::ExponentialBounds(0.0001, 2, 16));
  outbox_pending_ = &metrics_.GetGauge("meal_outbox_pending", "Outputs committed but not yet acknowledged by Kafka");
  stall_seconds_ = &metrics_.GetGauge("meal_rocksdb_stall_seconds", "Total time RocksDB stalled writes");
  state_bytes_ = &metrics_.GetGauge("meal_state_size_bytes", "Live RocksDB data on disk");
  buffered_ = &metrics_.GetGauge("meal_buffered_records", "Records fetched but not yet applied");
  ready_gauge_ = &metrics_.GetGauge("meal_ready", "1 when every owned partition has caught up");
}

Service::~Service() {
  // Closing the consumer revokes every task; whichever way Run ended, the
  // state stays.
  stopping_ = true;
  if (http_) http_->Stop();
}

std::uint16_t Service::http_port() const { return http_ ? http_->port() : 0; }

Status Service::Start() {
  // The web pages first: a missing build stops start-up with a clear message.
  std::shared_ptr<const api::StaticSite> pages;
  if (!config_.http.web_dir.empty()) {
    if (Status s = api::StaticSite::Load(config_.http.web_dir, &pages); !s.ok()) {
      return Status::Invalid("http.web_dir: " + s.message());
    }
    spdlog::info("serving the web pages in {} ({} assets)", config_.http.web_dir, pages->asset_count());
  }
  // TLS files before anything is opened: a bad one stops start-up naming it.
  std::shared_ptr<boost::asio::ssl::context> tls;
  if (!config_.http.tls_cert.empty()) {
    if (Status s = api::MakeTlsContext({config_.http.tls_cert, config_.http.tls_key, "config key 'http.tls_cert'",
                                        "config key 'http.tls_key'"},
                                       &tls);
        !s.ok()) {
      return s;
    }
  }
  state::RocksDbOptions store_options;
  store_options.sync = config_.state.sync;
  store_options.block_cache_bytes = static_cast<std::size_t>(config_.state.block_cache_mb) << 20;
  store_options.min_free_bytes = static_cast<std::uint64_t>(config_.state.min_free_mb) << 20;
  if (Status s = state::RocksDbStore::Open(config_.state.path, store_options, &store_); !s.ok()) {
    return Status::Io("state.path '" + config_.state.path + "': " + s.message());
  }
  engine_ = std::make_unique<dispatch::Engine>(engine_options_);
  if (Status s = engine_->Load(*store_); !s.ok()) return s;
  spdlog::info("state loaded from {}: {} orders", config_.state.path, engine_->order_count());
  SetOpenAlerts();

  const kafka::Properties props = ClientProps(config_);
  const int p = config_.kafka.partitions;
  const int rf = config_.kafka.replication_factor;
  const config::RetentionConfig& retention = config_.retention;
  std::vector<kafka::TopicSpec> topics = {
      {config_.topics.orders, p, rf, false},      {config_.topics.couriers, p, rf, false},
      {config_.topics.deliveries, p, rf, false},  {config_.topics.sites, 1, rf, true},
      {config_.topics.elders, 1, rf, true},       {config_.topics.assignments, p, rf, false},
      {config_.topics.alerts, p, rf, false},      {config_.topics.dlq, p, rf, false},
      {config_.topics.commands, p, rf, false},
      // Segments that roll, compaction and tombstone removal with deadlines
      // bound how long the changelog keeps what an erasure overwrote or
      // deleted (docs/operations.md, Data protection; deploy/topics.sh).
      {config_.topics.changelog, p, rf, true,
       {{"segment.ms", std::to_string(retention.changelog_segment_ms)},
        {"max.compaction.lag.ms", std::to_string(retention.changelog_compaction_lag_ms)},
        {"delete.retention.ms", std::to_string(retention.changelog_tombstone_ms)}}}};
  if (Status s = kafka::EnsureTopics(props, topics, 15000); !s.ok()) return s;

  try {
    // One transactional id per instance: a restarted instance fences its
    // predecessor, and init finishes whatever transaction it left open.
    if (Status s = InstanceId(&instance_); !s.ok()) return s;
    const std::string& instance = instance_;
    kafka::Properties producer_props = props;
    producer_props["transactional.id"] = config_.kafka.group_id + "." + instance;
    producer_ = std::make_unique<kafka::Producer>(
        producer_props, [this](std::uint64_t seq, rd_kafka_resp_err_t err) { outbox_->OnDelivery(seq, err); });
    if (kafka::TxnResult r = producer_->InitTransactions(kTxnTimeoutMs); !r.ok()) {
      return Status::Io("kafka transactions (transactional.id " + producer_props["transactional.id"] +
                        "): " + r.message);
    }
    // The producer learns an output topic's partitions now rather than with
    // its first record there, which would hold the first outputs for a
    // second or two.
    for (const std::string& topic :
         {config_.topics.assignments, config_.topics.alerts, config_.topics.dlq, config_.topics.changelog}) {
      int partitions = 0;
      if (Status s = kafka::PartitionCount(producer_->handle(), topic, kTxnTimeoutMs, &partitions); !s.ok()) return s;
    }
    const char* kTxnHelp = "Kafka transactions of outputs, by result";
    outbox_ = std::make_unique<Outbox>(
        producer_.get(),
        OutboxOptions{.marker_group = config_.kafka.group_id + ".outbox." + instance,
                      .marker_topic = config_.topics.assignments,
                      .writer = instance,
                      .commit_interval = std::chrono::milliseconds(config_.pipeline.commit_interval_ms),
                      .txn_timeout_ms = kTxnTimeoutMs,
                      .acknowledged = &metrics_.GetCounter("meal_outputs_acknowledged_total",
                                                           "Outputs in committed Kafka transactions"),
                      .committed_txns = &metrics_.GetCounter("meal_transactions_total", kTxnHelp, {{"result", "committed"}}),
                      .aborted_txns = &metrics_.GetCounter("meal_transactions_total", kTxnHelp, {{"result", "aborted"}})});
    if (Status s = outbox_->Recover(*store_, props); !s.ok()) return s;
    if (Status s = outbox_->Publish(/*force=*/true); !s.ok()) return s;
    changelog_ = std::make_unique<Changelog>(
        ChangelogOptions{.topic = config_.topics.changelog, .instance = instance, .props = props,
                         .timeout_ms = kTxnTimeoutMs},
        *store_);
    LoadAreaTasks();
    commands_ = std::make_unique<CommandPublisher>(props, config_.topics.commands);

    BootstrapRegistry();

    kafka::Properties consumer_props = props;
    consumer_props["group.id"] = config_.kafka.group_id;
    // Static membership: a restarted instance takes its partitions back at
    // once instead of waiting out its predecessor's session.
    consumer_props["group.instance.id"] = instance;
    consumer_props["session.timeout.ms"] = std::to_string(config_.kafka.session_timeout_ms);
    // The group's description is how peers learn where this instance's API
    // is (Peers): it names each member's client.id.
    const std::string url = AdvertisedUrl(config_);
    if (!url.empty()) consumer_props["client.id"] = ClientIdWithUrl(config_.kafka.client_id, url);
    std::vector<std::string> names;
    for (const AreaTopic& t : area_topics_) names.push_back(t.name);
    consumer_ = std::make_unique<ingest::GroupConsumer>(
        consumer_props, names, *store_, merger_,
        [this](const std::vector<std::int32_t>& tasks) { OnTasksAssigned(tasks); },
        [this](const std::vector<std::int32_t>& tasks) { OnTasksRevoked(tasks); },
        static_cast<std::size_t>(config_.pipeline.max_buffered_records),
        static_cast<std::size_t>(config_.pipeline.batch_max_records),
        ingest::Backpressure::Metrics{
            &metrics_.GetGauge("meal_consumer_paused", "1 while the consumer pauses its partitions"),
            &metrics_.GetCounter("meal_consumer_pauses_total", "Times the consumer paused its partitions"),
            &metrics_.GetGauge("meal_buffered_records_peak", "Highest count of records fetched but not yet applied")});
    consumer_->Subscribe();
  } catch (const std::exception& e) {
    return Status::Io(e.what());
  }

  api::HttpServer::Options http_options;
  http_options.address = config_.http.address;
  http_options.port = static_cast<std::uint16_t>(config_.http.port);
  http_options.threads = config_.http.threads;
  http_options.metrics = &metrics_;
  http_options.tls = tls;
  stream_hub_ = std::make_unique<api::StreamHub>(
      api::StreamHub::Options{.max_clients = static_cast<std::size_t>(config_.http.max_ws_clients),
                              .queue_messages = static_cast<std::size_t>(config_.http.ws_queue_messages),
                              .metrics = &metrics_});
  feed_ = std::make_unique<LiveFeed>(*store_, *stream_hub_,
                                     LiveFeed::Options{.engine_options = engine_options_, .metrics = &metrics_});
  http_options.max_body_bytes = static_cast<std::size_t>(config_.http.max_body_kb) << 10;
  if (Status s = StartPeers(props); !s.ok()) return s;
  const auto access = std::make_shared<AccessControl>(config_.api);
  if (!access->has_tokens()) {
    spdlog::warn("no api.tokens configured: every /api/v1 route answers 401 (see docs/configuration.md)");
  }
  http_ = std::make_unique<api::HttpServer>(
      http_options, Guarded(access, peers_.get(), WithPages(pages, MakeRoutes({&metrics_, store_.get(), &ready_, engine_options_,
                                [this](const Event& command) {
                                  // The registry's tombstone first: should the command then fail,
                                  // the elder is still in state and the request can be repeated.
                                  if (const auto* erase = std::get_if<EraseElder>(&command.body)) {
                                    Status s = commands_->PublishTombstone(config_.topics.elders, erase->elder_id);
                                    if (!s.ok()) return s;
                                  }
                                  return commands_->Publish(command);
                                }, stream_hub_.get()}))));
  if (Status s = http_->Start(); !s.ok()) {
    return Status::Io("http " + config_.http.address + ":" + std::to_string(config_.http.port) + ": " + s.message());
  }
  spdlog::info("http{} listening on {}:{}", tls ? "s" : "", config_.http.address, http_->port());
  return Status::Ok();
}

Status Service::StartPeers(const kafka::Properties& props) {
  if (AdvertisedUrl(config_).empty()) {
    spdlog::warn("http.tls_cert is set: API requests about other instances' areas are not forwarded");
    return Status::Ok();
  }
  if (Status s = kafka::OpenAdminClient(props, &group_admin_); !s.ok()) return s;
  constexpr int kDescribeTimeoutMs = 2000;
  peers_ = std::make_unique<Peers>(Peers::Options{.self = instance_, .metrics = &metrics_}, *store_,
                                   [this](std::vector<kafka::GroupMember>* members) {
                                     return kafka::DescribeGroup(group_admin_.get(), config_.kafka.group_id,
                                                                 config_.topics.orders, kDescribeTimeoutMs, members);
                                   });
  spdlog::info("api: forwarding to peers; this instance advertises {}", AdvertisedUrl(config_));
  return Status::Ok();
}

Status Service::InstanceId(std::string* instance) {
  // The outbox's mark is kept under the instance id, so the id belongs with
  // the state: a container that comes back with a new host name but the
  // same state volume must keep publishing under the old one.
  std::string stored;
  const bool has_stored = store_->Get(state::kInstanceKey, &stored).ok();
  *instance = !config_.kafka.instance_id.empty() ? config_.kafka.instance_id : has_stored ? stored : HostName();
  if (has_stored && stored == *instance) return Status::Ok();
  if (has_stored) {
    spdlog::warn("kafka.instance_id is now {} (the state was published as {}): outputs it still holds are "
                 "published again, and readers may see some of them twice",
                 *instance, stored);
  }
  state::WriteSet changes;
  changes.Put(std::string(state::kInstanceKey), *instance);
  return store_->Commit(changes);
}

void Service::BootstrapRegistry() {
  std::map<kafka::TopicPartition, std::int64_t> start;
  for (const std::string& topic : {config_.topics.sites, config_.topics.elders}) {
    for (std::int32_t partition = 0; partition < 1024; ++partition) {
      std::string stored;
      if (!store_->Get(state::OffsetKey(topic, partition), &stored).ok()) {
        if (partition > 0) break;
        continue;
      }
      std::int64_t next = 0;
      if (state::DecodeOffset(stored, &next)) start[{topic, partition}] = next;
    }
  }
  kafka::Properties props = ClientProps(config_);
  registry_ = std::make_unique<kafka::Reader>(
      props, std::vector<std::string>{config_.topics.sites, config_.topics.elders}, start);
  // The registry is read to its end before any area event, so every order
  // sees the sites and elders that existed when the service started.
  const auto deadline = Clock::now() + std::chrono::seconds(60);
  while (!registry_->AtEnd() && Clock::now() < deadline) PollRegistry(100);
  if (!registry_->AtEnd()) spdlog::warn("registry not read to its end within 60 s; continuing");
  if (Status s = Commit(); !s.ok()) spdlog::error("registry commit: {}", s.ToString());
  spdlog::info("registry loaded");
}

void Service::PollRegistry(int timeout_ms) {
  std::vector<kafka::Record> records;
  registry_->Poll(&records, 5000, timeout_ms);
  for (const kafka::Record& r : records) {
    const codec::InputKind kind =
        r.topic == config_.topics.sites ? codec::InputKind::kSites : codec::InputKind::kElders;
    metrics_.GetCounter("meal_events_total", "", {{"topic", r.topic}}).Inc();
    ApplyEvent(r.topic, r.partition, r.offset, r.key, r.value, r.timestamp_ms, kind);
    registry_offsets_[{r.topic, r.partition}] = r.offset + 1;
    dirty_ = true;
  }
}

void Service::ProcessRecord(int topic_index, const rd_kafka_message_t& msg) {
  const AreaTopic& topic = area_topics_[topic_index];
  events_by_topic_[topic_index]->Inc();
  const std::string_view key(static_cast<const char*>(msg.key), msg.key ? msg.key_len : 0);
  const std::string_view value(static_cast<const char*>(msg.payload), msg.payload ? msg.len : 0);
  ApplyEvent(topic.name, msg.partition, msg.offset, key, value,
             rd_kafka_message_timestamp(&msg, nullptr), topic.kind);
  consumer_->Applied(topic_index, msg.partition, msg.offset);
  dirty_ = true;
}

void Service::ApplyEvent(const std::string& topic, std::int32_t partition, std::int64_t offset,
                         std::string_view key, std::string_view value, std::int64_t timestamp_ms,
                         codec::InputKind kind) {
  if (kind == codec::InputKind::kElders && value.empty() && !key.empty()) {
    engine_->ForgetElder(std::string(key));  // a tombstone: the elder was erased
    return;
  }
  Event event;
  if (Status s = codec::DecodeEvent(kind, value, &event); !s.ok()) {
    decode_errors_->Inc();
    DeadLetter(topic, partition, offset, key, value, timestamp_ms, s.message());
    return;
  }
  const bool registry = kind == codec::InputKind::kSites || kind == codec::InputKind::kElders;
  if (!registry && key != event.area_id) {
    // The key decides the partition, and the partition decides who owns the
    // area: a mismatch would put this event beside the wrong area's state.
    DeadLetter(topic, partition, offset, key, value, timestamp_ms, "record key does not match area_id");
    return;
  }
  if (!registry) {
    // What the event changes goes to this partition's changelog.
    auto [it, added] = area_tasks_.try_emplace(event.area_id, partition);
    if (added || it->second != partition) {
      it->second = partition;
      new_area_tasks_.push_back(event.area_id);
    }
  }
  const std::size_t before = outputs_.size();
  const dispatch::ApplyResult result = engine_->Apply(event, &outputs_);
  switch (result.outcome) {
    case dispatch::ApplyOutcome::kApplied: break;
    case dispatch::ApplyOutcome::kDuplicate: duplicates_->Inc(); return;
    case dispatch::ApplyOutcome::kRejected:
      rejected_->Inc();
      DeadLetter(topic, partition, offset, key, value, timestamp_ms, result.reason);
      return;
  }
  if (std::holds_alternative<OrderReady>(event.body)) decisions_.push_back(batch_read_at_);
  if (const auto* delivered = std::get_if<Delivered>(&event.body)) {
    const Order* order = engine_->FindOrder(delivered->order_id);
    (order && order->done_ms <= order->window_end_ms ? deliveries_on_time_ : deliveries_late_)->Inc();
  }
  EnqueueOutputs(std::span(outputs_).subspan(before));
  outputs_.resize(before);
}

void Service::EnqueueOutputs(std::span<const dispatch::Output> outputs) {
  for (const dispatch::Output& output : outputs) {
    if (const Assignment* a = std::get_if<Assignment>(&output)) {
      assignments_->Inc();
      outbox_->Add({config_.topics.assignments, a->area_id, codec::EncodeAssignment(*a), a->time_ms,
                    TaskOf(a->area_id)});
    } else {
      const Alert& alert = std::get<Alert>(output);
      alerts_->Inc();
      outbox_->Add({config_.topics.alerts, alert.area_id, codec::EncodeAlert(alert), alert.time_ms,
                    TaskOf(alert.area_id)});
    }
  }
}

void Service::DeadLetter(const std::string& topic, std::int32_t partition, std::int64_t offset,
                         std::string_view key, std::string_view value, std::int64_t timestamp_ms,
                         std::string_view reason) {
  for (std::size_t i = 0; i < area_topics_.size(); ++i) {
    if (area_topics_[i].name == topic) dead_letters_by_topic_[i]->Inc();
  }
  if (topic == config_.topics.sites || topic == config_.topics.elders) {
    metrics_.GetCounter("meal_dead_letters_total", "", {{"topic", topic}}).Inc();
  }
  // The reason names a field, never its value: no elder data reaches the log.
  spdlog::debug("dead letter {}[{}]@{}: {}", topic, partition, offset, reason);
  codec::DeadLetterInfo info{topic, partition, offset, key, value, reason, timestamp_ms};
  const bool registry = topic == config_.topics.sites || topic == config_.topics.elders;
  outbox_->Add({config_.topics.dlq, std::string(key), codec::EncodeDeadLetter(info), timestamp_ms,
                registry ? -1 : partition});
}

std::int32_t Service::TaskOf(const std::string& area_id) const {
  const auto it = area_tasks_.find(area_id);
  return it == area_tasks_.end() ? -1 : it->second;
}

void Service::LogChange(std::int32_t task, const state::WriteSet::Op& op) {
  // Timestamp 0: the broker's time; the changelog is compacted, not kept by age.
  outbox_->Add({config_.topics.changelog, op.key, op.value, 0, task, task, op.is_delete});
}

Status Service::Commit() {
  // After a failed commit the same changes are tried again, whole: the
  // engine has moved on to them already.
  if (!commit_failed_) {
    if (!dirty_ && !outbox_->HasDeletions()) return Status::Ok();
    commit_changes_ = state::WriteSet();
    engine_->CollectChanges(&commit_changes_);
    for (const std::string& area : new_area_tasks_) {
      const std::int32_t task = area_tasks_.at(area);
      commit_changes_.Put(state::AreaTaskKey(area), state::EncodeOffset(task), area);
    }
    new_area_tasks_.clear();
    for (const state::WriteSet::Op& op : commit_changes_.ops()) {
      if (op.area.empty()) continue;
      if (const std::int32_t task = TaskOf(op.area); task >= 0) {
        LogChange(task, op);
      } else if (unattributed_areas_.insert(op.area).second) {
        spdlog::warn("area {} has changes but no task (none of its events was read): they stay local", op.area);
      }
    }
    if (consumer_) {
      // The input offsets are the task's too: its next owner resumes there.
      for (auto& [key, next] : consumer_->OffsetRecords()) {
        auto [written, added] = written_offsets_.try_emplace(key, next);
        if (!added && written->second == next) continue;
        written->second = next;
        std::string topic;
        std::int32_t partition = 0;
        commit_changes_.Put(key, state::EncodeOffset(next));
        if (state::DecodeOffsetKey(key, &topic, &partition)) LogChange(partition, commit_changes_.ops().back());
      }
    }
    for (const auto& [tp, next] : registry_offsets_) {
      commit_changes_.Put(state::OffsetKey(tp.first, tp.second), state::EncodeOffset(next));
    }
    outbox_->Stage(&commit_changes_);
  }
  const auto started = Clock::now();
  Status s = store_->Commit(commit_changes_);
  commit_failed_ = !s.ok();
  if (!s.ok()) return s;
  CrashPoint("after_state_commit");
  const auto done = Clock::now();
  commits_->Inc();
  commit_latency_->Observe(Seconds(done - started));
  for (const auto& read_at : decisions_) decision_latency_->Observe(Seconds(done - read_at));
  decisions_.clear();
  if (feed_) feed_->Committed(std::move(commit_changes_));  // for the live stream: committed now
  dirty_ = false;
  return outbox_->Publish();
}

Status Service::CommitOrWait(const std::atomic<bool>& stop) {
  Status s = Commit();
  if (s.ok() || !commit_failed_) return s;
  // The state store refuses writes (most often a full disk). Input stays
  // unapplied and unacknowledged, so nothing is lost; the commit is tried
  // again each second until it succeeds or the service is stopped.
  spdlog::error("state commit failed: {}; retrying every 1 s", s.ToString());
  ready_ = false;
  ready_gauge_->Set(0);
  commit_failures_->Inc();
  int attempts = 1;
  auto next_try = Clock::now() + std::chrono::seconds(1);
  while (!stop.load(std::memory_order_relaxed)) {
    // Keeps the group membership alive; fetched records wait in the merger,
    // and the consumer pauses its partitions when that is full.
    const auto wait = std::chrono::duration_cast<std::chrono::milliseconds>(next_try - Clock::now());
    consumer_->Poll(static_cast<int>(std::max<std::int64_t>(0, wait.count())),
                    static_cast<std::size_t>(config_.pipeline.batch_max_records));
    producer_->Poll(0);
    if (Clock::now() < next_try) continue;
    next_try = Clock::now() + std::chrono::seconds(1);
    ++attempts;
    s = Commit();
    if (s.ok()) {
      spdlog::info("state commit succeeded again after {} attempts", attempts);
      return s;
    }
    if (!commit_failed_) return s;  // the commit went through, publishing failed
  }
  return Status::Io("stopped while the state store refused writes: " + s.ToString());
}

Status Service::CommitAndPublish() {
  if (Status s = Commit(); !s.ok()) return s;
  // A refused or timed-out commit leaves the outputs pending: tried again,
  // a bounded number of times (each call may wait the transaction timeout).
  for (int attempt = 0; attempt < 5 && outbox_->pending() > 0; ++attempt) {
    if (Status s = outbox_->Publish(/*force=*/true); !s.ok()) return s;
  }
  if (outbox_->pending() > 0) return Status::Io("the outputs' Kafka transaction did not commit");
  return Commit();  // deletes what the transaction published
}

void Service::OnTasksAssigned(const std::vector<std::int32_t>& tasks) {
  if (!hook_error_.ok()) return;
  Status s = Commit();
  bool reload = false;
  const std::set<std::int32_t> gained(tasks.begin(), tasks.end());
  if (s.ok() && !assigned_once_) {
    // What the store still holds of tasks given to others while this
    // instance was away is theirs now.
    std::set<std::int32_t> local;
    for (std::int32_t task : LocalTasks()) local.insert(task);
    for (std::int32_t task : outbox_->HeldTasks()) local.insert(task);
    for (std::int32_t task : local) {
      if (gained.contains(task) || !s.ok()) continue;
      s = ReleaseTask(task);
      reload = true;
    }
  }
  for (std::int32_t task : tasks) {
    if (!s.ok()) break;
    bool restored = false;
    s = TakeTask(task, &restored);
    reload = reload || restored;
  }
  if (s.ok() && reload) s = ReloadEngine();
  if (s.ok() && !assigned_once_) {
    // Open wellness checks are announced again: whoever watched the alerts
    // before the restart may not be watching now.
    std::vector<dispatch::Output> reannounced;
    engine_->Reannounce([&](const std::string& area) { return gained.contains(TaskOf(area)); }, &reannounced);
    if (!reannounced.empty()) {
      spdlog::info("re-announcing {} open wellness checks", reannounced.size());
      EnqueueOutputs(reannounced);
    }
  }
  assigned_once_ = true;
  dirty_ = true;
  if (s.ok()) s = Commit();
  if (!s.ok()) {
    spdlog::error("taking tasks over: {}", s.ToString());
    hook_error_ = s;
  }
}

Status Service::TakeTask(std::int32_t task, bool* restored) {
  std::string offset;
  const bool local = store_->Get(state::OffsetKey(config_.topics.orders, task), &offset).ok();
  std::optional<std::string> writer;
  if (Status s = changelog_->LastWriter(task, &writer); !s.ok()) return s;
  std::vector<codec::OutboxEntry> held = outbox_->TakeHeld(task);
  // The local copy is current when nobody wrote the changelog after this
  // instance did; its held outputs are then published at last.
  *restored = !local || (writer && *writer != instance_);
  if (!*restored) {
    for (codec::OutboxEntry& entry : held) outbox_->Add(std::move(entry));
    if (!held.empty()) spdlog::info("task {}: publishing {} outputs held since the restart", task, held.size());
    return Status::Ok();
  }
  // The changes held back never reached the changelog: the keys they wrote
  // are stale, and their outputs are the next owner's to make (it made them).
  std::vector<std::string> stale;
  for (const codec::OutboxEntry& entry : held) {
    if (entry.topic == config_.topics.changelog) stale.push_back(entry.key);
  }
  const auto started = Clock::now();
  std::size_t records = 0;
  if (Status s = changelog_->Restore(task, stale, &records); !s.ok()) return s;
  spdlog::info("task {}: restored {} changelog records in {:.2f} s ({}; last written by {}); {} held outputs dropped",
               task, records, Seconds(Clock::now() - started), local ? "the local copy was behind" : "no local copy",
               writer.value_or("nobody"), held.size());
  return Status::Ok();
}

void Service::OnTasksRevoked(const std::vector<std::int32_t>& tasks) {
  if (!hook_error_.ok()) return;
  // What was applied from them is committed and in the changelog before
  // they go: their next owner restores from it.
  Status s = CommitAndPublish();
  // A stopping instance keeps its copy: it is current when the instance
  // comes back to the same tasks, and released then if they went elsewhere.
  if (stopping_) return;
  for (std::int32_t task : tasks) {
    if (s.ok()) s = ReleaseTask(task);
  }
  if (s.ok()) s = ReloadEngine();
  if (!s.ok()) {
    spdlog::error("handing tasks over: {}", s.ToString());
    hook_error_ = s;
  }
}

Status Service::ReleaseTask(std::int32_t task) {
  std::vector<std::string> extra;
  for (const codec::OutboxEntry& entry : outbox_->TakeHeld(task)) {
    if (entry.topic == config_.topics.changelog) extra.push_back(entry.key);
  }
  for (const std::string& topic : {config_.topics.orders, config_.topics.couriers, config_.topics.deliveries,
                                   config_.topics.commands}) {
    extra.push_back(state::OffsetKey(topic, task));
  }
  std::size_t keys = 0;
  if (Status s = changelog_->Release(task, extra, &keys); !s.ok()) return s;
  dirty_ = true;  // the held outputs' deletion
  spdlog::info("task {}: released, {} keys deleted", task, keys);
  return Status::Ok();
}

std::vector<std::int32_t> Service::LocalTasks() const {
  std::vector<std::int32_t> tasks;
  const std::string prefix = state::OffsetKey(config_.topics.orders, 0).substr(0, state::kOffsetPrefix.size() +
                                                                                 config_.topics.orders.size() + 1);
  store_->Scan(prefix, [&](std::string_view key, std::string_view) {
    std::string topic;
    std::int32_t partition = 0;
    if (state::DecodeOffsetKey(key, &topic, &partition) && topic == config_.topics.orders) tasks.push_back(partition);
    return true;
  }).IgnoreError();
  return tasks;
}

Status Service::ReloadEngine() {
  auto engine = std::make_unique<dispatch::Engine>(engine_options_);
  if (Status s = engine->Load(*store_); !s.ok()) return s;
  engine_ = std::move(engine);
  LoadAreaTasks();
  written_offsets_.clear();
  SetOpenAlerts();
  spdlog::info("state reloaded: {} orders", engine_->order_count());
  return Status::Ok();
}

void Service::LoadAreaTasks() {
  area_tasks_.clear();
  new_area_tasks_.clear();
  store_->Scan(state::kAreaTaskPrefix, [&](std::string_view key, std::string_view value) {
    std::int64_t task = 0;
    if (state::DecodeOffset(value, &task)) {
      area_tasks_[std::string(key.substr(state::kAreaTaskPrefix.size()))] = static_cast<std::int32_t>(task);
    }
    return true;
  }).IgnoreError();
}

void Service::UpdateGauges() {
  const auto now = Clock::now();
  if (now - gauges_at_ < std::chrono::milliseconds(100)) return;
  gauges_at_ = now;
  std::set<std::pair<std::string, std::int32_t>> owned;
  for (const ingest::PartitionLag& lag : consumer_->Lags()) {
    metrics_.GetGauge("meal_consumer_lag", "Records behind the partition's end",
                      {{"topic", lag.topic}, {"partition", std::to_string(lag.partition)}})
        .Set(lag.high_watermark < 0 ? -1.0  // not known yet
                                    : static_cast<double>(std::max<std::int64_t>(0, lag.high_watermark - lag.position)));
    owned.emplace(lag.topic, lag.partition);
  }
  // A partition handed to another instance is that instance's to report.
  for (const auto& [topic, partition] : lag_series_) {
    if (!owned.contains({topic, partition})) {
      metrics_.RemoveGauge("meal_consumer_lag", {{"topic", topic}, {"partition", std::to_string(partition)}});
    }
  }
  lag_series_ = std::move(owned);
  const state::StoreStats stats = store_->Stats();
  stall_seconds_->Set(static_cast<double>(stats.stall_micros) / 1e6);
  state_bytes_->Set(static_cast<double>(stats.size_bytes));
  outbox_pending_->Set(static_cast<double>(outbox_->pending()));
  buffered_->Set(static_cast<double>(merger_.buffered()));
  SetOpenAlerts();
}

void Service::SetOpenAlerts() {
  const auto& open = engine_->open_alerts_by_kind();
  for (std::size_t k = 0; k < kAlertKinds; ++k) open_alerts_[k]->Set(static_cast<double>(open[k]));
}

Status Service::Run(const std::atomic<bool>& stop) {
  const auto max_records = static_cast<std::size_t>(config_.pipeline.batch_max_records);
  std::size_t processed = 0;
  while (!stop.load(std::memory_order_relaxed)) {
    // No wait while records are being released; buffered records the merger
    // holds back (it waits for another partition of their task) are no
    // reason to spin.
    const int wait_ms = processed > 0 && merger_.buffered() > 0 ? 0 : config_.pipeline.batch_max_wait_ms;
    consumer_->Poll(wait_ms, max_records);
    if (!hook_error_.ok()) {
      spdlog::error("stopping: {}", hook_error_.ToString());
      return hook_error_;
    }
    batch_read_at_ = Clock::now();
    PollRegistry(0);
    processed = 0;
    int topic_index = 0;
    while (processed < max_records) {
      std::optional<ingest::MessagePtr> msg = merger_.Pop(&topic_index);
      if (!msg) break;
      ProcessRecord(topic_index, **msg);
      ++processed;
    }
    if (Status s = CommitOrWait(stop); !s.ok()) {
      spdlog::error("stopping: {}", s.ToString());
      return s;
    }
    if (processed > 0) consumer_->CommitToKafkaAsync();
    producer_->Poll(0);
    // Commits the open transaction once its interval has passed.
    if (Status s = outbox_->Publish(); !s.ok()) {
      spdlog::error("stopping: {}", s.ToString());
      return s;
    }
    // Not ready again while a partition gained in a rebalance catches up.
    if (const bool caught_up = consumer_->assigned_count() > 0 && merger_.AllCaughtUp(); caught_up != ready_) {
      ready_ = caught_up;
      ready_gauge_->Set(caught_up ? 1 : 0);
      if (caught_up) {
        spdlog::info("ready: every owned partition has caught up");
      } else {
        spdlog::info("not ready: catching up on {} owned partitions", consumer_->assigned_count());
      }
    }
    UpdateGauges();
  }
  spdlog::info("stopping: committing the state and the last outputs' transaction");
  stopping_ = true;
  Status s = Commit();
  if (s.ok()) s = outbox_->Publish(/*force=*/true);
  if (s.ok()) s = Commit();  // deletes what the transaction published
  return s;
}

}  // namespace meal::service
