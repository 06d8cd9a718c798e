// Internal to HttpServer: the WebSocket side of a connection that a route
// upgraded (Response::stream), plain or over TLS.
#pragma once

#include <chrono>
#include <memory>

#include <boost/beast/core/tcp_stream.hpp>
#include <boost/beast/http/message.hpp>
#include <boost/beast/http/string_body.hpp>
#include <boost/beast/ssl/ssl_stream.hpp>

#include "api/stream_hub.h"

namespace meal::api::detail {

// A live connection of the server, which Stop closes.
class Connection {
 public:
  virtual ~Connection() = default;
  // Closes the socket at once and lets pending operations fail.
  // REQUIRES: none of the server's threads is running.
  virtual void CloseNow() = 0;
};

struct WebSocketOptions {
  // Without a frame from the client for half of this, the server pings; with
  // none for all of it, the connection is closed.
  std::chrono::seconds idle_timeout{30};
  // How long a client dropped for being slow has to take the close frame
  // before the connection is torn down.
  std::chrono::seconds slow_close_timeout{10};
  // Largest message accepted from the client (the stream is one-way; what a
  // client sends is read and ignored).
  std::size_t max_client_message_bytes = 4096;
};

using UpgradeRequest = boost::beast::http::request<boost::beast::http::string_body>;

// Takes over `stream`, answers `request` with 101 and from then on sends
// `subscription`'s messages as text frames. Runs on the stream's executor
// (the connection's strand). Returns the connection, for Stop to close.
// REQUIRES: `request` is a WebSocket upgrade request; subscription not null.
std::shared_ptr<Connection> StartWebSocket(boost::beast::tcp_stream stream, UpgradeRequest request,
                                           std::shared_ptr<StreamSubscription> subscription,
                                           const WebSocketOptions& options);
std::shared_ptr<Connection> StartWebSocket(boost::beast::ssl_stream<boost::beast::tcp_stream> stream,
                                           UpgradeRequest request, std::shared_ptr<StreamSubscription> subscription,
                                           const WebSocketOptions& options);

}  // namespace meal::api::detail
