#include "sim/courier_player.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <string>
#include <vector>

#include "mealdispatch/v1/events.pb.h"
#include "sim/city.h"

namespace meal::sim {
namespace {

namespace pb = ::mealdispatch::v1;

constexpr EventTimeMs kT0 = kDefaultDayStartMs + 10 * kHourMs;  // 10:00 China time
const GeoPoint kSite{41.80, 123.43};

GeoPoint East(double metres) { return OffsetM(kSite, 0, metres); }

PlayerOptions NoFailures() {
  PlayerOptions o;
  o.no_answer_share = 0;
  o.other_failure_share = 0;
  o.location_interval_ms = 0;  // most tests look at stops only
  return o;
}

void AddStop(pb::Assignment* a, pb::StopKind kind, const std::string& order, GeoPoint at,
             EventTimeMs arrival, EventTimeMs departure = -1) {
  pb::PlannedStop* s = a->add_stops();
  s->set_kind(kind);
  s->set_order_id(order);
  s->mutable_location()->set_lat(at.lat);
  s->mutable_location()->set_lon(at.lon);
  s->mutable_location()->set_system(pb::WGS84);
  s->set_planned_arrival_ms(arrival);
  s->set_planned_departure_ms(departure < 0 ? arrival : departure);
}

pb::Assignment Plan(const std::string& courier, std::uint64_t version) {
  pb::Assignment a;
  a.mutable_header()->set_event_id("plan-" + courier + "-" + std::to_string(version));
  a.mutable_header()->set_area_id("area-shenhe-01");
  a.set_courier_id(courier);
  a.set_plan_version(version);
  return a;
}

// A stop on the route at position `stop_index`, shared by every stop given
// the same index (a hub household's meals).
void AddSharedStop(pb::Assignment* a, std::uint32_t stop_index, pb::StopKind kind, const std::string& order,
                   GeoPoint at, EventTimeMs arrival) {
  AddStop(a, kind, order, at, arrival);
  a->mutable_stops(a->stops_size() - 1)->set_stop_index(stop_index);
}

// What happened, decoded: "pickup o1 @t", "delivered o1 @t", "failed o1 @t".
struct Happening {
  std::string what;
  std::string order_id;
  std::string courier_id;
  EventTimeMs time_ms = 0;
  std::string proof_ref;  // delivered only
  int reason = 0;         // failed only: mealdispatch.v1.FailureReason
};

std::vector<Happening> Decode(const std::vector<SimRecord>& records) {
  std::vector<Happening> out;
  for (const SimRecord& r : records) {
    if (r.topic != "meal.deliveries") continue;
    pb::DeliveryEvent e;
    EXPECT_TRUE(e.ParseFromString(r.value));
    EXPECT_EQ(e.header().event_time_ms(), r.time_ms);
    EXPECT_EQ(e.header().area_id(), r.key);
    EXPECT_FALSE(e.header().event_id().empty());
    if (e.has_picked_up()) {
      out.push_back({"pickup", e.picked_up().order_id(), e.picked_up().courier_id(), r.time_ms});
    } else if (e.has_delivered()) {
      out.push_back({"delivered", e.delivered().order_id(), e.delivered().courier_id(), r.time_ms,
                     e.delivered().proof_ref()});
    } else {
      out.push_back({"failed", e.failed().order_id(), e.failed().courier_id(), r.time_ms, "", e.failed().reason()});
    }
  }
  return out;
}

TEST(CourierPlayerTest, PicksUpThenDeliversAtPlannedTimes) {
  CourierPlayer player(NoFailures());
  player.StartShift("courier-1", "area-shenhe-01", kSite, kT0, kT0 + 4 * kHourMs);
  pb::Assignment a = Plan("courier-1", 1);
  AddStop(&a, pb::PICKUP, "o1", kSite, kT0 + 10 * kMinuteMs);
  AddStop(&a, pb::PICKUP, "o2", kSite, kT0 + 11 * kMinuteMs);
  AddStop(&a, pb::DELIVERY, "o1", East(800), kT0 + 20 * kMinuteMs);
  AddStop(&a, pb::DELIVERY, "o2", East(1200), kT0 + 25 * kMinuteMs);
  ASSERT_TRUE(player.OnAssignment(a));

  EXPECT_TRUE(player.Advance(kT0 + 9 * kMinuteMs).empty());
  EXPECT_EQ(player.NextStopMs(), kT0 + 10 * kMinuteMs);
  const std::vector<Happening> h = Decode(player.Advance(kT0 + kHourMs));
  ASSERT_EQ(h.size(), 4u);
  EXPECT_EQ(h[0].what, "pickup");
  EXPECT_EQ(h[0].order_id, "o1");
  EXPECT_EQ(h[0].time_ms, kT0 + 10 * kMinuteMs);
  EXPECT_EQ(h[1].what, "pickup");
  EXPECT_EQ(h[1].order_id, "o2");
  EXPECT_EQ(h[1].time_ms, kT0 + 11 * kMinuteMs);
  EXPECT_EQ(h[2].what, "delivered");
  EXPECT_EQ(h[2].order_id, "o1");
  EXPECT_EQ(h[2].time_ms, kT0 + 20 * kMinuteMs);
  EXPECT_EQ(h[3].what, "delivered");
  EXPECT_EQ(h[3].order_id, "o2");
  EXPECT_EQ(h[3].courier_id, "courier-1");
  EXPECT_EQ(h[3].time_ms, kT0 + 25 * kMinuteMs);
  EXPECT_EQ(h[2].proof_ref, "photo-o1");
  EXPECT_EQ(h[3].proof_ref, "photo-o2");
  EXPECT_EQ(player.stats().pickups, 2);
  EXPECT_EQ(player.stats().delivered, 2);
  EXPECT_EQ(player.NextStopMs(), kNever);
}

TEST(CourierPlayerTest, NewerPlanVersionReplacesTheOldTimes) {
  CourierPlayer player(NoFailures());
  player.StartShift("c", "area-shenhe-01", kSite, kT0, kT0 + 4 * kHourMs);
  pb::Assignment v1 = Plan("c", 1);
  AddStop(&v1, pb::PICKUP, "o1", kSite, kT0 + 10 * kMinuteMs);
  AddStop(&v1, pb::DELIVERY, "o1", East(500), kT0 + 20 * kMinuteMs);
  ASSERT_TRUE(player.OnAssignment(v1));
  EXPECT_EQ(Decode(player.Advance(kT0 + 12 * kMinuteMs)).size(), 1u);  // picked up

  // v2 fits o2 in before o1's door; the pickup of o1 is done and not repeated.
  pb::Assignment v2 = Plan("c", 2);
  AddStop(&v2, pb::PICKUP, "o1", kSite, kT0 + 10 * kMinuteMs);
  AddStop(&v2, pb::PICKUP, "o2", kSite, kT0 + 14 * kMinuteMs);
  AddStop(&v2, pb::DELIVERY, "o2", East(300), kT0 + 22 * kMinuteMs);
  AddStop(&v2, pb::DELIVERY, "o1", East(500), kT0 + 27 * kMinuteMs);
  ASSERT_TRUE(player.OnAssignment(v2));
  // A stale plan arriving late changes nothing.
  EXPECT_FALSE(player.OnAssignment(v1));
  EXPECT_EQ(player.stats().plans_stale, 1);

  const std::vector<Happening> h = Decode(player.Advance(kT0 + kHourMs));
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].what, "pickup");
  EXPECT_EQ(h[0].order_id, "o2");
  EXPECT_EQ(h[0].time_ms, kT0 + 14 * kMinuteMs);
  EXPECT_EQ(h[1].what, "delivered");
  EXPECT_EQ(h[1].order_id, "o2");
  EXPECT_EQ(h[1].time_ms, kT0 + 22 * kMinuteMs);
  EXPECT_EQ(h[2].what, "delivered");
  EXPECT_EQ(h[2].order_id, "o1");
  EXPECT_EQ(h[2].time_ms, kT0 + 27 * kMinuteMs);  // not v1's 20 minutes
}

