#include "admin/replay.h"

#include <algorithm>
#include <fstream>
#include <iomanip>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>
#include <stdexcept>
#include <utility>

#include "admin/commands.h"
#include "codec/decode.h"
#include "codec/encode.h"
#include "common/dates.h"
#include "dispatch/engine.h"
#include "ingest/task_merger.h"
#include "kafka/admin.h"
#include "kafka/producer.h"
#include "kafka/reader.h"
#include "mealdispatch/v1/outputs.pb.h"
#include "service/service.h"
#include "state/memory_store.h"

namespace meal::admin {
namespace {

namespace pb = ::mealdispatch::v1;

// Who held an order: the area and courier of its last plan.
struct Holder {
  std::string area_id;
  std::string courier_id;
};

// What one side of the diff holds within the scope.
struct Side {
  OutputTotals totals;
  std::map<std::string, Holder> last_courier;  // by order, from the plans stamped before to_ms
  std::set<std::string> in_range;              // orders on a plan stamped in the range
  std::map<std::string, AlertRecord> alerts;   // by id
};

bool InArea(const DiffScope& scope, std::string_view area) { return scope.area.empty() || area == scope.area; }
bool InRange(const DiffScope& scope, EventTimeMs time_ms) { return time_ms >= scope.from_ms && time_ms < scope.to_ms; }

Side Summarise(const OutputLog& log, const DiffScope& scope) {
  Side side;
  std::set<std::pair<std::string, std::uint64_t>> plans;
  for (const PlanRecord& plan : log.plans) {
    if (!InArea(scope, plan.area_id) || plan.time_ms >= scope.to_ms) continue;
    const bool in_range = InRange(scope, plan.time_ms);
    if (in_range) plans.emplace(plan.courier_id, plan.plan_version);
    for (const std::string& order : plan.order_ids) {
      side.last_courier[order] = {plan.area_id, plan.courier_id};
      if (in_range) side.in_range.insert(order);
    }
  }
  for (const AlertRecord& alert : log.alerts) {
    if (InArea(scope, alert.area_id) && InRange(scope, alert.time_ms)) side.alerts.try_emplace(alert.alert_id, alert);
  }
  std::set<std::string> couriers;
  for (const std::string& order : side.in_range) couriers.insert(side.last_courier.at(order).courier_id);
  for (const auto& [id, alert] : side.alerts) ++side.totals.alerts_by_kind[alert.kind];
  side.totals.plans = plans.size();
  side.totals.alerts = side.alerts.size();
  side.totals.orders_planned = side.in_range.size();
  side.totals.couriers_used = couriers.size();
  return side;
}

// The alerts of `a` whose id `b` lacks, by id.
std::vector<AlertRecord> OnlyIn(const Side& a, const Side& b) {
  std::vector<AlertRecord> out;
  for (const auto& [id, alert] : a.alerts) {
    if (!b.alerts.contains(id)) out.push_back(alert);
  }
  return out;
}

// Appends one output record to `log`. Only the service (or the replay)
// writes output topics; a record that does not parse is none of their
// outputs and has nothing to compare with.
void AddOutput(bool plan, std::string_view value, OutputLog* log) {
  if (plan) {
    PlanRecord record;
    if (DecodePlan(value, &record)) log->plans.push_back(std::move(record));
  } else {
    AlertRecord record;
    if (DecodeAlert(value, &record)) log->alerts.push_back(std::move(record));
  }
}

// The service's area topics, in its topic-index order: the merge breaks
// timestamp ties by this index, so it must be the same.
std::vector<std::pair<std::string, codec::InputKind>> AreaTopics(const config::TopicsConfig& t) {
  return {{t.orders, codec::InputKind::kOrders},
          {t.couriers, codec::InputKind::kCouriers},
          {t.deliveries, codec::InputKind::kDeliveries},
          {t.commands, codec::InputKind::kCommands}};
}

Status ReadTopics(const kafka::Properties& props, const std::vector<std::string>& topics, int timeout_ms,
                 std::vector<kafka::Record>* out) {
  kafka::Reader reader(props, topics);
  if (!reader.ReadToEnd(out, timeout_ms)) {
    std::string names;
    for (const std::string& topic : topics) names += (names.empty() ? "" : ", ") + topic;
    return Status::Io(names + " not read to the end within " + std::to_string(timeout_ms / 1000) + " s");
  }
  return Status::Ok();
}

Status CheckOptions(const ReplayOptions& o, const std::string& assignments, const std::string& alerts) {
  if (o.from_ms >= o.to_ms) return Status::Invalid("the range is empty: --from-ms must be before --to-ms");
  if (o.output_prefix.empty()) return Status::Invalid("the output prefix must not be empty");
  const config::TopicsConfig& t = o.config.topics;
  for (const std::string& existing : {t.orders, t.couriers, t.deliveries, t.sites, t.elders, t.assignments, t.alerts,
                                      t.dlq, t.commands}) {
    if (assignments == existing || alerts == existing) {
      return Status::Invalid("output prefix '" + o.output_prefix + "' names the service's topic " + existing);
    }
  }
  return Status::Ok();
}

// Applies the input, publishes the range's outputs and records them in
// `replayed`. May throw std::runtime_error from the Kafka clients.
Status ReplayInput(const ReplayOptions& options, const kafka::Properties& props, ReplayReport* report,
                   OutputLog* replayed) {
  const config::Config& config = options.config;
  state::MemoryStore store;
  dispatch::Engine engine(service::MakeEngineOptions(config));
  if (Status s = engine.Load(store); !s.ok()) return s;
  // Committed after every record, as the service commits after each batch:
  // the engine reads committed state in places (an erasure's ledger).
  auto commit = [&] {
    state::WriteSet changes;
    engine.CollectChanges(&changes);
    return store.Commit(changes);
  };

  // The registry first, whole, as the service loads it at start.
  std::vector<kafka::Record> registry;
  if (Status s = ReadTopics(props, {config.topics.sites, config.topics.elders}, options.read_timeout_ms, &registry);
      !s.ok()) {
    return s;
  }
  std::vector<dispatch::Output> outputs;
  for (const kafka::Record& r : registry) {
    const bool elders = r.topic == config.topics.elders;
    if (elders && r.value.empty() && !r.key.empty()) {
      engine.ForgetElder(r.key);  // a tombstone: the elder was erased
    } else {
      Event event;
      if (!codec::DecodeEvent(elders ? codec::InputKind::kElders : codec::InputKind::kSites, r.value, &event).ok() ||
          engine.Apply(event, &outputs).outcome != dispatch::ApplyOutcome::kApplied) {
        ++report->skipped_records;
        continue;
      }
    }
    ++report->registry_records;
  }
  if (Status s = commit(); !s.ok()) return s;

  const auto topics = AreaTopics(config.topics);
  std::vector<std::string> names;
  for (const auto& [name, kind] : topics) names.push_back(name);
  std::vector<kafka::Record> input;
  if (Status s = ReadTopics(props, names, options.read_timeout_ms, &input); !s.ok()) return s;

  // Everything is in, so every partition is at its end and the merger
  // releases records in exactly the order the service's did.
  ingest::TaskMerger<const kafka::Record*> merger;
  auto index_of = [&](const std::string& topic) {
    return static_cast<int>(std::find(names.begin(), names.end(), topic) - names.begin());
  };
  for (const kafka::Record& r : input) merger.AddPartition(index_of(r.topic), r.partition);
  for (const kafka::Record& r : input) merger.Push(index_of(r.topic), r.partition, r.timestamp_ms, r.offset, &r);
  for (const kafka::Record& r : input) merger.MarkEnd(index_of(r.topic), r.partition);

  // Created only once the input is known to be there.
  const int p = config.kafka.partitions;
  const int rf = config.kafka.replication_factor;
  if (Status s = kafka::EnsureTopics(
          props, {{report->assignments_topic, p, rf, false}, {report->alerts_topic, p, rf, false}}, 15000);
      !s.ok()) {
    return s;
  }
  std::size_t failed = 0;
  std::string first_error;
  kafka::Producer producer(props, [&](std::uint64_t, rd_kafka_resp_err_t err) {
    if (err && failed++ == 0) first_error = kafka::ErrorText(err);
  });
  RangeCut cut(options.from_ms, options.to_ms);
  int topic_index = 0;
  while (std::optional<const kafka::Record*> next = merger.Pop(&topic_index)) {
    const kafka::Record& r = **next;
    if (!options.area.empty() && r.key != options.area) continue;
    const ReplayPhase phase = cut.Next(r.key, r.timestamp_ms);
    if (phase == ReplayPhase::kAfter) {
      ++report->after_range;
      continue;
    }
    Event event;
    outputs.clear();
    // As the service: a key other than the area would put the event beside
    // another area's state, so it is dead-lettered there and skipped here.
    if (!codec::DecodeEvent(topics[topic_index].second, r.value, &event).ok() || r.key != event.area_id ||
        engine.Apply(event, &outputs).outcome != dispatch::ApplyOutcome::kApplied) {
      ++report->skipped_records;
      continue;
    }
    if (Status s = commit(); !s.ok()) return s;
    const bool publish = phase == ReplayPhase::kReplay;
    ++(publish ? report->replayed_events : report->warm_up_events);
    for (const dispatch::Output& output : outputs) {
      const bool plan = std::holds_alternative<Assignment>(output);
      const std::string value =
          plan ? codec::EncodeAssignment(std::get<Assignment>(output)) : codec::EncodeAlert(std::get<Alert>(output));
      // Through the wire format, as the original side is read. Plans before
      // the range are kept too: they say who held an order at its start.
      AddOutput(plan, value, replayed);
      if (!publish) continue;
      const auto [area, time_ms] = std::visit(
          [](const auto& o) { return std::pair<std::string_view, EventTimeMs>(o.area_id, o.time_ms); }, output);
      const std::string& topic = plan ? report->assignments_topic : report->alerts_topic;
      if (rd_kafka_resp_err_t err = producer.Produce(topic, area, value, time_ms, 0); err) {
        return Status::Io("produce to " + topic + ": " + kafka::ErrorText(err));
      }
      ++report->published;
    }
    producer.Poll(0);
  }
  if (!producer.Flush(options.read_timeout_ms)) return Status::Io("replayed outputs not acknowledged in time");
  if (failed > 0) return Status::Io(std::to_string(failed) + " replayed outputs not delivered: " + first_error);
  return Status::Ok();
}

// The service's outputs, in log order per partition (so per area).
Status ReadOriginal(const ReplayOptions& options, const kafka::Properties& props, OutputLog* original) {
  const config::TopicsConfig& t = options.config.topics;
  std::vector<kafka::Record> records;
  if (Status s = ReadTopics(props, {t.assignments, t.alerts}, options.read_timeout_ms, &records); !s.ok()) return s;
  for (const kafka::Record& r : records) AddOutput(r.topic == t.assignments, r.value, original);
  return Status::Ok();
}

// "YYYY-MM-DD HH:MM:SS" in local time.
std::string LocalTime(EventTimeMs t, DurationMs utc_offset_ms) {
  const EventTimeMs seconds = (t % kMinuteMs + kMinuteMs) % kMinuteMs / kSecondMs;
  return LocalDate(t, utc_offset_ms) + " " + ClockText(LocalMinuteOfDay(t, utc_offset_ms)) + (seconds < 10 ? ":0" : ":") +
         std::to_string(seconds);
}

nlohmann::json TotalsJson(const OutputTotals& t) {
  return {{"plans", t.plans},
          {"alerts", t.alerts},
          {"orders_planned", t.orders_planned},
          {"couriers_used", t.couriers_used},
          {"alerts_by_kind", t.alerts_by_kind}};
}

nlohmann::json AlertsJson(const std::vector<AlertRecord>& alerts) {
  nlohmann::json out = nlohmann::json::array();
  for (const AlertRecord& a : alerts) {
    out.push_back({{"alert_id", a.alert_id},
                   {"area_id", a.area_id},
                   {"kind", a.kind},
                   {"order_id", a.order_id},
                   {"time_ms", a.time_ms}});
  }
  return out;
}

}  // namespace

ReplayPhase RangeCut::Next(std::string_view area, EventTimeMs time_ms) {
  auto it = phase_.find(area);
  if (it == phase_.end()) it = phase_.emplace(std::string(area), ReplayPhase::kWarmUp).first;
  if (it->second == ReplayPhase::kWarmUp && time_ms >= from_ms_) it->second = ReplayPhase::kReplay;
  if (it->second == ReplayPhase::kReplay && time_ms >= to_ms_) it->second = ReplayPhase::kAfter;
  return it->second;
}

bool DecodePlan(std::string_view bytes, PlanRecord* out) {
  pb::Assignment msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return false;
  out->area_id = msg.header().area_id();
  out->time_ms = msg.header().event_time_ms();
  out->courier_id = msg.courier_id();
  out->plan_version = msg.plan_version();
  out->order_ids.clear();
  for (const pb::PlannedStop& stop : msg.stops()) {
    // A pickup and its delivery both name the order.
    if (std::find(out->order_ids.begin(), out->order_ids.end(), stop.order_id()) == out->order_ids.end()) {
      out->order_ids.push_back(stop.order_id());
    }
  }
  return true;
}

bool DecodeAlert(std::string_view bytes, AlertRecord* out) {
  pb::Alert msg;
  if (!msg.ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) return false;
  out->area_id = msg.header().area_id();
  out->time_ms = msg.header().event_time_ms();
  out->alert_id = msg.alert_id();
  out->kind = pb::AlertKind_Name(msg.kind());
  out->order_id = msg.order_id();
  return true;
}

OutputDiff DiffOutputs(const OutputLog& original, const OutputLog& replayed, const DiffScope& scope) {
  const Side a = Summarise(original, scope);
  const Side b = Summarise(replayed, scope);
  OutputDiff diff;
  diff.original = a.totals;
  diff.replayed = b.totals;
  std::set<std::string> orders = a.in_range;
  orders.insert(b.in_range.begin(), b.in_range.end());
  for (const std::string& order : orders) {
    const auto before = a.last_courier.find(order);
    const auto after = b.last_courier.find(order);
    const bool planned_before = before != a.last_courier.end();
    const bool planned_after = after != b.last_courier.end();
    CourierChange change{order, (planned_before ? before : after)->second.area_id,
                         planned_before ? before->second.courier_id : "",
                         planned_after ? after->second.courier_id : ""};
    if (change.original != change.replayed) diff.courier_changes.push_back(std::move(change));
  }
  diff.alerts_only_original = OnlyIn(a, b);
  diff.alerts_only_replayed = OnlyIn(b, a);
  return diff;
}

Status Replay(const ReplayOptions& options, ReplayReport* report) {
  *report = ReplayReport{};
  report->assignments_topic = options.output_prefix + "assignments";
  report->alerts_topic = options.output_prefix + "alerts";
  if (Status s = CheckOptions(options, report->assignments_topic, report->alerts_topic); !s.ok()) return s;
  const config::Config& config = options.config;
  const kafka::Properties props = {{"bootstrap.servers", config.kafka.bootstrap_servers},
                                   {"client.id", "meal-admin-replay"}};
  OutputLog original, replayed;
  try {
    if (Status s = ReplayInput(options, props, report, &replayed); !s.ok()) return s;
    if (Status s = ReadOriginal(options, props, &original); !s.ok()) return s;
  } catch (const std::runtime_error& e) {
    return Status::Io(e.what());
  }
  report->diff = DiffOutputs(original, replayed, {options.from_ms, options.to_ms, options.area});
  return Status::Ok();
}

int RunReplay(const std::string& config_path, const std::vector<std::string>& overrides, ReplayOptions options,
              const std::string& json_path, std::ostream& out, std::ostream& err) {
  if (Status s = config::LoadConfig(config_path, overrides, &options.config); !s.ok()) {
    err << "meal-admin replay: bad configuration: " << s.message() << "\n";
    return kExitUsage;
  }
  ReplayReport report;
  if (Status s = Replay(options, &report); !s.ok()) {
    err << "meal-admin replay: " << s.message() << "\n";
    return s.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
  }
  out << FormatReport(options, report);
  if (!json_path.empty()) {
    std::ofstream file(json_path);
    file << ReportJson(options, report);
    if (!file.flush()) {
      err << "meal-admin replay: cannot write " << json_path << "\n";
      return kExitFailed;
    }
  }
  return kExitOk;
}

std::string FormatReport(const ReplayOptions& options, const ReplayReport& report) {
  const DurationMs offset = options.config.dispatch.utc_offset_min * kMinuteMs;
  const OutputDiff& d = report.diff;
  std::ostringstream out;
  out << "replay of [" << options.from_ms << ", " << options.to_ms << ") ms = [" << LocalTime(options.from_ms, offset)
      << ", " << LocalTime(options.to_ms, offset) << ") local time, "
      << (options.area.empty() ? "every area" : "area " + options.area) << "\n";
  out << "input: " << report.registry_records << " registry records; " << report.warm_up_events
      << " events before the range, " << report.replayed_events << " in it, " << report.after_range
      << " after it not applied; " << report.skipped_records << " records skipped (bad, rejected or duplicate)\n";
  out << "published " << report.published << " outputs to " << report.assignments_topic << " and "
      << report.alerts_topic << "\n\n";
  std::set<std::string> kinds;
  for (const auto& [kind, n] : d.original.alerts_by_kind) kinds.insert(kind);
  for (const auto& [kind, n] : d.replayed.alerts_by_kind) kinds.insert(kind);
  auto count = [](const std::map<std::string, std::size_t>& m, const std::string& k) {
    auto it = m.find(k);
    return it == m.end() ? std::size_t{0} : it->second;
  };
  auto row = [&](const std::string& name, auto original, auto replayed) {
    out << "  " << std::left << std::setw(28) << name << std::right << std::setw(10) << original << std::setw(10)
        << replayed << "\n";
  };
  row("", "original", "replayed");
  row("plans", d.original.plans, d.replayed.plans);
  row("orders planned", d.original.orders_planned, d.replayed.orders_planned);
  row("couriers used", d.original.couriers_used, d.replayed.couriers_used);
  row("alerts", d.original.alerts, d.replayed.alerts);
  for (const std::string& kind : kinds) {
    row("  " + kind, count(d.original.alerts_by_kind, kind), count(d.replayed.alerts_by_kind, kind));
  }
  out << "\norders whose last plan went to another courier: " << d.courier_changes.size() << "\n";
  for (const CourierChange& c : d.courier_changes) {
    out << "  " << c.order_id << " (" << c.area_id << "): " << (c.original.empty() ? "(no plan)" : c.original)
        << " -> " << (c.replayed.empty() ? "(no plan)" : c.replayed) << "\n";
  }
  for (const auto& [title, alerts] : {std::pair{"alerts only in the original: ", &d.alerts_only_original},
                                      std::pair{"alerts only in the replay: ", &d.alerts_only_replayed}}) {
    out << title << alerts->size() << "\n";
    for (const AlertRecord& a : *alerts) {
      out << "  " << a.alert_id << " " << a.kind << " at " << LocalTime(a.time_ms, offset) << "\n";
    }
  }
  out << (d.same() ? "the outputs agree\n" : "the outputs differ\n");
  return out.str();
}

std::string ReportJson(const ReplayOptions& options, const ReplayReport& report) {
  const OutputDiff& d = report.diff;
  nlohmann::json changes = nlohmann::json::array();
  for (const CourierChange& c : d.courier_changes) {
    changes.push_back({{"order_id", c.order_id}, {"area_id", c.area_id}, {"original", c.original},
                       {"replayed", c.replayed}});
  }
  const nlohmann::json doc = {
      {"from_ms", options.from_ms},
      {"to_ms", options.to_ms},
      {"area", options.area},
      {"output_topics", {{"assignments", report.assignments_topic}, {"alerts", report.alerts_topic}}},
      {"input",
       {{"registry_records", report.registry_records},
        {"warm_up_events", report.warm_up_events},
        {"replayed_events", report.replayed_events},
        {"after_range", report.after_range},
        {"skipped_records", report.skipped_records}}},
      {"published", report.published},
      {"original", TotalsJson(d.original)},
      {"replayed", TotalsJson(d.replayed)},
      {"courier_changes", changes},
      {"alerts_only_original", AlertsJson(d.alerts_only_original)},
      {"alerts_only_replayed", AlertsJson(d.alerts_only_replayed)},
      {"same", d.same()},
  };
  return doc.dump(2) + "\n";
}

}  // namespace meal::admin
