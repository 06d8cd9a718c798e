// TLS for the HTTP server (HTTPS and WSS on the same port), with OpenSSL
// through Asio.
#pragma once

#include <memory>
#include <string>

#include "common/status.h"

namespace boost::asio::ssl {
class context;
}  // namespace boost::asio::ssl

namespace meal::api {

struct TlsFiles {
  // PEM: the server's certificate first, then any intermediate certificates.
  std::string cert_file;
  // PEM: the certificate's private key, unencrypted (a server restarts with
  // nobody to type a pass phrase).
  std::string key_file;
  // How error messages name each file, e.g. a configuration key.
  // Default: "TLS certificate" and "TLS private key".
  std::string cert_name = "TLS certificate";
  std::string key_name = "TLS private key";
};

// A server context for TLS 1.2 and later with the certificate chain and key
// from `files`. Returns InvalidArgument naming the file (by its name in
// `files`) and why when a file is missing or unreadable, holds no PEM
// certificate or key, or the key does not belong to the certificate.
Status MakeTlsContext(const TlsFiles& files, std::shared_ptr<boost::asio::ssl::context>* out);

}  // namespace meal::api
