#include "codec/encode.h"

#include "codec/convert.h"
#include "mealdispatch/v1/events.pb.h"
#include "mealdispatch/v1/outputs.pb.h"

namespace meal::codec {
namespace {

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
  }
  return pb::ALERT_KIND_UNSPECIFIED;
}

pb::Severity ToProto(Severity s) {
  switch (s) {
    case Severity::kInfo: return pb::INFO;
    case Severity::kWarning: return pb::WARNING;
    case Severity::kCritical: return pb::CRITICAL;
  }
  return pb::SEVERITY_UNSPECIFIED;
}

}  // namespace

std::string EncodeAssignment(const Assignment& a) {
  pb::Assignment msg;
  msg.mutable_header()->set_event_id("asg/" + a.courier_id + "/" + std::to_string(a.plan_version));
  msg.mutable_header()->set_area_id(a.area_id);
  msg.mutable_header()->set_event_time_ms(a.time_ms);
  msg.set_courier_id(a.courier_id);
  msg.set_plan_version(a.plan_version);
  msg.set_trigger_order_id(a.trigger_order_id);
  for (const PlannedStop& s : a.stops) {
    pb::PlannedStop* out = msg.add_stops();
    out->set_kind(codec::ToProto(s.kind));
    out->set_order_id(s.order_id);
    out->set_site_id(s.site_id);
    codec::ToProto(s.location, out->mutable_location());
    out->set_planned_arrival_ms(s.arrival_ms);
    out->set_planned_departure_ms(s.departure_ms);
    out->set_stop_index(s.stop_index);
  }
  return msg.SerializeAsString();
}

std::string EncodeAlert(const Alert& a) {
  pb::Alert msg;
  msg.mutable_header()->set_event_id(a.alert_id);
  msg.mutable_header()->set_area_id(a.area_id);
  msg.mutable_header()->set_event_time_ms(a.time_ms);
  msg.set_alert_id(a.alert_id);
  msg.set_kind(ToProto(a.kind));
  msg.set_severity(ToProto(a.severity));
  msg.set_order_id(a.order_id);
  msg.set_courier_id(a.courier_id);
  msg.set_elder_id(a.elder_id);
  msg.set_site_id(a.site_id);
  msg.set_reason(a.reason);
  msg.set_case_id(a.case_id);
  return msg.SerializeAsString();
}

std::string EncodeCommand(const Event& event) {
  pb::CommandEvent msg;
  msg.mutable_header()->set_event_id(event.event_id);
  msg.mutable_header()->set_area_id(event.area_id);
  msg.mutable_header()->set_event_time_ms(event.time_ms);
  if (const auto* r = std::get_if<RecallBatch>(&event.body)) {
    msg.set_actor(r->actor);
    msg.set_reason(r->reason);
    msg.mutable_recall()->set_site_id(r->site_id);
    msg.mutable_recall()->set_batch_id(r->batch_id);
  } else if (const auto* a = std::get_if<AcknowledgeWellness>(&event.body)) {
    msg.set_actor(a->actor);
    pb::AcknowledgeWellness* out = msg.mutable_acknowledge_wellness();
    out->set_case_id(a->case_id);
    out->set_outcome(static_cast<pb::WellnessOutcome>(a->outcome));
    out->set_note(a->note);
  } else if (const auto* e = std::get_if<EraseElder>(&event.body)) {
    msg.set_actor(e->actor);
    msg.set_reason(e->reason);
    msg.mutable_erase_elder()->set_elder_id(e->elder_id);
  } else {
    msg.mutable_tick();
  }
  return msg.SerializeAsString();
}

std::string EncodeDeadLetter(const DeadLetterInfo& info) {
  pb::DeadLetter msg;
  msg.set_topic(std::string(info.topic));
  msg.set_partition(info.partition);
  msg.set_offset(info.offset);
  msg.set_original_key(std::string(info.key));
  msg.set_original_value(std::string(info.value));
  msg.set_reason(std::string(info.reason));
  msg.set_record_timestamp_ms(info.record_timestamp_ms);
  return msg.SerializeAsString();
}

}  // namespace meal::codec
