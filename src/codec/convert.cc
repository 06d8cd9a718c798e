#include "codec/convert.h"

namespace meal::codec {

Status ToWgs84(const pb::Location& loc, GeoPoint* out) {
  if (!IsValidLatLon(loc.lat(), loc.lon())) return Status::Invalid("location out of range");
  if (loc.lat() == 0 && loc.lon() == 0) return Status::Invalid("location missing");
  switch (loc.system()) {
    case pb::WGS84: *out = {loc.lat(), loc.lon()}; return Status::Ok();
    case pb::GCJ02: *out = Gcj02ToWgs84({loc.lat(), loc.lon()}); return Status::Ok();
    default: return Status::Invalid("location has no coordinate system");
  }
}

void ToProto(GeoPoint p, pb::Location* out) {
  out->set_lat(p.lat);
  out->set_lon(p.lon);
  out->set_system(pb::WGS84);
}

Status FromProto(pb::MealClass c, MealClass* out) {
  switch (c) {
    case pb::HOT: *out = MealClass::kHot; return Status::Ok();
    case pb::CHILLED: *out = MealClass::kChilled; return Status::Ok();
    case pb::FROZEN: *out = MealClass::kFrozen; return Status::Ok();
    default: return Status::Invalid("meal class missing");
  }
}

pb::MealClass ToProto(MealClass c) {
  switch (c) {
    case MealClass::kHot: return pb::HOT;
    case MealClass::kChilled: return pb::CHILLED;
    case MealClass::kFrozen: return pb::FROZEN;
  }
  return pb::MEAL_CLASS_UNSPECIFIED;
}

Status FromProto(pb::TravelMode m, TravelMode* out) {
  switch (m) {
    case pb::WALK: *out = TravelMode::kWalk; return Status::Ok();
    case pb::BIKE: *out = TravelMode::kBike; return Status::Ok();
    case pb::EBIKE: *out = TravelMode::kEbike; return Status::Ok();
    case pb::CAR: *out = TravelMode::kCar; return Status::Ok();
    default: return Status::Invalid("travel mode missing");
  }
}

pb::TravelMode ToProto(TravelMode m) {
  switch (m) {
    case TravelMode::kWalk: return pb::WALK;
    case TravelMode::kBike: return pb::BIKE;
    case TravelMode::kEbike: return pb::EBIKE;
    case TravelMode::kCar: return pb::CAR;
  }
  return pb::TRAVEL_MODE_UNSPECIFIED;
}

pb::StopKind ToProto(StopKind k) { return k == StopKind::kPickup ? pb::PICKUP : pb::DELIVERY; }
StopKind FromProto(pb::StopKind k) { return k == pb::PICKUP ? StopKind::kPickup : StopKind::kDelivery; }

pb::AlertKind ToProto(AlertKind k) {
  switch (k) {
    case AlertKind::kUnassignable: return pb::UNASSIGNABLE;
    case AlertKind::kLateRisk: return pb::LATE_RISK;
    case AlertKind::kFoodSafetyRisk: return pb::FOOD_SAFETY_RISK;
    case AlertKind::kWellnessCheck: return pb::WELLNESS_CHECK;
    case AlertKind::kDeliveryFailed: return pb::DELIVERY_FAILED;
    case AlertKind::kOrderRejected: return pb::ORDER_REJECTED;
    case AlertKind::kOutsideRadius: return pb::OUTSIDE_RADIUS;
    case AlertKind::kRecall: return pb::RECALL;
    case AlertKind::kWellnessClosed: return pb::WELLNESS_CLOSED;
    case AlertKind::kCommandRefused: return pb::COMMAND_REFUSED;
  }
  return pb::ALERT_KIND_UNSPECIFIED;
}

Status FromProto(pb::AlertKind k, AlertKind* out) {
  for (std::size_t i = 0; i < kAlertKinds; ++i) {
    if (ToProto(static_cast<AlertKind>(i)) == k) {
      *out = static_cast<AlertKind>(i);
      return Status::Ok();
    }
  }
  return Status::Invalid("alert kind missing");
}

pb::Severity ToProto(Severity s) {
  switch (s) {
    case Severity::kInfo: return pb::INFO;
    case Severity::kWarning: return pb::WARNING;
    case Severity::kCritical: return pb::CRITICAL;
  }
  return pb::SEVERITY_UNSPECIFIED;
}

Status FromProto(pb::Severity s, Severity* out) {
  switch (s) {
    case pb::INFO: *out = Severity::kInfo; return Status::Ok();
    case pb::WARNING: *out = Severity::kWarning; return Status::Ok();
    case pb::CRITICAL: *out = Severity::kCritical; return Status::Ok();
    default: return Status::Invalid("severity missing");
  }
}

void ToProto(const Alert& a, pb::Alert* msg) {
  msg->mutable_header()->set_event_id(a.alert_id);
  msg->mutable_header()->set_area_id(a.area_id);
  msg->mutable_header()->set_event_time_ms(a.time_ms);
  msg->set_alert_id(a.alert_id);
  msg->set_kind(ToProto(a.kind));
  msg->set_severity(ToProto(a.severity));
  msg->set_order_id(a.order_id);
  msg->set_courier_id(a.courier_id);
  msg->set_elder_id(a.elder_id);
  msg->set_site_id(a.site_id);
  msg->set_reason(a.reason);
  msg->set_case_id(a.case_id);
  msg->set_reannounced(a.reannounced);
}

Status FromProto(const pb::Alert& msg, Alert* a) {
  if (Status s = FromProto(msg.kind(), &a->kind); !s.ok()) return s;
  if (Status s = FromProto(msg.severity(), &a->severity); !s.ok()) return s;
  a->alert_id = msg.alert_id();
  a->area_id = msg.header().area_id();
  a->time_ms = msg.header().event_time_ms();
  a->order_id = msg.order_id();
  a->courier_id = msg.courier_id();
  a->elder_id = msg.elder_id();
  a->site_id = msg.site_id();
  a->reason = msg.reason();
  a->case_id = msg.case_id();
  a->reannounced = msg.reannounced();
  return Status::Ok();
}

}  // namespace meal::codec
