#include "config/config.h"

#include "model/entities.h"

#include <algorithm>
#include <functional>
#include <set>
#include <initializer_list>
#include <map>
#include <sstream>
#include <toml++/toml.h>

namespace meal::config {
namespace {

// One known key: how to read it from TOML into Config, and how to print it.
struct Field {
  std::function<Status(const toml::node&, Config*)> set;
  std::function<std::string(const Config&)> show;
};

Status TypeError(const std::string& key, const char* want) {
  return Status::Invalid("config key '" + key + "': expected " + want);
}


template <typename Get>
Field Str(const std::string& key, Get get) {
  return {[key, get](const toml::node& n, Config* c) -> Status {
            auto v = n.value<std::string>();
            if (!v) return TypeError(key, "a string");
            if (v->empty()) return Status::Invalid("config key '" + key + "': must not be empty");
            get(*c) = *v;
            return Status::Ok();
          },
          [get](const Config& c) { return "\"" + get(const_cast<Config&>(c)) + "\""; }};
}

// A string that may be empty (an optional path).
template <typename Get>
Field OptionalStr(const std::string& key, Get get) {
  return {[key, get](const toml::node& n, Config* c) -> Status {
            auto v = n.value<std::string>();
            if (!v) return TypeError(key, "a string");
            get(*c) = *v;
            return Status::Ok();
          },
          [get](const Config& c) { return "\"" + get(const_cast<Config&>(c)) + "\""; }};
}

template <typename Get>
Field Int(const std::string& key, Get get, std::int64_t lo, std::int64_t hi) {
  return {[key, get, lo, hi](const toml::node& n, Config* c) -> Status {
            if (!n.is_integer()) return TypeError(key, "an integer");
            const std::int64_t v = *n.value<std::int64_t>();
            if (v < lo || v > hi) {
              return Status::Invalid("config key '" + key + "': " + std::to_string(v) + " is outside " +
                                     std::to_string(lo) + ".." + std::to_string(hi));
            }
            get(*c) = static_cast<int>(v);
            return Status::Ok();
          },
          [get](const Config& c) { return std::to_string(get(const_cast<Config&>(c))); }};
}

template <typename Get>
Field Real(const std::string& key, Get get, double lo, double hi) {
  return {[key, get, lo, hi](const toml::node& n, Config* c) -> Status {
            if (!n.is_number()) return TypeError(key, "a number");
            const double v = *n.value<double>();
            if (!(v >= lo && v <= hi)) {
              std::ostringstream os;
              os << "config key '" << key << "': " << v << " is outside " << lo << ".." << hi;
              return Status::Invalid(os.str());
            }
            get(*c) = v;
            return Status::Ok();
          },
          [get](const Config& c) {
            std::ostringstream os;
            os << get(const_cast<Config&>(c));
            return os.str();
          }};
}

template <typename Get>
Field Bool(const std::string& key, Get get) {
  return {[key, get](const toml::node& n, Config* c) -> Status {
            if (!n.is_boolean()) return TypeError(key, "true or false");
            get(*c) = *n.value<bool>();
            return Status::Ok();
          },
          [get](const Config& c) { return get(const_cast<Config&>(c)) ? "true" : "false"; }};
}

const std::map<std::string, Field>& Fields() {
  static const std::map<std::string, Field> fields = {
      {"kafka.bootstrap_servers", Str("kafka.bootstrap_servers", [](Config& c) -> auto& { return c.kafka.bootstrap_servers; })},
      {"kafka.group_id", Str("kafka.group_id", [](Config& c) -> auto& { return c.kafka.group_id; })},
      {"kafka.client_id", Str("kafka.client_id", [](Config& c) -> auto& { return c.kafka.client_id; })},
      {"kafka.partitions", Int("kafka.partitions", [](Config& c) -> auto& { return c.kafka.partitions; }, 1, 10000)},
      {"kafka.instance_id", OptionalStr("kafka.instance_id", [](Config& c) -> auto& { return c.kafka.instance_id; })},
      {"kafka.session_timeout_ms", Int("kafka.session_timeout_ms", [](Config& c) -> auto& { return c.kafka.session_timeout_ms; }, 6000, 300000)},
      {"kafka.replication_factor", Int("kafka.replication_factor", [](Config& c) -> auto& { return c.kafka.replication_factor; }, 1, 16)},
      {"topics.orders", Str("topics.orders", [](Config& c) -> auto& { return c.topics.orders; })},
      {"topics.couriers", Str("topics.couriers", [](Config& c) -> auto& { return c.topics.couriers; })},
      {"topics.deliveries", Str("topics.deliveries", [](Config& c) -> auto& { return c.topics.deliveries; })},
      {"topics.sites", Str("topics.sites", [](Config& c) -> auto& { return c.topics.sites; })},
      {"topics.elders", Str("topics.elders", [](Config& c) -> auto& { return c.topics.elders; })},
      {"topics.assignments", Str("topics.assignments", [](Config& c) -> auto& { return c.topics.assignments; })},
      {"topics.alerts", Str("topics.alerts", [](Config& c) -> auto& { return c.topics.alerts; })},
      {"topics.dlq", Str("topics.dlq", [](Config& c) -> auto& { return c.topics.dlq; })},
      {"topics.commands", Str("topics.commands", [](Config& c) -> auto& { return c.topics.commands; })},
      {"topics.changelog", Str("topics.changelog", [](Config& c) -> auto& { return c.topics.changelog; })},
      {"state.path", Str("state.path", [](Config& c) -> auto& { return c.state.path; })},
      {"state.sync", Bool("state.sync", [](Config& c) -> auto& { return c.state.sync; })},
      {"state.min_free_mb", Int("state.min_free_mb", [](Config& c) -> auto& { return c.state.min_free_mb; }, 0, 1048576)},
      {"state.block_cache_mb", Int("state.block_cache_mb", [](Config& c) -> auto& { return c.state.block_cache_mb; }, 8, 65536)},
      {"http.address", Str("http.address", [](Config& c) -> auto& { return c.http.address; })},
      {"http.port", Int("http.port", [](Config& c) -> auto& { return c.http.port; }, 0, 65535)},
      {"http.threads", Int("http.threads", [](Config& c) -> auto& { return c.http.threads; }, 1, 64)},
      {"http.tls_cert", OptionalStr("http.tls_cert", [](Config& c) -> auto& { return c.http.tls_cert; })},
      {"http.tls_key", OptionalStr("http.tls_key", [](Config& c) -> auto& { return c.http.tls_key; })},
      {"http.max_ws_clients", Int("http.max_ws_clients", [](Config& c) -> auto& { return c.http.max_ws_clients; }, 1, 100000)},
      {"http.ws_queue_messages", Int("http.ws_queue_messages", [](Config& c) -> auto& { return c.http.ws_queue_messages; }, 1, 1000000)},
      {"http.web_dir", OptionalStr("http.web_dir", [](Config& c) -> auto& { return c.http.web_dir; })},
      {"http.advertised_url", OptionalStr("http.advertised_url", [](Config& c) -> auto& { return c.http.advertised_url; })},
      {"http.max_body_kb", Int("http.max_body_kb", [](Config& c) -> auto& { return c.http.max_body_kb; }, 1, 65536)},
      {"api.requests_per_s", Real("api.requests_per_s", [](Config& c) -> auto& { return c.api.requests_per_s; }, 0.01, 1e6)},
      {"api.burst", Int("api.burst", [](Config& c) -> auto& { return c.api.burst; }, 1, 1000000)},
      {"dispatch.hot_meal_limit_min", Int("dispatch.hot_meal_limit_min", [](Config& c) -> auto& { return c.dispatch.hot_meal_limit_min; }, 5, 240)},
      {"dispatch.chilled_meal_limit_min", Int("dispatch.chilled_meal_limit_min", [](Config& c) -> auto& { return c.dispatch.chilled_meal_limit_min; }, 5, 1440)},
      {"dispatch.pickup_service_s", Int("dispatch.pickup_service_s", [](Config& c) -> auto& { return c.dispatch.pickup_service_s; }, 0, 3600)},
      {"dispatch.delivery_service_s", Int("dispatch.delivery_service_s", [](Config& c) -> auto& { return c.dispatch.delivery_service_s; }, 0, 3600)},
      {"dispatch.circuity", Real("dispatch.circuity", [](Config& c) -> auto& { return c.dispatch.circuity; }, 1.0, 3.0)},
      {"dispatch.walk_kmh", Real("dispatch.walk_kmh", [](Config& c) -> auto& { return c.dispatch.walk_kmh; }, 1.0, 10.0)},
      {"dispatch.bike_kmh", Real("dispatch.bike_kmh", [](Config& c) -> auto& { return c.dispatch.bike_kmh; }, 3.0, 40.0)},
      {"dispatch.ebike_kmh", Real("dispatch.ebike_kmh", [](Config& c) -> auto& { return c.dispatch.ebike_kmh; }, 5.0, 50.0)},
      {"dispatch.car_kmh", Real("dispatch.car_kmh", [](Config& c) -> auto& { return c.dispatch.car_kmh; }, 5.0, 120.0)},
      {"dispatch.retries_per_completion", Int("dispatch.retries_per_completion", [](Config& c) -> auto& { return c.dispatch.retries_per_completion; }, 0, 10000)},
      {"dispatch.reoptimize_interval_s", Int("dispatch.reoptimize_interval_s", [](Config& c) -> auto& { return c.dispatch.reoptimize_interval_s; }, 0, 86400)},
      {"dispatch.objective", Str("dispatch.objective", [](Config& c) -> auto& { return c.dispatch.objective; })},
      {"dispatch.outside_radius", Str("dispatch.outside_radius", [](Config& c) -> auto& { return c.dispatch.outside_radius; })},
      {"dispatch.utc_offset_min", Int("dispatch.utc_offset_min", [](Config& c) -> auto& { return c.dispatch.utc_offset_min; }, -720, 840)},
      {"dispatch.regret_k", Int("dispatch.regret_k", [](Config& c) -> auto& { return c.dispatch.regret_k; }, 1, 10)},
      {"dispatch.helper_fallback", Str("dispatch.helper_fallback", [](Config& c) -> auto& { return c.dispatch.helper_fallback; })},
      {"dispatch.continuity_tolerance_s", Int("dispatch.continuity_tolerance_s", [](Config& c) -> auto& { return c.dispatch.continuity_tolerance_s; }, 0, 3600)},
      {"dispatch.hub_handover_s", Int("dispatch.hub_handover_s", [](Config& c) -> auto& { return c.dispatch.hub_handover_s; }, 0, 600)},
      {"dispatch.standing_lead_min", Int("dispatch.standing_lead_min", [](Config& c) -> auto& { return c.dispatch.standing_lead_min; }, 0, 2880)},
      {"wellness.courier_retry_min", Int("wellness.courier_retry_min", [](Config& c) -> auto& { return c.wellness.courier_retry_min; }, 1, 1440)},
      {"wellness.phone_call_min", Int("wellness.phone_call_min", [](Config& c) -> auto& { return c.wellness.phone_call_min; }, 1, 1440)},
      {"wellness.emergency_contact_min", Int("wellness.emergency_contact_min", [](Config& c) -> auto& { return c.wellness.emergency_contact_min; }, 1, 1440)},
      {"wellness.community_worker_min", Int("wellness.community_worker_min", [](Config& c) -> auto& { return c.wellness.community_worker_min; }, 1, 1440)},
      {"retention.order_days", Int("retention.order_days", [](Config& c) -> auto& { return c.retention.order_days; }, 0, 36500)},
      {"retention.changelog_segment_ms", Int("retention.changelog_segment_ms", [](Config& c) -> auto& { return c.retention.changelog_segment_ms; }, 1000, 604800000)},
      {"retention.changelog_compaction_lag_ms", Int("retention.changelog_compaction_lag_ms", [](Config& c) -> auto& { return c.retention.changelog_compaction_lag_ms; }, 1000, 604800000)},
      {"retention.changelog_tombstone_ms", Int("retention.changelog_tombstone_ms", [](Config& c) -> auto& { return c.retention.changelog_tombstone_ms; }, 1000, 604800000)},
      {"dispatch.reoptimize_evaluations", Int("dispatch.reoptimize_evaluations", [](Config& c) -> auto& { return c.dispatch.reoptimize_evaluations; }, 0, 1000000)},
      {"priority.minimum_allowance", Int("priority.minimum_allowance", [](Config& c) -> auto& { return c.priority.minimum_allowance; }, 0, 100)},
      {"priority.extremely_poor", Int("priority.extremely_poor", [](Config& c) -> auto& { return c.priority.extremely_poor; }, 0, 100)},
      {"priority.near_poverty", Int("priority.near_poverty", [](Config& c) -> auto& { return c.priority.near_poverty; }, 0, 100)},
      {"priority.living_alone", Int("priority.living_alone", [](Config& c) -> auto& { return c.priority.living_alone; }, 0, 100)},
      {"priority.empty_nest", Int("priority.empty_nest", [](Config& c) -> auto& { return c.priority.empty_nest; }, 0, 100)},
      {"priority.left_behind", Int("priority.left_behind", [](Config& c) -> auto& { return c.priority.left_behind; }, 0, 100)},
      {"priority.incapacitated", Int("priority.incapacitated", [](Config& c) -> auto& { return c.priority.incapacitated; }, 0, 100)},
      {"priority.disabled", Int("priority.disabled", [](Config& c) -> auto& { return c.priority.disabled; }, 0, 100)},
      {"priority.very_old", Int("priority.very_old", [](Config& c) -> auto& { return c.priority.very_old; }, 0, 100)},
      {"priority.special_family_planning", Int("priority.special_family_planning", [](Config& c) -> auto& { return c.priority.special_family_planning; }, 0, 100)},
      {"priority.must_serve_from", Int("priority.must_serve_from", [](Config& c) -> auto& { return c.priority.must_serve_from; }, 0, 101)},
      {"pipeline.batch_max_records", Int("pipeline.batch_max_records", [](Config& c) -> auto& { return c.pipeline.batch_max_records; }, 1, 1000000)},
      {"pipeline.batch_max_wait_ms", Int("pipeline.batch_max_wait_ms", [](Config& c) -> auto& { return c.pipeline.batch_max_wait_ms; }, 0, 10000)},
      {"pipeline.commit_interval_ms", Int("pipeline.commit_interval_ms", [](Config& c) -> auto& { return c.pipeline.commit_interval_ms; }, 1, 60000)},
      {"pipeline.max_buffered_records", Int("pipeline.max_buffered_records", [](Config& c) -> auto& { return c.pipeline.max_buffered_records; }, 100, 10000000)},
      {"log.level", Str("log.level", [](Config& c) -> auto& { return c.log.level; })},
  };
  return fields;
}

constexpr const char* kTariffMoney[] = {"price_fen",      "individual_fen", "enterprise_fen",
                                        "government_fen", "village_fen",    "charity_fen"};

std::int64_t* TariffMoney(TariffConfig& t, std::string_view name) {
  std::int64_t* fields[] = {&t.price_fen,      &t.individual_fen, &t.enterprise_fen,
                            &t.government_fen, &t.village_fen,    &t.charity_fen};
  for (std::size_t i = 0; i < std::size(kTariffMoney); ++i) {
    if (name == kTariffMoney[i]) return fields[i];
  }
  return nullptr;
}

// `tariff`: an array of tables, replacing the defaults as a whole.
Status ApplyTariffs(const toml::node& node, Config* out) {
  const toml::array* entries = node.as_array();
  if (!entries) return TypeError("tariff", "an array of tables ([[tariff]])");
  out->tariffs.clear();
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const std::string key = "tariff[" + std::to_string(i) + "]";
    const toml::table* table = entries->get(i)->as_table();
    if (!table) return TypeError(key, "a table");
    TariffConfig t;
    for (const auto& [k, value] : *table) {
      const std::string name(k.str());
      if (name == "site" || name == "category") {
        if (!value.is_string()) return TypeError(key + "." + name, "a string");
        (name == "site" ? t.site : t.category) = *value.value<std::string>();
      } else if (std::int64_t* money = TariffMoney(t, name)) {
        if (!value.is_integer() || *value.value<std::int64_t>() < 0) {
          return TypeError(key + "." + name, "a whole number of fen, 0 or more");
        }
        *money = *value.value<std::int64_t>();
      } else {
        return Status::Invalid("unknown config key '" + key + "." + name + "'");
      }
    }
    out->tariffs.push_back(t);
  }
  return Status::Ok();
}

Status CheckTariffs(const std::vector<TariffConfig>& tariffs) {
  bool fallback = false;
  std::set<std::pair<std::string, std::string>> seen;
  for (std::size_t i = 0; i < tariffs.size(); ++i) {
    const TariffConfig& t = tariffs[i];
    const std::string key = "config key 'tariff[" + std::to_string(i) + "]'";
    if (t.category != "*" && ElderCategoryBitOf(t.category) < 0) {
      return Status::Invalid(key + ": unknown category '" + t.category + "'");
    }
    const std::int64_t shares = t.individual_fen + t.enterprise_fen + t.government_fen + t.village_fen + t.charity_fen;
    if (shares != t.price_fen) {
      return Status::Invalid(key + ": the shares add up to " + std::to_string(shares) + " fen, not the price " +
                             std::to_string(t.price_fen));
    }
    if (!seen.emplace(t.site, t.category).second) {
      return Status::Invalid(key + ": a second entry for site '" + t.site + "' and category '" + t.category + "'");
    }
    fallback |= t.site == "*" && t.category == "*";
  }
  if (!fallback) {
    return Status::Invalid(
        "config key 'tariff': no entry for site \"*\" and category \"*\" (every delivery must book exactly one "
        "ledger entry)");
  }
  return Status::Ok();
}

std::string ShowTariffs(const std::vector<TariffConfig>& tariffs) {
  std::string out = "[";
  for (const TariffConfig& t : tariffs) {
    out += out.size() > 1 ? ", " : "";
    out += "{site = \"" + t.site + "\", category = \"" + t.category + "\"";
    TariffConfig copy = t;
    for (const char* name : kTariffMoney) out += std::string(", ") + name + " = " + std::to_string(*TariffMoney(copy, name));
    out += "}";
  }
  return out + "]";
}

constexpr const char* kTokenKeys[] = {"name", "role", "sha256"};

std::string* TokenText(TokenConfig& t, std::string_view name) {
  if (name == "name") return &t.name;
  if (name == "role") return &t.role;
  if (name == "sha256") return &t.sha256;
  return nullptr;
}

// `api.tokens`: an array of tables, each with exactly name, role and sha256.
Status ApplyTokens(const toml::node& node, Config* out) {
  const toml::array* entries = node.as_array();
  if (!entries) return TypeError("api.tokens", "an array of tables ([[api.tokens]])");
  out->api.tokens.clear();
  for (std::size_t i = 0; i < entries->size(); ++i) {
    const std::string key = "api.tokens[" + std::to_string(i) + "]";
    const toml::table* table = entries->get(i)->as_table();
    if (!table) return TypeError(key, "a table with name, role and sha256");
    TokenConfig t;
    for (const auto& [k, value] : *table) {
      const std::string name(k.str());
      std::string* text = TokenText(t, name);
      if (!text) return Status::Invalid("unknown config key '" + key + "." + name + "'");
      if (!value.is_string()) return TypeError(key + "." + name, "a string");
      *text = *value.value<std::string>();
    }
    for (const char* name : kTokenKeys) {
      if (TokenText(t, name)->empty()) {
        return Status::Invalid("config key '" + key + "." + name + "': missing or empty");
      }
    }
    out->api.tokens.push_back(std::move(t));
  }
  return Status::Ok();
}

bool IsTokenName(std::string_view name) {
  return !name.empty() && name.size() <= 64 && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
           std::string_view("-_.@:").find(c) != std::string_view::npos;
  });
}

