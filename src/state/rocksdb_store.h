// The Store on RocksDB: one WriteBatch per Commit, WAL on.
#pragma once

#include <memory>
#include <string>

#include "state/store.h"

namespace rocksdb {
class DB;
class Statistics;
}  // namespace rocksdb

namespace meal::state {

struct RocksDbOptions {
  // fsync the WAL on every commit. Default: false — a process crash loses
  // nothing (the OS holds the WAL); a power cut can lose the last commits,
  // which are then re-consumed from Kafka because offsets commit with them.
  bool sync = false;
  // Block cache size. Default: 64 MiB.
  std::size_t block_cache_bytes = 64u << 20;
};

class RocksDbStore final : public Store {
 public:
  // Opens (creating if missing) the database in `path`.
  static Status Open(const std::string& path, const RocksDbOptions& options,
                     std::unique_ptr<RocksDbStore>* out);
  ~RocksDbStore() override;

  Status Commit(const WriteSet& changes) override;
  Status Get(std::string_view key, std::string* value) const override;
  Status Scan(std::string_view prefix,
              const std::function<bool(std::string_view, std::string_view)>& fn) const override;
  StoreStats Stats() const override;

 private:
  RocksDbStore(std::unique_ptr<rocksdb::DB> db, std::shared_ptr<rocksdb::Statistics> stats, bool sync);
  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<rocksdb::Statistics> stats_;
  bool sync_;
};

}  // namespace meal::state
