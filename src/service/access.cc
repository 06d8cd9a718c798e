#include "service/access.h"

#include <algorithm>
#include <cmath>
#include <stdexcept>
#include <utility>

#include <nlohmann/json.hpp>
#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <spdlog/spdlog.h>

#include "service/masking.h"

namespace meal::service {
namespace {

using api::Role;

constexpr std::string_view kApiPrefix = "/api/v1/";
constexpr std::string_view kStreamPattern = "/api/v1/stream";
constexpr char kChallenge[] = "Bearer realm=\"meal-dispatch\"";
// A token is a short secret; anything longer is not one of ours and is not hashed.
constexpr std::size_t kMaxTokenBytes = 1024;

bool IsPublic(std::string_view method, std::string_view pattern) {
  if (method != "GET" && method != "HEAD") return false;
  static constexpr std::string_view kPublic[] = {"/healthz",  "/readyz",     "/metrics",    "/api/openapi.json", "/",
                                                 "/console", "/console/", "/dashboard", "/dashboard/", "/assets/{file}"};
  return std::find(std::begin(kPublic), std::end(kPublic), pattern) != std::end(kPublic);
}

int HexValue(char c) { return c <= '9' ? c - '0' : c - 'a' + 10; }

bool IEqualsAscii(std::string_view a, std::string_view b) {
  return a.size() == b.size() && std::equal(a.begin(), a.end(), b.begin(), [](char x, char y) {
           auto lower = [](char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; };
           return lower(x) == lower(y);
         });
}

// The token in "Bearer <token>" (scheme in any case, RFC 9110); "" when the
// header has another form.
std::string_view BearerToken(std::string_view authorization) {
  const auto space = authorization.find(' ');
  if (space == std::string_view::npos || !IEqualsAscii(authorization.substr(0, space), "bearer")) return {};
  std::string_view token = authorization.substr(space + 1);
  while (!token.empty() && token.front() == ' ') token.remove_prefix(1);
  while (!token.empty() && (token.back() == ' ' || token.back() == '\t')) token.remove_suffix(1);
  return token;
}

api::Response Unauthorized(std::string_view message, bool token_given) {
  api::Response r = api::Error(401, message);
  r.headers.emplace_back("WWW-Authenticate",
                         token_given ? std::string(kChallenge) + ", error=\"invalid_token\"" : std::string(kChallenge));
  return r;
}

void MaskResponse(api::Response& response) {
  if (response.status < 200 || response.status > 299 || !response.content_type.starts_with("application/json") ||
      response.body.empty()) {
    return;
  }
  nlohmann::json body = nlohmann::json::parse(response.body, nullptr, /*allow_exceptions=*/false);
  if (body.is_discarded()) {
    // Our handlers write JSON; an unreadable body cannot be masked, so it is not sent.
    spdlog::error("a JSON response for a viewer does not parse; withheld");
    response = api::Error(500, "internal error");
    return;
  }
  MaskForViewer(body);
  response.body = body.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
}

}  // namespace

Role RequiredRole(std::string_view method, std::string_view pattern) {
  if (IsPublic(method, pattern)) return Role::kNone;
  if (!pattern.starts_with(kApiPrefix)) return Role::kAdmin;
  if ((method == "GET" && pattern == "/api/v1/audit") || (method == "DELETE" && pattern == "/api/v1/elders/{id}")) {
    return Role::kAdmin;
  }
  return method == "GET" || method == "HEAD" ? Role::kViewer : Role::kDispatcher;
}

Role RoleNamed(std::string_view name) {
  if (name == "viewer") return Role::kViewer;
  if (name == "dispatcher") return Role::kDispatcher;
  if (name == "admin") return Role::kAdmin;
  return Role::kNone;
}

std::string_view RoleName(Role role) {
  switch (role) {
    case Role::kViewer: return "viewer";
    case Role::kDispatcher: return "dispatcher";
    case Role::kAdmin: return "admin";
    case Role::kNone: break;
  }
  return "none";
}

std::string Sha256Hex(std::string_view text) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(text.data(), text.size(), digest, &size, EVP_sha256(), nullptr) != 1) {
    throw std::runtime_error("OpenSSL SHA-256 failed");
  }
  static constexpr char kHex[] = "0123456789abcdef";
  std::string hex;
  hex.reserve(2 * size);
  for (unsigned int i = 0; i < size; ++i) {
    hex += kHex[digest[i] >> 4];
    hex += kHex[digest[i] & 0xf];
  }
  return hex;
}

