// Test support for blocking clients on loopback (the api tests and the
// integration tests).
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <cstdint>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core/flat_buffer.hpp>
#include <boost/beast/http.hpp>

namespace meal::api {

// Every blocking read in the tests gives up after this long, so a bug fails
// a test instead of hanging it.
inline constexpr int kTestReadTimeoutS = 20;

inline void SetReadTimeout(boost::asio::ip::tcp::socket& socket, int seconds = kTestReadTimeoutS) {
  timeval tv{seconds, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

// A WebSocket upgrade request written by hand to 127.0.0.1:`port`, and the
// server's answer: for the answers to an upgrade it declines, which Beast's
// client does not hand over. A result of 0: no answer came.
inline boost::beast::http::response<boost::beast::http::string_body> RawUpgrade(std::uint16_t port,
                                                                                const std::string& target) {
  namespace http = boost::beast::http;
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::socket socket(ioc);
  socket.connect({boost::asio::ip::make_address("127.0.0.1"), port});
  SetReadTimeout(socket);
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1");
  request.set(http::field::upgrade, "websocket");
  request.set(http::field::connection, "Upgrade");
  request.set(http::field::sec_websocket_version, "13");
  request.set(http::field::sec_websocket_key, "dGhlIHNhbXBsZSBub25jZQ==");
  http::write(socket, request);
  boost::beast::flat_buffer buffer;
  http::response<http::string_body> response;
  boost::beast::error_code ec;
  http::read(socket, buffer, response, ec);
  if (ec) response.result(0);
  return response;
}

}  // namespace meal::api
