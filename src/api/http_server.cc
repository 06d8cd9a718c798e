#include "api/http_server.h"

#include <algorithm>
#include <array>
#include <atomic>
#include <exception>
#include <mutex>
#include <optional>
#include <stdexcept>
#include <thread>
#include <type_traits>
#include <utility>

#include <boost/asio/dispatch.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/steady_timer.hpp>
#include <boost/asio/strand.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket/rfc6455.hpp>
#include <fmt/format.h>
#include <fmt/ranges.h>
#include <spdlog/spdlog.h>

#include "api/websocket_session.h"
#include "metrics/registry.h"

namespace meal::api {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using TlsStream = beast::ssl_stream<beast::tcp_stream>;

namespace {

constexpr char kServerName[] = "meal-dispatch";
constexpr std::uint32_t kHeaderLimitBytes = 16 * 1024;
// After an error response we stop sending but keep reading (and discarding)
// for a moment: closing a socket with unread input makes the kernel send a
// RST, which can destroy the response before the client has read it.
constexpr auto kLingerTimeout = std::chrono::seconds(1);
constexpr std::size_t kLingerLimitBytes = 4 << 20;
// Back-off after a failed accept (e.g. out of file descriptors), so a
// persistent error does not spin a thread.
constexpr auto kAcceptRetryDelay = std::chrono::milliseconds(100);

char ToLowerAscii(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

int HexValue(char c) {
  if (c >= '0' && c <= '9') return c - '0';
  if (c >= 'a' && c <= 'f') return c - 'a' + 10;
  if (c >= 'A' && c <= 'F') return c - 'A' + 10;
  return -1;
}

// Returns false on a '%' not followed by two hex digits.
bool PercentDecode(std::string_view in, bool plus_is_space, std::string& out) {
  out.clear();
  out.reserve(in.size());
  for (std::size_t i = 0; i < in.size(); ++i) {
    char c = in[i];
    if (c == '%') {
      if (i + 2 >= in.size()) return false;
      int hi = HexValue(in[i + 1]);
      int lo = HexValue(in[i + 2]);
      if (hi < 0 || lo < 0) return false;
      out += static_cast<char>(hi * 16 + lo);
      i += 2;
    } else if (c == '+' && plus_is_space) {
      out += ' ';
    } else {
      out += c;
    }
  }
  return true;
}

// "/a/b" -> {"a", "b"}; "/" -> {""}; "/a/" -> {"a", ""}.
// REQUIRES: path starts with '/'.
std::vector<std::string_view> SplitPath(std::string_view path) {
  std::vector<std::string_view> segments;
  std::string_view rest = path.substr(1);
  while (true) {
    auto slash = rest.find('/');
    segments.push_back(rest.substr(0, slash));
    if (slash == std::string_view::npos) break;
    rest = rest.substr(slash + 1);
  }
  return segments;
}

// Boost 1.74's Beast hands out boost::string_view.
std::string_view ToStd(beast::string_view s) { return {s.data(), s.size()}; }

bool HasLineBreak(std::string_view s) { return s.find_first_of("\r\n") != std::string_view::npos; }

}  // namespace

// ------------------------------------------------------------ Request et al.

bool CaseInsensitiveLess::operator()(std::string_view a, std::string_view b) const {
  return std::lexicographical_compare(a.begin(), a.end(), b.begin(), b.end(), [](char x, char y) {
    return ToLowerAscii(x) < ToLowerAscii(y);
  });
}

std::string Request::header(std::string_view name) const {
  auto it = headers.find(name);
  return it == headers.end() ? std::string() : it->second;
}

Response Json(unsigned status, const nlohmann::json& body) {
  Response response;
  response.status = status;
  // Handlers may echo user input; bad UTF-8 must not turn into a 500.
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return response;
}

Response Error(unsigned status, std::string_view message) {
  return Json(status, {{"error", {{"status", status}, {"message", message}}}});
}

Response PrometheusText(const metrics::Registry& registry) {
  Response response;
  response.content_type = "text/plain; version=0.0.4; charset=utf-8";
  response.body = registry.RenderPrometheus();
  return response;
}

Status ParseTarget(std::string_view target, Request& request) {
  if (target.empty() || target.front() != '/') {
    return Status::Invalid("request target must be an absolute path");
  }
  auto question = target.find('?');
  request.path = std::string(target.substr(0, question));
  request.query.clear();
  if (question == std::string_view::npos) return Status::Ok();

  std::string_view rest = target.substr(question + 1);
  std::string key;
  std::string value;
  while (!rest.empty()) {
    auto amp = rest.find('&');
    std::string_view pair = rest.substr(0, amp);
    rest = amp == std::string_view::npos ? std::string_view() : rest.substr(amp + 1);
    if (pair.empty()) continue;
    auto eq = pair.find('=');
    value.clear();
    if (!PercentDecode(pair.substr(0, eq), /*plus_is_space=*/true, key) ||
        (eq != std::string_view::npos &&
         !PercentDecode(pair.substr(eq + 1), /*plus_is_space=*/true, value))) {
      return Status::Invalid("malformed %-escape in the query string");
    }
    request.query[key] = value;
  }
  return Status::Ok();
}

// ------------------------------------------------------------------- Router

void Router::Add(std::string method, std::string pattern, Handler handler) {
  if (method.empty()) throw std::invalid_argument("route method is empty");
  if (pattern.empty() || pattern.front() != '/') {
    throw std::invalid_argument("route pattern '" + pattern + "' must start with '/'");
  }
  Route route;
  for (std::string_view part : SplitPath(pattern)) {
    Segment segment;
    if (part.size() >= 2 && part.front() == '{' && part.back() == '}') {
      segment.capture = true;
      segment.text = std::string(part.substr(1, part.size() - 2));
      bool repeated =
          std::any_of(route.segments.begin(), route.segments.end(),
                      [&](const Segment& s) { return s.capture && s.text == segment.text; });
      if (segment.text.empty() || repeated ||
          segment.text.find_first_of("{}") != std::string::npos) {
        throw std::invalid_argument("route pattern '" + pattern + "' has a bad capture name");
      }
    } else if (part.find_first_of("{}") != std::string_view::npos) {
      throw std::invalid_argument("route pattern '" + pattern + "' mixes literal text and braces");
    } else {
      segment.text = std::string(part);
    }
    route.segments.push_back(std::move(segment));
  }
  for (const Route& other : routes_) {
    if (other.method != method || other.segments.size() != route.segments.size()) continue;
    bool same_shape = std::equal(
        other.segments.begin(), other.segments.end(), route.segments.begin(),
        [](const Segment& a, const Segment& b) {
          return a.capture == b.capture && (a.capture || a.text == b.text);
        });
    if (same_shape) {
      throw std::logic_error("route " + method + " " + pattern + " duplicates " + other.pattern);
    }
  }
  route.method = std::move(method);
  route.pattern = std::move(pattern);
  route.handler = std::move(handler);
  routes_.push_back(std::move(route));
}

Response Router::Dispatch(Request& request) const {
  if (request.path.empty() || request.path.front() != '/') {
    return Error(400, "request path must be absolute");
  }
  // Decode per segment, so an escaped '/' (%2F) stays inside its segment.
  std::vector<std::string> segments;
  for (std::string_view part : SplitPath(request.path)) {
    std::string decoded;
    if (!PercentDecode(part, /*plus_is_space=*/false, decoded)) {
      return Error(400, "malformed %-escape in the path");
    }
    segments.push_back(std::move(decoded));
  }

  auto matches = [&](const Route& route) {
    if (route.segments.size() != segments.size()) return false;
    for (std::size_t i = 0; i < segments.size(); ++i) {
      const Segment& s = route.segments[i];
      if (s.capture ? segments[i].empty() : s.text != segments[i]) return false;
    }
    return true;
  };
  // Literal before capture at the first position where the shapes differ.
  auto more_specific = [](const Route& a, const Route& b) {
    for (std::size_t i = 0; i < a.segments.size(); ++i) {
      if (a.segments[i].capture != b.segments[i].capture) return !a.segments[i].capture;
    }
    return false;
  };

  const Route* best = nullptr;
  std::vector<std::string_view> allowed;
  for (const Route& route : routes_) {
    if (!matches(route)) continue;
    if (route.method != request.method) {
      allowed.push_back(route.method);
    } else if (best == nullptr || more_specific(route, *best)) {
      best = &route;
    }
  }

  if (best == nullptr) {
    if (allowed.empty()) return Error(404, "no such resource");
    std::sort(allowed.begin(), allowed.end());
    allowed.erase(std::unique(allowed.begin(), allowed.end()), allowed.end());
    Response response = Error(405, "method not allowed");
    response.headers.emplace_back("Allow", fmt::format("{}", fmt::join(allowed, ", ")));
    return response;
  }

  request.path_params.clear();
  for (std::size_t i = 0; i < segments.size(); ++i) {
    if (best->segments[i].capture) request.path_params[best->segments[i].text] = segments[i];
  }
  // The pattern, not the path, goes into the log: paths carry ids, and
  // bodies may carry elders' personal data.
  try {
    if (guard_) return guard_(RouteMatch{best->method, best->pattern}, request, best->handler);
    return best->handler(request);
  } catch (const std::exception& e) {
    spdlog::error("http handler {} {} threw: {}", best->method, best->pattern, e.what());
  } catch (...) {
    spdlog::error("http handler {} {} threw a non-standard exception", best->method, best->pattern);
  }
  return Error(500, "internal error");
}

// --------------------------------------------------------------- HttpServer

class HttpServer::Impl {
 public:
  Impl(Options options, Router router)
      : options_(std::move(options)),
        router_(std::move(router)),
        ioc_(std::max(1, options_.threads)),
        acceptor_(net::make_strand(ioc_)),
        accept_retry_timer_(acceptor_.get_executor()) {}

