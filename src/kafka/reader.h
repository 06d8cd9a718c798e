// Reads whole topics outside any consumer group: every partition, from given
// or earliest offsets, or chosen partitions. For registry bootstrap, restoring
// from a changelog, the simulator and tests.
// Not thread-safe.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <utility>
#include <vector>

#include "kafka/client_config.h"

namespace meal::kafka {

struct Record {
  std::string topic;
  std::int32_t partition = 0;
  std::int64_t offset = 0;
  std::int64_t timestamp_ms = 0;
  std::string key;
  std::string value;
  bool null_value = false;  // a tombstone
  std::vector<std::pair<std::string, std::string>> headers;
};

using TopicPartition = std::pair<std::string, std::int32_t>;

class Reader {
 public:
  // Starts every partition of `topics` at `start_offsets` when given there,
  // else at the beginning. `props` needs bootstrap.servers. Set
  // isolation.level in props for read_committed. Throws std::runtime_error
  // when the client cannot be created or a topic does not exist.
  Reader(const Properties& props, const std::vector<std::string>& topics,
         const std::map<TopicPartition, std::int64_t>& start_offsets = {});
  // Reads exactly the partitions given, each from its offset.
  Reader(const Properties& props, const std::map<TopicPartition, std::int64_t>& partitions);
  ~Reader();
  Reader(const Reader&) = delete;
  Reader& operator=(const Reader&) = delete;

  // Appends up to `max` records to `out`, waiting at most timeout_ms for the
  // first. Returns the number appended.
  std::size_t Poll(std::vector<Record>* out, std::size_t max, int timeout_ms);

  // True iff every partition has reported end-of-partition with nothing
  // consumed since: all records that existed at that moment were returned.
  bool AtEnd() const;

  // Reads until AtEnd() or until `deadline_ms` of waiting passes; returns false on timeout.
  bool ReadToEnd(std::vector<Record>* out, int deadline_ms);

 private:
  void Open(const Properties& props);
  void Assign(const std::map<TopicPartition, std::int64_t>& partitions);

  HandlePtr rk_;
  std::map<TopicPartition, bool> at_eof_;
};

}  // namespace meal::kafka
