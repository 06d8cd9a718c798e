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
  return msg.SerializeAsString();
}

Status DecodeOutbox(std::string_view bytes, OutboxEntry* entry) {
  pb::OutboxRecord msg;
  if (Status s = ParseState(bytes, &msg); !s.ok()) return s;
  entry->topic = msg.topic();
  entry->key = msg.key();
  entry->value = msg.value();
  entry->timestamp_ms = msg.timestamp_ms();
  return Status::Ok();
}

}  // namespace meal::codec
