#include "api/tls.h"

#include <cerrno>
#include <cstring>
#include <fstream>
#include <memory>

#include <boost/asio/ssl/context.hpp>
#include <fmt/format.h>
#include <openssl/bio.h>
#include <openssl/err.h>
#include <openssl/evp.h>
#include <openssl/pem.h>
#include <openssl/ssl.h>

namespace meal::api {
namespace {

namespace ssl = boost::asio::ssl;

// Whether `path` can be opened for reading, and if not, why: OpenSSL's own
// messages for a missing file ("system lib") say less.
Status CheckReadable(const std::string& name, const std::string& path) {
  if (path.empty()) return Status::Invalid(name + ": no file given");
  std::ifstream in(path, std::ios::binary);
  if (!in) return Status::Invalid(fmt::format("{} '{}': cannot read: {}", name, path, std::strerror(errno)));
  return Status::Ok();
}

// The reason of the most recent OpenSSL error, or `fallback`.
std::string OpenSslReason(const boost::system::error_code& ec) {
  const unsigned long err = ERR_peek_last_error();  // NOLINT(runtime/int): OpenSSL's type
  ERR_clear_error();
  if (err != 0) {
    if (const char* reason = ERR_reason_error_string(err)) return reason;
  }
  return ec.message();
}

}  // namespace

Status MakeTlsContext(const TlsFiles& files, std::shared_ptr<ssl::context>* out) {
  if (Status s = CheckReadable(files.cert_name, files.cert_file); !s.ok()) return s;
  if (Status s = CheckReadable(files.key_name, files.key_file); !s.ok()) return s;
  ERR_clear_error();
  auto context = std::make_shared<ssl::context>(ssl::context::tls_server);
  boost::system::error_code ec;
  context->set_options(ssl::context::default_workarounds | ssl::context::no_sslv2 | ssl::context::no_sslv3 |
                           ssl::context::no_tlsv1 | ssl::context::no_tlsv1_1 | ssl::context::single_dh_use,
                       ec);
  if (ec) return Status::Internal("TLS options: " + ec.message());
  context->use_certificate_chain_file(files.cert_file, ec);
  if (ec) {
    return Status::Invalid(
        fmt::format("{} '{}': not a PEM certificate ({})", files.cert_name, files.cert_file, OpenSslReason(ec)));
  }
  // The key is read here rather than by use_private_key_file, so that an
  // unreadable key and a key of another certificate get different messages.
  // A pass phrase callback that gives none makes an encrypted key fail.
  std::unique_ptr<BIO, decltype(&BIO_free)> bio(BIO_new_file(files.key_file.c_str(), "r"), &BIO_free);
  std::unique_ptr<EVP_PKEY, decltype(&EVP_PKEY_free)> key(
      bio ? PEM_read_bio_PrivateKey(bio.get(), nullptr, [](char*, int, int, void*) { return 0; }, nullptr) : nullptr,
      &EVP_PKEY_free);
  if (!key) {
    return Status::Invalid(fmt::format("{} '{}': not an unencrypted PEM private key ({})", files.key_name,
                                       files.key_file, OpenSslReason({})));
  }
  if (SSL_CTX_use_PrivateKey(context->native_handle(), key.get()) != 1 ||
      SSL_CTX_check_private_key(context->native_handle()) != 1) {
    return Status::Invalid(fmt::format("{} '{}' does not belong to the certificate of {} '{}' ({})", files.key_name,
                                       files.key_file, files.cert_name, files.cert_file, OpenSslReason({})));
  }
  *out = std::move(context);
  return Status::Ok();
}

}  // namespace meal::api
