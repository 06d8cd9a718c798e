#include "api/http_server.h"

#include <chrono>
#include <map>
#include <memory>
#include <stdexcept>
#include <string>
#include <utility>
#include <vector>

#include <boost/asio/connect.hpp>
#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/write.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "metrics/registry.h"

namespace meal::api {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace net = boost::asio;
using tcp = boost::asio::ip::tcp;
using ::testing::HasSubstr;
using BeastResponse = http::response<http::string_body>;
using HeaderList = std::vector<std::pair<std::string, std::string>>;

// A blocking client over loopback: each call returns once the server has
// answered, so the tests need no sleeps.
class TestClient {
 public:
  explicit TestClient(std::uint16_t port) : socket_(ioc_) {
    socket_.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  }

  BeastResponse Send(http::verb verb, std::string target, std::string body = {},
                     const HeaderList& headers = {}) {
    http::request<http::string_body> request{verb, target, 11};
    request.set(http::field::host, "127.0.0.1");
    for (const auto& [name, value] : headers) request.set(name, value);
    request.body() = std::move(body);
    request.prepare_payload();
    http::write(socket_, request);
    return Read();
  }

  void WriteRaw(std::string_view bytes) { net::write(socket_, net::buffer(bytes)); }

  BeastResponse Read() {
    BeastResponse response;
    http::read(socket_, buffer_, response);
    return response;
  }

  // Reads one more response and returns the error; end_of_stream when the
  // server closed the connection.
  beast::error_code ReadError() {
    BeastResponse response;
    beast::error_code ec;
    http::read(socket_, buffer_, response, ec);
    return ec;
  }

 private:
  net::io_context ioc_;
  tcp::socket socket_;
  beast::flat_buffer buffer_;
};

Request MakeRequest(std::string method, std::string path) {
  Request request;
  request.method = std::move(method);
  request.path = std::move(path);
  return request;
}

nlohmann::json Body(const BeastResponse& response) {
  return nlohmann::json::parse(response.body());
}

Router TestRouter() {
  Router router;
  router.Add("GET", "/api/v1/orders/{id}", [](const Request& request) {
    auto verbose = request.query.find("verbose");
    return Json(200, {{"id", request.path_params.at("id")},
                      {"verbose", verbose == request.query.end() ? "" : verbose->second},
                      {"trace", request.header("x-TRACE-id")}});
  });
  router.Add("DELETE", "/api/v1/orders/{id}", [](const Request&) { return Json(204, nullptr); });
  router.Add("POST", "/api/v1/orders", [](const Request& request) {
    return Json(201, {{"received_bytes", request.body.size()}});
  });
  router.Add("GET", "/boom", [](const Request&) -> Response {
    throw std::runtime_error("handler exploded");
  });
  router.Add("GET", "/healthz", [](const Request&) {
    Response response;
    response.content_type = "text/plain";
    response.body = "ok";
    return response;
  });
  return router;
}

// ------------------------------------------------------- without a network

TEST(ParseTargetTest, SplitsPathAndDecodesQuery) {
  Request request;
  ASSERT_TRUE(ParseTarget("/a/b%2Fc?x=1&name=J%C3%BCrgen+M&flag&x=2&&empty=", request).ok());
  EXPECT_EQ(request.path, "/a/b%2Fc");  // the path stays encoded until routing
  const std::map<std::string, std::string> expected = {
      {"x", "2"}, {"name", "J\xC3\xBCrgen M"}, {"flag", ""}, {"empty", ""}};
  EXPECT_EQ(request.query, expected);
}

TEST(ParseTargetTest, RejectsMalformedTargets) {
  Request request;
  EXPECT_FALSE(ParseTarget("http://example.com/a", request).ok());
  EXPECT_FALSE(ParseTarget("", request).ok());
  EXPECT_FALSE(ParseTarget("/a?x=%4", request).ok());
  EXPECT_FALSE(ParseTarget("/a?x=%zz", request).ok());
  EXPECT_FALSE(ParseTarget("/a?%=1", request).ok());
}

TEST(RouterTest, CapturesDecodedPathParams) {
  Router router = TestRouter();
  Request request = MakeRequest("GET", "");
  ASSERT_TRUE(ParseTarget("/api/v1/orders/o%2F42?verbose=yes", request).ok());
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 200u);
  EXPECT_EQ(request.path_params.at("id"), "o/42");
  EXPECT_EQ(nlohmann::json::parse(response.body)["id"], "o/42");
}

