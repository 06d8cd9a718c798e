#include "dispatch/engine.h"

#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <set>

#include "codec/state_codec.h"
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

  Engine engine_{EngineOptions{}};
  std::vector<Output> out_;
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
      p.order_id = "o" + std::to_string(o);
      p.site_id = "site-1";
      p.elder_id = "e" + std::to_string(o);
      p.has_delivery_location = true;
      p.delivery_location = {kSite.lat + 0.0005 * (o % 7), kSite.lon + 0.0007 * (o % 5)};
      p.window_start_ms = kT0 + 11 * kHourMs + (o % 4) * 15 * kMinuteMs;
      p.window_end_ms = p.window_start_ms + kHourMs;
      events.push_back(Make("p" + std::to_string(o), kT0 + 10 * kHourMs + o * kSecondMs, p));
      events.push_back(Make("r" + std::to_string(o), kT0 + 10 * kHourMs + 20 * kMinuteMs + o * kSecondMs,
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

}  // namespace
}  // namespace meal::dispatch
