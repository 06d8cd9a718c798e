// The dispatch engine: applies validated events, in order, to the dispatch
// state and says what to publish. A pure function of its input events and
// their event times — it never reads the wall clock — so replaying the same
// input yields the same state and the same outputs.
//
// Thread-safety: one thread owns an Engine.
#pragma once

#include <array>
#include <cstdint>
#include <functional>
#include <map>
#include <optional>
#include <set>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <variant>
#include <vector>

#include "common/status.h"
#include "dispatch/wellness.h"
#include "model/entities.h"
#include "routing/insertion.h"
#include "routing/job.h"
#include "routing/live_plan.h"
#include "routing/route.h"
#include "routing/travel.h"
#include "state/store.h"
#include "state/write_set.h"

namespace meal::dispatch {

struct EngineOptions {
  routing::TravelModel travel;
  // Longest pickup-to-door time for hot meals when a site sets none.
  // Default: 45 min.
  DurationMs hot_meal_limit_ms = 45 * kMinuteMs;
  // Longest pickup-to-door time for chilled meals. Default: 2 h.
  DurationMs chilled_meal_limit_ms = 2 * kHourMs;
  // Time spent at a kitchen to collect meals. Default: 2 min.
  DurationMs pickup_service_ms = 2 * kMinuteMs;
  // Time spent at a door to hand over meals. Default: 3 min.
  DurationMs delivery_service_ms = 3 * kMinuteMs;
  // Unassigned orders retried after each delivery or failed delivery, when
  // a courier has room again. Shift starts retry them all. Default: 8.
  std::size_t retries_per_completion = 8;
  // Each time an area's stream time crosses a multiple of this, the jobs not
  // yet under way are re-optimised across its couriers. 0 disables.
  // Default: 2 min.
  DurationMs reoptimize_interval_ms = 2 * kMinuteMs;
  // Moves tried per re-optimisation, so it stays cheap. Default: 128.
  std::int64_t reoptimize_evaluations = 128;
  // What a courier is chosen for after lateness. Default: least travel.
  routing::InsertionOptions insertion;
  // Orders placed together go by regret over this many couriers. Default: 3.
  std::size_t regret_k = 3;
  // Priority of each elder category, by ElderCategoryBit position; an elder
  // takes the highest of theirs, 0 with none. Defaults: config::PriorityConfig.
  std::array<std::int32_t, kElderCategories> category_priority = {4, 5, 3, 3, 1, 1, 4, 3, 2, 2};
  // Elders of at least this priority are must-serve. Default: 3.
  std::int32_t must_serve_priority = 3;
  // Lower-priority orders tried, at most, to make room for one that fits
  // nowhere. Default: 32.
  std::size_t displacement_trials = 32;
  // The subsidy ledger's prices, most specific first (see BookDelivery);
  // must hold an entry for any site and any category. Default: 15 yuan paid
  // by the elder.
  std::vector<Tariff> tariffs = {Tariff{"", -1, Payment{1500, 1500, 0, 0, 0, 0}}};
  // Local time's offset from UTC, for service dates. Default: China (8 h).
  DurationMs utc_offset_ms = 8 * kHourMs;
  // Refuse orders for homes beyond the site's radius (else take them with an
  // OUTSIDE_RADIUS alert). Default: false.
  bool reject_outside_radius = false;
  // When an elder's paired helper cannot take an order: true tries the
  // helper's team first, then anyone; false goes straight to anyone.
  // Default: true.
  bool helper_fallback_team = true;
  // The courier who last delivered to the elder keeps them when that adds
  // at most this much travel over the best choice (and no lateness). 0
  // disables. Default: 3 min.
  DurationMs continuity_tolerance_ms = 3 * kMinuteMs;
  // Time at a hub household's door for each further elder's meal. Default: 1 min.
  DurationMs hub_handover_ms = kMinuteMs;
  // Standing orders are placed this long before their window opens, so the
  // kitchen can plan. Default: 3 h.
  DurationMs standing_lead_ms = 3 * kHourMs;
  // Time each wellness-check step may take before escalating, by
  // WellnessStep; the last repeats its alert each period. Defaults: courier
  // 10 min, phone call 15 min, emergency contact 30 min, community worker 60 min.
  WellnessSchedule wellness_schedule = {10 * kMinuteMs, 15 * kMinuteMs, 30 * kMinuteMs, 60 * kMinuteMs};
  // Finished orders (delivered, failed, cancelled, rejected) are deleted
  // with their proof of delivery, trace entry and stored alerts this long
  // after they finished, at the area's first event of a new local day; so
  // are acknowledged alerts about no order, this long after their
  // acknowledgement. The ledger is kept. 0 keeps them for ever.
  // Default: 90 days.
  DurationMs order_retention_ms = 90 * 24 * kHourMs;
};

using Output = std::variant<Assignment, Alert>;

enum class ApplyOutcome { kApplied, kDuplicate, kRejected };

struct ApplyResult {
  ApplyOutcome outcome = ApplyOutcome::kApplied;
  std::string reason;  // why it was rejected; goes to the dead-letter record
};

class Engine {
 public:
  explicit Engine(EngineOptions options);
  // Not copyable: the areas' plans point at the engine's own couriers (a
  // move keeps them where they are).
  Engine(const Engine&) = delete;
  Engine& operator=(const Engine&) = delete;
  Engine(Engine&&) = default;
  Engine& operator=(Engine&&) = default;

