// JSON views of stored records, shared by the HTTP API and meal-admin so
// both show the same fields. Elders' addresses and categories are never part
// of them: an order shows the elder's id only.
#pragma once

#include <string>

#include <nlohmann/json.hpp>

#include "common/status.h"
#include "dispatch/engine.h"
#include "model/entities.h"
#include "state/store.h"

namespace meal::service {

nlohmann::json OrderJson(const Order& order);

// {"alert_id", "area_id", "kind" ("WELLNESS_CHECK", …), "severity" ("INFO",
// "WARNING", "CRITICAL"), "order_id", "courier_id", "elder_id", "site_id",
// "case_id" (each "" when the alert is about none), "reason", "time_ms",
// "status" ("open" or "acknowledged"), "acknowledged_by", "note",
// "acknowledged_ms" (each null while open)}. An alert just raised is
// StoredAlert{alert}: open.
nlohmann::json AlertJson(const StoredAlert& alert);

struct CourierView {
  // Locations are WGS-84 inside; a console drawing on a Chinese map SDK
  // asks for GCJ-02. Default: WGS-84.
  bool gcj02 = false;
  // A delivery stop's location is an elder's door, and so is the courier's
  // last position right after a delivery ("location_at_door": true until it
  // next moves): the console's map needs them, an operator's terminal does
  // not. Without, both are left out (pickup stops, at the sites, keep
  // theirs). Default: true.
  bool door_locations = true;
};

// The courier `courier_id` as stored, with its route planned from its last
// known position (`options` gives travel and service times). NotFound when
// there is no such courier; an undecodable record is an error.
Status CourierJson(const state::Store& store, const std::string& courier_id, const dispatch::EngineOptions& options,
                   const CourierView& view, nlohmann::json* out);
// As above, for a courier already read (a listing); reads its orders only.
nlohmann::json CourierJson(const state::Store& store, const Courier& courier, const dispatch::EngineOptions& options,
                           const CourierView& view);

}  // namespace meal::service
