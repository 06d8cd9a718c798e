#include "service/changelog.h"

#include <spdlog/spdlog.h>

#include <algorithm>
#include <chrono>
#include <set>

#include "kafka/admin.h"
#include "kafka/reader.h"
#include "service/outbox.h"
#include "state/keys.h"

namespace meal::service {
namespace {

// Records applied per state commit while restoring.
constexpr std::size_t kRestoreBatch = 10000;

std::string_view WriterOf(const kafka::Record& r) {
  for (const auto& [name, value] : r.headers) {
    if (name == kWriterHeader) return value;
  }
  return {};
}

}  // namespace

Changelog::Changelog(ChangelogOptions options, state::Store& store) : options_(std::move(options)), store_(store) {
  options_.props["isolation.level"] = "read_committed";
  // Read to the end, not followed: the broker need not hold a fetch open.
  options_.props["fetch.wait.max.ms"] = "10";
}

template <class Fn>
Status Changelog::ReadFrom(std::int32_t task, std::int64_t from, Fn&& fn) const {
  std::int64_t low = 0, high = 0;
  if (Status s = kafka::Watermarks(options_.props, options_.topic, task, options_.timeout_ms, &low, &high); !s.ok()) {
    return s;
  }
  if (high <= std::max(low, from)) return Status::Ok();  // nothing there: no reader to start
  try {
    const std::map<kafka::TopicPartition, std::int64_t> partition = {{{options_.topic, task}, from}};
    kafka::Reader reader(options_.props, partition);
    const auto deadline = std::chrono::steady_clock::now() + std::chrono::milliseconds(options_.timeout_ms);
    std::vector<kafka::Record> records;
    while (!reader.AtEnd()) {
      if (std::chrono::steady_clock::now() > deadline) {
        return Status::Io("changelog " + options_.topic + "[" + std::to_string(task) + "] not read to its end within " +
                          std::to_string(options_.timeout_ms) + " ms");
      }
      records.clear();
      reader.Poll(&records, kRestoreBatch, 100);
      for (const kafka::Record& r : records) {
        if (Status s = fn(r); !s.ok()) return s;
      }
    }
    return Status::Ok();
  } catch (const std::exception& e) {
    return Status::Io(e.what());
  }
}

Status Changelog::LastWriter(std::int32_t task, std::optional<std::string>* writer) const {
  writer->reset();
  std::int64_t low = 0, high = 0;
  if (Status s = kafka::Watermarks(options_.props, options_.topic, task, options_.timeout_ms, &low, &high); !s.ok()) {
    return s;
  }
  // The last offsets are often transaction markers or aborted records, which
  // a read_committed reader skips: look back further until a record shows.
  for (std::int64_t window = 64; high > low; window *= 16) {
    const std::int64_t from = std::max(low, high - window);
    Status s = ReadFrom(task, from, [&](const kafka::Record& r) {
      *writer = std::string(WriterOf(r));
      return Status::Ok();
    });
    if (!s.ok() || writer->has_value() || from == low) return s;
  }
  return Status::Ok();
}

Status Changelog::Restore(std::int32_t task, const std::vector<std::string>& stale_keys, std::size_t* records) {
  *records = 0;
  state::WriteSet batch;
  for (const std::string& key : stale_keys) batch.Delete(key);
  // The offsets say the task is here (the service resumes its inputs from
  // them): they go in with the last batch.
  std::map<std::string, std::optional<std::string>> offsets;
  Status s = ReadFrom(task, RD_KAFKA_OFFSET_BEGINNING, [&](const kafka::Record& r) {
    ++*records;
    if (r.key.starts_with(state::kOffsetPrefix)) {
      offsets[r.key] = r.null_value ? std::nullopt : std::optional<std::string>(r.value);
      return Status::Ok();
    }
    if (r.null_value) {
      batch.Delete(r.key);
    } else {
      batch.Put(r.key, r.value);
    }
    if (batch.size() < kRestoreBatch) return Status::Ok();
    Status commit = store_.Commit(batch);
    batch.Clear();
    return commit;
  });
  if (!s.ok()) return s;
  for (auto& [key, value] : offsets) {
    if (value) {
      batch.Put(key, std::move(*value));
    } else {
      batch.Delete(key);
    }
  }
  return batch.empty() ? Status::Ok() : store_.Commit(batch);
}

Status Changelog::Release(std::int32_t task, const std::vector<std::string>& extra_keys, std::size_t* keys) {
  std::set<std::string> named(extra_keys.begin(), extra_keys.end());
  Status s = ReadFrom(task, RD_KAFKA_OFFSET_BEGINNING, [&](const kafka::Record& r) {
    named.insert(r.key);
    return Status::Ok();
  });
  if (!s.ok()) return s;
  state::WriteSet batch;
  for (const std::string& key : named) batch.Delete(key);
  *keys = named.size();
  return batch.empty() ? Status::Ok() : store_.Commit(batch);
}

}  // namespace meal::service
