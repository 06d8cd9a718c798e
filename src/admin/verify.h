// A consistency check of committed dispatch state: every record decodes as
// its key family says, and the records agree with one another.
#pragma once

#include <cstdint>
#include <iosfwd>
#include <map>
#include <string>
#include <vector>

#include "common/status.h"
#include "state/store.h"

namespace meal::admin {

struct Problem {
  std::string key;   // printable: binary parts of audit and outbox keys as decimals
  std::string what;  // ids and statuses only, never an elder's address
};

struct VerifyReport {
  // Records per key family, by the family's prefix ("o/"); every known
  // family is listed, with 0 when empty.
  std::map<std::string, std::int64_t> records;
  std::vector<Problem> problems;  // by key
};

// Checks, besides decoding every record and its key agreeing with its id:
// - each courier's route names live (ASSIGNED or PICKED_UP) orders of that
//   courier, each with one delivery, after its pickup while it has one, and
//   a pickup exactly while the order is not yet picked up;
// - each ASSIGNED or PICKED_UP order is on its courier's route;
// - each ledger entry's order, while it is still stored, is DELIVERED (the
//   ledger outlives orders purged after their retention);
// - each food-safety trace entry's order is stored (they are purged together).
// Fails only when the store cannot be read.
Status Verify(const state::Store& store, VerifyReport* report);

// The summary meal-admin prints: records per family, then the problems.
void PrintReport(const VerifyReport& report, std::ostream& out);

}  // namespace meal::admin
