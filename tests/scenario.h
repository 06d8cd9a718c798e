// Hand-built input for one area ("area-1") of one test: the registry and
// the area's events, published before the service starts so a run is a pure
// function of them; later events can be published while it runs.
#pragma once

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <vector>

#include "mealdispatch/v1/events.pb.h"
#include "mealdispatch/v1/outputs.pb.h"
#include "service_harness.h"

namespace meal::testing {

namespace pb = ::mealdispatch::v1;

inline constexpr EventTimeMs kDay = 1'795'968'000'000;  // Monday 2026-11-30 00:00 in China
inline constexpr EventTimeMs kHour = 3'600'000;
inline constexpr EventTimeMs kMinute = 60'000;
inline constexpr double kSiteLat = 41.80, kSiteLon = 123.43;

struct ElderSpec {
  std::optional<pb::ElderCategory> category;
  std::string paired_helper;
  std::string hub_household;
  // The home as a Chinese map SDK reports it (GCJ-02) instead of `lat` in WGS-84.
  std::optional<GeoPoint> gcj02_home;
};

struct OrderSpec {
  std::string batch;
  std::optional<double> deliver_to_lat;  // else the elder's home
};

class Scenario {
 public:
  explicit Scenario(const std::string& name) : topics_(UniqueTopics(name)) { CreateTopics(topics_); }
  const sim::Topics& topics() const { return topics_; }

