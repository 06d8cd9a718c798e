#include "codec/decode.h"

#include "codec/convert.h"
#include "common/dates.h"
#include "mealdispatch/v1/events.pb.h"

namespace meal::codec {
namespace {

// Ids are opaque but bounded, so a malicious producer cannot bloat state.
constexpr std::size_t kMaxIdBytes = 128;

Status CheckId(const std::string& id, const char* what) {
  if (id.empty()) return Status::Invalid(std::string(what) + " missing");
  if (id.size() > kMaxIdBytes) return Status::Invalid(std::string(what) + " too long");
  return Status::Ok();
}

Status ReadHeader(const pb::EventHeader& h, Event* event) {
  if (Status s = CheckId(h.event_id(), "event_id"); !s.ok()) return s;
  if (Status s = CheckId(h.area_id(), "area_id"); !s.ok()) return s;
  if (h.event_time_ms() <= 0) return Status::Invalid("event_time_ms missing");
  event->event_id = h.event_id();
  event->area_id = h.area_id();
  event->time_ms = h.event_time_ms();
  return Status::Ok();
}

template <typename Message>
Status Parse(std::string_view bytes, Message* msg) {
  if (bytes.size() > kMaxEventBytes) return Status::Invalid("record larger than 64 KiB");
  if (!msg->ParseFromArray(bytes.data(), static_cast<int>(bytes.size()))) {
    return Status::Invalid("not a valid " + msg->GetTypeName() + " protobuf");
  }
  if (!msg->has_header()) return Status::Invalid("header missing");
  return Status::Ok();
}

Status DecodeStandingSet(const pb::StandingOrderSet& p, Event* event) {
  StandingOrderSet out;
  if (Status s = CheckId(p.standing_id(), "standing_id"); !s.ok()) return s;
  if (Status s = CheckId(p.site_id(), "site_id"); !s.ok()) return s;
  if (Status s = CheckId(p.elder_id(), "elder_id"); !s.ok()) return s;
  if (p.meals() == 0 || p.meals() > 50) return Status::Invalid("meals must be 1..50");
  if (Status s = FromProto(p.meal_class(), &out.meal_class); !s.ok()) return s;
  for (std::uint32_t day : p.weekdays()) {
    if (day < 1 || day > 7) return Status::Invalid("weekdays must be 1 (Monday) .. 7 (Sunday)");
    out.weekdays |= 1u << (day - 1);
  }
  if (out.weekdays == 0) return Status::Invalid("weekdays missing");
  if (p.window_end_min() > 1440 || p.window_start_min() >= p.window_end_min()) {
    return Status::Invalid("delivery window must be minutes of one day, start before end");
  }
  if (!IsDate(p.first_date())) return Status::Invalid("first_date is not a YYYY-MM-DD date");
  if (!p.last_date().empty() && (!IsDate(p.last_date()) || p.last_date() < p.first_date())) {
    return Status::Invalid("last_date is not a YYYY-MM-DD date on or after first_date");
  }
  out.standing_id = p.standing_id();
  out.site_id = p.site_id();
  out.elder_id = p.elder_id();
  out.meals = p.meals();
  out.window_start_min = p.window_start_min();
  out.window_end_min = p.window_end_min();
  out.first_date = p.first_date();
  out.last_date = p.last_date();
  out.batch_id = p.batch_id();
  event->body = std::move(out);
  return Status::Ok();
}

Status DecodeOrder(std::string_view bytes, Event* event) {
  thread_local pb::OrderEvent msg;
  if (Status s = Parse(bytes, &msg); !s.ok()) return s;
  if (Status s = ReadHeader(msg.header(), event); !s.ok()) return s;
  switch (msg.kind_case()) {
    case pb::OrderEvent::kPlaced: {
      const pb::OrderPlaced& p = msg.placed();
      OrderPlaced out;
      if (Status s = CheckId(p.order_id(), "order_id"); !s.ok()) return s;
      if (Status s = CheckId(p.site_id(), "site_id"); !s.ok()) return s;
      if (Status s = CheckId(p.elder_id(), "elder_id"); !s.ok()) return s;
      if (p.meals() == 0 || p.meals() > 50) return Status::Invalid("meals must be 1..50");
      if (Status s = FromProto(p.meal_class(), &out.meal_class); !s.ok()) return s;
      if (p.window_start_ms() <= 0) return Status::Invalid("delivery window start missing");
      if (p.window_end_ms() <= p.window_start_ms()) {
        return Status::Invalid("delivery window ends before it starts");
      }
      if (p.has_delivery_location()) {
        if (Status s = ToWgs84(p.delivery_location(), &out.delivery_location); !s.ok()) return s;
        out.has_delivery_location = true;
      }
      out.order_id = p.order_id();
      out.site_id = p.site_id();
      out.elder_id = p.elder_id();
      out.meals = p.meals();
      out.window_start_ms = p.window_start_ms();
      out.window_end_ms = p.window_end_ms();
      out.batch_id = p.batch_id();
      event->body = std::move(out);
      return Status::Ok();
    }
    case pb::OrderEvent::kReady:
      if (Status s = CheckId(msg.ready().order_id(), "order_id"); !s.ok()) return s;
      event->body = OrderReady{msg.ready().order_id()};
      return Status::Ok();
    case pb::OrderEvent::kCancelled:
      if (Status s = CheckId(msg.cancelled().order_id(), "order_id"); !s.ok()) return s;
      event->body = OrderCancelled{msg.cancelled().order_id(), msg.cancelled().reason()};
      return Status::Ok();
    case pb::OrderEvent::kStandingSet: return DecodeStandingSet(msg.standing_set(), event);
    case pb::OrderEvent::kStandingSuspended: {
      const pb::StandingOrderSuspended& p = msg.standing_suspended();
      if (Status s = CheckId(p.standing_id(), "standing_id"); !s.ok()) return s;
      if (!IsDate(p.from_date())) return Status::Invalid("from_date is not a YYYY-MM-DD date");
      if (!p.until_date().empty() && (!IsDate(p.until_date()) || p.until_date() < p.from_date())) {
        return Status::Invalid("until_date is not a YYYY-MM-DD date on or after from_date");
      }
      event->body = StandingOrderSuspended{p.standing_id(), p.from_date(), p.until_date(), p.reason()};
      return Status::Ok();
    }
    case pb::OrderEvent::kStandingResumed:
      if (Status s = CheckId(msg.standing_resumed().standing_id(), "standing_id"); !s.ok()) return s;
      event->body = StandingOrderResumed{msg.standing_resumed().standing_id()};
      return Status::Ok();
    case pb::OrderEvent::KIND_NOT_SET: break;
  }
  return Status::Invalid("order event has no kind");
}

Status DecodeCourier(std::string_view bytes, Event* event) {
  thread_local pb::CourierEvent msg;
  if (Status s = Parse(bytes, &msg); !s.ok()) return s;
  if (Status s = ReadHeader(msg.header(), event); !s.ok()) return s;
  switch (msg.kind_case()) {
    case pb::CourierEvent::kShiftStarted: {
      const pb::ShiftStarted& p = msg.shift_started();
      ShiftStarted out;
      if (Status s = CheckId(p.courier_id(), "courier_id"); !s.ok()) return s;
      if (Status s = FromProto(p.mode(), &out.mode); !s.ok()) return s;
      if (p.box_capacity() == 0 || p.box_capacity() > 200) return Status::Invalid("box_capacity must be 1..200");
      if (p.shift_end_ms() <= event->time_ms) return Status::Invalid("shift ends before it starts");
      if (Status s = ToWgs84(p.location(), &out.location); !s.ok()) return s;
      if (p.team_id().size() > kMaxIdBytes) return Status::Invalid("team_id too long");
      out.courier_id = p.courier_id();
      out.team_id = p.team_id();
      out.box_capacity = p.box_capacity();
      out.shift_end_ms = p.shift_end_ms();
      event->body = std::move(out);
      return Status::Ok();
    }
    case pb::CourierEvent::kShiftEnded:
      if (Status s = CheckId(msg.shift_ended().courier_id(), "courier_id"); !s.ok()) return s;
      event->body = ShiftEnded{msg.shift_ended().courier_id()};
      return Status::Ok();
    case pb::CourierEvent::kLocation: {
      LocationUpdate out;
      if (Status s = CheckId(msg.location().courier_id(), "courier_id"); !s.ok()) return s;
      if (Status s = ToWgs84(msg.location().location(), &out.location); !s.ok()) return s;
      out.courier_id = msg.location().courier_id();
      event->body = std::move(out);
      return Status::Ok();
    }
    case pb::CourierEvent::kAvailability:
      if (Status s = CheckId(msg.availability().courier_id(), "courier_id"); !s.ok()) return s;
      event->body = Availability{msg.availability().courier_id(), msg.availability().available()};
      return Status::Ok();
    case pb::CourierEvent::KIND_NOT_SET: break;
  }
  return Status::Invalid("courier event has no kind");
}

Status DecodeDelivery(std::string_view bytes, Event* event) {
  thread_local pb::DeliveryEvent msg;
  if (Status s = Parse(bytes, &msg); !s.ok()) return s;
  if (Status s = ReadHeader(msg.header(), event); !s.ok()) return s;
  auto ids = [](const auto& p) -> Status {
    if (Status s = CheckId(p.order_id(), "order_id"); !s.ok()) return s;
    return CheckId(p.courier_id(), "courier_id");
  };
  switch (msg.kind_case()) {
    case pb::DeliveryEvent::kPickedUp:
      if (Status s = ids(msg.picked_up()); !s.ok()) return s;
      event->body = PickedUp{msg.picked_up().order_id(), msg.picked_up().courier_id()};
      return Status::Ok();
    case pb::DeliveryEvent::kDelivered:
      if (Status s = ids(msg.delivered()); !s.ok()) return s;
      if (msg.delivered().proof_ref().size() > kMaxIdBytes) return Status::Invalid("proof_ref too long");
      event->body = Delivered{msg.delivered().order_id(), msg.delivered().courier_id(), msg.delivered().proof_ref()};
      return Status::Ok();
    case pb::DeliveryEvent::kFailed: {
      const pb::DeliveryFailed& p = msg.failed();
      if (Status s = ids(p); !s.ok()) return s;
      FailureReason reason;
      switch (p.reason()) {
        case pb::NO_ANSWER: reason = FailureReason::kNoAnswer; break;
        case pb::REFUSED: reason = FailureReason::kRefused; break;
        case pb::ADDRESS_PROBLEM: reason = FailureReason::kAddressProblem; break;
        case pb::OTHER: reason = FailureReason::kOther; break;
        default: return Status::Invalid("failure reason missing");
      }
      event->body = DeliveryFailed{p.order_id(), p.courier_id(), reason};
      return Status::Ok();
    }
    case pb::DeliveryEvent::KIND_NOT_SET: break;
  }
  return Status::Invalid("delivery event has no kind");
}

// The unified facility number: "ZC", the 6-digit administrative division
// code of the site's county (GB/T 2260; provinces are 11 to 82) and a
// 5-digit serial within it.
Status CheckFacilityNumber(const std::string& number) {
  bool ok = number.size() == 13 && number.starts_with("ZC") && number[2] >= '1' && number[2] <= '8';
  for (std::size_t i = 2; ok && i < number.size(); ++i) ok = number[i] >= '0' && number[i] <= '9';
  if (ok) return Status::Ok();
  return Status::Invalid("facility_number '" + number.substr(0, 40) +
                         "' is not ZC, a 6-digit division code and a 5-digit serial (e.g. ZC21010301001)");
}

Status DecodeSite(std::string_view bytes, Event* event) {
  thread_local pb::MealSite msg;
  if (Status s = Parse(bytes, &msg); !s.ok()) return s;
  if (Status s = ReadHeader(msg.header(), event); !s.ok()) return s;
  Site out;
  if (Status s = CheckId(msg.site_id(), "site_id"); !s.ok()) return s;
  if (Status s = ToWgs84(msg.location(), &out.location); !s.ok()) return s;
  if (msg.hot_meal_limit_ms() < 0) return Status::Invalid("hot_meal_limit_ms negative");
  if (Status s = CheckFacilityNumber(msg.facility_number()); !s.ok()) return s;
  if (msg.opens_min() > 1440 || msg.closes_min() > 1440 ||
      (msg.opens_min() >= msg.closes_min() && (msg.opens_min() != 0 || msg.closes_min() != 0))) {
    return Status::Invalid("opening hours " + std::to_string(msg.opens_min()) + "-" + std::to_string(msg.closes_min()) +
                           " are not minutes of one day with opens_min before closes_min");
  }
  out.opens_min = msg.opens_min();
  out.closes_min = msg.closes_min();
  out.daily_capacity = msg.daily_capacity();
  out.site_id = msg.site_id();
  out.area_id = event->area_id;
  out.name = msg.name();
  out.facility_number = msg.facility_number();
  out.radius_m = msg.radius_m();
  out.hot_meal_limit_ms = msg.hot_meal_limit_ms();
  event->body = std::move(out);
  return Status::Ok();
}

Status DecodeElder(std::string_view bytes, Event* event) {
  thread_local pb::Elder msg;
  if (Status s = Parse(bytes, &msg); !s.ok()) return s;
  if (Status s = ReadHeader(msg.header(), event); !s.ok()) return s;
  Elder out;
  if (Status s = CheckId(msg.elder_id(), "elder_id"); !s.ok()) return s;
  if (Status s = ToWgs84(msg.home(), &out.home); !s.ok()) return s;
  for (int c : msg.categories()) {
    if (c <= 0 || c > 10) return Status::Invalid("unknown elder category");
    out.categories |= 1u << (c - 1);
  }
  out.elder_id = msg.elder_id();
  out.area_id = event->area_id;
  out.paired_helper_id = msg.paired_helper_id();
  out.hub_household_id = msg.hub_household_id();
  event->body = std::move(out);
  return Status::Ok();
}

// Free text from operators is kept in the audit trail: bounded, like ids.
constexpr std::size_t kMaxTextBytes = 1024;
constexpr std::size_t kMaxAlertIdBytes = 4 * kMaxIdBytes;

Status DecodeCommand(std::string_view bytes, Event* event) {
  thread_local pb::CommandEvent msg;
  if (Status s = Parse(bytes, &msg); !s.ok()) return s;
  if (Status s = ReadHeader(msg.header(), event); !s.ok()) return s;
  if (msg.kind_case() != pb::CommandEvent::kTick) {
    if (Status s = CheckId(msg.actor(), "actor"); !s.ok()) return s;
  }
  if (msg.reason().size() > kMaxTextBytes) return Status::Invalid("reason longer than 1 KiB");
  switch (msg.kind_case()) {
    case pb::CommandEvent::kRecall: {
      const pb::RecallBatch& p = msg.recall();
      if (Status s = CheckId(p.site_id(), "site_id"); !s.ok()) return s;
      if (Status s = CheckId(p.batch_id(), "batch_id"); !s.ok()) return s;
      event->body = RecallBatch{p.site_id(), p.batch_id(), msg.actor(), msg.reason()};
      return Status::Ok();
    }
    case pb::CommandEvent::kAcknowledgeWellness: {
      const pb::AcknowledgeWellness& p = msg.acknowledge_wellness();
      if (Status s = CheckId(p.case_id(), "case_id"); !s.ok()) return s;
      if (p.outcome() < pb::ELDER_SAFE || p.outcome() > pb::OTHER_OUTCOME) return Status::Invalid("outcome missing");
      if (p.note().size() > kMaxTextBytes) return Status::Invalid("note longer than 1 KiB");
      event->body = AcknowledgeWellness{p.case_id(), static_cast<WellnessOutcome>(p.outcome()), p.note(), msg.actor()};
      return Status::Ok();
    }
    case pb::CommandEvent::kEraseElder:
      if (Status s = CheckId(msg.erase_elder().elder_id(), "elder_id"); !s.ok()) return s;
      event->body = EraseElder{msg.erase_elder().elder_id(), msg.actor(), msg.reason()};
      return Status::Ok();
    case pb::CommandEvent::kReassignOrder: {
      const pb::ReassignOrder& p = msg.reassign_order();
      if (Status s = CheckId(p.order_id(), "order_id"); !s.ok()) return s;
      if (Status s = CheckId(p.courier_id(), "courier_id"); !s.ok()) return s;
      event->body = ReassignOrder{p.order_id(), p.courier_id(), msg.actor(), msg.reason()};
      return Status::Ok();
    }
    case pb::CommandEvent::kUnassignOrder:
      if (Status s = CheckId(msg.unassign_order().order_id(), "order_id"); !s.ok()) return s;
      event->body = UnassignOrder{msg.unassign_order().order_id(), msg.actor(), msg.reason()};
      return Status::Ok();
    case pb::CommandEvent::kHoldOrder:
      if (Status s = CheckId(msg.hold_order().order_id(), "order_id"); !s.ok()) return s;
      event->body = HoldOrder{msg.hold_order().order_id(), msg.actor(), msg.reason()};
      return Status::Ok();
    case pb::CommandEvent::kReleaseOrder:
      if (Status s = CheckId(msg.release_order().order_id(), "order_id"); !s.ok()) return s;
      event->body = ReleaseOrder{msg.release_order().order_id(), msg.actor(), msg.reason()};
      return Status::Ok();
    case pb::CommandEvent::kAcknowledgeAlert: {
      // Alert ids are made of other ids ("recall/<site>/<batch>/<order>").
      const std::string& id = msg.acknowledge_alert().alert_id();
      if (id.empty()) return Status::Invalid("alert_id missing");
      if (id.size() > kMaxAlertIdBytes) return Status::Invalid("alert_id too long");
      event->body = AcknowledgeAlert{id, msg.actor(), msg.reason()};
      return Status::Ok();
    }
    case pb::CommandEvent::kTick: event->body = Tick{}; return Status::Ok();
    case pb::CommandEvent::KIND_NOT_SET: break;
  }
  return Status::Invalid("command has no kind");
}

}  // namespace

Status DecodeEvent(InputKind kind, std::string_view bytes, Event* event) {
  switch (kind) {
    case InputKind::kOrders: return DecodeOrder(bytes, event);
    case InputKind::kCouriers: return DecodeCourier(bytes, event);
    case InputKind::kDeliveries: return DecodeDelivery(bytes, event);
    case InputKind::kSites: return DecodeSite(bytes, event);
    case InputKind::kElders: return DecodeElder(bytes, event);
    case InputKind::kCommands: return DecodeCommand(bytes, event);
  }
  return Status::Internal("unknown input kind");
}

}  // namespace meal::codec
