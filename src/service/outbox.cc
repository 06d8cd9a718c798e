#include "service/outbox.h"

#include <spdlog/spdlog.h>

#include <algorithm>

#include "common/crash_point.h"
#include "kafka/admin.h"
#include "state/keys.h"

namespace meal::service {

Outbox::Outbox(kafka::Producer* producer, OutboxOptions options)
    : producer_(producer), options_(std::move(options)) {}

Status Outbox::Recover(state::Store& store, const kafka::Properties& props) {
  std::optional<std::int64_t> mark;
  if (Status s = kafka::CommittedOffset(props, options_.marker_group, options_.marker_topic, 0,
                                        options_.txn_timeout_ms, &mark);
      !s.ok()) {
    return s;
  }
  // Sequences only grow: an output numbered below an old mark would be
  // taken for published after the next crash.
  next_seq_ = static_cast<std::uint64_t>(mark.value_or(0));
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
    if (mark && seq < static_cast<std::uint64_t>(*mark)) {
      published_.push_back(seq);
    } else if (entry.task >= 0) {
      held_[entry.task].emplace_back(seq, std::move(entry));
    } else {
      unpublished_.emplace(seq, std::move(entry));
    }
    next_seq_ = std::max(next_seq_, seq + 1);
    return true;
  });
  if (!scan.ok()) return scan;
  if (!decode.ok()) return decode;
  // Held before the mark moves past them: from the held family they are
  // neither dropped as published nor published by the next Publish.
  state::WriteSet hold;
  for (const auto& [task, entries] : held_) {
    for (const auto& [seq, entry] : entries) {
      hold.Delete(state::OutboxKey(seq));
      hold.Put(state::HeldKey(seq), codec::EncodeOutbox(entry));
    }
  }
  const std::size_t newly_held = hold.size() / 2;
  scan = store.Scan(state::kHeldPrefix, [&](std::string_view key, std::string_view value) {
    std::uint64_t seq = 0;
    codec::OutboxEntry entry;
    if (!state::DecodeOutboxKey(key, &seq, state::kHeldPrefix)) {
      decode = Status::Internal("corrupt held outbox key");
      return false;
    }
    decode = codec::DecodeOutbox(value, &entry);
    if (!decode.ok()) return false;
    held_[entry.task].emplace_back(seq, std::move(entry));
    return true;
  });
  if (!scan.ok()) return scan;
  if (!decode.ok()) return decode;
  for (auto& [task, entries] : held_) std::sort(entries.begin(), entries.end(), [](const auto& a, const auto& b) {
    return a.first < b.first;
  });
  if (!hold.empty()) {
    if (Status s = store.Commit(hold); !s.ok()) return s;
  }
  produce_from_ = unpublished_.empty() ? next_seq_ : unpublished_.begin()->first;
  if (!published_.empty() || !unpublished_.empty() || newly_held > 0) {
    spdlog::info("outbox: {} outputs of the last run were published, {} will be now, {} wait for their task",
                 published_.size(), unpublished_.size(), newly_held);
  }
  if (!mark && !unpublished_.empty()) {
    spdlog::warn("outbox: marker group {} has no mark (expired or never set): the last run's outputs are "
                 "published again, and readers may see some of them twice",
                 options_.marker_group);
  }
  return Status::Ok();
}

void Outbox::Add(codec::OutboxEntry entry) { queued_.emplace_back(next_seq_++, std::move(entry)); }

std::vector<codec::OutboxEntry> Outbox::TakeHeld(std::int32_t task) {
  std::vector<codec::OutboxEntry> out;
  auto it = held_.find(task);
  if (it == held_.end()) return out;
  for (auto& [seq, entry] : it->second) {
    unheld_.push_back(seq);
    out.push_back(std::move(entry));
  }
  held_.erase(it);
  return out;
}

std::vector<std::int32_t> Outbox::HeldTasks() const {
  std::vector<std::int32_t> out;
  for (const auto& [task, entries] : held_) out.push_back(task);
  return out;
}

void Outbox::Stage(state::WriteSet* changes) {
  for (const auto& [seq, entry] : queued_) changes->Put(state::OutboxKey(seq), codec::EncodeOutbox(entry));
  for (std::uint64_t seq : published_) changes->Delete(state::OutboxKey(seq));
  published_.clear();
  for (std::uint64_t seq : unheld_) changes->Delete(state::HeldKey(seq));
  unheld_.clear();
  staged_ = std::move(queued_);
  queued_.clear();
}

