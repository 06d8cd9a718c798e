// Test support for the api tests' blocking clients.
#pragma once

#include <sys/socket.h>
#include <sys/time.h>

#include <boost/asio/ip/tcp.hpp>

namespace meal::api {

// Every blocking read in the tests gives up after this long, so a bug fails
// a test instead of hanging it.
inline constexpr int kTestReadTimeoutS = 20;

inline void SetReadTimeout(boost::asio::ip::tcp::socket& socket) {
  timeval tv{kTestReadTimeoutS, 0};
  setsockopt(socket.native_handle(), SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof tv);
}

}  // namespace meal::api
