// Conversions between protobuf enums/locations and the domain's.
// Internal to codec/.
#pragma once

#include "common/status.h"
#include "mealdispatch/v1/common.pb.h"
#include "mealdispatch/v1/outputs.pb.h"
#include "model/entities.h"

namespace meal::codec {

namespace pb = ::mealdispatch::v1;

// A wire location -> WGS-84. Rejects unspecified systems and bad ranges.
Status ToWgs84(const pb::Location& loc, GeoPoint* out);
void ToProto(GeoPoint p, pb::Location* out);  // as WGS-84

Status FromProto(pb::MealClass c, MealClass* out);
pb::MealClass ToProto(MealClass c);
Status FromProto(pb::TravelMode m, TravelMode* out);
pb::TravelMode ToProto(TravelMode m);
pb::StopKind ToProto(StopKind k);
StopKind FromProto(pb::StopKind k);
pb::AlertKind ToProto(AlertKind k);
Status FromProto(pb::AlertKind k, AlertKind* out);
pb::Severity ToProto(Severity s);
Status FromProto(pb::Severity s, Severity* out);
// The alert as published on the alerts topic (header event id = alert id).
void ToProto(const Alert& alert, pb::Alert* out);
Status FromProto(const pb::Alert& in, Alert* out);

}  // namespace meal::codec