  Status Start();
  void Stop();
  std::uint16_t port() const { return port_.load(std::memory_order_relaxed); }

 private:
  template <class Stream>
  class Session;

  void RunThread();
  void DoAccept();
  void OnAccept(beast::error_code ec, tcp::socket socket);
  // Dispatches and records metrics. Never throws.
  Response Handle(Request& request);
  void CountResponse(unsigned status);
  // Adds a connection for Stop to close.
  void Track(const std::shared_ptr<detail::Connection>& connection);
  bool stopping() const { return stopping_.load(std::memory_order_acquire); }

  const Options options_;
  const Router router_;
  metrics::Histogram* handler_seconds_ = nullptr;  // set by Start if options_.metrics

  // Declared before the sockets so that it outlives them.
  net::io_context ioc_;
  tcp::acceptor acceptor_;               // used on its strand only
  net::steady_timer accept_retry_timer_;  // on the acceptor's strand
  std::vector<std::thread> threads_;
  std::atomic<bool> stopping_{false};
  std::atomic<std::uint16_t> port_{0};

  std::mutex lifecycle_mu_;  // serialises Start and Stop
  enum class State { kNew, kRunning, kStopped };
  State state_ = State::kNew;  // GUARDED_BY(lifecycle_mu_)

  std::mutex sessions_mu_;
  // Live connections, so Stop can close them. GUARDED_BY(sessions_mu_).
  std::vector<std::weak_ptr<detail::Connection>> sessions_;
};

// One connection: reads requests one after another and answers each before
// reading the next. All of its handlers run on its own strand. `Stream` is
// beast::tcp_stream, or TlsStream when the server speaks TLS; on a TLS port
// a connection starts as plain, and is handed to a TLS session once its
// first bytes show a TLS handshake.
template <class Stream>
class HttpServer::Impl::Session : public detail::Connection,
                                  public std::enable_shared_from_this<Session<Stream>> {
 public:
  static constexpr bool kTls = std::is_same_v<Stream, TlsStream>;

  // `buffer`: bytes already read from the connection.
  Session(Stream stream, beast::flat_buffer buffer, Impl& server)
      : stream_(std::move(stream)), server_(server), buffer_(std::move(buffer)) {}

  void Start() {
    net::dispatch(tcp().get_executor(), beast::bind_front_handler(&Session::Begin, this->shared_from_this()));
  }

  // Start, when already on the connection's strand.
  void Begin() {
    if (server_.stopping()) return;
    tcp().expires_after(server_.options_.idle_timeout);
    if constexpr (kTls) {
      stream_.async_handshake(net::ssl::stream_base::server, buffer_.data(),
                              beast::bind_front_handler(&Session::OnHandshake, this->shared_from_this()));
    } else if (server_.options_.tls) {
      beast::async_detect_ssl(stream_, buffer_,
                              beast::bind_front_handler(&Session::OnDetect, this->shared_from_this()));
    } else {
      DoReadHeader();
    }
  }

  // REQUIRES: none of the server's threads is running (called by Stop).
  void CloseNow() override {
    beast::error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_both, ignored);
    tcp().close();
  }

