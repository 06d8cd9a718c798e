#include "config/config.h"

#include <algorithm>
#include <filesystem>
#include <fstream>
#include <iterator>
#include <sstream>
#include <string>
#include <vector>

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace meal::config {
namespace {

using ::testing::HasSubstr;

constexpr int kFieldCount = 79;

// Each test gets its own directory for the TOML files it writes.
class ConfigTest : public ::testing::Test {
 protected:
  void SetUp() override {
    const ::testing::TestInfo* info = ::testing::UnitTest::GetInstance()->current_test_info();
    dir_ = std::filesystem::path(::testing::TempDir()) /
           ("meal_config_test_" + std::string(info->name()));
    std::filesystem::remove_all(dir_);
    std::filesystem::create_directories(dir_);
  }
  void TearDown() override { std::filesystem::remove_all(dir_); }

  // Writes `text` to `name` in the test's directory; returns the path.
  std::string Write(const std::string& name, const std::string& text) {
    const std::filesystem::path path = dir_ / name;
    std::ofstream(path) << text;
    return path.string();
  }

  // Loads `text` as a config file with `overrides` on top.
  Status LoadText(const std::string& text, const std::vector<std::string>& overrides, Config* out) {
    return LoadConfig(Write("meal.toml", text), overrides, out);
  }

  std::filesystem::path dir_;
};

TEST_F(ConfigTest, DefaultsWhenPathEmpty) {
  Config c;
  c.http.port = 1;  // LoadConfig starts from the defaults, not from *out
  c.log.level = "trace";
  ASSERT_TRUE(LoadConfig("", {}, &c).ok());
  EXPECT_EQ(c.kafka.bootstrap_servers, "127.0.0.1:19092");
  EXPECT_EQ(c.kafka.group_id, "meal-dispatch");
  EXPECT_EQ(c.kafka.partitions, 4);
  EXPECT_EQ(c.topics.orders, "meal.orders");
  EXPECT_EQ(c.topics.dlq, "meal.dlq");
  EXPECT_EQ(c.state.path, "./data/state");
  EXPECT_FALSE(c.state.sync);
  EXPECT_EQ(c.http.address, "127.0.0.1");
  EXPECT_EQ(c.http.port, 8080);
  EXPECT_EQ(c.dispatch.hot_meal_limit_min, 45);
  EXPECT_DOUBLE_EQ(c.dispatch.circuity, 1.3);
  EXPECT_EQ(c.pipeline.batch_max_records, 2000);
  EXPECT_EQ(c.log.level, "info");
}

TEST_F(ConfigTest, FileOverridesKeysInSeveralSections) {
  Config c;
  const Status s = LoadText(R"(# a comment
[kafka]
bootstrap_servers = "kafka-1:9092,kafka-2:9092"
partitions = 12

[state]
sync = true

[dispatch]
hot_meal_limit_min = 30
circuity = 1.45
car_kmh = 25       # an integer is accepted where a number is expected

[log]
level = "debug"
)",
                            {}, &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.kafka.bootstrap_servers, "kafka-1:9092,kafka-2:9092");
  EXPECT_EQ(c.kafka.partitions, 12);
  EXPECT_TRUE(c.state.sync);
  EXPECT_EQ(c.dispatch.hot_meal_limit_min, 30);
  EXPECT_DOUBLE_EQ(c.dispatch.circuity, 1.45);
  EXPECT_DOUBLE_EQ(c.dispatch.car_kmh, 25.0);
  EXPECT_EQ(c.log.level, "debug");
  // Keys the file does not mention keep their defaults.
  EXPECT_EQ(c.kafka.group_id, "meal-dispatch");
  EXPECT_EQ(c.http.port, 8080);
  EXPECT_EQ(c.state.block_cache_mb, 64);
}

TEST_F(ConfigTest, EveryKeyReachesItsOwnField) {
  // Distinct non-default values everywhere catch a key wired to the wrong
  // field.
  Config c;
  const Status s = LoadText(R"(
kafka.bootstrap_servers = "b:1"
kafka.group_id = "g"
kafka.client_id = "c"
kafka.partitions = 7
kafka.replication_factor = 3
topics.orders = "t1"
topics.couriers = "t2"
topics.deliveries = "t3"
topics.sites = "t4"
topics.elders = "t5"
topics.assignments = "t6"
topics.alerts = "t7"
topics.dlq = "t8"
state.path = "/var/lib/meal"
state.sync = true
state.block_cache_mb = 128
http.address = "0.0.0.0"
http.port = 9090
http.threads = 4
dispatch.hot_meal_limit_min = 31
dispatch.chilled_meal_limit_min = 121
dispatch.pickup_service_s = 61
dispatch.delivery_service_s = 62
dispatch.circuity = 1.5
dispatch.walk_kmh = 5.5
dispatch.bike_kmh = 15.5
dispatch.ebike_kmh = 20.5
dispatch.car_kmh = 30.5
dispatch.retries_per_completion = 3
dispatch.reoptimize_interval_s = 300
dispatch.reoptimize_evaluations = 64
pipeline.batch_max_records = 500
pipeline.batch_max_wait_ms = 7
log.level = "warn"
)",
                            {}, &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.kafka.bootstrap_servers, "b:1");
  EXPECT_EQ(c.kafka.group_id, "g");
  EXPECT_EQ(c.kafka.client_id, "c");
  EXPECT_EQ(c.kafka.partitions, 7);
  EXPECT_EQ(c.kafka.replication_factor, 3);
  EXPECT_EQ(c.topics.orders, "t1");
  EXPECT_EQ(c.topics.couriers, "t2");
  EXPECT_EQ(c.topics.deliveries, "t3");
  EXPECT_EQ(c.topics.sites, "t4");
  EXPECT_EQ(c.topics.elders, "t5");
  EXPECT_EQ(c.topics.assignments, "t6");
  EXPECT_EQ(c.topics.alerts, "t7");
  EXPECT_EQ(c.topics.dlq, "t8");
  EXPECT_EQ(c.state.path, "/var/lib/meal");
  EXPECT_TRUE(c.state.sync);
  EXPECT_EQ(c.state.block_cache_mb, 128);
  EXPECT_EQ(c.http.address, "0.0.0.0");
  EXPECT_EQ(c.http.port, 9090);
  EXPECT_EQ(c.http.threads, 4);
  EXPECT_EQ(c.dispatch.hot_meal_limit_min, 31);
  EXPECT_EQ(c.dispatch.chilled_meal_limit_min, 121);
  EXPECT_EQ(c.dispatch.pickup_service_s, 61);
  EXPECT_EQ(c.dispatch.delivery_service_s, 62);
  EXPECT_DOUBLE_EQ(c.dispatch.circuity, 1.5);
  EXPECT_DOUBLE_EQ(c.dispatch.walk_kmh, 5.5);
  EXPECT_DOUBLE_EQ(c.dispatch.bike_kmh, 15.5);
  EXPECT_DOUBLE_EQ(c.dispatch.ebike_kmh, 20.5);
  EXPECT_DOUBLE_EQ(c.dispatch.car_kmh, 30.5);
  EXPECT_EQ(c.dispatch.retries_per_completion, 3);
  EXPECT_EQ(c.dispatch.reoptimize_interval_s, 300);
  EXPECT_EQ(c.dispatch.reoptimize_evaluations, 64);
  EXPECT_EQ(c.pipeline.batch_max_records, 500);
  EXPECT_EQ(c.pipeline.batch_max_wait_ms, 7);
  EXPECT_EQ(c.log.level, "warn");
}

