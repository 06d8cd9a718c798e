// Merges the partitions of one task into a single, reproducible order.
//
// A task is one partition number across the area-scoped input topics
// (orders, couriers, deliveries): since every topic is keyed by area with the
// same partition count, one area's events all land in one task. Within a
// task the next record is the one with the smallest (timestamp, topic index,
// offset) among the partitions' heads, and a record is released only when
// every partition of the task has a buffered head or has reached its end.
// With the input already in Kafka this order depends on nothing but the
// input, so a replay after a crash continues exactly where it stopped.
//
// `Payload` is what is buffered (the service keeps librdkafka messages).
// Not thread-safe.
#pragma once

#include <cstdint>
#include <deque>
#include <map>
#include <optional>
#include <tuple>
#include <utility>

namespace meal::ingest {

template <typename Payload>
class TaskMerger {
 public:
  void AddPartition(int topic_index, std::int32_t partition) { tasks_[partition].inputs[topic_index]; }

  // Forgets the partition and drops what it buffered (the new owner re-reads it).
  void RemovePartition(int topic_index, std::int32_t partition) {
    auto task = tasks_.find(partition);
    if (task == tasks_.end()) return;
    auto input = task->second.inputs.find(topic_index);
    if (input == task->second.inputs.end()) return;
    buffered_ -= input->second.queue.size();
    task->second.inputs.erase(input);
    if (task->second.inputs.empty()) tasks_.erase(task);
  }

  // Buffers a fetched record. Records of partitions not added are dropped.
  void Push(int topic_index, std::int32_t partition, std::int64_t timestamp, std::int64_t offset,
            Payload payload) {
    Input* input = Find(topic_index, partition);
    if (!input) return;
    input->at_end = false;
    input->queue.push_back({timestamp, offset, std::move(payload)});
    ++buffered_;
  }

  // The partition has no more records for now.
  void MarkEnd(int topic_index, std::int32_t partition) {
    if (Input* input = Find(topic_index, partition)) {
      input->at_end = true;
      input->ever_at_end = true;
    }
  }

  // The next record in task order, or nullopt when none may be released yet.
  // Tasks take turns, so a busy area cannot starve the others.
  std::optional<Payload> Pop(int* topic_index) {
    if (tasks_.empty()) return std::nullopt;
    auto it = tasks_.lower_bound(cursor_);
    for (std::size_t tried = 0; tried < tasks_.size(); ++tried, ++it) {
      if (it == tasks_.end()) it = tasks_.begin();
      Input* best = nullptr;
      int best_index = -1;
      bool blocked = false;
      for (auto& [index, input] : it->second.inputs) {
        if (input.queue.empty()) {
          blocked |= !input.at_end;  // it may still hold an earlier record
          continue;
        }
        const Item& head = input.queue.front();
        if (!best || std::tie(head.timestamp, index, head.offset) <
                         std::tie(best->queue.front().timestamp, best_index, best->queue.front().offset)) {
          best = &input;
          best_index = index;
        }
      }
      if (!best || blocked) continue;
      Payload out = std::move(best->queue.front().payload);
      best->queue.pop_front();
      --buffered_;
      *topic_index = best_index;
      auto next = std::next(it);
      cursor_ = next == tasks_.end() ? tasks_.begin()->first : next->first;
      return out;
    }
    return std::nullopt;
  }

  std::size_t buffered() const { return buffered_; }

  // True iff the partition's task cannot release a record until it fetches
  // more: nothing of it is buffered and it has not reached its end.
  bool WaitsOn(int topic_index, std::int32_t partition) const {
    auto task = tasks_.find(partition);
    if (task == tasks_.end()) return false;
    auto input = task->second.inputs.find(topic_index);
    return input != task->second.inputs.end() && input->second.queue.empty() && !input->second.at_end;
  }

  // True iff every partition has reached its end at least once since it was added.
  bool AllCaughtUp() const {
    for (const auto& [partition, task] : tasks_) {
      for (const auto& [index, input] : task.inputs) {
        if (!input.ever_at_end) return false;
      }
    }
    return true;
  }

 private:
  struct Item {
    std::int64_t timestamp;
    std::int64_t offset;
    Payload payload;
  };
  struct Input {
    std::deque<Item> queue;
    bool at_end = false;
    bool ever_at_end = false;
  };
  struct Task {
    std::map<int, Input> inputs;  // by topic index
  };

  Input* Find(int topic_index, std::int32_t partition) {
    auto task = tasks_.find(partition);
    if (task == tasks_.end()) return nullptr;
    auto input = task->second.inputs.find(topic_index);
    return input == task->second.inputs.end() ? nullptr : &input->second;
  }

  std::map<std::int32_t, Task> tasks_;  // by partition number
  std::size_t buffered_ = 0;
  std::int32_t cursor_ = 0;
};

}  // namespace meal::ingest