// Lower-cases the hashes; names and hashes must be unique.
Status CheckTokens(std::vector<TokenConfig>& tokens) {
  std::set<std::string> names;
  std::set<std::string> hashes;
  for (std::size_t i = 0; i < tokens.size(); ++i) {
    TokenConfig& t = tokens[i];
    const std::string key = "config key 'api.tokens[" + std::to_string(i) + "]";
    if (!IsTokenName(t.name)) {
      return Status::Invalid(key + ".name': '" + t.name +
                             "' must be 1 to 64 letters, digits or -_.@: (it names the caller in the audit trail)");
    }
    if (t.role != "viewer" && t.role != "dispatcher" && t.role != "admin") {
      return Status::Invalid(key + ".role': '" + t.role + "' is not one of viewer, dispatcher, admin");
    }
    std::transform(t.sha256.begin(), t.sha256.end(), t.sha256.begin(),
                   [](char c) { return (c >= 'A' && c <= 'F') ? static_cast<char>(c - 'A' + 'a') : c; });
    if (t.sha256.size() != 64 || t.sha256.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return Status::Invalid(key + ".sha256': not 64 hex digits (the SHA-256 of the token, not the token)");
    }
    if (!names.insert(t.name).second) return Status::Invalid(key + ".name': a second token named '" + t.name + "'");
    if (!hashes.insert(t.sha256).second) {
      return Status::Invalid(key + ".sha256': the same token as an earlier entry (each name needs its own token)");
    }
  }
  return Status::Ok();
}

