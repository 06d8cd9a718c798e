#include "sim/courier_player.h"

#include <algorithm>
#include <utility>

#include "mealdispatch/v1/events.pb.h"
#include "common/random.h"

namespace meal::sim {
namespace {

namespace pb = ::mealdispatch::v1;

// Salts for the per-order draws, so the outcome and the reason are independent.
constexpr std::uint64_t kOutcomeSalt = 0x6F75746B6F6D65ull;
constexpr std::uint64_t kReasonSalt = 0x726561736F6Eull;

bool ToWgs84(const pb::Location& loc, GeoPoint* out) {
  const GeoPoint p{loc.lat(), loc.lon()};
  if (!IsValidLatLon(p.lat, p.lon)) return false;
  switch (loc.system()) {
    case pb::WGS84:
      *out = p;
      return true;
    case pb::GCJ02:
      *out = Gcj02ToWgs84(p);
      return true;
    default:
      return false;
  }
}

GeoPoint Lerp(GeoPoint a, GeoPoint b, double f) {
  return {a.lat + (b.lat - a.lat) * f, a.lon + (b.lon - a.lon) * f};
}

void SetHeader(pb::EventHeader* h, std::string event_id, const std::string& area_id,
               EventTimeMs t) {
  h->set_event_id(std::move(event_id));
  h->set_area_id(area_id);
  h->set_event_time_ms(t);
}

}  // namespace

CourierPlayer::CourierPlayer(PlayerOptions options) : options_(std::move(options)) {}

std::string CourierPlayer::NextEventId() {
  return "ev-s" + std::to_string(options_.seed) + "-c-" + std::to_string(++event_seq_);
}

void CourierPlayer::StartShift(std::string_view courier_id, std::string_view area_id,
                               GeoPoint location, EventTimeMs at_ms, EventTimeMs shift_end_ms) {
  auto it = couriers_.find(courier_id);
  if (it == couriers_.end()) it = couriers_.emplace(std::string(courier_id), Courier{}).first;
  Courier& c = it->second;
  c.area_id = std::string(area_id);
  c.on_shift = true;
  c.shift_end_ms = shift_end_ms;
  c.next_ping_ms = options_.location_interval_ms > 0 ? at_ms + options_.location_interval_ms : kNever;
  // A courier still finishing an earlier round keeps moving along it.
  if (c.next_stop >= c.plan.size()) {
    c.anchor = location;
    c.anchor_ms = at_ms;
    c.known_position = true;
  }
}

void CourierPlayer::EndShift(std::string_view courier_id, EventTimeMs /*at_ms*/) {
  auto it = couriers_.find(courier_id);
  if (it == couriers_.end()) return;
  it->second.on_shift = false;
  it->second.next_ping_ms = kNever;
}

bool CourierPlayer::ObserveInput(const SimRecord& record) {
  if (record.topic != options_.topics.couriers) return false;
  pb::CourierEvent e;
  if (!e.ParseFromString(record.value)) return false;
  const pb::EventHeader& h = e.header();
  // The generator's deliberately broken records must not start ghost couriers.
  if (h.event_id().empty() || h.area_id().empty()) return false;
  if (e.has_shift_started()) {
    const pb::ShiftStarted& s = e.shift_started();
    GeoPoint at;
    if (s.courier_id().empty() || !ToWgs84(s.location(), &at)) return false;
    StartShift(s.courier_id(), h.area_id(), at, h.event_time_ms(), s.shift_end_ms());
    return true;
  }
  if (e.has_shift_ended()) {
    EndShift(e.shift_ended().courier_id(), h.event_time_ms());
    return true;
  }
  return false;
}

bool CourierPlayer::OnAssignment(const pb::Assignment& assignment) {
  if (assignment.courier_id().empty()) return false;
  auto it = couriers_.find(assignment.courier_id());
  if (it == couriers_.end()) {
    it = couriers_.emplace(assignment.courier_id(), Courier{}).first;
    it->second.area_id = assignment.header().area_id();
  }
  Courier& c = it->second;
  if (c.has_plan && assignment.plan_version() <= c.plan_version) {
    ++stats_.plans_stale;
    return false;
  }
  const EventTimeMs now = std::max(clock_ms_, EventTimeMs{0});
  // The new leg starts wherever the courier is now under the old plan.
  if (c.known_position) {
    c.anchor = PositionAt(c, now);
    c.anchor_ms = std::max(now, c.anchor_ms);
  }
  c.has_plan = true;
  c.plan_version = assignment.plan_version();
  c.plan.clear();
  c.next_stop = 0;
  EventTimeMs floor_ms = now;
  const pb::PlannedStop* door = nullptr;  // the first delivery at the current stop_index
  for (const pb::PlannedStop& ps : assignment.stops()) {
    Stop stop;
    stop.kind = ps.kind();
    stop.order_id = ps.order_id();
    if (stop.kind != pb::PICKUP && stop.kind != pb::DELIVERY) continue;
    if (stop.kind == pb::DELIVERY) {
      if (door == nullptr || door->stop_index() != ps.stop_index()) door = &ps;
      stop.door_order_id = door->order_id();
    } else {
      door = nullptr;
    }
    if (finished_orders_.contains(stop.order_id)) continue;
    if (stop.kind == pb::PICKUP && c.carried.contains(stop.order_id)) continue;
    if (!ToWgs84(ps.location(), &stop.location)) {
      // Keep the stop; without a usable point the courier "teleports" from
      // where it is, which only affects the pings.
      stop.location = c.known_position ? c.anchor : GeoPoint{};
    }
    if (ps.planned_arrival_ms() < floor_ms) ++stats_.late_stops;
    // Stops happen in plan order and never before the clock.
    stop.due_ms = std::max(ps.planned_arrival_ms(), floor_ms);
    stop.depart_ms = std::max(ps.planned_departure_ms(), stop.due_ms);
    floor_ms = stop.due_ms;
    c.plan.push_back(std::move(stop));
  }
  if (!c.known_position && !c.plan.empty()) {
    c.anchor = c.plan.front().location;
    c.anchor_ms = now;
    c.known_position = true;
  }
  ++stats_.plans_accepted;
  return true;
}

GeoPoint CourierPlayer::PositionAt(const Courier& c, EventTimeMs t) const {
  if (c.next_stop >= c.plan.size()) return c.anchor;
  const Stop& s = c.plan[c.next_stop];
  if (t >= s.due_ms) return s.location;
  if (s.due_ms <= c.anchor_ms || t <= c.anchor_ms) return c.anchor;
  const double f = static_cast<double>(t - c.anchor_ms) / static_cast<double>(s.due_ms - c.anchor_ms);
  return Lerp(c.anchor, s.location, std::clamp(f, 0.0, 1.0));
}

bool CourierPlayer::PositionOf(std::string_view courier_id, GeoPoint* out) const {
  auto it = couriers_.find(courier_id);
  if (it == couriers_.end() || !it->second.known_position) return false;
  *out = PositionAt(it->second, clock_ms_);
  return true;
}

EventTimeMs CourierPlayer::NextStopMs() const {
  EventTimeMs best = kNever;
  for (const auto& [id, c] : couriers_) {
    if (c.next_stop < c.plan.size()) best = std::min(best, c.plan[c.next_stop].due_ms);
  }
  return best;
}

EventTimeMs CourierPlayer::NextDueMs() const {
  EventTimeMs best = NextStopMs();
  for (const auto& [id, c] : couriers_) {
    if (c.on_shift && c.next_ping_ms < c.shift_end_ms) best = std::min(best, c.next_ping_ms);
  }
  return best;
}

std::vector<SimRecord> CourierPlayer::Advance(EventTimeMs now_ms) {
  std::vector<SimRecord> out;
  now_ms = std::max(now_ms, clock_ms_);
  for (;;) {
    // The earliest due item; ties go to stops, then to the smaller courier id
    // (the map's order), so the output never depends on anything but input.
    Courier* best = nullptr;
    const std::string* best_id = nullptr;
    EventTimeMs best_t = kNever;
    bool best_is_stop = false;
    for (auto& [id, c] : couriers_) {
      if (c.next_stop < c.plan.size()) {
        const EventTimeMs t = c.plan[c.next_stop].due_ms;
        if (t <= now_ms && (t < best_t || (t == best_t && !best_is_stop))) {
          best = &c;
          best_id = &id;
          best_t = t;
          best_is_stop = true;
        }
      }
      if (c.on_shift && c.next_ping_ms <= now_ms && c.next_ping_ms < c.shift_end_ms &&
          c.next_ping_ms < best_t) {
        best = &c;
        best_id = &id;
        best_t = c.next_ping_ms;
        best_is_stop = false;
      }
    }
    if (best == nullptr) break;
    clock_ms_ = std::max(clock_ms_, best_t);
    if (best_is_stop) {
      DoStop(*best_id, *best, &out);
    } else {
      Ping(*best_id, *best, &out);
    }
  }
  clock_ms_ = now_ms;
  return out;
}

void CourierPlayer::Ping(const std::string& courier_id, Courier& c, std::vector<SimRecord>* out) {
  const EventTimeMs t = c.next_ping_ms;
  c.next_ping_ms = t + options_.location_interval_ms;
  if (c.next_ping_ms >= c.shift_end_ms) c.next_ping_ms = kNever;
  if (!c.known_position) return;
  const GeoPoint p = PositionAt(c, t);
  pb::CourierEvent e;
  SetHeader(e.mutable_header(), NextEventId(), c.area_id, t);
  pb::LocationUpdate* u = e.mutable_location();
  u->set_courier_id(courier_id);
  u->mutable_location()->set_lat(p.lat);
  u->mutable_location()->set_lon(p.lon);
  u->mutable_location()->set_system(pb::WGS84);  // phones report WGS-84
  out->push_back({options_.topics.couriers, c.area_id, e.SerializeAsString(), t});
  ++stats_.location_updates;
}

void CourierPlayer::DoStop(const std::string& courier_id, Courier& c, std::vector<SimRecord>* out) {
  const Stop& s = c.plan[c.next_stop];
  const EventTimeMs t = clock_ms_;
  pb::DeliveryEvent e;
  bool emit = false;
  if (s.kind == pb::PICKUP) {
    if (!c.carried.contains(s.order_id) && !finished_orders_.contains(s.order_id)) {
      c.carried.insert(s.order_id);
      pb::PickedUp* p = e.mutable_picked_up();
      p->set_order_id(s.order_id);
      p->set_courier_id(courier_id);
      ++stats_.pickups;
      emit = true;
    }
  } else if (finished_orders_.contains(s.order_id)) {
    // Already handed over (a stale stop): nothing to report.
  } else if (!c.carried.contains(s.order_id)) {
    // The plan asks this courier to deliver food it never picked up; a real
    // courier could not, so neither do we.
    ++stats_.not_carried;
  } else {
    c.carried.erase(s.order_id);
    finished_orders_.insert(s.order_id);
    if (s.door_order_id != s.order_id) ++stats_.shared_handovers;
    const double door = ToUnit(HashId(options_.seed ^ kOutcomeSalt, s.door_order_id));
    const double u = ToUnit(HashId(options_.seed ^ kOutcomeSalt, s.order_id));
    if (door < options_.no_answer_share) {
      pb::DeliveryFailed* f = e.mutable_failed();
      f->set_order_id(s.order_id);
      f->set_courier_id(courier_id);
      f->set_reason(pb::NO_ANSWER);
      f->set_note("knocked and called, nobody answered");
      ++stats_.failed;
      ++stats_.no_answer;
    } else if (u >= options_.no_answer_share && u < options_.no_answer_share + options_.other_failure_share) {
      pb::DeliveryFailed* f = e.mutable_failed();
      f->set_order_id(s.order_id);
      f->set_courier_id(courier_id);
      switch (HashId(options_.seed ^ kReasonSalt, s.order_id) % 3) {
        case 0:
          f->set_reason(pb::REFUSED);
          f->set_note("meal refused at the door");
          break;
        case 1:
          f->set_reason(pb::ADDRESS_PROBLEM);
          f->set_note("building entrance locked");
          break;
        default:
          f->set_reason(pb::OTHER);
          f->set_note("other");
          break;
      }
      ++stats_.failed;
    } else {
      pb::Delivered* d = e.mutable_delivered();
      d->set_order_id(s.order_id);
      d->set_courier_id(courier_id);
      d->set_proof_ref("photo-" + s.order_id);
      ++stats_.delivered;
    }
    emit = true;
  }
  if (emit) {
    SetHeader(e.mutable_header(), NextEventId(), c.area_id, t);
    out->push_back({options_.topics.deliveries, c.area_id, e.SerializeAsString(), t});
  }
  // The next leg starts here when the courier leaves.
  c.anchor = s.location;
  c.anchor_ms = std::max(s.depart_ms, t);
  c.known_position = true;
  ++c.next_stop;
  if (c.next_stop < c.plan.size()) {
    Stop& next = c.plan[c.next_stop];
    next.due_ms = std::max(next.due_ms, t);
  }
}

}  // namespace meal::sim
