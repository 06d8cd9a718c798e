// What a viewer may not see. Elders' addresses, phone references and
// categories (minimum allowance, living alone, disabled, ...) are personal
// data; a viewer (an operations dashboard, a read-only console) gets the
// same JSON as a dispatcher with those values masked and door coordinates
// removed, so pages and clients need no second schema.
#pragma once

#include <nlohmann/json.hpp>

namespace meal::service {

// The text that replaces a masked string.
inline constexpr const char* kMasked = "***";

// Masks `value` in place for a viewer, at any depth (objects inside arrays
// inside objects ...):
//  - the values of keys naming personal data ("address", "phone",
//    "phone_ref", "proof_ref", "category", "categories", "diet" and the
//    like; see masking.cc): a string becomes kMasked, a number or bool
//    null, an array of such values an array of masked values; an object or
//    array of objects under such a key is walked like any other (the
//    ledger's "categories" lines keep their figures, their "category" is
//    masked);
//  - door coordinates: keys that hold an elder's location ("home",
//    "dropoff", "delivery_location", "door_location") are removed; so is
//    "location" in a delivery stop (an object whose "kind" is "DELIVERY")
//    and in an object whose "location_at_door" is true (a courier still at
//    the door of its last delivery).
// Key names compare exactly (the API's keys are snake_case). Idempotent.
void MaskForViewer(nlohmann::json& value);

}  // namespace meal::service
