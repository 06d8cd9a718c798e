// Who may call which route: bearer tokens (configured as SHA-256 hashes)
// with roles, a per-token request rate, and masking of personal data for
// viewers. Installed as the router's guard, so it runs for every matched
// route before its handler; unmatched requests keep their 404/405 and never
// learn whether a token was good.
#pragma once

#include <array>
#include <chrono>
#include <cstdint>
#include <functional>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_server.h"
#include "config/config.h"

namespace meal::service {

// The role a route needs; kNone: public (no token read at all).
//  - public: GET /healthz, /readyz, /metrics, /api/openapi.json and the
//    pages (/, /console, /console/, /dashboard, /dashboard/,
//    /assets/{file}): a page holds no data, it asks for a token;
//  - admin: GET /api/v1/audit, DELETE /api/v1/elders/{id};
//  - viewer: any other GET (or HEAD) under /api/v1/;
//  - dispatcher: any other method under /api/v1/;
//  - admin: anything else, so a route added outside /api/v1 without a
//    thought about access is closed rather than open.
api::Role RequiredRole(std::string_view method, std::string_view pattern);

// "viewer", "dispatcher", "admin" -> the role; anything else kNone.
api::Role RoleNamed(std::string_view name);
std::string_view RoleName(api::Role role);

// The lower-case hex SHA-256 of `text` (OpenSSL).
std::string Sha256Hex(std::string_view text);

// Thread-safe: Guard is called from the HTTP server's threads at once.
class AccessControl {
 public:
  using Clock = std::function<std::chrono::steady_clock::time_point()>;

  // REQUIRES: `config` passed LoadConfig's checks (known roles, hashes of
  // 64 lower-case hex digits, unique names). `clock` drives the rate limit;
  // default std::chrono::steady_clock::now.
  explicit AccessControl(const config::ApiConfig& config, Clock clock = {});

  // The router's guard (api::Router::SetGuard). For a route that needs a
  // role it
  //  - reads the token from "Authorization: Bearer <token>" or, for
  //    GET /api/v1/stream only (browsers cannot set a WebSocket's headers),
  //    from the query parameter access_token; 401 with
  //    "WWW-Authenticate: Bearer ..." when none or an unknown one is given;
  //  - takes one request from the token's bucket: 429 with Retry-After
  //    (whole seconds) when it is empty;
  //  - answers 403 when the token's role is below the route's;
  //  - sets request.actor (the token's name) and request.role and runs
  //    `handler`;
  //  - for a viewer, applies MaskForViewer to a JSON (application/json)
  //    response body. Handlers answering a viewer in another format (the
  //    ledger's CSV) mask it themselves.
  // Public routes run their handler as is (role kNone, no actor).
  api::Response Guard(const api::RouteMatch& route, api::Request& request, const api::Handler& handler);

  // An api::Guard calling Guard on `access`, which it keeps alive.
  static api::Guard AsGuard(std::shared_ptr<AccessControl> access);

  bool has_tokens() const { return !tokens_.empty(); }

 private:
  struct Token {
    std::string name;
    api::Role role = api::Role::kNone;
    std::array<unsigned char, 32> sha256{};
  };
  struct Bucket {
    double available = 0;
    std::chrono::steady_clock::time_point refilled;
  };

  // The configured token `presented` hashes to, compared with every
  // configured hash in constant time; nullptr if none.
  const Token* Authenticate(std::string_view presented) const;
  // Takes a request from token `index`'s bucket: 0 if there was one, else
  // the whole seconds until there is.
  std::int64_t Take(std::size_t index);

  std::vector<Token> tokens_;
  const double requests_per_s_;
  const double burst_;
  const Clock clock_;
  std::mutex mu_;
  std::vector<Bucket> buckets_;  // GUARDED_BY(mu_), one per token
};

}  // namespace meal::service
