// An ordered list of puts and deletes that commit together.
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
  };

  void Put(std::string key, std::string value) { ops_.push_back({false, std::move(key), std::move(value)}); }
  void Delete(std::string key) { ops_.push_back({true, std::move(key), {}}); }
  void Clear() { ops_.clear(); }
  bool empty() const { return ops_.empty(); }
  std::size_t size() const { return ops_.size(); }
  const std::vector<Op>& ops() const { return ops_; }

 private:
  std::vector<Op> ops_;
};

}  // namespace meal::state
