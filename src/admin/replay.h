// `meal-admin replay`: what-if and accountability review for dispatch rules.
//
// Replays a time range of the recorded input through the dispatch engine
// with another configuration, publishes what it decides to new topics, and
// compares that with what the service published for the same range. The
// replay is a pure function of the input and the configuration: the same
// merge order as the service (ingest::TaskMerger), the same engine and
// options (service::MakeEngineOptions), an in-memory store.
//
// The pure parts (cutting each area's input at the range, decoding outputs,
// the diff, the report) are separate functions, testable without Kafka.
#pragma once

#include <cstddef>
#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <string_view>
#include <vector>

#include "common/status.h"
#include "common/units.h"
#include "config/config.h"

namespace meal::admin {

// ---- the range ----

// Where an area's next input record falls in a replay of [from_ms, to_ms).
enum class ReplayPhase {
  kWarmUp,   // before the range: applied, outputs dropped
  kReplay,   // in the range: applied, outputs published and compared
  kAfter,    // past the range: not applied
};

// Cuts each area's records, taken in the service's merge order, where their
// record timestamps (the event times the producers set) first reach from_ms
// and then to_ms. A phase never goes back, so a late record after the cut
// is treated like its neighbours and what is applied is always a prefix of
// what the service applied: a state the service itself went through.
// REQUIRES: from_ms <= to_ms.
class RangeCut {
 public:
  RangeCut(EventTimeMs from_ms, EventTimeMs to_ms) : from_ms_(from_ms), to_ms_(to_ms) {}

  // The phase of `area`'s next record, stamped `time_ms`.
  ReplayPhase Next(std::string_view area, EventTimeMs time_ms);

 private:
  EventTimeMs from_ms_;
  EventTimeMs to_ms_;
  std::map<std::string, ReplayPhase, std::less<>> phase_;
};

// ---- outputs, as the diff sees them ----

// One meal.assignments record: a courier's whole remaining plan.
struct PlanRecord {
  std::string area_id;
  EventTimeMs time_ms = 0;
  std::string courier_id;
  std::uint64_t plan_version = 0;
  std::vector<std::string> order_ids;  // each order on the plan once
};

// One meal.alerts record.
struct AlertRecord {
  std::string area_id;
  EventTimeMs time_ms = 0;
  std::string alert_id;
  std::string kind;  // the wire enum's name, e.g. "UNASSIGNABLE"
  std::string order_id;
};

// Returns true iff `bytes` parse as an Assignment (an Alert) and fills `out`.
bool DecodePlan(std::string_view bytes, PlanRecord* out);
bool DecodeAlert(std::string_view bytes, AlertRecord* out);

// Outputs in log order. Only the order within one area matters: an area's
// outputs share one partition.
struct OutputLog {
  std::vector<PlanRecord> plans;
  std::vector<AlertRecord> alerts;
};

// ---- the diff ----

// What the diff compares, of `area` (empty: every area): the orders on a
// plan stamped in [from_ms, to_ms) on either side, each with the courier of
// its last plan stamped before to_ms (so an order planned before the range
// and planned again in it keeps its earlier courier when that is unchanged);
// the alerts stamped in [from_ms, to_ms).
struct DiffScope {
  EventTimeMs from_ms = 0;
  EventTimeMs to_ms = 0;
  std::string area;
};

// One side's totals within the scope.
struct OutputTotals {
  std::size_t plans = 0;           // distinct (courier, plan version) stamped in the range
  std::size_t alerts = 0;          // distinct alert ids
  std::size_t orders_planned = 0;  // orders on a plan stamped in the range
  std::size_t couriers_used = 0;   // couriers holding the last plan of one of those orders
  std::map<std::string, std::size_t> alerts_by_kind;
};

// An order whose last plan went to different couriers; an empty courier:
// on no plan of that side.
struct CourierChange {
  std::string order_id;
  std::string area_id;
  std::string original;
  std::string replayed;

  bool operator==(const CourierChange&) const = default;
};

struct OutputDiff {
  OutputTotals original;
  OutputTotals replayed;
  std::vector<CourierChange> courier_changes;  // by order id
  std::vector<AlertRecord> alerts_only_original;  // by alert id
  std::vector<AlertRecord> alerts_only_replayed;  // by alert id

  // True iff neither couriers nor alerts differ.
  bool same() const {
    return courier_changes.empty() && alerts_only_original.empty() && alerts_only_replayed.empty();
  }
};

// Compares two output logs within `scope`: per order the courier of the
// last plan listing it (later in the log wins), alerts by id. Records
// repeated in a log (a re-delivered outbox, a re-announced wellness check)
// count once. `replayed` includes the plans made before the range.
OutputDiff DiffOutputs(const OutputLog& original, const OutputLog& replayed, const DiffScope& scope);

// ---- the replay ----

struct ReplayOptions {
  // The configuration to replay with: kafka.bootstrap_servers, [topics]
  // (the input to read, and the original outputs to compare with) and the
  // dispatch rules. kafka.partitions and replication_factor size the output
  // topics when they are created.
  config::Config config;
  // The range replayed, in event time. REQUIRES: from_ms < to_ms.
  EventTimeMs from_ms = 0;
  EventTimeMs to_ms = 0;
  // Replayed outputs go to <prefix>assignments and <prefix>alerts. REQUIRES:
  // not empty, and naming neither original output topic.
  std::string output_prefix;
  // Replay only this area; empty: every area.
  std::string area;
  // Longest wait for one set of topics to be read to its end. Default: 10 min.
  int read_timeout_ms = 600'000;
};

struct ReplayReport {
  std::string assignments_topic;  // where the replayed outputs went
  std::string alerts_topic;
  std::size_t registry_records = 0;  // sites and elders applied
  std::size_t warm_up_events = 0;    // applied before the range
  std::size_t replayed_events = 0;   // applied in the range
  std::size_t skipped_records = 0;   // undecodable, rejected or duplicate: the service dead-letters or ignores them
  std::size_t after_range = 0;       // not applied
  std::size_t published = 0;         // outputs produced to the replay topics
  OutputDiff diff;
};

// Reads the registry topics to their end and the area input topics from
// the beginning, applies each area's records up to the range's end in the
// service's order, publishes the outputs of the records in the range, then
// reads the original outputs and fills `report` with the counts and the
// diff. Returns an error when an option is invalid or Kafka fails; what the
// replay decides never makes it fail.
Status Replay(const ReplayOptions& options, ReplayReport* report);

// `meal-admin replay`: loads the configuration (config_path, may be empty
// for the defaults, then `overrides`) into options.config, replays, prints
// the summary to `out` and, unless json_path is empty, writes ReportJson
// there. Returns kExitOk when the replay ran, whether or not the outputs
// differ; kExitUsage for a bad configuration or option; kExitFailed when
// Kafka or the file fails (commands.h). Never throws.
int RunReplay(const std::string& config_path, const std::vector<std::string>& overrides, ReplayOptions options,
              const std::string& json_path, std::ostream& out, std::ostream& err);

// A readable summary for a terminal.
std::string FormatReport(const ReplayOptions& options, const ReplayReport& report);
// The same as a JSON document (for --json FILE).
std::string ReportJson(const ReplayOptions& options, const ReplayReport& report);

}  // namespace meal::admin