 private:
  beast::tcp_stream& tcp() { return beast::get_lowest_layer(stream_); }

  void OnDetect(beast::error_code ec, bool tls) {
    if (server_.stopping()) return;
    if (ec) return tcp().close();
    if (!tls) {
      return Respond(Error(400, "this port speaks TLS only: use https:// (or wss://)"), 11, /*close=*/true);
    }
    if constexpr (!kTls) {
      auto session = std::make_shared<Session<TlsStream>>(TlsStream(std::move(stream_), *server_.options_.tls),
                                                          std::move(buffer_), server_);
      server_.Track(session);
      session->Begin();  // on this strand already
    }
  }

  void OnHandshake(beast::error_code ec, std::size_t used) {
    if (server_.stopping()) return;
    if (ec) return tcp().close();  // not TLS after all, no shared protocol, ...: nothing to answer
    buffer_.consume(used);
    DoReadHeader();
  }

  // Ends the connection in an orderly way: a TLS close_notify (waiting a
  // moment for the client's) or a TCP FIN, then the socket closes.
  void ShutdownAndClose() {
    if constexpr (kTls) {
      tcp().expires_after(kLingerTimeout);
      stream_.async_shutdown([self = this->shared_from_this()](beast::error_code) { self->tcp().close(); });
    } else {
      beast::error_code ignored;
      tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    }
  }

