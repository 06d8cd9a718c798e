#include "codec/state_codec.h"

#include "codec/convert.h"
#include "mealdispatch/v1/events.pb.h"
#include "mealdispatch/v1/state.pb.h"

namespace meal::codec {
namespace {

GeoPoint FromProto(const pb::Location& loc) { return {loc.lat(), loc.lon()}; }

template <typename Message>
Status ParseState(std::string_view bytes, Message* msg) {
  if (!msg->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::Internal("corrupt " + msg->GetTypeName() + " in state store");
  }
  return Status::Ok();
}

}  // namespace

std::string EncodeOrder(const Order& o) {
  pb::OrderRecord msg;
  msg.set_order_id(o.order_id);
  msg.set_area_id(o.area_id);
  msg.set_site_id(o.site_id);
  msg.set_elder_id(o.elder_id);
  msg.set_meals(o.meals);
  msg.set_meal_class(ToProto(o.meal_class));
  msg.set_window_start_ms(o.window_start_ms);
  msg.set_window_end_ms(o.window_end_ms);
  ToProto(o.pickup, msg.mutable_pickup());
  ToProto(o.dropoff, msg.mutable_dropoff());
  msg.set_status(static_cast<pb::OrderStatus>(static_cast<int>(o.status) + 1));
  msg.set_courier_id(o.courier_id);
  msg.set_placed_ms(o.placed_ms);
  msg.set_ready_ms(o.ready_ms);
  msg.set_picked_up_ms(o.picked_up_ms);
  msg.set_done_ms(o.done_ms);
  msg.set_hot_meal_limit_ms(o.hot_meal_limit_ms);
  msg.set_batch_id(o.batch_id);
  for (const TimelineEntry& t : o.timeline) {
    pb::TimelineEntry* e = msg.add_timeline();
    e->set_time_ms(t.time_ms);
    e->set_status(static_cast<pb::OrderStatus>(static_cast<int>(t.status) + 1));
    e->set_note(t.note);
  }
  msg.set_food_safety_alerted(o.food_safety_alerted);
  msg.set_hub_household_id(o.hub_household_id);
  msg.set_pinned(o.pinned);
  msg.set_proof_ref(o.proof_ref);
  msg.set_standing_id(o.standing_id);
  msg.set_late_alerted(o.late_alerted);
  for (const std::string& c : o.excluded_couriers) msg.add_excluded_couriers(c);
  return msg.SerializeAsString();
}

Status DecodeOrder(std::string_view bytes, Order* o) {
  pb::OrderRecord msg;
  if (Status s = ParseState(bytes, &msg); !s.ok()) return s;
  o->order_id = msg.order_id();
  o->area_id = msg.area_id();
  o->site_id = msg.site_id();
  o->elder_id = msg.elder_id();
  o->meals = msg.meals();
  if (Status s = FromProto(msg.meal_class(), &o->meal_class); !s.ok()) return s;
  o->window_start_ms = msg.window_start_ms();
  o->window_end_ms = msg.window_end_ms();
  o->pickup = FromProto(msg.pickup());
  o->dropoff = FromProto(msg.dropoff());
  if (msg.status() == pb::ORDER_STATUS_UNSPECIFIED) return Status::Internal("order without status");
  o->status = static_cast<OrderStatus>(static_cast<int>(msg.status()) - 1);
  o->courier_id = msg.courier_id();
  o->placed_ms = msg.placed_ms();
  o->ready_ms = msg.ready_ms();
  o->picked_up_ms = msg.picked_up_ms();
  o->done_ms = msg.done_ms();
  o->hot_meal_limit_ms = msg.hot_meal_limit_ms();
  o->batch_id = msg.batch_id();
  o->timeline.clear();
  for (const pb::TimelineEntry& e : msg.timeline()) {
    o->timeline.push_back({e.time_ms(), static_cast<OrderStatus>(static_cast<int>(e.status()) - 1), e.note()});
  }
  o->food_safety_alerted = msg.food_safety_alerted();
  o->hub_household_id = msg.hub_household_id();
  o->pinned = msg.pinned();
  o->proof_ref = msg.proof_ref();
  o->standing_id = msg.standing_id();
  o->late_alerted = msg.late_alerted();
  o->excluded_couriers.assign(msg.excluded_couriers().begin(), msg.excluded_couriers().end());
  return Status::Ok();
}

std::string EncodeCourier(const Courier& c) {
  pb::CourierRecord msg;
  msg.set_courier_id(c.courier_id);
  msg.set_area_id(c.area_id);
  msg.set_mode(ToProto(c.mode));
  msg.set_box_capacity(c.box_capacity);
  msg.set_shift_end_ms(c.shift_end_ms);
  msg.set_on_shift(c.on_shift);
  msg.set_available(c.available);
  ToProto(c.location, msg.mutable_location());
  msg.set_location_ms(c.location_ms);
  for (const RouteStop& s : c.route) {
    pb::RouteStopRecord* r = msg.add_route();
    r->set_kind(ToProto(s.kind));
    r->set_order_id(s.order_id);
  }
  msg.set_plan_version(c.plan_version);
  msg.set_team_id(c.team_id);
  msg.set_at_door(c.at_door);
  return msg.SerializeAsString();
}

Status DecodeCourier(std::string_view bytes, Courier* c) {
  pb::CourierRecord msg;
  if (Status s = ParseState(bytes, &msg); !s.ok()) return s;
  c->courier_id = msg.courier_id();
  c->area_id = msg.area_id();
  if (Status s = FromProto(msg.mode(), &c->mode); !s.ok()) return s;
  c->box_capacity = msg.box_capacity();
  c->shift_end_ms = msg.shift_end_ms();
  c->on_shift = msg.on_shift();
  c->available = msg.available();
  c->location = FromProto(msg.location());
  c->location_ms = msg.location_ms();
  c->route.clear();
  for (const pb::RouteStopRecord& r : msg.route()) c->route.push_back({FromProto(r.kind()), r.order_id()});
  c->plan_version = msg.plan_version();
  c->team_id = msg.team_id();
  c->at_door = msg.at_door();
  return Status::Ok();
}

std::string EncodeSite(const Site& s) {
  pb::MealSite msg;
  msg.mutable_header()->set_area_id(s.area_id);
  msg.set_site_id(s.site_id);
  msg.set_name(s.name);
  msg.set_facility_number(s.facility_number);
  ToProto(s.location, msg.mutable_location());
  msg.set_radius_m(s.radius_m);
  msg.set_hot_meal_limit_ms(s.hot_meal_limit_ms);
  msg.set_opens_min(s.opens_min);
  msg.set_closes_min(s.closes_min);
  msg.set_daily_capacity(s.daily_capacity);
  return msg.SerializeAsString();
}

Status DecodeSite(std::string_view bytes, Site* s) {
  pb::MealSite msg;
  if (Status st = ParseState(bytes, &msg); !st.ok()) return st;
  s->site_id = msg.site_id();
  s->area_id = msg.header().area_id();
  s->name = msg.name();
  s->facility_number = msg.facility_number();
  s->location = FromProto(msg.location());
  s->radius_m = msg.radius_m();
  s->hot_meal_limit_ms = msg.hot_meal_limit_ms();
  s->opens_min = msg.opens_min();
  s->closes_min = msg.closes_min();
  s->daily_capacity = msg.daily_capacity();
  return Status::Ok();
}

std::string EncodeElder(const Elder& e) {
  pb::Elder msg;
  msg.mutable_header()->set_area_id(e.area_id);
  msg.set_elder_id(e.elder_id);
  ToProto(e.home, msg.mutable_home());
  for (int bit = 0; bit < 10; ++bit) {
    if (e.categories & (1u << bit)) msg.add_categories(static_cast<pb::ElderCategory>(bit + 1));
  }
  msg.set_paired_helper_id(e.paired_helper_id);
  msg.set_hub_household_id(e.hub_household_id);
  return msg.SerializeAsString();
}

Status DecodeElder(std::string_view bytes, Elder* e) {
  pb::Elder msg;
  if (Status s = ParseState(bytes, &msg); !s.ok()) return s;
  e->elder_id = msg.elder_id();
  e->area_id = msg.header().area_id();
  e->home = FromProto(msg.home());
  e->categories = 0;
  for (int c : msg.categories()) {
    if (c <= 0 || c > 10) return Status::Internal("corrupt elder category in state store");
    e->categories |= 1u << (c - 1);
  }
  e->paired_helper_id = msg.paired_helper_id();
  e->hub_household_id = msg.hub_household_id();
  return Status::Ok();
}

std::string EncodeTrace(const Order& o) {
  pb::TraceRecord msg;
  msg.set_order_id(o.order_id);
  msg.set_elder_id(o.elder_id);
  msg.set_courier_id(o.courier_id);
  msg.set_status(static_cast<pb::OrderStatus>(static_cast<int>(o.status) + 1));
  msg.set_picked_up_ms(o.picked_up_ms);
  msg.set_done_ms(o.done_ms);
  return msg.SerializeAsString();
}

Status DecodeTrace(std::string_view bytes, Order* o) {
  pb::TraceRecord msg;
  if (Status s = ParseState(bytes, &msg); !s.ok()) return s;
  if (msg.status() == pb::ORDER_STATUS_UNSPECIFIED) return Status::Internal("trace entry without status");
  o->order_id = msg.order_id();
  o->elder_id = msg.elder_id();
  o->courier_id = msg.courier_id();
  o->status = static_cast<OrderStatus>(static_cast<int>(msg.status()) - 1);
  o->picked_up_ms = msg.picked_up_ms();
  o->done_ms = msg.done_ms();
  return Status::Ok();
}

std::string EncodeLedger(const LedgerEntry& e) {
  pb::LedgerRecord msg;
  msg.set_order_id(e.order_id);
  msg.set_area_id(e.area_id);
  msg.set_site_id(e.site_id);
  msg.set_elder_id(e.elder_id);
  msg.set_service_date(e.service_date);
  msg.set_category(e.category);
  msg.set_meals(e.meals);
  pb::PaymentRecord* a = msg.mutable_amount();
  a->set_price_fen(e.amount.price_fen);
  a->set_individual_fen(e.amount.individual_fen);
  a->set_enterprise_fen(e.amount.enterprise_fen);
  a->set_government_fen(e.amount.government_fen);
  a->set_village_fen(e.amount.village_fen);
  a->set_charity_fen(e.amount.charity_fen);
  msg.set_delivered_ms(e.delivered_ms);
  return msg.SerializeAsString();
}

Status DecodeLedger(std::string_view bytes, LedgerEntry* e) {
  pb::LedgerRecord msg;
  if (Status s = ParseState(bytes, &msg); !s.ok()) return s;
  e->order_id = msg.order_id();
  e->area_id = msg.area_id();
  e->site_id = msg.site_id();
  e->elder_id = msg.elder_id();
  e->service_date = msg.service_date();
  e->category = msg.category();
  e->meals = msg.meals();
  const pb::PaymentRecord& a = msg.amount();
  e->amount = {a.price_fen(), a.individual_fen(), a.enterprise_fen(), a.government_fen(), a.village_fen(), a.charity_fen()};
  e->delivered_ms = msg.delivered_ms();
  return Status::Ok();
}

std::string EncodeOutbox(const OutboxEntry& entry) {
  pb::OutboxRecord msg;
  msg.set_topic(entry.topic);
  msg.set_key(entry.key);
  msg.set_value(entry.value);
  msg.set_timestamp_ms(entry.timestamp_ms);
  if (entry.task >= 0) msg.set_task(entry.task);
  if (entry.partition >= 0) msg.set_partition(entry.partition);
  msg.set_tombstone(entry.tombstone);
  return msg.SerializeAsString();
}

Status DecodeOutbox(std::string_view bytes, OutboxEntry* entry) {
  pb::OutboxRecord msg;
  if (Status s = ParseState(bytes, &msg); !s.ok()) return s;
  entry->topic = msg.topic();
  entry->key = msg.key();
  entry->value = msg.value();
  entry->timestamp_ms = msg.timestamp_ms();
  entry->task = msg.has_task() ? msg.task() : -1;
  entry->partition = msg.has_partition() ? msg.partition() : -1;
  entry->tombstone = msg.tombstone();
  return Status::Ok();
}

std::string EncodeStandingOrder(const StandingOrder& so) {
  pb::StandingOrderRecord msg;
  const StandingOrderSet& p = so.pattern;
  msg.set_standing_id(p.standing_id);
  msg.set_area_id(so.area_id);
  msg.set_site_id(p.site_id);
  msg.set_elder_id(p.elder_id);
  msg.set_meals(p.meals);
  msg.set_meal_class(ToProto(p.meal_class));
  msg.set_weekdays(p.weekdays);
  msg.set_window_start_min(p.window_start_min);
  msg.set_window_end_min(p.window_end_min);
  msg.set_first_date(p.first_date);
  msg.set_last_date(p.last_date);
  msg.set_batch_id(p.batch_id);
  for (const Suspension& s : so.suspensions) {
    pb::SuspensionRecord* r = msg.add_suspensions();
    r->set_from_date(s.from_date);
    r->set_until_date(s.until_date);
    r->set_reason(s.reason);
  }
  msg.set_next_date(so.next_date);
  return msg.SerializeAsString();
}

Status DecodeStandingOrder(std::string_view bytes, StandingOrder* so) {
  pb::StandingOrderRecord msg;
  if (Status s = ParseState(bytes, &msg); !s.ok()) return s;
  StandingOrderSet& p = so->pattern;
  p.standing_id = msg.standing_id();
  so->area_id = msg.area_id();
  p.site_id = msg.site_id();
  p.elder_id = msg.elder_id();
  p.meals = msg.meals();
  if (Status s = FromProto(msg.meal_class(), &p.meal_class); !s.ok()) return s;
  p.weekdays = msg.weekdays();
  p.window_start_min = msg.window_start_min();
  p.window_end_min = msg.window_end_min();
  p.first_date = msg.first_date();
  p.last_date = msg.last_date();
  p.batch_id = msg.batch_id();
  so->suspensions.clear();
  for (const pb::SuspensionRecord& r : msg.suspensions()) {
    so->suspensions.push_back({r.from_date(), r.until_date(), r.reason()});
  }
  so->next_date = msg.next_date();
  return Status::Ok();
}

std::string EncodeWellnessCase(const WellnessCase& c) {
  pb::WellnessCaseRecord msg;
  msg.set_case_id(c.case_id);
  msg.set_area_id(c.area_id);
  msg.set_order_id(c.order_id);
  msg.set_elder_id(c.elder_id);
  msg.set_courier_id(c.courier_id);
  msg.set_site_id(c.site_id);
  msg.set_opened_ms(c.opened_ms);
  msg.set_step(static_cast<std::uint32_t>(c.step));
  msg.set_step_due_ms(c.step_due_ms);
  for (const auto& [step, at] : c.steps) {
    pb::WellnessStepRecord* r = msg.add_steps();
    r->set_step(static_cast<std::uint32_t>(step));
    r->set_at_ms(at);
  }
  msg.set_announcements(c.announcements);
  msg.set_closed(c.closed);
  msg.set_closed_ms(c.closed_ms);
  msg.set_closed_by(c.closed_by);
  msg.set_outcome(static_cast<std::int32_t>(c.outcome));
  msg.set_note(c.note);
  return msg.SerializeAsString();
}

Status DecodeWellnessCase(std::string_view bytes, WellnessCase* c) {
  pb::WellnessCaseRecord msg;
  if (Status s = ParseState(bytes, &msg); !s.ok()) return s;
  if (msg.step() >= kWellnessSteps) return Status::Internal("wellness case with an unknown step");
  c->case_id = msg.case_id();
  c->area_id = msg.area_id();
  c->order_id = msg.order_id();
  c->elder_id = msg.elder_id();
  c->courier_id = msg.courier_id();
  c->site_id = msg.site_id();
  c->opened_ms = msg.opened_ms();
  c->step = static_cast<WellnessStep>(msg.step());
  c->step_due_ms = msg.step_due_ms();
  c->steps.clear();
  for (const pb::WellnessStepRecord& r : msg.steps()) {
    c->steps.emplace_back(static_cast<WellnessStep>(std::min<std::uint32_t>(r.step(), kWellnessSteps - 1)), r.at_ms());
  }
  c->announcements = msg.announcements();
  c->closed = msg.closed();
  c->closed_ms = msg.closed_ms();
  c->closed_by = msg.closed_by();
  c->outcome = static_cast<WellnessOutcome>(msg.outcome());
  c->note = msg.note();
  return Status::Ok();
}

std::string EncodeStoredAlert(const StoredAlert& a) {
  pb::AlertRecord msg;
  ToProto(a.alert, msg.mutable_alert());
  msg.set_acknowledged(a.acknowledged);
  msg.set_acknowledged_by(a.acknowledged_by);
  msg.set_note(a.note);
  msg.set_acknowledged_ms(a.acknowledged_ms);
  return msg.SerializeAsString();
}

Status DecodeStoredAlert(std::string_view bytes, StoredAlert* a) {
  pb::AlertRecord msg;
  if (Status s = ParseState(bytes, &msg); !s.ok()) return s;
  if (Status s = FromProto(msg.alert(), &a->alert); !s.ok()) return Status::Internal("stored alert: " + s.message());
  a->acknowledged = msg.acknowledged();
  a->acknowledged_by = msg.acknowledged_by();
  a->note = msg.note();
  a->acknowledged_ms = msg.acknowledged_ms();
  return Status::Ok();
}

std::string EncodeAudit(const AuditEntry& a) {
  pb::AuditRecord msg;
  msg.set_command_id(a.command_id);
  msg.set_area_id(a.area_id);
  msg.set_time_ms(a.time_ms);
  msg.set_actor(a.actor);
  msg.set_action(a.action);
  msg.set_target(a.target);
  msg.set_reason(a.reason);
  msg.set_result(a.result);
  return msg.SerializeAsString();
}

Status DecodeAudit(std::string_view bytes, AuditEntry* a) {
  pb::AuditRecord msg;
  if (Status s = ParseState(bytes, &msg); !s.ok()) return s;
  a->command_id = msg.command_id();
  a->area_id = msg.area_id();
  a->time_ms = msg.time_ms();
  a->actor = msg.actor();
  a->action = msg.action();
  a->target = msg.target();
  a->reason = msg.reason();
  a->result = msg.result();
  return Status::Ok();
}

}  // namespace meal::codec