  // Rebuilds the in-memory state from `store`. Call once, before Apply.
  // The engine keeps reading `store` for finished orders (delivered,
  // failed, cancelled, rejected), which it holds in memory only until the
  // CollectChanges that writes them; `store` must outlive the engine.
  // Without Load the engine keeps every order in memory.
  Status Load(const state::Store& store);

  // Applies one event and appends what it causes to `outputs`. A rejected
  // event changes nothing. An event id already seen in its area is a
  // duplicate and changes nothing. Every alert appended is also stored
  // (key n/<alert id>), open until acknowledged (AcknowledgeAlert); an
  // alert raised again under the same id replaces the stored one.
  //
  // Operators' order commands (ReassignOrder, UnassignOrder, HoldOrder,
  // ReleaseOrder) naming an unknown order or courier are rejected; one the
  // order's state does not allow (picked up, off shift, no room, …) is
  // refused: it changes no order, and its audit entry (result
  // "refused: <why>") and a COMMAND_REFUSED alert say why.
  ApplyResult Apply(const Event& event, std::vector<Output>* outputs);

  // Moves every change since the last call into `changes`, each naming the
  // area whose state it is (none for the registry's records), and forgets
  // the orders it wrote finished. REQUIRES: after a Load, `changes` are
  // committed to the loaded store before the next Apply.
  void CollectChanges(state::WriteSet* changes);

  // Raises again the current alert of every open wellness check (same ids
  // and times). Call after Load: a restart never hides an open case. These
  // are not stored again: they are stored already.
  // Only checks of areas `owned` accepts.
  void Reannounce(const std::function<bool(const std::string& area_id)>& owned, std::vector<Output>* outputs) const;

  // Stored alerts not yet acknowledged, by AlertKind: counted on Load,
  // kept up to date by Apply.
  const std::array<std::int64_t, kAlertKinds>& open_alerts_by_kind() const { return open_alerts_by_kind_; }

  // The elder's registry record was deleted (a tombstone on the registry
  // topic): forget it. Their orders are left as they are.
  void ForgetElder(const std::string& elder_id);

  // For tests and metrics. A finished order already committed is read from
  // the store; pointers to orders stay valid until the next CollectChanges
  // (or a retention purge of that order).
  const Order* FindOrder(const std::string& order_id) const;
  const Courier* FindCourier(const std::string& courier_id) const;
  const WellnessCase* FindWellnessCase(const std::string& case_id) const;
  const StandingOrder* FindStandingOrder(const std::string& standing_id) const;
  // A stored alert not yet acknowledged; nullptr when acknowledged or unknown.
  const StoredAlert* FindOpenAlert(const std::string& alert_id) const;
  // Orders in state, finished or not.
  std::size_t order_count() const { return order_count_; }