std::string ShowTokens(const std::vector<TokenConfig>& tokens) {
  std::string out = "[";
  for (const TokenConfig& t : tokens) {
    out += out.size() > 1 ? ", " : "";
    out += "{name = \"" + t.name + "\", role = \"" + t.role + "\", sha256 = \"" + t.sha256 + "\"}";
  }
  return out + "]";
}

Status Apply(const std::string& key, const toml::node& node, Config* out) {
  if (key == "tariff") return ApplyTariffs(node, out);
  if (key == "api.tokens") return ApplyTokens(node, out);
  auto it = Fields().find(key);
  if (it == Fields().end()) return Status::Invalid("unknown config key '" + key + "'");
  return it->second.set(node, out);
}

Status ApplyTable(const toml::table& table, const std::string& prefix, Config* out) {
  for (const auto& [k, node] : table) {
    const std::string key = prefix.empty() ? std::string(k.str()) : prefix + "." + std::string(k.str());
    if (const toml::table* sub = node.as_table(); sub && key != "tariff" && key != "api.tokens") {
      if (Status s = ApplyTable(*sub, key, out); !s.ok()) return s;
    } else if (Status s = Apply(key, node, out); !s.ok()) {
      return s;
    }
  }
  return Status::Ok();
}

// A key whose value must be one of a few words.
Status CheckOneOf(const std::string& key, const std::string& value, std::initializer_list<const char*> allowed) {
  std::string list;
  for (const char* a : allowed) {
    if (value == a) return Status::Ok();
    list += list.empty() ? a : std::string(", ") + a;
  }
  return Status::Invalid("config key '" + key + "': '" + value + "' is not one of " + list);
}

}  // namespace

