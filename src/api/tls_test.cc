#include "api/tls.h"

#include <unistd.h>

#include <cstdio>
#include <filesystem>
#include <fstream>
#include <memory>
#include <sstream>
#include <string>

#include <boost/asio/ip/tcp.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <boost/beast/websocket.hpp>
#include <boost/beast/websocket/ssl.hpp>
#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/x509.h>
#include <openssl/x509v3.h>

#include "api/http_server.h"
#include "api/stream_hub.h"
#include "api/test_sockets.h"
#include "api/websocket.h"

namespace meal::api {
namespace {

namespace beast = boost::beast;
namespace http = boost::beast::http;
namespace websocket = boost::beast::websocket;
namespace net = boost::asio;
namespace ssl = boost::asio::ssl;
using tcp = boost::asio::ip::tcp;
using ::testing::HasSubstr;

// A P-256 key and a self-signed certificate for 127.0.0.1, written as PEM
// files into a folder of the test's own.
class SelfSigned {
 public:
  explicit SelfSigned(const std::string& name) {
    dir_ = std::filesystem::temp_directory_path() / ("meal_tls_" + std::to_string(getpid()) + "_" + name);
    std::filesystem::create_directories(dir_);
    EVP_PKEY* key = EVP_EC_gen("P-256");
    X509* cert = X509_new();
    X509_set_version(cert, 2);
    ASN1_INTEGER_set(X509_get_serialNumber(cert), 1);
    X509_gmtime_adj(X509_getm_notBefore(cert), -3600);
    X509_gmtime_adj(X509_getm_notAfter(cert), 24 * 3600);
    X509_set_pubkey(cert, key);
    X509_NAME* subject = X509_get_subject_name(cert);
    X509_NAME_add_entry_by_txt(subject, "CN", MBSTRING_ASC, reinterpret_cast<const unsigned char*>("127.0.0.1"), -1,
                               -1, 0);
    X509_set_issuer_name(cert, subject);
    X509V3_CTX ctx;
    X509V3_set_ctx_nodb(&ctx);
    X509V3_set_ctx(&ctx, cert, cert, nullptr, nullptr, 0);
    X509_EXTENSION* san = X509V3_EXT_conf_nid(nullptr, &ctx, NID_subject_alt_name, "IP:127.0.0.1");
    X509_add_ext(cert, san, -1);
    X509_EXTENSION_free(san);
    X509_sign(cert, key, EVP_sha256());

    cert_file_ = (dir_ / "cert.pem").string();
    key_file_ = (dir_ / "key.pem").string();
    FILE* f = std::fopen(cert_file_.c_str(), "w");
    PEM_write_X509(f, cert);
    std::fclose(f);
    f = std::fopen(key_file_.c_str(), "w");
    PEM_write_PrivateKey(f, key, nullptr, nullptr, 0, nullptr, nullptr);
    std::fclose(f);
    X509_free(cert);
    EVP_PKEY_free(key);
  }
  ~SelfSigned() { std::filesystem::remove_all(dir_); }

  const std::string& cert_file() const { return cert_file_; }
  const std::string& key_file() const { return key_file_; }
  std::string cert_pem() const {
    std::ifstream in(cert_file_);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  std::string Write(const std::string& name, const std::string& content) const {
    const std::string path = (dir_ / name).string();
    std::ofstream(path) << content;
    return path;
  }

 private:
  std::filesystem::path dir_;
  std::string cert_file_;
  std::string key_file_;
};

// A TLS server with GET /healthz and the stream route.
class TlsServer {
 public:
  explicit TlsServer(const SelfSigned& cert) : hub_({}) {
    std::shared_ptr<ssl::context> context;
    const Status s = MakeTlsContext({cert.cert_file(), cert.key_file()}, &context);
    EXPECT_TRUE(s.ok()) << s.ToString();
    Router router;
    router.Add("GET", "/healthz", [](const Request&) { return Json(200, {{"status", "ok"}}); });
    router.Add("GET", "/stream", [this](const Request& request) {
      if (!IsWebSocketUpgrade(request)) return Error(426, "WebSocket only");
      return WebSocketUpgrade(hub_.Subscribe("", false));
    });
    server_ = std::make_unique<HttpServer>(HttpServer::Options{.tls = context}, std::move(router));
    const Status started = server_->Start();
    EXPECT_TRUE(started.ok()) << started.ToString();
  }
  std::uint16_t port() const { return server_->port(); }
  StreamHub& hub() { return hub_; }

 private:
  StreamHub hub_;
  std::unique_ptr<HttpServer> server_;
};

// A client context that trusts exactly `cert`.
ssl::context ClientContext(const SelfSigned& cert) {
  ssl::context context(ssl::context::tls_client);
  const std::string pem = cert.cert_pem();
  context.add_certificate_authority(net::buffer(pem));
  context.set_verify_mode(ssl::verify_peer);
  return context;
}

http::response<http::string_body> HttpsGet(std::uint16_t port, ssl::context& context, const std::string& target) {
  net::io_context ioc;
  beast::ssl_stream<tcp::socket> stream(ioc, context);
  SetReadTimeout(stream.next_layer());
  stream.next_layer().connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), port));
  stream.handshake(ssl::stream_base::client);
  http::request<http::empty_body> request{http::verb::get, target, 11};
  request.set(http::field::host, "127.0.0.1");
  http::write(stream, request);
  beast::flat_buffer buffer;
  http::response<http::string_body> response;
  http::read(stream, buffer, response);
  return response;
}

