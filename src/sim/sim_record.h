// What the simulator publishes: plain records ready for a Kafka producer, and
// the topic names they go to.
#pragma once

#include <cstdint>
#include <string>

#include "common/units.h"

namespace meal::sim {

// Topic names. Area-scoped topics are keyed by area id; the registry topics
// (sites, elders) are compacted and keyed by the record's own id.
struct Topics {
  std::string orders = "meal.orders";            // OrderEvent, key = area id
  std::string couriers = "meal.couriers";        // CourierEvent, key = area id
  std::string deliveries = "meal.deliveries";    // DeliveryEvent, key = area id
  std::string commands = "meal.commands";        // CommandEvent (operators), key = area id
  std::string sites = "meal.sites";              // MealSite, compacted, key = site id
  std::string elders = "meal.elders";            // Elder, compacted, key = elder id
  std::string assignments = "meal.assignments";  // Assignment (the service's output)
  std::string alerts = "meal.alerts";            // Alert (the service's output)
  std::string dlq = "meal.dlq";                  // DeadLetter (the service's output)
  std::string changelog = "meal.changelog";      // the service's state changes, compacted
};

// One record to produce. `value` is a serialized protobuf (or, for the
// deliberately malformed records, bytes that are not a valid event).
// `time_ms` is the event time and becomes the record's CreateTime.
struct SimRecord {
  std::string topic;
  std::string key;
  std::string value;
  EventTimeMs time_ms = 0;

  friend bool operator==(const SimRecord&, const SimRecord&) = default;
};

}  // namespace meal::sim
