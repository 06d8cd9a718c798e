// The dispatch state store: a sorted key-value map whose changes commit in
// atomic units, so state and the input offsets that produced it can never
// disagree after a crash.
#pragma once

#include <functional>
#include <string>
#include <string_view>

#include "common/status.h"
#include "state/write_set.h"

namespace meal::state {

struct StoreStats {
  std::uint64_t stall_micros = 0;   // time writers were stalled by compaction
  std::uint64_t size_bytes = 0;     // live data on disk (estimate)
};

// Thread-safety: Commit is called by one writer thread; Get and Scan may be
// called from any thread concurrently (they see whole commits only).
class Store {
 public:
  virtual ~Store() = default;

  // Applies every change in `changes` or none.
  virtual Status Commit(const WriteSet& changes) = 0;

  // NotFound when absent.
  virtual Status Get(std::string_view key, std::string* value) const = 0;

  // Calls `fn` for each key starting with `prefix`, in key order, until it
  // returns false. `fn` must not call back into the store (the in-memory
  // store holds its lock while scanning).
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view key, std::string_view value)>& fn) const {
    return ScanFrom(prefix, prefix, fn);
  }

  // As Scan, from the first key >= `from` (a page of a listing resumes at
  // the key where the last page stopped, without reading what came before).
  virtual Status ScanFrom(std::string_view prefix, std::string_view from,
                          const std::function<bool(std::string_view key, std::string_view value)>& fn) const = 0;

  virtual StoreStats Stats() const { return {}; }
};

}  // namespace meal::state
