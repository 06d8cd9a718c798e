#include "service/masking.h"

#include <algorithm>
#include <array>
#include <string_view>

namespace meal::service {
namespace {

using nlohmann::json;

// Keys whose values are personal data: masked, keeping the key (so the
// shape of the response stays what the schema describes).
constexpr std::array<std::string_view, 9> kSensitiveKeys = {
    "address", "phone", "phone_ref", "phone_number", "proof_ref", "category", "categories", "emergency_contact",
    "diet"};
// Keys whose values are an elder's door: removed.
constexpr std::array<std::string_view, 4> kDoorKeys = {"home", "dropoff", "delivery_location", "door_location"};

bool Contains(const auto& keys, std::string_view key) {
  return std::find(keys.begin(), keys.end(), key) != keys.end();
}

void MaskValue(json& value) {
  if (value.is_string()) {
    value = kMasked;
  } else if (value.is_number() || value.is_boolean()) {
    value = nullptr;
  } else if (value.is_array()) {
    for (json& element : value) MaskValue(element);
  } else if (value.is_object()) {
    MaskForViewer(value);  // e.g. a ledger line: its figures are not personal
  }
}

// True iff `object` is a planned delivery stop or a courier last seen at a
// door: its "location" is an elder's door.
bool LocationIsDoor(const json& object) {
  const auto kind = object.find("kind");
  if (kind != object.end() && kind->is_string() && kind->get_ref<const std::string&>() == "DELIVERY") return true;
  const auto at_door = object.find("location_at_door");
  return at_door != object.end() && at_door->is_boolean() && at_door->get<bool>();
}

}  // namespace

void MaskForViewer(json& value) {
  if (value.is_array()) {
    for (json& element : value) MaskForViewer(element);
    return;
  }
  if (!value.is_object()) return;
  if (LocationIsDoor(value)) value.erase("location");
  for (auto it = value.begin(); it != value.end();) {
    if (Contains(kDoorKeys, it.key())) {
      it = value.erase(it);
      continue;
    }
    if (Contains(kSensitiveKeys, it.key())) {
      MaskValue(it.value());
    } else {
      MaskForViewer(it.value());
    }
    ++it;
  }
}

}  // namespace meal::service
