// The live stream (GET /api/v1/stream) through the real service: input
// published to Kafka shows up on a WebSocket once committed, masked for a
// viewer; and start-up refuses a TLS configuration it cannot use.
#include <sys/wait.h>
#include <unistd.h>

#include <chrono>
#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <functional>
#include <sstream>
#include <string>
#include <vector>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/test_sockets.h"
#include "scenario.h"

namespace meal::testing {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using nlohmann::json;

// A stream client.
class StreamClient {
 public:
  // `token` as "Authorization: Bearer", or with `in_query` as
  // ?access_token= (as a browser must).
  StreamClient(int port, std::string target, const std::string& token, bool in_query) : ws_(ioc_) {
    tcp::socket& socket = ws_.next_layer();
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), static_cast<std::uint16_t>(port)));
    api::SetReadTimeout(socket, 60);
    if (in_query) {
      target += (target.find('?') == std::string::npos ? "?" : "&") + std::string("access_token=") + token;
    } else {
      ws_.set_option(websocket::stream_base::decorator(
          [token](websocket::request_type& r) { r.set(http::field::authorization, "Bearer " + token); }));
    }
    ws_.read_message_max(0);
    ws_.handshake("127.0.0.1", target, ec_);
  }

  bool connected() const { return !ec_; }
  std::string error() const { return ec_.message(); }

  // The next message; null on an error or when none came within 60 s (the
  // server's pings keep the connection busy, so a socket timeout would not
  // fire).
  json Next() {
    beast::flat_buffer buffer;
    bool done = false;
    ws_.async_read(buffer, [&](beast::error_code ec, std::size_t) {
      ec_ = ec;
      done = true;
    });
    ioc_.restart();
    ioc_.run_for(std::chrono::seconds(60));
    if (!done) {
      beast::error_code ignored;
      ws_.next_layer().close(ignored);  // the read completes, aborted
      ioc_.restart();
      ioc_.run();
      ec_ = net::error::timed_out;
    }
    if (ec_) return nullptr;
    seen_.push_back(beast::buffers_to_string(buffer.data()));
    return json::parse(seen_.back());
  }

  // Every message read, for a failure's message.
  std::string Seen() const {
    std::string out;
    for (const std::string& m : seen_) out += m.substr(0, 600) + "\n";
    return out;
  }

  // Reads messages until each of `wanted` has matched one (each message may
  // match several); returns the first match of each. False if the stream
  // ended or fell silent first.
  bool Collect(const std::vector<std::function<bool(const json&)>>& wanted, std::vector<json>* found) {
    found->assign(wanted.size(), nullptr);
    std::size_t missing = wanted.size();
    while (missing > 0) {
      const json m = Next();
      if (m.is_null()) return false;
      for (std::size_t i = 0; i < wanted.size(); ++i) {
        if ((*found)[i].is_null() && wanted[i](m)) {
          (*found)[i] = m;
          --missing;
        }
      }
    }
    return true;
  }

 private:
  net::io_context ioc_;
  websocket::stream<tcp::socket> ws_;
  beast::error_code ec_;
  std::vector<std::string> seen_;
};

const json* StopOf(const json& courier, const std::string& order_id, const std::string& kind) {
  for (const json& stop : courier["route"]) {
    if (stop["order_id"] == order_id && stop["kind"] == kind) return &stop;
  }
  return nullptr;
}

