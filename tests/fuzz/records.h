// A small, consistent set of state records (one site, elder, order, courier,
// wellness case, ...), shared by fuzz_http's store and fuzz_seeds' decoder
// seeds so the HTTP seeds name ids that exist.
#pragma once

#include <string>
#include <utility>

#include "codec/state_codec.h"
#include "model/entities.h"
#include "state/keys.h"
#include "state/write_set.h"

namespace meal::fuzz {

inline constexpr EventTimeMs kT0 = 1'764'400'000'000;  // 2025-11-29, local morning

inline Site SampleSite() {
  Site s;
  s.site_id = "site-1";
  s.area_id = "area-1";
  s.name = "Canteen";
  s.facility_number = "ZC21010301001";
  s.location = {31.2400, 121.4900};
  s.radius_m = 1500;
  s.opens_min = 600;
  s.closes_min = 840;
  s.daily_capacity = 80;
  return s;
}

inline Elder SampleElder() {
  Elder e;
  e.elder_id = "elder-1";
  e.area_id = "area-1";
  e.home = {31.2410, 121.4920};
  e.categories = 3;
  e.paired_helper_id = "helper-1";
  return e;
}

inline Order SampleOrder() {
  Order o;
  o.order_id = "o1";
  o.area_id = "area-1";
  o.site_id = "site-1";
  o.elder_id = "elder-1";
  o.meals = 2;
  o.window_start_ms = kT0 + 3'600'000;
  o.window_end_ms = kT0 + 5'400'000;
  o.pickup = SampleSite().location;
  o.dropoff = SampleElder().home;
  o.status = OrderStatus::kDelivered;
  o.courier_id = "c1";
  o.placed_ms = kT0;
  o.ready_ms = kT0 + 600'000;
  o.picked_up_ms = kT0 + 900'000;
  o.done_ms = kT0 + 2'000'000;
  o.hot_meal_limit_ms = 3'600'000;
  o.batch_id = "lunch-0930";
  o.timeline = {{kT0, OrderStatus::kPlaced, ""}, {kT0 + 2'000'000, OrderStatus::kDelivered, "left with elder"}};
  o.proof_ref = "photo-1";
  return o;
}

inline Courier SampleCourier() {
  Courier c;
  c.courier_id = "c1";
  c.area_id = "area-1";
  c.box_capacity = 6;
  c.shift_end_ms = kT0 + 14'400'000;
  c.on_shift = true;
  c.location = {31.2405, 121.4910};
  c.location_ms = kT0;
  c.route = {{StopKind::kPickup, "o2"}, {StopKind::kDelivery, "o2"}};
  c.plan_version = 3;
  c.team_id = "team-1";
  return c;
}

inline LedgerEntry SampleLedger() {
  const Order o = SampleOrder();
  return {o.order_id, o.site_id, o.elder_id, "2025-11-29", "extremely_poor", o.meals,
          {3000, 0, 0, 3000, 0, 0}, o.done_ms};
}

inline StandingOrder SampleStanding() {
  StandingOrder s;
  s.pattern = {"st-1", "site-1", "elder-1", 1, MealClass::kHot, 0b11111, 690, 750, "2025-11-01", "", "lunch"};
  s.area_id = "area-1";
  s.suspensions = {{"2025-12-01", "2025-12-07", "in hospital"}};
  s.next_date = "2025-11-30";
  return s;
}

inline WellnessCase SampleWellness(std::string case_id, bool closed) {
  WellnessCase c;
  c.case_id = std::move(case_id);
  c.area_id = "area-1";
  c.order_id = "o1";
  c.elder_id = "elder-1";
  c.courier_id = "c1";
  c.site_id = "site-1";
  c.opened_ms = kT0;
  c.step = WellnessStep::kPhoneCall;
  c.step_due_ms = kT0 + 600'000;
  c.steps = {{WellnessStep::kCourierRetries, kT0}, {WellnessStep::kPhoneCall, kT0 + 300'000}};
  c.announcements = 1;
  c.closed = closed;
  if (closed) {
    c.closed_ms = kT0 + 900'000;
    c.closed_by = "operator-1";
    c.note = "answered the phone";
  }
  return c;
}

inline AuditEntry SampleAudit() {
  return {"cmd-1", "area-1", kT0, "operator-1", "recall", "site-1/lunch-0930", "spoiled", "accepted"};
}

inline codec::OutboxEntry SampleOutbox() { return {"meal.alerts", "area-1", "payload", kT0}; }

inline StoredAlert SampleAlert(bool acknowledged) {
  StoredAlert a;
  a.alert = {"wellness/o1/0", "area-1", kT0, AlertKind::kWellnessCheck, Severity::kCritical, "o1", "c1", "elder-1",
             "site-1", "nobody answered the door", "w1"};
  if (acknowledged) {
    a.alert.alert_id = "late/o1";
    a.alert.kind = AlertKind::kLateRisk;
    a.alert.case_id.clear();
    a.acknowledged = true;
    a.acknowledged_by = "operator-1";
    a.note = "courier told";
    a.acknowledged_ms = kT0 + 60'000;
  }
  return a;
}

// Every sample under its real key, as the engine would have committed it.
inline state::WriteSet SampleState() {
  state::WriteSet w;
  const Order o = SampleOrder();
  w.Put(state::AreaKey("area-1"), state::EncodeOffset(kT0 + 3'000'000));
  w.Put(state::SiteKey("site-1"), codec::EncodeSite(SampleSite()));
  w.Put(state::ElderKey("elder-1"), codec::EncodeElder(SampleElder()));
  w.Put(state::OrderKey(o.order_id), codec::EncodeOrder(o));
  w.Put(state::TraceKey(o.site_id, o.batch_id, o.order_id), codec::EncodeTrace(o));
  w.Put(state::CourierKey("c1"), codec::EncodeCourier(SampleCourier()));
  w.Put(state::LedgerKey("2025-11-29", "site-1", o.order_id), codec::EncodeLedger(SampleLedger()));
  w.Put(state::StandingKey("st-1"), codec::EncodeStandingOrder(SampleStanding()));
  w.Put(state::WellnessKey("w1"), codec::EncodeWellnessCase(SampleWellness("w1", false)));
  w.Put(state::WellnessKey("w2"), codec::EncodeWellnessCase(SampleWellness("w2", true)));
  w.Put(state::AuditKey(kT0, "cmd-1"), codec::EncodeAudit(SampleAudit()));
  for (bool acknowledged : {false, true}) {
    const StoredAlert a = SampleAlert(acknowledged);
    w.Put(state::AlertKey(a.alert.alert_id), codec::EncodeStoredAlert(a));
  }
  return w;
}

}  // namespace meal::fuzz
