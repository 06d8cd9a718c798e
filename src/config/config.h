// Service configuration: plain option structs, loaded from one TOML file plus
// `key=value` overrides from the command line. Every key and its default is
// listed in docs/configuration.md.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "common/status.h"

namespace meal::config {

struct KafkaConfig {
  std::string bootstrap_servers = "127.0.0.1:19092";
  std::string group_id = "meal-dispatch";
  std::string client_id = "meal-dispatchd";
  // Partitions of every area-scoped topic when the service creates them.
  int partitions = 4;
  int replication_factor = 1;
  // This instance's stable name within the group: its transactional.id is
  // "<group_id>.<instance_id>", so a restarted instance fences the outputs
  // of its predecessor. Empty: the host name (a StatefulSet pod's own).
  std::string instance_id;
  // How long the group waits for a silent (or stopped: static members do
  // not leave) instance before its tasks go to the others.
  int session_timeout_ms = 45000;
};

struct TopicsConfig {
  std::string orders = "meal.orders";
  std::string couriers = "meal.couriers";
  std::string deliveries = "meal.deliveries";
  std::string sites = "meal.sites";
  std::string elders = "meal.elders";
  std::string assignments = "meal.assignments";
  std::string alerts = "meal.alerts";
  std::string dlq = "meal.dlq";
  std::string commands = "meal.commands";
  std::string changelog = "meal.changelog";
};

struct StateConfig {
  std::string path = "./data/state";
  bool sync = false;
  int block_cache_mb = 64;
  // Free space the state's file system must keep: below it commits wait.
  int min_free_mb = 256;
};

struct HttpConfig {
  std::string address = "127.0.0.1";
  int port = 8080;  // 0 picks a free port (tests)
  int threads = 1;
  // Largest request body accepted; a larger one is answered 413 as soon as
  // its headers announce it. Operators' commands are a few hundred bytes.
  int max_body_kb = 1024;
  // Directory of the built web pages (the console and the dashboard; see
  // web/README.md), served at /, /console/, /dashboard/ and /assets/, read
  // once at start-up. Empty: no pages are served.
  std::string web_dir;
  // PEM files of the server's certificate (chain) and its unencrypted
  // private key. Both set: HTTPS and WSS only, on the same port (a plain
  // HTTP request gets a 400); both empty: plain HTTP. A missing or bad file
  // stops start-up naming the key. Default: empty (plain HTTP).
  std::string tls_cert;
  std::string tls_key;
  // WebSocket stream clients at once (GET /api/v1/stream); one more gets
  // 429. Default: 64.
  int max_ws_clients = 64;
  // Messages a stream client may have waiting to be sent; a client that
  // falls further behind is closed with code 1013 so the others (and the
  // engine) never wait for it. Default: 1024.
  int ws_queue_messages = 1024;
  // The base URL other instances reach this one's HTTP API at, e.g.
  // "http://meal-dispatchd-0.meal-dispatchd-headless:8080": they forward
  // queries about areas this instance owns to it (service/peers.h). It
  // travels in the group consumer's client.id. http:// only. Default: empty,
  // which means "http://<host name>:<http.port>".
  std::string advertised_url;
};

// One [[api.tokens]] entry: a bearer token the API accepts. Only the
// token's SHA-256 is configured, so the file (or a ConfigMap) holding it
// gives no one access.
struct TokenConfig {
  // Who the token belongs to (a desk, a person, a dashboard): the "who" of
  // the audit trail for every command sent with it. Unique.
  std::string name;
  // "viewer" (reads, personal data masked), "dispatcher" (also operators'
  // commands) or "admin" (also the audit trail and erasure).
  std::string role;
  // The token's SHA-256, 64 hex digits (lower case once loaded); e.g.
  // `printf %s "$TOKEN" | sha256sum`. Unique.
  std::string sha256;
};

// Who may call the API (every /api/v1 route needs a token) and how often.
struct ApiConfig {
  // Default: none, and then every /api/v1 route answers 401 (a warning at
  // start says so). Health, readiness, metrics, the API description and the
  // pages need no token.
  std::vector<TokenConfig> tokens;
  // Each token's sustained request rate; more is answered 429 with
  // Retry-After. A token bucket, so short bursts are fine.
  double requests_per_s = 50;
  // Requests a token may make at once after being idle (the bucket's size).
  int burst = 100;
};

struct DispatchConfig {
  int hot_meal_limit_min = 45;
  int chilled_meal_limit_min = 120;
  int pickup_service_s = 120;
  int delivery_service_s = 180;
  double circuity = 1.3;
  double walk_kmh = 4.3;
  double bike_kmh = 12.6;
  double ebike_kmh = 18.0;
  double car_kmh = 21.6;
  int retries_per_completion = 8;
  int reoptimize_interval_s = 120;
  int reoptimize_evaluations = 128;
  // "travel": least added travel; "couriers": keep idle couriers idle while
  // a busy one can take the order (fewest active couriers), then travel.
  std::string objective = "travel";
  // Waiting orders retried together are placed by regret over this many
  // couriers (1: cheapest first).
  int regret_k = 3;
  // Offset of local time from UTC: service dates (the ledger's days) are
  // local. China Standard Time by default.
  int utc_offset_min = 480;
  // An order for a home beyond its site's service radius: "alert" takes it
  // and raises OUTSIDE_RADIUS; "reject" refuses it (ORDER_REJECTED).
  std::string outside_radius = "alert";
  // When an elder's paired helper cannot take an order: "team" tries the
  // helper's team first, then anyone; "any" goes straight to anyone.
  std::string helper_fallback = "team";
  // The courier who last served an elder keeps them when that adds at most
  // this much travel over the best choice; 0 disables.
  int continuity_tolerance_s = 180;
  // Time at a hub household's door for each further elder's meal.
  int hub_handover_s = 60;
  // Standing orders are placed this long before their delivery window.
  int standing_lead_min = 180;
};

// The no-answer protocol: how long each step of a wellness check may take
// before it escalates to the next; the last repeats its alert each period.
struct WellnessConfig {
  int courier_retry_min = 10;
  int phone_call_min = 15;
  int emergency_contact_min = 30;
  int community_worker_min = 60;
};

// Each elder category's priority; an elder takes the highest of theirs (0
// with none). Under scarcity higher priorities are served first.
struct PriorityConfig {
  int minimum_allowance = 4;
  int extremely_poor = 5;
  int near_poverty = 3;
  int living_alone = 3;
  int empty_nest = 1;
  int left_behind = 1;
  int incapacitated = 4;
  int disabled = 3;
  int very_old = 2;
  int special_family_planning = 2;
  // Elders at or above this priority must be served: never dropped
  // silently, always assigned or raised as a critical alert.
  int must_serve_from = 3;
};

// One [[tariff]] entry: the price of a meal and who pays it, in fen (0.01
// yuan). The shares must add up to the price.
struct TariffConfig {
  std::string site = "*";      // a site id, or "*": any site
  std::string category = "*";  // an elder category (a [priority] key), or "*": any, none included
  std::int64_t price_fen = 0;
  std::int64_t individual_fen = 0;
  std::int64_t enterprise_fen = 0;
  std::int64_t government_fen = 0;
  std::int64_t village_fen = 0;  // village or neighbourhood collective
  std::int64_t charity_fen = 0;
};

// Illustrative defaults: a 15-yuan meal, paid in full by the state for the
// extremely poor, two thirds for the minimum allowance, a third for the very
// old. A deployment sets its own local policy.
std::vector<TariffConfig> DefaultTariffs();

// How long records about elders are kept.
struct RetentionConfig {
  // Finished orders, with their proof of delivery and trace entry, are
  // deleted this many days after they finished; 0 keeps them. The subsidy
  // ledger is kept.
  int order_days = 90;
  // The changelog topic's compaction, set when the service creates it (an
  // existing topic keeps its own). Together they bound how long the changelog
  // still holds what an erasure overwrote or deleted, while the area's
  // partition is written to: at most 2 x (segment + lag) + tombstone and the
  // broker's cleaner back-off, 3 days 2 hours by default. Shorter values
  // erase sooner and cost more compaction work.
  //
  // segment.ms: a segment rolls at the first write this long after its first
  // record; the active segment is never compacted. Default: 1 hour.
  int changelog_segment_ms = 3600000;
  // max.compaction.lag.ms: a record in a rolled segment is compacted at the
  // latest this long after it was written. Default: 1 day.
  int changelog_compaction_lag_ms = 86400000;
  // delete.retention.ms: a tombstone goes at the first compaction this long
  // after the one that reached it. A restore must read the changelog within
  // this, and an instance whose copy of a task is older than this may keep
  // keys deleted meanwhile. Default: 1 day.
  int changelog_tombstone_ms = 86400000;
};

struct PipelineConfig {
  // Records applied per state commit at most.
  int batch_max_records = 2000;
  // Longest wait for more records before committing a partial batch.
  int batch_max_wait_ms = 20;
  // Longest time committed outputs wait for their Kafka transaction.
  int commit_interval_ms = 100;
  // Records fetched but not yet applied above which the consumer pauses its
  // partitions; they resume below half of it.
  int max_buffered_records = 50000;
};

struct LogConfig {
  std::string level = "info";
};

struct Config {
  KafkaConfig kafka;
  TopicsConfig topics;
  StateConfig state;
  HttpConfig http;
  ApiConfig api;
  DispatchConfig dispatch;
  PriorityConfig priority;
  WellnessConfig wellness;
  RetentionConfig retention;
  // Most specific entry wins: site and category, then any site with the
  // category, then the site with any category, then any and any (which must
  // exist, so every delivery books exactly one entry).
  std::vector<TariffConfig> tariffs = DefaultTariffs();
  PipelineConfig pipeline;
  LogConfig log;
};

// Loads `path` (may be empty: defaults only), then applies `overrides`
// ("section.key=value", value in TOML syntax or a bare string). Any unknown
// key, wrong type or out-of-range value fails with a message naming the key.
Status LoadConfig(const std::string& path, const std::vector<std::string>& overrides, Config* out);

// Every key with its default, as "section.key = value" lines.
std::string DescribeDefaults();

}  // namespace meal::config