TEST(CourierPlayerTest, NewerPlanCanTakeStopsAway) {
  CourierPlayer player(NoFailures());
  pb::Assignment v1 = Plan("c", 1);
  AddStop(&v1, pb::PICKUP, "o1", kSite, kT0 + 10 * kMinuteMs);
  AddStop(&v1, pb::DELIVERY, "o1", East(500), kT0 + 20 * kMinuteMs);
  ASSERT_TRUE(player.OnAssignment(v1));
  ASSERT_TRUE(player.OnAssignment(Plan("c", 5)));  // an empty plan: o1 went elsewhere
  EXPECT_TRUE(player.Advance(kT0 + kHourMs).empty());
}

TEST(CourierPlayerTest, LatePlanHappensAtTheClockInPlanOrder) {
  CourierPlayer player(NoFailures());
  EXPECT_TRUE(player.Advance(kT0 + 30 * kMinuteMs).empty());
  pb::Assignment a = Plan("c", 1);
  AddStop(&a, pb::PICKUP, "o1", kSite, kT0 + 10 * kMinuteMs);
  AddStop(&a, pb::DELIVERY, "o1", East(500), kT0 + 20 * kMinuteMs);
  AddStop(&a, pb::PICKUP, "o2", kSite, kT0 + 40 * kMinuteMs);
  ASSERT_TRUE(player.OnAssignment(a));
  const std::vector<Happening> h = Decode(player.Advance(kT0 + kHourMs));
  ASSERT_EQ(h.size(), 3u);
  EXPECT_EQ(h[0].what, "pickup");
  EXPECT_EQ(h[0].time_ms, kT0 + 30 * kMinuteMs);
  EXPECT_EQ(h[1].what, "delivered");
  EXPECT_EQ(h[1].time_ms, kT0 + 30 * kMinuteMs);
  EXPECT_EQ(h[2].time_ms, kT0 + 40 * kMinuteMs);
  EXPECT_EQ(player.stats().late_stops, 2);
}