// An order published to Kafka is assigned; a dispatcher's stream shows the
// order assigned and its courier's new route, a viewer's stream the same
// with the elder's door left out.
TEST(StreamIntegrationTest, AStreamShowsAnAssignmentAndTheCourierRouteMaskedForAViewer) {
  Scenario sc("stream");
  sc.Site("site-1", "ZC21010301001", 5000);
  sc.Elder("elder-1", kSiteLat + 0.01);
  sc.Shift("c1", kDay + 10 * kHour, 4);
  sc.Publish();
  ServiceProcess service("stream", sc.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();

  EXPECT_EQ(api::RawUpgrade(static_cast<std::uint16_t>(service.http_port()), "/api/v1/stream").result_int(), 401u)
      << "the stream needs a token like any API route";
  StreamClient dispatcher(service.http_port(), "/api/v1/stream?area=area-1", kDispatcherToken, false);
  StreamClient viewer(service.http_port(), "/api/v1/stream?area=area-1", kViewerToken, true);
  ASSERT_TRUE(dispatcher.connected()) << dispatcher.error();
  ASSERT_TRUE(viewer.connected()) << viewer.error();
  for (StreamClient* client : {&dispatcher, &viewer}) {
    const json snapshot = client->Next();
    ASSERT_EQ(snapshot["type"], "snapshot") << snapshot;
    EXPECT_EQ(snapshot["area_id"], "area-1");
    ASSERT_EQ(snapshot["couriers"].size(), 1u) << snapshot;
    EXPECT_EQ(snapshot["couriers"][0]["courier_id"], "c1");
    EXPECT_TRUE(snapshot["orders"].empty());
  }
  EXPECT_EQ(service.Metric("meal_ws_clients"), 2);

  sc.Order("o1", "elder-1", kDay + 11 * kHour, kHour, kDay + 10 * kHour + kMinute);
  sc.Ready("o1", kDay + 10 * kHour + 2 * kMinute);
  sc.Publish();

  const std::vector<std::function<bool(const json&)>> wanted = {
      [](const json& m) {
        return m["type"] == "order" && m["order"]["order_id"] == "o1" && m["order"]["status"] == "ASSIGNED";
      },
      [](const json& m) {
        return m["type"] == "courier" && m["courier"]["courier_id"] == "c1" &&
               StopOf(m["courier"], "o1", "DELIVERY") != nullptr;
      }};
  std::vector<json> seen;
  ASSERT_TRUE(dispatcher.Collect(wanted, &seen))
      << dispatcher.error() << "; see " << service.log_path() << "; read:\n" << dispatcher.Seen();
  EXPECT_EQ(seen[0]["area_id"], "area-1");
  EXPECT_EQ(seen[0]["order"]["courier_id"], "c1");
  EXPECT_NE(StopOf(seen[1]["courier"], "o1", "PICKUP"), nullptr);
  EXPECT_TRUE(StopOf(seen[1]["courier"], "o1", "DELIVERY")->contains("location")) << "a dispatcher sees the door";

  std::vector<json> masked;
  ASSERT_TRUE(viewer.Collect(wanted, &masked)) << viewer.error() << "; read:\n" << viewer.Seen();
  EXPECT_EQ(masked[0]["order"]["courier_id"], "c1");
  const json* door = StopOf(masked[1]["courier"], "o1", "DELIVERY");
  EXPECT_FALSE(door->contains("location")) << "a viewer must not see the elder's door: " << *door;
  EXPECT_TRUE(StopOf(masked[1]["courier"], "o1", "PICKUP")->contains("location")) << "the site is not personal";
  EXPECT_GE(service.Metric("meal_ws_messages_total"), 2);
  EXPECT_EQ(service.Stop(), 0);
}

// Start-up stops, naming the key, when a TLS file cannot be read: before
// it opens the state or reaches for the broker.
TEST(StreamIntegrationTest, AnUnreadableTlsFileStopsStartUpNamingTheKey) {
  const char* bin_dir = std::getenv("MEAL_TEST_BIN_DIR");
  ASSERT_NE(bin_dir, nullptr) << "set MEAL_TEST_BIN_DIR";
  const auto dir = std::filesystem::temp_directory_path() / ("meal_it_tls_" + std::to_string(getpid()));
  std::filesystem::create_directories(dir);
  const std::string log = (dir / "service.log").string();
  // `timeout`: should it start after all, the test fails instead of hanging.
  const std::string command = "timeout 30 " + std::string(bin_dir) + "/meal-dispatchd --state-dir " +
                              (dir / "state").string() +
                              " --http-port 0 --set http.tls_cert=/nonexistent/cert.pem"
                              " --set http.tls_key=/nonexistent/key.pem > " +
                              log + " 2>&1";
  const int status = std::system(command.c_str());
  ASSERT_TRUE(WIFEXITED(status));
  EXPECT_EQ(WEXITSTATUS(status), 1) << "124: it kept running with an unreadable certificate";
  std::stringstream text;
  text << std::ifstream(log).rdbuf();
  EXPECT_NE(text.str().find("config key 'http.tls_cert' '/nonexistent/cert.pem': cannot read"), std::string::npos)
      << text.str();
  EXPECT_FALSE(std::filesystem::exists(dir / "state")) << "the state was opened before the check";
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace meal::testing
