// Forwarding of API requests to the instance that owns what they ask about.
//
// Each instance keeps the state of the areas whose tasks (partitions of the
// orders topic) the consumer group gave it, and no other. Peers makes any
// instance answer for any area: installed as the router's guard around the
// access guard, it promises that
//  - a request under /api/v1/ that this instance answers 404 (an id it does
//    not hold: order, courier, wellness case, standing order, alert...), or a
//    GET that this instance answers 200 whose `area` query parameter
//    names an area it does not own (no p/<area> key in its state: that key
//    is kept only on the area's owner), is sent to the group's other members
//    one after another, and the first answer that is not a 404 is returned
//    as it came; when every peer answers 404 or cannot be reached, the
//    local answer stands. A command (POST, DELETE) that 404s is forwarded
//    too: the owner validates it against its state and publishes it;
//  - a forwarded request carries "X-Meal-Forwarded: 1" and is answered from
//    the receiver's state only, never forwarded again (no loops);
//  - the Authorization header is passed on unchanged, and a request the
//    access guard refuses here (401/403/429) is not forwarded: every
//    instance checks the token itself;
//  - a list without an `area` filter stays local (it lists this instance's
//    areas only), and so does anything but a 404 or an area query, any
//    HEAD request and a WebSocket stream;
//  - members are learned from the consumer group (kafka::DescribeGroup),
//    described at most once per `cache_for`; a member's HTTP base URL is
//    read from its client.id "<client id>@<url>" (ClientIdWithUrl); a member
//    without one is skipped, and so is this instance;
//  - each peer gets at most `timeout` (resolve, connect, send, receive).
// The owner of a non-local area or id is not known here (its p/ key is on
// the owner only), so peers are tried in instance-id order: with n
// instances a forwarded request costs at most n - 1 hops.
// Thread-safe: the guard runs on the HTTP server's threads at once.
#pragma once

#include <chrono>
#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "api/http_server.h"
#include "kafka/admin.h"
#include "metrics/registry.h"
#include "state/store.h"

namespace meal::service {

// The header a forwarded request carries.
inline constexpr char kForwardedHeader[] = "X-Meal-Forwarded";

// "<client_id>@<url>": the group consumer's client.id carrying the URL.
std::string ClientIdWithUrl(std::string_view client_id, std::string_view url);
// The URL in a client.id made by ClientIdWithUrl; "" when it carries none
// (no '@', or what follows is no http:// URL).
std::string UrlInClientId(std::string_view client_id);

class Peers {
 public:
  // The group's members now (kafka::DescribeGroup, bound to the group).
  using Describe = std::function<Status(std::vector<kafka::GroupMember>* members)>;
  // Sends `request` to the instance at base URL `url` (api::SendHttp).
  using Send = std::function<Status(const std::string& url, const api::Request& request, api::Response* response)>;

  struct Options {
    std::string self;  // this instance's group.instance.id
    // How long a group description is used before asking again. Default: 1 s.
    std::chrono::milliseconds cache_for{1000};
    // A peer's whole exchange, for the default Send. Default: 2 s.
    std::chrono::milliseconds timeout{2000};
    // Counts meal_forwarded_requests_total{result}: "answered" (a peer gave
    // a non-404 answer), "not_found" (every peer said 404), "unreachable"
    // (no peer answered, or the group could not be described). Nothing is
    // counted when this instance is alone in the group.
    // REQUIRES: not null; outlives the Peers.
    metrics::Registry* metrics = nullptr;
  };

  // `store`: this instance's state (for p/<area>); must outlive the Peers.
  // `send`: default api::SendHttp with options.timeout.
  Peers(Options options, const state::Store& store, Describe describe, Send send = {});

  // `inner` (the access guard) with forwarding around it, as promised above.
  api::Guard Around(api::Guard inner);

 private:
  struct Peer {
    std::string instance;
    std::string url;
  };

  bool ShouldForward(const api::Request& request, const api::Response& local) const;
  bool OwnsArea(const std::string& area) const;
  // The other members with a URL, from the cached description.
  std::vector<Peer> Others(Status* status);
  // The first non-404 answer of a peer to `request`; `local` when none.
  api::Response Forward(const api::Request& request, api::Response local);

  const Options options_;
  const state::Store& store_;
  const Describe describe_;
  const Send send_;
  metrics::Counter* answered_ = nullptr;
  metrics::Counter* not_found_ = nullptr;
  metrics::Counter* unreachable_ = nullptr;

  std::mutex mu_;  // held while describing, so concurrent requests ask once
  std::vector<Peer> peers_;  // GUARDED_BY(mu_)
  std::chrono::steady_clock::time_point described_at_;  // GUARDED_BY(mu_)
  bool described_ = false;  // GUARDED_BY(mu_)
};

}  // namespace meal::service
