#include "api/http_client.h"

#include <boost/asio/connect.hpp>
#include <boost/asio/io_context.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>

namespace meal::api {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;

namespace {

constexpr std::string_view kScheme = "http://";

bool Unreserved(unsigned char c) {
  return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' || c == '.' ||
         c == '_' || c == '~';
}

void AppendEncoded(std::string_view text, std::string& out) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  for (const unsigned char c : text) {
    if (Unreserved(c)) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 15];
    }
  }
}

// Headers a response gets from whoever serves it again (Content-Type is
// Response::content_type).
bool SetByServer(std::string_view name) {
  for (std::string_view own : {"Content-Length", "Server", "Connection", "Date", "Transfer-Encoding", "Content-Type"}) {
    if (beast::iequals(beast::string_view(name.data(), name.size()), beast::string_view(own.data(), own.size()))) {
      return true;
    }
  }
  return false;
}

// The exchange as asynchronous steps on a private io_context, so that one
// deadline bounds all of them (Beast's synchronous calls have none).
class Exchange {
 public:
  Exchange(const HttpEndpoint& endpoint, http::request<http::string_body> request)
      : endpoint_(endpoint), request_(std::move(request)), resolver_(ioc_), stream_(ioc_) {}

  Status Run(std::chrono::milliseconds timeout, http::response<http::string_body>* response) {
    stream_.expires_after(timeout);
    resolver_.async_resolve(endpoint_.host, endpoint_.port,
                            [this](beast::error_code ec, tcp::resolver::results_type results) {
                              if (ec) return Fail(ec, "resolving");
                              stream_.async_connect(results, [this](beast::error_code ec, const auto&) {
                                if (ec) return Fail(ec, "connecting");
                                http::async_write(stream_, request_, [this](beast::error_code ec, std::size_t) {
                                  if (ec) return Fail(ec, "sending");
                                  http::async_read(stream_, buffer_, response_, [this](beast::error_code ec, std::size_t) {
                                    if (ec) return Fail(ec, "receiving");
                                    done_ = true;
                                  });
                                });
                              });
                            });
    // The resolver is not covered by the stream's expiry.
    ioc_.run_for(timeout);
    if (!ioc_.stopped()) {
      resolver_.cancel();
      stream_.cancel();
      ioc_.restart();
      ioc_.run();  // the cancelled handlers
      if (error_.ok()) error_ = Status::Io("timed out");
    }
    if (!done_) return Status::Io("http://" + endpoint_.host + ":" + endpoint_.port + ": " + error_.message());
    *response = std::move(response_);
    return Status::Ok();
  }

 private:
  void Fail(beast::error_code ec, std::string_view step) {
    error_ = Status::Io(std::string(step) + ": " + ec.message());
  }

  const HttpEndpoint& endpoint_;
  http::request<http::string_body> request_;
  net::io_context ioc_;
  tcp::resolver resolver_;
  beast::tcp_stream stream_;
  beast::flat_buffer buffer_;
  http::response<http::string_body> response_;
  bool done_ = false;
  Status error_;
};

}  // namespace

Status ParseBaseUrl(std::string_view url, HttpEndpoint* endpoint) {
  if (!url.starts_with(kScheme)) return Status::Invalid("URL must start with http://");
  std::string_view rest = url.substr(kScheme.size());
  if (rest.ends_with('/')) rest.remove_suffix(1);
  if (rest.empty() || rest.find_first_of("/?#@ ") != std::string_view::npos) {
    return Status::Invalid("URL must be http://host[:port] with no path");
  }
  const auto colon = rest.rfind(':');
  endpoint->host = std::string(rest.substr(0, colon));
  endpoint->port = colon == std::string_view::npos ? "80" : std::string(rest.substr(colon + 1));
  if (endpoint->host.empty() || endpoint->port.empty() ||
      endpoint->port.find_first_not_of("0123456789") != std::string::npos) {
    return Status::Invalid("URL must be http://host[:port] with a numeric port");
  }
  return Status::Ok();
}

std::string TargetOf(const Request& request) {
  std::string target = request.path;
  char separator = '?';
  for (const auto& [key, value] : request.query) {
    target += separator;
    AppendEncoded(key, target);
    target += '=';
    AppendEncoded(value, target);
    separator = '&';
  }
  return target;
}

Status SendHttp(const HttpEndpoint& endpoint, const Request& request, std::chrono::milliseconds timeout,
                Response* response) {
  http::request<http::string_body> out;
  out.method_string(request.method);
  out.target(TargetOf(request));
  out.version(11);
  out.set(http::field::host, endpoint.host + ":" + endpoint.port);
  out.set(http::field::connection, "close");
  for (const auto& [name, value] : request.headers) out.set(name, value);
  out.body() = request.body;
  out.prepare_payload();

  http::response<http::string_body> in;
  Exchange exchange(endpoint, std::move(out));
  if (Status s = exchange.Run(timeout, &in); !s.ok()) return s;
  response->status = in.result_int();
  response->content_type = std::string(in[http::field::content_type]);
  response->body = std::move(in.body());
  response->headers.clear();
  for (const auto& field : in) {
    const std::string_view name(field.name_string().data(), field.name_string().size());
    if (!SetByServer(name)) response->headers.emplace_back(name, std::string(field.value()));
  }
  return Status::Ok();
}

}  // namespace meal::api
