#include "codec/encode.h"

#include "codec/convert.h"
#include "mealdispatch/v1/events.pb.h"
#include "mealdispatch/v1/outputs.pb.h"

namespace meal::codec {

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
  ToProto(a, &msg);
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
  } else if (const auto* r = std::get_if<ReassignOrder>(&event.body)) {
    msg.set_actor(r->actor);
    msg.set_reason(r->reason);
    msg.mutable_reassign_order()->set_order_id(r->order_id);
    msg.mutable_reassign_order()->set_courier_id(r->courier_id);
  } else if (const auto* u = std::get_if<UnassignOrder>(&event.body)) {
    msg.set_actor(u->actor);
    msg.set_reason(u->reason);
    msg.mutable_unassign_order()->set_order_id(u->order_id);
  } else if (const auto* h = std::get_if<HoldOrder>(&event.body)) {
    msg.set_actor(h->actor);
    msg.set_reason(h->reason);
    msg.mutable_hold_order()->set_order_id(h->order_id);
  } else if (const auto* l = std::get_if<ReleaseOrder>(&event.body)) {
    msg.set_actor(l->actor);
    msg.set_reason(l->reason);
    msg.mutable_release_order()->set_order_id(l->order_id);
  } else if (const auto* k = std::get_if<AcknowledgeAlert>(&event.body)) {
    msg.set_actor(k->actor);
    msg.set_reason(k->note);
    msg.mutable_acknowledge_alert()->set_alert_id(k->alert_id);
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
