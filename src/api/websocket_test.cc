#include "api/websocket.h"


#include <chrono>
#include <memory>
#include <optional>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/websocket.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "api/stream_hub.h"
#include "api/test_sockets.h"
#include "metrics/registry.h"

namespace meal::api {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using ::testing::HasSubstr;


SharedText Text(std::string s) { return std::make_shared<const std::string>(std::move(s)); }

StreamHub::Options WithMetrics(StreamHub::Options options, metrics::Registry* registry) {
  options.metrics = registry;
  return options;
}

// A server whose GET /stream[?area=A][&masked] subscribes to `hub`, as the
// service's stream route does (with its auth left out).
class StreamServer {
 public:
  explicit StreamServer(StreamHub::Options hub_options, std::chrono::seconds idle = std::chrono::seconds(30))
      : hub_(WithMetrics(std::move(hub_options), &registry_)) {
    Router router;
    router.Add("GET", "/stream", [this](const Request& request) {
      if (!IsWebSocketUpgrade(request)) return Error(426, "WebSocket only");
      const auto area = request.query.find("area");
      auto subscription =
          hub_.Subscribe(area == request.query.end() ? "" : area->second, request.query.contains("masked"));
      if (!subscription) return Error(429, "too many stream clients");
      if (request.query.contains("snapshot")) subscription->PushFront(Text("snapshot"));
      return WebSocketUpgrade(std::move(subscription));
    });
    // Upgrades whatever it is asked: the server itself must refuse a
    // request that is no upgrade.
    router.Add("GET", "/always", [this](const Request&) { return WebSocketUpgrade(hub_.Subscribe("", false)); });
    server_ = std::make_unique<HttpServer>(
        HttpServer::Options{.threads = 2, .idle_timeout = idle, .metrics = &registry_}, std::move(router));
    const Status s = server_->Start();
    EXPECT_TRUE(s.ok()) << s.ToString();
  }

  StreamHub& hub() { return hub_; }
  HttpServer& server() { return *server_; }
  std::uint16_t port() const { return server_->port(); }
  metrics::Registry& registry() { return registry_; }