AccessControl::AccessControl(const config::ApiConfig& config, Clock clock)
    : requests_per_s_(config.requests_per_s),
      burst_(static_cast<double>(config.burst)),
      clock_(clock ? std::move(clock) : Clock([] { return std::chrono::steady_clock::now(); })) {
  const auto now = clock_();
  for (const config::TokenConfig& t : config.tokens) {
    Token token{t.name, RoleNamed(t.role), {}};
    for (std::size_t i = 0; i < token.sha256.size() && 2 * i + 1 < t.sha256.size(); ++i) {
      token.sha256[i] = static_cast<unsigned char>(HexValue(t.sha256[2 * i]) * 16 + HexValue(t.sha256[2 * i + 1]));
    }
    tokens_.push_back(std::move(token));
    buckets_.push_back({burst_, now});
  }
}

const AccessControl::Token* AccessControl::Authenticate(std::string_view presented) const {
  if (presented.empty() || presented.size() > kMaxTokenBytes) return nullptr;
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int size = 0;
  if (EVP_Digest(presented.data(), presented.size(), digest, &size, EVP_sha256(), nullptr) != 1 || size != 32) {
    return nullptr;
  }
  // Every configured hash is compared, in constant time, whatever matches:
  // how long this takes says nothing about which token (or how much of one)
  // was right.
  const Token* found = nullptr;
  for (const Token& token : tokens_) {
    const bool equal = CRYPTO_memcmp(token.sha256.data(), digest, token.sha256.size()) == 0;
    found = equal ? &token : found;
  }
  return found;
}

std::int64_t AccessControl::Take(std::size_t index) {
  const auto now = clock_();
  std::lock_guard lock(mu_);
  Bucket& b = buckets_[index];
  if (now > b.refilled) {
    const double elapsed_s = std::chrono::duration<double>(now - b.refilled).count();
    b.available = std::min(burst_, b.available + elapsed_s * requests_per_s_);
    b.refilled = now;
  }
  if (b.available >= 1) {
    b.available -= 1;
    return 0;
  }
  return std::max<std::int64_t>(1, static_cast<std::int64_t>(std::ceil((1 - b.available) / requests_per_s_)));
}

api::Response AccessControl::Guard(const api::RouteMatch& route, api::Request& request,
                                   const api::Handler& handler) {
  const Role required = RequiredRole(route.method, route.pattern);
  if (required == Role::kNone) return handler(request);

  std::string_view presented;
  const auto authorization = request.headers.find("Authorization");
  if (authorization != request.headers.end()) {
    presented = BearerToken(authorization->second);
    if (presented.empty()) return Unauthorized("the Authorization header must be 'Bearer <token>'", true);
  } else if (route.pattern == kStreamPattern) {
    if (const auto q = request.query.find("access_token"); q != request.query.end()) presented = q->second;
  }
  if (presented.empty()) return Unauthorized("a bearer token is required", false);
  const Token* token = Authenticate(presented);
  if (token == nullptr) return Unauthorized("unknown token", true);

  if (const std::int64_t wait_s = Take(static_cast<std::size_t>(token - tokens_.data())); wait_s > 0) {
    api::Response r = api::Error(429, "too many requests for this token; retry after " + std::to_string(wait_s) + " s");
    r.headers.emplace_back("Retry-After", std::to_string(wait_s));
    return r;
  }
  if (token->role < required) {
    api::Response r = api::Error(403, "this needs the " + std::string(RoleName(required)) + " role; token '" +
                                          token->name + "' is " + std::string(RoleName(token->role)));
    r.headers.emplace_back("WWW-Authenticate", std::string(kChallenge) + ", error=\"insufficient_scope\"");
    return r;
  }
  request.actor = token->name;
  request.role = token->role;
  api::Response response = handler(request);
  if (token->role == Role::kViewer) MaskResponse(response);
  return response;
}

api::Guard AccessControl::AsGuard(std::shared_ptr<AccessControl> access) {
  return [access = std::move(access)](const api::RouteMatch& route, api::Request& request,
                                      const api::Handler& handler) { return access->Guard(route, request, handler); };
}

}  // namespace meal::service