 private:
  // An order collected at a stop of a courier's route, with its priority.
  using Pickups = std::vector<std::pair<std::int32_t, const Order*>>;
  // The area's couriers on shift and available, as a live plan whose route
  // k is couriers[k]'s, as BuildRoute built it (with limits, kept lateness
  // where it is late), and pickups[k] its assigned orders not yet collected
  // (AssignedPickups) as they were when it was built, at elders_version.
  struct AreaPlan {
    routing::LivePlan plan;
    std::vector<Courier*> couriers;
    std::vector<Pickups> pickups;
    std::uint64_t elders_version = 0;
  };
  struct Area {
    EventTimeMs stream_time_ms = 0;
    std::map<std::string, Courier*> couriers;  // by id, in id order for determinism
    std::set<std::string> unassigned;  // orders waiting for a courier
    // Event-time timers: (due, "w:<case>", "g:<standing order>" or
    // "h:<held order>"), fired in this order when stream time reaches them.
    std::set<std::pair<EventTimeMs, std::string>> timers;
    // Kept from one event to the next (BuildAreaPlan).
    std::optional<AreaPlan> plan;
    // (finish time, order) of every finished order in state, for the
    // retention purge: a few dozen bytes each, where the order is a few KiB.
    std::vector<std::pair<EventTimeMs, std::string>> finished;
  };

  ApplyResult OnPlaced(const Event& e, const OrderPlaced& p, std::vector<Output>* out);
  ApplyResult OnReady(const Event& e, const OrderReady& r, std::vector<Output>* out);
  ApplyResult OnCancelled(const Event& e, const OrderCancelled& c, std::vector<Output>* out);
  ApplyResult OnShiftStarted(const Event& e, const ShiftStarted& s, std::vector<Output>* out);
  ApplyResult OnShiftEnded(const Event& e, const ShiftEnded& s, std::vector<Output>* out);
  ApplyResult OnLocation(const Event& e, const LocationUpdate& l, std::vector<Output>* out);
  ApplyResult OnAvailability(const Event& e, const Availability& a, std::vector<Output>* out);
  ApplyResult OnPickedUp(const Event& e, const PickedUp& p, std::vector<Output>* out);
  ApplyResult OnDelivered(const Event& e, const Delivered& d, std::vector<Output>* out);
  ApplyResult OnFailed(const Event& e, const DeliveryFailed& f, std::vector<Output>* out);
  ApplyResult OnStandingSet(const Event& e, const StandingOrderSet& s, std::vector<Output>* out);
  ApplyResult OnStandingSuspended(const Event& e, const StandingOrderSuspended& s, std::vector<Output>* out);
  ApplyResult OnStandingResumed(const Event& e, const StandingOrderResumed& r, std::vector<Output>* out);
  ApplyResult OnRecall(const Event& e, const RecallBatch& r, std::vector<Output>* out);
  ApplyResult OnAcknowledge(const Event& e, const AcknowledgeWellness& a, std::vector<Output>* out);
  ApplyResult OnErase(const Event& e, const EraseElder& er, std::vector<Output>* out);
  ApplyResult OnReassign(const Event& e, const ReassignOrder& r, std::vector<Output>* out);
  ApplyResult OnUnassign(const Event& e, const UnassignOrder& u, std::vector<Output>* out);
  ApplyResult OnHold(const Event& e, const HoldOrder& h, std::vector<Output>* out);
  ApplyResult OnRelease(const Event& e, const ReleaseOrder& r, std::vector<Output>* out);
  ApplyResult OnAcknowledgeAlert(const Event& e, const AcknowledgeAlert& a, std::vector<Output>* out);
  // Records an operator's order command that cannot be applied: an audit
  // entry with result "refused: <why>" and a COMMAND_REFUSED alert.
  ApplyResult Refuse(const Event& e, const Order& order, const std::string& courier_id, const std::string& actor,
                     const std::string& action, const std::string& reason, const std::string& why,
                     std::vector<Output>* out);
  // The order named by an operator's command, when it is in the event's
  // area (a finished one read into `*stored`, see OrderOrStored).
  Order* CommandOrder(const Event& e, const std::string& order_id, std::optional<Order>* stored);
  ApplyResult OnSite(const Site& s);
  ApplyResult OnElder(const Elder& el);

