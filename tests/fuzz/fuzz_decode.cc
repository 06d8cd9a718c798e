// Every wire and state decoder on arbitrary bytes (the first byte picks the
// decoder, see decoders.h). Decoding must never crash; whatever decodes must
// survive encode -> decode -> encode unchanged, or a restart would read back
// different state than was written.
#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <cstdlib>
#include <string>
#include <string_view>

#include "codec/decode.h"
#include "codec/encode.h"
#include "codec/state_codec.h"
#include "decoders.h"

namespace meal::fuzz {
namespace {

[[noreturn]] void Fail(const char* what) {
  std::fprintf(stderr, "fuzz_decode: %s\n", what);
  std::abort();
}

template <typename T>
void RoundTrip(std::string_view bytes, Status (*decode)(std::string_view, T*), std::string (*encode)(const T&)) {
  T first;
  if (!decode(bytes, &first).ok()) return;
  const std::string once = encode(first);
  T second;
  if (!decode(once, &second).ok()) Fail("a decoded record does not decode again once encoded");
  if (encode(second) != once) Fail("a decoded record encodes differently after a round trip");
}

void DecodeInput(codec::InputKind kind, std::string_view bytes) {
  Event event;
  if (!codec::DecodeEvent(kind, bytes, &event).ok() || kind != codec::InputKind::kCommands) return;
  // Commands are the one input the service also writes (the API publishes them).
  const std::string once = codec::EncodeCommand(event);
  Event again;
  if (!codec::DecodeEvent(kind, once, &again).ok()) Fail("a decoded command does not decode again once encoded");
  if (codec::EncodeCommand(again) != once) Fail("a decoded command encodes differently after a round trip");
}

}  // namespace
}  // namespace meal::fuzz

extern "C" int LLVMFuzzerTestOneInput(const std::uint8_t* data, std::size_t size) {
  using namespace meal;
  using namespace meal::fuzz;
  if (size == 0) return 0;
  const auto which = static_cast<Decoder>(data[0] % kDecoderCount);
  const std::string_view bytes(reinterpret_cast<const char*>(data + 1), size - 1);
  switch (which) {
    case Decoder::kOrders: DecodeInput(codec::InputKind::kOrders, bytes); break;
    case Decoder::kCouriers: DecodeInput(codec::InputKind::kCouriers, bytes); break;
    case Decoder::kDeliveries: DecodeInput(codec::InputKind::kDeliveries, bytes); break;
    case Decoder::kSites: DecodeInput(codec::InputKind::kSites, bytes); break;
    case Decoder::kElders: DecodeInput(codec::InputKind::kElders, bytes); break;
    case Decoder::kCommands: DecodeInput(codec::InputKind::kCommands, bytes); break;
    case Decoder::kOrder: RoundTrip<Order>(bytes, codec::DecodeOrder, codec::EncodeOrder); break;
    case Decoder::kCourier: RoundTrip<Courier>(bytes, codec::DecodeCourier, codec::EncodeCourier); break;
    case Decoder::kSite: RoundTrip<Site>(bytes, codec::DecodeSite, codec::EncodeSite); break;
    case Decoder::kElder: RoundTrip<Elder>(bytes, codec::DecodeElder, codec::EncodeElder); break;
    case Decoder::kTrace: RoundTrip<Order>(bytes, codec::DecodeTrace, codec::EncodeTrace); break;
    case Decoder::kLedger: RoundTrip<LedgerEntry>(bytes, codec::DecodeLedger, codec::EncodeLedger); break;
    case Decoder::kStanding:
      RoundTrip<StandingOrder>(bytes, codec::DecodeStandingOrder, codec::EncodeStandingOrder);
      break;
    case Decoder::kWellness:
      RoundTrip<WellnessCase>(bytes, codec::DecodeWellnessCase, codec::EncodeWellnessCase);
      break;
    case Decoder::kAudit: RoundTrip<AuditEntry>(bytes, codec::DecodeAudit, codec::EncodeAudit); break;
    case Decoder::kOutbox:
      RoundTrip<codec::OutboxEntry>(bytes, codec::DecodeOutbox, codec::EncodeOutbox);
      break;
    case Decoder::kAlert:
      RoundTrip<StoredAlert>(bytes, codec::DecodeStoredAlert, codec::EncodeStoredAlert);
      break;
  }
  return 0;
}