TEST(RouterTest, NotFoundAndMethodNotAllowed) {
  Router router = TestRouter();
  Request missing = MakeRequest("GET", "/api/v1/nothing");
  Response not_found = router.Dispatch(missing);
  EXPECT_EQ(not_found.status, 404u);
  EXPECT_EQ(nlohmann::json::parse(not_found.body)["error"]["status"], 404);

  Request wrong_method = MakeRequest("PUT", "/api/v1/orders/7");
  Response not_allowed = router.Dispatch(wrong_method);
  EXPECT_EQ(not_allowed.status, 405u);
  EXPECT_THAT(not_allowed.headers, ::testing::Contains(std::pair<std::string, std::string>(
                                       "Allow", "DELETE, GET")));

  Request empty_capture = MakeRequest("GET", "/api/v1/orders/");
  EXPECT_EQ(router.Dispatch(empty_capture).status, 404u);
  Request bad_escape = MakeRequest("GET", "/api/v1/orders/%G1");
  EXPECT_EQ(router.Dispatch(bad_escape).status, 400u);
}

TEST(RouterTest, LiteralSegmentBeatsCaptureRegardlessOfOrder) {
  Router router;
  router.Add("GET", "/orders/{id}/{part}", [](const Request&) { return Json(200, "capture"); });
  router.Add("GET", "/orders/{id}/route", [](const Request&) { return Json(200, "id-route"); });
  router.Add("GET", "/orders/summary/{part}", [](const Request&) { return Json(200, "summary"); });
  Request request = MakeRequest("GET", "/orders/summary/route");
  EXPECT_EQ(router.Dispatch(request).body, "\"summary\"");
  request.path = "/orders/7/route";
  EXPECT_EQ(router.Dispatch(request).body, "\"id-route\"");
  request.path = "/orders/7/stops";
  EXPECT_EQ(router.Dispatch(request).body, "\"capture\"");
}

TEST(RouterTest, ThrowingHandlerBecomes500) {
  Router router = TestRouter();
  Request request = MakeRequest("GET", "/boom");
  Response response = router.Dispatch(request);
  EXPECT_EQ(response.status, 500u);
  EXPECT_EQ(nlohmann::json::parse(response.body),
            nlohmann::json::parse(R"({"error": {"status": 500, "message": "internal error"}})"));
}

TEST(RouterTest, GuardSeesTheMatchedPatternAndWrapsTheHandler) {
  Router router = TestRouter();
  std::vector<std::string> seen;
  router.SetGuard([&](const RouteMatch& route, Request& request, const Handler& handler) {
    seen.push_back(std::string(route.method) + " " + std::string(route.pattern));
    if (request.header("authorization").empty()) return Error(401, "who are you?");
    request.actor = "desk-1";
    request.role = Role::kDispatcher;
    Response response = handler(request);
    response.headers.emplace_back("X-Guarded", "yes");
    return response;
  });
  router.Add("GET", "/whoami", [](const Request& request) {
    return Json(200, {{"actor", request.actor}, {"role", static_cast<int>(request.role)}});
  });

  Request anonymous = MakeRequest("GET", "/api/v1/orders/7");
  EXPECT_EQ(router.Dispatch(anonymous).status, 401u);
  Request known = MakeRequest("GET", "/whoami");
  known.headers["Authorization"] = "Bearer x";
  const Response response = router.Dispatch(known);
  EXPECT_EQ(nlohmann::json::parse(response.body),
            nlohmann::json::parse(R"({"actor": "desk-1", "role": 2})"));
  EXPECT_THAT(response.headers, ::testing::Contains(std::pair<std::string, std::string>("X-Guarded", "yes")));
  EXPECT_EQ(seen, (std::vector<std::string>{"GET /api/v1/orders/{id}", "GET /whoami"}));

  // Unmatched requests never reach the guard; a throwing handler under it is a 500.
  Request missing = MakeRequest("GET", "/api/v1/nothing");
  EXPECT_EQ(router.Dispatch(missing).status, 404u);
  Request wrong_method = MakeRequest("PUT", "/api/v1/orders/7");
  EXPECT_EQ(router.Dispatch(wrong_method).status, 405u);
  Request boom = MakeRequest("GET", "/boom");
  boom.headers["Authorization"] = "Bearer x";
  EXPECT_EQ(router.Dispatch(boom).status, 500u);
  EXPECT_EQ(seen.size(), 3u);
}

TEST(RouterTest, RejectsBadPatterns) {
  Router router;
  auto ok = [](const Request&) { return Response{}; };
  EXPECT_THROW(router.Add("GET", "orders", ok), std::invalid_argument);
  EXPECT_THROW(router.Add("", "/orders", ok), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/orders/{}", ok), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/orders/x{id}", ok), std::invalid_argument);
  EXPECT_THROW(router.Add("GET", "/a/{id}/{id}", ok), std::invalid_argument);
  router.Add("GET", "/orders/{id}", ok);
  EXPECT_THROW(router.Add("GET", "/orders/{other}", ok), std::logic_error);
  EXPECT_NO_THROW(router.Add("POST", "/orders/{id}", ok));
}