TEST_F(ConfigTest, UnknownKeyFailsWithFullDottedKey) {
  Config c;
  Status s = LoadText("[dispatch]\nhot_meal_limit = 30\n", {}, &c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("'dispatch.hot_meal_limit'"));

  s = LoadText("[dispatch.extra]\ndepth = 2\n", {}, &c);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("'dispatch.extra.depth'"));

  s = LoadText("verbose = true\n", {}, &c);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("'verbose'"));

  s = LoadText("[metrics]\nport = 9100\n", {}, &c);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("'metrics.port'"));

  s = LoadConfig("", {"kafka.brokers=x:1"}, &c);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("'kafka.brokers'"));
}

TEST_F(ConfigTest, WrongTypeFailsNamingTheKey) {
  struct Case {
    std::string toml;
    std::string key;
  };
  const std::vector<Case> cases = {
      {"[kafka]\npartitions = \"four\"\n", "'kafka.partitions'"},
      {"[kafka]\npartitions = 4.0\n", "'kafka.partitions'"},
      {"[state]\nsync = 1\n", "'state.sync'"},
      {"[http]\naddress = 8080\n", "'http.address'"},
      {"[dispatch]\ncircuity = \"1.3\"\n", "'dispatch.circuity'"},
      {"[topics]\norders = [\"a\", \"b\"]\n", "'topics.orders'"},
  };
  for (const Case& c : cases) {
    Config config;
    const Status s = LoadText(c.toml, {}, &config);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.toml;
    EXPECT_THAT(s.message(), HasSubstr(c.key)) << c.toml;
    EXPECT_THAT(s.message(), HasSubstr("expected")) << c.toml;
  }
}

