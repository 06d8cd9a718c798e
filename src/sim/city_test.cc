#include "sim/city.h"

#include <gtest/gtest.h>

#include <algorithm>
#include <map>
#include <set>
#include <string>

#include "mealdispatch/v1/events.pb.h"

namespace meal::sim {
namespace {

namespace pb = ::mealdispatch::v1;

CityOptions SmallOptions() {
  CityOptions o;
  o.orders = 600;
  o.elders_per_site = 60;
  o.couriers_per_area = 8;
  return o;
}

// The default city is generated once; it is the one meal-sim plays.
const City& DefaultCity() {
  static const City city = GenerateCity(CityOptions{});
  return city;
}

bool IsMalformedIndex(const City& city, std::size_t i) {
  return std::binary_search(
      city.malformed.begin(), city.malformed.end(), MalformedNote{i, MalformedKind::kRandomBytes},
      [](const MalformedNote& a, const MalformedNote& b) { return a.event_index < b.event_index; });
}

TEST(ChinaMidnightTest, KnownDates) {
  EXPECT_EQ(ChinaMidnightMs(2026, 11, 30), kDefaultDayStartMs);
  EXPECT_EQ(ChinaMidnightMs(1970, 1, 1), -8 * kHourMs);
  EXPECT_EQ(ChinaMidnightMs(2024, 3, 1) - ChinaMidnightMs(2024, 2, 28), 2 * 24 * kHourMs);  // leap year
}

TEST(CityTest, SameSeedGivesByteIdenticalRecords) {
  const City a = GenerateCity(SmallOptions());
  const City b = GenerateCity(SmallOptions());
  ASSERT_FALSE(a.events.empty());
  EXPECT_EQ(a.registry, b.registry);
  EXPECT_EQ(a.events, b.events);
  EXPECT_EQ(a.ready_order_ids, b.ready_order_ids);
}

TEST(CityTest, DifferentSeedGivesDifferentRecords) {
  CityOptions other = SmallOptions();
  other.seed = 43;
  const City a = GenerateCity(SmallOptions());
  const City b = GenerateCity(other);
  EXPECT_NE(a.registry, b.registry);
  EXPECT_NE(a.events, b.events);
}

TEST(CityTest, RegistryDoesNotDependOnOrderCount) {
  CityOptions more = SmallOptions();
  more.orders = 900;
  // Event ids are a running count, so compare the content, not the bytes.
  const City a = GenerateCity(SmallOptions());
  const City b = GenerateCity(more);
  ASSERT_EQ(a.elders.size(), b.elders.size());
  for (std::size_t i = 0; i < a.elders.size(); ++i) {
    EXPECT_EQ(a.elders[i].elder_id, b.elders[i].elder_id);
    EXPECT_EQ(a.elders[i].reported, b.elders[i].reported);
  }
}

TEST(CityTest, EventsAreSortedByTimeAndStampedWithIt) {
  const City& city = DefaultCity();
  ASSERT_GT(city.events.size(), 4000u);
  EXPECT_TRUE(std::is_sorted(city.events.begin(), city.events.end(),
                             [](const SimRecord& a, const SimRecord& b) { return a.time_ms < b.time_ms; }));
  for (std::size_t i = 0; i < city.events.size(); ++i) {
    if (IsMalformedIndex(city, i)) continue;
    const SimRecord& r = city.events[i];
    pb::EventHeader h;
    if (r.topic == city.options.topics.orders) {
      pb::OrderEvent e;
      ASSERT_TRUE(e.ParseFromString(r.value));
      h = e.header();
    } else {
      ASSERT_EQ(r.topic, city.options.topics.couriers);
      pb::CourierEvent e;
      ASSERT_TRUE(e.ParseFromString(r.value));
      h = e.header();
    }
    EXPECT_EQ(h.event_time_ms(), r.time_ms);
    EXPECT_EQ(h.area_id(), r.key);
    EXPECT_FALSE(h.event_id().empty());
  }
}

TEST(CityTest, EveryOrderIsPlacedThenReadyBeforeItsWindow) {
  const City& city = DefaultCity();
  struct Seen {
    std::size_t placed_index = SIZE_MAX;
    std::size_t ready_index = SIZE_MAX;
    std::size_t cancelled_index = SIZE_MAX;
    pb::OrderPlaced placed;
    EventTimeMs placed_ms = 0, ready_ms = 0, cancelled_ms = 0;
  };
  std::map<std::string, Seen> seen;
  for (std::size_t i = 0; i < city.events.size(); ++i) {
    const SimRecord& r = city.events[i];
    if (r.topic != city.options.topics.orders || IsMalformedIndex(city, i)) continue;
    pb::OrderEvent e;
    ASSERT_TRUE(e.ParseFromString(r.value));
    if (e.has_placed()) {
      Seen& s = seen[e.placed().order_id()];
      EXPECT_EQ(s.placed_index, SIZE_MAX) << "placed twice";
      s.placed_index = i;
      s.placed = e.placed();
      s.placed_ms = r.time_ms;
    } else if (e.has_ready()) {
      Seen& s = seen[e.ready().order_id()];
      EXPECT_EQ(s.ready_index, SIZE_MAX) << "ready twice";
      s.ready_index = i;
      s.ready_ms = r.time_ms;
    } else {
      ASSERT_TRUE(e.has_cancelled());
      Seen& s = seen[e.cancelled().order_id()];
      s.cancelled_index = i;
      s.cancelled_ms = r.time_ms;
    }
  }
  ASSERT_EQ(seen.size(), city.orders.size());
  std::set<std::string> ready_ids;
  int lunch = 0;
  int dinner = 0;
  for (const auto& [id, s] : seen) {
    SCOPED_TRACE(id);
    ASSERT_NE(s.placed_index, SIZE_MAX);
    const pb::OrderPlaced& p = s.placed;
    const EventTimeMs start = p.window_start_ms();
    const EventTimeMs length = p.window_end_ms() - start;
    EXPECT_GE(length, 45 * kMinuteMs);
    EXPECT_LE(length, 60 * kMinuteMs);
    EXPECT_GE(start - s.placed_ms, 1 * kHourMs);
    EXPECT_LE(start - s.placed_ms, 3 * kHourMs);
    EXPECT_GE(p.meals(), 1u);
    EXPECT_LE(p.meals(), 4u);
    const EventTimeMs local = start - city.options.day_start_ms;
    if (local <= 13 * kHourMs) {
      ++lunch;
      EXPECT_GE(local, 11 * kHourMs);
      EXPECT_LE(local, 12 * kHourMs + 30 * kMinuteMs);
    } else {
      ++dinner;
      EXPECT_GE(local, 17 * kHourMs);
      EXPECT_LE(local, 18 * kHourMs + 30 * kMinuteMs);
    }
    if (s.cancelled_index != SIZE_MAX) {
      EXPECT_EQ(s.ready_index, SIZE_MAX) << "a cancelled order must not become ready";
      EXPECT_GT(s.cancelled_index, s.placed_index);
      EXPECT_GT(s.cancelled_ms, s.placed_ms);
    } else {
      ASSERT_NE(s.ready_index, SIZE_MAX);
      EXPECT_GT(s.ready_index, s.placed_index);
      EXPECT_GT(s.ready_ms, s.placed_ms);
      EXPECT_GE(start - s.ready_ms, 20 * kMinuteMs);
      EXPECT_LE(start - s.ready_ms, 40 * kMinuteMs);
      ready_ids.insert(id);
    }
  }
  EXPECT_EQ(ready_ids, std::set<std::string>(city.ready_order_ids.begin(), city.ready_order_ids.end()));
  EXPECT_GT(lunch, dinner);
  EXPECT_GT(dinner, 0);
  const double cancelled = static_cast<double>(city.orders.size() - city.ready_order_ids.size());
  EXPECT_NEAR(cancelled / static_cast<double>(city.orders.size()), city.options.cancel_share, 0.01);
}

TEST(CityTest, MalformedShareIsWithinToleranceAndEveryKindIsBroken) {
  const City& city = DefaultCity();
  const double valid = static_cast<double>(city.events.size() - city.malformed_count());
  const double share = static_cast<double>(city.malformed_count()) / valid;
  EXPECT_NEAR(share, city.options.malformed_share, city.options.malformed_share * 0.1);

  const std::set<std::string> known_orders = [&] {
    std::set<std::string> ids;
    for (const OrderInfo& o : city.orders) ids.insert(o.order_id);
    return ids;
  }();
  std::set<MalformedKind> kinds;
  for (const MalformedNote& note : city.malformed) {
    kinds.insert(note.kind);
    const SimRecord& r = city.events[note.event_index];
    SCOPED_TRACE(std::string(MalformedKindName(note.kind)));
    EXPECT_FALSE(r.key.empty());
    switch (note.kind) {
      case MalformedKind::kRandomBytes: {
        pb::OrderEvent o;
        pb::CourierEvent c;
        pb::DeliveryEvent d;
        EXPECT_FALSE(o.ParseFromString(r.value));
        EXPECT_FALSE(c.ParseFromString(r.value));
        EXPECT_FALSE(d.ParseFromString(r.value));
        break;
      }
      case MalformedKind::kTruncated: {
        pb::OrderEvent o;
        EXPECT_FALSE(o.ParseFromString(r.value));
        break;
      }
      case MalformedKind::kMissingHeaderField: {
        pb::OrderEvent o;
        ASSERT_TRUE(o.ParseFromString(r.value));
        EXPECT_TRUE(o.header().event_id().empty() || o.header().area_id().empty());
        break;
      }
      case MalformedKind::kWindowInverted: {
        pb::OrderEvent o;
        ASSERT_TRUE(o.ParseFromString(r.value));
        EXPECT_LT(o.placed().window_end_ms(), o.placed().window_start_ms());
        EXPECT_FALSE(known_orders.contains(o.placed().order_id()));
        break;
      }
      case MalformedKind::kUnknownCoordinates: {
        pb::Location loc;
        if (r.topic == city.options.topics.orders) {
          pb::OrderEvent o;
          ASSERT_TRUE(o.ParseFromString(r.value));
          loc = o.placed().delivery_location();
        } else {
          pb::CourierEvent c;
          ASSERT_TRUE(c.ParseFromString(r.value));
          loc = c.shift_started().location();
        }
        EXPECT_NE(loc.system(), pb::WGS84);
        EXPECT_NE(loc.system(), pb::GCJ02);
        break;
      }
      case MalformedKind::kReadyForUnknownOrder: {
        pb::OrderEvent o;
        ASSERT_TRUE(o.ParseFromString(r.value));
        ASSERT_TRUE(o.has_ready());
        EXPECT_FALSE(known_orders.contains(o.ready().order_id()));
        break;
      }
    }
  }
  EXPECT_EQ(kinds.size(), static_cast<std::size_t>(kMalformedKindCount));
}

TEST(CityTest, NoMalformedRecordsWhenShareIsZero) {
  CityOptions o = SmallOptions();
  o.malformed_share = 0;
  EXPECT_EQ(GenerateCity(o).malformed_count(), 0u);
}

TEST(CityTest, Gcj02EldersConvertBackToTheirWgs84Home) {
  const City& city = DefaultCity();
  std::map<std::string, const ElderInfo*> by_id;
  for (const ElderInfo& e : city.elders) by_id[e.elder_id] = &e;
  int gcj = 0;
  int total = 0;
  for (const SimRecord& r : city.registry) {
    if (r.topic != city.options.topics.elders) continue;
    pb::Elder m;
    ASSERT_TRUE(m.ParseFromString(r.value));
    EXPECT_EQ(r.key, m.elder_id());
    const ElderInfo& truth = *by_id.at(m.elder_id());
    const GeoPoint reported{m.home().lat(), m.home().lon()};
    ++total;
    if (m.home().system() == pb::GCJ02) {
      ++gcj;
      EXPECT_TRUE(truth.reported_gcj02);
      EXPECT_LT(HaversineM(Gcj02ToWgs84(reported), truth.home_wgs84), 1.0);
      // The two systems differ by hundreds of metres here, so a reader that
      // forgot to convert would be visibly wrong.
      EXPECT_GT(HaversineM(reported, truth.home_wgs84), 100.0);
    } else {
      ASSERT_EQ(m.home().system(), pb::WGS84);
      EXPECT_EQ(reported, truth.home_wgs84);
    }
  }
  EXPECT_EQ(total, static_cast<int>(city.elders.size()));
  EXPECT_NEAR(static_cast<double>(gcj) / total, city.options.gcj02_share, 0.05);
}

TEST(CityTest, EldersLiveWithinTheirSiteRadius) {
  const City& city = DefaultCity();
  std::map<std::string, const SiteInfo*> sites;
  for (const SiteInfo& s : city.sites) {
    sites[s.site_id] = &s;
    EXPECT_GE(s.radius_m, 1500u);
    EXPECT_LE(s.radius_m, 3000u);
    EXPECT_EQ(s.hot_meal_limit_ms, 45 * kMinuteMs);
  }
  for (const ElderInfo& e : city.elders) {
    const SiteInfo& s = *sites.at(e.site_id);
    EXPECT_LE(HaversineM(e.home_wgs84, s.location), s.radius_m) << e.elder_id;
  }
}

TEST(CityTest, CategoriesAndHubsHaveRealisticShares) {
  const City& city = DefaultCity();
  std::map<int, int> counts;
  std::map<std::string, int> hub_sizes;
  std::map<std::string, int> hub_hosts;
  int helpers = 0;
  for (const ElderInfo& e : city.elders) {
    for (int c : e.categories) ++counts[c];
    EXPECT_TRUE(std::is_sorted(e.categories.begin(), e.categories.end()));
    if (!e.hub_household_id.empty()) {
      ++hub_sizes[e.hub_household_id];
      if (e.hub_host) ++hub_hosts[e.hub_household_id];
    }
    if (!e.paired_helper_id.empty()) ++helpers;
  }
  const double n = static_cast<double>(city.elders.size());
  EXPECT_GT(counts[pb::VERY_OLD] / n, 0.35);
  EXPECT_GT(counts[pb::LIVING_ALONE] / n, 0.25);
  EXPECT_GT(counts[pb::MINIMUM_ALLOWANCE], 0);
  EXPECT_LT(counts[pb::MINIMUM_ALLOWANCE], counts[pb::VERY_OLD]);
  EXPECT_FALSE(hub_sizes.empty());
  for (const auto& [hub, size] : hub_sizes) {
    EXPECT_GE(size, 3) << hub;
    EXPECT_LE(size, 4) << hub;
    EXPECT_EQ(hub_hosts[hub], 1) << hub;
  }
  EXPECT_GT(helpers, 0);
}

TEST(CityTest, IdsAreUniqueAndPseudonymous) {
  const City& city = DefaultCity();
  std::set<std::string> ids;
  const auto unique = [&](const std::string& id, const std::string& prefix) {
    EXPECT_EQ(id.rfind(prefix, 0), 0u) << id;
    EXPECT_TRUE(ids.insert(id).second) << "duplicate " << id;
  };
  for (const std::string& a : city.area_ids) unique(a, "area-");
  EXPECT_EQ(city.area_ids.front(), "area-shenhe-01");
  for (const SiteInfo& s : city.sites) unique(s.site_id, "site-");
  for (const ElderInfo& e : city.elders) unique(e.elder_id, "elder-");
  for (const CourierInfo& c : city.couriers) unique(c.courier_id, "courier-");
  for (const OrderInfo& o : city.orders) unique(o.order_id, "order-");
  std::set<std::string> facility_numbers;
  for (const SiteInfo& s : city.sites) EXPECT_TRUE(facility_numbers.insert(s.facility_number).second);

  std::set<std::string> event_ids;
  for (const SimRecord& r : city.registry) {
    pb::MealSite site;
    pb::Elder elder;
    std::string id;
    if (r.topic == city.options.topics.sites) {
      ASSERT_TRUE(site.ParseFromString(r.value));
      EXPECT_EQ(r.key, site.site_id());
      id = site.header().event_id();
    } else {
      ASSERT_TRUE(elder.ParseFromString(r.value));
      id = elder.header().event_id();
    }
    EXPECT_TRUE(event_ids.insert(id).second) << id;
  }
  for (std::size_t i = 0; i < city.events.size(); ++i) {
    const SimRecord& r = city.events[i];
    pb::OrderEvent o;
    pb::CourierEvent c;
    std::string id;
    if (r.topic == city.options.topics.orders && o.ParseFromString(r.value)) {
      id = o.header().event_id();
    } else if (r.topic == city.options.topics.couriers && c.ParseFromString(r.value)) {
      id = c.header().event_id();
    }
    if (id.empty()) {
      EXPECT_TRUE(IsMalformedIndex(city, i));
      continue;
    }
    EXPECT_TRUE(event_ids.insert(id).second) << id;
  }
}

TEST(CityTest, CouriersWorkLunchAndDinnerShiftsFromTheirSite) {
  const City& city = DefaultCity();
  std::map<std::string, const SiteInfo*> sites;
  for (const SiteInfo& s : city.sites) sites[s.site_id] = &s;
  std::map<std::string, const CourierInfo*> couriers;
  for (const CourierInfo& c : city.couriers) couriers[c.courier_id] = &c;
  EXPECT_EQ(city.couriers.size(), 30u);
  std::set<int> modes;
  std::map<std::string, EventTimeMs> open;  // courier -> planned end
  int lunch = 0;
  int dinner = 0;
  for (std::size_t i = 0; i < city.events.size(); ++i) {
    const SimRecord& r = city.events[i];
    if (r.topic != city.options.topics.couriers || IsMalformedIndex(city, i)) continue;
    pb::CourierEvent e;
    ASSERT_TRUE(e.ParseFromString(r.value));
    if (e.has_shift_started()) {
      const pb::ShiftStarted& s = e.shift_started();
      const CourierInfo& c = *couriers.at(s.courier_id());
      EXPECT_GE(s.box_capacity(), 4u);
      EXPECT_LE(s.box_capacity(), 12u);
      modes.insert(s.mode());
      EXPECT_EQ(s.location().system(), pb::WGS84);
      const SiteInfo& site = *sites.at(c.site_id);
      EXPECT_EQ(GeoPoint(s.location().lat(), s.location().lon()), site.location);
      EXPECT_FALSE(open.contains(s.courier_id())) << "overlapping shifts";
      open[s.courier_id()] = s.shift_end_ms();
      const EventTimeMs local = r.time_ms - city.options.day_start_ms;
      if (local < 12 * kHourMs) {
        ++lunch;
        EXPECT_NEAR(local, 10 * kHourMs, 10 * kMinuteMs);
      } else {
        ++dinner;
        EXPECT_NEAR(local, 16 * kHourMs, 10 * kMinuteMs);
      }
    } else if (e.has_shift_ended()) {
      auto it = open.find(e.shift_ended().courier_id());
      ASSERT_NE(it, open.end());
      EXPECT_EQ(it->second, r.time_ms);
      open.erase(it);
    } else {
      ADD_FAILURE() << "location pings were not asked for";
    }
  }
  EXPECT_TRUE(open.empty());
  EXPECT_GT(lunch, 0);
  EXPECT_GT(dinner, 0);
  EXPECT_GE(modes.size(), 3u);
}

TEST(CityTest, StaticPingsReportTheSiteDuringShifts) {
  CityOptions o = SmallOptions();
  o.static_location_pings = true;
  o.location_interval_ms = 60 * kSecondMs;
  const City city = GenerateCity(o);
  std::map<std::string, GeoPoint> site_of;
  for (const CourierInfo& c : city.couriers) {
    for (const SiteInfo& s : city.sites) {
      if (s.site_id == c.site_id) site_of[c.courier_id] = s.location;
    }
  }
  std::map<std::string, bool> on_shift;
  std::map<std::string, EventTimeMs> last_ping;
  std::size_t pings = 0;
  for (std::size_t i = 0; i < city.events.size(); ++i) {
    const SimRecord& r = city.events[i];
    if (r.topic != o.topics.couriers || IsMalformedIndex(city, i)) continue;
    pb::CourierEvent e;
    ASSERT_TRUE(e.ParseFromString(r.value));
    if (e.has_shift_started()) on_shift[e.shift_started().courier_id()] = true;
    if (e.has_shift_ended()) on_shift[e.shift_ended().courier_id()] = false;
    if (e.has_location()) {
      const std::string& id = e.location().courier_id();
      EXPECT_TRUE(on_shift[id]) << id;
      EXPECT_EQ(GeoPoint(e.location().location().lat(), e.location().location().lon()), site_of.at(id));
      if (last_ping.contains(id) && on_shift[id] && r.time_ms - last_ping[id] < kHourMs) {
        EXPECT_EQ(r.time_ms - last_ping[id], o.location_interval_ms);
      }
      last_ping[id] = r.time_ms;
      ++pings;
    }
  }
  // 8 couriers x 2 areas, about 4-7.5 h each, one ping a minute.
  EXPECT_GT(pings, 16u * 200u);
}

}  // namespace
}  // namespace meal::sim
