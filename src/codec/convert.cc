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

}  // namespace meal::codec
