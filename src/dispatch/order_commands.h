// The rules of operators' order commands (ReassignOrder, UnassignOrder,
// HoldOrder, ReleaseOrder) that an order's and a courier's records decide
// alone, shared by the engine, which applies the commands, and the API,
// which checks a command before publishing it (and answers 409 with the
// same words).
#pragma once

#include <optional>
#include <string>

#include "model/entities.h"

namespace meal::dispatch {

// Why `order` cannot go to `courier` by an operator's reassignment at
// `now`, or nullopt when the records allow it: the order is ready and not
// yet picked up (READY, ASSIGNED, UNASSIGNED) nor with that courier, and the
// courier is on shift, available and has a box that holds the order's
// meals. The engine also needs the courier's route to have room for it.
std::optional<std::string> ReassignRefusal(const Order& order, const Courier& courier, EventTimeMs now);

// Only an ASSIGNED order (not yet picked up) can be unassigned.
std::optional<std::string> UnassignRefusal(const Order& order);

// An order can be held until it is picked up: PLACED, READY, ASSIGNED or
// UNASSIGNED.
std::optional<std::string> HoldRefusal(const Order& order);

// Only a HELD order can be released.
std::optional<std::string> ReleaseRefusal(const Order& order);

}  // namespace meal::dispatch
