#include "dispatch/engine.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <cstring>
#include <map>
#include <memory>
#include <optional>
#include <set>

#include "codec/encode.h"
#include "codec/state_codec.h"
#include "common/dates.h"
#include "state/keys.h"
#include "state/memory_store.h"

namespace meal::dispatch {
namespace {

constexpr EventTimeMs kT0 = 1'764'460'800'000;  // a fixed day, 00:00 UTC
const GeoPoint kSite{41.8000, 123.4300};
const GeoPoint kHome{41.8050, 123.4350};  // ~700 m away

class EngineTest : public ::testing::Test {
 protected:
  Event Make(std::string id, EventTimeMs t, EventBody body, std::string area = "area-1") {
    return Event{std::move(id), std::move(area), t, std::move(body)};
  }

  ApplyResult Apply(Event e) { return engine_.Apply(e, &out_); }

  void SetUpRegistry() {
    Site site;
    site.site_id = "site-1";
    site.area_id = "area-1";
    site.location = kSite;
    site.radius_m = 2000;
    ASSERT_EQ(Apply(Make("s1", kT0, site)).outcome, ApplyOutcome::kApplied);
    Elder elder;
    elder.elder_id = "elder-1";
    elder.area_id = "area-1";
    elder.home = kHome;
    elder.categories = kLivingAlone;
    ASSERT_EQ(Apply(Make("e1", kT0, elder)).outcome, ApplyOutcome::kApplied);
  }

  void StartCourier(std::string id, EventTimeMs t, std::uint32_t capacity = 6) {
    ShiftStarted s{id, TravelMode::kBike, capacity, t + 4 * kHourMs, kSite};
    ASSERT_EQ(Apply(Make("shift-" + id, t, s)).outcome, ApplyOutcome::kApplied);
  }

  void Place(std::string order, EventTimeMs t, EventTimeMs window_start) {
    OrderPlaced p;
    p.order_id = order;
    p.site_id = "site-1";
    p.elder_id = "elder-1";
    p.meals = 1;
    p.window_start_ms = window_start;
    p.window_end_ms = window_start + kHourMs;
    ASSERT_EQ(Apply(Make("placed-" + order, t, p)).outcome, ApplyOutcome::kApplied);
  }

  void Reset(EngineOptions options) { engine_ = Engine(std::move(options)); }

  void HelperWithATeamMateTakesO1();

  void AddElder(std::string id, GeoPoint home, std::uint32_t categories = 0, std::string helper = {},
                std::string hub = {}) {
    Elder elder{id, "area-1", home, categories, std::move(helper), std::move(hub)};
    ASSERT_EQ(Apply(Make("elder-" + id, kT0, elder)).outcome, ApplyOutcome::kApplied);
  }

  void StartAt(std::string id, EventTimeMs t, GeoPoint where, std::string team = {}, std::uint32_t capacity = 6) {
    ShiftStarted s{id, TravelMode::kBike, capacity, t + 4 * kHourMs, where, std::move(team)};
    ASSERT_EQ(Apply(Make("shift-" + id, t, s)).outcome, ApplyOutcome::kApplied);
  }

  void PlaceFor(std::string order, std::string elder, EventTimeMs t, EventTimeMs window_start,
                DurationMs window = kHourMs, std::string batch = {}, std::uint32_t meals = 1) {
    OrderPlaced p;
    p.order_id = order;
    p.site_id = "site-1";
    p.elder_id = std::move(elder);
    p.meals = meals;
    p.window_start_ms = window_start;
    p.window_end_ms = window_start + window;
    p.batch_id = std::move(batch);
    ASSERT_EQ(Apply(Make("placed-" + order, t, p)).outcome, ApplyOutcome::kApplied);
  }

  void Ready(std::string order, EventTimeMs t) {
    ASSERT_EQ(Apply(Make("ready-" + order, t, OrderReady{order})).outcome, ApplyOutcome::kApplied);
  }

  void TickAt(EventTimeMs t) {
    ASSERT_EQ(Apply(Make("tick-" + std::to_string(t), t, Tick{})).outcome, ApplyOutcome::kApplied);
  }

  std::vector<Alert> Alerts() const {
    std::vector<Alert> alerts;
    for (const Output& o : out_) {
      if (const Alert* a = std::get_if<Alert>(&o)) alerts.push_back(*a);
    }
    return alerts;
  }

  std::vector<std::string> AlertIds() const {
    std::vector<std::string> ids;
    for (const Alert& a : Alerts()) ids.push_back(a.alert_id);
    return ids;
  }

  std::vector<Assignment> Plans() const {
    std::vector<Assignment> plans;
    for (const Output& o : out_) {
      if (const Assignment* a = std::get_if<Assignment>(&o)) plans.push_back(*a);
    }
    return plans;
  }

  const TimelineEntry& Last(const std::string& order) const { return engine_.FindOrder(order)->timeline.back(); }

  // Moves the engine's changes into store_, and returns them.
  state::WriteSet Commit() {
    state::WriteSet changes;
    engine_.CollectChanges(&changes);
    EXPECT_TRUE(store_.Commit(changes).ok());
    return changes;
  }