Status Outbox::Publish(bool force) {
  for (auto& [seq, entry] : staged_) unpublished_.emplace(seq, std::move(entry));
  staged_.clear();
  if (txn_failed_) return AbortTransaction("an output was refused");
  // Nothing is produced into a transaction whose commit is under way.
  if (commit_pending_) return CommitTransaction();
  for (auto it = unpublished_.lower_bound(produce_from_); it != unpublished_.end(); ++it) {
    if (!txn_open_) {
      if (kafka::TxnResult r = producer_->BeginTransaction(); !r.ok()) {
        return Status::Io("kafka transaction cannot begin: " + r.message);
      }
      txn_open_ = true;
      txn_started_ = Clock::now();
    }
    const codec::OutboxEntry& e = it->second;
    const kafka::Header writer[] = {{kWriterHeader, options_.writer}};
    if (const rd_kafka_resp_err_t err =
            producer_->Produce(e.topic, e.key, e.tombstone ? std::string_view() : std::string_view(e.value),
                               e.timestamp_ms, it->first, e.partition, writer)) {
      return AbortTransaction("produce to " + e.topic + " failed: " + kafka::ErrorText(err));
    }
    produce_from_ = it->first + 1;
  }
  if (txn_open_ && (force || Clock::now() - txn_started_ >= options_.commit_interval)) return CommitTransaction();
  return Status::Ok();
}

Status Outbox::CommitTransaction() {
  CrashPoint("before_txn_commit");
  // The mark: every output numbered below it is in this transaction or an
  // earlier committed one.
  kafka::TxnResult r;
  if (!mark_sent_) {
    r = producer_->SendOffsets(options_.marker_group,
                               {{options_.marker_topic, 0, static_cast<std::int64_t>(produce_from_)}},
                               options_.txn_timeout_ms);
    mark_sent_ = r.ok();
  }
  if (r.ok()) r = producer_->CommitTransaction(options_.txn_timeout_ms);
  switch (r.outcome) {
    case kafka::TxnOutcome::kOk: break;
    case kafka::TxnOutcome::kRetry:
      spdlog::warn("kafka transaction commit not done yet ({}); trying again", r.message);
      commit_pending_ = true;
      return Status::Ok();
    case kafka::TxnOutcome::kAbort: return AbortTransaction(r.message);
    case kafka::TxnOutcome::kFatal: return Status::Io("kafka transaction commit: " + r.message);
  }
  std::size_t n = 0;
  for (auto it = unpublished_.begin(); it != unpublished_.end() && it->first < produce_from_;) {
    published_.push_back(it->first);
    it = unpublished_.erase(it);
    ++n;
  }
  txn_open_ = commit_pending_ = mark_sent_ = false;
  if (options_.acknowledged) options_.acknowledged->Inc(n);
  if (options_.committed_txns) options_.committed_txns->Inc();
  CrashPoint("after_txn_commit");
  return Status::Ok();
}

Status Outbox::AbortTransaction(const std::string& why) {
  spdlog::warn("kafka transaction aborted ({}); its outputs go out again in the next one", why);
  const kafka::TxnResult r = producer_->AbortTransaction(options_.txn_timeout_ms);
  if (r.outcome == kafka::TxnOutcome::kFatal) return Status::Io("kafka transaction abort: " + r.message);
  if (r.outcome == kafka::TxnOutcome::kRetry) {
    txn_failed_ = true;  // the next Publish aborts again
    return Status::Ok();
  }
  txn_open_ = txn_failed_ = commit_pending_ = mark_sent_ = false;
  produce_from_ = unpublished_.empty() ? next_seq_ : unpublished_.begin()->first;
  if (options_.aborted_txns) options_.aborted_txns->Inc();
  return Status::Ok();
}

void Outbox::OnDelivery(std::uint64_t seq, rd_kafka_resp_err_t err) {
  if (!err || !unpublished_.contains(seq)) return;
  spdlog::warn("output {} refused by Kafka: {}", seq, kafka::ErrorText(err));
  txn_failed_ = true;
}

}  // namespace meal::service
