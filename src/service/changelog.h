// An area task's state beyond this instance: every change to it also goes to
// partition N of a compacted changelog topic (N = the task, the input
// partition its areas arrive on), inside the same Kafka transaction as the
// outputs it caused. The changelog moves a task between instances:
//
//   - the instance that gains a task restores it from the changelog unless
//     its own copy is current (it wrote the changelog's last record);
//   - the instance that loses a task deletes every key the changelog names
//     for it, after committing what it applied.
//
// Records: key = the state key, value = the state value, a null value for a
// deletion, and a "writer" header naming the instance (docs/reliability.md).
// Not thread-safe: the event loop owns it.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "common/status.h"
#include "kafka/client_config.h"
#include "state/store.h"

namespace meal::service {

struct ChangelogOptions {
  std::string topic;
  std::string instance;  // this instance's id, as in the writer header
  kafka::Properties props;  // bootstrap.servers and client settings
  int timeout_ms = 30000;   // longest wait for reading a partition to its end
};

class Changelog {
 public:
  Changelog(ChangelogOptions options, state::Store& store);

  // The instance whose committed record is the partition's last, or nullopt
  // when the partition holds none.
  Status LastWriter(std::int32_t task, std::optional<std::string>* writer) const;

  // Makes the local state of `task` the changelog's: deletes `stale_keys`
  // (changes of this instance the changelog never got), then applies every
  // committed record from the beginning. The task's input offsets are written
  // last, so a restore cut short leaves the task absent (HasLocalState), not
  // half there. Sets `*records` to the number applied.
  Status Restore(std::int32_t task, const std::vector<std::string>& stale_keys, std::size_t* records);

  // Deletes the local state of `task`: every key its changelog names, and
  // `extra_keys`, in one atomic commit.
  Status Release(std::int32_t task, const std::vector<std::string>& extra_keys, std::size_t* keys);

  const std::string& topic() const { return options_.topic; }
  const std::string& instance() const { return options_.instance; }

 private:
  // Reads the committed records of `task` from `from` to the partition's end.
  template <class Fn>
  Status ReadFrom(std::int32_t task, std::int64_t from, Fn&& fn) const;

  ChangelogOptions options_;
  state::Store& store_;
};

}  // namespace meal::service