  // Refreshes the area's plan for `now`: its couriers on shift and
  // available, route k being couriers[k]'s, each as BuildRoute builds it
  // (with LivePlan::Bounds::kKeepLateness, for couriers already behind).
  // Only the routes of couriers touched since (TouchCourier) are built
  // again; the others only take their new start (LivePlan::SetStartTime).
  // The plan stays valid until the next call for the area.
  AreaPlan& BuildAreaPlan(Area& area, EventTimeMs now);
  // The courier's orders assigned and not yet collected, in route order,
  // each with its PriorityOf, into `out` (cleared first).
  void AssignedPickups(const Courier& courier, Pickups* out) const;
  // The courier's route inputs changed (its stops, position, shift,
  // availability, or an order on its route): the plan builds it again.
  void TouchCourier(Courier& courier);
  // The order changed: so does its courier's route.
  void TouchOrder(const Order& order);
  // Finds couriers for ready orders together (routing::InsertJobs: priority,
  // then regret), makes room for a higher-priority order by displacing a
  // lower one where needed (Displace), and publishes each changed plan once;
  // an order no courier can take is marked unassigned (MarkUnassigned).
  void PlaceOrders(const std::vector<Order*>& orders, Area& area, std::vector<Output>* out);
  // Couriers whose plan changed, each with the first order that changed it.
  using Changed = std::vector<std::pair<Courier*, std::string>>;
  // Puts `order` on the route `where` names, as the plan already has it;
  // `pinned` keeps it there, `why` goes on its timeline.
  void Assign(Order& order, AreaPlan& ap, const routing::Insertion& where, Area& area, Changed* changed,
              bool pinned = false, const std::string& why = {});
  // Applies `where` to the plan, then Assign.
  void Insert(Order& order, const routing::Job& job, AreaPlan& ap, const routing::Insertion& where, Area& area,
              Changed* changed, bool pinned = false, const std::string& why = {});
  // The elder's own courier, when there is one that can take the order: a
  // hub household's shared stop (JoinHubStop), else the paired helper (or,
  // by policy, the helper's team), else the courier who served the elder
  // last when that costs little more. The order is pinned there, so
  // re-optimisation does not undo the choice. False: the order is left to
  // the plan-wide choice.
  bool PlacePreferred(Order& order, AreaPlan& ap, Area& area, Changed* changed);
  // Adds `order` to the stop of an order of the same hub household, same
  // site and door, overlapping window, not yet collected: its pickup right
  // after that order's pickup and its delivery right after its delivery.
  bool JoinHubStop(Order& order, const routing::Job& job, AreaPlan& ap, Area& area, Changed* changed);
  // Assigns `order` (whose stops are `job`) where earlier displacements made
  // room, or makes room by taking a lower-priority order not yet collected
  // off a route when that lets it in, and returns the displaced order (ready
  // again). nullptr when nothing was displaced; `order` is then assigned or
  // still not. `fit_nowhere_at` is the plan's changes() when the order was
  // last found to fit nowhere: while it is unchanged, there is no room made
  // to look for.
  Order* Displace(Order& order, const routing::Job& job, std::uint64_t fit_nowhere_at, AreaPlan& ap, Area& area,
                  Changed* changed);
  // True iff automatic dispatch must not give `order` to `courier_id`
  // (Order::excluded_couriers).
  static bool Excluded(const Order& order, const std::string& courier_id);
  // The cheapest insertion of `job` (the stops of `order`) into a route of a
  // courier the order is not excluded from; nullopt when none can take it.
  std::optional<routing::Insertion> BestAllowedInsertion(const Order& order, const routing::Job& job,
                                                         const AreaPlan& ap) const;
  // Keeps `order` in the area's waiting set and, unless it was already
  // waiting, raises an alert (critical for special-difficulty elders).
  void MarkUnassigned(Order& order, Area& area, bool no_courier, std::vector<Output>* out);
  // The highest priority of the order's elder's categories; 0 with none.
  std::int32_t PriorityOf(const Order& order) const;
  // Moves jobs not yet under way between the area's couriers where that
  // saves travel (routing::Reoptimize), and publishes the changed plans.
  void ReoptimizeArea(Area& area, std::vector<Output>* out);
  // Retries up to `budget` of the area's unassigned orders whose window is
  // still open, together (PlaceOrders); forgets those whose window has passed.
  void RetryUnassigned(Area& area, std::size_t budget, std::vector<Output>* out);
  // Publishes `courier`'s current plan with a new version.
  void PublishPlan(Courier& courier, EventTimeMs now, const std::string& trigger,
                   std::vector<Output>* out);
  void RemoveStops(Courier& courier, const std::string& order_id);
  // Takes the order out of every plan and queue and marks it cancelled.
  void CancelOrder(Order& order, EventTimeMs now, const std::string& reason, std::vector<Output>* out);
  // Creates a placed order (OnPlaced, standing orders) and checks the site's rules.
  ApplyResult PlaceNewOrder(const std::string& area_id, EventTimeMs now, const OrderPlaced& p,
                            const std::string& standing_id, std::vector<Output>* out);
  // Deletes the area's orders finished more than order_retention_ms before
  // its stream time (see EngineOptions).
  void PurgeExpired(Area& area);
  // The order's record read from committed state, iff it is there and its
  // deletion is not pending. The store holds the truth about every order
  // not in orders_ (see CollectChanges).
  bool ReadStoredOrder(const std::string& order_id, Order* out) const;
  // The order in memory, else its committed record read into `*stored`;
  // nullptr when unknown. A stored order is finished: every event or
  // command naming it is rejected or refused by the record alone, so the
  // copy is never changed.
  Order* OrderOrStored(const std::string& order_id, std::optional<Order>* stored);
  // True iff the id names an order in state, finished or not.
  bool OrderExists(const std::string& order_id) const;
  // Fires the area's timers due by its stream time, in (due, id) order.
  void FireTimers(Area& area, std::vector<Output>* out);
  // A held order whose delivery window has opened: one LATE_RISK alert
  // (late/<order>, as any late risk), unless one was raised already.
  void HeldAtWindow(Order& order, std::vector<Output>* out);
  // Stores every alert in outputs[from..] (see Apply). A WELLNESS_CLOSED
  // alert records an operator's own decision: it is stored acknowledged.
  void StoreAlerts(const std::vector<Output>& outputs, std::size_t from);
  // Writes `alert` (new, re-raised or acknowledged) and keeps the open set
  // and its counts in step.
  void PutAlert(StoredAlert alert);
  // Deletes the stored alert, open or not.
  void DeleteAlert(const std::string& alert_id);
  // Every stored alert not yet in open_alerts_ or alert_writes_, from the
  // committed state (nothing without a store).
  void ScanStoredAlerts(const std::function<void(StoredAlert&)>& fn) const;
  // Places the standing order's next service date's order when its time
  // has come, and sets its timer for the date after.
  void AdvanceStanding(StandingOrder& standing, Area& area, std::vector<Output>* out);
  void ScheduleStanding(const StandingOrder& standing, Area& area);
  void Audit(const Event& e, std::string actor, std::string action, std::string target, std::string reason,
             std::string result);
  // The courier's plan as it now unfolds from where it is. A meal on board
  // that would reach the door past its hot-meal limit raises a critical
  // FOOD_SAFETY_RISK alert, once per order, before it happens; a delivery
  // that would miss its window goes to RescueLate.
  void CheckPlan(Courier& courier, Area& area, std::vector<Output>* out);
  // An order its courier will deliver after its window: moved to another
  // courier who can still make it when it is not collected yet (nor pinned
  // to its courier), else a LATE_RISK alert, once per order (critical for
  // a must-serve elder).
  void RescueLate(Order& order, Courier& courier, Area& area, std::vector<Output>* out);
  // An alert about `order`, at its area's stream time.
  Alert OrderAlert(const Order& order, AlertKind kind, Severity severity, std::string alert_id,
                   std::string courier_id, std::string reason) const;
  // Critical for a must-serve elder's order, else a warning.
  Severity UrgencyOf(const Order& order) const;
  // The site's rules for a newly placed order: a delivery window starting
  // outside opening hours, or beyond the day's capacity, or (by policy) a
  // home beyond the service radius rejects it with an ORDER_REJECTED alert;
  // a home beyond the radius otherwise raises OUTSIDE_RADIUS. Counts the
  // order against the site's day when it is taken.
  void CheckSiteRules(Order& order, const Site& site, EventTimeMs now, std::vector<Output>* out);
  // Books the delivered order in the subsidy ledger: priced by the most
  // specific tariff (site and category, any site and category, site and any
  // category, any and any), the elder's categories tried highest priority
  // first.
  void BookDelivery(const Order& order, EventTimeMs delivered_ms);
  void SetStatus(Order& order, OrderStatus status, EventTimeMs time, std::string note = {});
  ApplyResult CheckCourierOrder(const Order* order, const std::string& courier_id) const;
  Area& AreaOf(const std::string& area_id);