TEST(ResponseTest, ErrorShape) {
  Response response = Error(422, "window \"ends\" early");
  EXPECT_EQ(response.status, 422u);
  EXPECT_EQ(response.content_type, "application/json");
  EXPECT_EQ(response.body, R"({"error":{"message":"window \"ends\" early","status":422}})");
}

// --------------------------------------------------------- over loopback

class HttpServerTest : public ::testing::Test {
 protected:
  void SetUp() override {
    HttpServer::Options options;
    options.threads = 2;
    options.max_body_bytes = 64;
    options.metrics = &registry_;
    server_ = std::make_unique<HttpServer>(options, TestRouter());
    Status status = server_->Start();
    ASSERT_TRUE(status.ok()) << status.ToString();
    ASSERT_NE(server_->port(), 0);
  }

  metrics::Registry registry_;
  std::unique_ptr<HttpServer> server_;
};

TEST_F(HttpServerTest, GetWithPathParamQueryAndHeaders) {
  TestClient client(server_->port());
  BeastResponse response = client.Send(http::verb::get, "/api/v1/orders/o%2F42?verbose=yes+please",
                                       {}, {{"X-Trace-Id", "t-1"}});
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_EQ(Body(response),
            nlohmann::json({{"id", "o/42"}, {"verbose", "yes please"}, {"trace", "t-1"}}));
  EXPECT_EQ(response[http::field::server], "meal-dispatch");
  EXPECT_EQ(response[http::field::content_type], "application/json");
  EXPECT_EQ(response[http::field::content_length], std::to_string(response.body().size()));
  EXPECT_EQ(registry_.GetCounter("meal_http_responses_total", "", {{"code", "200"}}).Value(), 1u);
  EXPECT_THAT(registry_.RenderPrometheus(),
              HasSubstr("meal_http_request_duration_seconds_count 1\n"));
}

TEST_F(HttpServerTest, NonJsonResponseKeepsItsContentType) {
  TestClient client(server_->port());
  BeastResponse response = client.Send(http::verb::get, "/healthz");
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_EQ(response.body(), "ok");
  EXPECT_EQ(response[http::field::content_type], "text/plain");
  EXPECT_EQ(response[http::field::content_length], "2");
}

TEST_F(HttpServerTest, UnknownPathIs404) {
  TestClient client(server_->port());
  BeastResponse response = client.Send(http::verb::get, "/nowhere");
  EXPECT_EQ(response.result_int(), 404u);
  EXPECT_EQ(Body(response)["error"]["status"], 404);
  EXPECT_EQ(response[http::field::content_type], "application/json");
}

TEST_F(HttpServerTest, WrongMethodIs405WithAllow) {
  TestClient client(server_->port());
  BeastResponse response = client.Send(http::verb::put, "/api/v1/orders/7", "{}");
  EXPECT_EQ(response.result_int(), 405u);
  EXPECT_EQ(response[http::field::allow], "DELETE, GET");
  EXPECT_EQ(Body(response)["error"]["status"], 405);
}

TEST_F(HttpServerTest, NoContentHasNoBodyNorLength) {
  TestClient client(server_->port());
  BeastResponse response = client.Send(http::verb::delete_, "/api/v1/orders/7");
  EXPECT_EQ(response.result_int(), 204u);
  EXPECT_EQ(response.count(http::field::content_length), 0u);
  EXPECT_TRUE(response.body().empty());
  // The connection is still usable afterwards.
  EXPECT_EQ(client.Send(http::verb::get, "/healthz").result_int(), 200u);
}

TEST_F(HttpServerTest, BodyWithinLimitIsDelivered) {
  TestClient client(server_->port());
  BeastResponse response = client.Send(http::verb::post, "/api/v1/orders", std::string(64, 'x'));
  EXPECT_EQ(response.result_int(), 201u);
  EXPECT_EQ(Body(response)["received_bytes"], 64);
}

TEST_F(HttpServerTest, OversizedBodyIs413AndCloses) {
  TestClient client(server_->port());
  BeastResponse response = client.Send(http::verb::post, "/api/v1/orders", std::string(4096, 'x'));
  EXPECT_EQ(response.result_int(), 413u);
  EXPECT_EQ(Body(response)["error"]["status"], 413);
  EXPECT_FALSE(response.keep_alive());
  EXPECT_EQ(client.ReadError(), http::error::end_of_stream);
}

TEST_F(HttpServerTest, OversizedChunkedBodyIs413) {
  TestClient client(server_->port());
  client.WriteRaw(
      "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
      "40\r\n" + std::string(64, 'x') + "\r\n1\r\ny\r\n0\r\n\r\n");
  EXPECT_EQ(client.Read().result_int(), 413u);
}

