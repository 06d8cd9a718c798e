#include "dispatch/engine.h"

#include <algorithm>
#include <cstdint>
#include <span>
#include <tuple>

#include "codec/state_codec.h"
#include "common/dates.h"
#include "dispatch/order_commands.h"
#include "dispatch/planner.h"
#include "dispatch/standing.h"
#include "routing/batch_insertion.h"
#include "routing/live_plan.h"
#include "routing/reoptimize.h"
#include "state/keys.h"

namespace meal::dispatch {
namespace {

ApplyResult Rejected(std::string reason) { return {ApplyOutcome::kRejected, std::move(reason)}; }
ApplyResult Applied() { return {}; }

EventTimeMs FinishedAt(const Order& order) {
  return order.timeline.empty() ? order.placed_ms : order.timeline.back().time_ms;
}

}  // namespace

Engine::Engine(EngineOptions options) : options_(std::move(options)) {}

Engine::Area& Engine::AreaOf(const std::string& area_id) { return areas_[area_id]; }

Status Engine::Load(const state::Store& store) {
  store_ = &store;
  Status status = Status::Ok();
  auto scan = [&](std::string_view prefix, auto&& fn) {
    if (!status.ok()) return;
    Status s = store.Scan(prefix, [&](std::string_view key, std::string_view value) {
      status = fn(key, value);
      return status.ok();
    });
    if (status.ok()) status = s;
  };
  scan(state::kSitePrefix, [&](std::string_view, std::string_view v) {
    Site site;
    Status s = codec::DecodeSite(v, &site);
    if (s.ok()) sites_[site.site_id] = std::move(site);
    return s;
  });
  scan(state::kElderPrefix, [&](std::string_view, std::string_view v) {
    Elder elder;
    Status s = codec::DecodeElder(v, &elder);
    if (s.ok()) elders_[elder.elder_id] = std::move(elder);
    return s;
  });
  scan(state::kCourierPrefix, [&](std::string_view, std::string_view v) {
    Courier c;
    Status s = codec::DecodeCourier(v, &c);
    if (s.ok()) {
      Courier& loaded = couriers_[c.courier_id] = std::move(c);
      AreaOf(loaded.area_id).couriers.emplace(loaded.courier_id, &loaded);
    }
    return s;
  });
  // Decoded into the same record each time, so its strings and timeline
  // keep their buffers: most orders are finished and only pass through.
  Order o;
  scan(state::kOrderPrefix, [&](std::string_view, std::string_view v) {
    Status s = codec::DecodeOrder(v, &o);
    if (!s.ok()) return s;
    ++order_count_;
    if (o.status != OrderStatus::kRejected && o.status != OrderStatus::kCancelled) {
      ++site_orders_[{o.site_id, LocalDate(o.window_start_ms, options_.utc_offset_ms)}];
    }
    if (IsFinal(o.status)) {
      AreaOf(o.area_id).finished.emplace_back(FinishedAt(o), o.order_id);
      return s;
    }
    if (o.status == OrderStatus::kUnassigned) AreaOf(o.area_id).unassigned.insert(o.order_id);
    if (o.status == OrderStatus::kHeld && !o.late_alerted) {
      AreaOf(o.area_id).timers.emplace(o.window_start_ms, "h:" + o.order_id);
    }
    orders_[o.order_id] = std::move(o);
    return s;
  });
  scan(state::kAreaPrefix, [&](std::string_view key, std::string_view v) {
    std::int64_t t = 0;
    if (!state::DecodeOffset(v, &t)) return Status::Internal("corrupt area record");
    AreaOf(std::string(key.substr(state::kAreaPrefix.size()))).stream_time_ms = t;
    return Status::Ok();
  });
  scan(state::kDedupPrefix, [&](std::string_view key, std::string_view) {
    seen_.emplace(key);
    return Status::Ok();
  });
  scan(state::kStandingPrefix, [&](std::string_view, std::string_view v) {
    StandingOrder so;
    Status s = codec::DecodeStandingOrder(v, &so);
    if (s.ok()) {
      StandingOrder& loaded = standing_[so.pattern.standing_id] = std::move(so);
      ScheduleStanding(loaded, AreaOf(loaded.area_id));
    }
    return s;
  });
  scan(state::kWellnessPrefix, [&](std::string_view, std::string_view v) {
    WellnessCase c;
    Status s = codec::DecodeWellnessCase(v, &c);
    if (s.ok()) {
      if (!c.closed) AreaOf(c.area_id).timers.emplace(c.step_due_ms, "w:" + c.case_id);
      wellness_[c.case_id] = std::move(c);
    }
    return s;
  });
  scan(state::kLastCourierPrefix, [&](std::string_view key, std::string_view v) {
    last_courier_[std::string(key.substr(state::kLastCourierPrefix.size()))] = std::string(v);
    return Status::Ok();
  });
  scan(state::kRecallPrefix, [&](std::string_view key, std::string_view) {
    // r/<site>/<batch>: site ids hold no '/', batch ids may.
    const std::string_view rest = key.substr(state::kRecallPrefix.size());
    const std::size_t slash = rest.find('/');
    if (slash == std::string_view::npos) return Status::Internal("corrupt recall key");
    recalled_.emplace(std::string(rest.substr(0, slash)), std::string(rest.substr(slash + 1)));
    return Status::Ok();
  });
  scan(state::kAlertPrefix, [&](std::string_view, std::string_view v) {
    StoredAlert a;
    Status s = codec::DecodeStoredAlert(v, &a);
    if (s.ok() && !a.acknowledged) {
      ++open_alerts_by_kind_[static_cast<std::size_t>(a.alert.kind)];
      open_alerts_.emplace(a.alert.alert_id, std::move(a));
    }
    return s;
  });
  return status;
}

ApplyResult Engine::Apply(const Event& event, std::vector<Output>* outputs) {
  // Registry records are upserts keyed by their id: replaying them is harmless.
  if (const Site* s = std::get_if<Site>(&event.body)) return OnSite(*s);
  if (const Elder* e = std::get_if<Elder>(&event.body)) return OnElder(*e);

  std::string dedup_key = state::DedupKey(event.area_id, event.event_id);
  if (seen_.contains(dedup_key)) return {ApplyOutcome::kDuplicate, {}};
  // Whatever this event changes is its area's state (CollectChanges).
  struct ClearOnExit {
    std::string& area;
    ~ClearOnExit() { area.clear(); }
  } clear_area{applying_area_};
  applying_area_ = event.area_id;
  const std::size_t first_output = outputs->size();

  Area& area = AreaOf(event.area_id);
  const EventTimeMs previous_time = area.stream_time_ms;
  area.stream_time_ms = std::max(area.stream_time_ms, event.time_ms);

  ApplyResult result = std::visit(
      [&](const auto& body) -> ApplyResult {
        using T = std::decay_t<decltype(body)>;
        if constexpr (std::is_same_v<T, OrderPlaced>) return OnPlaced(event, body, outputs);
        if constexpr (std::is_same_v<T, OrderReady>) return OnReady(event, body, outputs);
        if constexpr (std::is_same_v<T, OrderCancelled>) return OnCancelled(event, body, outputs);
        if constexpr (std::is_same_v<T, ShiftStarted>) return OnShiftStarted(event, body, outputs);
        if constexpr (std::is_same_v<T, ShiftEnded>) return OnShiftEnded(event, body, outputs);
        if constexpr (std::is_same_v<T, LocationUpdate>) return OnLocation(event, body, outputs);
        if constexpr (std::is_same_v<T, Availability>) return OnAvailability(event, body, outputs);
        if constexpr (std::is_same_v<T, PickedUp>) return OnPickedUp(event, body, outputs);
        if constexpr (std::is_same_v<T, Delivered>) return OnDelivered(event, body, outputs);
        if constexpr (std::is_same_v<T, DeliveryFailed>) return OnFailed(event, body, outputs);
        if constexpr (std::is_same_v<T, StandingOrderSet>) return OnStandingSet(event, body, outputs);
        if constexpr (std::is_same_v<T, StandingOrderSuspended>) return OnStandingSuspended(event, body, outputs);
        if constexpr (std::is_same_v<T, StandingOrderResumed>) return OnStandingResumed(event, body, outputs);
        if constexpr (std::is_same_v<T, RecallBatch>) return OnRecall(event, body, outputs);
        if constexpr (std::is_same_v<T, AcknowledgeWellness>) return OnAcknowledge(event, body, outputs);
        if constexpr (std::is_same_v<T, EraseElder>) return OnErase(event, body, outputs);
        if constexpr (std::is_same_v<T, Tick>) return Applied();
        if constexpr (std::is_same_v<T, ReassignOrder>) return OnReassign(event, body, outputs);
        if constexpr (std::is_same_v<T, UnassignOrder>) return OnUnassign(event, body, outputs);
        if constexpr (std::is_same_v<T, HoldOrder>) return OnHold(event, body, outputs);
        if constexpr (std::is_same_v<T, ReleaseOrder>) return OnRelease(event, body, outputs);
        if constexpr (std::is_same_v<T, AcknowledgeAlert>) return OnAcknowledgeAlert(event, body, outputs);
        return Rejected("unsupported event");
      },
      event.body);

  if (result.outcome == ApplyOutcome::kRejected) {
    area.stream_time_ms = previous_time;
    return result;
  }
  seen_.insert(dedup_key);
  new_seen_.emplace_back(event.area_id, std::move(dedup_key));
  dirty_areas_.insert(event.area_id);
  FireTimers(area, outputs);
  if (options_.order_retention_ms > 0 && previous_time > 0 &&
      LocalDate(previous_time, options_.utc_offset_ms) != LocalDate(area.stream_time_ms, options_.utc_offset_ms)) {
    PurgeExpired(area);
  }
  // An event-time timer without state: it fires when stream time crosses a
  // multiple of the interval, so a replay fires it at the same events.
  const DurationMs interval = options_.reoptimize_interval_ms;
  if (interval > 0 && previous_time > 0 && previous_time / interval != area.stream_time_ms / interval) {
    ReoptimizeArea(area, outputs);
  }
  StoreAlerts(*outputs, first_output);
  return result;
}

void Engine::SetStatus(Order& order, OrderStatus status, EventTimeMs time, std::string note) {
  const bool finishes = IsFinal(status) && !IsFinal(order.status);
  order.status = status;
  order.timeline.push_back({time, status, std::move(note)});
  TouchOrder(order);
  if (finishes) AreaOf(order.area_id).finished.emplace_back(FinishedAt(order), order.order_id);
}

void Engine::TouchOrder(const Order& order) {
  dirty_orders_.insert(order.order_id);
  if (order.courier_id.empty()) return;
  if (auto courier = couriers_.find(order.courier_id); courier != couriers_.end()) {
    touched_couriers_.insert(&courier->second);
  }
}

void Engine::TouchCourier(Courier& courier) {
  dirty_couriers_.insert(courier.courier_id);
  touched_couriers_.insert(&courier);
}

ApplyResult Engine::OnSite(const Site& s) {
  sites_[s.site_id] = s;
  dirty_sites_.insert(s.site_id);
  return Applied();
}

ApplyResult Engine::OnElder(const Elder& el) {
  ++elders_version_;
  elders_[el.elder_id] = el;
  dirty_elders_.insert(el.elder_id);
  return Applied();
}

ApplyResult Engine::OnPlaced(const Event& e, const OrderPlaced& p, std::vector<Output>* out) {
  return PlaceNewOrder(e.area_id, e.time_ms, p, {}, out);
}

ApplyResult Engine::PlaceNewOrder(const std::string& area_id, EventTimeMs now, const OrderPlaced& p,
                                  const std::string& standing_id, std::vector<Output>* out) {
  if (OrderExists(p.order_id)) return Rejected("order " + p.order_id + " already exists");
  auto site = sites_.find(p.site_id);
  if (site == sites_.end()) return Rejected("unknown site " + p.site_id);
  if (site->second.area_id != area_id) return Rejected("site " + p.site_id + " is not in area " + area_id);
  auto elder = elders_.find(p.elder_id);
  GeoPoint dropoff;
  if (p.has_delivery_location) {
    dropoff = p.delivery_location;
  } else {
    if (elder == elders_.end()) return Rejected("unknown elder and no delivery location");
    dropoff = elder->second.home;
  }
  Order order;
  order.order_id = p.order_id;
  order.area_id = area_id;
  order.standing_id = standing_id;
  if (elder != elders_.end()) order.hub_household_id = elder->second.hub_household_id;
  order.site_id = p.site_id;
  order.elder_id = p.elder_id;
  order.meals = p.meals;
  order.meal_class = p.meal_class;
  order.window_start_ms = p.window_start_ms;
  order.window_end_ms = p.window_end_ms;
  order.pickup = site->second.location;
  order.dropoff = dropoff;
  order.placed_ms = now;
  order.batch_id = p.batch_id;
  switch (p.meal_class) {
    case MealClass::kHot:
      order.hot_meal_limit_ms = site->second.hot_meal_limit_ms > 0 ? site->second.hot_meal_limit_ms
                                                                   : options_.hot_meal_limit_ms;
      break;
    case MealClass::kChilled: order.hot_meal_limit_ms = options_.chilled_meal_limit_ms; break;
    case MealClass::kFrozen: order.hot_meal_limit_ms = 0; break;
  }
  auto [it, inserted] = orders_.emplace(order.order_id, std::move(order));
  ++order_count_;
  Order& placed = it->second;
  SetStatus(placed, OrderStatus::kPlaced, now, standing_id.empty() ? "" : "standing order " + standing_id);
  CheckSiteRules(placed, site->second, now, out);
  return Applied();
}

void Engine::CheckSiteRules(Order& order, const Site& site, EventTimeMs now, std::vector<Output>* out) {
  auto alert = [&](AlertKind kind, std::string reason) {
    const bool rejected = kind == AlertKind::kOrderRejected;
    Alert a = OrderAlert(order, kind, rejected ? UrgencyOf(order) : Severity::kWarning,
                         (rejected ? "rejected/" : "outside-radius/") + order.order_id, {}, std::move(reason));
    a.time_ms = now;  // the placing event's time, even when it came late
    out->emplace_back(std::move(a));
  };
  const std::string date = LocalDate(order.window_start_ms, options_.utc_offset_ms);
  const int minute = LocalMinuteOfDay(order.window_start_ms, options_.utc_offset_ms);
  const double distance_m = HaversineM(site.location, order.dropoff);
  const bool outside = site.radius_m > 0 && distance_m > site.radius_m;
  std::string refusal;
  if (!order.batch_id.empty() && recalled_.contains({site.site_id, order.batch_id})) {
    refusal = "batch " + order.batch_id + " of site " + site.site_id + " was recalled";
  } else if (site.closes_min > 0 && (minute < static_cast<int>(site.opens_min) || minute >= static_cast<int>(site.closes_min))) {
    refusal = "site " + site.site_id + " is closed for a delivery from " + ClockText(minute) + " (open " +
              ClockText(static_cast<int>(site.opens_min)) + "-" + ClockText(static_cast<int>(site.closes_min)) + ")";
  } else if (site.daily_capacity > 0 && site_orders_[{site.site_id, date}] >= site.daily_capacity) {
    refusal = "site " + site.site_id + " is full on " + date + " (" + std::to_string(site.daily_capacity) +
              " orders a day)";
  } else if (outside && options_.reject_outside_radius) {
    refusal = "the delivery address is " + std::to_string(static_cast<long>(distance_m)) + " m from site " +
              site.site_id + ", beyond its " + std::to_string(site.radius_m) + " m service radius";
  }
  if (!refusal.empty()) {
    SetStatus(order, OrderStatus::kRejected, now, refusal);
    alert(AlertKind::kOrderRejected, std::move(refusal));
    return;
  }
  ++site_orders_[{site.site_id, date}];
  if (outside) {
    alert(AlertKind::kOutsideRadius, "the delivery address is " + std::to_string(static_cast<long>(distance_m)) +
                                         " m from site " + site.site_id + ", beyond its " +
                                         std::to_string(site.radius_m) + " m service radius");
  }
}

ApplyResult Engine::OnReady(const Event& e, const OrderReady& r, std::vector<Output>* out) {
  std::optional<Order> stored;
  Order* found = OrderOrStored(r.order_id, &stored);
  if (!found) return Rejected("unknown order " + r.order_id);
  Order& order = *found;
  if (order.area_id != e.area_id) return Rejected("order " + r.order_id + " is not in area " + e.area_id);
  if (order.status == OrderStatus::kHeld && order.ready_ms == 0) {
    // Noted, so that a release dispatches it at once; it stays held.
    order.ready_ms = e.time_ms;
    SetStatus(order, OrderStatus::kHeld, e.time_ms, "ready; still held");
    return Applied();
  }
  if (order.status != OrderStatus::kPlaced) {
    return Rejected("order " + r.order_id + " is " + std::string(OrderStatusName(order.status)));
  }
  order.ready_ms = e.time_ms;
  SetStatus(order, OrderStatus::kReady, e.time_ms);
  PlaceOrders({&order}, AreaOf(e.area_id), out);
  return Applied();
}

Engine::AreaPlan& Engine::BuildAreaPlan(Area& area, EventTimeMs now) {
  if (!area.plan) area.plan.emplace(AreaPlan{routing::LivePlan(options_.travel, options_.insertion), {}, {}, 0});
  AreaPlan& ap = *area.plan;
  auto on_duty = [now](const Courier& c) { return c.on_shift && c.available && c.shift_end_ms > now; };
  // Couriers off duty leave the plan; those on duty join it in id order, so
  // it has the routes a plan built from scratch would have, in its order.
  for (std::size_t k = ap.couriers.size(); k-- > 0;) {
    if (on_duty(*ap.couriers[k])) continue;
    ap.plan.EraseRoute(k);
    ap.couriers.erase(ap.couriers.begin() + static_cast<std::ptrdiff_t>(k));
    ap.pickups.erase(ap.pickups.begin() + static_cast<std::ptrdiff_t>(k));
  }
  const bool priorities_changed = ap.elders_version != elders_version_;
  ap.elders_version = elders_version_;
  const OrderLookup lookup = [this](const std::string& id) { return FindOrder(id); };
  std::size_t k = 0;
  for (const auto& [id, c] : area.couriers) {
    if (!on_duty(*c)) continue;
    const bool joins = k == ap.couriers.size() || ap.couriers[k] != c;
    if (joins) {
      ap.couriers.insert(ap.couriers.begin() + static_cast<std::ptrdiff_t>(k), c);
      ap.pickups.emplace(ap.pickups.begin() + static_cast<std::ptrdiff_t>(k));
      ap.plan.InsertRoute(k, {});
    }
    const bool touched = touched_couriers_.erase(c) > 0;
    if (joins || touched || priorities_changed) AssignedPickups(*c, &ap.pickups[k]);
    if (joins || touched) {
      // A courier already behind may still take work that delays no stop
      // further.
      ap.plan.SetRoute(k, BuildRoute(*c, lookup, now, options_, /*relax_committed=*/false),
                       routing::LivePlan::Bounds::kKeepLateness);
    } else {
      // A built route depends on `now` through its start time alone.
      ap.plan.SetStartTime(k, std::max(now, c->location_ms));
    }
    ++k;
  }
  return ap;
}

void Engine::AssignedPickups(const Courier& courier, Pickups* out) const {
  out->clear();
  for (const RouteStop& stop : courier.route) {
    const Order* order = FindOrder(stop.order_id);
    if (stop.kind == StopKind::kPickup && order && order->status == OrderStatus::kAssigned) {
      out->emplace_back(PriorityOf(*order), order);
    }
  }
}

std::int32_t Engine::PriorityOf(const Order& order) const {
  auto elder = elders_.find(order.elder_id);
  if (elder == elders_.end()) return 0;
  std::int32_t priority = 0;
  for (std::size_t bit = 0; bit < kElderCategories; ++bit) {
    if (elder->second.categories & (1u << bit)) priority = std::max(priority, options_.category_priority[bit]);
  }
  return priority;
}

void Engine::PlaceOrders(const std::vector<Order*>& all, Area& area, std::vector<Output>* out) {
  if (all.empty()) return;
  const EventTimeMs now = area.stream_time_ms;
  AreaPlan& ap = BuildAreaPlan(area, now);
  Changed changed;
  // An elder's own courier first (hub stop, paired helper, last courier),
  // the more vulnerable first; the rest is left to the plan-wide choice.
  std::vector<std::pair<std::int32_t, Order*>> by_priority;
  by_priority.reserve(all.size());
  for (Order* order : all) by_priority.emplace_back(PriorityOf(*order), order);
  std::stable_sort(by_priority.begin(), by_priority.end(),
                   [](const auto& a, const auto& b) { return a.first > b.first; });
  std::vector<Order*> sorted;
  sorted.reserve(all.size());
  for (const auto& [priority, order] : by_priority) sorted.push_back(order);
  // Orders an operator took off a courier (excluded_couriers) are placed
  // one by one after the batch, on the routes left to them.
  std::vector<Order*> orders, restricted;
  for (Order* order : sorted) {
    if (PlacePreferred(*order, ap, area, &changed)) continue;
    (order->excluded_couriers.empty() ? orders : restricted).push_back(order);
  }
  const std::size_t batch = orders.size();
  orders.insert(orders.end(), restricted.begin(), restricted.end());
  std::vector<routing::Job> jobs(orders.size());
  for (std::size_t j = 0; j < orders.size(); ++j) {
    // Negative handles cannot clash with the routes' own (0, 1, …).
    BuildJobStops(*orders[j], -1 - static_cast<std::int32_t>(j), options_, &jobs[j].pickup, &jobs[j].delivery);
    jobs[j].priority = PriorityOf(*orders[j]);
  }
  const routing::BatchResult placed = routing::InsertJobs(
      ap.plan, std::span<const routing::Job>(jobs).first(batch), routing::BatchOptions{options_.regret_k});
  // The plan's changes() when each order not placed was found to fit nowhere.
  std::vector<std::uint64_t> fit_nowhere_at(orders.size());
  for (std::size_t j : placed.unplaced) fit_nowhere_at[j] = ap.plan.changes();

  // Apply in the order placed: each insertion's positions refer to the
  // courier's route as it was at that moment, which the plan mirrors.
  for (const routing::Placement& p : placed.placed) Assign(*orders[p.job], ap, p.insertion, area, &changed);
  std::vector<std::size_t> unplaced = placed.unplaced;
  for (std::size_t j = batch; j < orders.size(); ++j) {
    if (const auto where = BestAllowedInsertion(*orders[j], jobs[j], ap)) {
      Insert(*orders[j], jobs[j], ap, *where, area, &changed);
    } else {
      unplaced.push_back(j);
      fit_nowhere_at[j] = ap.plan.changes();
    }
  }

  // Under scarcity the more vulnerable come first: an order that fits
  // nowhere takes the place of a lower-priority one not yet collected when
  // that makes room. Displaced orders are placed again afterwards, and can
  // only displace orders of lower priority still, so this ends.
  std::stable_sort(unplaced.begin(), unplaced.end(),
                   [&](std::size_t a, std::size_t b) { return jobs[a].priority > jobs[b].priority; });
  std::vector<Order*> displaced;
  for (std::size_t j : unplaced) {
    if (Order* victim = Displace(*orders[j], jobs[j], fit_nowhere_at[j], ap, area, &changed)) {
      displaced.push_back(victim);
    }
    if (orders[j]->status != OrderStatus::kAssigned) MarkUnassigned(*orders[j], area, ap.couriers.empty(), out);
  }
  for (auto& [courier, trigger] : changed) PublishPlan(*courier, now, trigger, out);
  PlaceOrders(displaced, area, out);
}

bool Engine::PlacePreferred(Order& order, AreaPlan& ap, Area& area, Changed* changed) {
  routing::Job job;
  BuildJobStops(order, -1, options_, &job.pickup, &job.delivery);
  if (!order.hub_household_id.empty() && JoinHubStop(order, job, ap, area, changed)) return true;
  // Only couriers the order may go to (an operator may have taken it off one).
  auto route_of = [&](const std::string& courier_id) -> std::optional<std::size_t> {
    if (Excluded(order, courier_id)) return std::nullopt;
    for (std::size_t k = 0; k < ap.couriers.size(); ++k) {
      if (ap.couriers[k]->courier_id == courier_id) return k;
    }
    return std::nullopt;
  };
  auto elder = elders_.find(order.elder_id);
  if (elder != elders_.end() && !elder->second.paired_helper_id.empty()) {
    const std::string& helper = elder->second.paired_helper_id;
    if (const auto k = route_of(helper)) {
      if (const auto where = ap.plan.BestInsertionInRoute(*k, job.pickup, job.delivery)) {
        Insert(order, job, ap, *where, area, changed, /*pinned=*/true, "paired helper");
        return true;
      }
    }
    auto helper_courier = couriers_.find(helper);
    if (!options_.helper_fallback_team || helper_courier == couriers_.end() || helper_courier->second.team_id.empty()) {
      return false;
    }
    std::optional<routing::Insertion> best;
    for (std::size_t k = 0; k < ap.couriers.size(); ++k) {
      if (ap.couriers[k]->team_id != helper_courier->second.team_id) continue;
      if (Excluded(order, ap.couriers[k]->courier_id)) continue;
      const auto where = ap.plan.BestInsertionInRoute(k, job.pickup, job.delivery);
      if (where && (!best || routing::Better(*where, *best))) best = where;
    }
    if (!best) return false;
    Insert(order, job, ap, *best, area, changed, /*pinned=*/true,
           "paired helper " + helper + " cannot take it; team " + helper_courier->second.team_id);
    return true;
  }
  auto last = last_courier_.find(order.elder_id);
  if (options_.continuity_tolerance_ms <= 0 || last == last_courier_.end()) return false;
  const auto k = route_of(last->second);
  if (!k) return false;
  const auto own = ap.plan.BestInsertionInRoute(*k, job.pickup, job.delivery);
  const auto best = BestAllowedInsertion(order, job, ap);
  if (!own || !best || own->added_lateness > best->added_lateness ||
      own->added_travel_ms > best->added_travel_ms + options_.continuity_tolerance_ms) {
    return false;
  }
  Insert(order, job, ap, *own, area, changed, /*pinned=*/true, "served this elder last time");
  return true;
}

bool Engine::JoinHubStop(Order& order, const routing::Job& job, AreaPlan& ap, Area& area, Changed* changed) {
  for (std::size_t k = 0; k < ap.couriers.size(); ++k) {
    if (Excluded(order, ap.couriers[k]->courier_id)) continue;
    const std::vector<RouteStop>& stops = ap.couriers[k]->route;
    // The plan's route is read only for a sibling found: reading it works
    // out its schedule.
    for (std::size_t i = 0; i < stops.size(); ++i) {
      if (stops[i].kind != StopKind::kPickup) continue;
      Order& sibling = orders_.at(stops[i].order_id);
      if (sibling.status != OrderStatus::kAssigned || sibling.hub_household_id != order.hub_household_id ||
          sibling.site_id != order.site_id || !(sibling.dropoff == order.dropoff) ||
          sibling.window_end_ms <= order.window_start_ms || order.window_end_ms <= sibling.window_start_ms) {
        continue;
      }
      std::size_t d = i + 1;
      while (d < stops.size() && !(stops[d].kind == StopKind::kDelivery && stops[d].order_id == sibling.order_id)) ++d;
      if (d >= ap.plan.route(k).stops.size()) continue;
      // Pickup right after the sibling's, delivery right after its delivery
      // (which the new pickup has moved one on): one stop each, as
      // BuildRoute times it.
      routing::Route joined = ap.plan.route(k);
      routing::Stop pickup = job.pickup, delivery = job.delivery;
      pickup.service_ms = 0;
      delivery.service_ms = options_.hub_handover_ms;
      pickup.pinned = delivery.pinned = true;
      joined.stops[i].pinned = joined.stops[d].pinned = true;
      joined.stops.insert(joined.stops.begin() + static_cast<std::ptrdiff_t>(i + 1), pickup);
      joined.stops.insert(joined.stops.begin() + static_cast<std::ptrdiff_t>(d + 2), delivery);
      if (!ap.plan.SetRoute(k, joined)) {
        ap.plan.UndoSetRoute(k);
        continue;
      }
      sibling.pinned = true;
      TouchOrder(sibling);
      Assign(order, ap, routing::Insertion{k, i + 1, d + 2}, area, changed, /*pinned=*/true,
             "hub household " + order.hub_household_id + ", one stop with " + sibling.order_id);
      return true;
    }
  }
  return false;
}

void Engine::Insert(Order& order, const routing::Job& job, AreaPlan& ap, const routing::Insertion& where, Area& area,
                    Changed* changed, bool pinned, const std::string& why) {
  const routing::Route& target = ap.plan.route(where.route);
  ap.plan.SetRoute(where.route,
                   routing::Route{target.vehicle, routing::ApplyInsertion(target, where, job.pickup, job.delivery)});
  Assign(order, ap, where, area, changed, pinned, why);
}

void Engine::Assign(Order& order, AreaPlan& ap, const routing::Insertion& where, Area& area, Changed* changed,
                    bool pinned, const std::string& why) {
  Courier& courier = *ap.couriers[where.route];
  courier.route.insert(courier.route.begin() + static_cast<std::ptrdiff_t>(where.pickup_pos),
                       RouteStop{StopKind::kPickup, order.order_id});
  courier.route.insert(courier.route.begin() + static_cast<std::ptrdiff_t>(where.delivery_pos),
                       RouteStop{StopKind::kDelivery, order.order_id});
  TouchCourier(courier);
  area.unassigned.erase(order.order_id);
  order.courier_id = courier.courier_id;
  order.pinned = pinned;
  SetStatus(order, OrderStatus::kAssigned, area.stream_time_ms,
            why.empty() ? courier.courier_id : courier.courier_id + " (" + why + ")");
  if (std::none_of(changed->begin(), changed->end(), [&](const auto& c) { return c.first == &courier; })) {
    changed->emplace_back(&courier, order.order_id);
  }
}

Order* Engine::Displace(Order& order, const routing::Job& job, std::uint64_t fit_nowhere_at, AreaPlan& ap,
                        Area& area, Changed* changed) {
  const EventTimeMs now = area.stream_time_ms;
  // Room made by an earlier displacement may already be enough.
  if (ap.plan.changes() != fit_nowhere_at) {
    if (const auto where = BestAllowedInsertion(order, job, ap)) {
      Insert(order, job, ap, *where, area, changed);
      return nullptr;
    }
  }
  // Lower-priority orders not yet collected, the least urgent first (then
  // by order id and route). A route untouched since the plan was refreshed
  // has the ones it listed then.
  struct Victim {
    std::int32_t priority;
    const Order* order;
    std::size_t route;
  };
  std::vector<Victim> victims;
  Pickups touched;
  for (std::size_t k = 0; k < ap.couriers.size(); ++k) {
    if (Excluded(order, ap.couriers[k]->courier_id)) continue;
    const Pickups* pickups = &ap.pickups[k];
    if (touched_couriers_.contains(ap.couriers[k])) {
      AssignedPickups(*ap.couriers[k], &touched);
      pickups = &touched;
    }
    for (const auto& [p, other] : *pickups) {
      if (p < job.priority) victims.push_back({p, other, k});
    }
  }
  const std::size_t trials = std::min(victims.size(), options_.displacement_trials);
  std::partial_sort(victims.begin(), victims.begin() + static_cast<std::ptrdiff_t>(trials), victims.end(),
                    [](const Victim& a, const Victim& b) {
                      return std::tie(a.priority, a.order->order_id, a.route) <
                             std::tie(b.priority, b.order->order_id, b.route);
                    });
  victims.resize(trials);
  for (const Victim& candidate : victims) {
    const std::string& victim_id = candidate.order->order_id;
    const std::size_t k = candidate.route;
    // The plan's route k has the courier's stops in the courier's order:
    // drop the victim's two by position, keeping whatever bounds the plan
    // gave the rest, rather than building the route again.
    const routing::Route& before = ap.plan.route(k);
    const std::vector<RouteStop>& stops = ap.couriers[k]->route;
    routing::Route without{before.vehicle, {}};
    without.stops.reserve(before.stops.size());
    for (std::size_t i = 0; i < stops.size() && i < before.stops.size(); ++i) {
      if (stops[i].order_id != victim_id) without.stops.push_back(before.stops[i]);
    }
    if (!candidate.order->hub_household_id.empty()) {
      // The victim may have shared a stop: whoever it shared with takes the
      // stop time it now needs, else the room looks larger than it is.
      Courier rest = *ap.couriers[k];
      std::erase_if(rest.route, [&](const RouteStop& s) { return s.order_id == victim_id; });
      const OrderLookup lookup = [this](const std::string& id) { return FindOrder(id); };
      for (std::size_t j = 0; j < rest.route.size() && j < without.stops.size(); ++j) {
        without.stops[j].service_ms = ServiceMs(rest, j, lookup, options_);
      }
    }
    if (!ap.plan.SetRoute(k, without)) {
      ap.plan.UndoSetRoute(k);
      continue;
    }
    // No route could take it before; only route k has changed.
    const auto where = ap.plan.BestInsertionInRoute(k, job.pickup, job.delivery);
    if (!where) {
      ap.plan.UndoSetRoute(k);
      continue;
    }
    Order& victim = orders_.at(victim_id);
    Courier& courier = *ap.couriers[k];
    RemoveStops(courier, victim_id);
    victim.courier_id.clear();
    victim.pinned = false;
    SetStatus(victim, OrderStatus::kReady, now, "made way for higher-priority order " + order.order_id);
    if (std::none_of(changed->begin(), changed->end(), [&](const auto& c) { return c.first == &courier; })) {
      changed->emplace_back(&courier, victim_id);
    }
    Insert(order, job, ap, *where, area, changed);
    return &victim;
  }
  return nullptr;
}

void Engine::MarkUnassigned(Order& order, Area& area, bool no_courier, std::vector<Output>* out) {
  area.unassigned.insert(order.order_id);
  if (order.status == OrderStatus::kUnassigned) return;
  const EventTimeMs now = area.stream_time_ms;
  SetStatus(order, OrderStatus::kUnassigned, now, "no courier can take it in time");
  // An order can become unassignable again after a courier drops it, and
  // each time is an alert of its own.
  const auto times = std::count_if(order.timeline.begin(), order.timeline.end(),
                                   [](const TimelineEntry& t) { return t.status == OrderStatus::kUnassigned; });
  out->emplace_back(OrderAlert(order, AlertKind::kUnassignable, UrgencyOf(order),
                              "unassignable/" + order.order_id + "/" + std::to_string(times), {},
                              no_courier ? "no courier on shift"
                                         : "no courier can meet the window, box and hot-meal limits"));
}

void Engine::ReoptimizeArea(Area& area, std::vector<Output>* out) {
  if (options_.reoptimize_evaluations <= 0) return;
  const EventTimeMs now = area.stream_time_ms;
  const OrderLookup lookup = [this](const std::string& id) { return FindOrder(id); };
  JobIds jobs;
  std::vector<routing::Route> routes;
  std::vector<Courier*> couriers;
  for (const auto& [id, c] : area.couriers) {
    if (!c->on_shift || !c->available || c->shift_end_ms <= now) continue;
    routes.push_back(BuildRoute(*c, lookup, now, options_, /*relax_committed=*/false, &jobs));
    couriers.push_back(c);
  }
  if (routes.size() < 2) return;
  std::vector<std::string> order_of_job(jobs.size());
  for (const auto& [order_id, job] : jobs) order_of_job[static_cast<std::size_t>(job)] = order_id;

  routing::ReoptimizeOptions options;
  options.max_evaluations = options_.reoptimize_evaluations;
  const routing::ReoptimizeResult result = routing::Reoptimize(routes, options_.travel, options);
  if (result.moves == 0) return;
  for (std::size_t r = 0; r < routes.size(); ++r) {
    if (!result.changed[r]) continue;
    Courier& courier = *couriers[r];
    courier.route.clear();
    TouchCourier(courier);
    for (const routing::Stop& stop : routes[r].stops) {
      const std::string& order_id = order_of_job[static_cast<std::size_t>(stop.job)];
      courier.route.push_back({stop.pickup ? StopKind::kPickup : StopKind::kDelivery, order_id});
      Order& order = orders_.at(order_id);
      if (order.courier_id != courier.courier_id) {
        order.courier_id = courier.courier_id;
        SetStatus(order, OrderStatus::kAssigned, now, courier.courier_id + " (re-planned)");
      }
    }
  }
  for (std::size_t r = 0; r < routes.size(); ++r) {
    if (result.changed[r]) PublishPlan(*couriers[r], now, {}, out);
  }
}

void Engine::RetryUnassigned(Area& area, std::size_t budget, std::vector<Output>* out) {
  std::vector<Order*> retry;
  for (auto it = area.unassigned.begin(); it != area.unassigned.end() && retry.size() < budget;) {
    Order& order = orders_.at(*it);
    if (order.window_end_ms <= area.stream_time_ms) {
      it = area.unassigned.erase(it);  // too late to help: its alert stands
      continue;
    }
    retry.push_back(&order);
    ++it;
  }
  PlaceOrders(retry, area, out);
}

void Engine::PublishPlan(Courier& courier, EventTimeMs now, const std::string& trigger,
                         std::vector<Output>* out) {
  ++courier.plan_version;
  dirty_couriers_.insert(courier.courier_id);
  const OrderLookup lookup = [this](const std::string& id) { return FindOrder(id); };
  out->emplace_back(MakeAssignment(courier, lookup, now, options_, trigger));
}

void Engine::RemoveStops(Courier& courier, const std::string& order_id) {
  std::erase_if(courier.route, [&](const RouteStop& s) { return s.order_id == order_id; });
  TouchCourier(courier);
}

ApplyResult Engine::OnCancelled(const Event& e, const OrderCancelled& c, std::vector<Output>* out) {
  std::optional<Order> stored;
  Order* found = OrderOrStored(c.order_id, &stored);
  if (!found) return Rejected("unknown order " + c.order_id);
  Order& order = *found;
  if (order.area_id != e.area_id) return Rejected("order " + c.order_id + " is not in area " + e.area_id);
  if (IsFinal(order.status)) {
    return Rejected("order " + c.order_id + " is " + std::string(OrderStatusName(order.status)));
  }
  CancelOrder(order, e.time_ms, c.reason, out);
  return Applied();
}

void Engine::CancelOrder(Order& order, EventTimeMs now, const std::string& reason, std::vector<Output>* out) {
  Area& area = AreaOf(order.area_id);
  area.unassigned.erase(order.order_id);
  if (!order.courier_id.empty()) {
    Courier& courier = couriers_.at(order.courier_id);
    RemoveStops(courier, order.order_id);
    PublishPlan(courier, area.stream_time_ms, order.order_id, out);
  }
  SetStatus(order, OrderStatus::kCancelled, now, reason);
  --site_orders_[{order.site_id, LocalDate(order.window_start_ms, options_.utc_offset_ms)}];
}

ApplyResult Engine::OnShiftStarted(const Event& e, const ShiftStarted& s, std::vector<Output>* out) {
  auto it = couriers_.find(s.courier_id);
  if (it != couriers_.end() && it->second.area_id != e.area_id) {
    return Rejected("courier " + s.courier_id + " belongs to area " + it->second.area_id);
  }
  Courier& c = couriers_[s.courier_id];
  c.courier_id = s.courier_id;
  c.area_id = e.area_id;
  c.mode = s.mode;
  c.box_capacity = s.box_capacity;
  c.shift_end_ms = s.shift_end_ms;
  c.on_shift = true;
  c.available = true;
  c.location = s.location;
  c.location_ms = e.time_ms;
  c.at_door = false;
  c.team_id = s.team_id;
  TouchCourier(c);
  Area& area = AreaOf(e.area_id);
  area.couriers.emplace(c.courier_id, &c);
  RetryUnassigned(area, SIZE_MAX, out);
  return Applied();
}

ApplyResult Engine::OnShiftEnded(const Event& e, const ShiftEnded& s, std::vector<Output>* out) {
  auto it = couriers_.find(s.courier_id);
  if (it == couriers_.end() || it->second.area_id != e.area_id) return Rejected("unknown courier " + s.courier_id);
  Courier& c = it->second;
  c.on_shift = false;
  TouchCourier(c);
  // Meals on board stay with the courier; the rest goes back to the pool.
  std::vector<std::string> released;
  for (const RouteStop& stop : c.route) {
    if (stop.kind == StopKind::kPickup) released.push_back(stop.order_id);
  }
  if (released.empty()) return Applied();
  Area& area = AreaOf(e.area_id);
  for (const std::string& id : released) {
    RemoveStops(c, id);
    Order& order = orders_.at(id);
    order.courier_id.clear();
    order.pinned = false;
    SetStatus(order, OrderStatus::kReady, area.stream_time_ms, "courier " + c.courier_id + " ended shift");
  }
  PublishPlan(c, area.stream_time_ms, released.front(), out);
  std::vector<Order*> again;
  for (const std::string& id : released) again.push_back(&orders_.at(id));
  PlaceOrders(again, area, out);
  return Applied();
}

ApplyResult Engine::OnLocation(const Event& e, const LocationUpdate& l, std::vector<Output>* out) {
  auto it = couriers_.find(l.courier_id);
  if (it == couriers_.end() || it->second.area_id != e.area_id) return Rejected("unknown courier " + l.courier_id);
  Courier& c = it->second;
  if (e.time_ms >= c.location_ms) {  // a late ping must not move the courier back
    c.location = l.location;
    c.location_ms = e.time_ms;
    c.at_door = false;
    TouchCourier(c);
    CheckPlan(c, AreaOf(e.area_id), out);
  }
  return Applied();
}

void Engine::CheckPlan(Courier& courier, Area& area, std::vector<Output>* out) {
  if (courier.route.empty()) return;
  const EventTimeMs now = area.stream_time_ms;
  const OrderLookup lookup = [this](const std::string& id) { return FindOrder(id); };
  // The plan as it will now unfold from where the courier is, no limit
  // enforced, so the breaches show. Only meals on board can be pushed past
  // their limit: a delay before a pickup moves the pickup and the delivery
  // alike, and the planner never plans a ride past the limit.
  const routing::Route route = BuildRoute(courier, lookup, now, options_, /*relax_committed=*/true);
  std::vector<routing::StopTiming> t;
  routing::RouteCost cost;
  if (!routing::Evaluate(route.vehicle, route.stops, options_.travel, &cost, &t)) return;
  std::vector<Order*> late;
  for (std::size_t i = 0; i < route.stops.size(); ++i) {
    if (route.stops[i].pickup) continue;
    Order& order = orders_.at(courier.route[i].order_id);
    if (t[i].service_start > order.window_end_ms && !order.late_alerted) late.push_back(&order);
    if (order.status != OrderStatus::kPickedUp || order.hot_meal_limit_ms <= 0 || order.food_safety_alerted) continue;
    const DurationMs ride = t[i].service_start - order.picked_up_ms;
    if (ride <= order.hot_meal_limit_ms) continue;
    order.food_safety_alerted = true;
    TouchOrder(order);
    out->emplace_back(OrderAlert(order, AlertKind::kFoodSafetyRisk, Severity::kCritical, "food-safety/" + order.order_id,
                                 courier.courier_id,
                                 "the meal on board with courier " + courier.courier_id + " would reach the door " +
                                     std::to_string(ride / kMinuteMs) + " min after pickup, over its " +
                                     std::to_string(order.hot_meal_limit_ms / kMinuteMs) + " min limit"));
  }
  for (Order* order : late) RescueLate(*order, courier, area, out);
}

void Engine::RescueLate(Order& order, Courier& courier, Area& area, std::vector<Output>* out) {
  const EventTimeMs now = area.stream_time_ms;
  if (order.status == OrderStatus::kAssigned && !order.pinned) {
    // Not collected yet: another courier who can still make the window
    // takes it, if there is one.
    AreaPlan& ap = BuildAreaPlan(area, now);
    routing::Job job;
    BuildJobStops(order, -1, options_, &job.pickup, &job.delivery);
    std::optional<routing::Insertion> best;
    for (std::size_t k = 0; k < ap.couriers.size(); ++k) {
      if (ap.couriers[k] == &courier || Excluded(order, ap.couriers[k]->courier_id)) continue;
      const auto where = ap.plan.BestInsertionInRoute(k, job.pickup, job.delivery);
      if (where && where->added_lateness == 0 && (!best || routing::Better(*where, *best))) best = where;
    }
    if (best) {
      RemoveStops(courier, order.order_id);
      Changed changed{{&courier, order.order_id}};
      Insert(order, job, ap, *best, area, &changed, /*pinned=*/false,
             "re-planned: courier " + courier.courier_id + " is running late");
      for (auto& [c, trigger] : changed) PublishPlan(*c, now, trigger, out);
      return;
    }
  }
  order.late_alerted = true;
  TouchOrder(order);
  out->emplace_back(OrderAlert(
      order, AlertKind::kLateRisk, UrgencyOf(order), "late/" + order.order_id, courier.courier_id,
      "courier " + courier.courier_id + " will reach the door after the window closes at " +
          ClockText(LocalMinuteOfDay(order.window_end_ms, options_.utc_offset_ms)) +
          (order.status == OrderStatus::kPickedUp ? "; the meal is on board" : "; no other courier can make it")));
}

Alert Engine::OrderAlert(const Order& order, AlertKind kind, Severity severity, std::string alert_id,
                         std::string courier_id, std::string reason) const {
  Alert a;
  a.alert_id = std::move(alert_id);
  a.area_id = order.area_id;
  a.time_ms = areas_.at(order.area_id).stream_time_ms;
  a.kind = kind;
  a.severity = severity;
  a.order_id = order.order_id;
  a.courier_id = std::move(courier_id);
  a.elder_id = order.elder_id;
  a.site_id = order.site_id;
  a.reason = std::move(reason);
  return a;
}

Severity Engine::UrgencyOf(const Order& order) const {
  return PriorityOf(order) >= options_.must_serve_priority ? Severity::kCritical : Severity::kWarning;
}

ApplyResult Engine::OnAvailability(const Event& e, const Availability& a, std::vector<Output>* out) {
  auto it = couriers_.find(a.courier_id);
  if (it == couriers_.end() || it->second.area_id != e.area_id) return Rejected("unknown courier " + a.courier_id);
  it->second.available = a.available;
  TouchCourier(it->second);
  if (a.available) RetryUnassigned(AreaOf(e.area_id), SIZE_MAX, out);
  return Applied();
}

ApplyResult Engine::CheckCourierOrder(const Order* order, const std::string& courier_id) const {
  if (!order) return Rejected("unknown order");
  if (order->courier_id != courier_id) {
    return Rejected("order " + order->order_id + " is not assigned to courier " + courier_id);
  }
  return Applied();
}

ApplyResult Engine::OnPickedUp(const Event& e, const PickedUp& p, std::vector<Output>* out) {
  std::optional<Order> stored;
  Order* order = OrderOrStored(p.order_id, &stored);
  if (ApplyResult r = CheckCourierOrder(order, p.courier_id); r.outcome == ApplyOutcome::kRejected) return r;
  if (order->status != OrderStatus::kAssigned) {
    return Rejected("order " + p.order_id + " is " + std::string(OrderStatusName(order->status)));
  }
  Courier& c = couriers_.at(p.courier_id);
  std::erase(c.route, RouteStop{StopKind::kPickup, p.order_id});
  c.location = order->pickup;
  c.location_ms = std::max(c.location_ms, e.time_ms);
  c.at_door = false;
  TouchCourier(c);
  order->picked_up_ms = e.time_ms;
  SetStatus(*order, OrderStatus::kPickedUp, e.time_ms);
  CheckPlan(c, AreaOf(e.area_id), out);  // a late pickup may already break a limit
  return Applied();
}

ApplyResult Engine::OnDelivered(const Event& e, const Delivered& d, std::vector<Output>* out) {
  std::optional<Order> stored;
  Order* order = OrderOrStored(d.order_id, &stored);
  if (ApplyResult r = CheckCourierOrder(order, d.courier_id); r.outcome == ApplyOutcome::kRejected) return r;
  if (order->status != OrderStatus::kPickedUp && order->status != OrderStatus::kAssigned) {
    return Rejected("order " + d.order_id + " is " + std::string(OrderStatusName(order->status)));
  }
  Courier& c = couriers_.at(d.courier_id);
  RemoveStops(c, d.order_id);
  c.location = order->dropoff;
  c.location_ms = std::max(c.location_ms, e.time_ms);
  c.at_door = true;
  order->done_ms = e.time_ms;
  order->proof_ref = d.proof_ref;
  SetStatus(*order, OrderStatus::kDelivered, e.time_ms,
            e.time_ms <= order->window_end_ms ? "on time" : "late");
  BookDelivery(*order, e.time_ms);
  last_courier_[order->elder_id] = d.courier_id;
  dirty_last_courier_.insert(order->elder_id);
  // The courier has room and time again: the waiting queue gets another chance.
  RetryUnassigned(AreaOf(e.area_id), options_.retries_per_completion, out);
  return Applied();
}

ApplyResult Engine::OnFailed(const Event& e, const DeliveryFailed& f, std::vector<Output>* out) {
  std::optional<Order> stored;
  Order* order = OrderOrStored(f.order_id, &stored);
  if (ApplyResult r = CheckCourierOrder(order, f.courier_id); r.outcome == ApplyOutcome::kRejected) return r;
  if (order->status != OrderStatus::kPickedUp && order->status != OrderStatus::kAssigned) {
    return Rejected("order " + f.order_id + " is " + std::string(OrderStatusName(order->status)));
  }
  RemoveStops(couriers_.at(f.courier_id), f.order_id);
  order->done_ms = e.time_ms;
  static constexpr const char* kReasons[] = {"no answer", "refused", "address problem", "other"};
  const char* reason = kReasons[static_cast<int>(f.reason)];
  SetStatus(*order, OrderStatus::kFailed, e.time_ms, reason);
  if (f.reason == FailureReason::kNoAnswer) {
    // Nobody answering may mean a fall: a wellness check, never skipped.
    WellnessCase c = OpenWellnessCase(*order, f.courier_id, e.time_ms, options_.wellness_schedule);
    AreaOf(e.area_id).timers.emplace(c.step_due_ms, "w:" + c.case_id);
    out->emplace_back(WellnessAlert(c, options_.wellness_schedule));
    dirty_wellness_.insert(c.case_id);
    wellness_[c.case_id] = std::move(c);
    RetryUnassigned(AreaOf(e.area_id), options_.retries_per_completion, out);
    return Applied();
  }
  Alert alert;
  alert.kind = AlertKind::kDeliveryFailed;
  alert.severity = Severity::kWarning;
  alert.alert_id = "failed/" + order->order_id;
  alert.area_id = order->area_id;
  alert.time_ms = e.time_ms;
  alert.order_id = order->order_id;
  alert.courier_id = f.courier_id;
  alert.elder_id = order->elder_id;
  alert.site_id = order->site_id;
  alert.reason = reason;
  out->emplace_back(std::move(alert));
  RetryUnassigned(AreaOf(e.area_id), options_.retries_per_completion, out);
  return Applied();
}

// ---- standing orders ----

ApplyResult Engine::OnStandingSet(const Event& e, const StandingOrderSet& s, std::vector<Output>*) {
  auto site = sites_.find(s.site_id);
  if (site == sites_.end()) return Rejected("unknown site " + s.site_id);
  if (site->second.area_id != e.area_id) return Rejected("site " + s.site_id + " is not in area " + e.area_id);
  if (!elders_.contains(s.elder_id)) return Rejected("unknown elder " + s.elder_id);
  auto [it, inserted] = standing_.try_emplace(s.standing_id);
  StandingOrder& so = it->second;
  if (!inserted && so.area_id != e.area_id) return Rejected("standing order " + s.standing_id + " is in another area");
  Area& area = AreaOf(e.area_id);
  // A changed pattern applies from the next date not yet placed; orders
  // already placed stand, as the kitchen has planned them. An earlier first
  // date can bring that date forward, but never to or before a date placed:
  // suspensions find placed orders below next_date only.
  const std::string timer = "g:" + s.standing_id;
  std::erase_if(area.timers, [&](const auto& t) { return t.second == timer; });
  const std::string today = LocalDate(e.time_ms, options_.utc_offset_ms);
  std::string from = std::max(today, s.first_date);
  if (!inserted) {
    for (std::string date = from; date < so.next_date; date = AddDays(date, 1)) {
      if (OrderExists(s.standing_id + "@" + date)) from = AddDays(date, 1);
    }
    from = std::min(from, so.next_date);
  }
  so.pattern = s;
  so.area_id = e.area_id;
  so.next_date = from;
  dirty_standing_.insert(s.standing_id);
  ScheduleStanding(so, area);  // Apply fires it at once when it is due
  return Applied();
}

void Engine::ScheduleStanding(const StandingOrder& so, Area& area) {
  const auto date = NextServiceDate(so.pattern, so.next_date);
  if (!date) return;
  area.timers.emplace(PlacingTime(so.pattern, *date, options_.utc_offset_ms, options_.standing_lead_ms),
                      "g:" + so.pattern.standing_id);
}

void Engine::AdvanceStanding(StandingOrder& so, Area& area, std::vector<Output>* out) {
  const auto date = NextServiceDate(so.pattern, so.next_date);
  if (!date) return;
  const OrderPlaced order = OrderFor(so.pattern, *date, options_.utc_offset_ms);
  so.next_date = AddDays(*date, 1);
  dirty_standing_.insert(so.pattern.standing_id);
  // A date whose window has begun is past helping; a suspended one is skipped.
  if (order.window_start_ms > area.stream_time_ms && !IsSuspended(so, *date)) {
    PlaceNewOrder(so.area_id, area.stream_time_ms, order, so.pattern.standing_id, out);
  }
  ScheduleStanding(so, area);
}

ApplyResult Engine::OnStandingSuspended(const Event& e, const StandingOrderSuspended& s, std::vector<Output>* out) {
  auto it = standing_.find(s.standing_id);
  if (it == standing_.end() || it->second.area_id != e.area_id) return Rejected("unknown standing order " + s.standing_id);
  StandingOrder& so = it->second;
  so.suspensions.push_back({s.from_date, s.until_date, s.reason});
  dirty_standing_.insert(s.standing_id);
  // Orders already placed for the suspended dates go too, unless on their way.
  for (std::string date = s.from_date; date < so.next_date && (s.until_date.empty() || date <= s.until_date);
       date = AddDays(date, 1)) {
    auto order = orders_.find(s.standing_id + "@" + date);
    if (order == orders_.end() || IsFinal(order->second.status) || order->second.status == OrderStatus::kPickedUp) continue;
    CancelOrder(order->second, e.time_ms, "standing order suspended" + (s.reason.empty() ? "" : ": " + s.reason), out);
  }
  return Applied();
}

ApplyResult Engine::OnStandingResumed(const Event& e, const StandingOrderResumed& r, std::vector<Output>* out) {
  auto it = standing_.find(r.standing_id);
  if (it == standing_.end() || it->second.area_id != e.area_id) return Rejected("unknown standing order " + r.standing_id);
  StandingOrder& so = it->second;
  const std::string today = LocalDate(e.time_ms, options_.utc_offset_ms);
  Resume(so, today);
  dirty_standing_.insert(r.standing_id);
  // Dates whose placing time passed while suspended, and whose window is
  // still ahead, are placed now (never a date already placed and cancelled).
  for (auto date = NextServiceDate(so.pattern, today); date && *date < so.next_date;
       date = NextServiceDate(so.pattern, AddDays(*date, 1))) {
    const OrderPlaced order = OrderFor(so.pattern, *date, options_.utc_offset_ms);
    if (OrderExists(order.order_id) || IsSuspended(so, *date) || order.window_start_ms <= e.time_ms) continue;
    PlaceNewOrder(so.area_id, e.time_ms, order, so.pattern.standing_id, out);
  }
  return Applied();
}

// ---- timers ----

void Engine::FireTimers(Area& area, std::vector<Output>* out) {
  while (!area.timers.empty() && area.timers.begin()->first <= area.stream_time_ms) {
    const std::string id = area.timers.begin()->second;
    area.timers.erase(area.timers.begin());
    const std::string key = id.substr(2);
    if (id.starts_with("h:")) {
      if (auto order = orders_.find(key); order != orders_.end()) HeldAtWindow(order->second, out);
    } else if (id.starts_with("w:")) {
      WellnessCase& c = wellness_.at(key);
      Escalate(c, options_.wellness_schedule);
      out->emplace_back(WellnessAlert(c, options_.wellness_schedule));
      dirty_wellness_.insert(key);
      area.timers.emplace(c.step_due_ms, id);
    } else {
      AdvanceStanding(standing_.at(key), area, out);
    }
  }
}

// ---- operator commands ----

void Engine::Audit(const Event& e, std::string actor, std::string action, std::string target, std::string reason,
                   std::string result) {
  new_audit_.push_back(AuditEntry{e.event_id, e.area_id, e.time_ms, std::move(actor), std::move(action),
                                  std::move(target), std::move(reason), std::move(result)});
}

ApplyResult Engine::OnRecall(const Event& e, const RecallBatch& r, std::vector<Output>* out) {
  auto site = sites_.find(r.site_id);
  if (site == sites_.end() || site->second.area_id != e.area_id) return Rejected("unknown site " + r.site_id + " in area " + e.area_id);
  if (!recalled_.emplace(r.site_id, r.batch_id).second) return Rejected("batch " + r.batch_id + " is already recalled");
  // Every order of the batch, in id order so a replay raises the same
  // alerts: those in memory, and the finished ones from the batch's trace
  // entries, which carry all a recall reads of them.
  std::vector<Order*> batch;
  for (auto& [id, order] : orders_) {
    if (order.site_id == r.site_id && order.batch_id == r.batch_id) batch.push_back(&order);
  }
  std::vector<Order> traced;
  if (store_) {
    const std::string prefix = state::TraceKey(r.site_id, r.batch_id);
    store_->Scan(prefix, [&](std::string_view key, std::string_view value) {
      Order o;
      // A longer batch id can share the prefix: the key must be this batch's.
      if (!codec::DecodeTrace(value, &o).ok() || key.size() != prefix.size() + o.order_id.size() ||
          orders_.contains(o.order_id) || purged_orders_.contains(o.order_id)) {
        return true;
      }
      traced.push_back(std::move(o));
      return true;
    }).IgnoreError();
  }
  for (Order& o : traced) batch.push_back(&o);
  std::sort(batch.begin(), batch.end(), [](const Order* a, const Order* b) { return a->order_id < b->order_id; });
  auto alert = [&](const Order& order, Severity severity, std::string reason) {
    Alert a;
    a.alert_id = "recall/" + r.site_id + "/" + r.batch_id + "/" + order.order_id;
    a.area_id = e.area_id;
    a.time_ms = e.time_ms;
    a.kind = AlertKind::kRecall;
    a.severity = severity;
    a.order_id = order.order_id;
    a.courier_id = order.courier_id;
    a.elder_id = order.elder_id;
    a.site_id = r.site_id;
    a.reason = std::move(reason);
    out->emplace_back(std::move(a));
  };
  int stopped = 0, out_for_delivery = 0, delivered = 0;
  const std::string why = "batch " + r.batch_id + " recalled by " + r.actor + (r.reason.empty() ? "" : ": " + r.reason);
  for (Order* order : batch) {
    if (order->status == OrderStatus::kDelivered) {
      ++delivered;
      alert(*order, Severity::kCritical, why + "; already delivered: contact the elder, the meal must not be eaten");
    } else if (order->status == OrderStatus::kPickedUp) {
      ++out_for_delivery;
      alert(*order, Severity::kCritical, why + "; courier " + order->courier_id + ": do not hand it over, bring it back");
      CancelOrder(*order, e.time_ms, why, out);
    } else if (!IsFinal(order->status)) {
      ++stopped;
      CancelOrder(*order, e.time_ms, why, out);
    }
  }
  const std::string result = std::to_string(stopped) + " stopped, " + std::to_string(out_for_delivery) +
                             " out for delivery, " + std::to_string(delivered) + " delivered";
  Alert summary;
  summary.alert_id = "recall/" + r.site_id + "/" + r.batch_id;
  summary.area_id = e.area_id;
  summary.time_ms = e.time_ms;
  summary.kind = AlertKind::kRecall;
  summary.severity = Severity::kCritical;
  summary.site_id = r.site_id;
  summary.reason = why + ": " + result;
  out->emplace_back(std::move(summary));
  Audit(e, r.actor, "recall", r.site_id + "/" + r.batch_id, r.reason, result);
  new_recalls_.push_back({e.area_id, r.site_id, r.batch_id});
  return Applied();
}

ApplyResult Engine::OnAcknowledge(const Event& e, const AcknowledgeWellness& a, std::vector<Output>* out) {
  auto it = wellness_.find(a.case_id);
  if (it == wellness_.end() || it->second.area_id != e.area_id) return Rejected("unknown wellness check " + a.case_id);
  WellnessCase& c = it->second;
  if (c.closed) return Rejected("wellness check " + a.case_id + " is already closed");
  AreaOf(e.area_id).timers.erase({c.step_due_ms, "w:" + c.case_id});
  c.closed = true;
  c.closed_ms = e.time_ms;
  c.closed_by = a.actor;
  c.outcome = a.outcome;
  c.note = a.note;
  dirty_wellness_.insert(c.case_id);
  // The case's alerts in the inbox are dealt with too (the reverse does not
  // hold: acknowledging an alert leaves the case open).
  std::vector<StoredAlert> answered;
  for (const auto& [id, stored] : open_alerts_) {
    if (stored.alert.kind == AlertKind::kWellnessCheck && stored.alert.case_id == c.case_id) answered.push_back(stored);
  }
  for (StoredAlert& stored : answered) {
    stored.acknowledged = true;
    stored.acknowledged_by = a.actor;
    stored.note = "wellness check closed: " + std::string(WellnessOutcomeName(a.outcome));
    stored.acknowledged_ms = e.time_ms;
    PutAlert(std::move(stored));
  }
  out->emplace_back(WellnessAlert(c, options_.wellness_schedule));
  Audit(e, a.actor, "acknowledge_wellness", c.case_id, a.note, std::string(WellnessOutcomeName(a.outcome)));
  return Applied();
}

// ---- manual dispatch ----

namespace {

std::string WithReason(std::string what, const std::string& reason) {
  return reason.empty() ? what : what + ": " + reason;
}

}  // namespace

bool Engine::Excluded(const Order& order, const std::string& courier_id) {
  return std::find(order.excluded_couriers.begin(), order.excluded_couriers.end(), courier_id) !=
         order.excluded_couriers.end();
}

std::optional<routing::Insertion> Engine::BestAllowedInsertion(const Order& order, const routing::Job& job,
                                                               const AreaPlan& ap) const {
  if (order.excluded_couriers.empty()) return ap.plan.BestInsertion(job.pickup, job.delivery);
  std::optional<routing::Insertion> best;
  for (std::size_t k = 0; k < ap.couriers.size(); ++k) {
    if (Excluded(order, ap.couriers[k]->courier_id)) continue;
    const auto where = ap.plan.BestInsertionInRoute(k, job.pickup, job.delivery);
    if (where && (!best || routing::Better(*where, *best))) best = where;
  }
  return best;
}

Order* Engine::CommandOrder(const Event& e, const std::string& order_id, std::optional<Order>* stored) {
  Order* order = OrderOrStored(order_id, stored);
  return order && order->area_id == e.area_id ? order : nullptr;
}

ApplyResult Engine::Refuse(const Event& e, const Order& order, const std::string& courier_id, const std::string& actor,
                           const std::string& action, const std::string& reason, const std::string& why,
                           std::vector<Output>* out) {
  out->emplace_back(OrderAlert(order, AlertKind::kCommandRefused, Severity::kWarning, "refused/" + e.event_id,
                               courier_id, action + " by " + actor + " refused: " + why));
  Audit(e, actor, action, courier_id.empty() ? order.order_id : order.order_id + " -> " + courier_id, reason,
        "refused: " + why);
  return Applied();
}

ApplyResult Engine::OnReassign(const Event& e, const ReassignOrder& r, std::vector<Output>* out) {
  std::optional<Order> stored;
  Order* order = CommandOrder(e, r.order_id, &stored);
  if (!order) return Rejected("unknown order " + r.order_id + " in area " + e.area_id);
  auto courier = couriers_.find(r.courier_id);
  if (courier == couriers_.end() || courier->second.area_id != e.area_id) {
    return Rejected("unknown courier " + r.courier_id + " in area " + e.area_id);
  }
  Courier& target = courier->second;
  Area& area = AreaOf(e.area_id);
  const EventTimeMs now = area.stream_time_ms;
  auto refuse = [&](const std::string& why) {
    return Refuse(e, *order, r.courier_id, r.actor, "reassign_order", r.reason, why, out);
  };
  if (const auto why = ReassignRefusal(*order, target, now)) return refuse(*why);
  AreaPlan& ap = BuildAreaPlan(area, now);
  const auto k = static_cast<std::size_t>(std::find(ap.couriers.begin(), ap.couriers.end(), &target) -
                                          ap.couriers.begin());
  routing::Job job;
  BuildJobStops(*order, -1, options_, &job.pickup, &job.delivery);
  // The operator may choose a courier who reaches the door after the
  // window (better late than never): the window closes softly here, while
  // the box, the hot-meal limit and the shift end stay hard.
  job.delivery.due = job.delivery.latest;
  job.delivery.latest = routing::kNoLimit;
  const auto where = k < ap.couriers.size() ? ap.plan.BestInsertionInRoute(k, job.pickup, job.delivery) : std::nullopt;
  if (!where) {
    return refuse("courier " + r.courier_id + " cannot take it within the box, the hot-meal limit and the shift end");
  }
  Changed changed;
  if (!order->courier_id.empty()) {
    Courier& previous = couriers_.at(order->courier_id);
    RemoveStops(previous, order->order_id);
    changed.emplace_back(&previous, order->order_id);
  }
  std::erase(order->excluded_couriers, r.courier_id);  // the operator's choice overrides an exclusion
  std::string result = "assigned to courier " + r.courier_id;
  std::string why = WithReason("reassigned by " + r.actor, r.reason);
  if (where->added_lateness > 0) {
    const std::string late = "; reaches the door about " +
                             std::to_string((where->added_lateness + kMinuteMs - 1) / kMinuteMs) +
                             " min after the window";
    result += late;
    why += late;
  }
  Insert(*order, job, ap, *where, area, &changed, /*pinned=*/true, why);
  for (auto& [c, trigger] : changed) PublishPlan(*c, now, trigger, out);
  Audit(e, r.actor, "reassign_order", r.order_id + " -> " + r.courier_id, r.reason, result);
  return Applied();
}

ApplyResult Engine::OnUnassign(const Event& e, const UnassignOrder& u, std::vector<Output>* out) {
  std::optional<Order> stored;
  Order* order = CommandOrder(e, u.order_id, &stored);
  if (!order) return Rejected("unknown order " + u.order_id + " in area " + e.area_id);
  if (const auto why = UnassignRefusal(*order)) {
    return Refuse(e, *order, {}, u.actor, "unassign_order", u.reason, *why, out);
  }
  Area& area = AreaOf(e.area_id);
  const EventTimeMs now = area.stream_time_ms;
  const std::string from = order->courier_id;
  Courier& courier = couriers_.at(from);
  RemoveStops(courier, order->order_id);
  PublishPlan(courier, now, order->order_id, out);
  if (!Excluded(*order, from)) order->excluded_couriers.push_back(from);
  order->courier_id.clear();
  order->pinned = false;
  SetStatus(*order, OrderStatus::kReady, now, WithReason("taken off courier " + from + " by " + u.actor, u.reason));
  PlaceOrders({order}, area, out);
  Audit(e, u.actor, "unassign_order", u.order_id, u.reason,
        "taken off courier " + from + "; " +
            (order->status == OrderStatus::kAssigned ? "now with courier " + order->courier_id
                                                     : "no other courier can take it (UNASSIGNED)"));
  return Applied();
}

ApplyResult Engine::OnHold(const Event& e, const HoldOrder& h, std::vector<Output>* out) {
  std::optional<Order> stored;
  Order* order = CommandOrder(e, h.order_id, &stored);
  if (!order) return Rejected("unknown order " + h.order_id + " in area " + e.area_id);
  if (const auto why = HoldRefusal(*order)) {
    return Refuse(e, *order, {}, h.actor, "hold_order", h.reason, *why, out);
  }
  Area& area = AreaOf(e.area_id);
  const EventTimeMs now = area.stream_time_ms;
  std::string result = "held";
  if (!order->courier_id.empty()) {
    Courier& courier = couriers_.at(order->courier_id);
    RemoveStops(courier, order->order_id);
    PublishPlan(courier, now, order->order_id, out);
    result += "; taken off courier " + order->courier_id;
  }
  area.unassigned.erase(order->order_id);
  order->courier_id.clear();
  order->pinned = false;
  SetStatus(*order, OrderStatus::kHeld, now, WithReason("held by " + h.actor, h.reason));
  if (!order->late_alerted) area.timers.emplace(order->window_start_ms, "h:" + order->order_id);
  Audit(e, h.actor, "hold_order", h.order_id, h.reason, result);
  return Applied();
}

ApplyResult Engine::OnRelease(const Event& e, const ReleaseOrder& r, std::vector<Output>* out) {
  std::optional<Order> stored;
  Order* order = CommandOrder(e, r.order_id, &stored);
  if (!order) return Rejected("unknown order " + r.order_id + " in area " + e.area_id);
  if (const auto why = ReleaseRefusal(*order)) {
    return Refuse(e, *order, {}, r.actor, "release_order", r.reason, *why, out);
  }
  Area& area = AreaOf(e.area_id);
  const EventTimeMs now = area.stream_time_ms;
  area.timers.erase({order->window_start_ms, "h:" + order->order_id});
  const std::string why = WithReason("released by " + r.actor, r.reason);
  std::string result;
  if (order->ready_ms > 0) {
    SetStatus(*order, OrderStatus::kReady, now, why);
    PlaceOrders({order}, area, out);
    result = order->status == OrderStatus::kAssigned ? "released; assigned to courier " + order->courier_id
                                                     : "released; no courier can take it (UNASSIGNED)";
  } else {
    SetStatus(*order, OrderStatus::kPlaced, now, why + "; waiting for the kitchen");
    result = "released; waiting for the kitchen";
  }
  Audit(e, r.actor, "release_order", r.order_id, r.reason, result);
  return Applied();
}

void Engine::HeldAtWindow(Order& order, std::vector<Output>* out) {
  if (order.status != OrderStatus::kHeld || order.late_alerted) return;
  order.late_alerted = true;
  TouchOrder(order);
  out->emplace_back(OrderAlert(order, AlertKind::kLateRisk, UrgencyOf(order), "late/" + order.order_id, {},
                               "the delivery window opened at " +
                                   ClockText(LocalMinuteOfDay(order.window_start_ms, options_.utc_offset_ms)) +
                                   " and the order is still held: release it or cancel it"));
}

// ---- stored alerts ----

ApplyResult Engine::OnAcknowledgeAlert(const Event& e, const AcknowledgeAlert& a, std::vector<Output>*) {
  auto it = open_alerts_.find(a.alert_id);
  if (it == open_alerts_.end() || it->second.alert.area_id != e.area_id) {
    return Rejected("no open alert " + a.alert_id + " in area " + e.area_id);
  }
  StoredAlert acknowledged = it->second;
  acknowledged.acknowledged = true;
  acknowledged.acknowledged_by = a.actor;
  acknowledged.note = a.note;
  acknowledged.acknowledged_ms = e.time_ms;
  const std::string kind(AlertKindName(acknowledged.alert.kind));
  PutAlert(std::move(acknowledged));
  Audit(e, a.actor, "acknowledge_alert", a.alert_id, a.note, "acknowledged " + kind);
  return Applied();
}

void Engine::StoreAlerts(const std::vector<Output>& outputs, std::size_t from) {
  for (std::size_t i = from; i < outputs.size(); ++i) {
    const Alert* alert = std::get_if<Alert>(&outputs[i]);
    if (!alert) continue;
    StoredAlert stored{*alert};
    if (alert->kind == AlertKind::kWellnessClosed) {
      const WellnessCase* c = FindWellnessCase(alert->case_id);
      stored.acknowledged = true;
      stored.acknowledged_by = c ? c->closed_by : std::string();
      stored.note = "the wellness check was closed";
      stored.acknowledged_ms = alert->time_ms;
    }
    PutAlert(std::move(stored));
  }
}

void Engine::PutAlert(StoredAlert alert) {
  const std::string id = alert.alert.alert_id;
  if (auto it = open_alerts_.find(id); it != open_alerts_.end()) {
    --open_alerts_by_kind_[static_cast<std::size_t>(it->second.alert.kind)];
    open_alerts_.erase(it);
  }
  if (!alert.acknowledged) {
    ++open_alerts_by_kind_[static_cast<std::size_t>(alert.alert.kind)];
    open_alerts_.insert_or_assign(id, alert);
  }
  deleted_alerts_.erase(id);  // its put follows the deletion in the same commit
  alert_writes_.insert_or_assign(id, std::move(alert));
}

void Engine::DeleteAlert(const std::string& alert_id) {
  if (auto it = open_alerts_.find(alert_id); it != open_alerts_.end()) {
    --open_alerts_by_kind_[static_cast<std::size_t>(it->second.alert.kind)];
    open_alerts_.erase(it);
  }
  alert_writes_.erase(alert_id);
  deleted_alerts_.insert(alert_id);
  deleted_keys_.emplace_back(applying_area_, state::AlertKey(alert_id));
}

void Engine::ScanStoredAlerts(const std::function<void(StoredAlert&)>& fn) const {
  if (!store_) return;
  std::vector<StoredAlert> found;
  // A record that does not decode is left as it is: meal-admin verify reports it.
  store_->Scan(state::kAlertPrefix, [&](std::string_view key, std::string_view value) {
    const std::string id(key.substr(state::kAlertPrefix.size()));
    // Newer in memory, or deleted since the last commit (the store still has it).
    if (open_alerts_.contains(id) || alert_writes_.contains(id) || deleted_alerts_.contains(id)) return true;
    StoredAlert a;
    if (codec::DecodeStoredAlert(value, &a).ok()) found.push_back(std::move(a));
    return true;
  }).IgnoreError();
  for (StoredAlert& a : found) fn(a);
}

const StoredAlert* Engine::FindOpenAlert(const std::string& alert_id) const {
  auto it = open_alerts_.find(alert_id);
  return it == open_alerts_.end() ? nullptr : &it->second;
}

// ---- data protection ----

ApplyResult Engine::OnErase(const Event& e, const EraseElder& er, std::vector<Output>* out) {
  auto elder = elders_.find(er.elder_id);
  if (elder != elders_.end() && elder->second.area_id != e.area_id) {
    return Rejected("elder " + er.elder_id + " is registered in area " + elder->second.area_id);
  }
  // Their finished orders are read from committed state and come back into
  // memory until the commit that writes them anonymised. An erasure is
  // rare: a scan of every stored order, decoding only records whose bytes
  // hold the elder's id, costs less than an index kept for it.
  std::vector<Order> stored;
  if (store_) {
    store_->Scan(state::kOrderPrefix, [&](std::string_view, std::string_view value) {
      Order o;
      if (value.find(er.elder_id) == std::string_view::npos || !codec::DecodeOrder(value, &o).ok()) return true;
      if (o.elder_id == er.elder_id && o.area_id == e.area_id && !orders_.contains(o.order_id) &&
          !purged_orders_.contains(o.order_id)) {
        stored.push_back(std::move(o));
      }
      return true;
    }).IgnoreError();
  }
  for (Order& o : stored) orders_.emplace(o.order_id, std::move(o));
  std::vector<Order*> theirs;
  for (auto& [id, order] : orders_) {
    if (order.elder_id == er.elder_id && order.area_id == e.area_id) theirs.push_back(&order);
  }
  if (elder == elders_.end() && theirs.empty()) return Rejected("unknown elder " + er.elder_id);
  // Not derived from the id, so it cannot be traced back to it; fixed by
  // the command, so a replay writes the same.
  const std::string pseudonym = "erased-" + e.event_id;
  std::sort(theirs.begin(), theirs.end(), [](const Order* a, const Order* b) { return a->order_id < b->order_id; });
  // A courier last seen at the elder's door (its position is set there on
  // delivery) would keep the address: it is moved to the order's kitchen
  // instead, until its next location update.
  for (const Order* order : theirs) {
    for (const auto& [courier_id, c] : AreaOf(e.area_id).couriers) {
      if (c->location == order->dropoff) {
        c->location = order->pickup;
        c->at_door = false;
        TouchCourier(*c);
      }
    }
  }
  std::size_t ledger = 0;
  for (Order* order : theirs) {
    if (!IsFinal(order->status)) CancelOrder(*order, e.time_ms, "elder's data erased on request", out);
    if (order->status == OrderStatus::kDelivered) {
      const std::string date = LocalDate(order->done_ms, options_.utc_offset_ms);
      bool pending = false;
      for (LedgerEntry& entry : new_ledger_) {
        if (entry.order_id == order->order_id) entry.elder_id = pseudonym, pending = true;
      }
      std::string bytes;
      LedgerEntry entry;
      bool stored = false;
      if (!pending && store_ && store_->Get(state::LedgerKey(date, order->site_id, order->order_id), &bytes).ok() &&
          codec::DecodeLedger(bytes, &entry).ok()) {
        entry.elder_id = pseudonym;
        entry.area_id = e.area_id;  // entries stored before it was recorded lack it
        rewritten_ledger_.push_back(std::move(entry));
        stored = true;
      }
      ledger += pending || stored;
    }
    order->elder_id = pseudonym;
    order->dropoff = GeoPoint{};
    order->proof_ref.clear();
    order->hub_household_id.clear();
    TouchOrder(*order);
  }
  std::size_t cases = 0;
  for (auto& [id, c] : wellness_) {
    if (c.elder_id != er.elder_id) continue;
    c.elder_id = pseudonym;
    dirty_wellness_.insert(id);
    ++cases;
  }
  // Stored alerts: the open ones and those written since the last commit,
  // then the rest from committed state.
  std::vector<StoredAlert> alerts;
  for (const auto& [id, a] : open_alerts_) {
    if (a.alert.elder_id == er.elder_id) alerts.push_back(a);
  }
  for (const auto& [id, a] : alert_writes_) {
    if (a.alert.elder_id == er.elder_id && !open_alerts_.contains(id)) alerts.push_back(a);
  }
  ScanStoredAlerts([&](StoredAlert& a) {
    if (a.alert.elder_id == er.elder_id) alerts.push_back(std::move(a));
  });
  for (StoredAlert& a : alerts) {
    a.alert.elder_id = pseudonym;
    PutAlert(std::move(a));
  }
  Area& area = AreaOf(e.area_id);
  std::vector<std::string> standing;
  for (const auto& [id, so] : standing_) {
    if (so.pattern.elder_id == er.elder_id) standing.push_back(id);
  }
  for (const std::string& id : standing) {
    std::erase_if(area.timers, [&](const auto& t) { return t.second == "g:" + id; });
    standing_.erase(id);
    dirty_standing_.erase(id);
    deleted_keys_.emplace_back(applying_area_, state::StandingKey(id));
  }
  ForgetElder(er.elder_id);
  if (last_courier_.erase(er.elder_id) > 0) {
    dirty_last_courier_.erase(er.elder_id);
    deleted_keys_.emplace_back(applying_area_, state::LastCourierKey(er.elder_id));
  }
  Audit(e, er.actor, "erase_elder", pseudonym, er.reason,
        std::to_string(theirs.size()) + " orders, " + std::to_string(ledger) + " ledger entries, " +
            std::to_string(cases) + " wellness checks, " + std::to_string(alerts.size()) + " alerts anonymised; " +
            std::to_string(standing.size()) +
            " standing orders removed");
  return Applied();
}

void Engine::ForgetElder(const std::string& elder_id) {
  if (elders_.erase(elder_id) == 0) return;
  ++elders_version_;
  dirty_elders_.erase(elder_id);
  deleted_keys_.emplace_back(applying_area_, state::ElderKey(elder_id));
}

void Engine::PurgeExpired(Area& area) {
  const EventTimeMs cutoff = area.stream_time_ms - options_.order_retention_ms;
  std::vector<std::string> expired;
  std::erase_if(area.finished, [&](std::pair<EventTimeMs, std::string>& f) {
    if (f.first >= cutoff) return false;
    expired.push_back(std::move(f.second));
    return true;
  });
  // Their alerts go with them, open or not (they name the elder, and the
  // order they are about is gone); so do acknowledged alerts about no
  // order once acknowledged before the cutoff.
  const std::set<std::string> gone(expired.begin(), expired.end());
  std::vector<std::string> alerts;
  auto expired_alert = [&](const StoredAlert& a) {
    const auto owner = areas_.find(a.alert.area_id);
    if (owner == areas_.end() || &owner->second != &area) return false;
    return a.alert.order_id.empty() ? a.acknowledged && a.acknowledged_ms < cutoff : gone.contains(a.alert.order_id);
  };
  for (const auto* records : {&open_alerts_, &alert_writes_}) {
    for (const auto& [id, a] : *records) {
      if (expired_alert(a)) alerts.push_back(id);
    }
  }
  ScanStoredAlerts([&](StoredAlert& a) {
    if (expired_alert(a)) alerts.push_back(a.alert.alert_id);
  });
  std::sort(alerts.begin(), alerts.end());
  alerts.erase(std::unique(alerts.begin(), alerts.end()), alerts.end());
  for (const std::string& id : alerts) DeleteAlert(id);
  for (const std::string& id : expired) {
    std::optional<Order> stored;
    const Order* order = OrderOrStored(id, &stored);
    if (!order) continue;  // a record that does not decode: meal-admin verify reports it
    deleted_keys_.emplace_back(applying_area_, state::OrderKey(id));
    if (!order->batch_id.empty()) deleted_keys_.emplace_back(applying_area_, state::TraceKey(order->site_id, order->batch_id, id));
    dirty_orders_.erase(id);
    orders_.erase(id);
    stored_reads_.erase(id);
    purged_orders_.insert(id);
    --order_count_;
  }
}

void Engine::Reannounce(const std::function<bool(const std::string& area_id)>& owned,
                        std::vector<Output>* outputs) const {
  std::vector<const WellnessCase*> open;
  for (const auto& [id, c] : wellness_) {
    if (!c.closed && owned(c.area_id)) open.push_back(&c);
  }
  std::sort(open.begin(), open.end(), [](const WellnessCase* a, const WellnessCase* b) { return a->case_id < b->case_id; });
  for (const WellnessCase* c : open) {
    Alert alert = WellnessAlert(*c, options_.wellness_schedule);
    alert.reannounced = true;
    outputs->emplace_back(std::move(alert));
  }
}

void Engine::BookDelivery(const Order& order, EventTimeMs delivered_ms) {
  LedgerEntry entry;
  entry.order_id = order.order_id;
  entry.area_id = order.area_id;
  entry.site_id = order.site_id;
  entry.elder_id = order.elder_id;
  entry.service_date = LocalDate(delivered_ms, options_.utc_offset_ms);
  entry.meals = order.meals;
  entry.delivered_ms = delivered_ms;
  auto elder = elders_.find(order.elder_id);
  const std::uint32_t categories = elder == elders_.end() ? 0 : elder->second.categories;
  std::vector<int> ranked;  // the elder's categories, highest priority first
  for (std::size_t bit = 0; bit < kElderCategories; ++bit) {
    if (categories & (1u << bit)) ranked.push_back(static_cast<int>(bit));
  }
  std::stable_sort(ranked.begin(), ranked.end(), [&](int a, int b) {
    return options_.category_priority[static_cast<std::size_t>(a)] > options_.category_priority[static_cast<std::size_t>(b)];
  });
  auto find = [&](const std::string& site, int category) -> const Tariff* {
    for (const Tariff& t : options_.tariffs) {
      if (t.site_id == site && t.category == category) return &t;
    }
    return nullptr;
  };
  const Tariff* tariff = nullptr;
  for (int category : ranked) {
    tariff = find(order.site_id, category);
    if (!tariff) tariff = find("", category);
    if (tariff) {
      entry.category = ElderCategoryName(static_cast<std::size_t>(category));
      break;
    }
  }
  if (!tariff) {
    tariff = find(order.site_id, -1);
    if (!tariff) tariff = find("", -1);
    entry.category = ranked.empty() ? "none" : ElderCategoryName(static_cast<std::size_t>(ranked.front()));
  }
  if (tariff) entry.amount = tariff->per_meal.Times(order.meals);
  new_ledger_.push_back(std::move(entry));
}

void Engine::CollectChanges(state::WriteSet* changes) {
  // Deletions first: a record deleted and then written again in the same
  // batch (an elder registered anew) must end up written.
  for (auto& [area, key] : deleted_keys_) changes->Delete(std::move(key), std::move(area));
  deleted_keys_.clear();
  purged_orders_.clear();
  stored_reads_.clear();
  for (const std::string& id : dirty_orders_) {
    auto it = orders_.find(id);
    const Order& order = it->second;
    changes->Put(state::OrderKey(id), codec::EncodeOrder(order), order.area_id);
    // The batch index follows the order, so a trace is one prefix scan.
    if (!order.batch_id.empty()) {
      changes->Put(state::TraceKey(order.site_id, order.batch_id, id), codec::EncodeTrace(order), order.area_id);
    }
    // From now on the committed record answers for it (OrderOrStored).
    if (store_ && IsFinal(order.status)) orders_.erase(it);
  }
  for (const std::string& id : dirty_couriers_) {
    const Courier& c = couriers_.at(id);
    changes->Put(state::CourierKey(id), codec::EncodeCourier(c), c.area_id);
  }
  for (const std::string& id : dirty_sites_) changes->Put(state::SiteKey(id), codec::EncodeSite(sites_.at(id)));
  for (const std::string& id : dirty_elders_) changes->Put(state::ElderKey(id), codec::EncodeElder(elders_.at(id)));
  for (const std::string& id : dirty_areas_) {
    changes->Put(state::AreaKey(id), state::EncodeOffset(areas_.at(id).stream_time_ms), id);
  }
  for (auto& [area, key] : new_seen_) changes->Put(std::move(key), {}, std::move(area));
  for (const LedgerEntry& e : new_ledger_) {
    changes->Put(state::LedgerKey(e.service_date, e.site_id, e.order_id), codec::EncodeLedger(e), e.area_id);
  }
  for (const std::string& id : dirty_standing_) {
    const StandingOrder& so = standing_.at(id);
    changes->Put(state::StandingKey(id), codec::EncodeStandingOrder(so), so.area_id);
  }
  for (const std::string& id : dirty_wellness_) {
    const WellnessCase& c = wellness_.at(id);
    changes->Put(state::WellnessKey(id), codec::EncodeWellnessCase(c), c.area_id);
  }
  for (const std::string& id : dirty_last_courier_) {
    const std::string& courier = last_courier_.at(id);
    const auto c = couriers_.find(courier);
    changes->Put(state::LastCourierKey(id), courier, c == couriers_.end() ? std::string() : c->second.area_id);
  }
  for (const LedgerEntry& e : rewritten_ledger_) {
    changes->Put(state::LedgerKey(e.service_date, e.site_id, e.order_id), codec::EncodeLedger(e), e.area_id);
  }
  rewritten_ledger_.clear();
  for (const AuditEntry& a : new_audit_) {
    changes->Put(state::AuditKey(a.time_ms, a.command_id), codec::EncodeAudit(a), a.area_id);
  }
  for (const auto& [id, a] : alert_writes_) {
    changes->Put(state::AlertKey(id), codec::EncodeStoredAlert(a), a.alert.area_id);
  }
  alert_writes_.clear();
  deleted_alerts_.clear();
  for (const NewRecall& r : new_recalls_) changes->Put(state::RecallKey(r.site, r.batch), {}, r.area);
  dirty_standing_.clear();
  dirty_wellness_.clear();
  dirty_last_courier_.clear();
  new_audit_.clear();
  new_recalls_.clear();
  new_ledger_.clear();
  dirty_orders_.clear();
  dirty_couriers_.clear();
  dirty_sites_.clear();
  dirty_elders_.clear();
  dirty_areas_.clear();
  new_seen_.clear();
}

const Order* Engine::FindOrder(const std::string& order_id) const {
  if (auto it = orders_.find(order_id); it != orders_.end()) return &it->second;
  if (auto it = stored_reads_.find(order_id); it != stored_reads_.end()) return &it->second;
  Order order;
  if (!ReadStoredOrder(order_id, &order)) return nullptr;
  return &stored_reads_.emplace(order_id, std::move(order)).first->second;
}

bool Engine::ReadStoredOrder(const std::string& order_id, Order* out) const {
  if (!store_ || orders_.contains(order_id) || purged_orders_.contains(order_id)) return false;
  std::string bytes;
  return store_->Get(state::OrderKey(order_id), &bytes).ok() && codec::DecodeOrder(bytes, out).ok();
}

Order* Engine::OrderOrStored(const std::string& order_id, std::optional<Order>* stored) {
  if (auto it = orders_.find(order_id); it != orders_.end()) return &it->second;
  Order order;
  if (!ReadStoredOrder(order_id, &order)) return nullptr;
  return &stored->emplace(std::move(order));
}

bool Engine::OrderExists(const std::string& order_id) const {
  if (orders_.contains(order_id)) return true;
  if (!store_ || purged_orders_.contains(order_id)) return false;
  std::string bytes;
  return store_->Get(state::OrderKey(order_id), &bytes).ok();
}

const Courier* Engine::FindCourier(const std::string& courier_id) const {
  auto it = couriers_.find(courier_id);
  return it == couriers_.end() ? nullptr : &it->second;
}

const WellnessCase* Engine::FindWellnessCase(const std::string& case_id) const {
  auto it = wellness_.find(case_id);
  return it == wellness_.end() ? nullptr : &it->second;
}

const StandingOrder* Engine::FindStandingOrder(const std::string& standing_id) const {
  auto it = standing_.find(standing_id);
  return it == standing_.end() ? nullptr : &it->second;
}

}  // namespace meal::dispatch
