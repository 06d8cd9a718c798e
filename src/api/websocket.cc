#include "api/websocket.h"

#include <utility>

#include <boost/asio/post.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <spdlog/spdlog.h>

#include "api/websocket_session.h"

namespace meal::api {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;

namespace {

char Lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

bool EqualsIgnoringCase(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (std::size_t i = 0; i < a.size(); ++i) {
    if (Lower(a[i]) != Lower(b[i])) return false;
  }
  return true;
}

// Whether the comma-separated list `value` holds `token`.
bool HasToken(std::string_view value, std::string_view token) {
  while (!value.empty()) {
    const auto comma = value.find(',');
    std::string_view item = value.substr(0, comma);
    while (!item.empty() && (item.front() == ' ' || item.front() == '\t')) item.remove_prefix(1);
    while (!item.empty() && (item.back() == ' ' || item.back() == '\t')) item.remove_suffix(1);
    if (EqualsIgnoringCase(item, token)) return true;
    if (comma == std::string_view::npos) break;
    value.remove_prefix(comma + 1);
  }
  return false;
}

}  // namespace

bool IsWebSocketUpgrade(const Request& request) {
  return request.method == "GET" && HasToken(request.header("Upgrade"), "websocket") &&
         HasToken(request.header("Connection"), "upgrade") && request.header("Sec-WebSocket-Version") == "13" &&
         !request.header("Sec-WebSocket-Key").empty();
}

Response WebSocketUpgrade(std::shared_ptr<StreamSubscription> subscription) {
  Response response;
  response.status = 101;
  response.content_type.clear();
  response.stream = std::move(subscription);
  return response;
}

namespace detail {
namespace {

// One WebSocket connection: writes the subscription's messages one at a
// time, reads (and ignores) what the client sends so that pings, pongs and
// its close frame are handled. Everything runs on the stream's strand.
template <class NextLayer>
class WebSocketSession : public Connection, public std::enable_shared_from_this<WebSocketSession<NextLayer>> {
 public:
  WebSocketSession(NextLayer&& stream, std::shared_ptr<StreamSubscription> subscription,
                   const WebSocketOptions& options)
      : ws_(std::move(stream)),
        subscription_(std::move(subscription)),
        options_(options),
        close_timer_(ws_.get_executor()) {}

  ~WebSocketSession() override { subscription_->Cancel(); }

  void Run(UpgradeRequest request) {
    request_ = std::move(request);  // read by async_accept until it completes
    // The websocket stream keeps its own timeouts; the TCP layer's would
    // fight them.
    beast::get_lowest_layer(ws_).expires_never();
    auto timeout = websocket::stream_base::timeout::suggested(beast::role_type::server);
    timeout.idle_timeout = options_.idle_timeout;
    timeout.keep_alive_pings = true;
    ws_.set_option(timeout);
    ws_.set_option(websocket::stream_base::decorator(
        [](websocket::response_type& response) { response.set(http::field::server, "meal-dispatch"); }));
    ws_.read_message_max(options_.max_client_message_bytes);
    ws_.async_accept(request_, beast::bind_front_handler(&WebSocketSession::OnAccept, this->shared_from_this()));
  }

  void CloseNow() override {
    subscription_->Cancel();
    beast::error_code ignored;
    beast::get_lowest_layer(ws_).socket().shutdown(net::ip::tcp::socket::shutdown_both, ignored);
    beast::get_lowest_layer(ws_).close();
  }

 private:
  void OnAccept(beast::error_code ec) {
    if (ec) return End();
    request_ = {};
    std::weak_ptr<WebSocketSession> weak = this->shared_from_this();
    subscription_->SetWaker([weak, executor = ws_.get_executor()] {
      net::post(executor, [weak] {
        if (auto self = weak.lock()) self->OnWake();
      });
    });
    DoRead();
    DoWrite();
  }

  void DoRead() {
    ws_.async_read(read_buffer_, beast::bind_front_handler(&WebSocketSession::OnRead, this->shared_from_this()));
  }

