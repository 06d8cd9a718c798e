// Raw bytes as one HTTP request, through the path HttpServer takes without
// its sockets: Beast's request_parser (with the server's limits), the
// conversion to api::Request, api::ParseTarget and Router::Dispatch over the
// service's real routes (MakeRoutes) reading a MemoryStore of sample records.
// Commands are recorded, not published. Besides sanitizer reports, a 500 is a
// finding: it means a handler threw on input it should have answered 4xx.
#include <atomic>
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>

#include <boost/asio/buffer.hpp>
#include <boost/beast/http.hpp>
#include <spdlog/spdlog.h>

#include "api/http_server.h"
#include "codec/encode.h"
#include "metrics/registry.h"
#include "records.h"
#include "service/http_routes.h"
#include "state/memory_store.h"

namespace meal::fuzz {
namespace {

namespace http = boost::beast::http;

// As in api/http_server.cc and HttpServer::Options' default.
constexpr std::size_t kHeaderLimitBytes = 16 * 1024;
constexpr std::size_t kMaxBodyBytes = 1 << 20;

struct Service {
  Service() {
    spdlog::set_level(spdlog::level::off);  // the router logs every 500; the abort says enough
    if (!store.Commit(SampleState()).ok()) std::abort();
    service::RouteContext context{&metrics, &store, &ready, {}};
    context.publish_command = [this](const Event& e) {
      last_command = codec::EncodeCommand(e);
      return Status::Ok();
    };
    router = service::MakeRoutes(std::move(context));
  }
  metrics::Registry metrics;
  state::MemoryStore store;
  std::atomic<bool> ready{true};
  std::string last_command;
  api::Router router;
};

// Feeds all of `data` to `parser` as if it were everything the client sent
// before closing. Returns true iff a complete request came out.
bool Parse(const std::uint8_t* data, std::size_t size, http::request_parser<http::string_body>& parser) {
  boost::asio::const_buffer rest(data, size);
  boost::beast::error_code ec;
  while (rest.size() > 0 && !parser.is_done()) {
    const std::size_t used = parser.put(rest, ec);
    if (ec == http::error::need_more) break;
    if (ec) return false;
    rest += used;
  }
  // Beast's read loop asks for EOF handling only once something arrived.
  if (!parser.is_done() && parser.got_some()) parser.put_eof(ec);
  return !ec && parser.is_done();
}

}  // namespace
}  // namespace meal::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meal;
  using namespace meal::fuzz;
  static Service* const service = new Service;  // lives as long as the process

  http::request_parser<http::string_body> parser;
  parser.header_limit(kHeaderLimitBytes);
  parser.body_limit(kMaxBodyBytes);
  if (!Parse(data, size, parser)) return 0;
  http::request<http::string_body> message = parser.release();

  // The same conversion as HttpServer's Session::HandleRequest.
  api::Request request;
  request.method = std::string(message.method_string());
  for (const auto& field : message) {
    auto [it, inserted] = request.headers.emplace(std::string(field.name_string()), std::string(field.value()));
    if (!inserted) {
      it->second += ", ";
      it->second += std::string(field.value());
    }
  }
  request.body = std::move(message.body());
  if (!api::ParseTarget(std::string(message.target()), request).ok()) return 0;

  const api::Response response = service->router.Dispatch(request);
  if (response.status < 200 || response.status > 599 || response.status == 500) {
    std::fprintf(stderr, "fuzz_http: %s %s answered %u: %s\n", request.method.c_str(), request.path.c_str(),
                 response.status, response.body.c_str());
    std::abort();
  }
  return 0;
}