TEST(TlsTest, MakeTlsContextNamesTheFileAndWhy) {
  SelfSigned cert("errors");
  SelfSigned other("errors_other");
  std::shared_ptr<ssl::context> context;
  const TlsFiles good{cert.cert_file(), cert.key_file(), "config key 'http.tls_cert'", "config key 'http.tls_key'"};
  ASSERT_TRUE(MakeTlsContext(good, &context).ok());
  ASSERT_NE(context, nullptr);

  TlsFiles missing = good;
  missing.cert_file = "/nonexistent/cert.pem";
  Status s = MakeTlsContext(missing, &context);
  EXPECT_EQ(s.code(), StatusCode::kInvalidArgument);
  EXPECT_THAT(s.message(), HasSubstr("config key 'http.tls_cert' '/nonexistent/cert.pem': cannot read: No such file"));

  TlsFiles not_pem = good;
  not_pem.cert_file = cert.Write("garbage.pem", "not a certificate\n");
  s = MakeTlsContext(not_pem, &context);
  EXPECT_THAT(s.message(), HasSubstr("config key 'http.tls_cert'"));
  EXPECT_THAT(s.message(), HasSubstr("not a PEM certificate"));

  TlsFiles cert_as_key = good;
  cert_as_key.key_file = cert.cert_file();
  s = MakeTlsContext(cert_as_key, &context);
  EXPECT_THAT(s.message(), HasSubstr("config key 'http.tls_key'"));
  EXPECT_THAT(s.message(), HasSubstr("not an unencrypted PEM private key"));

  TlsFiles mismatched = good;
  mismatched.key_file = other.key_file();
  s = MakeTlsContext(mismatched, &context);
  EXPECT_THAT(s.message(), HasSubstr("does not belong to the certificate"));

  TlsFiles no_key = good;
  no_key.key_file.clear();
  s = MakeTlsContext(no_key, &context);
  EXPECT_THAT(s.message(), HasSubstr("config key 'http.tls_key': no file given"));
}

TEST(TlsTest, HttpsGetSucceeds) {
  SelfSigned cert("https");
  TlsServer server(cert);
  ssl::context client = ClientContext(cert);
  const auto response = HttpsGet(server.port(), client, "/healthz");
  EXPECT_EQ(response.result_int(), 200u);
  EXPECT_THAT(response.body(), HasSubstr("ok"));
}

TEST(TlsTest, WssStreamDeliversMessages) {
  SelfSigned cert("wss");
  TlsServer server(cert);
  ssl::context client = ClientContext(cert);
  net::io_context ioc;
  websocket::stream<beast::ssl_stream<tcp::socket>> ws(ioc, client);
  tcp::socket& socket = beast::get_lowest_layer(ws);
  SetReadTimeout(socket);
  socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
  ws.next_layer().handshake(ssl::stream_base::client);
  ws.handshake("127.0.0.1", "/stream");
  ASSERT_EQ(server.hub().clients(), 1u);
  server.hub().Publish({"a", std::make_shared<const std::string>("over TLS")});
  beast::flat_buffer buffer;
  ws.read(buffer);
  EXPECT_EQ(beast::buffers_to_string(buffer.data()), "over TLS");
  ws.close(websocket::close_code::normal);
}

TEST(TlsTest, PlainHttpToTheTlsPortGetsAClear400AndTheServerGoesOn) {
  SelfSigned cert("plain");
  TlsServer server(cert);
  {
    net::io_context ioc;
    tcp::socket socket(ioc);
    SetReadTimeout(socket);
    socket.connect(tcp::endpoint(net::ip::make_address("127.0.0.1"), server.port()));
    http::request<http::empty_body> request{http::verb::get, "/healthz", 11};
    request.set(http::field::host, "127.0.0.1");
    http::write(socket, request);
    beast::flat_buffer buffer;
    http::response<http::string_body> response;
    http::read(socket, buffer, response);
    EXPECT_EQ(response.result_int(), 400u);
    EXPECT_THAT(response.body(), HasSubstr("TLS"));
    beast::error_code ec;
    http::read(socket, buffer, response, ec);
    EXPECT_EQ(ec, http::error::end_of_stream);  // and the connection is closed
  }
  ssl::context client = ClientContext(cert);
  EXPECT_EQ(HttpsGet(server.port(), client, "/healthz").result_int(), 200u);
}

TEST(TlsTest, AClientThatDoesNotTrustTheCertificateFailsItsHandshake) {
  SelfSigned cert("untrusted");
  SelfSigned other("untrusted_other");
  TlsServer server(cert);
  ssl::context client = ClientContext(other);
  EXPECT_THROW(HttpsGet(server.port(), client, "/healthz"), boost::system::system_error);
  ssl::context trusting = ClientContext(cert);
  EXPECT_EQ(HttpsGet(server.port(), trusting, "/healthz").result_int(), 200u);
}

}  // namespace
}  // namespace meal::api