  EngineOptions options_;
  // Orders not finished, and those finished since the last CollectChanges.
  std::unordered_map<std::string, Order> orders_;
  // Never erased: areas' plans point at them.
  std::unordered_map<std::string, Courier> couriers_;
  std::unordered_map<std::string, Site> sites_;
  std::unordered_map<std::string, Elder> elders_;
  std::map<std::string, Area> areas_;
  // Orders taken per (site, service date), cancelled and rejected ones not
  // counted: rebuilt from the orders on Load.
  std::map<std::pair<std::string, std::string>, std::uint32_t> site_orders_;
  std::unordered_set<std::string> seen_;  // DedupKey of every applied event
  std::unordered_map<std::string, StandingOrder> standing_;
  std::unordered_map<std::string, WellnessCase> wellness_;
  std::unordered_map<std::string, std::string> last_courier_;  // elder -> courier
  std::set<std::pair<std::string, std::string>> recalled_;    // (site, batch)
  // Stored alerts not yet acknowledged (acknowledged ones are read from the
  // store when an erasure or the retention purge needs them).
  std::map<std::string, StoredAlert> open_alerts_;
  std::array<std::int64_t, kAlertKinds> open_alerts_by_kind_{};
  // Couriers whose plan route must be built again (TouchCourier).
  std::unordered_set<const Courier*> touched_couriers_;
  // Counts the changes to elders' records, which priorities are read from.
  std::uint64_t elders_version_ = 0;
  // Committed state, read for finished orders and by an erasure to rewrite
  // the elder's ledger entries (which the engine does not keep in memory).
  // Set by Load.
  const state::Store* store_ = nullptr;
  std::size_t order_count_ = 0;
  // FindOrder's copies of committed orders, until the next CollectChanges.
  mutable std::unordered_map<std::string, Order> stored_reads_;

