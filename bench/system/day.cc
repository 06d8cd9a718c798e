#include "day.h"

#include "mealdispatch/v1/events.pb.h"

namespace meal::bench {

namespace pb = ::mealdispatch::v1;

sim::Topics PrefixedTopics(const std::string& prefix) {
  sim::Topics t;
  for (std::string* name : {&t.orders, &t.couriers, &t.deliveries, &t.sites, &t.elders, &t.assignments,
                            &t.alerts, &t.dlq, &t.commands, &t.changelog}) {
    // "meal.orders" -> prefix + "orders"
    *name = prefix + name->substr(name->find('.') + 1);
  }
  return t;
}

Day MakeDay(const DayOptions& options) {
  sim::CityOptions city = options.city;
  city.topics = PrefixedTopics(options.prefix);
  Day day;
  day.city = sim::GenerateCity(city);
  if (options.max_events > 0 && options.max_events < day.city.events.size()) {
    day.city.events.resize(options.max_events);
    std::erase_if(day.city.malformed,
                  [&](const sim::MalformedNote& m) { return m.event_index >= options.max_events; });
  }
  std::size_t next_malformed = 0;
  const std::vector<sim::SimRecord>& events = day.city.events;
  for (std::size_t i = 0; i < events.size(); ++i) {
    if (next_malformed < day.city.malformed.size() && day.city.malformed[next_malformed].event_index == i) {
      ++next_malformed;
      continue;
    }
    const sim::SimRecord& r = events[i];
    if (r.topic == city.topics.orders) {
      pb::OrderEvent e;
      if (!e.ParseFromString(r.value)) continue;
      if (e.has_ready()) day.ready.emplace_back(i, e.ready().order_id());
      day.orders += e.has_placed() ? 1 : 0;
    } else if (r.topic == city.topics.couriers) {
      pb::CourierEvent e;
      if (e.ParseFromString(r.value) && e.has_location()) ++day.locations;
    }
  }
  return day;
}

std::size_t ReadyIndex(const Day& day, std::size_t k) {
  return k < day.ready.size() ? day.ready[k].first : day.city.events.size();
}

nlohmann::json Describe(const Day& day) {
  const sim::CityOptions& o = day.city.options;
  return {{"areas", o.areas},
          {"couriers_per_area", o.couriers_per_area},
          {"sites_per_area", o.sites_per_area},
          {"elders_per_site", o.elders_per_site},
          {"seed", o.seed},
          {"day_start_ms", o.day_start_ms},
          {"ping_interval_ms", o.static_location_pings ? o.location_interval_ms : 0},
          {"registry_records", day.city.registry.size()},
          {"area_events", day.city.events.size()},
          {"orders_placed", day.orders},
          {"orders_ready", day.ready.size()},
          {"location_updates", day.locations},
          {"malformed", day.city.malformed_count()}};
}

}  // namespace meal::bench
