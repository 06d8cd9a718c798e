#include "state/memory_store.h"

#include <algorithm>

namespace meal::state {

Status MemoryStore::Commit(const WriteSet& changes) {
  std::lock_guard lock(mu_);
  for (const WriteSet::Op& op : changes.ops()) {
    if (op.is_delete) {
      data_.erase(op.key);
    } else {
      data_[op.key] = op.value;
    }
  }
  return Status::Ok();
}

Status MemoryStore::Get(std::string_view key, std::string* value) const {
  std::lock_guard lock(mu_);
  auto it = data_.find(key);
  if (it == data_.end()) return Status::NotFound(std::string(key));
  *value = it->second;
  return Status::Ok();
}

Status MemoryStore::ScanFrom(std::string_view prefix, std::string_view from,
                             const std::function<bool(std::string_view, std::string_view)>& fn) const {
  std::lock_guard lock(mu_);
  for (auto it = data_.lower_bound(std::max(prefix, from)); it != data_.end() && it->first.starts_with(prefix); ++it) {
    if (!fn(it->first, it->second)) break;
  }
  return Status::Ok();
}

}  // namespace meal::state