TEST(CourierPlayerTest, DoesNotDeliverWhatItNeverPickedUp) {
  CourierPlayer player(NoFailures());
  pb::Assignment a = Plan("c", 1);
  AddStop(&a, pb::DELIVERY, "o1", East(500), kT0 + 20 * kMinuteMs);
  ASSERT_TRUE(player.OnAssignment(a));
  EXPECT_TRUE(player.Advance(kT0 + kHourMs).empty());
  EXPECT_EQ(player.stats().not_carried, 1);
}

TEST(CourierPlayerTest, PingsAlongThePlanAndStopAtShiftEnd) {
  PlayerOptions o = NoFailures();
  o.location_interval_ms = 30 * kSecondMs;
  CourierPlayer player(o);
  player.StartShift("c", "area-shenhe-01", kSite, kT0, kT0 + 30 * kMinuteMs);
  pb::Assignment a = Plan("c", 1);
  AddStop(&a, pb::PICKUP, "o1", kSite, kT0 + 5 * kMinuteMs, kT0 + 10 * kMinuteMs);
  AddStop(&a, pb::DELIVERY, "o1", East(1000), kT0 + 20 * kMinuteMs);
  ASSERT_TRUE(player.OnAssignment(a));

  std::map<EventTimeMs, GeoPoint> pings;
  std::vector<SimRecord> all = player.Advance(kT0 + 15 * kMinuteMs);
  player.EndShift("c", kT0 + 15 * kMinuteMs);
  for (const SimRecord& r : player.Advance(kT0 + kHourMs)) all.push_back(r);
  EXPECT_TRUE(std::is_sorted(all.begin(), all.end(),
                             [](const SimRecord& x, const SimRecord& y) { return x.time_ms < y.time_ms; }));
  for (const SimRecord& r : all) {
    if (r.topic != "meal.couriers") continue;
    pb::CourierEvent e;
    ASSERT_TRUE(e.ParseFromString(r.value));
    ASSERT_TRUE(e.has_location());
    EXPECT_EQ(e.location().location().system(), pb::WGS84);
    pings[r.time_ms] = GeoPoint{e.location().location().lat(), e.location().location().lon()};
  }
  // Every 30 s from 10:00:30 to 10:15:00, none after the shift ended.
  ASSERT_EQ(pings.size(), 30u);
  EXPECT_EQ(pings.begin()->first, kT0 + 30 * kSecondMs);
  EXPECT_EQ(pings.rbegin()->first, kT0 + 15 * kMinuteMs);
  // Waiting at the site until 10:10, then halfway to the door at 10:15.
  EXPECT_LT(HaversineM(pings.at(kT0 + 8 * kMinuteMs), kSite), 1.0);
  EXPECT_NEAR(HaversineM(pings.at(kT0 + 15 * kMinuteMs), kSite), 500.0, 5.0);
  // The courier finishes the round after the shift.
  EXPECT_EQ(player.stats().delivered, 1);
}

