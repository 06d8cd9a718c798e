#include "api/stream_hub.h"

#include <algorithm>
#include <stdexcept>
#include <utility>
#include <vector>

#include "metrics/registry.h"

namespace meal::api {

// The hub's shared state. Subscriptions hold it too, so one that outlives
// the hub can still take itself out of the (then empty) list.
struct StreamSubscription::Core {
  std::mutex mu;
  std::vector<StreamSubscription*> subscribers;  // GUARDED_BY(mu)
  std::atomic<std::size_t> clients{0};
  std::atomic<std::uint64_t> slow_closed{0};
  metrics::Gauge* clients_gauge = nullptr;
  metrics::Counter* slow_closed_counter = nullptr;

  // REQUIRES: mu held.
  void Remove(StreamSubscription* s) {
    std::erase(subscribers, s);
    clients.store(subscribers.size(), std::memory_order_relaxed);
    if (clients_gauge != nullptr) clients_gauge->Set(static_cast<double>(subscribers.size()));
  }
};

// ------------------------------------------------------- StreamSubscription

StreamSubscription::StreamSubscription(std::shared_ptr<Core> core, std::string area, bool masked, std::size_t limit)
    : core_(std::move(core)), area_(std::move(area)), masked_(masked), limit_(limit) {}

StreamSubscription::~StreamSubscription() { Cancel(); }

void StreamSubscription::PushFront(SharedText text) {
  std::lock_guard lock(mu_);
  if (cancelled_ || overflowed_) return;
  queue_.push_front(std::move(text));
}

void StreamSubscription::SetWaker(std::function<void()> waker) {
  std::lock_guard lock(mu_);
  if (!cancelled_) waker_ = std::move(waker);
}

StreamSubscription::Next StreamSubscription::Pop(SharedText* text) {
  std::lock_guard lock(mu_);
  if (cancelled_) return Next::kCancelled;
  if (overflowed_) return Next::kOverflowed;
  if (queue_.empty()) {
    idle_ = true;
    return Next::kIdle;
  }
  *text = std::move(queue_.front());
  queue_.pop_front();
  idle_ = false;
  return Next::kMessage;
}

bool StreamSubscription::overflowed() {
  std::lock_guard lock(mu_);
  return overflowed_;
}

std::string StreamSubscription::close_reason() {
  std::lock_guard lock(mu_);
  return close_reason_;
}

void StreamSubscription::Drop(std::string reason) {
  std::lock_guard lock(mu_);
  if (!cancelled_ && !overflowed_) DropLocked(std::move(reason));
}

void StreamSubscription::DropLocked(std::string reason) {
  overflowed_ = true;
  close_reason_ = std::move(reason);
  queue_.clear();  // nothing of it will be sent: free it now
  if (waker_) waker_();
}

void StreamSubscription::Cancel() {
  {
    std::lock_guard lock(mu_);
    if (cancelled_) return;
    cancelled_ = true;
    waker_ = nullptr;
    queue_.clear();
  }
  // The hub's lock after ours is released: Publish takes them the other way.
  std::lock_guard lock(core_->mu);
  core_->Remove(this);
}

bool StreamSubscription::Offer(const SharedText& text) {
  std::lock_guard lock(mu_);
  if (cancelled_ || overflowed_) return true;
  queue_.push_back(text);
  if (queue_.size() > limit_) {
    DropLocked("client too slow: more than " + std::to_string(limit_) + " messages queued (http.ws_queue_messages)");
    return false;
  }
  if (idle_ && waker_) {
    idle_ = false;
    waker_();
  }
  return true;
}

// ---------------------------------------------------------------- StreamHub

StreamHub::StreamHub(Options options)
    : options_(std::move(options)), core_(std::make_shared<StreamSubscription::Core>()) {
  if (options_.max_clients == 0) throw std::invalid_argument("StreamHub max_clients must be at least 1");
  if (options_.queue_messages == 0) throw std::invalid_argument("StreamHub queue_messages must be at least 1");
  if (options_.metrics != nullptr) {
    core_->clients_gauge = &options_.metrics->GetGauge("meal_ws_clients", "WebSocket stream clients connected");
    core_->slow_closed_counter = &options_.metrics->GetCounter(
        "meal_ws_slow_clients_closed_total",
        "WebSocket stream clients closed (1013) because their queue passed http.ws_queue_messages");
  }
}

StreamHub::~StreamHub() {
  std::lock_guard lock(core_->mu);
  core_->subscribers.clear();
  core_->clients.store(0, std::memory_order_relaxed);
  if (core_->clients_gauge != nullptr) core_->clients_gauge->Set(0);
}

std::shared_ptr<StreamSubscription> StreamHub::Subscribe(std::string area, bool masked) {
  std::lock_guard lock(core_->mu);
  if (core_->subscribers.size() >= options_.max_clients) return nullptr;
  // The constructor is private, so no make_shared.
  std::shared_ptr<StreamSubscription> subscription(
      new StreamSubscription(core_, std::move(area), masked, options_.queue_messages));
  core_->subscribers.push_back(subscription.get());
  core_->clients.store(core_->subscribers.size(), std::memory_order_relaxed);
  if (core_->clients_gauge != nullptr) core_->clients_gauge->Set(static_cast<double>(core_->subscribers.size()));
  return subscription;
}

void StreamHub::Publish(const StreamMessage& message) {
  const SharedText& masked = message.masked ? message.masked : message.full;
  std::lock_guard lock(core_->mu);
  std::size_t dropped = 0;
  for (StreamSubscription*& s : core_->subscribers) {
    if (!s->area().empty() && s->area() != message.area_id) continue;
    if (!s->Offer(s->masked() ? masked : message.full)) {
      s = nullptr;  // removed below, after the loop
      ++dropped;
    }
  }
  if (dropped == 0) return;
  core_->Remove(nullptr);
  core_->slow_closed.fetch_add(dropped, std::memory_order_relaxed);
  if (core_->slow_closed_counter != nullptr) core_->slow_closed_counter->Inc(dropped);
}

void StreamHub::DropAll(const std::string& reason) {
  std::lock_guard lock(core_->mu);
  for (StreamSubscription* s : core_->subscribers) s->Drop(reason);
  core_->subscribers.clear();
  core_->Remove(nullptr);  // updates the count and the gauge
}

std::size_t StreamHub::clients() const { return core_->clients.load(std::memory_order_relaxed); }

bool StreamHub::has_clients() const { return clients() > 0; }

std::uint64_t StreamHub::slow_clients_closed() const { return core_->slow_closed.load(std::memory_order_relaxed); }

}  // namespace meal::api
