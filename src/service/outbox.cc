#include "service/outbox.h"

#include <spdlog/spdlog.h>

#include "state/keys.h"

namespace meal::service {

Status Outbox::Recover(const state::Store& store) {
  Status decode = Status::Ok();
  Status scan = store.Scan(state::kOutboxPrefix, [&](std::string_view key, std::string_view value) {
    std::uint64_t seq = 0;
    codec::OutboxEntry entry;
    if (!state::DecodeOutboxKey(key, &seq)) {
      decode = Status::Internal("corrupt outbox key");
      return false;
    }
    decode = codec::DecodeOutbox(value, &entry);
    if (!decode.ok()) return false;
    in_flight_.emplace(seq, std::move(entry));
    failed_.push_back(seq);  // not known to be delivered: produce again
    next_seq_ = seq + 1;
    return true;
  });
  if (!scan.ok()) return scan;
  if (!failed_.empty()) spdlog::info("outbox: {} outputs from the last run will be produced again", failed_.size());
  return decode;
}

void Outbox::Add(codec::OutboxEntry entry) { queued_.emplace_back(next_seq_++, std::move(entry)); }

void Outbox::Stage(state::WriteSet* changes) {
  for (const auto& [seq, entry] : queued_) changes->Put(state::OutboxKey(seq), codec::EncodeOutbox(entry));
  for (std::uint64_t seq : acknowledged_) changes->Delete(state::OutboxKey(seq));
  acknowledged_.clear();
  staged_ = std::move(queued_);
  queued_.clear();
}

void Outbox::Publish() {
  for (auto& [seq, entry] : staged_) {
    auto [it, inserted] = in_flight_.emplace(seq, std::move(entry));
    failed_.push_back(it->first);
  }
  staged_.clear();
  std::vector<std::uint64_t> to_send;
  to_send.swap(failed_);
  for (std::uint64_t seq : to_send) {
    const codec::OutboxEntry& e = in_flight_.at(seq);
    const rd_kafka_resp_err_t err = producer_->Produce(e.topic, e.key, e.value, e.timestamp_ms, seq);
    if (err) {
      spdlog::error("produce to {} failed: {}", e.topic, kafka::ErrorText(err));
      failed_.push_back(seq);
    }
  }
}

void Outbox::OnDelivery(std::uint64_t seq, rd_kafka_resp_err_t err) {
  auto it = in_flight_.find(seq);
  if (it == in_flight_.end()) return;
  if (err) {
    spdlog::warn("output to {} not acknowledged ({}); producing again", it->second.topic, kafka::ErrorText(err));
    retries_total_->Inc();
    failed_.push_back(seq);
    return;
  }
  in_flight_.erase(it);
  acknowledged_.push_back(seq);
  acknowledged_total_->Inc();
}

}  // namespace meal::service