TEST(CourierPlayerTest, IdleCourierPingsWhereItLastWas) {
  PlayerOptions o = NoFailures();
  o.location_interval_ms = kMinuteMs;
  CourierPlayer player(o);
  player.StartShift("c", "area-shenhe-01", East(200), kT0, kT0 + kHourMs);
  const std::vector<SimRecord> out = player.Advance(kT0 + 10 * kMinuteMs);
  ASSERT_EQ(out.size(), 10u);
  for (const SimRecord& r : out) {
    pb::CourierEvent e;
    ASSERT_TRUE(e.ParseFromString(r.value));
    EXPECT_LT(HaversineM(GeoPoint{e.location().location().lat(), e.location().location().lon()}, East(200)), 0.01);
  }
}

// Runs a busy day for three couriers and returns every record. Each new plan
// keeps the courier's stops still ahead and fits the new order in.
std::vector<SimRecord> BusyDay(const PlayerOptions& options, int orders) {
  struct Planned {
    pb::StopKind kind;
    std::string order_id;
    GeoPoint at;
    EventTimeMs arrival_ms;
  };
  CourierPlayer player(options);
  std::vector<SimRecord> all;
  std::map<std::string, std::vector<Planned>> plans;
  // Ids built with append: GCC 12 warns falsely (-Wrestrict, PR105651) about
  // "literal" + std::string once inlined.
  const auto courier_id = [](int c) { return std::string("c").append(std::to_string(c)); };
  for (int c = 0; c < 3; ++c) {
    player.StartShift(courier_id(c), "area-shenhe-01", kSite, kT0, kT0 + 10 * kHourMs);
  }
  for (int i = 0; i < orders; ++i) {
    const std::string courier = courier_id(i % 3);
    const EventTimeMs t = kT0 + i * kMinuteMs / 2;
    for (const SimRecord& r : player.Advance(t)) all.push_back(r);
    std::vector<Planned>& plan = plans[courier];
    std::erase_if(plan, [t](const Planned& p) { return p.arrival_ms <= t; });
    const std::string id = "order-" + std::to_string(i);
    plan.push_back({pb::PICKUP, id, kSite, t + kMinuteMs});
    plan.push_back({pb::DELIVERY, id, East(100 + i % 700), t + 10 * kMinuteMs});
    std::stable_sort(plan.begin(), plan.end(),
                     [](const Planned& a, const Planned& b) { return a.arrival_ms < b.arrival_ms; });
    pb::Assignment a = Plan(courier, static_cast<std::uint64_t>(i + 1));
    for (const Planned& p : plan) AddStop(&a, p.kind, p.order_id, p.at, p.arrival_ms);
    EXPECT_TRUE(player.OnAssignment(a));
  }
  for (const SimRecord& r : player.Advance(kT0 + 48 * kHourMs)) all.push_back(r);
  EXPECT_EQ(player.stats().not_carried, 0);
  return all;
}