  // Hands the connection over to a WebSocket session.
  void Upgrade(http::request<http::string_body> message, std::shared_ptr<StreamSubscription> subscription) {
    server_.CountResponse(101);
    tcp().expires_never();
    const detail::WebSocketOptions options{.idle_timeout = server_.options_.idle_timeout};
    server_.Track(detail::StartWebSocket(std::move(stream_), std::move(message), std::move(subscription), options));
  }

  void DoReadHeader() {
    if (server_.stopping()) return;
    parser_.emplace();
    parser_->header_limit(kHeaderLimitBytes);
    parser_->body_limit(server_.options_.max_body_bytes);
    tcp().expires_after(server_.options_.idle_timeout);
    http::async_read_header(stream_, buffer_, *parser_,
                            beast::bind_front_handler(&Session::OnReadHeader, this->shared_from_this()));
  }

  void OnReadHeader(beast::error_code ec, std::size_t /*bytes*/) {
    if (server_.stopping()) return;
    if (ec) return OnReadError(ec);
    const auto& header = parser_->get();
    if (!parser_->is_done() && header.version() >= 11 &&
        beast::iequals(header[http::field::expect], "100-continue")) {
      continue_.emplace(http::status::continue_, header.version());
      tcp().expires_after(server_.options_.idle_timeout);
      http::async_write(stream_, *continue_,
                        beast::bind_front_handler(&Session::OnContinueSent, this->shared_from_this()));
      return;
    }
    DoReadBody();
  }

  void OnContinueSent(beast::error_code ec, std::size_t /*bytes*/) {
    if (server_.stopping()) return;
    if (ec) return tcp().close();
    DoReadBody();
  }