std::vector<TariffConfig> DefaultTariffs() {
  TariffConfig any{"*", "*", 1500, 1500, 0, 0, 0, 0};
  TariffConfig extremely_poor{"*", "extremely_poor", 1500, 0, 0, 1500, 0, 0};
  TariffConfig minimum_allowance{"*", "minimum_allowance", 1500, 500, 0, 1000, 0, 0};
  TariffConfig very_old{"*", "very_old", 1500, 1000, 0, 500, 0, 0};
  return {any, extremely_poor, minimum_allowance, very_old};
}

Status LoadConfig(const std::string& path, const std::vector<std::string>& overrides, Config* out) {
  *out = Config{};
  if (!path.empty()) {
    toml::table table;
    try {
      table = toml::parse_file(path);
    } catch (const toml::parse_error& e) {
      std::ostringstream os;
      os << "config file " << path << ": " << e.description() << " at line " << e.source().begin.line;
      return Status::Invalid(os.str());
    }
    if (Status s = ApplyTable(table, "", out); !s.ok()) return s;
  }
  for (const std::string& override : overrides) {
    const std::size_t eq = override.find('=');
    if (eq == std::string::npos || eq == 0) {
      return Status::Invalid("override '" + override + "': expected key=value");
    }
    const std::string key = override.substr(0, eq);
    const std::string value = override.substr(eq + 1);
    toml::table parsed;
    try {
      parsed = toml::parse("v = " + value);
    } catch (const toml::parse_error&) {
      parsed = toml::table{{"v", value}};  // a bare word is a string
    }
    if (Status s = Apply(key, *parsed.get("v"), out); !s.ok()) return s;
  }
  if (out->http.tls_cert.empty() != out->http.tls_key.empty()) {
    const char* missing = out->http.tls_cert.empty() ? "http.tls_cert" : "http.tls_key";
    return Status::Invalid(std::string("config key '") + missing +
                           "': empty, but TLS needs both http.tls_cert and http.tls_key");
  }
  if (!out->http.advertised_url.empty() && !out->http.advertised_url.starts_with("http://")) {
    return Status::Invalid("config key 'http.advertised_url': must start with http:// (peers speak plain HTTP)");
  }
  if (Status s = CheckOneOf("log.level", out->log.level, {"trace", "debug", "info", "warn", "error", "critical", "off"});
      !s.ok()) {
    return s;
  }
  if (Status s = CheckOneOf("dispatch.objective", out->dispatch.objective, {"travel", "couriers"}); !s.ok()) return s;
  if (Status s = CheckOneOf("dispatch.outside_radius", out->dispatch.outside_radius, {"alert", "reject"}); !s.ok()) {
    return s;
  }
  if (Status s = CheckOneOf("dispatch.helper_fallback", out->dispatch.helper_fallback, {"team", "any"}); !s.ok()) {
    return s;
  }
  if (Status s = CheckTokens(out->api.tokens); !s.ok()) return s;
  return CheckTariffs(out->tariffs);
}

std::string DescribeDefaults() {
  const Config defaults;
  std::string out;
  for (const auto& [key, field] : Fields()) out += key + " = " + field.show(defaults) + "\n";
  out += "tariff = " + ShowTariffs(defaults.tariffs) + "\n";
  out += "api.tokens = " + ShowTokens(defaults.api.tokens) + "\n";
  return out;
}

}  // namespace meal::config