TEST_F(ConfigTest, OutOfRangeFailsNamingTheKey) {
  struct Case {
    std::string toml;
    std::string key;
  };
  const std::vector<Case> cases = {
      {"[http]\nport = 70000\n", "'http.port'"},
      {"[http]\nport = -1\n", "'http.port'"},
      {"[kafka]\npartitions = 0\n", "'kafka.partitions'"},
      {"[state]\nblock_cache_mb = 4\n", "'state.block_cache_mb'"},
      {"[dispatch]\ncircuity = 0.5\n", "'dispatch.circuity'"},
      {"[dispatch]\nwalk_kmh = nan\n", "'dispatch.walk_kmh'"},
      {"[dispatch]\ncar_kmh = inf\n", "'dispatch.car_kmh'"},
      {"[pipeline]\nbatch_max_wait_ms = 10001\n", "'pipeline.batch_max_wait_ms'"},
      {"[kafka]\nbootstrap_servers = \"\"\n", "'kafka.bootstrap_servers'"},
  };
  for (const Case& c : cases) {
    Config config;
    const Status s = LoadText(c.toml, {}, &config);
    EXPECT_EQ(s.code(), StatusCode::kInvalidArgument) << c.toml;
    EXPECT_THAT(s.message(), HasSubstr(c.key)) << c.toml;
  }
  // The bounds themselves are in range.
  Config config;
  const Status s = LoadText("[http]\nport = 0\n[kafka]\npartitions = 10000\n", {}, &config);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(config.http.port, 0);
  EXPECT_EQ(config.kafka.partitions, 10000);
}

TEST_F(ConfigTest, OverridesBeatTheFile) {
  Config c;
  const Status s = LoadText("[http]\nport = 9000\nthreads = 2\n[log]\nlevel = \"warn\"\n",
                            {"http.port=9100", "log.level=\"error\"", "dispatch.circuity=1.1"}, &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.http.port, 9100);
  EXPECT_EQ(c.log.level, "error");
  EXPECT_DOUBLE_EQ(c.dispatch.circuity, 1.1);
  EXPECT_EQ(c.http.threads, 2);  // from the file, not overridden
}

TEST_F(ConfigTest, LaterOverrideWins) {
  Config c;
  ASSERT_TRUE(LoadConfig("", {"http.port=1000", "http.port=2000"}, &c).ok());
  EXPECT_EQ(c.http.port, 2000);
}

TEST_F(ConfigTest, BareWordOverrideIsAString) {
  Config c;
  const Status s = LoadConfig("",
                              {"http.address=0.0.0.0", "log.level=debug",
                               "kafka.bootstrap_servers=broker-1:9092,broker-2:9092",
                               "state.path=/var/lib/meal/state", "topics.orders=\"quoted.orders\""},
                              &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  EXPECT_EQ(c.http.address, "0.0.0.0");
  EXPECT_EQ(c.log.level, "debug");
  EXPECT_EQ(c.kafka.bootstrap_servers, "broker-1:9092,broker-2:9092");
  EXPECT_EQ(c.state.path, "/var/lib/meal/state");
  EXPECT_EQ(c.topics.orders, "quoted.orders");  // TOML syntax: the quotes go
}

TEST_F(ConfigTest, BadOverridesFailNamingTheKey) {
  Config c;
  Status s = LoadConfig("", {"http.port=eighty"}, &c);  // a bare word is a string, not a port
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("'http.port'"));

  s = LoadConfig("", {"http.port=99999"}, &c);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("'http.port'"));

  s = LoadConfig("", {"state.sync=yes"}, &c);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("'state.sync'"));

  s = LoadConfig("", {"http.port"}, &c);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("'http.port'"));
  EXPECT_THAT(s.message(), HasSubstr("key=value"));

  s = LoadConfig("", {"=8080"}, &c);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("key=value"));
}

