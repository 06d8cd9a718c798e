#include <gtest/gtest.h>
#include <sys/wait.h>
#include <unistd.h>

#include <fstream>
#include <sstream>

#include "admin/commands.h"
#include "admin/test_state.h"

namespace meal::admin {
namespace {

using BackupTest = StateDirTest;

TEST_F(BackupTest, BackupThenRestoreGivesTheSameStateKeyForKey) {
  WriteServiceState(Path("state"));
  std::ostringstream out, err;
  ASSERT_EQ(RunBackup(Path("state"), Path("backup"), out, err), kExitOk) << err.str();
  ASSERT_EQ(RunRestore(Path("backup"), Path("restored"), out, err), kExitOk) << out.str() << err.str();
  EXPECT_NE(out.str().find("problems: 0\n"), std::string::npos) << out.str();
  const std::map<std::string, std::string> original = ReadAll(Path("state"));
  EXPECT_EQ(original.size(), ReadAll(Path("backup")).size());
  EXPECT_EQ(ReadAll(Path("restored")), original);
  EXPECT_TRUE(original.contains(state::OrderKey("order-3")));
}

TEST_F(BackupTest, RestoreIntoAnEmptyDirectoryWorks) {
  WriteServiceState(Path("state"));
  std::ostringstream out, err;
  ASSERT_EQ(RunBackup(Path("state"), Path("backup"), out, err), kExitOk) << err.str();
  std::filesystem::create_directories(Path("empty"));
  ASSERT_EQ(RunRestore(Path("backup"), Path("empty") + "/", out, err), kExitOk) << err.str();
  EXPECT_EQ(ReadAll(Path("empty")), ReadAll(Path("state")));
}

TEST_F(BackupTest, RestoreRefusesANonEmptyStateDirAndLeavesItAlone) {
  WriteServiceState(Path("state"));
  std::ostringstream out, err;
  ASSERT_EQ(RunBackup(Path("state"), Path("backup"), out, err), kExitOk) << err.str();
  std::filesystem::create_directories(Path("busy"));
  std::ofstream(Path("busy") + "/keep") << "x";
  EXPECT_EQ(RunRestore(Path("backup"), Path("busy"), out, err), kExitUsage);
  EXPECT_NE(err.str().find("--state-dir " + Path("busy") + ": not empty"), std::string::npos) << err.str();
  EXPECT_EQ(std::distance(std::filesystem::directory_iterator(Path("busy")), {}), 1);
}

TEST_F(BackupTest, BackupRefusesAnExistingTargetAndAMissingStateDir) {
  WriteServiceState(Path("state"));
  std::filesystem::create_directories(Path("taken"));
  std::ostringstream out, err;
  EXPECT_EQ(RunBackup(Path("state"), Path("taken"), out, err), kExitUsage);
  EXPECT_NE(err.str().find("--to " + Path("taken") + ": already exists"), std::string::npos) << err.str();
  std::ostringstream err2;
  EXPECT_EQ(RunBackup(Path("absent"), Path("backup"), out, err2), kExitUsage);
  EXPECT_NE(err2.str().find("--state-dir " + Path("absent") + ": no such directory"), std::string::npos);
}

// A child process holds the store open read-write, as the running service
// does: reads still work (secondary instance), a backup is refused naming
// the process, and nothing is written.
TEST_F(BackupTest, WhileAnotherProcessHasTheStoreOpenReadsWorkAndBackupIsRefused) {
  WriteServiceState(Path("state"));
  int opened[2], release[2];
  ASSERT_EQ(pipe(opened), 0);
  ASSERT_EQ(pipe(release), 0);
  const pid_t child = fork();
  ASSERT_GE(child, 0);
  if (child == 0) {
    close(opened[0]);
    close(release[1]);
    std::unique_ptr<state::RocksDbStore> store;
    if (!state::RocksDbStore::Open(Path("state"), {}, &store).ok()) _exit(3);
    if (write(opened[1], "r", 1) != 1) _exit(4);
    char c;
    while (read(release[0], &c, 1) > 0) {
    }
    store.reset();
    _exit(0);
  }
  close(opened[1]);
  close(release[0]);
  char c = 0;
  ASSERT_EQ(read(opened[0], &c, 1), 1);

  std::ostringstream out, err;
  EXPECT_EQ(RunOrder(Path("state"), "order-2", out, err), kExitOk) << err.str();
  EXPECT_NE(out.str().find("\"PICKED_UP\""), std::string::npos) << out.str();
  EXPECT_EQ(RunBackup(Path("state"), Path("backup"), out, err), kExitFailed);
  EXPECT_NE(err.str().find("open in process " + std::to_string(child)), std::string::npos) << err.str();
  EXPECT_FALSE(std::filesystem::exists(Path("backup")));

  close(release[1]);
  int status = 0;
  ASSERT_EQ(waitpid(child, &status, 0), child);
  EXPECT_TRUE(WIFEXITED(status) && WEXITSTATUS(status) == 0) << status;
  close(opened[0]);
}

}  // namespace
}  // namespace meal::admin