  void OnRead(beast::error_code ec, std::size_t /*bytes*/) {
    // websocket::error::closed: the client closed; anything else: timeout,
    // reset, a message over the limit. Either way the session ends once the
    // write in flight (if any) completes.
    if (ec) return End();
    read_buffer_.consume(read_buffer_.size());
    DoRead();
  }

  void OnWake() {
    if (writing_) {
      // The write in flight may never complete if the client reads nothing:
      // a dropped client gets a deadline now.
      if (subscription_->overflowed()) ArmCloseTimer();
      return;
    }
    DoWrite();
  }

  void DoWrite() {
    if (writing_ || closing_ || ended_) return;
    SharedText text;
    switch (subscription_->Pop(&text)) {
      case StreamSubscription::Next::kIdle:
      case StreamSubscription::Next::kCancelled: return;
      case StreamSubscription::Next::kOverflowed: return CloseSlow();
      case StreamSubscription::Next::kMessage: break;
    }
    writing_ = true;
    current_ = std::move(text);
    ws_.text(true);
    ws_.async_write(net::buffer(*current_),
                    beast::bind_front_handler(&WebSocketSession::OnWrite, this->shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t /*bytes*/) {
    writing_ = false;
    current_.reset();
    if (ec) return End();
    DoWrite();
  }

  void CloseSlow() {
    closing_ = true;
    ArmCloseTimer();
    std::string reason = subscription_->close_reason();
    constexpr std::size_t kMaxReason = 123;  // RFC 6455: a control frame's payload is 125 bytes
    if (reason.size() > kMaxReason) reason.resize(kMaxReason);
    websocket::close_reason close;
    close.code = kCloseTryAgainLater;
    close.reason = reason;
    ws_.async_close(close, beast::bind_front_handler(&WebSocketSession::OnClose, this->shared_from_this()));
  }

  void OnClose(beast::error_code /*ec*/) { End(); }

  void ArmCloseTimer() {
    if (timer_armed_) return;
    timer_armed_ = true;
    close_timer_.expires_after(options_.slow_close_timeout);
    std::weak_ptr<WebSocketSession> weak = this->shared_from_this();
    close_timer_.async_wait([weak](beast::error_code ec) {
      if (ec) return;  // cancelled: the session ended first
      if (auto self = weak.lock()) {
        beast::error_code ignored;
        beast::get_lowest_layer(self->ws_).socket().close(ignored);
      }
    });
  }

  // Leaves the hub; the socket closes when the last pending operation
  // releases the session.
  void End() {
    if (ended_) return;
    ended_ = true;
    subscription_->Cancel();
    close_timer_.cancel();
    if (!writing_ && !closing_ && ws_.is_open()) {
      beast::error_code ignored;
      beast::get_lowest_layer(ws_).socket().close(ignored);
    }
  }

  websocket::stream<NextLayer> ws_;
  const std::shared_ptr<StreamSubscription> subscription_;
  const WebSocketOptions options_;
  net::steady_timer close_timer_;
  UpgradeRequest request_;
  beast::flat_buffer read_buffer_;
  SharedText current_;  // the message being written: alive until written
  bool writing_ = false;
  bool closing_ = false;
  bool timer_armed_ = false;
  bool ended_ = false;
};

template <class NextLayer>
std::shared_ptr<Connection> Start(NextLayer&& stream, UpgradeRequest request,
                                  std::shared_ptr<StreamSubscription> subscription, const WebSocketOptions& options) {
  auto session = std::make_shared<WebSocketSession<NextLayer>>(std::move(stream), std::move(subscription), options);
  session->Run(std::move(request));
  return session;
}

}  // namespace

std::shared_ptr<Connection> StartWebSocket(beast::tcp_stream stream, UpgradeRequest request,
                                           std::shared_ptr<StreamSubscription> subscription,
                                           const WebSocketOptions& options) {
  return Start(std::move(stream), std::move(request), std::move(subscription), options);
}

std::shared_ptr<Connection> StartWebSocket(beast::ssl_stream<beast::tcp_stream> stream, UpgradeRequest request,
                                           std::shared_ptr<StreamSubscription> subscription,
                                           const WebSocketOptions& options) {
  return Start(std::move(stream), std::move(request), std::move(subscription), options);
}

}  // namespace detail
}  // namespace meal::api
