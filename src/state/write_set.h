// An ordered list of puts and deletes that commit together. Each may name
// the area whose state it is, so that it can also go to that area's
// changelog partition.
#pragma once

#include <string>
#include <string_view>
#include <vector>

namespace meal::state {

class WriteSet {
 public:
  struct Op {
    bool is_delete = false;
    std::string key;
    std::string value;
    std::string area;  // empty: the instance's own (registry, offsets of the registry, outbox)
  };

  void Put(std::string key, std::string value, std::string area = {}) {
    ops_.push_back({false, std::move(key), std::move(value), std::move(area)});
  }
  void Delete(std::string key, std::string area = {}) { ops_.push_back({true, std::move(key), {}, std::move(area)}); }
  void Clear() { ops_.clear(); }
  bool empty() const { return ops_.empty(); }
  std::size_t size() const { return ops_.size(); }
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
};

}  // namespace meal::state