TEST(CourierPlayerTest, IsDeterministic) {
  PlayerOptions o;
  const std::vector<SimRecord> a = BusyDay(o, 300);
  const std::vector<SimRecord> b = BusyDay(o, 300);
  ASSERT_FALSE(a.empty());
  EXPECT_EQ(a, b);
  o.seed = 7;
  EXPECT_NE(a, BusyDay(o, 300));
}

TEST(CourierPlayerTest, FailsASmallSeededShareOfDeliveries) {
  PlayerOptions o;
  o.location_interval_ms = 0;
  const std::vector<Happening> h = Decode(BusyDay(o, 3000));
  std::map<std::string, int> counts;
  std::map<int, int> reasons;
  for (const Happening& x : h) ++counts[x.what];
  EXPECT_EQ(counts["pickup"], 3000);
  EXPECT_EQ(counts["delivered"] + counts["failed"], 3000);
  EXPECT_NEAR(counts["failed"] / 3000.0, 0.03, 0.012);
  EXPECT_TRUE(std::is_sorted(h.begin(), h.end(),
                             [](const Happening& x, const Happening& y) { return x.time_ms < y.time_ms; }));

  for (const SimRecord& r : BusyDay(o, 3000)) {
    pb::DeliveryEvent e;
    if (r.topic == "meal.deliveries" && e.ParseFromString(r.value) && e.has_failed()) {
      ++reasons[e.failed().reason()];
    }
  }
  EXPECT_GT(reasons[pb::NO_ANSWER], reasons[pb::REFUSED] + reasons[pb::ADDRESS_PROBLEM]);
}

TEST(CourierPlayerTest, FollowsShiftsFromTheGeneratedDay) {
  CityOptions co;
  co.orders = 50;
  co.couriers_per_area = 4;
  const City city = GenerateCity(co);
  PlayerOptions o;
  o.location_interval_ms = 5 * kMinuteMs;
  CourierPlayer player(o);
  std::vector<SimRecord> out;
  int shifts = 0;
  for (const SimRecord& r : city.events) {
    for (const SimRecord& x : player.Advance(r.time_ms)) out.push_back(x);
    if (player.ObserveInput(r)) ++shifts;
  }
  for (const SimRecord& x : player.Advance(city.events.back().time_ms + kHourMs)) out.push_back(x);
  // Lunch and dinner for 3 in 10 couriers (indices 0-2), one shift for the others.
  EXPECT_EQ(shifts, 2 * (3 * 2 + 1 * 1) * 2);
  ASSERT_FALSE(out.empty());
  std::map<std::string, int> per_courier;
  for (const SimRecord& x : out) {
    pb::CourierEvent e;
    ASSERT_TRUE(e.ParseFromString(x.value));
    ++per_courier[e.location().courier_id()];
  }
  EXPECT_EQ(per_courier.size(), city.couriers.size());
}

