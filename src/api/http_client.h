// A minimal blocking HTTP/1.1 client (Boost.Beast) for instance-to-instance
// requests: one request per connection, plain HTTP, with a deadline.
#pragma once

#include <chrono>
#include <string>
#include <string_view>

#include "api/http_server.h"
#include "common/status.h"

namespace meal::api {

// Where a base URL "http://host[:port][/]" points. Port 80 when none is given.
struct HttpEndpoint {
  std::string host;
  std::string port;
};

// Returns InvalidArgument for anything but "http://" followed by a host, an
// optional ":port" and an optional trailing '/' (no path, user or https).
Status ParseBaseUrl(std::string_view url, HttpEndpoint* endpoint);

// The origin-form target of `request`: its path (still percent-encoded, as
// received) and its query re-encoded from request.query.
std::string TargetOf(const Request& request);

// Sends `request` (method, TargetOf(request), the headers in
// request.headers, body) to `endpoint` and fills `response` with the status,
// Content-Type, body and the other headers except those the server sets
// itself (Content-Length, Server, Connection, Date, Transfer-Encoding).
// Resolving, connecting, sending and receiving together take at most
// `timeout`; IoError when they fail or take longer. Blocks the calling
// thread; thread-safe (nothing is shared between calls).
Status SendHttp(const HttpEndpoint& endpoint, const Request& request, std::chrono::milliseconds timeout,
                Response* response);

}  // namespace meal::api