  void DoReadBody() {
    if (parser_->is_done()) return HandleRequest();
    tcp().expires_after(server_.options_.idle_timeout);
    http::async_read(stream_, buffer_, *parser_,
                     beast::bind_front_handler(&Session::OnReadBody, this->shared_from_this()));
  }

  void OnReadBody(beast::error_code ec, std::size_t /*bytes*/) {
    if (server_.stopping()) return;
    if (ec) return OnReadError(ec);
    HandleRequest();
  }

  void OnReadError(beast::error_code ec) {
    if (ec == http::error::end_of_stream) {
      // The client closed between requests: the normal end of keep-alive.
      return ShutdownAndClose();
    }
    if (ec == http::error::body_limit) {
      return Respond(Error(413, fmt::format("request body exceeds {} bytes",
                                            server_.options_.max_body_bytes)),
                     11, /*close=*/true);
    }
    if (ec == http::error::header_limit) {
      return Respond(Error(431, "request header fields too large"), 11, /*close=*/true);
    }
    // Any other parser error means the bytes were not a valid request. A
    // partial message means the client went away mid-request: nobody to tell.
    if (ec.category() == http::make_error_code(http::error::bad_method).category() &&
        ec != http::error::partial_message) {
      return Respond(Error(400, "malformed request"), 11, /*close=*/true);
    }
    // Timeout, reset, ...: just drop the connection.
    tcp().close();
  }

  void HandleRequest() {
    http::request<http::string_body> message = parser_->release();
    const unsigned version = message.version();
    const bool keep_alive = message.keep_alive();
    Response response;
    try {
      Request request;
      request.method = std::string(ToStd(message.method_string()));
      for (const auto& field : message) {
        auto [it, inserted] = request.headers.emplace(std::string(ToStd(field.name_string())),
                                                      std::string(ToStd(field.value())));
        if (!inserted) {
          it->second += ", ";
          it->second += ToStd(field.value());
        }
      }
      request.body = std::move(message.body());
      Status status = ParseTarget(ToStd(message.target()), request);
      response = status.ok() ? server_.Handle(request) : Error(400, status.message());
    } catch (const std::exception& e) {  // e.g. bad_alloc; must not escape into Asio
      spdlog::error("http request failed: {}", e.what());
      response = Error(500, "internal error");
    }
    if (response.stream) {
      if (beast::websocket::is_upgrade(message)) return Upgrade(std::move(message), std::move(response.stream));
      response.stream->Cancel();
      response = Error(426, "this route takes WebSocket connections only");
      response.headers.emplace_back("Upgrade", "websocket");
    }
    Respond(std::move(response), version, /*close=*/!keep_alive);
  }

  void Respond(Response response, unsigned version, bool close) {
    if (response.status < 200 || response.status > 599) {
      spdlog::error("http handler returned invalid status {}", response.status);
      response = Error(500, "internal error");
    }
    server_.CountResponse(response.status);
    auto& message = response_.emplace();
    message.version(version);
    message.result(response.status);
    message.set(http::field::server, kServerName);
    if (!response.content_type.empty()) {
      message.set(http::field::content_type, response.content_type);
    }
    for (const auto& [name, value] : response.headers) {
      if (name.empty() || HasLineBreak(name) || HasLineBreak(value)) {
        spdlog::warn("http handler set an invalid header; dropped");
        continue;
      }
      message.insert(name, value);
    }
    message.keep_alive(!close);
    // 204 and 304 must have neither body nor Content-Length (RFC 9110).
    if (response.status == 204 || response.status == 304) {
      message.erase(http::field::content_length);
      message.erase(http::field::transfer_encoding);
    } else {
      message.body() = std::move(response.body);
      message.prepare_payload();
    }
    close_after_write_ = close;

    tcp().expires_after(server_.options_.idle_timeout);
    http::async_write(stream_, message,
                      beast::bind_front_handler(&Session::OnWrite, this->shared_from_this()));
  }

  void OnWrite(beast::error_code ec, std::size_t /*bytes*/) {
    if (server_.stopping()) return;
    response_.reset();
    if (ec) return tcp().close();
    if (close_after_write_) return LingerAndClose();
    DoReadHeader();
  }

