// backup and restore.
#include <unistd.h>

#include <filesystem>
#include <ostream>

#include "admin/commands.h"
#include "admin/state_dir.h"

namespace meal::admin {

namespace fs = std::filesystem;

int RunBackup(const std::string& state_dir, const std::string& to, std::ostream& out, std::ostream& err) {
  if (Status s = CheckStoreDir("--state-dir", state_dir); !s.ok()) return Fail(err, s);
  std::error_code error;
  if (fs::exists(to, error) || error) {
    return Fail(err, Status::Invalid("--to " + to + ": already exists; a backup goes into a new directory"));
  }
  // RocksDB checkpoints only through the read-write instance: a read-only
  // one is undefined beside a writer, and a secondary's checkpoint can miss
  // a log the writer has just flushed and deleted (see commands.h).
  if (const long holder = state::LockHolder(state_dir); holder != 0) {
    return Fail(err, Status::Precondition(
                         "the state store in " + state_dir + " is open in process " + std::to_string(holder) +
                         " (meal-dispatchd?); a consistent checkpoint can only be taken by the process that has it "
                         "open. Stop the service, run the backup and start it again (seconds with --to on the same "
                         "file system: table files are hard-linked), or snapshot the file system holding " +
                         state_dir + " atomically"));
  }
  std::unique_ptr<state::RocksDbStore> store;
  if (Status s = state::RocksDbStore::Open(state_dir, {.create_if_missing = false}, &store); !s.ok()) {
    return Fail(err, s);
  }
  if (Status s = store->Checkpoint(to); !s.ok()) return Fail(err, s);
  out << "backup of " << state_dir << " written to " << to << "\n";
  return kExitOk;
}

int RunRestore(const std::string& from, const std::string& state_dir, std::ostream& out, std::ostream& err) {
  if (Status s = CheckStoreDir("--from", from); !s.ok()) return Fail(err, s);
  std::error_code error;
  const bool exists = fs::exists(state_dir, error);
  if (error) return Fail(err, Status::Io("--state-dir " + state_dir + ": " + error.message()));
  if (exists && !(fs::is_directory(state_dir, error) && fs::is_empty(state_dir, error))) {
    return Fail(err, Status::Invalid("--state-dir " + state_dir +
                                     ": not empty; restore writes only into an absent or empty directory "
                                     "(move the current state away first)"));
  }
  // Copied beside the target and renamed into place, so an interrupted
  // restore never leaves a half-written state directory behind.
  fs::path target = fs::absolute(state_dir, error).lexically_normal();
  if (!target.has_filename()) target = target.parent_path();  // "dir/"
  const fs::path staging =
      target.parent_path() / (target.filename().string() + ".restoring-" + std::to_string(getpid()));
  if (!error) fs::create_directories(target.parent_path(), error);
  if (!error) fs::copy(from, staging, fs::copy_options::recursive, error);
  if (!error && exists) fs::remove(target, error);
  if (!error) fs::rename(staging, target, error);
  if (error) {
    std::error_code ignored;
    fs::remove_all(staging, ignored);
    return Fail(err, Status::Io("cannot restore " + from + " into " + state_dir + ": " + error.message()));
  }
  out << "restored " << from << " into " << state_dir << "\n";
  return RunVerify(state_dir, out, err);
}

}  // namespace meal::admin
