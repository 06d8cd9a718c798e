// What every meal-admin subcommand does first and last: find the state
// store, and turn a failure into a message and an exit status.
#pragma once

#include <iosfwd>
#include <memory>
#include <string>

#include "common/status.h"
#include "state/rocksdb_store.h"

namespace meal::admin {

// InvalidArgument naming `option` when `dir` is not a directory holding a
// RocksDB database.
Status CheckStoreDir(const std::string& option, const std::string& dir);

// Opens the state store in `dir` for reading (RocksDbStore::OpenReadOnly,
// safe beside the running service), after CheckStoreDir("--state-dir").
Status OpenStateDir(const std::string& dir, std::unique_ptr<state::RocksDbStore>* out);

// Writes "meal-admin: <message>" to `err`; returns kExitUsage for an
// InvalidArgument, else kExitFailed.
int Fail(std::ostream& err, const Status& s);

}  // namespace meal::admin
