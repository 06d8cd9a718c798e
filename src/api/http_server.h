// A small asynchronous HTTP/1.1 server (Boost.Beast) for /healthz, /readyz,
// /metrics and the JSON API, plus the router that maps requests to handlers.
//
// The server runs on threads of its own, so a slow client or handler never
// touches the caller's event loop. The flip side: handlers run on the
// server's threads (several at once when Options::threads > 1) and must
// synchronise their own access to anything the service shares, e.g. by
// posting to the owner's queue or reading a published snapshot.
#pragma once

#include <chrono>
#include <cstddef>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include <nlohmann/json.hpp>

#include "common/status.h"

namespace meal::metrics {
class Registry;
}  // namespace meal::metrics

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace meal::api {

class StreamSubscription;

// Orders strings ASCII-case-insensitively, as HTTP header names compare.
struct CaseInsensitiveLess {
  using is_transparent = void;
  bool operator()(std::string_view a, std::string_view b) const;
};

// What an authenticated caller may do, in increasing order: a viewer reads
// (with personal data masked), a dispatcher also writes (operators'
// commands), an admin also reads the audit trail and erases elders' data.
// kNone: not authenticated (public routes only).
enum class Role { kNone, kViewer, kDispatcher, kAdmin };

struct Request {
  std::string method;  // as sent, e.g. "GET"; methods are case-sensitive
  // The request target without the query, still percent-encoded
  // ("/api/v1/orders/o%2F1"); Router decodes segment by segment.
  std::string path;
  // Decoded query parameters ('+' is a space); for a repeated key the last
  // value wins; a key without '=' maps to "".
  std::map<std::string, std::string> query;
  std::string body;
  // Filled by Router::Dispatch from the pattern's {name} segments, decoded.
  std::map<std::string, std::string> path_params;
  // Header names compare case-insensitively; a repeated header's values are
  // joined with ", " (RFC 9110 list semantics).
  std::map<std::string, std::string, CaseInsensitiveLess> headers;
  // The caller, filled by the router's guard before the handler runs: the
  // name of the token presented (the audit trail's "who") and its role.
  // Empty and kNone on public routes and when no guard is set.
  std::string actor;
  Role role = Role::kNone;

  // The value of header `name` (any case), or "" if absent.
  std::string header(std::string_view name) const;
};

struct Response {
  unsigned status = 200;  // 200..599; anything else is answered as a 500
  std::string content_type = "application/json";  // "" sends no Content-Type
  // Ignored (and not sent) for 204 and 304, which have no body.
  std::string body;
  // Extra headers, sent as given (e.g. Allow, Cache-Control). Leave
  // Content-Length, Server and Connection to the server. A header whose name
  // or value contains CR or LF is dropped (header injection).
  std::vector<std::pair<std::string, std::string>> headers;
  // Set by a route that takes a WebSocket upgrade (see WebSocketUpgrade):
  // the server completes the handshake and sends this subscription's
  // messages as text frames until either side closes. A request that is
  // not an upgrade is answered 426 instead.
  std::shared_ptr<StreamSubscription> stream;
};

// `body` serialised compactly; invalid UTF-8 in strings is replaced, not thrown.
Response Json(unsigned status, const nlohmann::json& body);
// {"error": {"status": status, "message": message}}
Response Error(unsigned status, std::string_view message);
// 200 with registry.RenderPrometheus() as
// "text/plain; version=0.0.4; charset=utf-8", for the /metrics route.
Response PrometheusText(const metrics::Registry& registry);
// 101: the connection becomes a WebSocket fed by `subscription`.
// REQUIRES: subscription is not null.
Response WebSocketUpgrade(std::shared_ptr<StreamSubscription> subscription);

// Splits an origin-form request target ("/path?query") into request.path
// and request.query (decoded). Returns InvalidArgument, leaving `request`
// unspecified, if the target does not start with '/' or has a malformed
// %-escape in the query.
Status ParseTarget(std::string_view target, Request& request);

using Handler = std::function<Response(const Request& request)>;

// The route a request matched, as a Router::Guard sees it.
struct RouteMatch {
  std::string_view method;
  std::string_view pattern;  // as given to Router::Add, e.g. "/api/v1/orders/{id}"
};

// Runs in place of a matched route's handler: decides whether and as whom
// the request may run (e.g. fills request.actor and request.role, or
// answers 401/403/429 itself), calls `handler` if so, and may change what
// it returns (e.g. mask it). Called from several threads at once, like
// Dispatch; exceptions are handled as a handler's.
using Guard = std::function<Response(const RouteMatch& route, Request& request, const Handler& handler)>;

// Maps (method, path pattern) to handlers. Add everything before the router
// is handed to an HttpServer; after that only Dispatch is called, possibly
// from several threads at once (it is const and keeps no per-call state).
class Router {
 public:
  // `pattern` is an absolute path whose '/'-separated segments are literals
  // or captures "{name}"; a capture matches exactly one non-empty segment,
  // and Dispatch stores its decoded text in path_params[name]. Trailing
  // slashes are significant ("/a/" has an empty last segment).
  // Throws std::invalid_argument for an empty method, a pattern not starting
  // with '/', an empty or repeated capture name, or a segment mixing literal
  // text and braces; throws std::logic_error if an equivalent pattern (same
  // literals, captures in the same places) is already added for `method`.
  void Add(std::string method, std::string pattern, Handler handler);

  // Runs the handler of the route matching request.method and request.path,
  // after filling request.path_params. Where several patterns of that method
  // match, the one with a literal segment at the first position where they
  // differ wins ("/orders/summary" beats "/orders/{id}").
  // Returns a JSON error instead: 400 if a path segment has a malformed
  // %-escape; 404 if no pattern matches the path; 405 with an Allow header
  // listing the methods that would match; 500 if the handler throws (logged
  // with the method, pattern and exception message; never the body).
  // With a guard set (SetGuard), the guard runs instead of the handler and
  // calls it; unmatched requests (400/404/405) never reach the guard.
  Response Dispatch(Request& request) const;

  // Sets the guard for every route, added before or after. Like Add, only
  // before the router is handed to an HttpServer. Default: none (every
  // matched handler runs, with request.role kNone).
  void SetGuard(Guard guard) { guard_ = std::move(guard); }

 private:
  struct Segment {
    std::string text;  // the literal, or the capture's name
    bool capture = false;
  };
  struct Route {
    std::string method;
    std::string pattern;
    std::vector<Segment> segments;
    Handler handler;
  };
  std::vector<Route> routes_;
  Guard guard_;
};

// Serves a Router over HTTP/1.1 with keep-alive.
//
// Every response carries Content-Length (except 204/304) and
// "Server: meal-dispatch". Protocol errors are answered by the server
// itself, as JSON errors, and close the connection: a malformed request gets
// 400, header fields over 16 KiB get 431, a body over max_body_bytes gets 413
// (sent as soon as the headers announce it). "Expect: 100-continue" is
// honoured. A WebSocket connection (Response::stream) sends pings after
// half of idle_timeout without traffic and is closed when the client has
// not answered within idle_timeout; one whose subscription overflowed is
// closed with kCloseTryAgainLater, and torn down if the client does not
// take the close frame within 10 s.
class HttpServer {
 public:
  struct Options {
    // IP address to listen on (no host names). Use "0.0.0.0" or "::" for all
    // interfaces. Default: loopback only.
    std::string address = "127.0.0.1";
    // 0 picks a free ephemeral port; port() tells which. Default: 0.
    std::uint16_t port = 0;
    // Threads running handlers and I/O. With 1, a slow handler delays the
    // other connections' requests; more threads trade that for handlers
    // running concurrently. Must be >= 1. Default: 1.
    int threads = 1;
    // Largest accepted request body; larger gets 413. Default: 1 MiB.
    std::size_t max_body_bytes = 1 << 20;
    // How long a connection may take to send the next request (and each
    // request's body, and to take its response) before it is closed; also
    // closes idle keep-alive connections. Must be > 0. Default: 30 s.
    std::chrono::seconds idle_timeout{30};
    // If set, the server counts responses in meal_http_responses_total{code}
    // and times handlers in meal_http_request_duration_seconds. Must outlive
    // the server. Default: none.
    metrics::Registry* metrics = nullptr;
    // If set, every connection speaks TLS with this context (see
    // MakeTlsContext in api/tls.h): HTTPS, and WSS for WebSocket routes. A
    // client speaking plain HTTP to the port gets a 400 and is closed.
    // Default: none (plain HTTP).
    std::shared_ptr<boost::asio::ssl::context> tls;
  };

  HttpServer(Options options, Router router);
  // Calls Stop().
  ~HttpServer();
  HttpServer(const HttpServer&) = delete;
  HttpServer& operator=(const HttpServer&) = delete;

  // Binds, listens and starts the threads. Returns InvalidArgument for bad
  // options (e.g. an address that is not an IP address), IoError with the
  // reason if the socket cannot be bound (e.g. the port is in use), and
  // FailedPrecondition if called again after a successful Start. A server
  // that failed to start may be destroyed or started again.
  Status Start();

  // The port actually bound; 0 before a successful Start.
  std::uint16_t port() const;

  // Stops accepting, closes every connection (requests in flight get no
  // response), lets a running handler finish and joins the threads.
  // Idempotent; a stopped server cannot be started again.
  // REQUIRES: not called from a handler (it would wait for itself).
  void Stop();

 private:
  class Impl;
  std::unique_ptr<Impl> impl_;
};

}  // namespace meal::api
