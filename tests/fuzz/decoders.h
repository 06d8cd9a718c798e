// The decoders fuzz_decode drives. The first input byte picks one, so a
// single target (one link, one corpus, one run budget) covers every wire and
// state decoder, and libFuzzer spends its time on whichever still yields new
// coverage. fuzz_seeds prefixes its seeds with the same selector.
#pragma once

#include <cstdint>

namespace meal::fuzz {

enum class Decoder : std::uint8_t {
  // codec::DecodeEvent, one per codec::InputKind, in that enum's order.
  kOrders,
  kCouriers,
  kDeliveries,
  kSites,
  kElders,
  kCommands,
  // codec/state_codec.h.
  kOrder,
  kCourier,
  kSite,
  kElder,
  kTrace,
  kLedger,
  kStanding,
  kWellness,
  kAudit,
  kOutbox,
  kAlert,
};
inline constexpr std::uint8_t kDecoderCount = static_cast<std::uint8_t>(Decoder::kAlert) + 1;

}  // namespace meal::fuzz