TEST_F(HttpServerTest, HandlerThrowingIs500) {
  TestClient client(server_->port());
  BeastResponse response = client.Send(http::verb::get, "/boom");
  EXPECT_EQ(response.result_int(), 500u);
  EXPECT_EQ(Body(response)["error"]["message"], "internal error");
  // A failing handler does not cost the connection.
  EXPECT_TRUE(response.keep_alive());
  EXPECT_EQ(client.Send(http::verb::get, "/healthz").result_int(), 200u);
}

TEST_F(HttpServerTest, MalformedRequestIs400) {
  TestClient client(server_->port());
  client.WriteRaw("THIS IS NOT HTTP\r\n\r\n");
  BeastResponse response = client.Read();
  EXPECT_EQ(response.result_int(), 400u);
  EXPECT_EQ(Body(response)["error"]["status"], 400);
  EXPECT_EQ(client.ReadError(), http::error::end_of_stream);
}

TEST_F(HttpServerTest, MalformedQueryIs400) {
  TestClient client(server_->port());
  EXPECT_EQ(client.Send(http::verb::get, "/api/v1/orders/1?x=%zz").result_int(), 400u);
}

TEST_F(HttpServerTest, TwoRequestsOnOneKeepAliveConnection) {
  TestClient client(server_->port());
  BeastResponse first = client.Send(http::verb::get, "/api/v1/orders/1");
  BeastResponse second = client.Send(http::verb::get, "/api/v1/orders/2");
  EXPECT_TRUE(first.keep_alive());
  EXPECT_EQ(Body(first)["id"], "1");
  EXPECT_EQ(Body(second)["id"], "2");
}

TEST_F(HttpServerTest, PipelinedRequestsAreAnsweredInOrder) {
  TestClient client(server_->port());
  client.WriteRaw(
      "GET /api/v1/orders/a HTTP/1.1\r\nHost: x\r\n\r\n"
      "GET /api/v1/orders/b HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n");
  EXPECT_EQ(Body(client.Read())["id"], "a");
  BeastResponse last = client.Read();
  EXPECT_EQ(Body(last)["id"], "b");
  EXPECT_FALSE(last.keep_alive());
  EXPECT_EQ(client.ReadError(), http::error::end_of_stream);
}

TEST_F(HttpServerTest, ExpectContinueGetsInterimResponse) {
  TestClient client(server_->port());
  client.WriteRaw(
      "POST /api/v1/orders HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n"
      "Expect: 100-continue\r\n\r\n");
  EXPECT_EQ(client.Read().result_int(), 100u);
  client.WriteRaw("hello");
  BeastResponse response = client.Read();
  EXPECT_EQ(response.result_int(), 201u);
  EXPECT_EQ(Body(response)["received_bytes"], 5);
}

TEST_F(HttpServerTest, StopClosesConnectionsAndListener) {
  const std::uint16_t port = server_->port();
  TestClient idle(port);
  EXPECT_EQ(idle.Send(http::verb::get, "/healthz").result_int(), 200u);
  server_->Stop();
  server_->Stop();  // idempotent
  EXPECT_TRUE(idle.ReadError());
  EXPECT_THROW(TestClient{port}, boost::system::system_error);
  server_.reset();  // the destructor's Stop is a no-op now
}

TEST(HttpServerStartTest, ReportsBadAddressAndPortInUse) {
  HttpServer::Options bad_address;
  bad_address.address = "not-an-ip";
  HttpServer server(bad_address, Router());
  Status status = server.Start();
  EXPECT_EQ(status.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(status.message(), HasSubstr("not-an-ip"));

  HttpServer first(HttpServer::Options{}, Router());
  ASSERT_TRUE(first.Start().ok());
  EXPECT_EQ(first.Start().code(), StatusCode::kFailedPrecondition);
  HttpServer::Options same_port;
  same_port.port = first.port();
  HttpServer second(same_port, Router());
  status = second.Start();
  EXPECT_EQ(status.code(), StatusCode::kIoError);
  EXPECT_THAT(status.message(), HasSubstr("bind"));
  EXPECT_EQ(second.port(), 0);

  HttpServer::Options no_threads;
  no_threads.threads = 0;
  EXPECT_EQ(HttpServer(no_threads, Router()).Start().code(), StatusCode::kInvalidArgument);
}

TEST(HttpServerStartTest, IdleConnectionIsClosedAfterTimeout) {
  HttpServer::Options options;
  options.idle_timeout = std::chrono::seconds(1);
  HttpServer server(options, TestRouter());
  ASSERT_TRUE(server.Start().ok());
  TestClient client(server.port());
  EXPECT_EQ(client.Send(http::verb::get, "/healthz").result_int(), 200u);
  // Blocks until the server gives up on the idle connection (about 1 s).
  EXPECT_TRUE(client.ReadError());
}

}  // namespace
}  // namespace meal::api
