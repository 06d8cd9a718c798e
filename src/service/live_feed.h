// The live stream's publisher (GET /api/v1/stream): turns what each state
// commit wrote into stream messages and hands them to the StreamHub.
//
// The service loop calls Committed right after a commit succeeded, so a
// client never sees a change that a crash could undo. That call only moves
// the commit's write set into a queue (nothing at all while no client is
// connected); a thread of the feed's own decodes the orders, couriers and
// alerts in it, builds their JSON once, masks a copy for viewers and
// publishes both texts. The engine therefore never waits for the feed, nor
// the feed for a client (see StreamHub).
//
// Messages (JSON text), one per changed record, in commit order:
//   {"type":"order","area_id":A,"order":<as GET /api/v1/orders/{id}>}
//   {"type":"courier","area_id":A,"courier":<as GET /api/v1/couriers/{id}>}
//   {"type":"alert","area_id":A,"alert":<as in GET /api/v1/alerts>}
// A courier whose record changed only in its position (location,
// location_ms, at_door) is sent at most once per
// Options::courier_position_interval_ms of event time; any other change of
// it (route, plan, shift, availability) is sent at once. Commits that queue
// up while the feed is busy are coalesced: a record written several times
// is sent once, in its latest state, at the place of its last write.
#pragma once

#include <condition_variable>
#include <cstddef>
#include <deque>
#include <mutex>
#include <string>
#include <thread>
#include <unordered_map>
#include <vector>

#include <nlohmann/json.hpp>

#include "api/stream_hub.h"
#include "common/status.h"
#include "common/units.h"
#include "dispatch/engine.h"
#include "metrics/registry.h"
#include "state/store.h"
#include "state/write_set.h"

namespace meal::service {

class LiveFeed {
 public:
  struct Options {
    // Travel and service times for couriers' planned stops.
    dispatch::EngineOptions engine_options;
    // Bytes of committed writes (keys and values) waiting for the feed's
    // thread at most. Past that the feed has lost track: it drops the
    // backlog and closes every client with 1013 (each reconnects and starts
    // again from a snapshot). Default: 64 MiB.
    std::size_t max_pending_bytes = 64 << 20;
    // Position-only changes of one courier are sent at most once per this
    // much event time. Default: 1000 (one second).
    DurationMs courier_position_interval_ms = 1000;
    // If set, counts meal_ws_messages_total and
    // meal_ws_feed_backlog_dropped_total. Must outlive the feed.
    // Default: none.
    metrics::Registry* metrics = nullptr;
  };

  // `store` (committed state, read for couriers' routes) and `hub` must
  // outlive the feed. Starts the feed's thread.
  LiveFeed(const state::Store& store, api::StreamHub& hub, Options options);
  // Stops the thread; commits not yet published are not.
  ~LiveFeed();
  LiveFeed(const LiveFeed&) = delete;
  LiveFeed& operator=(const LiveFeed&) = delete;

  // REQUIRES: `changes` has just been committed to the store. Called by the
  // one thread that commits; returns without waiting for the feed's thread
  // or any client. Without clients it does nothing.
  void Committed(state::WriteSet&& changes);

  // Waits until every commit handed over so far is published, at most
  // `timeout_ms`; true iff it was. For tests.
  bool Flush(int timeout_ms);

 private:
  // The position-neutral encoding of the courier last sent, and the event
  // time of the position sent with it.
  struct SentCourier {
    std::string neutral;
    EventTimeMs location_ms = 0;
  };

  void Run();
  // Publishes the records of `batch` (commits in order).
  void Publish(std::vector<state::WriteSet>& batch);
  // The message for one written record; null when there is none to send.
  nlohmann::json Message(std::string_view key, std::string_view value);
  nlohmann::json CourierMessage(std::string_view value);

  const state::Store& store_;
  api::StreamHub& hub_;
  const Options options_;
  metrics::Counter* messages_ = nullptr;
  metrics::Counter* backlog_dropped_ = nullptr;

  std::mutex mu_;
  std::condition_variable wake_;     // for the feed's thread
  std::condition_variable flushed_;  // for Flush
  std::vector<state::WriteSet> pending_;  // GUARDED_BY(mu_)
  std::size_t pending_bytes_ = 0;         // GUARDED_BY(mu_)
  bool busy_ = false;                     // GUARDED_BY(mu_): publishing a batch
  bool stop_ = false;                     // GUARDED_BY(mu_)

  // The feed's thread only.
  std::unordered_map<std::string, SentCourier> sent_couriers_;
  std::thread thread_;  // last: starts once the members above exist
};

// The first message a new client of `area` ("" = every area) gets:
// {"type":"snapshot","area_id":A (null for every area),"orders":[…],
// "couriers":[…]}, the orders not in a final state and the couriers on
// shift, each as the messages above show them, read from the committed
// state. Safe from any thread.
Status StreamSnapshot(const state::Store& store, const dispatch::EngineOptions& options, const std::string& area,
                      nlohmann::json* out);

}  // namespace meal::service
