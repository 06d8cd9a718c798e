#include "service/live_feed.h"

#include <chrono>
#include <memory>
#include <utility>

#include <spdlog/spdlog.h>

#include "codec/state_codec.h"
#include "service/masking.h"
#include "service/record_json.h"
#include "state/keys.h"

namespace meal::service {
namespace {

using nlohmann::json;

api::SharedText Dump(const json& message) {
  // Records hold what clients sent; bad UTF-8 must not stop the stream.
  return std::make_shared<const std::string>(message.dump(-1, ' ', false, json::error_handler_t::replace));
}

// The courier's record without its position, encoded: equal for two states
// that differ in position only.
std::string PositionNeutral(Courier courier) {
  courier.location = {};
  courier.location_ms = 0;
  courier.at_door = false;
  return codec::EncodeCourier(courier);
}

}  // namespace

LiveFeed::LiveFeed(const state::Store& store, api::StreamHub& hub, Options options)
    : store_(store), hub_(hub), options_(std::move(options)) {
  if (options_.metrics != nullptr) {
    messages_ = &options_.metrics->GetCounter("meal_ws_messages_total",
                                              "Messages published to the WebSocket stream's clients");
    backlog_dropped_ = &options_.metrics->GetCounter(
        "meal_ws_feed_backlog_dropped_total",
        "Times the stream fell too far behind the engine and closed every client (1013) to start them afresh");
  }
  thread_ = std::thread([this] { Run(); });
}

LiveFeed::~LiveFeed() {
  {
    std::lock_guard lock(mu_);
    stop_ = true;
  }
  wake_.notify_one();
  thread_.join();
}

void LiveFeed::Committed(state::WriteSet&& changes) {
  // Nobody to tell. A client connecting later starts from a snapshot of the
  // committed state, which holds this commit.
  if (!hub_.has_clients()) return;
  std::size_t bytes = 0;
  for (const state::WriteSet::Op& op : changes.ops()) bytes += op.key.size() + op.value.size();
  bool dropped = false;
  {
    std::lock_guard lock(mu_);
    if (pending_bytes_ + bytes > options_.max_pending_bytes) {
      pending_.clear();
      pending_bytes_ = 0;
      dropped = true;
    } else {
      pending_.push_back(std::move(changes));
      pending_bytes_ += bytes;
    }
  }
  if (dropped) {
    // Clients would miss this commit and the ones dropped: a gap they could
    // not see. Closing them makes them reconnect to a fresh snapshot.
    if (backlog_dropped_ != nullptr) backlog_dropped_->Inc();
    spdlog::warn("live stream fell {} bytes of commits behind: closing its clients", options_.max_pending_bytes);
    hub_.DropAll("the stream fell behind the engine: reconnect");
    return;
  }
  wake_.notify_one();
}

bool LiveFeed::Flush(int timeout_ms) {
  std::unique_lock lock(mu_);
  return flushed_.wait_for(lock, std::chrono::milliseconds(timeout_ms),
                           [&] { return pending_.empty() && !busy_; });
}

void LiveFeed::Run() {
  std::vector<state::WriteSet> batch;
  while (true) {
    {
      std::unique_lock lock(mu_);
      busy_ = false;
      if (pending_.empty()) flushed_.notify_all();
      wake_.wait(lock, [&] { return stop_ || !pending_.empty(); });
      if (stop_) return;
      batch.swap(pending_);
      pending_bytes_ = 0;
      busy_ = true;
    }
    try {
      Publish(batch);
    } catch (const std::exception& e) {  // e.g. bad_alloc: the thread must go on
      spdlog::error("live stream: {}", e.what());
    }
    batch.clear();
  }
}

void LiveFeed::Publish(std::vector<state::WriteSet>& batch) {
  // The last write of each record, in the order of those last writes.
  struct Write {
    std::string_view key;
    std::string_view value;
    bool live = true;
  };
  std::vector<Write> writes;
  std::unordered_map<std::string_view, std::size_t> last;
  for (const state::WriteSet& changes : batch) {
    for (const state::WriteSet::Op& op : changes.ops()) {
      if (op.is_delete) continue;  // purged records: nothing to show
      const std::string_view key = op.key;
      if (!key.starts_with(state::kOrderPrefix) && !key.starts_with(state::kCourierPrefix) &&
          !key.starts_with(state::kAlertPrefix)) {
        continue;
      }
      auto [it, inserted] = last.try_emplace(key, writes.size());
      if (!inserted) {
        writes[it->second].live = false;
        it->second = writes.size();
      }
      writes.push_back({key, op.value});
    }
  }
  for (const Write& w : writes) {
    if (!w.live) continue;
    json message = Message(w.key, w.value);
    if (message.is_null()) continue;
    api::StreamMessage out;
    out.area_id = message["area_id"].get<std::string>();
    out.full = Dump(message);
    MaskForViewer(message);
    out.masked = Dump(message);
    hub_.Publish(out);
    if (messages_ != nullptr) messages_->Inc();
  }
}

json LiveFeed::Message(std::string_view key, std::string_view value) {
  if (key.starts_with(state::kCourierPrefix)) return CourierMessage(value);
  if (key.starts_with(state::kOrderPrefix)) {
    Order order;
    if (Status s = codec::DecodeOrder(value, &order); !s.ok()) {
      spdlog::error("live stream: undecodable order record: {}", s.message());
      return nullptr;
    }
    return {{"type", "order"}, {"area_id", order.area_id}, {"order", OrderJson(order)}};
  }
  StoredAlert alert;
  if (Status s = codec::DecodeStoredAlert(value, &alert); !s.ok()) {
    spdlog::error("live stream: undecodable alert record: {}", s.message());
    return nullptr;
  }
  return {{"type", "alert"}, {"area_id", alert.alert.area_id}, {"alert", AlertJson(alert)}};
}

json LiveFeed::CourierMessage(std::string_view value) {
  Courier courier;
  if (Status s = codec::DecodeCourier(value, &courier); !s.ok()) {
    spdlog::error("live stream: undecodable courier record: {}", s.message());
    return nullptr;
  }
  std::string neutral = PositionNeutral(courier);
  auto [it, first] = sent_couriers_.try_emplace(courier.courier_id);
  SentCourier& sent = it->second;
  if (!first && neutral == sent.neutral &&
      courier.location_ms < sent.location_ms + options_.courier_position_interval_ms) {
    return nullptr;  // a position only, too soon after the last one sent
  }
  sent.neutral = std::move(neutral);
  sent.location_ms = courier.location_ms;
  return {{"type", "courier"},
          {"area_id", courier.area_id},
          {"courier", CourierJson(store_, courier, options_.engine_options, {})}};
}

Status StreamSnapshot(const state::Store& store, const dispatch::EngineOptions& options, const std::string& area,
                      json* out) {
  json orders = json::array();
  json couriers = json::array();
  Status decode = Status::Ok();
  Status scan = store.Scan(state::kOrderPrefix, [&](std::string_view, std::string_view value) {
    Order o;
    decode = codec::DecodeOrder(value, &o);
    if (!decode.ok()) return false;
    if (!IsFinal(o.status) && (area.empty() || o.area_id == area)) orders.push_back(OrderJson(o));
    return true;
  });
  std::vector<Courier> on_shift;
  if (scan.ok() && decode.ok()) {
    scan = store.Scan(state::kCourierPrefix, [&](std::string_view, std::string_view value) {
      Courier c;
      decode = codec::DecodeCourier(value, &c);
      if (!decode.ok()) return false;
      if (c.on_shift && (area.empty() || c.area_id == area)) on_shift.push_back(std::move(c));
      return true;
    });
  }
  if (!scan.ok()) return scan;
  if (!decode.ok()) return decode;
  // A courier's JSON reads its orders, which a scan's callback must not do.
  for (const Courier& c : on_shift) couriers.push_back(CourierJson(store, c, options, {}));
  *out = {{"type", "snapshot"},
          {"area_id", area.empty() ? json(nullptr) : json(area)},
          {"orders", std::move(orders)},
          {"couriers", std::move(couriers)}};
  return Status::Ok();
}

}  // namespace meal::service
