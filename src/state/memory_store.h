// An in-memory Store for engine tests: no disk, same semantics.
#pragma once

#include <map>
#include <mutex>

#include "state/store.h"

namespace meal::state {

class MemoryStore final : public Store {
 public:
  Status Commit(const WriteSet& changes) override;
  Status Get(std::string_view key, std::string* value) const override;
  Status ScanFrom(std::string_view prefix, std::string_view from,
                  const std::function<bool(std::string_view, std::string_view)>& fn) const override;

 private:
  mutable std::mutex mu_;
  std::map<std::string, std::string, std::less<>> data_;  // guarded by mu_
};

}  // namespace meal::state
