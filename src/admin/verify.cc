#include "admin/verify.h"

#include <algorithm>
#include <array>
#include <optional>
#include <ostream>
#include <map>
#include <string_view>
#include <unordered_map>
#include <vector>

#include "codec/state_codec.h"
#include "state/keys.h"

namespace meal::admin {
namespace {

struct Family {
  std::string_view prefix;
  std::string_view name;
};

constexpr std::array<Family, 19> kFamilies = {{
    {state::kAreaPrefix, "areas"},
    {state::kCourierPrefix, "couriers"},
    {state::kDedupPrefix, "seen event ids"},
    {state::kElderPrefix, "elders"},
    {state::kStandingPrefix, "standing orders"},
    {state::kLastCourierPrefix, "last couriers"},
    {state::kInstancePrefix, "instance id"},
    {state::kOffsetPrefix, "input offsets"},
    {state::kLedgerPrefix, "ledger entries"},
    {state::kAlertPrefix, "stored alerts"},
    {state::kOrderPrefix, "orders"},
    {state::kRecallPrefix, "recalls"},
    {state::kSitePrefix, "sites"},
    {state::kTracePrefix, "trace entries"},
    {state::kAuditPrefix, "audit entries"},
    {state::kWellnessPrefix, "wellness cases"},
    {state::kOutboxPrefix, "outbox entries"},
    {state::kHeldPrefix, "held outbox entries"},
    {state::kAreaTaskPrefix, "area tasks"},
}};

// Audit and outbox keys hold a big-endian number; anything else that is not
// printable is escaped, so a corrupt key still prints as one line.
std::string PrintableKey(std::string_view key) {
  std::string out;
  constexpr std::size_t kPrefix = 2, kNumber = 8;
  if ((key.starts_with(state::kAuditPrefix) || key.starts_with(state::kOutboxPrefix) ||
       key.starts_with(state::kHeldPrefix)) &&
      key.size() >= kPrefix + kNumber) {
    std::uint64_t n = 0;
    for (unsigned char c : key.substr(kPrefix, kNumber)) n = (n << 8) | c;
    out.append(key.substr(0, kPrefix)).append(std::to_string(n));
    key.remove_prefix(kPrefix + kNumber);
  }
  for (unsigned char c : key) {
    if (c >= 0x20 && c < 0x7f && c != '\\') {
      out.push_back(static_cast<char>(c));
    } else {
      static constexpr char kHex[] = "0123456789abcdef";
      out.append("\\x").push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

struct OrderFacts {
  OrderStatus status;
  std::string courier_id;
};

// What the cross-reference checks need, gathered in one pass over the store.
class Checker {
 public:
  explicit Checker(VerifyReport* report) : report_(report) {
    for (const Family& f : kFamilies) report_->records[std::string(f.prefix)] = 0;
  }

  void Record(std::string_view key, std::string_view value) {
    const auto family = std::find_if(kFamilies.begin(), kFamilies.end(),
                                     [&](const Family& f) { return key.starts_with(f.prefix); });
    if (family == kFamilies.end()) return Add(key, "unknown key family");
    ++report_->records[std::string(family->prefix)];
    switch (key.front()) {
      case 'a':
      case 'k': {
        std::int64_t n = 0;
        if (!state::DecodeOffset(value, &n)) return Add(key, "not an 8-byte number");
        if (key.front() == 'k') CheckOffsetKey(key, n);
        return;
      }
      case 'c':
        if (auto c = Check(key, value, codec::DecodeCourier,
                           [](const Courier& c) { return state::CourierKey(c.courier_id); })) {
          routes_.emplace(c->courier_id, std::move(c->route));
        }
        return;
      case 'e':
        Check(key, value, codec::DecodeElder, [](const Elder& e) { return state::ElderKey(e.elder_id); });
        return;
      case 'g':
        Check(key, value, codec::DecodeStandingOrder,
              [](const StandingOrder& g) { return state::StandingKey(g.pattern.standing_id); });
        return;
      case 'h':
        if (value.empty()) Add(key, "names no courier");
        return;
      case 'l':
        if (auto e = Check(key, value, codec::DecodeLedger, [](const LedgerEntry& e) {
              return state::LedgerKey(e.service_date, e.site_id, e.order_id);
            })) {
          ledger_.emplace_back(std::string(key), e->order_id);
        }
        return;
      case 'n':
        Check(key, value, codec::DecodeStoredAlert,
              [](const StoredAlert& a) { return state::AlertKey(a.alert.alert_id); });
        return;
      case 'o':
        if (auto o = Check(key, value, codec::DecodeOrder,
                           [](const Order& o) { return state::OrderKey(o.order_id); })) {
          orders_.emplace(o->order_id, OrderFacts{o->status, o->courier_id});
        }
        return;
      case 's':
        Check(key, value, codec::DecodeSite, [](const Site& s) { return state::SiteKey(s.site_id); });
        return;
      case 't': {
        // The entry holds neither site nor batch: they are its key's.
        Order o;
        if (!Decoded(key, codec::DecodeTrace(value, &o))) return;
        if (o.order_id.empty() || !key.ends_with("/" + o.order_id)) {
          return Add(key, "holds the trace of order '" + PrintableKey(o.order_id) + "'");
        }
        traces_.emplace_back(std::string(key), o.order_id);
        return;
      }
      case 'u':
        Check(key, value, codec::DecodeAudit,
              [](const AuditEntry& a) { return state::AuditKey(a.time_ms, a.command_id); });
        return;
      case 'w':
        Check(key, value, codec::DecodeWellnessCase,
              [](const WellnessCase& w) { return state::WellnessKey(w.case_id); });
        return;
      case 'x':
      case 'y': {
        std::uint64_t seq = 0;
        codec::OutboxEntry x;
        if (!state::DecodeOutboxKey(key, &seq, key.substr(0, 2))) return Add(key, "not an outbox sequence number");
        Decoded(key, codec::DecodeOutbox(value, &x));
        return;
      }
      case 'p': {
        std::int64_t task = 0;
        if (!state::DecodeOffset(value, &task) || task < 0) Add(key, "not a partition number");
        return;
      }
      default:
        return;  // d/ and r/ carry their meaning in the key alone
    }
  }

  void CrossCheck() {
    for (const auto& [courier_id, route] : routes_) CheckRoute(courier_id, route);
    for (const auto& [order_id, facts] : orders_) {
      if (facts.status != OrderStatus::kAssigned && facts.status != OrderStatus::kPickedUp) continue;
      const auto route = routes_.find(facts.courier_id);
      const bool on_route = route != routes_.end() &&
                            std::any_of(route->second.begin(), route->second.end(),
                                        [&](const RouteStop& s) { return s.order_id == order_id; });
      if (on_route) continue;
      Add(state::OrderKey(order_id), std::string(OrderStatusName(facts.status)) + " to courier '" + facts.courier_id +
                                         "' but not on " + (route == routes_.end() ? "any stored courier's route"
                                                                                   : "its route"));
    }
    for (const auto& [key, order_id] : traces_) {
      if (!orders_.contains(order_id)) Add(key, "traces order " + order_id + ", which is not stored");
    }
    for (const auto& [key, order_id] : ledger_) {
      const auto order = orders_.find(order_id);
      if (order == orders_.end() || order->second.status == OrderStatus::kDelivered) continue;
      Add(key, "books order " + order_id + ", which is " + std::string(OrderStatusName(order->second.status)) +
                   ", not DELIVERED");
    }
    std::stable_sort(report_->problems.begin(), report_->problems.end(),
                     [](const Problem& a, const Problem& b) { return a.key < b.key; });
  }

 private:
  void Add(std::string_view key, std::string what) { report_->problems.push_back({PrintableKey(key), std::move(what)}); }

  bool Decoded(std::string_view key, const Status& s) {
    if (!s.ok()) Add(key, "does not decode: " + s.message());
    return s.ok();
  }

  // The record in `value` when it decodes and `key` is where it belongs
  // (`key_of`); else the problem is added.
  template <typename T, typename KeyOf>
  std::optional<T> Check(std::string_view key, std::string_view value, Status (*decode)(std::string_view, T*),
                         KeyOf key_of) {
    T record;
    if (!Decoded(key, decode(value, &record))) return std::nullopt;
    if (const std::string home = key_of(record); home != key) {
      Add(key, "holds the record that belongs at " + PrintableKey(home));
      return std::nullopt;
    }
    return record;
  }

  void CheckOffsetKey(std::string_view key, std::int64_t offset) {
    std::string topic;
    std::int32_t partition = 0;
    if (!state::DecodeOffsetKey(key, &topic, &partition)) Add(key, "not k/<topic>/<partition>");
    if (offset < 0) Add(key, "negative offset " + std::to_string(offset));
  }

  void CheckRoute(const std::string& courier_id, const std::vector<RouteStop>& route) {
    const std::string key = state::CourierKey(courier_id);
    struct Seen {
      int pickups = 0;
      int deliveries = 0;
      bool pickup_after_delivery = false;
    };
    std::map<std::string, Seen> seen;
    for (const RouteStop& stop : route) {
      Seen& s = seen[stop.order_id];
      if (stop.kind == StopKind::kPickup) {
        ++s.pickups;
        s.pickup_after_delivery |= s.deliveries > 0;
      } else {
        ++s.deliveries;
      }
    }
    for (const auto& [order_id, s] : seen) {
      const auto order = orders_.find(order_id);
      if (order == orders_.end()) {
        Add(key, "route names order " + order_id + ", which is not stored");
        continue;
      }
      const OrderFacts& o = order->second;
      const std::string status(OrderStatusName(o.status));
      if (IsFinal(o.status)) {
        Add(key, "route names order " + order_id + ", which is " + status);
        continue;
      }
      if (o.status != OrderStatus::kAssigned && o.status != OrderStatus::kPickedUp) {
        Add(key, "route names order " + order_id + ", which is " + status + ", not assigned");
        continue;
      }
      if (o.courier_id != courier_id) {
        Add(key, "route names order " + order_id + ", which is assigned to '" + o.courier_id + "'");
      }
      if (s.deliveries != 1) Add(key, "route has " + std::to_string(s.deliveries) + " deliveries of order " + order_id);
      if (s.pickup_after_delivery) Add(key, "route delivers order " + order_id + " before picking it up");
      const int pickups_expected = o.status == OrderStatus::kAssigned ? 1 : 0;
      if (s.pickups != pickups_expected) {
        Add(key, "route has " + std::to_string(s.pickups) + " pickups of order " + order_id + ", which is " + status);
      }
    }
  }

  VerifyReport* report_;
  std::unordered_map<std::string, OrderFacts> orders_;
  std::map<std::string, std::vector<RouteStop>> routes_;
  std::vector<std::pair<std::string, std::string>> ledger_;  // key, order id
  std::vector<std::pair<std::string, std::string>> traces_;  // key, order id
};

}  // namespace

Status Verify(const state::Store& store, VerifyReport* report) {
  *report = {};
  Checker checker(report);
  // One pass in key order; the cross-references wait until every family is
  // in, since the ledger (l/) sorts before the orders it names (o/).
  const Status s = store.Scan("", [&](std::string_view key, std::string_view value) {
    checker.Record(key, value);
    return true;
  });
  if (!s.ok()) return s;
  checker.CrossCheck();
  return Status::Ok();
}

void PrintReport(const VerifyReport& report, std::ostream& out) {
  out << "records\n";
  for (const Family& f : kFamilies) {
    out << "  " << f.prefix << "  " << f.name << ": " << report.records.at(std::string(f.prefix)) << "\n";
  }
  out << "problems: " << report.problems.size() << "\n";
  for (const Problem& p : report.problems) out << "  " << p.key << ": " << p.what << "\n";
}

}  // namespace meal::admin
