#include "state/rocksdb_store.h"

#include <gtest/gtest.h>
#include <signal.h>
#include <sys/wait.h>
#include <unistd.h>

#include <filesystem>

#include "state/keys.h"
#include "state/memory_store.h"

namespace meal::state {
namespace {

std::string TempDir(const std::string& name) {
  const auto dir = std::filesystem::temp_directory_path() /
                   ("meal_state_" + name + "_" + std::to_string(getpid()));
  std::filesystem::remove_all(dir);
  return dir.string();
}

TEST(RocksDbStoreTest, CommitsPutsDeletesAndScansInKeyOrder) {
  const std::string dir = TempDir("basic");
  std::unique_ptr<RocksDbStore> store;
  ASSERT_TRUE(RocksDbStore::Open(dir, {}, &store).ok());
  WriteSet ws;
  ws.Put(OrderKey("b"), "2");
  ws.Put(OrderKey("a"), "1");
  ws.Put(CourierKey("c"), "x");
  ASSERT_TRUE(store->Commit(ws).ok());
  WriteSet del;
  del.Delete(OrderKey("b"));
  ASSERT_TRUE(store->Commit(del).ok());
  std::vector<std::string> keys;
  ASSERT_TRUE(store->Scan(kOrderPrefix, [&](std::string_view k, std::string_view) {
                keys.emplace_back(k);
                return true;
              }).ok());
  EXPECT_EQ(keys, std::vector<std::string>{OrderKey("a")});
  std::string v;
  EXPECT_EQ(store->Get(OrderKey("b"), &v).code(), StatusCode::kNotFound);
  store.reset();
  std::filesystem::remove_all(dir);
}

// Both stores resume a listing at a key, inside the prefix only.
TEST(StoreTest, ScanFromStartsAtTheKeyAndStaysInThePrefix) {
  const std::string dir = TempDir("scan_from");
  std::unique_ptr<RocksDbStore> rocks;
  ASSERT_TRUE(RocksDbStore::Open(dir, {}, &rocks).ok());
  MemoryStore memory;
  WriteSet ws;
  for (const char* id : {"a", "b", "c", "d"}) ws.Put(OrderKey(id), id);
  ws.Put(CourierKey("a"), "x");
  ws.Put(SiteKey("z"), "y");
  for (Store* store : std::initializer_list<Store*>{rocks.get(), &memory}) {
    ASSERT_TRUE(store->Commit(ws).ok());
    auto keys_from = [&](std::string_view from) {
      std::vector<std::string> keys;
      EXPECT_TRUE(store->ScanFrom(kOrderPrefix, from, [&](std::string_view k, std::string_view) {
                    keys.emplace_back(k);
                    return true;
                  }).ok());
      return keys;
    };
    EXPECT_EQ(keys_from(OrderKey("c")), (std::vector<std::string>{OrderKey("c"), OrderKey("d")}));
    EXPECT_EQ(keys_from(OrderKey("bb")), (std::vector<std::string>{OrderKey("c"), OrderKey("d")}));
    EXPECT_EQ(keys_from(OrderKey("e")), std::vector<std::string>{});
    // A start before the prefix starts at the prefix; Scan is ScanFrom the prefix.
    EXPECT_EQ(keys_from(CourierKey("a")).size(), 4u);
  }
  rocks.reset();
  std::filesystem::remove_all(dir);
}

TEST(RocksDbStoreTest, OffsetAndStateSurviveReopen) {
  const std::string dir = TempDir("reopen");
  {
    std::unique_ptr<RocksDbStore> store;
    ASSERT_TRUE(RocksDbStore::Open(dir, {}, &store).ok());
    WriteSet ws;
    ws.Put(OrderKey("o1"), "state");
    ws.Put(OffsetKey("meal.orders", 3), EncodeOffset(42));
    ASSERT_TRUE(store->Commit(ws).ok());
  }
  std::unique_ptr<RocksDbStore> store;
  ASSERT_TRUE(RocksDbStore::Open(dir, {}, &store).ok());
  std::string v;
  ASSERT_TRUE(store->Get(OffsetKey("meal.orders", 3), &v).ok());
  std::int64_t offset = 0;
  ASSERT_TRUE(DecodeOffset(v, &offset));
  EXPECT_EQ(offset, 42);
  ASSERT_TRUE(store->Get(OrderKey("o1"), &v).ok());
  EXPECT_EQ(v, "state");
  store.reset();
  std::filesystem::remove_all(dir);
}

// A child process commits batches "apply records [n, n+k) and set the offset
// to n+k" as fast as it can and is killed with SIGKILL mid-stream. Whatever
// survives must be a whole batch: the stored offset equals the number of
// state records, never more or fewer.
TEST(RocksDbStoreTest, StateAndOffsetCommitAtomicallyAcrossSigkill) {
  const std::string dir = TempDir("kill");
  int pipe_fds[2];
  ASSERT_EQ(pipe(pipe_fds), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(pipe_fds[0]);
    std::unique_ptr<RocksDbStore> store;
    if (!RocksDbStore::Open(dir, {}, &store).ok()) _exit(3);
    std::int64_t next = 0;
    for (int batch = 0;; ++batch) {
      WriteSet ws;
      const int size = 1 + batch % 97;
      for (int i = 0; i < size; ++i) ws.Put(OrderKey(std::to_string(next + i)), std::string(100, 'x'));
      next += size;
      ws.Put(OffsetKey("meal.orders", 0), EncodeOffset(next));
      if (!store->Commit(ws).ok()) _exit(4);
      if (batch == 200) {
        const char ready = 'r';
        if (write(pipe_fds[1], &ready, 1) != 1) _exit(5);  // tell the parent we are mid-stream
      }
    }
  }
  close(pipe_fds[1]);
  char ready = 0;
  ASSERT_EQ(read(pipe_fds[0], &ready, 1), 1);
  close(pipe_fds[0]);
  ASSERT_EQ(kill(child, SIGKILL), 0);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  ASSERT_TRUE(WIFSIGNALED(status));

  std::unique_ptr<RocksDbStore> store;
  ASSERT_TRUE(RocksDbStore::Open(dir, {}, &store).ok());
  std::string v;
  ASSERT_TRUE(store->Get(OffsetKey("meal.orders", 0), &v).ok());
  std::int64_t offset = 0;
  ASSERT_TRUE(DecodeOffset(v, &offset));
  std::int64_t records = 0;
  ASSERT_TRUE(store->Scan(kOrderPrefix, [&](std::string_view, std::string_view) {
                ++records;
                return true;
              }).ok());
  EXPECT_GT(offset, 0);
  EXPECT_EQ(records, offset);
  store.reset();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace meal::state