  void LingerAndClose() {
    // TLS: the close_notify exchange (bounded by the same timeout) stands in
    // for the drain.
    if constexpr (kTls) return ShutdownAndClose();
    beast::error_code ignored;
    tcp().socket().shutdown(tcp::socket::shutdown_send, ignored);
    tcp().expires_after(kLingerTimeout);
    DoDrain();
  }

  void DoDrain() {
    tcp().async_read_some(net::buffer(drain_),
                          beast::bind_front_handler(&Session::OnDrain, this->shared_from_this()));
  }

  void OnDrain(beast::error_code ec, std::size_t bytes) {
    if (server_.stopping()) return;
    drained_ += bytes;
    if (ec || drained_ > kLingerLimitBytes) return tcp().close();
    DoDrain();
  }

  Stream stream_;
  Impl& server_;
  beast::flat_buffer buffer_;  // kept across requests: it may hold the next one
  std::optional<http::request_parser<http::string_body>> parser_;
  std::optional<http::response<http::empty_body>> continue_;
  std::optional<http::response<http::string_body>> response_;  // alive until written
  bool close_after_write_ = false;
  std::array<char, 4096> drain_{};
  std::size_t drained_ = 0;
};

Status HttpServer::Impl::Start() {
  std::lock_guard lock(lifecycle_mu_);
  if (state_ != State::kNew) return Status::Precondition("HttpServer::Start called twice");
  if (options_.threads < 1) return Status::Invalid("HttpServer needs at least one thread");
  if (options_.idle_timeout.count() <= 0) return Status::Invalid("idle_timeout must be positive");

  beast::error_code ec;
  const net::ip::address address = net::ip::make_address(options_.address, ec);
  if (ec) {
    return Status::Invalid(
        fmt::format("listen address '{}' is not an IP address", options_.address));
  }
  const tcp::endpoint endpoint(address, options_.port);
  const std::string where = fmt::format("{}:{}", options_.address, options_.port);

  if (options_.metrics != nullptr && handler_seconds_ == nullptr) {
    try {
      handler_seconds_ = &options_.metrics->GetHistogram(
          "meal_http_request_duration_seconds", "Time spent handling an HTTP request.",
          metrics::ExponentialBounds(0.0001, 4, 9));
    } catch (const std::exception& e) {
      return Status::Invalid(fmt::format("cannot register HTTP metrics: {}", e.what()));
    }
  }

  // Any failure leaves the acceptor closed, so Start may be tried again.
  auto fail = [&](std::string_view step) {
    beast::error_code ignored;
    acceptor_.close(ignored);
    return Status::Io(fmt::format("{} {}: {}", step, where, ec.message()));
  };
  acceptor_.open(endpoint.protocol(), ec);
  if (ec) return fail("open");
  // Lets a restarted service rebind while old connections sit in TIME_WAIT;
  // on Linux it does not allow two listeners on one port.
  acceptor_.set_option(net::socket_base::reuse_address(true), ec);
  if (ec) return fail("set SO_REUSEADDR on");
  acceptor_.bind(endpoint, ec);
  if (ec) return fail("bind");
  acceptor_.listen(net::socket_base::max_listen_connections, ec);
  if (ec) return fail("listen on");
  const tcp::endpoint bound = acceptor_.local_endpoint(ec);
  if (ec) return fail("query the port of");
  port_.store(bound.port(), std::memory_order_relaxed);

  state_ = State::kRunning;
  DoAccept();  // no thread runs yet, so touching the acceptor here is safe
  threads_.reserve(static_cast<std::size_t>(options_.threads));
  for (int i = 0; i < options_.threads; ++i) threads_.emplace_back([this] { RunThread(); });
  spdlog::info("http server listening on {}:{}", options_.address, bound.port());
  return Status::Ok();
}

void HttpServer::Impl::RunThread() {
  // Handlers catch their own exceptions; this is the last line of defence,
  // keeping the thread serving instead of taking the process down.
  while (true) {
    try {
      ioc_.run();
      return;
    } catch (const std::exception& e) {
      spdlog::error("http server thread caught: {}", e.what());
    }
  }
}

void HttpServer::Impl::Stop() {
  std::lock_guard lock(lifecycle_mu_);
  const State previous = std::exchange(state_, State::kStopped);
  if (previous != State::kRunning) return;
  for (const std::thread& thread : threads_) {
    if (thread.get_id() == std::this_thread::get_id()) {
      // Joining ourselves would deadlock; this is a caller bug.
      spdlog::critical("HttpServer::Stop called from a handler");
      std::terminate();
    }
  }

  // Stopping the loop first means that afterwards no thread touches a socket,
  // so this thread can close everything without racing the handlers.
  stopping_.store(true, std::memory_order_release);
  ioc_.stop();
  for (std::thread& thread : threads_) thread.join();
  threads_.clear();

  beast::error_code ignored;
  acceptor_.close(ignored);
  accept_retry_timer_.cancel();
  std::vector<std::shared_ptr<detail::Connection>> live;
  {
    std::lock_guard sessions_lock(sessions_mu_);
    for (const auto& weak : sessions_) {
      if (auto session = weak.lock()) live.push_back(std::move(session));
    }
    sessions_.clear();
  }
  for (const auto& session : live) session->CloseNow();
  live.clear();
  // Runs the now-cancelled operations' handlers (they return at once, seeing
  // stopping_) so the sessions are freed here rather than when the server is
  // destroyed.
  ioc_.restart();
  ioc_.poll();
  spdlog::info("http server on port {} stopped", port());
}

void HttpServer::Impl::DoAccept() {
  acceptor_.async_accept(net::make_strand(ioc_),
                         beast::bind_front_handler(&Impl::OnAccept, this));
}

void HttpServer::Impl::OnAccept(beast::error_code ec, tcp::socket socket) {
  if (stopping() || ec == net::error::operation_aborted) return;
  if (ec) {
    spdlog::warn("http accept failed: {}", ec.message());
    accept_retry_timer_.expires_after(kAcceptRetryDelay);
    accept_retry_timer_.async_wait([this](beast::error_code wait_ec) {
      if (!wait_ec && !stopping()) DoAccept();
    });
    return;
  }
  try {
    auto session = std::make_shared<Session<beast::tcp_stream>>(beast::tcp_stream(std::move(socket)),
                                                                beast::flat_buffer(), *this);
    Track(session);
    session->Start();
  } catch (const std::exception& e) {
    spdlog::error("http session setup failed: {}", e.what());
  }
  DoAccept();
}

void HttpServer::Impl::Track(const std::shared_ptr<detail::Connection>& connection) {
  std::lock_guard lock(sessions_mu_);
  std::erase_if(sessions_, [](const std::weak_ptr<detail::Connection>& s) { return s.expired(); });
  sessions_.push_back(connection);
}

Response HttpServer::Impl::Handle(Request& request) {
  const auto start = std::chrono::steady_clock::now();
  Response response = router_.Dispatch(request);
  if (handler_seconds_ != nullptr) {
    handler_seconds_->Observe(
        std::chrono::duration<double>(std::chrono::steady_clock::now() - start).count());
  }
  return response;
}

void HttpServer::Impl::CountResponse(unsigned status) {
  if (options_.metrics == nullptr) return;
  // A registry lookup (mutex) per response is fine at API request rates.
  try {
    options_.metrics
        ->GetCounter("meal_http_responses_total", "HTTP responses sent, by status code.",
                     {{"code", std::to_string(status)}})
        .Inc();
  } catch (const std::exception& e) {
    spdlog::warn("cannot count http response: {}", e.what());
  }
}

HttpServer::HttpServer(Options options, Router router)
    : impl_(std::make_unique<Impl>(std::move(options), std::move(router))) {}

HttpServer::~HttpServer() { Stop(); }

Status HttpServer::Start() { return impl_->Start(); }

std::uint16_t HttpServer::port() const { return impl_->port(); }

void HttpServer::Stop() { impl_->Stop(); }

}  // namespace meal::api
