// Domain state <-> the bytes kept in the state store.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "common/status.h"
#include "model/entities.h"

namespace meal::codec {

std::string EncodeOrder(const Order& order);
Status DecodeOrder(std::string_view bytes, Order* order);

std::string EncodeCourier(const Courier& courier);
Status DecodeCourier(std::string_view bytes, Courier* courier);

std::string EncodeSite(const Site& site);
Status DecodeSite(std::string_view bytes, Site* site);

std::string EncodeElder(const Elder& elder);
Status DecodeElder(std::string_view bytes, Elder* elder);

// An order's food-safety trace entry: the fields a recall needs. Decoding
// fills those fields of `order` only.
std::string EncodeTrace(const Order& order);
Status DecodeTrace(std::string_view bytes, Order* order);

std::string EncodeLedger(const LedgerEntry& entry);
Status DecodeLedger(std::string_view bytes, LedgerEntry* entry);

std::string EncodeStandingOrder(const StandingOrder& standing);
Status DecodeStandingOrder(std::string_view bytes, StandingOrder* standing);

std::string EncodeWellnessCase(const WellnessCase& c);
Status DecodeWellnessCase(std::string_view bytes, WellnessCase* c);

std::string EncodeStoredAlert(const StoredAlert& alert);
Status DecodeStoredAlert(std::string_view bytes, StoredAlert* alert);

std::string EncodeAudit(const AuditEntry& entry);
Status DecodeAudit(std::string_view bytes, AuditEntry* entry);

// An output waiting in the outbox for the broker's acknowledgement.
struct OutboxEntry {
  std::string topic;
  std::string key;
  std::string value;
  std::int64_t timestamp_ms = 0;
  std::int32_t task = -1;       // the area task whose events caused it; -1: none (the registry)
  std::int32_t partition = -1;  // -1: by the key's hash
  bool tombstone = false;       // a null value
};
std::string EncodeOutbox(const OutboxEntry& entry);
Status DecodeOutbox(std::string_view bytes, OutboxEntry* entry);

}  // namespace meal::codec
