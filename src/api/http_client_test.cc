#include "api/http_client.h"

#include <chrono>

#include <boost/asio/ip/tcp.hpp>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

namespace meal::api {
namespace {

using namespace std::chrono_literals;

TEST(ParseBaseUrlTest, TakesHostAndPort) {
  HttpEndpoint e;
  ASSERT_TRUE(ParseBaseUrl("http://meal-dispatchd-0.meal-dispatchd-headless:8080", &e).ok());
  EXPECT_EQ(e.host, "meal-dispatchd-0.meal-dispatchd-headless");
  EXPECT_EQ(e.port, "8080");
  ASSERT_TRUE(ParseBaseUrl("http://127.0.0.1/", &e).ok());
  EXPECT_EQ(e.host, "127.0.0.1");
  EXPECT_EQ(e.port, "80");
}

TEST(ParseBaseUrlTest, RejectsWhatIsNoPlainBaseUrl) {
  HttpEndpoint e;
  for (const char* url : {"", "https://a:1", "a:1", "http://", "http://a:", "http://a:x", "http://a:1/api",
                          "http://u@a:1", "http://:1"}) {
    EXPECT_FALSE(ParseBaseUrl(url, &e).ok()) << url;
  }
}

TEST(TargetOfTest, ReencodesTheQuerySoParseTargetGivesItBack) {
  Request original;
  ASSERT_TRUE(ParseTarget("/api/v1/orders/o%2F1?area=%E4%B8%9C+%E5%8C%BA&status=A,B&x=%26", original).ok());
  Request again;
  ASSERT_TRUE(ParseTarget(TargetOf(original), again).ok());
  EXPECT_EQ(again.path, "/api/v1/orders/o%2F1");
  EXPECT_EQ(again.query, original.query);
  EXPECT_EQ(again.query.at("area"), "东 区");
}

TEST(SendHttpTest, SendsMethodTargetHeadersAndBodyAndReturnsTheAnswer) {
  Router router;
  router.Add("POST", "/echo/{id}", [](const Request& r) {
    Response response = Json(201, {{"id", r.path_params.at("id")},
                                   {"q", r.query.at("q")},
                                   {"auth", r.header("Authorization")},
                                   {"body", r.body}});
    response.headers.emplace_back("X-Extra", "yes");
    return response;
  });
  HttpServer server({}, std::move(router));
  ASSERT_TRUE(server.Start().ok());
  Request request;
  ASSERT_TRUE(ParseTarget("/echo/o%201?q=a%20b", request).ok());
  request.method = "POST";
  request.body = R"({"x":1})";
  request.headers.emplace("Authorization", "Bearer t");
  Response response;
  ASSERT_TRUE(SendHttp({"127.0.0.1", std::to_string(server.port())}, request, 2s, &response).ok());
  EXPECT_EQ(response.status, 201u);
  EXPECT_EQ(response.content_type, "application/json");
  const auto body = nlohmann::json::parse(response.body);
  EXPECT_EQ(body["id"], "o 1");
  EXPECT_EQ(body["q"], "a b");
  EXPECT_EQ(body["auth"], "Bearer t");
  EXPECT_EQ(body["body"], R"({"x":1})");
  ASSERT_EQ(response.headers.size(), 1u);
  EXPECT_EQ(response.headers[0], (std::pair<std::string, std::string>("X-Extra", "yes")));
}

TEST(SendHttpTest, GivesUpAtTheDeadlineWhenThePeerNeverAnswers) {
  // Listening, so the connection is accepted by the kernel, but never read.
  boost::asio::io_context ioc;
  boost::asio::ip::tcp::acceptor silent(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
  Request request;
  request.method = "GET";
  request.path = "/";
  Response response;
  const auto start = std::chrono::steady_clock::now();
  const Status s = SendHttp({"127.0.0.1", std::to_string(silent.local_endpoint().port())}, request, 200ms, &response);
  EXPECT_FALSE(s.ok());
  EXPECT_LT(std::chrono::steady_clock::now() - start, 2s);
}

TEST(SendHttpTest, FailsForAClosedPort) {
  boost::asio::io_context ioc;
  std::uint16_t port = 0;
  {
    boost::asio::ip::tcp::acceptor gone(ioc, {boost::asio::ip::make_address("127.0.0.1"), 0});
    port = gone.local_endpoint().port();
  }
  Request request;
  request.method = "GET";
  request.path = "/";
  Response response;
  EXPECT_FALSE(SendHttp({"127.0.0.1", std::to_string(port)}, request, 2s, &response).ok());
}

}  // namespace
}  // namespace meal::api
