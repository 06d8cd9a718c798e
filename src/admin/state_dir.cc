#include "admin/state_dir.h"

#include <filesystem>
#include <ostream>

#include "admin/commands.h"

namespace meal::admin {

Status CheckStoreDir(const std::string& option, const std::string& dir) {
  std::error_code error;
  if (!std::filesystem::is_directory(dir, error)) return Status::Invalid(option + " " + dir + ": no such directory");
  // Every RocksDB database has CURRENT, naming its live MANIFEST.
  if (!std::filesystem::exists(std::filesystem::path(dir) / "CURRENT", error)) {
    return Status::Invalid(option + " " + dir + ": not a state store (no RocksDB CURRENT file)");
  }
  return Status::Ok();
}

Status OpenStateDir(const std::string& dir, std::unique_ptr<state::RocksDbStore>* out) {
  if (Status s = CheckStoreDir("--state-dir", dir); !s.ok()) return s;
  return state::RocksDbStore::OpenReadOnly(dir, out);
}

int Fail(std::ostream& err, const Status& s) {
  err << "meal-admin: " << s.message() << "\n";
  return s.code() == StatusCode::kInvalidArgument ? kExitUsage : kExitFailed;
}

}  // namespace meal::admin