TEST_F(ConfigTest, MalformedTomlFailsWithFileAndLine) {
  Config c;
  const std::string path = Write("broken.toml",
                                 "[kafka]\n"
                                 "partitions = 4\n"
                                 "client_id = \"unterminated\n"
                                 "group_id = \"g\"\n");
  const Status s = LoadConfig(path, {}, &c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr(path));
  EXPECT_THAT(s.message(), HasSubstr("line 3"));
}

TEST_F(ConfigTest, MalformedTomlReportsTheLineOfTheError) {
  Config c;
  const std::string path = Write("broken.toml",
                                 "[http]\n"
                                 "port = 8080\n"
                                 "\n"
                                 "# fine so far\n"
                                 "threads = = 2\n");
  const Status s = LoadConfig(path, {}, &c);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("broken.toml"));
  EXPECT_THAT(s.message(), HasSubstr("line 5"));
}

TEST_F(ConfigTest, MissingFileFailsNamingIt) {
  Config c;
  const std::string path = (dir_ / "absent.toml").string();
  const Status s = LoadConfig(path, {}, &c);
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr(path));
}

TEST_F(ConfigTest, DispatchObjectiveIsTravelOrCouriers) {
  Config c;
  ASSERT_TRUE(LoadConfig("", {"dispatch.objective=couriers", "dispatch.regret_k=1"}, &c).ok());
  EXPECT_EQ(c.dispatch.objective, "couriers");
  EXPECT_EQ(c.dispatch.regret_k, 1);
  Status s = LoadConfig("", {"dispatch.objective=vehicles"}, &c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("'dispatch.objective'"));
  EXPECT_THAT(s.message(), HasSubstr("travel, couriers"));
  s = LoadConfig("", {"dispatch.regret_k=0"}, &c);
  EXPECT_THAT(s.message(), HasSubstr("'dispatch.regret_k'"));
}

TEST_F(ConfigTest, ElderCareKeysAreCheckedByName) {
  Config c;
  ASSERT_TRUE(LoadConfig("", {"dispatch.helper_fallback=any", "wellness.phone_call_min=5",
                              "dispatch.standing_lead_min=60"}, &c).ok());
  EXPECT_EQ(c.dispatch.helper_fallback, "any");
  EXPECT_EQ(c.wellness.phone_call_min, 5);
  EXPECT_EQ(c.dispatch.standing_lead_min, 60);
  Status s = LoadConfig("", {"dispatch.helper_fallback=nobody"}, &c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("'dispatch.helper_fallback'"));
  EXPECT_THAT(s.message(), HasSubstr("team, any"));
  s = LoadConfig("", {"wellness.community_worker_min=0"}, &c);
  EXPECT_THAT(s.message(), HasSubstr("'wellness.community_worker_min'"));
}

TEST_F(ConfigTest, TariffsReplaceTheDefaultsAndAreChecked) {
  Config c;
  ASSERT_TRUE(LoadText(R"([[tariff]]
site = "*"
category = "*"
price_fen = 1200
individual_fen = 200
government_fen = 1000

[[tariff]]
site = "site-7"
category = "disabled"
price_fen = 1200
charity_fen = 1200
)",
                       {}, &c)
                  .ok());
  ASSERT_EQ(c.tariffs.size(), 2u);
  EXPECT_EQ(c.tariffs[1].site, "site-7");
  EXPECT_EQ(c.tariffs[1].charity_fen, 1200);

  Status s = LoadText("[[tariff]]\nprice_fen = 1500\nindividual_fen = 1000\n", {}, &c);
  EXPECT_THAT(s.message(), HasSubstr("'tariff[0]'"));
  EXPECT_THAT(s.message(), HasSubstr("add up to 1000 fen, not the price 1500"));
  s = LoadText("[[tariff]]\ncategory = \"poor\"\n", {}, &c);
  EXPECT_THAT(s.message(), HasSubstr("unknown category 'poor'"));
  s = LoadText("[[tariff]]\nsite = \"s1\"\n", {}, &c);
  EXPECT_THAT(s.message(), HasSubstr("no entry for site \"*\" and category \"*\""));
  s = LoadText("[[tariff]]\nprice = 1\n", {}, &c);
  EXPECT_THAT(s.message(), HasSubstr("'tariff[0].price'"));
  s = LoadText("[[tariff]]\nprice_fen = -5\n", {}, &c);
  EXPECT_THAT(s.message(), HasSubstr("'tariff[0].price_fen'"));
  s = LoadText("[[tariff]]\n[[tariff]]\n", {}, &c);
  EXPECT_THAT(s.message(), HasSubstr("a second entry"));
}