TEST(CourierPlayerTest, HandsOverEachHubMealWithItsOwnProofAtTheSharedStop) {
  CourierPlayer player(NoFailures());
  player.StartShift("c", "area-shenhe-01", kSite, kT0, kT0 + 4 * kHourMs);
  // Three members' meals collected at one counter, handed over at one door
  // a minute apart, then a neighbour's meal at a stop of its own.
  pb::Assignment a = Plan("c", 1);
  AddSharedStop(&a, 0, pb::PICKUP, "h1", kSite, kT0 + 10 * kMinuteMs);
  AddSharedStop(&a, 0, pb::PICKUP, "h2", kSite, kT0 + 10 * kMinuteMs);
  AddSharedStop(&a, 0, pb::PICKUP, "h3", kSite, kT0 + 10 * kMinuteMs);
  AddSharedStop(&a, 0, pb::PICKUP, "o4", kSite, kT0 + 10 * kMinuteMs);
  AddSharedStop(&a, 1, pb::DELIVERY, "h1", East(600), kT0 + 20 * kMinuteMs);
  AddSharedStop(&a, 1, pb::DELIVERY, "h2", East(600), kT0 + 21 * kMinuteMs);
  AddSharedStop(&a, 1, pb::DELIVERY, "h3", East(600), kT0 + 22 * kMinuteMs);
  AddSharedStop(&a, 2, pb::DELIVERY, "o4", East(900), kT0 + 26 * kMinuteMs);
  ASSERT_TRUE(player.OnAssignment(a));

  std::vector<Happening> h = Decode(player.Advance(kT0 + kHourMs));
  std::erase_if(h, [](const Happening& x) { return x.what == "pickup"; });
  ASSERT_EQ(h.size(), 4u);
  const std::string expected[] = {"h1", "h2", "h3", "o4"};
  const EventTimeMs minutes[] = {20, 21, 22, 26};
  for (std::size_t i = 0; i < 4; ++i) {
    EXPECT_EQ(h[i].what, "delivered");
    EXPECT_EQ(h[i].order_id, expected[i]);
    EXPECT_EQ(h[i].courier_id, "c");
    EXPECT_EQ(h[i].proof_ref, "photo-" + expected[i]);
    EXPECT_EQ(h[i].time_ms, kT0 + minutes[i] * kMinuteMs);
  }
  EXPECT_EQ(player.stats().delivered, 4);
  EXPECT_EQ(player.stats().shared_handovers, 2);  // h2 and h3 at h1's door
}

TEST(CourierPlayerTest, AHubDoorAnswersOrNotForAllItsMeals) {
  PlayerOptions o = NoFailures();
  o.no_answer_share = 0.3;
  CourierPlayer player(o);
  player.StartShift("c", "area-shenhe-01", kSite, kT0, kT0 + 12 * kHourMs);
  pb::Assignment a = Plan("c", 1);
  constexpr int kHubs = 40;
  // Built with append, as in BusyDay (GCC 12's false -Wrestrict).
  const auto member = [](int hub, int m) {
    return std::string("hub").append(std::to_string(hub)).append("-m").append(std::to_string(m));
  };
  for (int hub = 0; hub < kHubs; ++hub) {
    const EventTimeMs t = kT0 + hub * 10 * kMinuteMs;
    for (int m = 0; m < 3; ++m) AddSharedStop(&a, 2 * hub, pb::PICKUP, member(hub, m), kSite, t);
    for (int m = 0; m < 3; ++m) {
      AddSharedStop(&a, 2 * hub + 1, pb::DELIVERY, member(hub, m), East(500), t + (5 + m) * kMinuteMs);
    }
  }
  ASSERT_TRUE(player.OnAssignment(a));
  std::map<std::string, std::vector<Happening>> per_hub;
  for (const Happening& x : Decode(player.Advance(kT0 + 24 * kHourMs))) {
    if (x.what != "pickup") per_hub[x.order_id.substr(0, x.order_id.find('-'))].push_back(x);
  }
  ASSERT_EQ(per_hub.size(), static_cast<std::size_t>(kHubs));
  int unanswered = 0;
  for (const auto& [hub, meals] : per_hub) {
    SCOPED_TRACE(hub);
    ASSERT_EQ(meals.size(), 3u);
    for (const Happening& x : meals) {
      EXPECT_EQ(x.what, meals.front().what);
      if (x.what == "failed") {
        EXPECT_EQ(x.reason, pb::NO_ANSWER);
      }
    }
    if (meals.front().what == "failed") ++unanswered;
  }
  EXPECT_GT(unanswered, 0);
  EXPECT_LT(unanswered, kHubs);
  EXPECT_EQ(player.stats().no_answer, 3 * unanswered);
}

}  // namespace
}  // namespace meal::sim