  Engine engine_{EngineOptions{}};
  std::vector<Output> out_;
  state::MemoryStore store_;
};

TEST_F(EngineTest, ReadyOrderIsAssignedToTheCourierOnShift) {
  SetUpRegistry();
  StartCourier("c1", kT0 + 10 * kHourMs);
  Place("o1", kT0 + 10 * kHourMs, kT0 + 11 * kHourMs);
  out_.clear();
  ASSERT_EQ(Apply(Make("ready-o1", kT0 + 10 * kHourMs + 30 * kMinuteMs, OrderReady{"o1"})).outcome,
            ApplyOutcome::kApplied);
  ASSERT_EQ(out_.size(), 1u);
  const auto& a = std::get<Assignment>(out_[0]);
  EXPECT_EQ(a.courier_id, "c1");
  EXPECT_EQ(a.plan_version, 1u);
  ASSERT_EQ(a.stops.size(), 2u);
  EXPECT_EQ(a.stops[0].kind, StopKind::kPickup);
  EXPECT_EQ(a.stops[1].kind, StopKind::kDelivery);
  EXPECT_GE(a.stops[1].arrival_ms, kT0 + 11 * kHourMs);  // waits for the window
  EXPECT_EQ(engine_.FindOrder("o1")->status, OrderStatus::kAssigned);
}

TEST_F(EngineTest, ACourierIsAtADoorFromADeliveryUntilItMovesAgain) {
  SetUpRegistry();
  const EventTimeMs t = kT0 + 10 * kHourMs;
  StartCourier("c1", t);
  Place("o1", t, t + kHourMs);
  Ready("o1", t + kMinuteMs);
  ASSERT_EQ(Apply(Make("pick-o1", t + 2 * kMinuteMs, PickedUp{"o1", "c1"})).outcome, ApplyOutcome::kApplied);
  EXPECT_FALSE(engine_.FindCourier("c1")->at_door);
  ASSERT_EQ(Apply(Make("done-o1", t + 20 * kMinuteMs, Delivered{"o1", "c1"})).outcome, ApplyOutcome::kApplied);
  EXPECT_TRUE(engine_.FindCourier("c1")->at_door);
  EXPECT_EQ(engine_.FindCourier("c1")->location, engine_.FindOrder("o1")->dropoff);
  // A ping from before the delivery does not move it, so it is still there.
  ASSERT_EQ(Apply(Make("ping-1", t + 19 * kMinuteMs, LocationUpdate{"c1", kSite})).outcome, ApplyOutcome::kApplied);
  EXPECT_TRUE(engine_.FindCourier("c1")->at_door);
  ASSERT_EQ(Apply(Make("ping-2", t + 21 * kMinuteMs, LocationUpdate{"c1", kSite})).outcome, ApplyOutcome::kApplied);
  EXPECT_FALSE(engine_.FindCourier("c1")->at_door);
}

TEST_F(EngineTest, NoCourierRaisesUnassignableAlertAndRetriesOnNewShift) {
  SetUpRegistry();
  Place("o1", kT0 + 10 * kHourMs, kT0 + 11 * kHourMs);
  out_.clear();
  Apply(Make("ready-o1", kT0 + 10 * kHourMs + 30 * kMinuteMs, OrderReady{"o1"}));
  ASSERT_EQ(out_.size(), 1u);
  const auto& alert = std::get<Alert>(out_[0]);
  EXPECT_EQ(alert.kind, AlertKind::kUnassignable);
  EXPECT_EQ(alert.severity, Severity::kCritical);  // lives alone: special difficulty
  EXPECT_EQ(engine_.FindOrder("o1")->status, OrderStatus::kUnassigned);
  out_.clear();
  StartCourier("c1", kT0 + 10 * kHourMs + 31 * kMinuteMs);
  ASSERT_EQ(out_.size(), 1u);
  EXPECT_EQ(std::get<Assignment>(out_[0]).courier_id, "c1");
  EXPECT_EQ(engine_.FindOrder("o1")->status, OrderStatus::kAssigned);
}

// Two couriers at the site; c1 already takes a meal east, and a second
// elder lives west. Returns the courier the west order goes to.
std::string WestOrderCourier(EngineOptions options) {
  Engine engine(std::move(options));
  std::vector<Output> out;
  auto apply = [&](std::string id, EventTimeMs t, EventBody body) {
    ASSERT_EQ(engine.Apply(Event{std::move(id), "area-1", t, std::move(body)}, &out).outcome,
              ApplyOutcome::kApplied);
  };
  Site site;
  site.site_id = "site-1";
  site.area_id = "area-1";
  site.location = kSite;
  site.radius_m = 5000;
  apply("s1", kT0, site);
  for (const auto& [id, home] : {std::pair{"east", GeoPoint{41.80, 123.45}}, std::pair{"west", GeoPoint{41.80, 123.41}}}) {
    Elder elder;
    elder.elder_id = id;
    elder.area_id = "area-1";
    elder.home = home;
    apply(std::string("elder-") + id, kT0, elder);
  }
  const EventTimeMs t = kT0 + 10 * kHourMs;
  for (const char* c : {"c1", "c2"}) apply(std::string("shift-") + c, t, ShiftStarted{c, TravelMode::kBike, 6, t + 4 * kHourMs, kSite});
  for (const char* elder : {"east", "west"}) {
    OrderPlaced p;
    p.order_id = std::string("o-") + elder;
    p.site_id = "site-1";
    p.elder_id = elder;
    p.window_start_ms = t;
    p.window_end_ms = t + 2 * kHourMs;
    apply("placed-" + p.order_id, t, p);
    apply("ready-" + p.order_id, t + kMinuteMs, OrderReady{p.order_id});
  }
  EXPECT_EQ(engine.FindOrder("o-east")->courier_id, "c1");
  return engine.FindOrder("o-west")->courier_id;
}

TEST(EngineObjectiveTest, TravelObjectiveSendsTheIdleCourierCouriersObjectiveKeepsItIdle) {
  EngineOptions travel;
  EXPECT_EQ(WestOrderCourier(travel), "c2") << "the idle courier adds less travel";
  EngineOptions couriers;
  couriers.insertion.minimise_couriers = true;
  EXPECT_EQ(WestOrderCourier(couriers), "c1") << "the busy courier can still take it";
}

TEST_F(EngineTest, AHigherPriorityOrderDisplacesALowerOneUnderScarcity) {
  SetUpRegistry();  // elder-1 lives alone: priority 3, must-serve
  Elder poorest;
  poorest.elder_id = "elder-2";
  poorest.area_id = "area-1";
  poorest.home = {41.7950, 123.4250};  // the other side of the site
  poorest.categories = kExtremelyPoor;  // priority 5
  ASSERT_EQ(Apply(Make("e2", kT0, poorest)).outcome, ApplyOutcome::kApplied);
  Elder neighbour;
  neighbour.elder_id = "elder-3";
  neighbour.area_id = "area-1";
  neighbour.home = kHome;
  neighbour.categories = kEmptyNest;  // priority 1
  ASSERT_EQ(Apply(Make("e3", kT0, neighbour)).outcome, ApplyOutcome::kApplied);
  const EventTimeMs t = kT0 + 10 * kHourMs;
  StartCourier("c1", t, /*capacity=*/1);
  // Both meals due within 15 minutes at doors in opposite directions: one
  // courier can serve only one of them.
  auto order = [&](std::string id, std::string elder) {
    OrderPlaced p;
    p.order_id = id;
    p.site_id = "site-1";
    p.elder_id = elder;
    p.window_start_ms = t;
    p.window_end_ms = t + 15 * kMinuteMs;
    ASSERT_EQ(Apply(Make("placed-" + id, t, p)).outcome, ApplyOutcome::kApplied);
  };
  order("low", "elder-3");
  order("high", "elder-2");
  Apply(Make("ready-low", t + kMinuteMs, OrderReady{"low"}));
  ASSERT_EQ(engine_.FindOrder("low")->status, OrderStatus::kAssigned);
  out_.clear();
  Apply(Make("ready-high", t + kMinuteMs, OrderReady{"high"}));
  EXPECT_EQ(engine_.FindOrder("high")->status, OrderStatus::kAssigned);
  EXPECT_EQ(engine_.FindOrder("high")->courier_id, "c1");
  EXPECT_EQ(engine_.FindOrder("low")->status, OrderStatus::kUnassigned);
  const Courier* c = engine_.FindCourier("c1");
  for (const RouteStop& s : c->route) EXPECT_EQ(s.order_id, "high");
  // The displaced order is not dropped silently.
  int alerts = 0;
  for (const Output& o : out_) {
    if (const Alert* a = std::get_if<Alert>(&o)) {
      EXPECT_EQ(a->order_id, "low");
      EXPECT_EQ(a->severity, Severity::kWarning) << "an empty-nest elder is not must-serve by default";
      ++alerts;
    }
  }
  EXPECT_EQ(alerts, 1);

  // The reverse never happens: a lower-priority order does not displace.
  order("low2", "elder-3");
  Apply(Make("ready-low2", t + 2 * kMinuteMs, OrderReady{"low2"}));
  EXPECT_EQ(engine_.FindOrder("high")->courier_id, "c1");
  EXPECT_EQ(engine_.FindOrder("low2")->status, OrderStatus::kUnassigned);
}

// The ledger entries among the engine's pending changes, by key.
std::map<std::string, LedgerEntry> LedgerOf(Engine& engine) {
  state::WriteSet changes;
  engine.CollectChanges(&changes);
  std::map<std::string, LedgerEntry> out;
  for (const auto& op : changes.ops()) {
    if (!op.key.starts_with(state::kLedgerPrefix)) continue;
    LedgerEntry e;
    EXPECT_TRUE(codec::DecodeLedger(op.value, &e).ok());
    out[op.key] = e;
  }
  return out;
}

TEST(EngineLedgerTest, EachDeliveryBooksOneEntryPricedByTheMostSpecificTariff) {
  EngineOptions options;
  options.tariffs = {
      Tariff{"", -1, Payment{1500, 1500, 0, 0, 0, 0}},
      Tariff{"", 3 /* living_alone */, Payment{1500, 500, 0, 1000, 0, 0}},
      Tariff{"site-1", 3, Payment{1200, 0, 200, 800, 100, 100}},
      Tariff{"", 8 /* very_old */, Payment{1500, 1000, 0, 500, 0, 0}},
  };
  Engine engine(options);
  std::vector<Output> out;
  auto apply = [&](std::string id, EventTimeMs t, EventBody body) {
    return engine.Apply(Event{std::move(id), "area-1", t, std::move(body)}, &out).outcome;
  };
  for (const char* s : {"site-1", "site-2"}) {
    Site site;
    site.site_id = s;
    site.area_id = "area-1";
    site.location = kSite;
    site.radius_m = 5000;
    apply(std::string("reg-") + s, kT0, site);
  }
  Elder elder;
  elder.elder_id = "elder-1";
  elder.area_id = "area-1";
  elder.home = kHome;
  elder.categories = kLivingAlone | kVeryOld;  // living alone ranks higher (3 > 2)
  apply("reg-e", kT0, elder);
  const EventTimeMs t = kT0 + 2 * kHourMs;  // 10:00 in China, same day
  apply("shift", t, ShiftStarted{"c1", TravelMode::kBike, 10, t + 6 * kHourMs, kSite});
  auto order = [&](std::string id, std::string site, std::uint32_t meals) {
    OrderPlaced p;
    p.order_id = id;
    p.site_id = site;
    p.elder_id = "elder-1";
    p.meals = meals;
    p.window_start_ms = t;
    p.window_end_ms = t + 3 * kHourMs;
    EXPECT_EQ(apply("placed-" + id, t, p), ApplyOutcome::kApplied);
    EXPECT_EQ(apply("ready-" + id, t, OrderReady{id}), ApplyOutcome::kApplied);
  };
  order("o1", "site-1", 2);
  order("o2", "site-2", 1);
  order("o3", "site-2", 1);
  order("o4", "site-2", 1);
  (void)LedgerOf(engine);  // the registry and plans so far: nothing booked
  EXPECT_EQ(apply("pick-o1", t + kMinuteMs, PickedUp{"o1", "c1"}), ApplyOutcome::kApplied);
  EXPECT_EQ(apply("done-o1", t + 20 * kMinuteMs, Delivered{"o1", "c1"}), ApplyOutcome::kApplied);
  EXPECT_EQ(apply("done-o2", t + 25 * kMinuteMs, Delivered{"o2", "c1"}), ApplyOutcome::kApplied);
  EXPECT_EQ(apply("fail-o3", t + 26 * kMinuteMs, DeliveryFailed{"o3", "c1", FailureReason::kRefused}),
            ApplyOutcome::kApplied);
  EXPECT_EQ(apply("cancel-o4", t + 27 * kMinuteMs, OrderCancelled{"o4", "not hungry"}), ApplyOutcome::kApplied);
  EXPECT_EQ(apply("done-o2", t + 25 * kMinuteMs, Delivered{"o2", "c1"}), ApplyOutcome::kDuplicate);
  const auto ledger = LedgerOf(engine);
  ASSERT_EQ(ledger.size(), 2u) << "failed and cancelled orders book nothing";
  const LedgerEntry& one = ledger.at(state::LedgerKey("2025-11-30", "site-1", "o1"));
  EXPECT_EQ(one.category, "living_alone");
  EXPECT_EQ(one.meals, 2u);
  EXPECT_EQ(one.amount.price_fen, 2400) << "site-1's own tariff, two meals";
  EXPECT_EQ(one.amount.government_fen, 1600);
  EXPECT_EQ(one.amount.charity_fen, 200);
  const LedgerEntry& two = ledger.at(state::LedgerKey("2025-11-30", "site-2", "o2"));
  EXPECT_EQ(two.amount.government_fen, 1000) << "any site, living alone";
  EXPECT_EQ(two.amount.individual_fen, 500);
  EXPECT_EQ(two.amount.SharesFen(), two.amount.price_fen);
}

TEST(EngineSiteRulesTest, ClosedFullAndOutOfRadiusOrdersAreRejectedWithAReason) {
  auto run = [](bool reject_outside_radius) {
    EngineOptions options;
    options.reject_outside_radius = reject_outside_radius;
    auto engine = std::make_unique<Engine>(options);
    std::vector<Output> out;
    Site site;
    site.site_id = "site-1";
    site.area_id = "area-1";
    site.location = kSite;
    site.radius_m = 1000;
    site.opens_min = 10 * 60 + 30;  // 10:30-13:00 local
    site.closes_min = 13 * 60;
    site.daily_capacity = 2;
    EXPECT_EQ(engine->Apply(Event{"s", "area-1", kT0, site}, &out).outcome, ApplyOutcome::kApplied);
    for (const auto& [id, home] : {std::pair{"near", kHome}, std::pair{"far", GeoPoint{41.83, 123.43}}}) {
      Elder elder;
      elder.elder_id = id;
      elder.area_id = "area-1";
      elder.home = home;
      EXPECT_EQ(engine->Apply(Event{std::string("e-") + id, "area-1", kT0, elder}, &out).outcome,
                ApplyOutcome::kApplied);
    }
    out.clear();
    // kT0 is 08:00 in China; 11:00 local is kT0 + 3 h.
    auto place = [&](std::string id, std::string elder, EventTimeMs window_start) {
      OrderPlaced p;
      p.order_id = id;
      p.site_id = "site-1";
      p.elder_id = elder;
      p.window_start_ms = window_start;
      p.window_end_ms = window_start + kHourMs;
      EXPECT_EQ(engine->Apply(Event{"placed-" + id, "area-1", kT0, p}, &out).outcome, ApplyOutcome::kApplied);
    };
    place("early", "near", kT0 + 2 * kHourMs);           // 10:00: before opening
    place("lunch-1", "near", kT0 + 3 * kHourMs);         // 11:00
    place("far-away", "far", kT0 + 3 * kHourMs);         // 3.3 km out, radius 1 km
    place("lunch-2", "near", kT0 + 3 * kHourMs + 1);     // the day's second (or third) order
    place("next-day", "near", kT0 + 27 * kHourMs);       // tomorrow 11:00: a new day's capacity
    return std::pair{std::move(engine), out};
  };

  auto [engine, out] = run(/*reject_outside_radius=*/false);
  std::map<std::string, std::pair<AlertKind, std::string>> alerts;
  for (const Output& o : out) {
    const Alert& a = std::get<Alert>(o);
    alerts[a.order_id] = {a.kind, a.reason};
  }
  EXPECT_EQ(engine->FindOrder("early")->status, OrderStatus::kRejected);
  EXPECT_EQ(alerts["early"].first, AlertKind::kOrderRejected);
  EXPECT_EQ(alerts["early"].second, "site site-1 is closed for a delivery from 10:00 (open 10:30-13:00)");
  EXPECT_EQ(engine->FindOrder("lunch-1")->status, OrderStatus::kPlaced);
  EXPECT_EQ(engine->FindOrder("far-away")->status, OrderStatus::kPlaced) << "by default taken, with an alert";
  EXPECT_EQ(alerts["far-away"].first, AlertKind::kOutsideRadius);
  EXPECT_NE(alerts["far-away"].second.find("beyond its 1000 m service radius"), std::string::npos);
  EXPECT_EQ(engine->FindOrder("lunch-2")->status, OrderStatus::kRejected);
  EXPECT_EQ(alerts["lunch-2"].second, "site site-1 is full on 2025-11-30 (2 orders a day)");
  EXPECT_EQ(engine->FindOrder("next-day")->status, OrderStatus::kPlaced);
  EXPECT_EQ(alerts.size(), 3u);

  auto [strict, strict_out] = run(/*reject_outside_radius=*/true);
  EXPECT_EQ(strict->FindOrder("far-away")->status, OrderStatus::kRejected);
  EXPECT_EQ(strict->FindOrder("lunch-2")->status, OrderStatus::kPlaced) << "the rejected order took no capacity";

  // A restart rebuilds the day's count from the stored orders.
  state::MemoryStore store;
  state::WriteSet changes;
  engine->CollectChanges(&changes);
  ASSERT_TRUE(store.Commit(changes).ok());
  EngineOptions options;
  Engine restarted(options);
  ASSERT_TRUE(restarted.Load(store).ok());
  std::vector<Output> more;
  OrderPlaced p;
  p.order_id = "lunch-3";
  p.site_id = "site-1";
  p.elder_id = "near";
  p.window_start_ms = kT0 + 3 * kHourMs;
  p.window_end_ms = p.window_start_ms + kHourMs;
  EXPECT_EQ(restarted.Apply(Event{"placed-lunch-3", "area-1", kT0, p}, &more).outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(restarted.FindOrder("lunch-3")->status, OrderStatus::kRejected) << "still full after a restart";
}

TEST_F(EngineTest, AHotMealOnBoardRunningLateRaisesAFoodSafetyRiskOnce) {
  SetUpRegistry();
  const EventTimeMs t = kT0 + 10 * kHourMs;
  StartCourier("c1", t);
  Place("o1", t, t);  // hot by default: 45 min from pickup to door
  Place("o2", t, t);
  Apply(Make("r1", t + kMinuteMs, OrderReady{"o1"}));
  Apply(Make("r2", t + kMinuteMs, OrderReady{"o2"}));
  ASSERT_EQ(engine_.FindOrder("o1")->courier_id, "c1");
  ASSERT_EQ(engine_.FindOrder("o2")->courier_id, "c1");
  ASSERT_EQ(Apply(Make("u1", t + 2 * kMinuteMs, PickedUp{"o1", "c1"})).outcome, ApplyOutcome::kApplied);
  out_.clear();
  // A ping from nearby changes nothing.
  ASSERT_EQ(Apply(Make("loc0", t + 5 * kMinuteMs, LocationUpdate{"c1", kHome})).outcome, ApplyOutcome::kApplied);
  EXPECT_TRUE(out_.empty());
  // c1 turns up 20 km away (a wrong turn, a flat tyre): o1 on board cannot
  // make it; o2 is still at the kitchen, and its ride has not begun.
  const GeoPoint astray{41.98, 123.43};
  ASSERT_EQ(Apply(Make("loc1", t + 20 * kMinuteMs, LocationUpdate{"c1", astray})).outcome, ApplyOutcome::kApplied);
  std::map<std::string, const Alert*> risks;
  for (const Output& o : out_) {
    if (const Alert* a = std::get_if<Alert>(&o); a && a->kind == AlertKind::kFoodSafetyRisk) risks[a->order_id] = a;
  }
  ASSERT_EQ(risks.size(), 1u);
  ASSERT_TRUE(risks.contains("o1"));
  EXPECT_EQ(risks["o1"]->severity, Severity::kCritical);
  EXPECT_NE(risks["o1"]->reason.find("on board with courier c1"), std::string::npos) << risks["o1"]->reason;
  EXPECT_NE(risks["o1"]->reason.find("over its 45 min limit"), std::string::npos) << risks["o1"]->reason;
  // The next ping changes nothing: the alert is raised once.
  out_.clear();
  Apply(Make("loc2", t + 21 * kMinuteMs, LocationUpdate{"c1", astray}));
  for (const Output& o : out_) {
    if (const Alert* a = std::get_if<Alert>(&o)) {
      EXPECT_NE(a->kind, AlertKind::kFoodSafetyRisk) << a->alert_id;
    }
  }
}

TEST_F(EngineTest, ACourierFallingBehindHandsOverWhatItHasNotCollectedElseALateRiskIsRaised) {
  SetUpRegistry();
  const EventTimeMs t = kT0 + 10 * kHourMs;
  StartCourier("c1", t);
  Place("o1", t, t + 20 * kMinuteMs);  // window until 11:20
  Place("o2", t, t + 20 * kMinuteMs);
  Ready("o1", t + kMinuteMs);
  Ready("o2", t + kMinuteMs);
  ASSERT_EQ(engine_.FindOrder("o1")->courier_id, "c1");
  ASSERT_EQ(Apply(Make("u1", t + 2 * kMinuteMs, PickedUp{"o1", "c1"})).outcome, ApplyOutcome::kApplied);
  StartCourier("c2", t + 3 * kMinuteMs);
  // c1 turns up 20 km away: neither door can be reached in time by c1. o2
  // is still at the kitchen, so c2 takes it; o1 is on board and can only
  // be late.
  out_.clear();
  const GeoPoint astray{41.98, 123.43};
  ASSERT_EQ(Apply(Make("loc1", t + 4 * kMinuteMs, LocationUpdate{"c1", astray})).outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(engine_.FindOrder("o2")->courier_id, "c2");
  EXPECT_EQ(Last("o2").note, "c2 (re-planned: courier c1 is running late)");
  std::vector<Alert> late;
  for (const Alert& a : Alerts()) {
    if (a.kind == AlertKind::kLateRisk) late.push_back(a);
  }
  ASSERT_EQ(late.size(), 1u);
  EXPECT_EQ(late[0].alert_id, "late/o1");
  EXPECT_EQ(late[0].severity, Severity::kCritical) << "elder-1 lives alone: must-serve";
  EXPECT_NE(late[0].reason.find("the meal is on board"), std::string::npos) << late[0].reason;
  // Both couriers' new plans were published.
  std::set<std::string> replanned;
  for (const Assignment& p : Plans()) replanned.insert(p.courier_id);
  EXPECT_EQ(replanned, (std::set<std::string>{"c1", "c2"}));
  // Raised once.
  out_.clear();
  ASSERT_EQ(Apply(Make("loc2", t + 5 * kMinuteMs, LocationUpdate{"c1", astray})).outcome, ApplyOutcome::kApplied);
  for (const Alert& a : Alerts()) EXPECT_NE(a.kind, AlertKind::kLateRisk) << a.alert_id;
}

TEST_F(EngineTest, BoxCapacityLimitsAssignments) {
  SetUpRegistry();
  StartCourier("c1", kT0 + 10 * kHourMs, /*capacity=*/1);
  Place("o1", kT0 + 10 * kHourMs, kT0 + 11 * kHourMs);
  Place("o2", kT0 + 10 * kHourMs, kT0 + 11 * kHourMs);
  Apply(Make("r1", kT0 + 10 * kHourMs + 30 * kMinuteMs, OrderReady{"o1"}));
  Apply(Make("r2", kT0 + 10 * kHourMs + 30 * kMinuteMs, OrderReady{"o2"}));
  // One box: the second meal can only go after the first is delivered.
  const Courier* c = engine_.FindCourier("c1");
  ASSERT_EQ(c->route.size(), 4u);
  EXPECT_EQ(c->route[0].kind, StopKind::kPickup);
  EXPECT_EQ(c->route[1].kind, StopKind::kDelivery);
  EXPECT_EQ(c->route[0].order_id, c->route[1].order_id);
}

TEST_F(EngineTest, UnassignedOrderIsRetriedWhenACourierFinishesEarly) {
  SetUpRegistry();
  StartCourier("c1", kT0 + 10 * kHourMs, /*capacity=*/2);
  // o1 fills the box and may not be handed over before 11:30.
  OrderPlaced big;
  big.order_id = "o1";
  big.site_id = "site-1";
  big.elder_id = "elder-1";
  big.meals = 2;
  big.meal_class = MealClass::kChilled;
  big.window_start_ms = kT0 + 11 * kHourMs + 30 * kMinuteMs;
  big.window_end_ms = kT0 + 12 * kHourMs + 30 * kMinuteMs;
  ASSERT_EQ(Apply(Make("p1", kT0 + 10 * kHourMs, big)).outcome, ApplyOutcome::kApplied);
  Apply(Make("r1", kT0 + 10 * kHourMs + 30 * kMinuteMs, OrderReady{"o1"}));
  ASSERT_EQ(Apply(Make("u1", kT0 + 10 * kHourMs + 35 * kMinuteMs, PickedUp{"o1", "c1"})).outcome,
            ApplyOutcome::kApplied);
  // o2 is due 11:00-11:20: impossible while o1 occupies the box until 11:30.
  OrderPlaced small;
  small.order_id = "o2";
  small.site_id = "site-1";
  small.elder_id = "elder-1";
  small.window_start_ms = kT0 + 11 * kHourMs;
  small.window_end_ms = kT0 + 11 * kHourMs + 20 * kMinuteMs;
  ASSERT_EQ(Apply(Make("p2", kT0 + 10 * kHourMs, small)).outcome, ApplyOutcome::kApplied);
  Apply(Make("r2", kT0 + 10 * kHourMs + 40 * kMinuteMs, OrderReady{"o2"}));
  ASSERT_EQ(engine_.FindOrder("o2")->status, OrderStatus::kUnassigned);
  // The elder takes o1 early: the courier is free, and o2 is planned at once.
  out_.clear();
  ASSERT_EQ(Apply(Make("d1", kT0 + 10 * kHourMs + 50 * kMinuteMs, Delivered{"o1", "c1"})).outcome,
            ApplyOutcome::kApplied);
  ASSERT_EQ(out_.size(), 1u);
  const auto& plan = std::get<Assignment>(out_[0]);
  EXPECT_EQ(plan.trigger_order_id, "o2");
  ASSERT_EQ(plan.stops.size(), 2u);
  EXPECT_LE(plan.stops[1].arrival_ms, small.window_end_ms);
  EXPECT_EQ(engine_.FindOrder("o2")->status, OrderStatus::kAssigned);
}

TEST(EngineReoptimizeTest, MovesAWaitingOrderToANewlyArrivedCourierOnTheTimer) {
  EngineOptions options;
  options.reoptimize_interval_ms = kMinuteMs;
  Engine engine(options);
  std::vector<Output> out;
  auto apply = [&](std::string id, EventTimeMs t, EventBody body) {
    return engine.Apply(Event{std::move(id), "area-1", t, std::move(body)}, &out).outcome;
  };
  const EventTimeMs t0 = kT0 + 10 * kHourMs;
  ASSERT_EQ(apply("s", t0, Site{"site-1", "area-1", "", "", kSite, 3000, 0}), ApplyOutcome::kApplied);
  ASSERT_EQ(apply("c1", t0, ShiftStarted{"c1", TravelMode::kBike, 6, t0 + 4 * kHourMs, kSite}),
            ApplyOutcome::kApplied);
  // Two orders to opposite sides of the site: c1 takes both.
  auto place = [&](std::string id, GeoPoint where) {
    OrderPlaced p;
    p.order_id = id;
    p.site_id = "site-1";
    p.elder_id = "e-" + id;
    p.has_delivery_location = true;
    p.delivery_location = where;
    p.window_start_ms = t0 + 30 * kMinuteMs;
    p.window_end_ms = t0 + 3 * kHourMs;
    p.meal_class = MealClass::kFrozen;  // no ride limit: the test is about travel
    ASSERT_EQ(apply("p-" + id, t0 + kSecondMs, p), ApplyOutcome::kApplied);
    ASSERT_EQ(apply("r-" + id, t0 + 2 * kSecondMs, OrderReady{id}), ApplyOutcome::kApplied);
  };
  place("east", {kSite.lat, kSite.lon + 0.03});
  place("west", {kSite.lat, kSite.lon - 0.03});
  ASSERT_EQ(engine.FindOrder("east")->courier_id, "c1");
  ASSERT_EQ(engine.FindOrder("west")->courier_id, "c1");
  // c2 arrives at the site; nothing moves until the timer fires.
  ASSERT_EQ(apply("c2", t0 + 3 * kSecondMs, ShiftStarted{"c2", TravelMode::kBike, 6, t0 + 4 * kHourMs, kSite}),
            ApplyOutcome::kApplied);
  out.clear();
  ASSERT_EQ(apply("ping", t0 + kMinuteMs + kSecondMs, LocationUpdate{"c2", kSite}), ApplyOutcome::kApplied);
  // One of the orders, not the one c1 is about to collect, now goes with c2.
  const Courier* c1 = engine.FindCourier("c1");
  const Courier* c2 = engine.FindCourier("c2");
  ASSERT_EQ(c2->route.size(), 2u);
  ASSERT_EQ(c1->route.size(), 2u);
  EXPECT_EQ(c1->route.front().order_id, c1->route.back().order_id);
  EXPECT_EQ(engine.FindOrder(c2->route.front().order_id)->courier_id, "c2");
  std::set<std::string> replanned;
  for (const Output& o : out) replanned.insert(std::get<Assignment>(o).courier_id);
  EXPECT_EQ(replanned, (std::set<std::string>{"c1", "c2"}));
}

TEST_F(EngineTest, DuplicateEventIdIsIgnored) {
  SetUpRegistry();
  Place("o1", kT0 + 10 * kHourMs, kT0 + 11 * kHourMs);
  OrderPlaced again;
  again.order_id = "o1";
  EXPECT_EQ(Apply(Make("placed-o1", kT0 + 10 * kHourMs, again)).outcome, ApplyOutcome::kDuplicate);
}

TEST_F(EngineTest, RejectedEventChangesNothing) {
  SetUpRegistry();
  state::WriteSet before;
  engine_.CollectChanges(&before);
  const ApplyResult r = Apply(Make("ready-x", kT0 + kHourMs, OrderReady{"missing"}));
  EXPECT_EQ(r.outcome, ApplyOutcome::kRejected);
  EXPECT_NE(r.reason.find("unknown order"), std::string::npos);
  state::WriteSet after;
  engine_.CollectChanges(&after);
  EXPECT_TRUE(after.empty());
  // The same id may still be used by a valid event later: it was not recorded.
  StartCourier("c1", kT0 + kHourMs);
  LocationUpdate loc{"c1", kHome};
  EXPECT_EQ(Apply(Make("ready-x", kT0 + kHourMs, loc)).outcome, ApplyOutcome::kApplied);
}

TEST_F(EngineTest, NoAnswerRaisesWellnessCheck) {
  SetUpRegistry();
  StartCourier("c1", kT0 + 10 * kHourMs);
  Place("o1", kT0 + 10 * kHourMs, kT0 + 11 * kHourMs);
  Apply(Make("r1", kT0 + 10 * kHourMs + 30 * kMinuteMs, OrderReady{"o1"}));
  ASSERT_EQ(Apply(Make("p1", kT0 + 10 * kHourMs + 40 * kMinuteMs, PickedUp{"o1", "c1"})).outcome, ApplyOutcome::kApplied);
  out_.clear();
  Apply(Make("f1", kT0 + 11 * kHourMs, DeliveryFailed{"o1", "c1", FailureReason::kNoAnswer}));
  ASSERT_EQ(out_.size(), 1u);
  const auto& alert = std::get<Alert>(out_[0]);
  EXPECT_EQ(alert.kind, AlertKind::kWellnessCheck);
  EXPECT_EQ(alert.severity, Severity::kCritical);
  EXPECT_EQ(engine_.FindOrder("o1")->status, OrderStatus::kFailed);
  EXPECT_TRUE(engine_.FindCourier("c1")->route.empty());
}

TEST_F(EngineTest, PickupByAnotherCourierIsRejected) {
  SetUpRegistry();
  StartCourier("c1", kT0 + 10 * kHourMs);
  Place("o1", kT0 + 10 * kHourMs, kT0 + 11 * kHourMs);
  Apply(Make("r1", kT0 + 10 * kHourMs + 30 * kMinuteMs, OrderReady{"o1"}));
  EXPECT_EQ(Apply(Make("p1", kT0 + 10 * kHourMs + 40 * kMinuteMs, PickedUp{"o1", "c2"})).outcome,
            ApplyOutcome::kRejected);
}

TEST_F(EngineTest, StateSurvivesReloadFromStore) {
  SetUpRegistry();
  StartCourier("c1", kT0 + 10 * kHourMs);
  Place("o1", kT0 + 10 * kHourMs, kT0 + 11 * kHourMs);
  Apply(Make("r1", kT0 + 10 * kHourMs + 30 * kMinuteMs, OrderReady{"o1"}));
  state::MemoryStore store;
  state::WriteSet changes;
  engine_.CollectChanges(&changes);
  ASSERT_TRUE(store.Commit(changes).ok());

  Engine reloaded{EngineOptions{}};
  ASSERT_TRUE(reloaded.Load(store).ok());
  EXPECT_EQ(reloaded.FindOrder("o1")->status, OrderStatus::kAssigned);
  EXPECT_EQ(reloaded.FindCourier("c1")->route, engine_.FindCourier("c1")->route);
  // Duplicate suppression survives too.
  std::vector<Output> out;
  EXPECT_EQ(reloaded.Apply(Make("r1", kT0 + 10 * kHourMs + 30 * kMinuteMs, OrderReady{"o1"}), &out).outcome,
            ApplyOutcome::kDuplicate);
}

TEST_F(EngineTest, SameInputGivesSameOutputs) {
  auto run = [&](Engine& engine) {
    std::vector<Output> out;
    std::vector<Event> events;
    Site site{"site-1", "area-1", "", "", kSite, 2000, 0};
    events.push_back(Make("s", kT0, site));
    for (int c = 0; c < 5; ++c) {
      events.push_back(Make("sh" + std::to_string(c), kT0 + 10 * kHourMs,
                            ShiftStarted{"c" + std::to_string(c), TravelMode::kBike, 4, kT0 + 14 * kHourMs,
                                         {kSite.lat + 0.001 * c, kSite.lon}}));
    }
    for (int o = 0; o < 30; ++o) {
      OrderPlaced p;
      // Appended, not "o" + std::to_string(o): GCC 12 warns wrongly about
      // the inlined insert at 0 (-Wrestrict, GCC bug 105651).
      p.order_id = std::string("o").append(std::to_string(o));
      p.site_id = "site-1";
      p.elder_id = std::string("e").append(std::to_string(o));
      p.has_delivery_location = true;
      p.delivery_location = {kSite.lat + 0.0005 * (o % 7), kSite.lon + 0.0007 * (o % 5)};
      p.window_start_ms = kT0 + 11 * kHourMs + (o % 4) * 15 * kMinuteMs;
      p.window_end_ms = p.window_start_ms + kHourMs;
      events.push_back(Make(std::string("p").append(std::to_string(o)), kT0 + 10 * kHourMs + o * kSecondMs, p));
      events.push_back(Make(std::string("r").append(std::to_string(o)),
                            kT0 + 10 * kHourMs + 20 * kMinuteMs + o * kSecondMs,
                            OrderReady{p.order_id}));
    }
    for (const Event& e : events) engine.Apply(e, &out);
    state::WriteSet ws;
    engine.CollectChanges(&ws);
    std::string dump;
    for (const auto& op : ws.ops()) dump += op.key + "=" + op.value + ";";
    return std::make_pair(out.size(), dump);
  };
  Engine a{EngineOptions{}}, b{EngineOptions{}};
  const auto ra = run(a);
  const auto rb = run(b);
  EXPECT_GT(ra.first, 0u);
  EXPECT_EQ(ra, rb);
}


// ---- elder care ----

constexpr EventTimeMs kT = kT0 + 2 * kHourMs;  // 10:00 in China, Sunday 2025-11-30
const GeoPoint kNorth300m{41.8027, 123.4300};
const GeoPoint kNorth1km{41.8090, 123.4300};
const GeoPoint kNorth2km{41.8180, 123.4300};

// The state changes as one string, for comparing runs.
std::string Dump(Engine& engine) {
  state::WriteSet ws;
  engine.CollectChanges(&ws);
  std::string dump;
  for (const auto& op : ws.ops()) dump += op.key + "=" + op.value + ";";
  return dump;
}

std::vector<std::string> Encoded(const std::vector<Output>& outputs) {
  std::vector<std::string> encoded;
  for (const Output& o : outputs) {
    const Alert* alert = std::get_if<Alert>(&o);
    encoded.emplace_back(alert ? "alert " : "plan ");
    encoded.back() += alert ? codec::EncodeAlert(*alert) : codec::EncodeAssignment(std::get<Assignment>(o));
  }
  return encoded;
}

// The engine's pending changes, committed to a store a new engine loads.
std::unique_ptr<Engine> Reload(Engine& engine, state::MemoryStore& store, EngineOptions options = {}) {
  state::WriteSet changes;
  engine.CollectChanges(&changes);
  EXPECT_TRUE(store.Commit(changes).ok());
  auto reloaded = std::make_unique<Engine>(std::move(options));
  EXPECT_TRUE(reloaded->Load(store).ok());
  return reloaded;
}

// ---- paired helpers ----

// Helper h1 (team t1, 2 km out) takes elder-h's order o1; c3 of the same
// team is 1 km out and c1, of no team, at the site.
void EngineTest::HelperWithATeamMateTakesO1() {
  SetUpRegistry();
  AddElder("elder-h", kHome, kLivingAlone, "h1");
  StartAt("c1", kT, kSite);
  StartAt("c3", kT, kNorth1km, "t1");
  StartAt("h1", kT, kNorth2km, "t1");
  PlaceFor("o1", "elder-h", kT, kT + 30 * kMinuteMs, 90 * kMinuteMs);
  Ready("o1", kT + kMinuteMs);
  ASSERT_EQ(engine_.FindOrder("o1")->courier_id, "h1");
}

TEST_F(EngineTest, PairedHelperTakesTheElderEvenWhenAnotherCourierIsCloser) {
  SetUpRegistry();
  AddElder("elder-h", kHome, kLivingAlone, "h1");
  StartAt("c1", kT, kSite);
  StartAt("h1", kT, kNorth2km, "t1");
  PlaceFor("o1", "elder-h", kT, kT + 30 * kMinuteMs, 90 * kMinuteMs);
  PlaceFor("o2", "elder-1", kT, kT + 30 * kMinuteMs, 90 * kMinuteMs);
  Ready("o2", kT + kMinuteMs);
  out_.clear();
  Ready("o1", kT + kMinuteMs);
  const Order* o1 = engine_.FindOrder("o1");
  EXPECT_EQ(o1->courier_id, "h1");
  EXPECT_TRUE(o1->pinned);
  EXPECT_EQ(o1->timeline.back().status, OrderStatus::kAssigned);
  EXPECT_EQ(o1->timeline.back().note, "h1 (paired helper)");
  EXPECT_EQ(engine_.FindOrder("o2")->courier_id, "c1") << "no helper: the plan-wide choice";
  EXPECT_FALSE(engine_.FindOrder("o2")->pinned);
  EXPECT_EQ(Last("o2").note, "c1");
  const auto plans = Plans();
  ASSERT_EQ(plans.size(), 1u);
  EXPECT_EQ(plans[0].courier_id, "h1");
  EXPECT_EQ(plans[0].trigger_order_id, "o1");

  // Re-optimisation would save travel by giving o1 to c1, at the site and
  // bound for the same door; the pin keeps it with the helper.
  TickAt(kT + 5 * kMinuteMs);
  EXPECT_EQ(engine_.FindOrder("o1")->courier_id, "h1");
  EXPECT_EQ(engine_.FindCourier("h1")->route,
            (std::vector<RouteStop>{{StopKind::kPickup, "o1"}, {StopKind::kDelivery, "o1"}}));
}

TEST_F(EngineTest, HelperWhoCannotTakeTheOrderHandsItToTheTeamFirst) {
  SetUpRegistry();
  AddElder("elder-h", kHome, kLivingAlone, "h1");
  StartAt("c1", kT, kSite);
  StartAt("c3", kT, kNorth1km, "t1");
  StartAt("h1", kT, kSite, "t1", /*capacity=*/1);
  PlaceFor("o1", "elder-h", kT, kT + 30 * kMinuteMs, 90 * kMinuteMs, {}, /*meals=*/2);
  Ready("o1", kT + kMinuteMs);
  const Order* o1 = engine_.FindOrder("o1");
  EXPECT_EQ(o1->courier_id, "c3") << "the helper's box is too small; c1 is closer but not in the team";
  EXPECT_TRUE(o1->pinned);
  EXPECT_EQ(o1->timeline.back().note, "c3 (paired helper h1 cannot take it; team t1)");
  // c1, at the site, would save travel; the next re-optimisation must not
  // undo the team choice.
  TickAt(kT + 5 * kMinuteMs);
  EXPECT_EQ(engine_.FindOrder("o1")->courier_id, "c3");
}

TEST_F(EngineTest, HelperEndingShiftReleasesThePinnedOrderToTheTeam) {
  HelperWithATeamMateTakesO1();
  out_.clear();
  ASSERT_EQ(Apply(Make("end-h1", kT + kMinuteMs + kSecondMs, ShiftEnded{"h1"})).outcome, ApplyOutcome::kApplied);
  const Order* o1 = engine_.FindOrder("o1");
  EXPECT_EQ(o1->courier_id, "c3");
  EXPECT_TRUE(o1->pinned);
  ASSERT_GE(o1->timeline.size(), 2u);
  const TimelineEntry& released = o1->timeline[o1->timeline.size() - 2];
  EXPECT_EQ(released.status, OrderStatus::kReady);
  EXPECT_EQ(released.note, "courier h1 ended shift");
  EXPECT_EQ(o1->timeline.back().note, "c3 (paired helper h1 cannot take it; team t1)");
  EXPECT_TRUE(engine_.FindCourier("h1")->route.empty());
  const auto plans = Plans();
  ASSERT_EQ(plans.size(), 2u);
  EXPECT_EQ(plans[0].courier_id, "h1");
  EXPECT_TRUE(plans[0].stops.empty());
  EXPECT_EQ(plans[1].courier_id, "c3");
}

TEST_F(EngineTest, WithoutTeamFallbackAHelperlessOrderGoesToTheBestCourier) {
  EngineOptions options;
  options.helper_fallback_team = false;
  Reset(options);
  HelperWithATeamMateTakesO1();
  ASSERT_EQ(Apply(Make("end-h1", kT + kMinuteMs + kSecondMs, ShiftEnded{"h1"})).outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(engine_.FindOrder("o1")->courier_id, "c1");
  EXPECT_EQ(Last("o1").note, "c1");
}

// ---- continuity ----

// c2 delivers to elder-1, then moves to `c2_at`; c1 waits at the site. The
// courier elder-1's next order goes to, and its note.
std::pair<std::string, std::string> NextCourier(GeoPoint c2_at, DurationMs tolerance) {
  EngineOptions options;
  options.continuity_tolerance_ms = tolerance;
  Engine engine(options);
  std::vector<Output> out;
  auto apply = [&](std::string id, EventTimeMs t, EventBody body) {
    ASSERT_EQ(engine.Apply(Event{std::move(id), "area-1", t, std::move(body)}, &out).outcome,
              ApplyOutcome::kApplied)
        << id;
  };
  apply("s1", kT0, Site{"site-1", "area-1", "", "", kSite, 5000, 0});
  apply("e1", kT0, Elder{"elder-1", "area-1", kHome, kLivingAlone, "", ""});
  apply("shift-c2", kT, ShiftStarted{"c2", TravelMode::kBike, 6, kT + 4 * kHourMs, kSite});
  for (const char* id : {"o1", "o2"}) {
    OrderPlaced p;
    p.order_id = id;
    p.site_id = "site-1";
    p.elder_id = "elder-1";
    p.window_start_ms = kT + 30 * kMinuteMs;
    p.window_end_ms = kT + 2 * kHourMs;
    apply(std::string("placed-") + id, kT, p);
  }
  apply("ready-o1", kT + kMinuteMs, OrderReady{"o1"});
  EXPECT_EQ(engine.FindOrder("o1")->courier_id, "c2");
  apply("pick-o1", kT + 2 * kMinuteMs, PickedUp{"o1", "c2"});
  apply("done-o1", kT + 10 * kMinuteMs, Delivered{"o1", "c2"});
  apply("shift-c1", kT + 11 * kMinuteMs, ShiftStarted{"c1", TravelMode::kBike, 6, kT + 4 * kHourMs, kSite});
  apply("loc-c2", kT + 12 * kMinuteMs, LocationUpdate{"c2", c2_at});
  apply("ready-o2", kT + 12 * kMinuteMs + kSecondMs, OrderReady{"o2"});
  const Order* o2 = engine.FindOrder("o2");
  return {o2->courier_id, o2->timeline.back().note};
}

TEST(EngineContinuityTest, TheLastCourierKeepsTheElderWhenItCostsLittleMoreTravel) {
  // 300 m from the site is about 2 min more by bike: within the 3 min default.
  EXPECT_EQ(NextCourier(kNorth300m, 3 * kMinuteMs), (std::pair<std::string, std::string>{"c2", "c2 (served this elder last time)"}));
  EXPECT_EQ(NextCourier(kNorth300m, 0), (std::pair<std::string, std::string>{"c1", "c1"})) << "0 disables continuity";
  // 2 km out is over 12 min more: the plan-wide choice.
  EXPECT_EQ(NextCourier(kNorth2km, 3 * kMinuteMs), (std::pair<std::string, std::string>{"c1", "c1"}));
}

// ---- hub households ----

TEST_F(EngineTest, HubHouseholdOrdersShareOneStopAtTheKitchenAndTheDoor) {
  SetUpRegistry();
  AddElder("elder-a", kHome, 0, "", "hh-1");
  AddElder("elder-b", kHome, 0, "", "hh-1");
  StartAt("c1", kT, kSite);
  StartAt("c2", kT, kSite);
  PlaceFor("oa", "elder-a", kT, kT + 30 * kMinuteMs, kHourMs);
  PlaceFor("ob", "elder-b", kT, kT + 45 * kMinuteMs, kHourMs);
  PlaceFor("oc", "elder-b", kT, kT + 3 * kHourMs, kHourMs);  // a later meal: windows do not overlap
  Ready("oa", kT + kMinuteMs);
  ASSERT_EQ(engine_.FindOrder("oa")->courier_id, "c1");
  out_.clear();
  Ready("ob", kT + kMinuteMs + kSecondMs);
  const Order* ob = engine_.FindOrder("ob");
  EXPECT_EQ(ob->courier_id, "c1");
  EXPECT_EQ(ob->timeline.back().note, "c1 (hub household hh-1, one stop with oa)");
  EXPECT_TRUE(ob->pinned);
  EXPECT_TRUE(engine_.FindOrder("oa")->pinned) << "the sibling stays too";
  EXPECT_EQ(engine_.FindCourier("c1")->route,
            (std::vector<RouteStop>{{StopKind::kPickup, "oa"},
                                    {StopKind::kPickup, "ob"},
                                    {StopKind::kDelivery, "oa"},
                                    {StopKind::kDelivery, "ob"}}));
  const auto plans = Plans();
  ASSERT_EQ(plans.size(), 1u);
  const Assignment& plan = plans[0];
  EXPECT_EQ(plan.trigger_order_id, "ob");
  ASSERT_EQ(plan.stops.size(), 4u);
  EXPECT_EQ(plan.stops[0].stop_index, 0u);
  EXPECT_EQ(plan.stops[1].stop_index, 0u);
  EXPECT_EQ(plan.stops[2].stop_index, 1u);
  EXPECT_EQ(plan.stops[3].stop_index, 1u);
  EXPECT_EQ(plan.stops[0].departure_ms - plan.stops[0].arrival_ms, 2 * kMinuteMs);
  EXPECT_EQ(plan.stops[1].arrival_ms, plan.stops[0].departure_ms) << "no walk, no second pickup time";
  EXPECT_EQ(plan.stops[1].departure_ms, plan.stops[1].arrival_ms);
  EXPECT_EQ(plan.stops[3].arrival_ms, std::max(plan.stops[2].departure_ms, kT + 45 * kMinuteMs));
  EXPECT_EQ(plan.stops[3].departure_ms - plan.stops[3].arrival_ms, kMinuteMs) << "hub_handover_ms";

  Ready("oc", kT + 2 * kMinuteMs);
  const Order* oc = engine_.FindOrder("oc");
  EXPECT_EQ(oc->status, OrderStatus::kAssigned);
  EXPECT_FALSE(oc->pinned) << "no overlapping sibling: an ordinary order";
  EXPECT_EQ(oc->timeline.back().note.find("hub household"), std::string::npos);
}

// A hub pair (elders a and b, empty nest) on c1 with windows of
// `pair_minutes`, then a meal for an extremely poor elder west of the site,
// due within `x_minutes`, that fits only where the pair is. Returns the
// engine and the outputs of the last order.
std::pair<std::unique_ptr<Engine>, std::vector<Output>> HubPairThenUrgentOrder(int pair_minutes, int x_minutes,
                                                                               std::uint32_t capacity) {
  auto engine = std::make_unique<Engine>(EngineOptions{});
  std::vector<Output> out;
  auto apply = [&](std::string id, EventTimeMs t, EventBody body) {
    EXPECT_EQ(engine->Apply(Event{std::move(id), "area-1", t, std::move(body)}, &out).outcome, ApplyOutcome::kApplied);
  };
  apply("s1", kT0, Site{"site-1", "area-1", "", "", kSite, 5000, 0});
  apply("ea", kT0, Elder{"a", "area-1", kHome, kEmptyNest, "", "hh"});
  apply("eb", kT0, Elder{"b", "area-1", kHome, kEmptyNest, "", "hh"});
  apply("ex", kT0, Elder{"x", "area-1", {41.8000, 123.4200}, kExtremelyPoor, "", ""});
  apply("shift", kT, ShiftStarted{"c1", TravelMode::kBike, capacity, kT + 4 * kHourMs, kSite});
  auto order = [&](std::string id, std::string elder, int minutes, std::uint32_t meals) {
    OrderPlaced p;
    p.order_id = id;
    p.site_id = "site-1";
    p.elder_id = std::move(elder);
    p.meals = meals;
    p.window_start_ms = kT;
    p.window_end_ms = kT + minutes * kMinuteMs;
    apply("placed-" + id, kT, p);
    apply("ready-" + id, kT, OrderReady{id});
  };
  order("oa", "a", pair_minutes, 1);
  order("ob", "b", pair_minutes, 1);
  out.clear();
  order("ox", "x", x_minutes, capacity - 1);
  return {std::move(engine), std::move(out)};
}

TEST(EngineHubTest, DisplacingAHubSiblingPlannedWithTheStopTimeItNoLongerShared) {
  // With the sibling's stop time left at 0 and 1 min, oa made way and ox was
  // published almost 4 min past its window; the true stop times leave no room.
  auto [engine, out] = HubPairThenUrgentOrder(/*pair_minutes=*/10, /*x_minutes=*/16, /*capacity=*/2);
  EXPECT_EQ(engine->FindOrder("ob")->timeline.back().note, "c1 (hub household hh, one stop with oa)");
  const Order* ox = engine->FindOrder("ox");
  EXPECT_EQ(ox->status, OrderStatus::kUnassigned);
  ASSERT_EQ(out.size(), 1u);
  const Alert& alert = std::get<Alert>(out[0]);
  EXPECT_EQ(alert.alert_id, "unassignable/ox/1");
  EXPECT_EQ(alert.severity, Severity::kCritical);
  EXPECT_EQ(engine->FindOrder("oa")->courier_id, "c1");
  EXPECT_EQ(engine->FindCourier("c1")->route.size(), 4u);
}

TEST(EngineHubTest, PlansPublishedAfterDisplacingAHubSiblingMeetEveryWindow) {
  int displaced = 0;
  for (int pair_minutes = 8; pair_minutes <= 30; ++pair_minutes) {
    for (int x_minutes = 6; x_minutes <= 30; ++x_minutes) {
      for (std::uint32_t capacity : {2u, 3u}) {
        auto [engine, out] = HubPairThenUrgentOrder(pair_minutes, x_minutes, capacity);
        for (const char* id : {"oa", "ob"}) {
          const auto& timeline = engine->FindOrder(id)->timeline;
          displaced += std::any_of(timeline.begin(), timeline.end(),
                                   [](const TimelineEntry& t) { return t.note.starts_with("made way"); });
        }
        std::map<std::string, Assignment> latest;
        for (const Output& o : out) {
          if (const Assignment* a = std::get_if<Assignment>(&o)) latest[a->courier_id] = *a;
        }
        for (const auto& [courier, plan] : latest) {
          for (const PlannedStop& stop : plan.stops) {
            if (stop.kind == StopKind::kPickup) continue;
            EXPECT_LE(stop.arrival_ms, engine->FindOrder(stop.order_id)->window_end_ms)
                << stop.order_id << " with windows " << pair_minutes << "/" << x_minutes << " min, box " << capacity;
          }
        }
      }
    }
  }
  EXPECT_GT(displaced, 0) << "the sweep must exercise displacement";
}

// ---- standing orders ----

// Local midnight of Monday 2025-12-01 in China.
constexpr EventTimeMs kMonday = kT0 + 16 * kHourMs;
constexpr std::uint32_t kMon = 1u << 0, kTue = 1u << 1, kWed = 1u << 2, kThu = 1u << 3, kFri = 1u << 4;
// When the order of Monday + `days` is placed: 3 h before its 11:30 window.
constexpr EventTimeMs PlacingAt(int days) { return kMonday + days * kDayMs + 8 * kHourMs + 30 * kMinuteMs; }

StandingOrderSet Standing(std::uint32_t weekdays = kMon | kWed | kFri, std::string first_date = "2025-12-01") {
  StandingOrderSet s;
  s.standing_id = "so-1";
  s.site_id = "site-1";
  s.elder_id = "elder-1";
  s.weekdays = weekdays;
  s.window_start_min = 11 * 60 + 30;
  s.window_end_min = 12 * 60 + 30;
  s.first_date = std::move(first_date);
  return s;
}

TEST_F(EngineTest, StandingOrderIsPlacedLeadTimeBeforeEachServiceDate) {
  SetUpRegistry();
  out_.clear();
  ASSERT_EQ(Apply(Make("set", kT0, Standing())).outcome, ApplyOutcome::kApplied);
  EXPECT_TRUE(out_.empty());
  EXPECT_EQ(engine_.FindStandingOrder("so-1")->next_date, "2025-12-01");
  TickAt(PlacingAt(0) - 1);
  EXPECT_EQ(engine_.FindOrder("so-1@2025-12-01"), nullptr);
  TickAt(PlacingAt(0));
  const Order* monday = engine_.FindOrder("so-1@2025-12-01");
  ASSERT_NE(monday, nullptr);
  EXPECT_EQ(monday->status, OrderStatus::kPlaced);
  EXPECT_EQ(monday->placed_ms, PlacingAt(0));
  EXPECT_EQ(monday->window_start_ms, kMonday + 11 * kHourMs + 30 * kMinuteMs);
  EXPECT_EQ(monday->window_end_ms, kMonday + 12 * kHourMs + 30 * kMinuteMs);
  EXPECT_EQ(monday->standing_id, "so-1");
  EXPECT_EQ(monday->timeline.back().note, "standing order so-1");
  EXPECT_EQ(engine_.FindStandingOrder("so-1")->next_date, "2025-12-02");
  // Tuesday is not served; Wednesday is, at its own time.
  TickAt(PlacingAt(2) - 1);
  EXPECT_EQ(engine_.FindOrder("so-1@2025-12-02"), nullptr);
  EXPECT_EQ(engine_.FindOrder("so-1@2025-12-03"), nullptr);
  TickAt(PlacingAt(2));
  ASSERT_NE(engine_.FindOrder("so-1@2025-12-03"), nullptr);
  EXPECT_EQ(engine_.order_count(), 2u);
}

TEST_F(EngineTest, StandingOrderSetWithAnUnknownSiteOrElderIsRejected) {
  SetUpRegistry();
  StandingOrderSet s = Standing();
  s.site_id = "nowhere";
  EXPECT_EQ(Apply(Make("set-1", kT0, s)).outcome, ApplyOutcome::kRejected);
  s = Standing();
  s.elder_id = "nobody";
  EXPECT_EQ(Apply(Make("set-2", kT0, s)).outcome, ApplyOutcome::kRejected);
  EXPECT_EQ(engine_.FindStandingOrder("so-1"), nullptr);
}

TEST_F(EngineTest, SuspensionCancelsPlacedOrdersOfItsDatesAndSkipsTheRest) {
  SetUpRegistry();
  ASSERT_EQ(Apply(Make("set", kT0, Standing())).outcome, ApplyOutcome::kApplied);
  TickAt(PlacingAt(0));
  StartCourier("c1", PlacingAt(0) + kMinuteMs);
  Ready("so-1@2025-12-01", PlacingAt(0) + 2 * kMinuteMs);
  ASSERT_EQ(engine_.FindOrder("so-1@2025-12-01")->courier_id, "c1");
  out_.clear();
  ASSERT_EQ(Apply(Make("suspend", PlacingAt(0) + 5 * kMinuteMs,
                       StandingOrderSuspended{"so-1", "2025-12-01", "2025-12-03", "in hospital"}))
                .outcome,
            ApplyOutcome::kApplied);
  const Order* monday = engine_.FindOrder("so-1@2025-12-01");
  EXPECT_EQ(monday->status, OrderStatus::kCancelled);
  EXPECT_EQ(monday->timeline.back().note, "standing order suspended: in hospital");
  EXPECT_TRUE(engine_.FindCourier("c1")->route.empty());
  ASSERT_EQ(Plans().size(), 1u) << "c1's plan without the meal";
  EXPECT_TRUE(Plans()[0].stops.empty());
  TickAt(PlacingAt(2));
  EXPECT_EQ(engine_.FindOrder("so-1@2025-12-03"), nullptr) << "suspended";
  TickAt(PlacingAt(4));
  ASSERT_NE(engine_.FindOrder("so-1@2025-12-05"), nullptr) << "the suspension is over by Friday";
  EXPECT_EQ(engine_.FindOrder("so-1@2025-12-05")->status, OrderStatus::kPlaced);
}

TEST_F(EngineTest, SuspensionLeavesAMealAlreadyOnItsWay) {
  SetUpRegistry();
  ASSERT_EQ(Apply(Make("set", kT0, Standing())).outcome, ApplyOutcome::kApplied);
  TickAt(PlacingAt(0));
  StartCourier("c1", PlacingAt(0) + kMinuteMs);
  Ready("so-1@2025-12-01", PlacingAt(0) + 2 * kMinuteMs);
  ASSERT_EQ(Apply(Make("pick", PlacingAt(0) + 3 * kMinuteMs, PickedUp{"so-1@2025-12-01", "c1"})).outcome,
            ApplyOutcome::kApplied);
  ASSERT_EQ(Apply(Make("suspend", PlacingAt(0) + 5 * kMinuteMs, StandingOrderSuspended{"so-1", "2025-12-01", "", ""}))
                .outcome,
            ApplyOutcome::kApplied);
  EXPECT_EQ(engine_.FindOrder("so-1@2025-12-01")->status, OrderStatus::kPickedUp);
}

TEST_F(EngineTest, ResumePlacesASkippedDateWhoseWindowIsStillAhead) {
  SetUpRegistry();
  ASSERT_EQ(Apply(Make("set", kT0, Standing())).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(Apply(Make("suspend", kT0 + kHourMs, StandingOrderSuspended{"so-1", "2025-12-03", "", "visiting family"}))
                .outcome,
            ApplyOutcome::kApplied);
  TickAt(PlacingAt(0));
  ASSERT_NE(engine_.FindOrder("so-1@2025-12-01"), nullptr) << "Monday is before the suspension";
  TickAt(PlacingAt(2));
  EXPECT_EQ(engine_.FindOrder("so-1@2025-12-03"), nullptr);
  EXPECT_EQ(engine_.FindStandingOrder("so-1")->next_date, "2025-12-04");
  // Back on Wednesday at 10:00, before the 11:30 window: Wednesday's meal comes after all.
  const EventTimeMs back = kMonday + 2 * kDayMs + 10 * kHourMs;
  ASSERT_EQ(Apply(Make("resume", back, StandingOrderResumed{"so-1"})).outcome, ApplyOutcome::kApplied);
  const Order* wednesday = engine_.FindOrder("so-1@2025-12-03");
  ASSERT_NE(wednesday, nullptr);
  EXPECT_EQ(wednesday->placed_ms, back);
  EXPECT_EQ(wednesday->status, OrderStatus::kPlaced);
  EXPECT_TRUE(engine_.FindStandingOrder("so-1")->suspensions.empty()) << "it began today: dropped";
  TickAt(PlacingAt(4));
  EXPECT_NE(engine_.FindOrder("so-1@2025-12-05"), nullptr);
}

TEST_F(EngineTest, ResumeAfterTheWindowOpenedDoesNotPlaceThatDate) {
  SetUpRegistry();
  ASSERT_EQ(Apply(Make("set", kT0, Standing())).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(Apply(Make("suspend", kT0 + kHourMs, StandingOrderSuspended{"so-1", "2025-12-03", "", ""})).outcome,
            ApplyOutcome::kApplied);
  TickAt(PlacingAt(2));
  const EventTimeMs late = kMonday + 2 * kDayMs + 12 * kHourMs;  // Wednesday 12:00
  ASSERT_EQ(Apply(Make("resume", late, StandingOrderResumed{"so-1"})).outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(engine_.FindOrder("so-1@2025-12-03"), nullptr);
  ASSERT_EQ(engine_.FindStandingOrder("so-1")->suspensions.size(), 0u);
  TickAt(PlacingAt(4));
  EXPECT_NE(engine_.FindOrder("so-1@2025-12-05"), nullptr);
}

TEST_F(EngineTest, StandingOrderResetToAnEarlierFirstDateSkippedTheDatesBetween) {
  SetUpRegistry();
  ASSERT_EQ(Apply(Make("set-1", kT0, Standing(kMon | kWed | kFri, "2025-12-08"))).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(Apply(Make("set-2", kT0 + kHourMs, Standing(kMon | kWed | kFri, "2025-12-01"))).outcome,
            ApplyOutcome::kApplied);
  TickAt(PlacingAt(0));
  ASSERT_NE(engine_.FindOrder("so-1@2025-12-01"), nullptr);
  // Set again, earlier still: Monday stays placed, and a suspension of it
  // still finds it.
  ASSERT_EQ(Apply(Make("set-3", kMonday + 10 * kHourMs, Standing(kMon | kWed | kFri, "2025-11-20"))).outcome,
            ApplyOutcome::kApplied);
  EXPECT_EQ(engine_.FindStandingOrder("so-1")->next_date, "2025-12-02");
  ASSERT_EQ(Apply(Make("suspend", kMonday + 10 * kHourMs, StandingOrderSuspended{"so-1", "2025-12-01", "2025-12-01", ""}))
                .outcome,
            ApplyOutcome::kApplied);
  EXPECT_EQ(engine_.FindOrder("so-1@2025-12-01")->status, OrderStatus::kCancelled);
  TickAt(PlacingAt(2));
  EXPECT_NE(engine_.FindOrder("so-1@2025-12-03"), nullptr);
}

TEST_F(EngineTest, ResettingAStandingOrderKeepsPlacedOrdersAndFollowsTheNewDays) {
  SetUpRegistry();
  ASSERT_EQ(Apply(Make("set-1", kT0, Standing())).outcome, ApplyOutcome::kApplied);
  TickAt(PlacingAt(0));
  ASSERT_NE(engine_.FindOrder("so-1@2025-12-01"), nullptr);
  // On Monday at 10:00 the elder switches to Tuesdays and Thursdays.
  ASSERT_EQ(Apply(Make("set-2", kMonday + 10 * kHourMs, Standing(kTue | kThu))).outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(engine_.FindOrder("so-1@2025-12-01")->status, OrderStatus::kPlaced) << "already planned by the kitchen";
  TickAt(PlacingAt(1));
  EXPECT_NE(engine_.FindOrder("so-1@2025-12-02"), nullptr);
  TickAt(PlacingAt(3));
  EXPECT_EQ(engine_.FindOrder("so-1@2025-12-03"), nullptr);
  EXPECT_NE(engine_.FindOrder("so-1@2025-12-04"), nullptr);
  EXPECT_EQ(engine_.order_count(), 3u);
}

TEST_F(EngineTest, StandingOrdersAndSuspensionsSurviveReload) {
  SetUpRegistry();
  ASSERT_EQ(Apply(Make("set", kT0, Standing())).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(Apply(Make("suspend", kT0 + kHourMs, StandingOrderSuspended{"so-1", "2025-12-03", "2025-12-03", ""}))
                .outcome,
            ApplyOutcome::kApplied);
  state::MemoryStore store;
  std::unique_ptr<Engine> reloaded = Reload(engine_, store);
  const StandingOrder* so = reloaded->FindStandingOrder("so-1");
  ASSERT_NE(so, nullptr);
  EXPECT_EQ(so->area_id, "area-1");
  EXPECT_EQ(so->next_date, "2025-12-01");
  ASSERT_EQ(so->suspensions.size(), 1u);
  EXPECT_EQ(so->suspensions[0].until_date, "2025-12-03");
  // The reloaded engine's timers fire as the original's do.
  for (int day : {0, 2, 4}) {
    std::vector<Output> a, b;
    const Event tick = Make("tick-" + std::to_string(day), PlacingAt(day), Tick{});
    ASSERT_EQ(engine_.Apply(tick, &a).outcome, ApplyOutcome::kApplied);
    ASSERT_EQ(reloaded->Apply(tick, &b).outcome, ApplyOutcome::kApplied);
    EXPECT_EQ(Encoded(a), Encoded(b));
  }
  EXPECT_NE(reloaded->FindOrder("so-1@2025-12-01"), nullptr);
  EXPECT_EQ(reloaded->FindOrder("so-1@2025-12-03"), nullptr);
  EXPECT_NE(reloaded->FindOrder("so-1@2025-12-05"), nullptr);
  EXPECT_EQ(Dump(engine_), Dump(*reloaded));
}

// ---- wellness checks ----

class WellnessEngineTest : public EngineTest {
 protected:
  // o1's courier finds nobody home at kFailed.
  void NoAnswer() {
    SetUpRegistry();
    StartCourier("c1", kT);
    Place("o1", kT, kT + 30 * kMinuteMs);
    Ready("o1", kT + kMinuteMs);
    ASSERT_EQ(Apply(Make("pick-o1", kT + 2 * kMinuteMs, PickedUp{"o1", "c1"})).outcome, ApplyOutcome::kApplied);
    out_.clear();
    ASSERT_EQ(Apply(Make("fail-o1", kFailed, DeliveryFailed{"o1", "c1", FailureReason::kNoAnswer})).outcome,
              ApplyOutcome::kApplied);
  }

  static constexpr EventTimeMs kFailed = kT + 40 * kMinuteMs;
};

TEST_F(WellnessEngineTest, NoAnswerOpensACaseWithACriticalAlert) {
  NoAnswer();
  ASSERT_EQ(Alerts().size(), 1u);
  const Alert a = Alerts()[0];
  EXPECT_EQ(a.alert_id, "wellness/o1/0");
  EXPECT_EQ(a.kind, AlertKind::kWellnessCheck);
  EXPECT_EQ(a.severity, Severity::kCritical);
  EXPECT_EQ(a.time_ms, kFailed);
  EXPECT_EQ(a.case_id, "wc-o1");
  EXPECT_EQ(a.courier_id, "c1");
  EXPECT_EQ(a.elder_id, "elder-1");
  const WellnessCase* c = engine_.FindWellnessCase("wc-o1");
  ASSERT_NE(c, nullptr);
  EXPECT_EQ(c->step, WellnessStep::kCourierRetries);
  EXPECT_EQ(c->step_due_ms, kFailed + 10 * kMinuteMs);
  EXPECT_EQ(engine_.FindOrder("o1")->status, OrderStatus::kFailed);
  EXPECT_EQ(Last("o1").note, "no answer");
}

TEST_F(WellnessEngineTest, OtherFailuresRaiseADeliveryFailedWarningAndNoCase) {
  SetUpRegistry();
  StartCourier("c1", kT);
  Place("o1", kT, kT + 30 * kMinuteMs);
  Ready("o1", kT + kMinuteMs);
  out_.clear();
  ASSERT_EQ(Apply(Make("fail-o1", kFailed, DeliveryFailed{"o1", "c1", FailureReason::kRefused})).outcome,
            ApplyOutcome::kApplied);
  ASSERT_EQ(Alerts().size(), 1u);
  EXPECT_EQ(Alerts()[0].alert_id, "failed/o1");
  EXPECT_EQ(Alerts()[0].kind, AlertKind::kDeliveryFailed);
  EXPECT_EQ(Alerts()[0].severity, Severity::kWarning);
  EXPECT_EQ(Alerts()[0].reason, "refused");
  EXPECT_EQ(engine_.FindWellnessCase("wc-o1"), nullptr);
}

TEST_F(WellnessEngineTest, TheCaseEscalatesOnItsEventTimeTimersAndRepeatsTheLastStep) {
  NoAnswer();
  struct Step {
    EventTimeMs due;
    const char* alert_id;
  };
  const Step steps[] = {
      {kFailed + 10 * kMinuteMs, "wellness/o1/1"},
      {kFailed + 25 * kMinuteMs, "wellness/o1/2"},
      {kFailed + 55 * kMinuteMs, "wellness/o1/3"},
      {kFailed + 115 * kMinuteMs, "wellness/o1/3/2"},
  };
  for (const Step& step : steps) {
    out_.clear();
    TickAt(step.due - 1);
    EXPECT_TRUE(Alerts().empty()) << step.alert_id << " not yet";
    TickAt(step.due);
    ASSERT_EQ(Alerts().size(), 1u) << step.alert_id;
    EXPECT_EQ(Alerts()[0].alert_id, step.alert_id);
    EXPECT_EQ(Alerts()[0].time_ms, step.due);
    EXPECT_EQ(Alerts()[0].severity, Severity::kCritical);
  }
  // A long silence raises every announcement that fell due, in order, at its own time.
  out_.clear();
  TickAt(kFailed + 235 * kMinuteMs);
  EXPECT_EQ(AlertIds(), (std::vector<std::string>{"wellness/o1/3/3", "wellness/o1/3/4"}));
  EXPECT_EQ(Alerts()[0].time_ms, kFailed + 175 * kMinuteMs);
  EXPECT_EQ(Alerts()[1].time_ms, kFailed + 235 * kMinuteMs);
  const WellnessCase* c = engine_.FindWellnessCase("wc-o1");
  EXPECT_EQ(c->step, WellnessStep::kCommunityWorker);
  ASSERT_EQ(c->steps.size(), 4u);
  EXPECT_EQ(c->steps[1].second, kFailed + 10 * kMinuteMs);
  EXPECT_EQ(c->steps[3].second, kFailed + 55 * kMinuteMs);
}

TEST_F(WellnessEngineTest, AcknowledgementClosesTheCaseWithAnInfoAlertAndAnAuditEntry) {
  NoAnswer();
  TickAt(kFailed + 10 * kMinuteMs);
  (void)Dump(engine_);
  out_.clear();
  const EventTimeMs at = kFailed + 12 * kMinuteMs;
  ASSERT_EQ(Apply(Make("ack-1", at, AcknowledgeWellness{"wc-o1", WellnessOutcome::kElderSafe, "was in the garden", "ops-wang"}))
                .outcome,
            ApplyOutcome::kApplied);
  ASSERT_EQ(Alerts().size(), 1u);
  const Alert a = Alerts()[0];
  EXPECT_EQ(a.alert_id, "wellness/o1/closed");
  EXPECT_EQ(a.kind, AlertKind::kWellnessClosed);
  EXPECT_EQ(a.severity, Severity::kInfo);
  EXPECT_EQ(a.time_ms, at);
  EXPECT_EQ(a.reason, "closed by ops-wang: elder_safe (was in the garden)");
  const WellnessCase* c = engine_.FindWellnessCase("wc-o1");
  EXPECT_TRUE(c->closed);
  EXPECT_EQ(c->closed_by, "ops-wang");

  state::WriteSet changes;
  engine_.CollectChanges(&changes);
  std::vector<AuditEntry> audit;
  for (const auto& op : changes.ops()) {
    if (!op.key.starts_with(state::kAuditPrefix)) continue;
    EXPECT_EQ(op.key, state::AuditKey(at, "ack-1"));
    audit.emplace_back();
    ASSERT_TRUE(codec::DecodeAudit(op.value, &audit.back()).ok());
  }
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "ops-wang");
  EXPECT_EQ(audit[0].action, "acknowledge_wellness");
  EXPECT_EQ(audit[0].target, "wc-o1");
  EXPECT_EQ(audit[0].reason, "was in the garden");
  EXPECT_EQ(audit[0].result, "elder_safe");

  // Closed: no more escalations, and a second acknowledgement changes nothing.
  out_.clear();
  TickAt(kFailed + 5 * kHourMs);
  EXPECT_TRUE(Alerts().empty());
  (void)Dump(engine_);
  const ApplyResult again =
      Apply(Make("ack-2", kFailed + 5 * kHourMs, AcknowledgeWellness{"wc-o1", WellnessOutcome::kOther, "", "ops-li"}));
  EXPECT_EQ(again.outcome, ApplyOutcome::kRejected);
  EXPECT_EQ(again.reason, "wellness check wc-o1 is already closed");
  EXPECT_TRUE(out_.empty());
  EXPECT_EQ(engine_.FindWellnessCase("wc-o1")->closed_by, "ops-wang");
  EXPECT_EQ(Dump(engine_), "") << "a rejected command leaves no audit entry";
  EXPECT_EQ(Apply(Make("ack-3", kFailed + 5 * kHourMs, AcknowledgeWellness{"wc-nothing"})).outcome,
            ApplyOutcome::kRejected);
}

TEST_F(WellnessEngineTest, AnOpenCaseSurvivesReloadKeepsEscalatingAndIsReannounced) {
  NoAnswer();
  TickAt(kFailed + 12 * kMinuteMs);
  ASSERT_EQ(AlertIds().back(), "wellness/o1/1");
  const Alert last = Alerts().back();
  state::MemoryStore store;
  std::unique_ptr<Engine> reloaded = Reload(engine_, store);
  std::vector<Output> again;
  reloaded->Reannounce([](const std::string&) { return true; }, &again);
  ASSERT_EQ(again.size(), 1u);
  Alert reminder = std::get<Alert>(again[0]);
  EXPECT_TRUE(reminder.reannounced) << "readers can tell a reminder from a new check";
  reminder.reannounced = false;
  EXPECT_EQ(codec::EncodeAlert(reminder), codec::EncodeAlert(last)) << "otherwise the same alert, id and time";
  // Both engines escalate alike from here.
  const Event tick = Make("tick-later", kFailed + 60 * kMinuteMs, Tick{});
  std::vector<Output> a, b;
  ASSERT_EQ(engine_.Apply(tick, &a).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(reloaded->Apply(tick, &b).outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(Encoded(a), Encoded(b));
  std::vector<std::string> ids;
  for (const Output& o : b) {
    if (const Alert* alert = std::get_if<Alert>(&o)) ids.push_back(alert->alert_id);
  }
  EXPECT_EQ(ids, (std::vector<std::string>{"wellness/o1/2", "wellness/o1/3"}));

  // Closed, it is announced no more after a restart.
  ASSERT_EQ(reloaded->Apply(Make("ack", kFailed + 61 * kMinuteMs, AcknowledgeWellness{"wc-o1"}), &b).outcome,
            ApplyOutcome::kApplied);
  std::unique_ptr<Engine> third = Reload(*reloaded, store);
  std::vector<Output> none;
  third->Reannounce([](const std::string&) { return true; }, &none);
  EXPECT_TRUE(none.empty());
  EXPECT_TRUE(third->FindWellnessCase("wc-o1")->closed);
  ASSERT_EQ(third->Apply(Make("tick-much-later", kFailed + 9 * kHourMs, Tick{}), &none).outcome,
            ApplyOutcome::kApplied);
  EXPECT_TRUE(none.empty());
}

// ---- recall ----

TEST_F(EngineTest, RecallStopsTheBatchAlertsForMealsOutAndDeliveredAndRejectsLaterOrders) {
  SetUpRegistry();
  StartCourier("c1", kT);
  for (const char* id : {"o-del", "o-out", "o-asg", "o-new"}) PlaceFor(id, "elder-1", kT, kT + 30 * kMinuteMs, kHourMs, "b1");
  PlaceFor("o-other", "elder-1", kT, kT + 30 * kMinuteMs, kHourMs, "b2");
  for (const char* id : {"o-del", "o-out", "o-asg", "o-other"}) Ready(id, kT + kMinuteMs);
  ASSERT_EQ(Apply(Make("pick-del", kT + 2 * kMinuteMs, PickedUp{"o-del", "c1"})).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(Apply(Make("pick-out", kT + 2 * kMinuteMs, PickedUp{"o-out", "c1"})).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(Apply(Make("done-del", kT + 31 * kMinuteMs, Delivered{"o-del", "c1"})).outcome, ApplyOutcome::kApplied);
  Commit();
  out_.clear();
  const EventTimeMs at = kT + 32 * kMinuteMs;
  ASSERT_EQ(Apply(Make("recall-1", at, RecallBatch{"site-1", "b1", "ops-li", "listeria"})).outcome,
            ApplyOutcome::kApplied);

  const std::string why = "batch b1 recalled by ops-li: listeria";
  const auto alerts = Alerts();
  ASSERT_EQ(AlertIds(), (std::vector<std::string>{"recall/site-1/b1/o-del", "recall/site-1/b1/o-out", "recall/site-1/b1"}));
  for (const Alert& a : alerts) {
    EXPECT_EQ(a.kind, AlertKind::kRecall);
    EXPECT_EQ(a.severity, Severity::kCritical);
    EXPECT_EQ(a.time_ms, at);
    EXPECT_EQ(a.site_id, "site-1");
  }
  EXPECT_EQ(alerts[0].reason, why + "; already delivered: contact the elder, the meal must not be eaten");
  EXPECT_EQ(alerts[1].reason, why + "; courier c1: do not hand it over, bring it back");
  EXPECT_EQ(alerts[1].courier_id, "c1");
  EXPECT_EQ(alerts[2].reason, why + ": 2 stopped, 1 out for delivery, 1 delivered");

  EXPECT_EQ(engine_.FindOrder("o-del")->status, OrderStatus::kDelivered);
  for (const char* id : {"o-out", "o-asg", "o-new"}) {
    EXPECT_EQ(engine_.FindOrder(id)->status, OrderStatus::kCancelled) << id;
    EXPECT_EQ(Last(id).note, why) << id;
  }
  EXPECT_EQ(engine_.FindOrder("o-other")->status, OrderStatus::kAssigned) << "another batch";
  EXPECT_EQ(engine_.FindCourier("c1")->route,
            (std::vector<RouteStop>{{StopKind::kPickup, "o-other"}, {StopKind::kDelivery, "o-other"}}));
  ASSERT_FALSE(Plans().empty());
  EXPECT_EQ(Plans().back().stops.size(), 2u);

  std::map<std::string, std::string> kv;
  const state::WriteSet changes = Commit();
  for (const auto& op : changes.ops()) kv[op.key] = op.value;
  ASSERT_TRUE(kv.contains(state::RecallKey("site-1", "b1")));
  ASSERT_TRUE(kv.contains(state::AuditKey(at, "recall-1")));
  AuditEntry audit;
  ASSERT_TRUE(codec::DecodeAudit(kv[state::AuditKey(at, "recall-1")], &audit).ok());
  EXPECT_EQ(audit.action, "recall");
  EXPECT_EQ(audit.actor, "ops-li");
  EXPECT_EQ(audit.target, "site-1/b1");
  EXPECT_EQ(audit.reason, "listeria");
  EXPECT_EQ(audit.result, "2 stopped, 1 out for delivery, 1 delivered");

  // A later order of the recalled batch is refused; other batches are not.
  out_.clear();
  PlaceFor("o-late", "elder-1", at + kMinuteMs, kT + 2 * kHourMs, kHourMs, "b1");
  EXPECT_EQ(engine_.FindOrder("o-late")->status, OrderStatus::kRejected);
  ASSERT_EQ(Alerts().size(), 1u);
  EXPECT_EQ(Alerts()[0].alert_id, "rejected/o-late");
  EXPECT_EQ(Alerts()[0].kind, AlertKind::kOrderRejected);
  EXPECT_EQ(Alerts()[0].reason, "batch b1 of site site-1 was recalled");
  PlaceFor("o-b3", "elder-1", at + kMinuteMs, kT + 2 * kHourMs, kHourMs, "b3");
  EXPECT_EQ(engine_.FindOrder("o-b3")->status, OrderStatus::kPlaced);

  // The same batch again: refused, nothing raised.
  out_.clear();
  const ApplyResult twice = Apply(Make("recall-2", at + 2 * kMinuteMs, RecallBatch{"site-1", "b1", "ops-zhao", ""}));
  EXPECT_EQ(twice.outcome, ApplyOutcome::kRejected);
  EXPECT_EQ(twice.reason, "batch b1 is already recalled");
  EXPECT_TRUE(out_.empty());
  EXPECT_EQ(Apply(Make("recall-3", at, RecallBatch{"site-9", "b1", "ops-li", ""})).outcome, ApplyOutcome::kRejected);

  // A restart remembers the recall.
  std::unique_ptr<Engine> reloaded = Reload(engine_, store_);
  std::vector<Output> more;
  OrderPlaced p;
  p.order_id = "o-after-restart";
  p.site_id = "site-1";
  p.elder_id = "elder-1";
  p.window_start_ms = kT + 2 * kHourMs;
  p.window_end_ms = p.window_start_ms + kHourMs;
  p.batch_id = "b1";
  const ApplyResult placed = reloaded->Apply(Make("placed-after", at + 3 * kMinuteMs, p), &more);
  ASSERT_EQ(placed.outcome, ApplyOutcome::kApplied) << placed.reason;
  EXPECT_EQ(reloaded->FindOrder("o-after-restart")->status, OrderStatus::kRejected);
  EXPECT_EQ(reloaded->Apply(Make("recall-4", at + 3 * kMinuteMs, RecallBatch{"site-1", "b1", "ops-li", ""}), &more).outcome,
            ApplyOutcome::kRejected);
}

// ---- site capacity and cancellation ----

TEST_F(EngineTest, CancelledOrdersGiveBackTheSiteDaysCapacityRejectedOnesNeverTookIt) {
  SetUpRegistry();
  Site site{"site-1", "area-1", "", "", kSite, 2000, 0};
  site.daily_capacity = 1;
  ASSERT_EQ(Apply(Make("s1-capacity", kT0, site)).outcome, ApplyOutcome::kApplied);
  const EventTimeMs window = kT + kHourMs;
  PlaceFor("o1", "elder-1", kT, window);
  PlaceFor("o2", "elder-1", kT, window);
  ASSERT_EQ(engine_.FindOrder("o2")->status, OrderStatus::kRejected);
  // Cancelling the rejected order must not free a place it never had.
  EXPECT_EQ(Apply(Make("cancel-o2", kT + kMinuteMs, OrderCancelled{"o2", ""})).outcome, ApplyOutcome::kRejected);
  PlaceFor("o3", "elder-1", kT + kMinuteMs, window);
  EXPECT_EQ(engine_.FindOrder("o3")->status, OrderStatus::kRejected);
  ASSERT_EQ(Apply(Make("cancel-o1", kT + 2 * kMinuteMs, OrderCancelled{"o1", "changed her mind"})).outcome,
            ApplyOutcome::kApplied);
  EXPECT_EQ(Last("o1").note, "changed her mind");
  PlaceFor("o4", "elder-1", kT + 3 * kMinuteMs, window, kHourMs, "b1");
  EXPECT_EQ(engine_.FindOrder("o4")->status, OrderStatus::kPlaced) << "o1's place is free again";
  // A recall frees it as well.
  ASSERT_EQ(Apply(Make("recall", kT + 4 * kMinuteMs, RecallBatch{"site-1", "b1", "ops", ""})).outcome,
            ApplyOutcome::kApplied);
  PlaceFor("o5", "elder-1", kT + 5 * kMinuteMs, window);
  EXPECT_EQ(engine_.FindOrder("o5")->status, OrderStatus::kPlaced);
  PlaceFor("o6", "elder-1", kT + 5 * kMinuteMs, window);
  EXPECT_EQ(engine_.FindOrder("o6")->status, OrderStatus::kRejected);
  // And a restart counts the same.
  state::MemoryStore store;
  std::unique_ptr<Engine> reloaded = Reload(engine_, store);
  std::vector<Output> more;
  ASSERT_EQ(reloaded->Apply(Make("cancel-o5", kT + 6 * kMinuteMs, OrderCancelled{"o5", ""}), &more).outcome,
            ApplyOutcome::kApplied);
  OrderPlaced p;
  p.order_id = "o7";
  p.site_id = "site-1";
  p.elder_id = "elder-1";
  p.window_start_ms = window;
  p.window_end_ms = window + kHourMs;
  ASSERT_EQ(reloaded->Apply(Make("placed-o7", kT + 7 * kMinuteMs, p), &more).outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(reloaded->FindOrder("o7")->status, OrderStatus::kPlaced);
  p.order_id = "o8";
  ASSERT_EQ(reloaded->Apply(Make("placed-o8", kT + 7 * kMinuteMs, p), &more).outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(reloaded->FindOrder("o8")->status, OrderStatus::kRejected);
}

// ---- tick ----

TEST_F(EngineTest, TickOnlyAdvancesStreamTime) {
  SetUpRegistry();
  StartCourier("c1", kT);
  Place("o1", kT, kT + kHourMs);
  (void)Dump(engine_);
  out_.clear();
  TickAt(kT + 30 * kSecondMs);
  EXPECT_TRUE(out_.empty());
  EXPECT_EQ(Dump(engine_), state::AreaKey("area-1") + "=" + state::EncodeOffset(kT + 30 * kSecondMs) + ";" +
                               state::DedupKey("area-1", "tick-" + std::to_string(kT + 30 * kSecondMs)) + "=;");
  EXPECT_EQ(engine_.FindOrder("o1")->status, OrderStatus::kPlaced);
}

// ---- determinism ----

// A day with every elder-care rule in it.
std::pair<std::vector<std::string>, std::string> ElderCareDay() {
  Engine engine{EngineOptions{}};
  std::vector<Output> out;
  auto apply = [&](std::string id, EventTimeMs t, EventBody body) {
    engine.Apply(Event{std::move(id), "area-1", t, std::move(body)}, &out);
  };
  apply("s1", kT0, Site{"site-1", "area-1", "", "", kSite, 5000, 0});
  apply("e1", kT0, Elder{"elder-1", "area-1", kHome, kLivingAlone, "", ""});
  apply("eh", kT0, Elder{"elder-h", "area-1", kNorth300m, kVeryOld, "h1", ""});
  apply("ea", kT0, Elder{"elder-a", "area-1", kNorth1km, 0, "", "hh-1"});
  apply("eb", kT0, Elder{"elder-b", "area-1", kNorth1km, 0, "", "hh-1"});
  apply("set", kT0, Standing());
  const EventTimeMs t = PlacingAt(0);
  for (const char* c : {"c1", "c2", "h1"}) {
    apply(std::string("shift-") + c, t, ShiftStarted{c, TravelMode::kBike, 4, t + 5 * kHourMs, kSite, "t1"});
  }
  const std::vector<std::pair<std::string, std::string>> orders = {
      {"o0", "elder-1"}, {"o1", "elder-h"}, {"o2", "elder-a"}, {"o3", "elder-b"}, {"o4", "elder-h"}, {"o5", "elder-1"}};
  for (std::size_t i = 0; i < orders.size(); ++i) {
    OrderPlaced p;
    p.order_id = orders[i].first;
    p.site_id = "site-1";
    p.elder_id = orders[i].second;
    p.window_start_ms = t + kHourMs + 10 * kMinuteMs;
    p.window_end_ms = t + 2 * kHourMs + 10 * kMinuteMs;
    p.batch_id = i % 2 ? "b-odd" : "b-even";
    apply("placed-" + p.order_id, t, p);
  }
  for (const auto& [id, elder] : orders) apply("ready-" + id, t + kHourMs, OrderReady{id});
  apply("ready-so", t + kHourMs + 10 * kSecondMs, OrderReady{"so-1@2025-12-01"});
  apply("end-h1", t + kHourMs + 20 * kSecondMs, ShiftEnded{"h1"});
  for (const auto& [id, elder] : orders) {
    const Order* o = engine.FindOrder(id);
    if (o->status == OrderStatus::kAssigned) apply("pick-" + id, t + kHourMs + 5 * kMinuteMs, PickedUp{id, o->courier_id});
  }
  const Order* first = engine.FindOrder("o0");
  apply("fail-o0", t + kHourMs + 20 * kMinuteMs, DeliveryFailed{"o0", first->courier_id, FailureReason::kNoAnswer});
  apply("recall", t + kHourMs + 21 * kMinuteMs, RecallBatch{"site-1", "b-odd", "ops", "mislabelled"});
  apply("tick", t + 4 * kHourMs, Tick{});
  apply("ack", t + 4 * kHourMs + kMinuteMs, AcknowledgeWellness{"wc-o0", WellnessOutcome::kAwayFromHome, "", "ops"});
  return {Encoded(out), Dump(engine)};
}

TEST(EngineDeterminismTest, TheSameElderCareDayTwiceGivesTheSameOutputsAndState) {
  const auto a = ElderCareDay();
  const auto b = ElderCareDay();
  EXPECT_EQ(a.first, b.first);
  // The day does exercise the rules.
  auto raised = [&](std::string_view id) {
    return std::any_of(a.first.begin(), a.first.end(), [&](const std::string& o) { return o.find(id) != o.npos; });
  };
  EXPECT_TRUE(raised("wellness/o0/0"));
  EXPECT_TRUE(raised("wellness/o0/3"));
  EXPECT_TRUE(raised("wellness/o0/closed"));
  EXPECT_TRUE(raised("recall/site-1/b-odd"));
  for (const char* note : {"(paired helper)", "paired helper h1 cannot take it; team t1", "hub household hh-1",
                           "standing order so-1", "batch b-odd recalled by ops"}) {
    EXPECT_NE(a.second.find(note), std::string::npos) << note;
  }
  EXPECT_EQ(a.second, b.second);
}

// Every key and value in `store`, for searching.
std::vector<std::pair<std::string, std::string>> Dump(const state::Store& store) {
  std::vector<std::pair<std::string, std::string>> all;
  EXPECT_TRUE(store.Scan("", [&](std::string_view k, std::string_view v) {
                     all.emplace_back(k, v);
                     return true;
                   }).ok());
  return all;
}

TEST_F(EngineTest, ErasingAnElderLeavesOnlyAPseudonymAndTheLedgerTotals) {
  ASSERT_TRUE(engine_.Load(store_).ok());
  SetUpRegistry();
  const EventTimeMs t = kT0 + 10 * kHourMs;
  StartCourier("c1", t);
  PlaceFor("o1", "elder-1", t, t + kHourMs, kHourMs, "b-1");
  Ready("o1", t + kMinuteMs);
  ASSERT_EQ(Apply(Make("picked-o1", t + 2 * kMinuteMs, PickedUp{"o1", "c1"})).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(Apply(Make("done-o1", t + 61 * kMinuteMs, Delivered{"o1", "c1", "photo-o1"})).outcome,
            ApplyOutcome::kApplied);
  Commit();  // the ledger entry is in the store now, not in memory
  std::string booked;
  ASSERT_TRUE(store_.Get(state::LedgerKey(LocalDate(t + 61 * kMinuteMs, 8 * kHourMs), "site-1", "o1"), &booked).ok());
  LedgerEntry before;
  ASSERT_TRUE(codec::DecodeLedger(booked, &before).ok());
  PlaceFor("o2", "elder-1", t + 62 * kMinuteMs, t + 3 * kHourMs);
  StandingOrderSet lunch{"so-1", "site-1", "elder-1", 1, MealClass::kHot, 0b11111, 660, 720, "2025-12-01", "", ""};
  ASSERT_EQ(Apply(Make("standing", t + 63 * kMinuteMs, lunch)).outcome, ApplyOutcome::kApplied);
  Commit();

  out_.clear();
  ASSERT_EQ(Apply(Make("erase-1", t + 64 * kMinuteMs, EraseElder{"elder-1", "officer-li", "moved away"})).outcome,
            ApplyOutcome::kApplied);
  Commit();

  // Neither the id nor the home's coordinates are anywhere in state.
  std::string lat_bytes(sizeof kHome.lat, '\0');
  std::memcpy(lat_bytes.data(), &kHome.lat, sizeof kHome.lat);
  for (const auto& [key, value] : Dump(store_)) {
    EXPECT_EQ(key.find("elder-1"), std::string::npos) << key;
    EXPECT_EQ(value.find("elder-1"), std::string::npos) << key;
    EXPECT_EQ(value.find(lat_bytes), std::string::npos) << key;
    EXPECT_EQ(value.find("photo-o1"), std::string::npos) << key;
  }
  std::string rewritten;
  ASSERT_TRUE(store_.Get(state::LedgerKey(before.service_date, "site-1", "o1"), &rewritten).ok());
  LedgerEntry after;
  ASSERT_TRUE(codec::DecodeLedger(rewritten, &after).ok());
  EXPECT_EQ(after.elder_id, "erased-erase-1");
  EXPECT_EQ(after.amount.price_fen, before.amount.price_fen);
  EXPECT_EQ(after.category, before.category);
  EXPECT_EQ(engine_.FindOrder("o2")->status, OrderStatus::kCancelled);
  EXPECT_EQ(engine_.FindOrder("o1")->elder_id, "erased-erase-1");
  EXPECT_EQ(engine_.FindStandingOrder("so-1"), nullptr);
  // A second request finds nobody; later orders for the id are refused.
  EXPECT_EQ(Apply(Make("erase-2", t + 65 * kMinuteMs, EraseElder{"elder-1", "officer-li", "again"})).outcome,
            ApplyOutcome::kRejected);
  OrderPlaced late{"o3", "site-1", "elder-1", 1, MealClass::kHot, t + 3 * kHourMs, t + 4 * kHourMs};
  EXPECT_EQ(Apply(Make("placed-o3", t + 66 * kMinuteMs, late)).outcome, ApplyOutcome::kRejected);
  // The audit names the pseudonym, never the id.
  bool audited = false;
  for (const auto& [key, value] : Dump(store_)) {
    AuditEntry a;
    if (key.starts_with(state::kAuditPrefix) && codec::DecodeAudit(value, &a).ok() && a.action == "erase_elder") {
      audited = true;
      EXPECT_EQ(a.target, "erased-erase-1");
      EXPECT_EQ(a.actor, "officer-li");
      EXPECT_EQ(a.result,
                "2 orders, 1 ledger entries, 0 wellness checks, 1 alerts anonymised; 1 standing orders removed");
    }
  }
  EXPECT_TRUE(audited);
}

// Two days' retention; site-1 and elder-1 registered; every event
// committed as it is applied, as the service does.
class EngineRetentionTest : public ::testing::Test {
 protected:
  EngineRetentionTest() : engine(Options()) {}
  static EngineOptions Options() {
    EngineOptions options;
    options.order_retention_ms = 2 * 24 * kHourMs;
    return options;
  }
  void SetUp() override {
    ASSERT_TRUE(engine.Load(store).ok());
    Site site;
    site.site_id = "site-1";
    site.area_id = "area-1";
    site.location = kSite;
    apply("s", kT0, site);
    apply("e", kT0, Elder{"elder-1", "area-1", kHome});
  }
  void apply(std::string id, EventTimeMs t, EventBody body) {
    ASSERT_EQ(engine.Apply(Event{std::move(id), "area-1", t, std::move(body)}, &out).outcome, ApplyOutcome::kApplied);
    state::WriteSet changes;
    engine.CollectChanges(&changes);
    ASSERT_TRUE(store.Commit(changes).ok());
  }

  Engine engine;
  state::MemoryStore store;
  std::vector<Output> out;
};

TEST_F(EngineRetentionTest, FinishedOrdersAreDeletedAfterTheRetentionPeriodTheLedgerIsKept) {
  const EventTimeMs t = kT0 + 2 * kHourMs;  // 10:00 local
  apply("shift", t, ShiftStarted{"c1", TravelMode::kBike, 6, t + 4 * kHourMs, kSite});
  apply("p1", t, OrderPlaced{"o1", "site-1", "elder-1", 1, MealClass::kHot, t + kHourMs, t + 2 * kHourMs, false, {}, "b-1"});
  apply("r1", t + kMinuteMs, OrderReady{"o1"});
  apply("u1", t + 2 * kMinuteMs, PickedUp{"o1", "c1"});
  apply("d1", t + 70 * kMinuteMs, Delivered{"o1", "c1", "photo-o1"});
  apply("p2", t + 71 * kMinuteMs, OrderPlaced{"o2", "site-1", "elder-1", 1, MealClass::kHot, t + 5 * 24 * kHourMs,
                                              t + 5 * 24 * kHourMs + kHourMs});
  std::string bytes;
  const std::string ledger = state::LedgerKey(LocalDate(t + 70 * kMinuteMs, 8 * kHourMs), "site-1", "o1");
  // Not yet two days since it was delivered.
  apply("tick-1", kT0 + 24 * kHourMs + kHourMs, Tick{});
  ASSERT_NE(engine.FindOrder("o1"), nullptr);
  apply("tick-2", kT0 + 2 * 24 * kHourMs + kHourMs, Tick{});
  ASSERT_NE(engine.FindOrder("o1"), nullptr);
  apply("tick-3", kT0 + 3 * 24 * kHourMs + kHourMs, Tick{});
  EXPECT_EQ(engine.FindOrder("o1"), nullptr);
  EXPECT_FALSE(store.Get(state::OrderKey("o1"), &bytes).ok());
  EXPECT_FALSE(store.Get(state::TraceKey("site-1", "b-1", "o1"), &bytes).ok());
  EXPECT_TRUE(store.Get(ledger, &bytes).ok()) << "the ledger is kept";
  EXPECT_NE(engine.FindOrder("o2"), nullptr) << "an order not finished stays";
}

// ---- manual dispatch (operators' commands) ----

// The audit entries in `changes`.
std::vector<AuditEntry> AuditIn(const state::WriteSet& changes) {
  std::vector<AuditEntry> audit;
  for (const auto& op : changes.ops()) {
    if (!op.key.starts_with(state::kAuditPrefix)) continue;
    audit.emplace_back();
    EXPECT_TRUE(codec::DecodeAudit(op.value, &audit.back()).ok());
  }
  return audit;
}

// The stored alert `id` in `store`, if any.
std::optional<StoredAlert> StoredIn(const state::Store& store, const std::string& id) {
  std::string bytes;
  if (!store.Get(state::AlertKey(id), &bytes).ok()) return std::nullopt;
  StoredAlert a;
  EXPECT_TRUE(codec::DecodeStoredAlert(bytes, &a).ok());
  return a;
}

class ManualDispatchTest : public EngineTest {
 protected:
  // c1 at the kitchen, c2 1 km north (further from the elder): o1 goes to c1.
  void TwoCouriersAndO1() {
    ASSERT_TRUE(engine_.Load(store_).ok());
    SetUpRegistry();
    StartAt("c1", kT, kSite);
    StartAt("c2", kT, kNorth1km);
    Place("o1", kT, kT + 30 * kMinuteMs);
    Ready("o1", kT + kMinuteMs);
    ASSERT_EQ(engine_.FindOrder("o1")->courier_id, "c1");
    Commit();
    out_.clear();
  }

  ApplyResult Command(std::string id, EventTimeMs t, EventBody body) {
    return Apply(Make(std::move(id), t, std::move(body)));
  }

  // The plan published last for `courier` among out_, as its order ids.
  std::vector<std::string> LastPlan(const std::string& courier) const {
    std::vector<std::string> stops;
    for (const Assignment& a : Plans()) {
      if (a.courier_id != courier) continue;
      stops.clear();
      for (const PlannedStop& s : a.stops) stops.push_back(s.order_id);
    }
    return stops;
  }
};

TEST_F(ManualDispatchTest, ReassignMovesTheOrderPinnedToTheNamedCourierAndPublishesBothPlans) {
  TwoCouriersAndO1();
  const EventTimeMs at = kT + 2 * kMinuteMs;
  ASSERT_EQ(Command("cmd-1", at, ReassignOrder{"o1", "c2", "ops-li", "c1 has a flat tyre"}).outcome,
            ApplyOutcome::kApplied);
  const Order* o1 = engine_.FindOrder("o1");
  EXPECT_EQ(o1->status, OrderStatus::kAssigned);
  EXPECT_EQ(o1->courier_id, "c2");
  EXPECT_TRUE(o1->pinned);
  EXPECT_EQ(Last("o1").note, "c2 (reassigned by ops-li: c1 has a flat tyre)");
  EXPECT_TRUE(engine_.FindCourier("c1")->route.empty());
  ASSERT_EQ(Plans().size(), 2u);
  EXPECT_EQ(Plans()[0].courier_id, "c1");
  EXPECT_TRUE(Plans()[0].stops.empty());
  EXPECT_EQ(LastPlan("c2"), (std::vector<std::string>{"o1", "o1"}));
  EXPECT_TRUE(Alerts().empty());
  const auto audit = AuditIn(Commit());
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].actor, "ops-li");
  EXPECT_EQ(audit[0].action, "reassign_order");
  EXPECT_EQ(audit[0].target, "o1 -> c2");
  EXPECT_EQ(audit[0].reason, "c1 has a flat tyre");
  EXPECT_EQ(audit[0].result, "assigned to courier c2");
  EXPECT_EQ(audit[0].time_ms, at);

  // A re-optimisation round leaves it with c2: it is pinned there.
  TickAt(kT + 9 * kMinuteMs);
  EXPECT_EQ(engine_.FindOrder("o1")->courier_id, "c2");
}

TEST_F(ManualDispatchTest, ReassignIsRefusedWithAReasonTheOrderStaysWhereItWas) {
  TwoCouriersAndO1();
  StartAt("c3", kT + 2 * kMinuteMs, kSite, {}, /*capacity=*/1);
  ShiftStarted leaving{"c4", TravelMode::kBike, 6, kT + 5 * kMinuteMs, kNorth2km};
  ASSERT_EQ(Apply(Make("shift-c4", kT + 2 * kMinuteMs, leaving)).outcome, ApplyOutcome::kApplied);
  StartAt("c5", kT + 2 * kMinuteMs, kSite);
  ASSERT_EQ(Apply(Make("end-c5", kT + 2 * kMinuteMs, ShiftEnded{"c5"})).outcome, ApplyOutcome::kApplied);
  PlaceFor("o3", "elder-1", kT + 2 * kMinuteMs, kT + 40 * kMinuteMs, kHourMs, {}, /*meals=*/3);
  Place("o-placed", kT + 2 * kMinuteMs, kT + 3 * kHourMs);
  Ready("o3", kT + 2 * kMinuteMs);
  Commit();
  out_.clear();
  const EventTimeMs at = kT + 3 * kMinuteMs;
  struct Case {
    ReassignOrder command;
    std::string why;
  };
  const Case cases[] = {
      {{"o1", "c1", "ops", "x"}, "order o1 is already with courier c1"},
      {{"o1", "c5", "ops", "x"}, "courier c5 is off shift"},
      {{"o3", "c3", "ops", "x"}, "3 meals do not fit courier c3's box of 1"},
      {{"o1", "c4", "ops", "x"}, "courier c4 cannot take it within the box, the hot-meal limit and the shift end"},
      {{"o-placed", "c2", "ops", "x"}, "order o-placed is not ready yet: the kitchen has not plated it"},
  };
  int n = 0;
  for (const Case& c : cases) {
    out_.clear();
    const std::string id = "cmd-" + std::to_string(++n);
    ASSERT_EQ(Command(id, at, c.command).outcome, ApplyOutcome::kApplied) << c.why;
    ASSERT_EQ(Alerts().size(), 1u) << c.why;
    const Alert a = Alerts()[0];
    EXPECT_EQ(a.alert_id, "refused/" + id);
    EXPECT_EQ(a.kind, AlertKind::kCommandRefused);
    EXPECT_EQ(a.severity, Severity::kWarning);
    EXPECT_EQ(a.order_id, c.command.order_id);
    EXPECT_EQ(a.courier_id, c.command.courier_id);
    EXPECT_EQ(a.reason, "reassign_order by ops refused: " + c.why);
    EXPECT_TRUE(Plans().empty()) << c.why;
    const auto audit = AuditIn(Commit());
    ASSERT_EQ(audit.size(), 1u);
    EXPECT_EQ(audit[0].result, "refused: " + c.why);
  }
  EXPECT_EQ(engine_.FindOrder("o1")->courier_id, "c1");
  EXPECT_FALSE(engine_.FindOrder("o1")->pinned);
  EXPECT_EQ(engine_.FindOrder("o-placed")->status, OrderStatus::kPlaced);

  // Picked up: too late to move.
  ASSERT_EQ(Apply(Make("pick-o1", at, PickedUp{"o1", "c1"})).outcome, ApplyOutcome::kApplied);
  out_.clear();
  ASSERT_EQ(Command("cmd-picked", at, ReassignOrder{"o1", "c2", "ops", "x"}).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(Alerts().size(), 1u);
  EXPECT_EQ(Alerts()[0].reason, "reassign_order by ops refused: order o1 is already picked up by courier c1");
  // Unknown ids are not refusals but bad input.
  EXPECT_EQ(Command("cmd-x", at, ReassignOrder{"o1", "nobody", "ops", "x"}).outcome, ApplyOutcome::kRejected);
  EXPECT_EQ(Command("cmd-y", at, ReassignOrder{"nothing", "c2", "ops", "x"}).outcome, ApplyOutcome::kRejected);
}

TEST_F(ManualDispatchTest, ReassignToACourierWhoWillBeLateIsTakenAndSaysSo) {
  ASSERT_TRUE(engine_.Load(store_).ok());
  SetUpRegistry();
  StartAt("c1", kT, kSite);
  StartAt("far", kT, GeoPoint{41.8450, 123.4300});  // 5 km north
  PlaceFor("o1", "elder-1", kT, kT + 5 * kMinuteMs, 15 * kMinuteMs);
  Ready("o1", kT + kMinuteMs);
  ASSERT_EQ(engine_.FindOrder("o1")->courier_id, "c1");
  out_.clear();
  ASSERT_EQ(Command("cmd-1", kT + 2 * kMinuteMs, ReassignOrder{"o1", "far", "ops", "c1 is needed elsewhere"}).outcome,
            ApplyOutcome::kApplied);
  EXPECT_TRUE(Alerts().empty());
  EXPECT_EQ(engine_.FindOrder("o1")->courier_id, "far");
  const std::string note = Last("o1").note;
  EXPECT_NE(note.find("min after the window"), std::string::npos) << note;
  const auto audit = AuditIn(Commit());
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_TRUE(audit[0].result.starts_with("assigned to courier far; reaches the door about ")) << audit[0].result;
}

TEST_F(ManualDispatchTest, UnassignReturnsTheOrderToDispatchWhichNeverGivesItBackToThatCourier) {
  ASSERT_TRUE(engine_.Load(store_).ok());
  SetUpRegistry();
  AddElder("elder-h", kHome, kLivingAlone, "c1");  // c1 is the elder's paired helper
  StartAt("c1", kT, kSite);
  StartAt("c2", kT, kNorth1km);
  PlaceFor("o1", "elder-h", kT, kT + 30 * kMinuteMs, 90 * kMinuteMs);
  Ready("o1", kT + kMinuteMs);
  ASSERT_EQ(engine_.FindOrder("o1")->courier_id, "c1");
  out_.clear();
  ASSERT_EQ(Command("cmd-1", kT + 2 * kMinuteMs, UnassignOrder{"o1", "ops-wang", "c1 called in sick"}).outcome,
            ApplyOutcome::kApplied);
  const Order* o1 = engine_.FindOrder("o1");
  EXPECT_EQ(o1->courier_id, "c2");
  EXPECT_EQ(o1->excluded_couriers, std::vector<std::string>{"c1"});
  EXPECT_EQ(LastPlan("c1"), std::vector<std::string>{});
  EXPECT_EQ(LastPlan("c2"), (std::vector<std::string>{"o1", "o1"}));
  bool noted = false;
  for (const TimelineEntry& t : o1->timeline) noted |= t.note == "taken off courier c1 by ops-wang: c1 called in sick";
  EXPECT_TRUE(noted);
  const auto audit = AuditIn(Commit());
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "unassign_order");
  EXPECT_EQ(audit[0].result, "taken off courier c1; now with courier c2");

  // c2 goes home: c1 is the only courier left, and dispatch does not use it.
  out_.clear();
  ASSERT_EQ(Apply(Make("end-c2", kT + 3 * kMinuteMs, ShiftEnded{"c2"})).outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(engine_.FindOrder("o1")->status, OrderStatus::kUnassigned);
  EXPECT_TRUE(engine_.FindCourier("c1")->route.empty());
  ASSERT_EQ(AlertIds(), std::vector<std::string>{"unassignable/o1/1"});
  // Re-optimisation and a new shift's retry keep away from c1 too.
  TickAt(kT + 9 * kMinuteMs);
  EXPECT_EQ(engine_.FindOrder("o1")->status, OrderStatus::kUnassigned);

  // An operator may still send it to c1 by name: that lifts the exclusion.
  ASSERT_EQ(Command("cmd-2", kT + 10 * kMinuteMs, ReassignOrder{"o1", "c1", "ops-wang", "c1 is better"}).outcome,
            ApplyOutcome::kApplied);
  EXPECT_EQ(engine_.FindOrder("o1")->courier_id, "c1");
  EXPECT_TRUE(engine_.FindOrder("o1")->excluded_couriers.empty());

  // Only an assigned order can be unassigned.
  ASSERT_EQ(Apply(Make("pick-o1", kT + 11 * kMinuteMs, PickedUp{"o1", "c1"})).outcome, ApplyOutcome::kApplied);
  out_.clear();
  ASSERT_EQ(Command("cmd-3", kT + 12 * kMinuteMs, UnassignOrder{"o1", "ops", "x"}).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(Alerts().size(), 1u);
  EXPECT_EQ(Alerts()[0].reason, "unassign_order by ops refused: order o1 is PICKED_UP: the meal is on board");
  EXPECT_EQ(engine_.FindOrder("o1")->courier_id, "c1");
}

TEST_F(ManualDispatchTest, AHeldOrderLeavesItsRouteAndNoDispatchTouchesItUntilReleased) {
  TwoCouriersAndO1();
  ASSERT_EQ(Command("cmd-1", kT + 2 * kMinuteMs, HoldOrder{"o1", "ops-zhao", "elder phoned: at the doctor"}).outcome,
            ApplyOutcome::kApplied);
  const Order* o1 = engine_.FindOrder("o1");
  EXPECT_EQ(o1->status, OrderStatus::kHeld);
  EXPECT_TRUE(o1->courier_id.empty());
  EXPECT_EQ(Last("o1").note, "held by ops-zhao: elder phoned: at the doctor");
  EXPECT_EQ(LastPlan("c1"), std::vector<std::string>{});
  auto audit = AuditIn(Commit());
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "hold_order");
  EXPECT_EQ(audit[0].result, "held; taken off courier c1");

  // Neither a new shift (which retries every waiting order), nor a
  // re-optimisation round, nor a courier with room again picks it up.
  StartAt("c3", kT + 3 * kMinuteMs, kSite);
  TickAt(kT + 9 * kMinuteMs);
  ASSERT_EQ(Apply(Make("avail", kT + 10 * kMinuteMs, Availability{"c2", true})).outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(engine_.FindOrder("o1")->status, OrderStatus::kHeld);
  for (const char* c : {"c1", "c2", "c3"}) EXPECT_TRUE(engine_.FindCourier(c)->route.empty()) << c;

  out_.clear();
  ASSERT_EQ(Command("cmd-2", kT + 11 * kMinuteMs, ReleaseOrder{"o1", "ops-zhao", "elder is home"}).outcome,
            ApplyOutcome::kApplied);
  EXPECT_EQ(engine_.FindOrder("o1")->status, OrderStatus::kAssigned);
  EXPECT_FALSE(engine_.FindOrder("o1")->courier_id.empty());
  EXPECT_EQ(Plans().size(), 1u);
  audit = AuditIn(Commit());
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "release_order");
  EXPECT_EQ(audit[0].result, "released; assigned to courier " + engine_.FindOrder("o1")->courier_id);
  bool released = false;
  for (const TimelineEntry& t : engine_.FindOrder("o1")->timeline) {
    released |= t.status == OrderStatus::kReady && t.note == "released by ops-zhao: elder is home";
  }
  EXPECT_TRUE(released);
  EXPECT_TRUE(Alerts().empty()) << "released before its window opened: no late risk";
}

TEST_F(ManualDispatchTest, AnOrderHeldBeforeItIsReadyWaitsForTheKitchenAfterRelease) {
  ASSERT_TRUE(engine_.Load(store_).ok());
  SetUpRegistry();
  StartAt("c1", kT, kSite);
  Place("o1", kT, kT + 3 * kHourMs);
  Place("o2", kT, kT + 3 * kHourMs);
  ASSERT_EQ(Command("hold-1", kT + kMinuteMs, HoldOrder{"o1", "ops", "check the address"}).outcome,
            ApplyOutcome::kApplied);
  ASSERT_EQ(Command("hold-2", kT + kMinuteMs, HoldOrder{"o2", "ops", "check the diet"}).outcome,
            ApplyOutcome::kApplied);
  Ready("o1", kT + 2 * kMinuteMs);  // the kitchen plates it anyway: noted, still held
  EXPECT_EQ(engine_.FindOrder("o1")->status, OrderStatus::kHeld);
  EXPECT_EQ(engine_.FindOrder("o1")->ready_ms, kT + 2 * kMinuteMs);
  EXPECT_EQ(Last("o1").note, "ready; still held");
  EXPECT_TRUE(engine_.FindCourier("c1")->route.empty());

  ASSERT_EQ(Command("rel-1", kT + 3 * kMinuteMs, ReleaseOrder{"o1", "ops", "ok"}).outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(engine_.FindOrder("o1")->status, OrderStatus::kAssigned);
  ASSERT_EQ(Command("rel-2", kT + 3 * kMinuteMs, ReleaseOrder{"o2", "ops", "ok"}).outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(engine_.FindOrder("o2")->status, OrderStatus::kPlaced);
  EXPECT_EQ(Last("o2").note, "released by ops: ok; waiting for the kitchen");
  Ready("o2", kT + 4 * kMinuteMs);
  EXPECT_EQ(engine_.FindOrder("o2")->status, OrderStatus::kAssigned);
}

TEST_F(ManualDispatchTest, HoldAndReleaseAreRefusedInTheWrongState) {
  TwoCouriersAndO1();
  const EventTimeMs at = kT + 2 * kMinuteMs;
  auto refusal = [&](std::string id, EventBody body) {
    out_.clear();
    EXPECT_EQ(Command(id, at, std::move(body)).outcome, ApplyOutcome::kApplied);
    EXPECT_EQ(Alerts().size(), 1u);
    return Alerts().empty() ? std::string() : Alerts()[0].reason;
  };
  EXPECT_EQ(refusal("c-1", ReleaseOrder{"o1", "ops", "x"}),
            "release_order by ops refused: order o1 is ASSIGNED, not held");
  ASSERT_EQ(Command("c-2", at, HoldOrder{"o1", "ops", "x"}).outcome, ApplyOutcome::kApplied);
  EXPECT_EQ(refusal("c-3", HoldOrder{"o1", "ops", "again"}), "hold_order by ops refused: order o1 is HELD");
  EXPECT_EQ(refusal("c-4", UnassignOrder{"o1", "ops", "x"}),
            "unassign_order by ops refused: order o1 is HELD, not assigned");
  EXPECT_EQ(refusal("c-5", ReassignOrder{"o1", "c2", "ops", "x"}),
            "reassign_order by ops refused: order o1 is held: release it first");
  ASSERT_EQ(Command("c-6", at, ReleaseOrder{"o1", "ops", "x"}).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(Apply(Make("pick-o1", at, PickedUp{"o1", engine_.FindOrder("o1")->courier_id})).outcome,
            ApplyOutcome::kApplied);
  EXPECT_EQ(refusal("c-7", HoldOrder{"o1", "ops", "x"}),
            "hold_order by ops refused: order o1 is already picked up by courier " +
                engine_.FindOrder("o1")->courier_id);
  EXPECT_EQ(engine_.FindOrder("o1")->status, OrderStatus::kPickedUp);
  EXPECT_EQ(Command("c-8", at, HoldOrder{"nothing", "ops", "x"}).outcome, ApplyOutcome::kRejected);
}

TEST_F(ManualDispatchTest, AHeldOrderRaisesALateRiskOnceWhenItsWindowOpensEvenAcrossAReload) {
  TwoCouriersAndO1();  // o1's window opens at kT + 30 min
  ASSERT_EQ(Command("hold", kT + 2 * kMinuteMs, HoldOrder{"o1", "ops", "x"}).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(Command("unassign-none", kT + 2 * kMinuteMs, UnassignOrder{"o1", "ops", "x"}).outcome,
            ApplyOutcome::kApplied);  // refused: it is held
  std::unique_ptr<Engine> reloaded = Reload(engine_, store_);
  EXPECT_EQ(reloaded->FindOrder("o1")->status, OrderStatus::kHeld);
  std::vector<Output> out;
  ASSERT_EQ(reloaded->Apply(Make("t1", kT + 30 * kMinuteMs - 1, Tick{}), &out).outcome, ApplyOutcome::kApplied);
  EXPECT_TRUE(out.empty());
  ASSERT_EQ(reloaded->Apply(Make("t2", kT + 30 * kMinuteMs, Tick{}), &out).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(out.size(), 1u);
  const Alert& late = std::get<Alert>(out[0]);
  EXPECT_EQ(late.alert_id, "late/o1");
  EXPECT_EQ(late.kind, AlertKind::kLateRisk);
  EXPECT_EQ(late.severity, Severity::kCritical);  // lives alone
  EXPECT_EQ(late.time_ms, kT + 30 * kMinuteMs);
  EXPECT_EQ(late.reason, "the delivery window opened at 10:30 and the order is still held: release it or cancel it");
  EXPECT_TRUE(reloaded->FindOrder("o1")->late_alerted);
  out.clear();
  ASSERT_EQ(reloaded->Apply(Make("t3", kT + 90 * kMinuteMs, Tick{}), &out).outcome, ApplyOutcome::kApplied);
  EXPECT_TRUE(out.empty());
  // Cancelling a held order works as for any other.
  ASSERT_EQ(reloaded->Apply(Make("cancel", kT + 91 * kMinuteMs, OrderCancelled{"o1", "elder away"}), &out).outcome,
            ApplyOutcome::kApplied);
  EXPECT_EQ(reloaded->FindOrder("o1")->status, OrderStatus::kCancelled);
}

TEST_F(ManualDispatchTest, ExclusionsSurviveAReload) {
  TwoCouriersAndO1();
  ASSERT_EQ(Command("cmd-1", kT + 2 * kMinuteMs, UnassignOrder{"o1", "ops", "x"}).outcome, ApplyOutcome::kApplied);
  ASSERT_EQ(engine_.FindOrder("o1")->courier_id, "c2");
  std::unique_ptr<Engine> reloaded = Reload(engine_, store_);
  EXPECT_EQ(reloaded->FindOrder("o1")->excluded_couriers, std::vector<std::string>{"c1"});
  std::vector<Output> out;
  ASSERT_EQ(reloaded->Apply(Make("end-c2", kT + 3 * kMinuteMs, ShiftEnded{"c2"}), &out).outcome,
            ApplyOutcome::kApplied);
  EXPECT_EQ(reloaded->FindOrder("o1")->status, OrderStatus::kUnassigned);
}

// ---- stored alerts ----

TEST_F(EngineTest, EveryAlertIsStoredOpenAndAnAcknowledgementIsAuditedCountedAndFinal) {
  ASSERT_TRUE(engine_.Load(store_).ok());
  SetUpRegistry();
  Place("o1", kT, kT + 30 * kMinuteMs);
  Ready("o1", kT + kMinuteMs);  // no courier on shift
  ASSERT_EQ(AlertIds(), std::vector<std::string>{"unassignable/o1/1"});
  Commit();
  auto stored = StoredIn(store_, "unassignable/o1/1");
  ASSERT_TRUE(stored.has_value());
  EXPECT_FALSE(stored->acknowledged);
  EXPECT_EQ(codec::EncodeAlert(stored->alert), codec::EncodeAlert(Alerts()[0]));
  const std::size_t unassignable = static_cast<std::size_t>(AlertKind::kUnassignable);
  EXPECT_EQ(engine_.open_alerts_by_kind()[unassignable], 1);
  ASSERT_NE(engine_.FindOpenAlert("unassignable/o1/1"), nullptr);

  out_.clear();
  const EventTimeMs at = kT + 5 * kMinuteMs;
  ASSERT_EQ(Apply(Make("ack-1", at, AcknowledgeAlert{"unassignable/o1/1", "ops-wang", "calling a volunteer"})).outcome,
            ApplyOutcome::kApplied);
  EXPECT_TRUE(out_.empty()) << "an acknowledgement publishes nothing";
  EXPECT_EQ(engine_.open_alerts_by_kind()[unassignable], 0);
  EXPECT_EQ(engine_.FindOpenAlert("unassignable/o1/1"), nullptr);
  const auto audit = AuditIn(Commit());
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].action, "acknowledge_alert");
  EXPECT_EQ(audit[0].target, "unassignable/o1/1");
  EXPECT_EQ(audit[0].reason, "calling a volunteer");
  EXPECT_EQ(audit[0].result, "acknowledged UNASSIGNABLE");
  stored = StoredIn(store_, "unassignable/o1/1");
  EXPECT_TRUE(stored->acknowledged);
  EXPECT_EQ(stored->acknowledged_by, "ops-wang");
  EXPECT_EQ(stored->note, "calling a volunteer");
  EXPECT_EQ(stored->acknowledged_ms, at);

  // Once only; an unknown id or another area's alert is bad input.
  EXPECT_EQ(Apply(Make("ack-2", at, AcknowledgeAlert{"unassignable/o1/1", "ops-li", "me too"})).outcome,
            ApplyOutcome::kRejected);
  EXPECT_EQ(Apply(Make("ack-3", at, AcknowledgeAlert{"nothing", "ops-li", ""})).outcome, ApplyOutcome::kRejected);
  EXPECT_EQ(Dump(engine_), "") << "a rejected acknowledgement changes nothing";

  // A second alert stays open across a reload, and is counted from the store.
  StartCourier("c1", kT + 6 * kMinuteMs);
  ASSERT_EQ(Apply(Make("fail", kT + 20 * kMinuteMs, DeliveryFailed{"o1", "c1", FailureReason::kRefused})).outcome,
            ApplyOutcome::kApplied);
  Commit();
  Engine reloaded{EngineOptions{}};
  ASSERT_TRUE(reloaded.Load(store_).ok());
  EXPECT_EQ(reloaded.open_alerts_by_kind()[unassignable], 0);
  EXPECT_EQ(reloaded.open_alerts_by_kind()[static_cast<std::size_t>(AlertKind::kDeliveryFailed)], 1);
  ASSERT_NE(reloaded.FindOpenAlert("failed/o1"), nullptr);
  EXPECT_EQ(reloaded.FindOpenAlert("failed/o1")->alert.reason, "refused");
}

TEST_F(WellnessEngineTest, AcknowledgingAWellnessAlertLeavesTheCaseOpenClosingTheCaseAcknowledgesItsAlerts) {
  ASSERT_TRUE(engine_.Load(store_).ok());
  NoAnswer();
  const AcknowledgeAlert ack{"wellness/o1/0", "ops-li", "courier knocking"};
  ASSERT_EQ(Apply(Make("ack-alert", kFailed + kMinuteMs, ack)).outcome, ApplyOutcome::kApplied);
  EXPECT_FALSE(engine_.FindWellnessCase("wc-o1")->closed);
  out_.clear();
  TickAt(kFailed + 10 * kMinuteMs);  // it still escalates
  ASSERT_EQ(AlertIds(), std::vector<std::string>{"wellness/o1/1"});
  const std::size_t wellness = static_cast<std::size_t>(AlertKind::kWellnessCheck);
  EXPECT_EQ(engine_.open_alerts_by_kind()[wellness], 1);
  Commit();

  const EventTimeMs closed = kFailed + 12 * kMinuteMs;
  ASSERT_EQ(Apply(Make("close", closed, AcknowledgeWellness{"wc-o1", WellnessOutcome::kElderSafe, "at a neighbour's",
                                                            "ops-wang"}))
                .outcome,
            ApplyOutcome::kApplied);
  Commit();
  EXPECT_EQ(engine_.open_alerts_by_kind()[wellness], 0);
  const auto first = StoredIn(store_, "wellness/o1/0");
  EXPECT_EQ(first->acknowledged_by, "ops-li");
  EXPECT_EQ(first->note, "courier knocking");
  const auto second = StoredIn(store_, "wellness/o1/1");
  EXPECT_TRUE(second->acknowledged);
  EXPECT_EQ(second->acknowledged_by, "ops-wang");
  EXPECT_EQ(second->note, "wellness check closed: elder_safe");
  EXPECT_EQ(second->acknowledged_ms, closed);
  const auto info = StoredIn(store_, "wellness/o1/closed");
  ASSERT_TRUE(info.has_value());
  EXPECT_EQ(info->alert.kind, AlertKind::kWellnessClosed);
  EXPECT_TRUE(info->acknowledged) << "an operator's own decision needs no acknowledgement";
  EXPECT_EQ(info->acknowledged_by, "ops-wang");
  for (std::int64_t n : engine_.open_alerts_by_kind()) EXPECT_EQ(n, 0);
}

TEST_F(EngineTest, ErasureAnonymisesStoredAlertsOpenAcknowledgedAndCommitted) {
  ASSERT_TRUE(engine_.Load(store_).ok());
  SetUpRegistry();
  Place("o1", kT, kT + 30 * kMinuteMs);
  Ready("o1", kT + kMinuteMs);  // unassignable/o1/1
  StartCourier("c1", kT + 2 * kMinuteMs);
  ASSERT_EQ(Apply(Make("fail", kT + 20 * kMinuteMs, DeliveryFailed{"o1", "c1", FailureReason::kRefused})).outcome,
            ApplyOutcome::kApplied);  // failed/o1
  ASSERT_EQ(Apply(Make("ack", kT + 21 * kMinuteMs, AcknowledgeAlert{"unassignable/o1/1", "ops", "seen"})).outcome,
            ApplyOutcome::kApplied);
  Commit();
  ASSERT_EQ(Apply(Make("erase", kT + 22 * kMinuteMs, EraseElder{"elder-1", "officer", "request"})).outcome,
            ApplyOutcome::kApplied);
  const auto audit = AuditIn(Commit());
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_NE(audit[0].result.find("2 alerts anonymised"), std::string::npos) << audit[0].result;
  for (const char* id : {"unassignable/o1/1", "failed/o1"}) {
    const auto a = StoredIn(store_, id);
    ASSERT_TRUE(a.has_value()) << id;
    EXPECT_EQ(a->alert.elder_id, "erased-erase") << id;
  }
  EXPECT_TRUE(StoredIn(store_, "unassignable/o1/1")->acknowledged);
  EXPECT_FALSE(StoredIn(store_, "failed/o1")->acknowledged);
}

TEST_F(EngineRetentionTest, TheAlertsOfPurgedOrdersGoWithThemAcknowledgedOnesAboutNoOrderAfterTheCutoff) {
  const EventTimeMs t = kT0 + 2 * kHourMs;
  apply("p1", t, OrderPlaced{"o1", "site-1", "elder-1", 1, MealClass::kHot, t + kHourMs, t + 2 * kHourMs});
  apply("r1", t + kMinuteMs, OrderReady{"o1"});                         // unassignable/o1/1, left open
  apply("x1", t + 2 * kMinuteMs, OrderCancelled{"o1", "no courier"});   // finished
  apply("p2", t, OrderPlaced{"o2", "site-1", "elder-1", 1, MealClass::kHot, t + 4 * 24 * kHourMs,
                             t + 4 * 24 * kHourMs + kHourMs, false, {}, "b-2"});
  apply("recall", t + 3 * kMinuteMs, RecallBatch{"site-1", "b-2", "ops", "x"});  // recall/site-1/b-2 (+ the order's)
  apply("recall-b3", t + 3 * kMinuteMs, RecallBatch{"site-1", "b-3", "ops", "x"});  // recall/site-1/b-3, no order
  apply("ack", t + 4 * kMinuteMs, AcknowledgeAlert{"recall/site-1/b-2", "ops", "done"});
  std::string bytes;
  for (const char* id : {"unassignable/o1/1", "recall/site-1/b-2", "recall/site-1/b-3"}) {
    ASSERT_TRUE(store.Get(state::AlertKey(id), &bytes).ok()) << id;
  }
  apply("tick-1", kT0 + 2 * 24 * kHourMs + kHourMs, Tick{});
  ASSERT_TRUE(store.Get(state::AlertKey("unassignable/o1/1"), &bytes).ok()) << "not two days yet";
  apply("tick-2", kT0 + 3 * 24 * kHourMs + kHourMs, Tick{});
  EXPECT_EQ(engine.FindOrder("o1"), nullptr);
  EXPECT_FALSE(store.Get(state::AlertKey("unassignable/o1/1"), &bytes).ok()) << "the purged order's open alert";
  EXPECT_FALSE(store.Get(state::AlertKey("recall/site-1/b-2"), &bytes).ok()) << "acknowledged before the cutoff";
  EXPECT_TRUE(store.Get(state::AlertKey("recall/site-1/b-3"), &bytes).ok()) << "open, about no order";
  EXPECT_EQ(engine.open_alerts_by_kind()[static_cast<std::size_t>(AlertKind::kUnassignable)], 0);
  EXPECT_EQ(engine.FindOpenAlert("unassignable/o1/1"), nullptr);
}

TEST_F(EngineRetentionTest, AnAlertThePurgeDeletedStaysDeletedWhenAnErasureFollowsInTheSameCommit) {
  const EventTimeMs t = kT0 + 2 * kHourMs;
  apply("p1", t, OrderPlaced{"o1", "site-1", "elder-1", 1, MealClass::kHot, t + kHourMs, t + 2 * kHourMs});
  apply("r1", t + kMinuteMs, OrderReady{"o1"});  // unassignable/o1/1, about elder-1
  apply("x1", t + 2 * kMinuteMs, OrderCancelled{"o1", "no courier"});
  // The purge and the erasure in one batch: the alert is still in the store
  // when the erasure looks for the elder's alerts there.
  ASSERT_EQ(engine.Apply(Event{"tick", "area-1", kT0 + 3 * 24 * kHourMs + kHourMs, Tick{}}, &out).outcome,
            ApplyOutcome::kApplied);
  ASSERT_EQ(engine.FindOrder("o1"), nullptr);
  ASSERT_EQ(engine.Apply(Event{"erase", "area-1", kT0 + 3 * 24 * kHourMs + kHourMs, EraseElder{"elder-1", "ops", "x"}},
                         &out)
                .outcome,
            ApplyOutcome::kApplied);
  state::WriteSet changes;
  engine.CollectChanges(&changes);
  ASSERT_TRUE(store.Commit(changes).ok());
  std::string bytes;
  EXPECT_FALSE(store.Get(state::AlertKey("unassignable/o1/1"), &bytes).ok());
}

// A finished order lives in the store only after the commit that writes it.
// `memory`, never loaded, keeps every order in memory as the engine always
// did: the stored engine must answer every event as it does.
class FinishedOrderTest : public EngineRetentionTest {
 protected:
  void SetUp() override {
    EngineRetentionTest::SetUp();
    Site site;
    site.site_id = "site-1";
    site.area_id = "area-1";
    site.location = kSite;
    std::vector<Output> ignored;
    memory.Apply(Event{"s", "area-1", kT0, site}, &ignored);
    memory.Apply(Event{"e", "area-1", kT0, Elder{"elder-1", "area-1", kHome}}, &ignored);
    const EventTimeMs t = kT0 + 2 * kHourMs;
    both("shift", t, ShiftStarted{"c1", TravelMode::kBike, 6, t + 4 * kHourMs, kSite});
    both("p1", t, OrderPlaced{"o1", "site-1", "elder-1", 1, MealClass::kHot, t + kHourMs, t + 2 * kHourMs, false, {}, "b-1"});
    both("r1", t + kMinuteMs, OrderReady{"o1"});
    both("u1", t + 2 * kMinuteMs, PickedUp{"o1", "c1"});
    both("d1", t + 70 * kMinuteMs, Delivered{"o1", "c1", "photo-o1"});
    both("p2", t + 71 * kMinuteMs, OrderPlaced{"o2", "site-1", "elder-1", 1, MealClass::kHot, t + kHourMs,
                                               t + 2 * kHourMs});
    both("x2", t + 72 * kMinuteMs, OrderCancelled{"o2", "away"});
  }
  // Applies to `memory` and to `engine` (with a commit), expecting `engine`'s
  // outcome.
  void both(std::string id, EventTimeMs t, EventBody body) {
    std::vector<Output> ignored;
    memory.Apply(Event{id, "area-1", t, body}, &ignored);
    apply(std::move(id), t, std::move(body));
  }
  // `other` (`engine` or one loaded from `store`) and `memory` give the
  // same outcome, reason and outputs for the event; `other`'s changes are
  // committed.
  void Same(Engine& other, const std::string& id, EventTimeMs t, const EventBody& body, std::string area = "area-1") {
    std::vector<Output> expected, got;
    const ApplyResult want = memory.Apply(Event{id, area, t, body}, &expected);
    const ApplyResult result = other.Apply(Event{id, area, t, body}, &got);
    EXPECT_EQ(result.outcome, want.outcome) << id;
    EXPECT_EQ(result.reason, want.reason) << id;
    EXPECT_EQ(Encoded(got), Encoded(expected)) << id;
    state::WriteSet changes;
    other.CollectChanges(&changes);
    for (const auto& op : changes.ops()) EXPECT_NE(op.key, state::OrderKey("o1")) << id << ": it changes no order";
    ASSERT_TRUE(store.Commit(changes).ok());
    Dump(memory);
  }
  void LateEventsAreAnsweredAsFromMemory(Engine& other) {
    const EventTimeMs t = kT0 + 4 * kHourMs;
    Same(other, "d1-again", t, Delivered{"o1", "c1", "photo-o1"});
    Same(other, "d1-other", t, Delivered{"o1", "c2", "photo-o1"});
    Same(other, "f1", t, DeliveryFailed{"o1", "c1", FailureReason::kNoAnswer});
    Same(other, "u1-again", t, PickedUp{"o1", "c1"});
    Same(other, "r1-again", t, OrderReady{"o1"});
    Same(other, "x1", t, OrderCancelled{"o1", "late"});
    Same(other, "x2-again", t, OrderCancelled{"o2", "again"});
    Same(other, "x1-area", t, OrderCancelled{"o1", "late"}, "area-2");
    Same(other, "p1-again", t, OrderPlaced{"o1", "site-1", "elder-1", 1, MealClass::kHot, t + kHourMs, t + 2 * kHourMs});
    Same(other, "hold", t, HoldOrder{"o1", "ops", "check"});
    Same(other, "release", t, ReleaseOrder{"o1", "ops", {}});
    Same(other, "unassign", t, UnassignOrder{"o1", "ops", {}});
    Same(other, "reassign", t, ReassignOrder{"o1", "c1", "ops", {}});
  }

  Engine memory{Options()};
};

TEST_F(FinishedOrderTest, AFinishedOrderLeavesMemoryAtItsCommitAndLateEventsGetTheSameAnswers) {
  ASSERT_NE(engine.FindOrder("o1"), nullptr);
  EXPECT_EQ(engine.FindOrder("o1")->status, OrderStatus::kDelivered) << "read from the store";
  EXPECT_EQ(engine.order_count(), 2u);
  LateEventsAreAnsweredAsFromMemory(engine);
}

TEST_F(FinishedOrderTest, AfterAReloadLateEventsGetTheSameAnswers) {
  Engine reloaded(Options());
  ASSERT_TRUE(reloaded.Load(store).ok());
  EXPECT_EQ(reloaded.order_count(), 2u);
  EXPECT_EQ(reloaded.FindOrder("o2")->status, OrderStatus::kCancelled);
  LateEventsAreAnsweredAsFromMemory(reloaded);
}

TEST_F(FinishedOrderTest, AfterAReloadARecallAndAnErasureFindTheFinishedOrders) {
  Engine reloaded(Options());
  ASSERT_TRUE(reloaded.Load(store).ok());
  const EventTimeMs t = kT0 + 5 * kHourMs;
  Same(reloaded, "recall", t, RecallBatch{"site-1", "b-1", "ops", "suspect"});
  std::vector<Output> ignored;
  ASSERT_EQ(reloaded.Apply(Event{"erase", "area-1", t, EraseElder{"elder-1", "ops", "asked"}}, &ignored).outcome,
            ApplyOutcome::kApplied);
  state::WriteSet changes;
  reloaded.CollectChanges(&changes);
  const std::vector<AuditEntry> audit = AuditIn(changes);
  ASSERT_EQ(audit.size(), 1u);
  EXPECT_EQ(audit[0].result,
            "2 orders, 1 ledger entries, 0 wellness checks, 2 alerts anonymised; 0 standing orders removed")
      << "food-safety/o1 (68 min on board) and recall/site-1/b-1/o1";
  ASSERT_TRUE(store.Commit(changes).ok());
  EXPECT_EQ(reloaded.FindOrder("o1")->elder_id, "erased-erase");
  EXPECT_EQ(reloaded.FindOrder("o2")->elder_id, "erased-erase");
}

TEST_F(FinishedOrderTest, RetentionStillPurgesAfterAReload) {
  Engine reloaded(Options());
  ASSERT_TRUE(reloaded.Load(store).ok());
  std::vector<Output> ignored;
  ASSERT_EQ(reloaded.Apply(Event{"tick", "area-1", kT0 + 3 * 24 * kHourMs + kHourMs, Tick{}}, &ignored).outcome,
            ApplyOutcome::kApplied);
  state::WriteSet changes;
  reloaded.CollectChanges(&changes);
  ASSERT_TRUE(store.Commit(changes).ok());
  std::string bytes;
  for (const char* id : {"o1", "o2"}) {
    EXPECT_EQ(reloaded.FindOrder(id), nullptr) << id;
    EXPECT_FALSE(store.Get(state::OrderKey(id), &bytes).ok()) << id;
  }
  EXPECT_FALSE(store.Get(state::TraceKey("site-1", "b-1", "o1"), &bytes).ok());
  EXPECT_EQ(reloaded.order_count(), 0u);
}

}  // namespace
}  // namespace meal::dispatch