  // Changed since the last CollectChanges.
  std::set<std::string> dirty_orders_;
  std::set<std::string> dirty_couriers_;
  std::set<std::string> dirty_sites_;
  std::set<std::string> dirty_elders_;
  std::set<std::string> dirty_areas_;
  std::set<std::string> dirty_standing_;
  std::set<std::string> dirty_wellness_;
  std::set<std::string> dirty_last_courier_;
  struct NewRecall {
    std::string area, site, batch;
  };
  std::vector<NewRecall> new_recalls_;
  std::vector<AuditEntry> new_audit_;
  std::vector<LedgerEntry> rewritten_ledger_;  // entries anonymised by an erasure
  std::vector<std::pair<std::string, std::string>> deleted_keys_;  // (area, key) erased or past retention
  std::unordered_set<std::string> purged_orders_;  // in deleted_keys_: the store still has them
  std::vector<std::pair<std::string, std::string>> new_seen_;  // (area, dedup key)
  std::vector<LedgerEntry> new_ledger_;
  std::map<std::string, StoredAlert> alert_writes_;  // by alert id, the latest
  std::set<std::string> deleted_alerts_;             // ids whose deletion is not committed yet
  // The area of the event Apply is applying; empty outside it (a registry
  // tombstone). Changes kept in lists rather than by entity are attributed
  // to it.
  std::string applying_area_;
};

}  // namespace meal::dispatch
