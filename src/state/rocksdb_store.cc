#include "state/rocksdb_store.h"

#include <algorithm>

#include <fcntl.h>
#include <sys/statvfs.h>
#include <unistd.h>

#include <filesystem>

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/utilities/checkpoint.h>
#include <rocksdb/write_batch.h>

namespace meal::state {
namespace {

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(s.ToString());
  return Status::Io("rocksdb: " + s.ToString());
}

rocksdb::Slice ToSlice(std::string_view v) { return {v.data(), v.size()}; }

rocksdb::Options BaseOptions(std::size_t block_cache_bytes, std::shared_ptr<rocksdb::Statistics>* stats) {
  rocksdb::Options opts;
  opts.IncreaseParallelism(2);
  opts.OptimizeLevelStyleCompaction();
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(block_cache_bytes);
  opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  *stats = rocksdb::CreateDBStatistics();
  (*stats)->set_stats_level(rocksdb::StatsLevel::kExceptTimeForMutex);
  opts.statistics = *stats;
  return opts;
}

}  // namespace

RocksDbStore::RocksDbStore(std::unique_ptr<rocksdb::DB> db, std::shared_ptr<rocksdb::Statistics> stats, bool sync,
                           std::string secondary_dir)
    : db_(std::move(db)), stats_(std::move(stats)), sync_(sync), secondary_dir_(std::move(secondary_dir)) {}

RocksDbStore::~RocksDbStore() {
  if (db_) db_->Close().PermitUncheckedError();
  db_.reset();
  std::error_code ignored;
  if (!secondary_dir_.empty()) std::filesystem::remove_all(secondary_dir_, ignored);
}

Status RocksDbStore::Open(const std::string& path, const RocksDbOptions& options,
                          std::unique_ptr<RocksDbStore>* out) {
  std::shared_ptr<rocksdb::Statistics> stats;
  rocksdb::Options opts = BaseOptions(options.block_cache_bytes, &stats);
  opts.create_if_missing = options.create_if_missing;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(opts, path, &raw);
  if (!s.ok()) return FromRocks(s);
  out->reset(new RocksDbStore(std::unique_ptr<rocksdb::DB>(raw), std::move(stats), options.sync));
  (*out)->path_ = path;
  (*out)->min_free_bytes_ = options.min_free_bytes;
  return Status::Ok();
}

Status RocksDbStore::OpenReadOnly(const std::string& path, std::unique_ptr<RocksDbStore>* out) {
  std::string secondary = (std::filesystem::temp_directory_path() / "meal-secondary-XXXXXX").string();
  if (mkdtemp(secondary.data()) == nullptr) return Status::Io("cannot create a directory for " + secondary);
  std::shared_ptr<rocksdb::Statistics> stats;
  rocksdb::Options opts = BaseOptions(RocksDbOptions{}.block_cache_bytes, &stats);
  // A secondary keeps every table file open, so the primary's compactions
  // cannot delete one from under it.
  opts.max_open_files = -1;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::OpenAsSecondary(opts, path, secondary, &raw);
  if (!s.ok()) {
    std::error_code ignored;
    std::filesystem::remove_all(secondary, ignored);
    return FromRocks(s);
  }
  out->reset(new RocksDbStore(std::unique_ptr<rocksdb::DB>(raw), std::move(stats), false, std::move(secondary)));
  return Status::Ok();
}

Status RocksDbStore::Checkpoint(const std::string& dir) const {
  rocksdb::Checkpoint* raw = nullptr;
  rocksdb::Status s = rocksdb::Checkpoint::Create(db_.get(), &raw);
  if (!s.ok()) return FromRocks(s);
  const std::unique_ptr<rocksdb::Checkpoint> checkpoint(raw);
  std::error_code error;
  const std::filesystem::path absolute = std::filesystem::absolute(dir, error);  // RocksDB requires one
  if (error) return Status::Io("cannot resolve " + dir + ": " + error.message());
  return FromRocks(checkpoint->CreateCheckpoint(absolute.string()));
}

Status RocksDbStore::Commit(const WriteSet& changes) {
  rocksdb::WriteBatch batch;
  for (const WriteSet::Op& op : changes.ops()) {
    rocksdb::Status s = op.is_delete ? batch.Delete(op.key) : batch.Put(op.key, op.value);
    if (!s.ok()) return FromRocks(s);
  }
  if (min_free_bytes_ > 0) {
    struct statvfs fs {};
    if (statvfs(path_.c_str(), &fs) == 0 &&
        static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize < min_free_bytes_) {
      const std::uint64_t free_mib = static_cast<std::uint64_t>(fs.f_bavail) * fs.f_frsize >> 20;
      return Status::Io(std::string("the state disk has ")
                            .append(std::to_string(free_mib))
                            .append(" MiB free, under the ")
                            .append(std::to_string(min_free_bytes_ >> 20))
                            .append(" MiB state.min_free_mb keeps (No space left on device)"));
    }
  }
  // A failed write (a full disk) leaves RocksDB refusing every write until
  // it is told to resume; the batch is then written whole or not at all.
  if (write_failed_) {
    if (rocksdb::Status s = db_->Resume(); !s.ok()) return FromRocks(s);
    write_failed_ = false;
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  const rocksdb::Status s = db_->Write(wo, &batch);
  write_failed_ = !s.ok();
  return FromRocks(s);
}

Status RocksDbStore::Get(std::string_view key, std::string* value) const {
  return FromRocks(db_->Get(rocksdb::ReadOptions(), ToSlice(key), value));
}

Status RocksDbStore::ScanFrom(std::string_view prefix, std::string_view from,
                              const std::function<bool(std::string_view, std::string_view)>& fn) const {
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  for (it->Seek(ToSlice(std::max(prefix, from))); it->Valid() && it->key().starts_with(ToSlice(prefix)); it->Next()) {
    if (!fn(it->key().ToStringView(), it->value().ToStringView())) break;
  }
  return FromRocks(it->status());
}

StoreStats RocksDbStore::Stats() const {
  StoreStats out;
  out.stall_micros = stats_->getTickerCount(rocksdb::STALL_MICROS);
  std::uint64_t live = 0;
  if (db_->GetIntProperty(rocksdb::DB::Properties::kLiveSstFilesSize, &live)) out.size_bytes = live;
  return out;
}

long LockHolder(const std::string& path) {
  const int fd = open((std::filesystem::path(path) / "LOCK").c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return 0;
  struct flock probe = {};
  probe.l_type = F_WRLCK;
  probe.l_whence = SEEK_SET;
  const bool held = fcntl(fd, F_GETLK, &probe) == 0 && probe.l_type != F_UNLCK;
  close(fd);
  return held ? static_cast<long>(probe.l_pid) : 0;
}

}  // namespace meal::state