 private:
  metrics::Registry registry_;
  StreamHub hub_;
  std::unique_ptr<HttpServer> server_;
};

// A blocking WebSocket client on loopback.
class WsClient {
 public:
  // `receive_buffer_bytes` > 0 shrinks the socket's receive buffer before
  // connecting, so that a client that does not read backs the server up
  // after little data.
  explicit WsClient(std::uint16_t port, int receive_buffer_bytes = 0) : ws_(ioc_) {
    tcp::socket& socket = ws_.next_layer();
    socket.open(tcp::v4());
    if (receive_buffer_bytes > 0) socket.set_option(net::socket_base::receive_buffer_size(receive_buffer_bytes));
    SetReadTimeout(socket);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  // The handshake; true iff the server accepted.
  bool Handshake(const std::string& target) {
    beast::error_code ec;
    ws_.handshake("127.0.0.1", target, ec);
    if (ec) return false;
    ws_.read_message_max(0);
    return true;
  }

  // The next text message; an error (websocket::error::closed on a close
  // frame) otherwise.
  beast::error_code Read(std::string* text) {
    beast::flat_buffer buffer;
    beast::error_code ec;
    ws_.read(buffer, ec);
    if (!ec) *text = beast::buffers_to_string(buffer.data());
    return ec;
  }

  std::string ReadText() {
    std::string text;
    const beast::error_code ec = Read(&text);
    EXPECT_FALSE(ec) << ec.message();
    return text;
  }

  void Close() { ws_.close(websocket::close_code::normal); }
  websocket::close_reason reason() const { return ws_.reason(); }

 private:
  net::io_context ioc_;
  websocket::stream<tcp::socket> ws_;
};

template <class Predicate>
bool WaitUntil(Predicate done) {
  // Bounded wait on state another thread changes; polls, never guesses a delay.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(kTestReadTimeoutS);
  while (!done()) {
    if (std::chrono::steady_clock::now() > deadline) return false;
    std::this_thread::yield();
  }
  return true;
}

TEST(WebSocketTest, RecognisesUpgradeRequests) {
  Request r;
  r.method = "GET";
  r.headers = {{"Upgrade", "WebSocket"},
               {"Connection", "keep-alive, Upgrade"},
               {"Sec-WebSocket-Version", "13"},
               {"Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="}};
  EXPECT_TRUE(IsWebSocketUpgrade(r));
  Request no_key = r;
  no_key.headers.erase("Sec-WebSocket-Key");
  EXPECT_FALSE(IsWebSocketUpgrade(no_key));
  Request post = r;
  post.method = "POST";
  EXPECT_FALSE(IsWebSocketUpgrade(post));
  Request no_upgrade_token = r;
  no_upgrade_token.headers["Connection"] = "keep-alive";
  EXPECT_FALSE(IsWebSocketUpgrade(no_upgrade_token));
}

TEST(WebSocketTest, MessagesArriveInOrderFilteredByAreaAndMaskedForMaskedClients) {
  StreamServer server({});
  WsClient area1(server.port());
  WsClient all_masked(server.port());
  ASSERT_TRUE(area1.Handshake("/stream?area=a1"));
  ASSERT_TRUE(all_masked.Handshake("/stream?masked"));
  ASSERT_EQ(server.hub().clients(), 2u);  // subscribed before the 101 went out
  for (int i = 0; i < 200; ++i) {
    const std::string area = i % 2 == 0 ? "a1" : "a2";
    server.hub().Publish({area, Text("full " + std::to_string(i)), Text("masked " + std::to_string(i))});
  }
  for (int i = 0; i < 200; i += 2) ASSERT_EQ(area1.ReadText(), "full " + std::to_string(i));
  for (int i = 0; i < 200; ++i) ASSERT_EQ(all_masked.ReadText(), "masked " + std::to_string(i));
  EXPECT_THAT(server.registry().RenderPrometheus(), HasSubstr("meal_http_responses_total{code=\"101\"} 2"));
}

TEST(WebSocketTest, TheSnapshotComesFirst) {
  StreamServer server({});
  server.hub().Publish({"a", Text("before anyone listens")});
  WsClient client(server.port());
  ASSERT_TRUE(client.Handshake("/stream?snapshot"));
  server.hub().Publish({"a", Text("live")});
  EXPECT_EQ(client.ReadText(), "snapshot");
  EXPECT_EQ(client.ReadText(), "live");
}

// A client that stops reading is closed with 1013 once its queue passes the
// limit; the other client gets every message, and Publish never waits. The
// publisher goes in lock step with the fast client, so only the slow one
// can fall behind; the number of messages needed depends on the kernel's
// socket buffers, so it publishes until the drop (bounded).
TEST(WebSocketTest, ASlowClientIsClosedWith1013WhileOthersContinue) {
  constexpr std::size_t kLimit = 8;
  constexpr int kMaxMessages = 4000;  // 4000 x 64 KiB: far beyond any loopback buffering
  StreamServer server({.queue_messages = kLimit});
  WsClient fast(server.port());
  WsClient slow(server.port(), /*receive_buffer_bytes=*/4096);
  ASSERT_TRUE(fast.Handshake("/stream"));
  ASSERT_TRUE(slow.Handshake("/stream"));

  const std::string padding(64 * 1024, 'x');
  int published = 0;
  auto longest_publish = std::chrono::steady_clock::duration::zero();
  while (server.hub().slow_clients_closed() == 0 && published < kMaxMessages) {
    const auto start = std::chrono::steady_clock::now();
    server.hub().Publish({"a", Text(std::to_string(published) + " " + padding)});
    longest_publish = std::max(longest_publish, std::chrono::steady_clock::now() - start);
    ASSERT_EQ(fast.ReadText(), std::to_string(published) + " " + padding);
    ++published;
  }
  ASSERT_EQ(server.hub().slow_clients_closed(), 1u) << "after " << published << " messages";
  EXPECT_GT(published, static_cast<int>(kLimit));
  EXPECT_LT(longest_publish, std::chrono::seconds(1));  // copies pointers, never writes to a socket
  EXPECT_EQ(server.hub().clients(), 1u);
  EXPECT_THAT(server.registry().RenderPrometheus(), HasSubstr("meal_ws_slow_clients_closed_total 1"));

  // The fast client goes on.
  server.hub().Publish({"a", Text("after the drop")});
  EXPECT_EQ(fast.ReadText(), "after the drop");

  // The slow client, reading at last, finds a prefix of the messages in
  // order, then the close frame.
  std::string text;
  beast::error_code ec;
  int received = 0;
  while (!(ec = slow.Read(&text))) {
    ASSERT_EQ(text, std::to_string(received) + " " + padding);
    ++received;
  }
  EXPECT_EQ(ec, websocket::error::closed) << ec.message();
  EXPECT_LT(received, published);
  EXPECT_EQ(slow.reason().code, kCloseTryAgainLater);
  const auto& reason = slow.reason().reason;
  EXPECT_THAT(std::string(reason.data(), reason.size()), HasSubstr("http.ws_queue_messages"));
}

TEST(WebSocketTest, ClientsOverTheLimitGet429UntilOneLeaves) {
  StreamServer server({.max_clients = 2});
  WsClient first(server.port());
  WsClient second(server.port());
  ASSERT_TRUE(first.Handshake("/stream"));
  ASSERT_TRUE(second.Handshake("/stream"));
  const auto declined = RawUpgrade(server.port(), "/stream");
  EXPECT_EQ(declined.result_int(), 429u);
  EXPECT_EQ(nlohmann::json::parse(declined.body())["error"]["status"], 429);

  first.Close();
  ASSERT_TRUE(WaitUntil([&] { return server.hub().clients() == 1; }));
  WsClient fourth(server.port());
  EXPECT_TRUE(fourth.Handshake("/stream"));
}

TEST(WebSocketTest, ARequestThatIsNoUpgradeGets426) {
  StreamServer server({});
  net::io_context ioc;
  tcp::socket socket(ioc);
  SetReadTimeout(socket);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  beast::flat_buffer buffer;
  for (const char* target : {"/stream", "/always"}) {
    http::request<http::string_body> request{http::verb::get, target, 11};
    request.set(http::field::host, "127.0.0.1");
    http::write(socket, request);
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    EXPECT_EQ(response.result_int(), 426u) << target;
  }
  EXPECT_EQ(server.hub().clients(), 0u);  // /always subscribed, and the refusal let go
}

TEST(WebSocketTest, StoppingTheServerClosesStreams) {
  StreamServer server({});
  WsClient client(server.port());
  ASSERT_TRUE(client.Handshake("/stream"));
  server.server().Stop();
  EXPECT_EQ(server.hub().clients(), 0u);
  std::string text;
  EXPECT_TRUE(client.Read(&text));  // an error: the connection is gone
  server.hub().Publish({"a", Text("nobody listens")});
}

}  // namespace
}  // namespace meal::api
