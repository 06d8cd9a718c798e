#include "state/rocksdb_store.h"

#include <rocksdb/db.h>
#include <rocksdb/filter_policy.h>
#include <rocksdb/slice_transform.h>
#include <rocksdb/statistics.h>
#include <rocksdb/table.h>
#include <rocksdb/write_batch.h>

namespace meal::state {
namespace {

Status FromRocks(const rocksdb::Status& s) {
  if (s.ok()) return Status::Ok();
  if (s.IsNotFound()) return Status::NotFound(s.ToString());
  return Status::Io("rocksdb: " + s.ToString());
}

rocksdb::Slice ToSlice(std::string_view v) { return {v.data(), v.size()}; }

}  // namespace

RocksDbStore::RocksDbStore(std::unique_ptr<rocksdb::DB> db,
                           std::shared_ptr<rocksdb::Statistics> stats, bool sync)
    : db_(std::move(db)), stats_(std::move(stats)), sync_(sync) {}

RocksDbStore::~RocksDbStore() {
  if (db_) db_->Close().PermitUncheckedError();
}

Status RocksDbStore::Open(const std::string& path, const RocksDbOptions& options,
                          std::unique_ptr<RocksDbStore>* out) {
  rocksdb::Options opts;
  opts.create_if_missing = true;
  opts.IncreaseParallelism(2);
  opts.OptimizeLevelStyleCompaction();
  rocksdb::BlockBasedTableOptions table;
  table.filter_policy.reset(rocksdb::NewBloomFilterPolicy(10));
  table.block_cache = rocksdb::NewLRUCache(options.block_cache_bytes);
  opts.table_factory.reset(rocksdb::NewBlockBasedTableFactory(table));
  auto stats = rocksdb::CreateDBStatistics();
  stats->set_stats_level(rocksdb::StatsLevel::kExceptTimeForMutex);
  opts.statistics = stats;
  rocksdb::DB* raw = nullptr;
  rocksdb::Status s = rocksdb::DB::Open(opts, path, &raw);
  if (!s.ok()) return FromRocks(s);
  out->reset(new RocksDbStore(std::unique_ptr<rocksdb::DB>(raw), std::move(stats), options.sync));
  return Status::Ok();
}

Status RocksDbStore::Commit(const WriteSet& changes) {
  rocksdb::WriteBatch batch;
  for (const WriteSet::Op& op : changes.ops()) {
    rocksdb::Status s = op.is_delete ? batch.Delete(op.key) : batch.Put(op.key, op.value);
    if (!s.ok()) return FromRocks(s);
  }
  rocksdb::WriteOptions wo;
  wo.sync = sync_;
  return FromRocks(db_->Write(wo, &batch));
}

Status RocksDbStore::Get(std::string_view key, std::string* value) const {
  return FromRocks(db_->Get(rocksdb::ReadOptions(), ToSlice(key), value));
}

Status RocksDbStore::Scan(std::string_view prefix,
                          const std::function<bool(std::string_view, std::string_view)>& fn) const {
  rocksdb::ReadOptions ro;
  std::unique_ptr<rocksdb::Iterator> it(db_->NewIterator(ro));
  for (it->Seek(ToSlice(prefix)); it->Valid() && it->key().starts_with(ToSlice(prefix)); it->Next()) {
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

}  // namespace meal::state
