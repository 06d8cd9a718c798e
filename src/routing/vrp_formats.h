// Readers for the classic routing benchmark files, and a plain route file.
//
// Formats (see shared/bench-data/routing/README.md):
//   Solomon / Gehring & Homberger VRPTW: a name line, a VEHICLE section with
//     "NUMBER CAPACITY" and one row "K Q", a CUSTOMER section with a header
//     and one row of 7 numbers per node (id x y demand ready due service).
//   Li & Lim PDPTW: one row "K Q speed", then one row of 9 numbers per node
//     (id x y demand ready due service pickup delivery).
//   BKS tables: CSV with a header naming at least instance,vehicles,distance.
//   Solutions: one "Route N : id id ..." line per route (the SINTEF layout).
//
// Every reader accepts LF or CRLF line endings, spaces or tabs between fields
// and blank lines (including lines holding only whitespace). None of them
// throws. On error the returned Status is kInvalidArgument with a message
// "<source>:<line>: <what is wrong>" (kIoError when the file cannot be read),
// and the output argument is left in an unspecified state.
#pragma once

#include <map>
#include <string>
#include <string_view>

#include "common/status.h"
#include "routing/vrp.h"

namespace meal::routing {

// A best-known solution's figures, as published.
struct Bks {
  int vehicles = 0;
  double distance = 0;
};

// Reads a Solomon-format VRPTW instance (also Gehring & Homberger).
// On success `*instance` holds nodes 0..n with nodes[i].id == i, the fleet
// size and capacity; pickup_delivery is false; name is the file name without
// directory and extension (the key used by the BKS tables, e.g. "c101").
// Checks: ids run 0, 1, 2, ... in order; demands are non-negative integers;
// ready <= due; service >= 0; at least one customer.
// REQUIRES: instance != nullptr.
Status LoadSolomon(const std::string& path, VrpInstance* instance);

// As LoadSolomon, from text already in memory; `source` names it in error
// messages and gives the instance name (its file name without extension).
Status ParseSolomon(std::string_view text, const std::string& source, VrpInstance* instance);

// Reads a Li & Lim PDPTW instance. As LoadSolomon, and pickup_delivery is
// true. Further checks: the depot has demand 0 and no partner; every other
// node is either a pickup (pickup == 0, delivery != 0) or a delivery
// (pickup != 0, delivery == 0); partners point at each other; a pickup's
// demand is >= 0 and its delivery's demand is its opposite. The speed column
// is ignored (always 1 in the published files).
// REQUIRES: instance != nullptr.
Status LoadLiLim(const std::string& path, VrpInstance* instance);
Status ParseLiLim(std::string_view text, const std::string& source, VrpInstance* instance);

// Reads a BKS table into `*bks`, keyed by the `instance` column (cleared
// first). Columns are found by their header names; other columns (such as
// `source`, which may be quoted and hold commas) are ignored. A repeated
// instance is an error.
// REQUIRES: bks != nullptr.
Status LoadBks(const std::string& csv_path, std::map<std::string, Bks>* bks);
Status ParseBks(std::string_view text, const std::string& source, std::map<std::string, Bks>* bks);

// Returns the solution as text, one line per non-empty route:
// "Route N : id id id" with N counting from 1 and the depot omitted. Empty
// routes are left out (they use no vehicle), so the file re-reads as the same
// set of routes minus the empty ones.
std::string FormatSolution(const VrpSolution& solution);

// Reads a solution written by FormatSolution, or a SINTEF best-known-solution
// file: lines before the first "Route" line are taken as a header and
// skipped; after it every non-blank line must be "Route N : id ...", where
// "N :" may also be written "N:" or "#N:". Route numbers are not checked;
// routes keep the file's order. Ids are not checked against any instance
// (that is CheckSolution's job).
// REQUIRES: solution != nullptr.
Status LoadSolution(const std::string& path, VrpSolution* solution);
Status ParseSolution(std::string_view text, const std::string& source, VrpSolution* solution);

}  // namespace meal::routing
