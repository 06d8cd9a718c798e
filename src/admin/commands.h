// meal-admin's subcommands on a state directory (the RocksDB folder of
// meal-dispatchd). Each writes its result to `out` and what went wrong to
// `err`, and returns the process exit status: 0 done (or clean), 1 not
// found, problems found or the operation failed, 2 a bad argument (such as
// a state directory that does not exist). Elders' addresses are never
// printed. None of them throws.
#pragma once

#include <iosfwd>
#include <optional>
#include <string>

#include "dispatch/engine.h"

namespace meal::admin {

inline constexpr int kExitOk = 0;
inline constexpr int kExitFailed = 1;
inline constexpr int kExitUsage = 2;

// The stored order as JSON (service::OrderJson, as GET /api/v1/orders/{id}).
int RunOrder(const std::string& state_dir, const std::string& order_id, std::ostream& out, std::ostream& err);

// The stored courier as JSON with its planned route (service::CourierJson,
// as GET /api/v1/couriers/{id} without the locations that may be a door).
// `options` plan the times; pass the service's own
// (service::MakeEngineOptions) to match what it publishes.
int RunCourier(const std::string& state_dir, const std::string& courier_id, const dispatch::EngineOptions& options,
               std::ostream& out, std::ostream& err);

// The next input offset stored for every (topic, partition), or only
// `topic`'s, as tab-separated lines under a header, by topic then partition.
int RunOffsets(const std::string& state_dir, const std::optional<std::string>& topic, std::ostream& out,
               std::ostream& err);

// Checks every record and the references between them (see verify.h) and
// prints the summary; 1 when there are problems.
int RunVerify(const std::string& state_dir, std::ostream& out, std::ostream& err);

// A consistent RocksDB checkpoint of `state_dir` in the new directory `to`.
// The checkpoint is taken through a read-write open, because RocksDB 7.8
// cannot take one from a read-only or secondary instance safely; so it
// refuses, naming the process, while the service has the state open.
int RunBackup(const std::string& state_dir, const std::string& to, std::ostream& out, std::ostream& err);

// Copies the backup `from` into `state_dir`, which must be absent or empty,
// then verifies it as RunVerify does.
int RunRestore(const std::string& from, const std::string& state_dir, std::ostream& out, std::ostream& err);

}  // namespace meal::admin
