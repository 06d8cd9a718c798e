// Fan-out of a live stream to WebSocket clients: one publisher hands each
// message over once, already serialised; every client has a bounded queue
// of its own, drained by its session on the HTTP server's threads.
//
// The publisher never waits for a client: Publish appends a shared pointer
// to each matching queue under short locks and returns. A client whose
// queue grows past Options::queue_messages is dropped from the hub at once
// (its queue freed) and its session closes the connection with
// kCloseTryAgainLater; the others go on.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <string>

namespace meal::metrics {
class Counter;
class Gauge;
class Registry;
}  // namespace meal::metrics

namespace meal::api {

// WebSocket close code for a client that fell behind (RFC 6455, 1013 "Try
// Again Later"): reconnecting gets a fresh snapshot.
inline constexpr std::uint16_t kCloseTryAgainLater = 1013;

using SharedText = std::shared_ptr<const std::string>;

// One message of the stream, serialised once per audience.
struct StreamMessage {
  // A subscriber for one area receives only that area's messages.
  std::string area_id;
  // What unmasked subscribers get. REQUIRES: not null.
  SharedText full;
  // What masked subscribers (viewers) get; null: the same as `full`.
  SharedText masked;
};

class StreamHub;

// One client's place in the hub. Created by StreamHub::Subscribe and held
// by the client's session. All member functions are thread-safe.
class StreamSubscription {
 public:
  enum class Next {
    kMessage,     // *text holds the oldest queued message
    kIdle,        // nothing queued; the waker is called when there is
    kOverflowed,  // dropped (the queue passed the limit, or DropAll): close
                  // with kCloseTryAgainLater and close_reason()
    kCancelled,   // Cancel was called
  };

  StreamSubscription(const StreamSubscription&) = delete;
  StreamSubscription& operator=(const StreamSubscription&) = delete;
  // Cancels.
  ~StreamSubscription();

  // The area asked for ("" = every area), and whether messages are masked.
  const std::string& area() const { return area_; }
  bool masked() const { return masked_; }

  // Puts `text` ahead of everything queued (the snapshot a client starts
  // with). Counts toward the limit like any message. Ignored once cancelled
  // or overflowed.
  void PushFront(SharedText text);

  // `waker` is called, on the publisher's thread, when a message arrives
  // while the session is idle (Pop returned kIdle) or when the queue
  // overflows. It must not block: post to the session's executor. Replaces
  // any earlier waker; Cancel drops it.
  void SetWaker(std::function<void()> waker);

  // Takes the oldest queued message. See Next.
  Next Pop(SharedText* text);

  // True once the subscription was dropped (Pop says kOverflowed from then
  // on), and why, for the close frame (at most 123 bytes).
  bool overflowed();
  std::string close_reason();

  // Leaves the hub: the queue is freed, nothing more arrives, the waker is
  // dropped (and not running once this returns). Idempotent.
  void Cancel();

 private:
  friend class StreamHub;
  struct Core;
  StreamSubscription(std::shared_ptr<Core> core, std::string area, bool masked, std::size_t limit);

  // Called by the hub under the hub's lock. Returns false iff this message
  // overflowed the queue (the caller drops the subscription).
  bool Offer(const SharedText& text);
  // Called by the hub under the hub's lock: frees the queue, wakes the
  // session to close with `reason`.
  void Drop(std::string reason);
  // REQUIRES: mu_ held, neither cancelled nor overflowed.
  void DropLocked(std::string reason);

  const std::shared_ptr<Core> core_;  // the hub's state: outlives the hub if need be
  const std::string area_;
  const bool masked_;
  const std::size_t limit_;

  std::mutex mu_;  // taken after the hub's lock, never before
  std::deque<SharedText> queue_;    // GUARDED_BY(mu_)
  std::function<void()> waker_;     // GUARDED_BY(mu_)
  bool idle_ = false;               // GUARDED_BY(mu_): the session waits for the waker
  bool overflowed_ = false;         // GUARDED_BY(mu_)
  std::string close_reason_;        // GUARDED_BY(mu_)
  bool cancelled_ = false;          // GUARDED_BY(mu_)
};

class StreamHub {
 public:
  struct Options {
    // Most clients subscribed at once; Subscribe refuses more. Must be >= 1.
    // Default: 64.
    std::size_t max_clients = 64;
    // Messages one client may have waiting; the one after that closes it.
    // Each waiting message is a shared pointer to text the other clients
    // share, so memory is bounded by the messages still queued anywhere.
    // Must be >= 1. Default: 1024.
    std::size_t queue_messages = 1024;
    // If set, keeps meal_ws_clients (gauge) and
    // meal_ws_slow_clients_closed_total (counter). Must outlive the hub.
    // Default: none.
    metrics::Registry* metrics = nullptr;
  };

  // Throws std::invalid_argument for a limit of 0.
  explicit StreamHub(Options options);
  // Subscriptions still held elsewhere stay valid and receive nothing more.
  ~StreamHub();
  StreamHub(const StreamHub&) = delete;
  StreamHub& operator=(const StreamHub&) = delete;

  // A new subscriber for messages of `area` ("" = all areas), given the
  // masked text when `masked`; null when max_clients are subscribed.
  // Thread-safe.
  std::shared_ptr<StreamSubscription> Subscribe(std::string area, bool masked);

  // Appends the message to the queue of every subscriber it is for. Never
  // waits for a client. Thread-safe; messages published from one thread
  // reach every client in the order published.
  void Publish(const StreamMessage& message);

  // Drops every subscriber as if its queue had overflowed, with `reason` in
  // the close frame: for a publisher that lost messages and cannot tell
  // which clients missed what. Not counted as slow clients.
  void DropAll(const std::string& reason);

  // Clients subscribed now (overflowed and cancelled ones no longer count).
  std::size_t clients() const;
  // clients() > 0, without a lock: a publisher skips serialising when false.
  bool has_clients() const;
  // Clients dropped for falling behind, since start.
  std::uint64_t slow_clients_closed() const;

  const Options& options() const { return options_; }

 private:
  const Options options_;
  const std::shared_ptr<StreamSubscription::Core> core_;
};

}  // namespace meal::api