// sha256 of "demo-viewer-token" and "demo-admin-token" (upper case: hex in either case is accepted).
constexpr char kViewerHash[] = "db2c460a3dd812a27b2a7f60d1320322c27ac3b28b3b90b11c05ecc7b4bcc856";
constexpr char kAdminHash[] = "91C16F0D6CC1BEC3C3603972182A07C66FF4FA71618A975E963D6DBE42B6DD37";

TEST_F(ConfigTest, ApiTokensAreLoadedAsTablesAndHashesLowerCased) {
  Config c;
  const Status s = LoadText(std::string(R"([api]
requests_per_s = 2.5
burst = 5

[[api.tokens]]
name = "desk-1"
role = "viewer"
sha256 = ")") + kViewerHash + R"("

[[api.tokens]]
name = "ops@site.7"
role = "admin"
sha256 = ")" + kAdminHash + "\"\n",
                            {"http.max_body_kb=64"}, &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(c.api.tokens.size(), 2u);
  EXPECT_EQ(c.api.tokens[0].name, "desk-1");
  EXPECT_EQ(c.api.tokens[0].role, "viewer");
  EXPECT_EQ(c.api.tokens[1].sha256, "91c16f0d6cc1bec3c3603972182a07c66ff4fa71618a975e963d6dbe42b6dd37");
  EXPECT_DOUBLE_EQ(c.api.requests_per_s, 2.5);
  EXPECT_EQ(c.api.burst, 5);
  EXPECT_EQ(c.http.max_body_kb, 64);
  EXPECT_TRUE(Config{}.api.tokens.empty()) << "no token is built in";
}

TEST_F(ConfigTest, ApiTokensAsAnOverride) {
  Config c;
  const Status s = LoadConfig(
      "", {std::string("api.tokens=[{name = \"a\", role = \"dispatcher\", sha256 = \"") + kViewerHash + "\"}]"}, &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  ASSERT_EQ(c.api.tokens.size(), 1u);
  EXPECT_EQ(c.api.tokens[0].role, "dispatcher");
}

TEST_F(ConfigTest, BadApiTokensStopTheStartWithTheKeyAndWhy) {
  auto load = [&](const std::string& entries) {
    Config c;
    return LoadText(entries, {}, &c);
  };
  auto token = [](const std::string& name, const std::string& role, const std::string& hash) {
    return "[[api.tokens]]\nname = \"" + name + "\"\nrole = \"" + role + "\"\nsha256 = \"" + hash + "\"\n";
  };
  Status s = load(token("desk", "root", kViewerHash));
  EXPECT_THAT(s.message(), HasSubstr("'api.tokens[0].role'"));
  EXPECT_THAT(s.message(), HasSubstr("'root' is not one of viewer, dispatcher, admin"));
  s = load(token("desk", "viewer", "demo-viewer-token"));
  EXPECT_THAT(s.message(), HasSubstr("'api.tokens[0].sha256'"));
  EXPECT_THAT(s.message(), HasSubstr("not 64 hex digits"));
  s = load(token("desk", "viewer", std::string(kViewerHash).substr(1) + "g"));
  EXPECT_THAT(s.message(), HasSubstr("not 64 hex digits"));
  s = load(token("desk", "viewer", kViewerHash) + token("desk", "admin", kAdminHash));
  EXPECT_THAT(s.message(), HasSubstr("'api.tokens[1].name'"));
  EXPECT_THAT(s.message(), HasSubstr("a second token named 'desk'"));
  s = load(token("desk", "viewer", kViewerHash) + token("desk-2", "admin", kViewerHash));
  EXPECT_THAT(s.message(), HasSubstr("'api.tokens[1].sha256'"));
  EXPECT_THAT(s.message(), HasSubstr("the same token"));
  s = load(token("desk one", "viewer", kViewerHash));
  EXPECT_THAT(s.message(), HasSubstr("'api.tokens[0].name'"));
  s = load("[[api.tokens]]\nname = \"desk\"\nrole = \"viewer\"\n");
  EXPECT_THAT(s.message(), HasSubstr("'api.tokens[0].sha256': missing"));
  s = load(token("desk", "viewer", kViewerHash) + "token = \"plain\"\n");
  EXPECT_THAT(s.message(), HasSubstr("unknown config key 'api.tokens[0].token'"));
  s = load("[api.tokens]\nname = \"desk\"\n");
  EXPECT_THAT(s.message(), HasSubstr("'api.tokens': expected an array of tables"));
  s = load("[api]\nrequests_per_s = 0\n");
  EXPECT_THAT(s.message(), HasSubstr("'api.requests_per_s'"));
  s = load("[http]\nmax_body_kb = 0\n");
  EXPECT_THAT(s.message(), HasSubstr("'http.max_body_kb'"));
}

TEST_F(ConfigTest, BadLogLevelFails) {
  Config c;
  Status s = LoadText("[log]\nlevel = \"verbose\"\n", {}, &c);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("'log.level'"));
  EXPECT_THAT(s.message(), HasSubstr("verbose"));

  s = LoadConfig("", {"log.level=INFO"}, &c);  // levels are lower case
  EXPECT_FALSE(s.ok());
  EXPECT_THAT(s.message(), HasSubstr("'log.level'"));

  for (const char* level : {"trace", "debug", "info", "warn", "error", "critical", "off"}) {
    s = LoadConfig("", {std::string("log.level=") + level}, &c);
    EXPECT_TRUE(s.ok()) << level << ": " << s.ToString();
    EXPECT_EQ(c.log.level, level);
  }
}

TEST_F(ConfigTest, WebDirIsOptional) {
  Config c;
  ASSERT_TRUE(LoadConfig("", {}, &c).ok());
  EXPECT_EQ(c.http.web_dir, "");  // no pages served
  ASSERT_TRUE(LoadConfig(Write("web.toml", "[http]\nweb_dir = \"/usr/share/meal-dispatch/web\"\n"), {}, &c).ok());
  EXPECT_EQ(c.http.web_dir, "/usr/share/meal-dispatch/web");
  ASSERT_TRUE(LoadConfig("", {"http.web_dir=\"\""}, &c).ok());
  EXPECT_EQ(c.http.web_dir, "");
  EXPECT_FALSE(LoadConfig("", {"http.web_dir=3"}, &c).ok());
}

TEST_F(ConfigTest, TlsNeedsBothFilesAndStreamLimitsAreChecked) {
  Config c;
  ASSERT_TRUE(LoadConfig("", {}, &c).ok());
  EXPECT_EQ(c.http.tls_cert, "");  // plain HTTP
  EXPECT_EQ(c.http.max_ws_clients, 64);
  EXPECT_EQ(c.http.ws_queue_messages, 1024);
  ASSERT_TRUE(LoadText("[http]\ntls_cert = \"/etc/tls/cert.pem\"\ntls_key = \"/etc/tls/key.pem\"\n"
                       "max_ws_clients = 5\nws_queue_messages = 10\n",
                       {}, &c)
                  .ok());
  EXPECT_EQ(c.http.tls_key, "/etc/tls/key.pem");
  EXPECT_EQ(c.http.max_ws_clients, 5);
  EXPECT_EQ(c.http.ws_queue_messages, 10);
  Status s = LoadConfig("", {"http.tls_cert=/etc/tls/cert.pem"}, &c);
  EXPECT_THAT(s.message(), HasSubstr("'http.tls_key': empty, but TLS needs both"));
  s = LoadConfig("", {"http.tls_key=/etc/tls/key.pem"}, &c);
  EXPECT_THAT(s.message(), HasSubstr("'http.tls_cert'"));
  s = LoadConfig("", {"http.max_ws_clients=0"}, &c);
  EXPECT_THAT(s.message(), HasSubstr("'http.max_ws_clients'"));
  s = LoadConfig("", {"http.ws_queue_messages=0"}, &c);
  EXPECT_THAT(s.message(), HasSubstr("'http.ws_queue_messages'"));
}

TEST_F(ConfigTest, DescribeDefaultsListsEveryKey) {
  const std::string text = DescribeDefaults();
  EXPECT_EQ(std::count(text.begin(), text.end(), '\n'), kFieldCount);
  EXPECT_EQ(text.back(), '\n');
  EXPECT_THAT(text, HasSubstr("kafka.bootstrap_servers = \"127.0.0.1:19092\"\n"));
  EXPECT_THAT(text, HasSubstr("http.port = 8080\n"));
  EXPECT_THAT(text, HasSubstr("state.sync = false\n"));
  EXPECT_THAT(text, HasSubstr("dispatch.circuity = 1.3\n"));
  EXPECT_THAT(text, HasSubstr("dispatch.bike_kmh = 12.6\n"));
  EXPECT_THAT(text, HasSubstr("pipeline.batch_max_wait_ms = 20\n"));
  EXPECT_THAT(text, HasSubstr("topics.dlq = \"meal.dlq\"\n"));
  EXPECT_THAT(text, HasSubstr("log.level = \"info\"\n"));
}

TEST_F(ConfigTest, DescribeDefaultsIsALoadableFileOfTheDefaults) {
  // Each line is a dotted TOML key, so the listing loads as a config file
  // and every key in it is known and valid.
  Config c;
  c.http.port = 1;
  const Status s = LoadConfig(Write("defaults.toml", DescribeDefaults()), {}, &c);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const Config defaults;
  EXPECT_EQ(c.kafka.bootstrap_servers, defaults.kafka.bootstrap_servers);
  EXPECT_EQ(c.http.port, defaults.http.port);
  EXPECT_DOUBLE_EQ(c.dispatch.ebike_kmh, defaults.dispatch.ebike_kmh);
  EXPECT_EQ(c.log.level, defaults.log.level);
}

}  // namespace
}  // namespace meal::config

