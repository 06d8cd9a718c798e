#include "service/peers.h"

#include <algorithm>
#include <utility>

#include <spdlog/spdlog.h>

#include "api/http_client.h"
#include "state/keys.h"

namespace meal::service {
namespace {

constexpr std::string_view kApiPrefix = "/api/v1/";
constexpr char kCounterHelp[] = "API requests sent on to other instances, by result";

// What a forwarded request carries of the original besides method, target
// and body: the caller's credentials and what the body is.
constexpr std::string_view kPassedHeaders[] = {"Authorization", "Content-Type", "Accept"};

Peers::Send HttpSend(std::chrono::milliseconds timeout) {
  return [timeout](const std::string& url, const api::Request& request, api::Response* response) {
    api::HttpEndpoint endpoint;
    if (Status s = api::ParseBaseUrl(url, &endpoint); !s.ok()) return s;
    return api::SendHttp(endpoint, request, timeout, response);
  };
}

api::Request Forwarded(const api::Request& request) {
  api::Request out;
  out.method = request.method;
  out.path = request.path;
  out.query = request.query;
  out.body = request.body;
  for (std::string_view name : kPassedHeaders) {
    if (std::string value = request.header(name); !value.empty()) out.headers.emplace(name, std::move(value));
  }
  out.headers.emplace(kForwardedHeader, "1");
  return out;
}

}  // namespace

std::string ClientIdWithUrl(std::string_view client_id, std::string_view url) {
  std::string id(client_id);
  id += '@';
  id += url;
  return id;
}

std::string UrlInClientId(std::string_view client_id) {
  const auto at = client_id.rfind('@');
  if (at == std::string_view::npos) return {};
  const std::string_view url = client_id.substr(at + 1);
  api::HttpEndpoint ignored;
  return api::ParseBaseUrl(url, &ignored).ok() ? std::string(url) : std::string();
}

Peers::Peers(Options options, const state::Store& store, Describe describe, Send send)
    : options_(std::move(options)),
      store_(store),
      describe_(std::move(describe)),
      send_(send ? std::move(send) : HttpSend(options_.timeout)) {
  auto counter = [&](const char* result) {
    return &options_.metrics->GetCounter("meal_forwarded_requests_total", kCounterHelp, {{"result", result}});
  };
  answered_ = counter("answered");
  not_found_ = counter("not_found");
  unreachable_ = counter("unreachable");
}

api::Guard Peers::Around(api::Guard inner) {
  return [this, inner = std::move(inner)](const api::RouteMatch& route, api::Request& request,
                                          const api::Handler& handler) {
    api::Response local = inner ? inner(route, request, handler) : handler(request);
    if (!route.pattern.starts_with(kApiPrefix) || !ShouldForward(request, local)) return local;
    return Forward(request, std::move(local));
  };
}

bool Peers::ShouldForward(const api::Request& request, const api::Response& local) const {
  // A HEAD answer has a Content-Length but no body, which the client would
  // wait for.
  if (local.stream || request.method == "HEAD" || !request.header(kForwardedHeader).empty()) return false;
  if (local.status == 404) return true;
  const auto area = request.query.find("area");
  return request.method == "GET" && local.status == 200 && area != request.query.end() && !area->second.empty() &&
         !OwnsArea(area->second);
}

bool Peers::OwnsArea(const std::string& area) const {
  std::string task;
  return store_.Get(state::AreaTaskKey(area), &task).ok();
}

std::vector<Peers::Peer> Peers::Others(Status* status) {
  std::lock_guard lock(mu_);
  const auto now = std::chrono::steady_clock::now();
  if (described_ && now - described_at_ < options_.cache_for) return peers_;
  std::vector<kafka::GroupMember> members;
  *status = describe_(&members);
  if (!status->ok()) return {};
  peers_.clear();
  for (const kafka::GroupMember& m : members) {
    std::string url = UrlInClientId(m.client_id);
    if (m.instance_id != options_.self && !url.empty()) peers_.push_back({m.instance_id, std::move(url)});
  }
  std::sort(peers_.begin(), peers_.end(), [](const Peer& a, const Peer& b) { return a.instance < b.instance; });
  described_ = true;
  described_at_ = now;
  return peers_;
}

api::Response Peers::Forward(const api::Request& request, api::Response local) {
  Status described;
  const std::vector<Peer> peers = Others(&described);
  if (!described.ok()) spdlog::warn("forwarding: {}", described.ToString());
  if (described.ok() && peers.empty()) return local;  // alone in the group
  const api::Request out = Forwarded(request);
  bool reached = false;
  for (const Peer& peer : peers) {
    api::Response answer;
    if (Status s = send_(peer.url, out, &answer); !s.ok()) {
      spdlog::warn("forwarding to {} ({}): {}", peer.instance, peer.url, s.ToString());
      continue;
    }
    reached = true;
    if (answer.status != 404) {
      answered_->Inc();
      return answer;
    }
  }
  (reached ? not_found_ : unreachable_)->Inc();
  return local;
}

}  // namespace meal::service