  void Site(const std::string& id, const std::string& facility, std::uint32_t radius_m, std::uint32_t opens_min = 0,
            std::uint32_t closes_min = 0, std::uint32_t capacity = 0) {
    pb::MealSite m;
    Header(m.mutable_header(), "reg-" + id, kDay);
    m.set_site_id(id);
    m.set_facility_number(facility);
    Place(m.mutable_location(), kSiteLat, kSiteLon);
    m.set_radius_m(radius_m);
    m.set_opens_min(opens_min);
    m.set_closes_min(closes_min);
    m.set_daily_capacity(capacity);
    registry_.push_back({topics_.sites, id, m.SerializeAsString(), kDay});
  }
  void Elder(const std::string& id, double lat, std::optional<pb::ElderCategory> category = std::nullopt) {
    Elder(id, lat, ElderSpec{category, {}, {}});
  }
  void Elder(const std::string& id, double lat, const ElderSpec& spec) {
    pb::Elder m;
    Header(m.mutable_header(), "reg-" + id, kDay);
    m.set_elder_id(id);
    Place(m.mutable_home(), lat, kSiteLon);
    if (spec.gcj02_home) {
      Place(m.mutable_home(), spec.gcj02_home->lat, spec.gcj02_home->lon);
      m.mutable_home()->set_system(pb::GCJ02);
    }
    if (spec.category) m.add_categories(*spec.category);
    m.set_paired_helper_id(spec.paired_helper);
    m.set_hub_household_id(spec.hub_household);
    registry_.push_back({topics_.elders, id, m.SerializeAsString(), kDay});
  }
  void Shift(const std::string& courier, EventTimeMs at, std::uint32_t boxes, const std::string& team = {},
             double lat = kSiteLat) {
    pb::CourierEvent e;
    Header(e.mutable_header(), "shift-" + courier + "-" + std::to_string(at), at);
    pb::ShiftStarted* s = e.mutable_shift_started();
    s->set_courier_id(courier);
    s->set_mode(pb::BIKE);
    s->set_box_capacity(boxes);
    s->set_shift_end_ms(at + 3 * kHour);
    s->set_team_id(team);
    Place(s->mutable_location(), lat, kSiteLon);
    Add(topics_.couriers, e.SerializeAsString(), at);
  }
  void ShiftEnded(const std::string& courier, EventTimeMs at) {
    pb::CourierEvent e;
    Header(e.mutable_header(), "shift-end-" + courier + "-" + std::to_string(at), at);
    e.mutable_shift_ended()->set_courier_id(courier);
    Add(topics_.couriers, e.SerializeAsString(), at);
  }
  void Ping(const std::string& courier, EventTimeMs at, double lat) {
    pb::CourierEvent e;
    Header(e.mutable_header(), "ping-" + courier + "-" + std::to_string(at), at);
    e.mutable_location()->set_courier_id(courier);
    Place(e.mutable_location()->mutable_location(), lat, kSiteLon);
    Add(topics_.couriers, e.SerializeAsString(), at);
  }
  void Order(const std::string& id, const std::string& elder, EventTimeMs window_start, DurationMs window,
             EventTimeMs at, const OrderSpec& spec = {}) {
    pb::OrderEvent e;
    Header(e.mutable_header(), "placed-" + id, at);
    pb::OrderPlaced* p = e.mutable_placed();
    p->set_order_id(id);
    p->set_site_id("site-1");
    p->set_elder_id(elder);
    p->set_meals(1);
    p->set_meal_class(pb::HOT);
    p->set_window_start_ms(window_start);
    p->set_window_end_ms(window_start + window);
    p->set_batch_id(spec.batch);
    if (spec.deliver_to_lat) Place(p->mutable_delivery_location(), *spec.deliver_to_lat, kSiteLon);
    Add(topics_.orders, e.SerializeAsString(), at);
  }
  void Ready(const std::string& id, EventTimeMs at) {
    pb::OrderEvent e;
    Header(e.mutable_header(), "ready-" + id, at);
    e.mutable_ready()->set_order_id(id);
    Add(topics_.orders, e.SerializeAsString(), at);
  }
  // Lunch (11:00–12:00) from site-1 on the given ISO weekdays, from first_date on.
  void StandingLunch(const std::string& id, const std::string& elder, std::vector<std::uint32_t> weekdays,
                     const std::string& first_date, EventTimeMs at) {
    pb::OrderEvent e;
    Header(e.mutable_header(), "standing-" + id + "-" + std::to_string(at), at);
    pb::StandingOrderSet* s = e.mutable_standing_set();
    s->set_standing_id(id);
    s->set_site_id("site-1");
    s->set_elder_id(elder);
    s->set_meals(1);
    s->set_meal_class(pb::HOT);
    for (std::uint32_t d : weekdays) s->add_weekdays(d);
    s->set_window_start_min(11 * 60);
    s->set_window_end_min(12 * 60);
    s->set_first_date(first_date);
    Add(topics_.orders, e.SerializeAsString(), at);
  }
  void Suspend(const std::string& id, const std::string& from, const std::string& until, const std::string& reason,
               EventTimeMs at) {
    pb::OrderEvent e;
    Header(e.mutable_header(), "suspend-" + id + "-" + std::to_string(at), at);
    pb::StandingOrderSuspended* s = e.mutable_standing_suspended();
    s->set_standing_id(id);
    s->set_from_date(from);
    s->set_until_date(until);
    s->set_reason(reason);
    Add(topics_.orders, e.SerializeAsString(), at);
  }
  void Resume(const std::string& id, EventTimeMs at) {
    pb::OrderEvent e;
    Header(e.mutable_header(), "resume-" + id + "-" + std::to_string(at), at);
    e.mutable_standing_resumed()->set_standing_id(id);
    Add(topics_.orders, e.SerializeAsString(), at);
  }
  void PickedUp(const std::string& id, const std::string& courier, EventTimeMs at) {
    pb::DeliveryEvent e;
    Header(e.mutable_header(), "picked-" + id, at);
    e.mutable_picked_up()->set_order_id(id);
    e.mutable_picked_up()->set_courier_id(courier);
    Add(topics_.deliveries, e.SerializeAsString(), at);
  }
  void Delivered(const std::string& id, const std::string& courier, EventTimeMs at, const std::string& proof = {}) {
    pb::DeliveryEvent e;
    Header(e.mutable_header(), "delivered-" + id, at);
    e.mutable_delivered()->set_order_id(id);
    e.mutable_delivered()->set_courier_id(courier);
    e.mutable_delivered()->set_proof_ref(proof);
    Add(topics_.deliveries, e.SerializeAsString(), at);
  }
  void Failed(const std::string& id, const std::string& courier, EventTimeMs at, pb::FailureReason reason) {
    pb::DeliveryEvent e;
    Header(e.mutable_header(), "failed-" + id, at);
    e.mutable_failed()->set_order_id(id);
    e.mutable_failed()->set_courier_id(courier);
    e.mutable_failed()->set_reason(reason);
    Add(topics_.deliveries, e.SerializeAsString(), at);
  }
  // Moves the area's event time on, so its timers fire.
  void Tick(EventTimeMs at) {
    pb::CommandEvent e;
    Header(e.mutable_header(), "tick-" + std::to_string(at), at);
    e.mutable_tick();
    Add(topics_.commands, e.SerializeAsString(), at);
  }
  // Publishes everything added so far (the registry first) and clears it.
  void Publish() {
    Produce(registry_);
    Produce(events_);
    registry_.clear();
    events_.clear();
  }
  std::vector<pb::Alert> Alerts() const {
    std::vector<pb::Alert> out;
    for (const kafka::Record& r : ReadAll({topics_.alerts})) {
      pb::Alert a;
      EXPECT_TRUE(a.ParseFromString(r.value));
      out.push_back(a);
    }
    return out;
  }
  // Each courier's latest published plan.
  std::map<std::string, pb::Assignment> LatestPlans() const {
    std::map<std::string, pb::Assignment> latest;
    for (const kafka::Record& r : ReadAll({topics_.assignments})) {
      pb::Assignment a;
      EXPECT_TRUE(a.ParseFromString(r.value));
      pb::Assignment& l = latest[a.courier_id()];
      if (a.plan_version() >= l.plan_version()) l = a;
    }
    return latest;
  }

 private:
  static void Header(pb::EventHeader* h, const std::string& id, EventTimeMs t) {
    h->set_event_id(id);
    h->set_area_id("area-1");
    h->set_event_time_ms(t);
  }
  static void Place(pb::Location* l, double lat, double lon) {
    l->set_lat(lat);
    l->set_lon(lon);
    l->set_system(pb::WGS84);
  }
  void Add(const std::string& topic, std::string value, EventTimeMs at) {
    events_.push_back({topic, "area-1", std::move(value), at});
  }

  sim::Topics topics_;
  std::vector<sim::SimRecord> registry_, events_;
};

// The body of an HTTP answer as JSON.
inline nlohmann::json Body(const std::string& response) {
  const std::size_t at = response.find("\r\n\r\n");
  EXPECT_NE(at, std::string::npos) << response;
  return nlohmann::json::parse(response.substr(at + 4), nullptr, /*allow_exceptions=*/false);
}

// The status code of an HTTP answer ("HTTP/1.1 202 Accepted" -> 202).
inline int StatusOf(const std::string& response) {
  return response.size() > 12 ? std::stoi(response.substr(9, 3)) : 0;
}

}  // namespace meal::testing