namespace meal::config {
namespace {

std::vector<std::string> DefaultKeys() {
  std::vector<std::string> keys;
  std::istringstream lines(DescribeDefaults());
  for (std::string line; std::getline(lines, line);) keys.push_back(line.substr(0, line.find(' ')));
  return keys;
}

TEST(ConfigDocsTest, ReferencePageListsEveryKey) {
  std::ifstream file(std::string(MEAL_SOURCE_DIR) + "/docs/configuration.md");
  ASSERT_TRUE(file.good());
  const std::string doc((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  for (const std::string& key : DefaultKeys()) {
    std::string needle = "| `";
    needle += key;
    needle += "` |";
    EXPECT_NE(doc.find(needle), std::string::npos) << key << " is not in docs/configuration.md";
  }
}

TEST(ConfigDocsTest, ExampleFileLoadsAndEqualsTheDefaults) {
  Config loaded;
  const Status s = LoadConfig(std::string(MEAL_SOURCE_DIR) + "/deploy/config/meal-dispatchd.toml", {}, &loaded);
  ASSERT_TRUE(s.ok()) << s.ToString();
  const Config defaults;
  EXPECT_EQ(loaded.kafka.bootstrap_servers, defaults.kafka.bootstrap_servers);
  EXPECT_EQ(loaded.topics.dlq, defaults.topics.dlq);
  EXPECT_EQ(loaded.state.path, defaults.state.path);
  EXPECT_EQ(loaded.dispatch.ebike_kmh, defaults.dispatch.ebike_kmh);
  EXPECT_EQ(loaded.pipeline.batch_max_records, defaults.pipeline.batch_max_records);
  std::ifstream file(std::string(MEAL_SOURCE_DIR) + "/deploy/config/meal-dispatchd.toml");
  const std::string text((std::istreambuf_iterator<char>(file)), std::istreambuf_iterator<char>());
  for (const std::string& key : DefaultKeys()) {
    std::string needle = "\n";
    needle += key.substr(key.find('.') + 1);
    needle += " = ";
    if (key == "tariff") needle = "\n[[tariff]]\n";  // written as tables there
    EXPECT_NE(text.find(needle), std::string::npos) << key;
  }
  ASSERT_EQ(loaded.tariffs.size(), defaults.tariffs.size());
  for (std::size_t i = 0; i < loaded.tariffs.size(); ++i) {
    EXPECT_EQ(loaded.tariffs[i].category, defaults.tariffs[i].category);
    EXPECT_EQ(loaded.tariffs[i].government_fen, defaults.tariffs[i].government_fen);
  }
}

}  // namespace
}  // namespace meal::config
