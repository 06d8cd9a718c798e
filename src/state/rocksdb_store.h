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
  // Create the database when `path` holds none. Default: true.
  bool create_if_missing = true;
  // Commit refuses to write while the file system holding the database has
  // less than this free, so RocksDB itself never meets a full disk (where a
  // failed log write leaves it refusing writes, or worse). 0: no check.
  std::uint64_t min_free_bytes = 0;
};

class RocksDbStore final : public Store {
 public:
  // Opens the database in `path` read-write, creating it if missing unless
  // `options.create_if_missing` is false. One process at a time: RocksDB's
  // LOCK file makes a second opener fail.
  static Status Open(const std::string& path, const RocksDbOptions& options,
                     std::unique_ptr<RocksDbStore>* out);

  // Opens the existing database in `path` for reading only, as a RocksDB
  // secondary instance: unlike RocksDB's read-only mode (undefined while
  // another process writes) it is safe beside the running service. Reads
  // see the state as of the open, whole commits only; Commit fails. The
  // instance's own log lives in a private temporary directory, removed with
  // the store.
  static Status OpenReadOnly(const std::string& path, std::unique_ptr<RocksDbStore>* out);

  ~RocksDbStore() override;

  // Writes a consistent, openable copy of the database to `dir` (a RocksDB
  // checkpoint: table files hard-linked when on the same file system, the
  // rest copied). REQUIRES: opened with Open (a checkpoint flushes, which a
  // read-only instance cannot); `dir` does not exist.
  Status Checkpoint(const std::string& dir) const;

  Status Commit(const WriteSet& changes) override;
  Status Get(std::string_view key, std::string* value) const override;
  Status ScanFrom(std::string_view prefix, std::string_view from,
                  const std::function<bool(std::string_view, std::string_view)>& fn) const override;
  StoreStats Stats() const override;

 private:
  RocksDbStore(std::unique_ptr<rocksdb::DB> db, std::shared_ptr<rocksdb::Statistics> stats, bool sync,
               std::string secondary_dir = {});
  std::unique_ptr<rocksdb::DB> db_;
  std::shared_ptr<rocksdb::Statistics> stats_;
  bool sync_;
  bool write_failed_ = false;  // the last write failed: resume before the next
  std::string path_;
  std::uint64_t min_free_bytes_ = 0;
  std::string secondary_dir_;  // empty unless opened with OpenReadOnly
};

// The id of another process that has the database in `path` open read-write
// (it holds RocksDB's LOCK file), or 0 when none does. A lock held by this
// process does not count.
long LockHolder(const std::string& path);

}  // namespace meal::state
