// The elder-care rules against the real broker: paired helpers and
// continuity, hub households, standing orders, wellness checks and recalls,
// from hand-built events (and API commands) to the output topics and the API.
#include <gtest/gtest.h>

#include <chrono>
#include <cstring>
#include <map>
#include <optional>

#include "common/geo.h"
#include "scenario.h"

namespace meal::testing {
namespace {

// The note of the order's latest timeline entry with `status`.
std::string NoteOf(const nlohmann::json& order, const std::string& status) {
  std::string note;
  for (const auto& t : order["timeline"]) {
    if (t["status"] == status) note = t["note"];
  }
  return note;
}

TEST(PairedHelperIntegrationTest, HelperThenTeamThenLastCourierWithinTolerance) {
  Scenario s("helpers");
  s.Site("site-1", "ZC21010301001", 5000);
  s.Elder("paired", 41.805, ElderSpec{{}, "helper-1", {}});
  s.Elder("paired-off", 41.805, ElderSpec{{}, "helper-off", {}});
  s.Elder("regular", 41.797);  // south of the kitchen: not on the way to the paired elders
  const EventTimeMs t = kDay + 11 * kHour;
  s.Shift("near", t, 6, "team-1");                  // at the kitchen: the cheapest for anyone
  s.Shift("helper-1", t, 6, "team-1", 41.83);       // 3 km away
  s.Shift("helper-off", t, 6, "team-2", 41.83);
  s.ShiftEnded("helper-off", t + kMinute);
  s.Shift("mate", t + kMinute, 6, "team-2", 41.82);  // helper-off's team mate, 2 km away
  for (const auto& [id, elder] : std::map<std::string, std::string>{{"p1", "paired"}, {"p2", "paired-off"}, {"r1", "regular"}}) {
    s.Order(id, elder, t + 30 * kMinute, kHour, t + 2 * kMinute);
    s.Ready(id, t + 3 * kMinute);
  }
  s.Publish();

  ServiceProcess service("helpers", s.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  const auto p1 = Body(service.Get("/api/v1/orders/p1"));
  const auto p2 = Body(service.Get("/api/v1/orders/p2"));
  const auto r1 = Body(service.Get("/api/v1/orders/r1"));
  EXPECT_EQ(p1["courier_id"], "helper-1") << p1.dump();
  EXPECT_EQ(NoteOf(p1, "ASSIGNED"), "helper-1 (paired helper)");
  EXPECT_EQ(p2["courier_id"], "mate");
  EXPECT_EQ(NoteOf(p2, "ASSIGNED"), "mate (paired helper helper-off cannot take it; team team-2)");
  ASSERT_EQ(r1["courier_id"], "near");

  // The regular elder's next lunch: "near" is at their door after the first
  // delivery, a new courier at the kitchen would ride less, but by less than
  // the tolerance (3 min): the elder keeps the courier they know.
  s.PickedUp("r1", "near", t + 10 * kMinute);
  s.Delivered("r1", "near", t + 16 * kMinute, "photo-r1");
  s.Publish();
  // Live input of several topics is applied as it arrives: the delivery
  // must be in before the next order is.
  ASSERT_TRUE(WaitFor([&] { return Body(service.Get("/api/v1/orders/r1"))["status"] == "DELIVERED"; }, 60));
  s.Shift("spare", t + 17 * kMinute, 6, "team-1");
  s.Order("r2", "regular", t + 60 * kMinute, kHour, t + 18 * kMinute);
  s.Ready("r2", t + 19 * kMinute);
  s.Tick(t + 30 * kMinute);  // past several re-optimisation rounds
  s.Publish();
  ASSERT_TRUE(WaitFor([&] { return Body(service.Get("/api/v1/orders/r2"))["status"] == "ASSIGNED"; }, 60));
  ASSERT_TRUE(service.WaitDrained(60));
  const auto r2 = Body(service.Get("/api/v1/orders/r2"));
  const auto p1_after = Body(service.Get("/api/v1/orders/p1"));
  const auto p2_after = Body(service.Get("/api/v1/orders/p2"));
  ASSERT_EQ(service.Stop(), 0);
  EXPECT_EQ(r2["courier_id"], "near") << r2.dump();
  EXPECT_EQ(NoteOf(r2, "ASSIGNED"), "near (served this elder last time)") << r2.dump();
  // Re-optimisation moved none of them to a cheaper courier.
  EXPECT_EQ(p1_after["courier_id"], "helper-1");
  EXPECT_EQ(p2_after["courier_id"], "mate");
}

TEST(HubHouseholdIntegrationTest, OneStopForTheHouseholdWithProofPerElder) {
  Scenario s("hub");
  s.Site("site-1", "ZC21010301001", 5000);
  s.Elder("host", 41.806, ElderSpec{{}, {}, "hub-7"});
  s.Elder("guest", 41.812, ElderSpec{{}, {}, "hub-7"});  // eats at the host's home
  s.Elder("neighbour", 41.8062);                          // next door, no household
  const EventTimeMs t = kDay + 11 * kHour;
  s.Shift("c1", t, 6);
  s.Order("h1", "host", t + 30 * kMinute, kHour, t + kMinute);
  s.Order("h2", "guest", t + 20 * kMinute, kHour, t + kMinute, OrderSpec{{}, 41.806});
  s.Order("n1", "neighbour", t + 30 * kMinute, kHour, t + kMinute);
  s.Ready("h1", t + 2 * kMinute);
  s.Ready("n1", t + 2 * kMinute + 1);
  s.Ready("h2", t + 3 * kMinute);
  s.PickedUp("h1", "c1", t + 10 * kMinute);
  s.PickedUp("h2", "c1", t + 10 * kMinute + 1);
  s.PickedUp("n1", "c1", t + 10 * kMinute + 2);
  s.Delivered("h1", "c1", t + 32 * kMinute, "photo-h1");
  s.Delivered("h2", "c1", t + 33 * kMinute, "photo-h2");
  s.Publish();

  ServiceProcess service("hub", s.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  const auto h1 = Body(service.Get("/api/v1/orders/h1"));
  const auto h2 = Body(service.Get("/api/v1/orders/h2"));
  ASSERT_EQ(service.Stop(), 0);

  // The plan that had all three orders on it: the household's two meals are
  // collected together and handed over at one stop (one stop_index each).
  pb::Assignment full;
  for (const kafka::Record& r : ReadAll({s.topics().assignments})) {
    pb::Assignment a;
    ASSERT_TRUE(a.ParseFromString(r.value));
    if (a.stops_size() == 6) full = a;
  }
  ASSERT_EQ(full.stops_size(), 6) << "no plan held all three orders";
  std::map<std::pair<std::string, int>, std::uint32_t> index;  // (order, kind) -> stop
  for (const pb::PlannedStop& stop : full.stops()) index[{stop.order_id(), stop.kind()}] = stop.stop_index();
  auto stop = [&](const std::string& order, pb::StopKind kind) { return index[{order, kind}]; };
  EXPECT_EQ(stop("h1", pb::PICKUP), stop("h2", pb::PICKUP));
  EXPECT_EQ(stop("h1", pb::DELIVERY), stop("h2", pb::DELIVERY));
  EXPECT_NE(stop("n1", pb::DELIVERY), stop("h1", pb::DELIVERY)) << "a neighbour is a stop of their own";
  EXPECT_NE(NoteOf(h2, "ASSIGNED").find("hub household hub-7, one stop with h1"), std::string::npos) << h2.dump();
  EXPECT_EQ(h1["status"], "DELIVERED");
  EXPECT_EQ(h1["proof_ref"], "photo-h1");
  EXPECT_EQ(h2["status"], "DELIVERED");
  EXPECT_EQ(h2["proof_ref"], "photo-h2");
}

TEST(StandingOrderIntegrationTest, PlacedEachServiceDateSkippedWhileSuspendedResumed) {
  Scenario s("standing");
  s.Site("site-1", "ZC21010301001", 5000);
  s.Elder("e1", 41.805);
  s.Elder("e2", 41.806);
  const EventTimeMs day = 24 * kHour;
  s.StandingLunch("so-1", "e1", {1, 2, 3, 4, 5}, "2026-11-30", kDay + 6 * kHour);
  s.StandingLunch("so-2", "e2", {1, 2, 3, 4, 5}, "2026-11-30", kDay + 6 * kHour);
  s.Tick(kDay + 8 * kHour + kMinute);  // placing time of Monday's lunch: 11:00 less 3 h
  s.Suspend("so-2", "2026-11-30", "2026-12-04", "hospital", kDay + 9 * kHour);
  s.Suspend("so-1", "2026-12-01", "", "hospital stay", kDay + 9 * kHour + 1);
  s.Tick(kDay + day + 9 * kHour);      // Tuesday, suspended
  s.Resume("so-1", kDay + 2 * day + 7 * kHour);  // Wednesday before placing time
  s.Tick(kDay + 2 * day + 8 * kHour + kMinute);
  s.Publish();

  ServiceProcess service("standing", s.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  const auto mon1 = Body(service.Get("/api/v1/orders/so-1@2026-11-30"));
  const auto mon2 = Body(service.Get("/api/v1/orders/so-2@2026-11-30"));
  const int tue1 = StatusOf(service.Get("/api/v1/orders/so-1@2026-12-01"));
  const auto wed1 = Body(service.Get("/api/v1/orders/so-1@2026-12-02"));
  const int wed2 = StatusOf(service.Get("/api/v1/orders/so-2@2026-12-02"));
  const auto so1 = Body(service.Get("/api/v1/standing-orders/so-1"));
  ASSERT_EQ(service.Stop(), 0);

  EXPECT_EQ(mon1["status"], "PLACED");
  EXPECT_EQ(mon1["standing_id"], "so-1");
  EXPECT_EQ(mon1["window"]["start_ms"], kDay + 11 * kHour);
  EXPECT_EQ(mon1["placed_ms"], kDay + 8 * kHour + kMinute);  // when event time passed its placing time
  EXPECT_EQ(mon2["status"], "CANCELLED");
  EXPECT_EQ(NoteOf(mon2, "CANCELLED"), "standing order suspended: hospital");
  EXPECT_EQ(tue1, 404);
  EXPECT_EQ(wed1["status"], "PLACED");
  EXPECT_EQ(wed2, 404);
  ASSERT_EQ(so1["suspensions"].size(), 1u);
  EXPECT_EQ(so1["suspensions"][0]["from_date"], "2026-12-01");
  EXPECT_EQ(so1["suspensions"][0]["until_date"], "2026-12-01");
  EXPECT_EQ(so1["next_date"], "2026-12-03");
}

TEST(WellnessCheckIntegrationTest, EscalatesSurvivesAKillAndClosesOnlyByAcknowledgement) {
  Scenario s("wellness");
  s.Site("site-1", "ZC21010301001", 5000);
  s.Elder("e1", 41.805, pb::LIVING_ALONE);
  const EventTimeMs t = kDay + 11 * kHour;
  s.Shift("c1", t, 4);
  s.Order("o1", "e1", t + 20 * kMinute, kHour, t);
  s.Ready("o1", t + kMinute);
  s.PickedUp("o1", "c1", t + 5 * kMinute);
  const EventTimeMs failed = t + 22 * kMinute;
  s.Failed("o1", "c1", failed, pb::NO_ANSWER);
  s.Tick(failed + 11 * kMinute);  // past step 1 (10 min): phone call
  s.Tick(failed + 26 * kMinute);  // past step 2 (15 min): emergency contact
  s.Publish();

  ServiceProcess service("wellness", s.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  auto open = Body(service.Get("/api/v1/wellness"));
  ASSERT_EQ(open["cases"].size(), 1u);
  EXPECT_EQ(open["cases"][0]["case_id"], "wc-o1");
  EXPECT_EQ(open["cases"][0]["step"], "emergency_contact");
  EXPECT_EQ(open["cases"][0]["escalates_at_ms"], failed + 55 * kMinute);

  // A crash loses nothing: the case is still open and announced again.
  service.Kill();
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  open = Body(service.Get("/api/v1/wellness"));
  ASSERT_EQ(open["cases"].size(), 1u);
  EXPECT_EQ(open["cases"][0]["step"], "emergency_contact");

  const std::string bad = service.Post("/api/v1/wellness/wc-o1/acknowledge", R"({"outcome":"fine","note":"x"})");
  EXPECT_EQ(StatusOf(bad), 400) << bad;
  // The "who" is the token's name; a body claiming another is not believed.
  const std::string ack = service.Call("POST", "/api/v1/wellness/wc-o1/acknowledge",
                                       R"({"outcome":"elder_needed_help","actor":"someone-else",)"
                                       R"("note":"had fallen; neighbour helped her up, doctor called"})",
                                       kDispatcherToken);
  ASSERT_EQ(StatusOf(ack), 202) << ack;
  ASSERT_TRUE(WaitFor([&] { return Body(service.Get("/api/v1/wellness/wc-o1"))["status"] == "closed"; }, 60));
  s.Tick(failed + 3 * kHour);  // no step fires for a closed case
  s.Publish();
  ASSERT_TRUE(service.WaitDrained(60));
  const auto closed = Body(service.Get("/api/v1/wellness/wc-o1"));
  const auto audit = Body(service.Get("/api/v1/audit"));
  const std::string again = service.Post("/api/v1/wellness/wc-o1/acknowledge",
                                         R"({"outcome":"elder_safe","note":"fine now"})");
  ASSERT_EQ(service.Stop(), 0);

  EXPECT_EQ(closed["closed"]["by"], "demo-dispatcher");
  EXPECT_EQ(closed["closed"]["outcome"], "elder_needed_help");
  EXPECT_EQ(closed["steps"].size(), 3u);
  EXPECT_EQ(StatusOf(again), 409);
  ASSERT_EQ(audit["entries"].size(), 1u);
  EXPECT_EQ(audit["entries"][0]["action"], "acknowledge_wellness");
  EXPECT_EQ(audit["entries"][0]["actor"], "demo-dispatcher");
  EXPECT_EQ(audit["entries"][0]["target"], "wc-o1");

  std::map<std::string, int> seen;
  for (const pb::Alert& a : s.Alerts()) {
    ++seen[a.alert_id()];
    if (a.kind() == pb::WELLNESS_CHECK) {
      EXPECT_EQ(a.severity(), pb::CRITICAL);
      EXPECT_EQ(a.case_id(), "wc-o1");
    }
  }
  EXPECT_EQ(seen["wellness/o1/0"], 1);
  EXPECT_EQ(seen["wellness/o1/1"], 1);
  EXPECT_EQ(seen["wellness/o1/2"], 2) << "announced, then announced again after the restart";
  EXPECT_EQ(seen["wellness/o1/closed"], 1);
  EXPECT_EQ(seen.count("wellness/o1/3"), 0u);
}

TEST(RecallIntegrationTest, StopsTheBatchAlertsWhatIsOutAndRefusesMoreOfIt) {
  Scenario s("recall");
  s.Site("site-1", "ZC21010301001", 5000);
  s.Elder("e1", 41.805);
  s.Elder("e2", 41.804);
  s.Elder("e3", 41.806);
  s.Elder("e4", 41.803);
  const EventTimeMs t = kDay + 11 * kHour;
  s.Shift("c1", t, 6);
  s.Order("o1", "e1", t + 10 * kMinute, kHour, t, OrderSpec{"b-1", {}});
  s.Order("o2", "e2", t + 30 * kMinute, kHour, t, OrderSpec{"b-1", {}});
  s.Order("o3", "e3", t + 40 * kMinute, kHour, t, OrderSpec{"b-1", {}});
  s.Order("o4", "e4", t + 40 * kMinute, kHour, t, OrderSpec{"b-1", {}});
  s.Order("o5", "e4", t + 40 * kMinute, kHour, t, OrderSpec{"b-2", {}});
  s.Ready("o1", t + kMinute);
  s.Ready("o2", t + kMinute + 1);
  s.Ready("o3", t + kMinute + 2);
  s.Ready("o5", t + kMinute + 3);
  s.PickedUp("o1", "c1", t + 5 * kMinute);
  s.PickedUp("o2", "c1", t + 5 * kMinute + 1);
  s.Delivered("o1", "c1", t + 12 * kMinute);
  s.Publish();

  ServiceProcess service("recall", s.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  const std::string recall = R"({"site_id":"site-1","batch_id":"b-1","reason":"suspected contamination"})";
  const std::string accepted = service.Call("POST", "/api/v1/recalls", recall, kDispatcherToken);
  ASSERT_EQ(StatusOf(accepted), 202) << accepted;
  ASSERT_TRUE(WaitFor([&] { return Body(service.Get("/api/v1/orders/o3"))["status"] == "CANCELLED"; }, 60));
  EXPECT_EQ(StatusOf(service.Post("/api/v1/recalls", recall)), 409);
  s.Order("o6", "e3", t + 50 * kMinute, kHour, t + 14 * kMinute, OrderSpec{"b-1", {}});
  s.Publish();
  ASSERT_TRUE(WaitFor([&] { return Body(service.Get("/api/v1/orders/o6"))["status"] == "REJECTED"; }, 60));
  ASSERT_TRUE(service.WaitDrained(60));
  const auto trace = Body(service.Get("/api/v1/trace?site=site-1&batch=b-1"));
  const auto o5 = Body(service.Get("/api/v1/orders/o5"));
  const auto audit = Body(service.Get("/api/v1/audit"));
  ASSERT_EQ(service.Stop(), 0);

  std::map<std::string, pb::Alert> alerts;
  for (const pb::Alert& a : s.Alerts()) alerts[a.alert_id()] = a;
  const pb::Alert& summary = alerts["recall/site-1/b-1"];
  EXPECT_EQ(summary.kind(), pb::RECALL);
  EXPECT_EQ(summary.reason(),
            "batch b-1 recalled by demo-dispatcher: suspected contamination: 2 stopped, 1 out for delivery, 1 delivered");
  const pb::Alert& out = alerts["recall/site-1/b-1/o2"];
  EXPECT_EQ(out.severity(), pb::CRITICAL);
  EXPECT_EQ(out.courier_id(), "c1");
  EXPECT_NE(out.reason().find("do not hand it over, bring it back"), std::string::npos) << out.reason();
  EXPECT_NE(alerts["recall/site-1/b-1/o1"].reason().find("already delivered"), std::string::npos);
  EXPECT_EQ(alerts["rejected/o6"].kind(), pb::ORDER_REJECTED);
  EXPECT_EQ(alerts["rejected/o6"].reason(), "batch b-1 of site site-1 was recalled");

  EXPECT_EQ(trace["by_status"], nlohmann::json({{"CANCELLED", 3}, {"DELIVERED", 1}, {"REJECTED", 1}}));
  EXPECT_EQ(o5["status"], "ASSIGNED");
  ASSERT_EQ(audit["entries"].size(), 1u);
  EXPECT_EQ(audit["entries"][0]["actor"], "demo-dispatcher");
  EXPECT_EQ(audit["entries"][0]["action"], "recall");
  EXPECT_EQ(audit["entries"][0]["result"], "2 stopped, 1 out for delivery, 1 delivered");
}

TEST(CoordinatesIntegrationTest, GcjHomesArePlannedInWgs84AndShownBackInGcj02) {
  // A home given in GCJ-02, as a Chinese map SDK reports it, lies some
  // hundreds of metres from the same numbers read as WGS-84.
  const GeoPoint home_wgs{41.805, kSiteLon};
  const GeoPoint home_gcj = Wgs84ToGcj02(home_wgs);
  ASSERT_GT(HaversineM(home_wgs, home_gcj), 200.0);
  Scenario s("coordinates");
  s.Site("site-1", "ZC21010301001", 5000);
  s.Elder("e1", 0, ElderSpec{{}, {}, {}, home_gcj});
  const EventTimeMs t = kDay + 11 * kHour;
  s.Shift("c1", t, 4);
  s.Order("o1", "e1", t + 30 * kMinute, kHour, t);
  s.Ready("o1", t + kMinute);
  s.Publish();

  ServiceProcess service("coordinates", s.topics());
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  const auto wgs = Body(service.Get("/api/v1/couriers/c1"));
  const auto gcj = Body(service.Get("/api/v1/couriers/c1?system=gcj02"));
  const int bad = StatusOf(service.Get("/api/v1/couriers/c1?system=bd09"));
  const auto coverage = Body(service.Get("/api/v1/coverage"));
  ASSERT_EQ(service.Stop(), 0);

  // The plan on the wire is WGS-84, at the converted home.
  const auto plans = s.LatestPlans();
  ASSERT_TRUE(plans.contains("c1"));
  const pb::Assignment& plan = plans.at("c1");
  ASSERT_EQ(plan.stops_size(), 2);
  const pb::Location& door = plan.stops(1).location();
  EXPECT_EQ(door.system(), pb::WGS84);
  EXPECT_LT(HaversineM({door.lat(), door.lon()}, home_wgs), 1.0);
  // The API shows WGS-84 by default and GCJ-02 back on request.
  const auto& stop_wgs = wgs["route"][1]["location"];
  const auto& stop_gcj = gcj["route"][1]["location"];
  EXPECT_EQ(stop_wgs["system"], "WGS84");
  EXPECT_LT(HaversineM({stop_wgs["lat"], stop_wgs["lon"]}, home_wgs), 1.0);
  EXPECT_EQ(stop_gcj["system"], "GCJ02");
  EXPECT_LT(HaversineM({stop_gcj["lat"], stop_gcj["lon"]}, home_gcj), 1.0);
  EXPECT_EQ(bad, 400);
  // Distances use the converted home: 555 m from the kitchen, inside its radius.
  EXPECT_EQ(coverage["areas"][0]["covered"], 1);
}

// The first of `records` whose key or value holds one of `needles`, as
// "partition/offset key"; empty when none does.
std::string FirstHolding(const std::vector<kafka::Record>& records, const std::vector<std::string>& needles) {
  for (const kafka::Record& r : records) {
    for (const std::string& needle : needles) {
      if (r.key.find(needle) == std::string::npos && r.value.find(needle) == std::string::npos) continue;
      std::string where = std::to_string(r.partition);
      where.append("/").append(std::to_string(r.offset)).append(" ").append(r.key);
      return where;
    }
  }
  return {};
}

TEST(ErasureIntegrationTest, AnErasedElderIsGoneFromStateTheChangelogAndTheRegistryAndTheLedgerTotalsStand) {
  const std::string id = "elder-erase-7731";
  const double home_lat = 41.80731;
  Scenario s("erasure");
  s.Site("site-1", "ZC21010301001", 5000);
  s.Elder(id, home_lat, pb::EXTREMELY_POOR);
  s.Elder("neighbour", 41.806);
  const EventTimeMs t = kDay + 11 * kHour;
  s.Shift("c1", t, 6);
  for (const char* order : {"o1", "n1", "o2", "o3"}) {
    s.Order(order, order[0] == 'n' ? "neighbour" : id, t + 20 * kMinute, kHour, t, OrderSpec{"b-1", {}});
  }
  for (const char* order : {"o1", "n1", "o2"}) s.Ready(order, t + kMinute);
  for (const char* order : {"o1", "n1", "o2"}) s.PickedUp(order, "c1", t + 5 * kMinute);
  s.Delivered("o1", "c1", t + 25 * kMinute, "photo-o1");
  s.Delivered("n1", "c1", t + 27 * kMinute, "photo-n1");
  s.Failed("o2", "c1", t + 29 * kMinute, pb::NO_ANSWER);  // a wellness check about them
  s.Publish();

  std::string lat_bytes(sizeof home_lat, '\0');
  std::memcpy(lat_bytes.data(), &home_lat, sizeof home_lat);
  const std::vector<std::string> personal = {id, lat_bytes, "photo-o1"};

  ServiceProcess service("erasure", s.topics());
  // The changelog forgets within seconds instead of days: the same
  // mechanism, on a scale a test can wait for (docs/operations.md).
  for (const char* key : {"segment", "compaction_lag", "tombstone"}) {
    std::string set = "retention.changelog_";
    service.Set(set.append(key).append("_ms=1000"));
  }
  service.Start();
  ASSERT_TRUE(service.WaitDrained(120)) << "see " << service.log_path();
  ASSERT_FALSE(FirstHolding(ReadAll({s.topics().changelog}), personal).empty()) << "nothing to erase";
  const auto ledger_before = Body(service.Get("/api/v1/ledger?date=2026-11-30&site=site-1"));
  const std::string bad = service.Delete("/api/v1/elders/" + id, R"({"note":"no reason given"})");
  EXPECT_EQ(StatusOf(bad), 400) << bad;
  EXPECT_EQ(StatusOf(service.Delete("/api/v1/elders/nobody", R"({"reason":"r"})")), 404);
  const std::string accepted =
      service.Delete("/api/v1/elders/" + id, R"({"reason":"the elder's request, form 2026-118"})");
  ASSERT_EQ(StatusOf(accepted), 202) << accepted;
  ASSERT_TRUE(WaitFor([&] { return Body(service.Get("/api/v1/orders/o3"))["status"] == "CANCELLED"; }, 60));
  ASSERT_TRUE(service.WaitDrained(60));
  const auto ledger_after = Body(service.Get("/api/v1/ledger?date=2026-11-30&site=site-1"));
  const auto o1 = Body(service.Get("/api/v1/orders/o1"));

  // Gone from the changelog once compaction has passed twice: the first
  // drops the records the erasure overwrote or deleted, a later one the
  // tombstones keyed by the id. Only rolled segments are compacted, and a
  // segment rolls at a write, so the area keeps getting pings meanwhile.
  EventTimeMs ping = t + 29 * kMinute;
  std::string holding;
  const auto erased = std::chrono::steady_clock::now();
  EXPECT_TRUE(WaitFor(
      [&] {
        s.Ping("c1", ping += 100, kSiteLat);
        s.Publish();
        holding = FirstHolding(ReadAll({s.topics().changelog}), personal);
        return holding.empty();
      },
      60, 250))
      << "the changelog still holds the elder at " << holding;
  RecordProperty("changelog_clean_ms",
                 std::to_string(std::chrono::duration_cast<std::chrono::milliseconds>(
                                    std::chrono::steady_clock::now() - erased)
                                    .count()));
  ASSERT_EQ(service.Stop(), 0);

  // Gone from state: no key or value holds the id, the home or the proof.
  const auto state = service.DumpState();
  ASSERT_GT(state.size(), 10u);
  for (const auto& [key, value] : state) {
    for (const std::string& needle : personal) {
      EXPECT_EQ(key.find(needle), std::string::npos) << key;
      EXPECT_EQ(value.find(needle), std::string::npos) << key;
    }
  }
  EXPECT_NE(o1["elder_id"].get<std::string>().find("erased-cmd-"), std::string::npos) << o1.dump();
  // The books still add up: same deliveries, meals and money per category.
  EXPECT_EQ(ledger_after["categories"], ledger_before["categories"]);
  EXPECT_EQ(ledger_after["total"], ledger_before["total"]);
  // The registry topic ends with a tombstone for the elder, so a new
  // instance reading it from the start forgets them too.
  std::optional<bool> last_is_tombstone;
  for (const kafka::Record& r : ReadAll({s.topics().elders})) {
    if (r.key == id) last_is_tombstone = r.value.empty();
  }
  EXPECT_EQ(last_is_tombstone, std::optional<bool>(true));
}

}  // namespace
}  // namespace meal::testing
