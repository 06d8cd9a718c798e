// Wire bytes -> validated domain events. Never throws: anything unusable
// comes back as a Status whose message becomes the dead-letter reason.
#pragma once

#include <string_view>

#include "common/status.h"
#include "model/entities.h"

namespace meal::codec {

// What kind of payload a topic carries.
enum class InputKind { kOrders, kCouriers, kDeliveries, kSites, kElders, kCommands };

// Largest value accepted; anything bigger is dead-lettered unparsed.
inline constexpr std::size_t kMaxEventBytes = 64 * 1024;

// Parses and validates one record. On success fills `event` (locations in
// WGS-84). On failure `event` is unspecified and the status says why.
Status DecodeEvent(InputKind kind, std::string_view bytes, Event* event);

}  // namespace meal::codec
