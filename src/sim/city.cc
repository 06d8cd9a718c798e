#include "sim/city.h"

#include <algorithm>
#include <cmath>
#include <cstdio>
#include <numbers>
#include <numeric>
#include <utility>

#include "mealdispatch/v1/events.pb.h"
#include "common/dates.h"
#include "common/random.h"

namespace meal::sim {
namespace {

namespace pb = ::mealdispatch::v1;

constexpr double kPi = std::numbers::pi;
// Metres per degree of latitude on the same sphere HaversineM uses.
constexpr double kMetresPerDegree = 6371008.8 * kPi / 180.0;

// Independent random streams, so that one part of the city does not shift
// when another part's size changes.
enum Stream : std::uint64_t {
  kStreamAreas = 1,
  kStreamSites,
  kStreamCouriers,
  kStreamElders,
  kStreamOrders,
  kStreamMalformed,
  kStreamStanding,
};

struct District {
  const char* slug;
  const char* name;        // Chinese district name, for site names
  const char* admin_code;  // GB/T 2260 code, the prefix of facility numbers
};

// Shenyang's urban districts; areas cycle through them (area-shenhe-01,
// area-heping-01, …, area-shenhe-02, …).
constexpr District kDistricts[] = {
    {"shenhe", "沈河", "210103"},  {"heping", "和平", "210102"},  {"dadong", "大东", "210104"},
    {"huanggu", "皇姑", "210105"}, {"tiexi", "铁西", "210106"},   {"hunnan", "浑南", "210112"},
    {"yuhong", "于洪", "210114"},  {"shenbei", "沈北", "210113"}, {"sujiatun", "苏家屯", "210111"},
};
constexpr int kDistrictCount = static_cast<int>(std::size(kDistricts));

// Who runs a site ("diverse supply"), with rough shares.
constexpr const char* kSiteKinds[] = {"社区食堂", "养老机构助餐点", "餐饮企业助餐点", "中央厨房"};

// Shares of elders in each category (several may apply). Urban Shenyang:
// many very old and living alone, fewer on allowances; few left-behind.
struct CategoryShare {
  pb::ElderCategory category;
  double share;
};
constexpr CategoryShare kCategoryShares[] = {
    {pb::MINIMUM_ALLOWANCE, 0.10}, {pb::EXTREMELY_POOR, 0.03}, {pb::NEAR_POVERTY, 0.06},
    {pb::LIVING_ALONE, 0.35},      {pb::EMPTY_NEST, 0.25},     {pb::LEFT_BEHIND, 0.02},
    {pb::INCAPACITATED, 0.08},     {pb::DISABLED, 0.07},       {pb::VERY_OLD, 0.45},
    {pb::SPECIAL_FAMILY_PLANNING, 0.02},
};

constexpr const char* kCancelReasons[] = {
    "elder will eat at the site today", "family is bringing a meal", "elder is away today",
    "ordered by mistake"};

std::string Pad(std::int64_t value, int width) {
  char buf[32];
  std::snprintf(buf, sizeof buf, "%0*lld", width, static_cast<long long>(value));
  return buf;
}

// "HHMM" of a UTC instant in China time.
std::string LocalHhmm(EventTimeMs t) {
  const std::int64_t minute_of_day =
      (((t + kChinaUtcOffsetMs) / kMinuteMs) % (24 * 60) + 24 * 60) % (24 * 60);
  return Pad(minute_of_day / 60, 2) + Pad(minute_of_day % 60, 2);
}

GeoPoint Polar(GeoPoint origin, double distance_m, double angle_rad) {
  return OffsetM(origin, distance_m * std::cos(angle_rad), distance_m * std::sin(angle_rad));
}

// A point uniform in the disk of `radius_m` around `origin`.
GeoPoint InDisk(Rng& rng, GeoPoint origin, double radius_m) {
  const double r = radius_m * std::sqrt(rng.Unit());
  return Polar(origin, r, rng.Uniform(0, 2 * kPi));
}

void SetLocation(pb::Location* out, GeoPoint p, pb::CoordinateSystem system) {
  out->set_lat(p.lat);
  out->set_lon(p.lon);
  out->set_system(system);
}

// A record waiting for the final time sort; malformed_kind < 0 for valid ones.
struct Pending {
  SimRecord record;
  int malformed_kind = -1;
};

// Who eats together: one elder, or a hub household with its host first.
struct Unit {
  std::vector<std::size_t> elders;  // into city_.elders
};

class Builder {
 public:
  explicit Builder(const CityOptions& options) : opt_(options) { city_.options = options; }

  City Build() {
    MakeAreas();
    MakeSites();
    MakeCouriers();
    MakeElders();
    MakeRegistry();
    MakeStanding();
    MakeOrders();
    MakeRecall();
    MakeMalformed();
    Finish();
    return std::move(city_);
  }

 private:
  struct Area {
    std::string id;
    std::string slug;  // "shenhe-01"
    const District* district = nullptr;
    int number = 0;
    GeoPoint center;
    std::vector<std::size_t> sites;                   // into city_.sites
    std::vector<std::vector<std::size_t>> site_elders;  // per area site, into city_.elders
    std::vector<std::vector<Unit>> site_units;          // per area site
    std::vector<std::string> both_shift_couriers;
  };

  std::string NextEventId() { return "ev-s" + std::to_string(opt_.seed) + "-" + Pad(++event_seq_, 7); }

  EventTimeMs LocalMs(int hour, int minute) const {
    return opt_.day_start_ms + hour * kHourMs + minute * kMinuteMs;
  }

  void Add(std::string topic, std::string key, std::string value, EventTimeMs time_ms,
           int malformed_kind = -1) {
    pending_.push_back({SimRecord{std::move(topic), std::move(key), std::move(value), time_ms},
                        malformed_kind});
  }

  template <typename Event>
  void AddEvent(const std::string& topic, const std::string& area_id, const Event& event,
                EventTimeMs time_ms, int malformed_kind = -1) {
    Add(topic, area_id, event.SerializeAsString(), time_ms, malformed_kind);
  }

  void MakeAreas() {
    Rng rng(DeriveSeed(opt_.seed, kStreamAreas));
    for (int a = 0; a < opt_.areas; ++a) {
      Area area;
      area.district = &kDistricts[a % kDistrictCount];
      area.number = a / kDistrictCount + 1;
      area.slug = std::string(area.district->slug) + "-" + Pad(area.number, 2);
      area.id = "area-" + area.slug;
      // Areas spiral out from the centre (golden angle), about 3 km apart,
      // so neighbouring areas' service radii overlap a little.
      const double r = a == 0 ? 0.0 : 3200.0 * std::sqrt(static_cast<double>(a));
      area.center = Polar(opt_.center, r + rng.Uniform(-300, 300), a * 2.399963229728653);
      city_.area_ids.push_back(area.id);
      areas_.push_back(std::move(area));
    }
  }

  void MakeSites() {
    Rng rng(DeriveSeed(opt_.seed, kStreamSites));
    for (Area& area : areas_) {
      for (int s = 0; s < opt_.sites_per_area; ++s) {
        SiteInfo site;
        site.site_id = "site-" + area.slug + "-" + Pad(s + 1, 2);
        site.area_id = area.id;
        const std::size_t kind = rng.Pick({0.4, 0.25, 0.25, 0.1});
        site.name = std::string(area.district->name) + "区" + Pad(area.number, 2) + "片区" +
                    kSiteKinds[kind] + Pad(s + 1, 2) + "号";
        site.facility_number =
            std::string("ZC") + area.district->admin_code + Pad(area.number, 2) + Pad(s + 1, 3);
        site.location = InDisk(rng, area.center, 1800);
        site.radius_m = static_cast<std::uint32_t>(1500 + 100 * rng.UniformInt(0, 15));
        site.hot_meal_limit_ms = 45 * kMinuteMs;
        area.sites.push_back(city_.sites.size());
        city_.sites.push_back(std::move(site));
      }
      area.site_elders.resize(area.sites.size());
      area.site_units.resize(area.sites.size());
    }
  }

  void MakeCouriers() {
    Rng rng(DeriveSeed(opt_.seed, kStreamCouriers));
    for (Area& area : areas_) {
      for (int i = 0; i < opt_.couriers_per_area; ++i) {
        CourierInfo c;
        c.courier_id = "courier-" + area.slug + "-" + Pad(i + 1, 2);
        c.area_id = area.id;
        const SiteInfo& site = city_.sites[area.sites[static_cast<std::size_t>(i) % area.sites.size()]];
        c.site_id = site.site_id;
        c.team_id = "team-" + site.site_id.substr(std::string_view("site-").size());
        switch (rng.Pick({0.15, 0.20, 0.50, 0.15})) {
          case 0:
            c.mode = pb::WALK;
            c.box_capacity = static_cast<std::uint32_t>(rng.UniformInt(4, 6));
            break;
          case 1:
            c.mode = pb::BIKE;
            c.box_capacity = static_cast<std::uint32_t>(rng.UniformInt(6, 8));
            break;
          case 2:
            c.mode = pb::EBIKE;
            c.box_capacity = static_cast<std::uint32_t>(rng.UniformInt(8, 12));
            break;
          default:
            c.mode = pb::CAR;
            c.box_capacity = static_cast<std::uint32_t>(rng.UniformInt(10, 12));
            break;
        }
        // Roles by index, so every area has both shifts covered whatever the
        // seed: 3 in 10 work lunch and dinner, 4 lunch only, 3 dinner only.
        const int role = i % 10;
        const bool lunch = role <= 6;
        const bool dinner = role <= 2 || role >= 7;
        if (lunch) {
          c.shifts.push_back({LocalMs(10, 0) + rng.UniformInt(-10, 10) * kMinuteMs,
                              LocalMs(14, 0) + rng.UniformInt(-10, 10) * kMinuteMs});
        }
        if (dinner) {
          c.shifts.push_back({LocalMs(16, 0) + rng.UniformInt(-10, 10) * kMinuteMs,
                              LocalMs(19, 30) + rng.UniformInt(-10, 10) * kMinuteMs});
        }
        if (lunch && dinner) area.both_shift_couriers.push_back(c.courier_id);
        for (const ShiftInfo& shift : c.shifts) AddShift(c, site, shift);
        city_.couriers.push_back(std::move(c));
      }
    }
  }

  void AddShift(const CourierInfo& c, const SiteInfo& site, const ShiftInfo& shift) {
    pb::CourierEvent started;
    SetHeader(started.mutable_header(), c.area_id, shift.start_ms);
    pb::ShiftStarted* s = started.mutable_shift_started();
    s->set_courier_id(c.courier_id);
    s->set_mode(static_cast<pb::TravelMode>(c.mode));
    s->set_box_capacity(c.box_capacity);
    s->set_shift_end_ms(shift.end_ms);
    SetLocation(s->mutable_location(), site.location, pb::WGS84);
    s->set_team_id(c.team_id);
    AddEvent(opt_.topics.couriers, c.area_id, started, shift.start_ms);

    if (opt_.static_location_pings && opt_.location_interval_ms > 0) {
      for (EventTimeMs t = shift.start_ms + opt_.location_interval_ms; t < shift.end_ms;
           t += opt_.location_interval_ms) {
        pb::CourierEvent ping;
        SetHeader(ping.mutable_header(), c.area_id, t);
        ping.mutable_location()->set_courier_id(c.courier_id);
        SetLocation(ping.mutable_location()->mutable_location(), site.location, pb::WGS84);
        AddEvent(opt_.topics.couriers, c.area_id, ping, t);
      }
    }

    pb::CourierEvent ended;
    SetHeader(ended.mutable_header(), c.area_id, shift.end_ms);
    ended.mutable_shift_ended()->set_courier_id(c.courier_id);
    AddEvent(opt_.topics.couriers, c.area_id, ended, shift.end_ms);
  }

  void SetHeader(pb::EventHeader* header, const std::string& area_id, EventTimeMs t) {
    header->set_event_id(NextEventId());
    header->set_area_id(area_id);
    header->set_event_time_ms(t);
  }

  void MakeElders() {
    Rng rng(DeriveSeed(opt_.seed, kStreamElders));
    for (Area& area : areas_) {
      int area_elder_number = 0;
      int hub_number = 0;
      for (std::size_t s = 0; s < area.sites.size(); ++s) {
        const SiteInfo& site = city_.sites[area.sites[s]];
        const double radius = site.radius_m;
        // Elders cluster in residential compounds (小区) around the site.
        std::vector<GeoPoint> compounds(static_cast<std::size_t>(rng.UniformInt(6, 12)));
        for (GeoPoint& c : compounds) c = InDisk(rng, site.location, radius * 0.85);

        std::vector<std::size_t>& members = area.site_elders[s];
        for (int e = 0; e < opt_.elders_per_site; ++e) {
          ElderInfo elder;
          elder.elder_id = "elder-" + area.slug + "-" + Pad(++area_elder_number, 4);
          elder.area_id = area.id;
          elder.site_id = site.site_id;
          GeoPoint home = site.location;
          for (int attempt = 0; attempt < 8; ++attempt) {
            const GeoPoint candidate =
                rng.Chance(0.75)
                    ? InDisk(rng, compounds[static_cast<std::size_t>(
                                      rng.UniformInt(0, static_cast<std::int64_t>(compounds.size()) - 1))],
                             120)
                    : InDisk(rng, site.location, radius * 0.95);
            if (HaversineM(candidate, site.location) <= radius * 0.98) {
              home = candidate;
              break;
            }
          }
          elder.home_wgs84 = home;
          elder.reported_gcj02 = rng.Chance(opt_.gcj02_share);
          for (const CategoryShare& cs : kCategoryShares) {
            if (rng.Chance(cs.share)) elder.categories.push_back(cs.category);
          }
          members.push_back(city_.elders.size());
          city_.elders.push_back(std::move(elder));
        }

        // Hub households: 3–4 elders who eat together at the host's home.
        std::vector<std::size_t> order(members);
        for (std::size_t i = order.size(); i > 1; --i) {
          std::swap(order[i - 1], order[static_cast<std::size_t>(rng.UniformInt(0, static_cast<std::int64_t>(i) - 1))]);
        }
        std::int64_t to_place = std::llround(opt_.hub_household_share * static_cast<double>(members.size()));
        std::size_t next = 0;
        std::vector<bool> in_hub(city_.elders.size(), false);
        while (to_place >= 3 && next + 3 <= order.size()) {
          std::size_t size = static_cast<std::size_t>(rng.UniformInt(3, 4));
          size = std::min({size, static_cast<std::size_t>(to_place), order.size() - next});
          const std::string hub_id = "hub-" + area.slug + "-" + Pad(++hub_number, 3);
          const std::size_t host = order[next];
          for (std::size_t k = 0; k < size; ++k) {
            ElderInfo& member = city_.elders[order[next + k]];
            member.hub_household_id = hub_id;
            member.hub_host = k == 0;
            member.home_wgs84 = city_.elders[host].home_wgs84;
            in_hub[order[next + k]] = true;
          }
          const auto first = order.begin() + static_cast<std::ptrdiff_t>(next);
          area.site_units[s].push_back({std::vector<std::size_t>(first, first + static_cast<std::ptrdiff_t>(size))});
          next += size;
          to_place -= static_cast<std::int64_t>(size);
        }

        for (std::size_t index : members) {
          ElderInfo& elder = city_.elders[index];
          if (!in_hub[index]) {
            area.site_units[s].push_back({{index}});
            if (!area.both_shift_couriers.empty() && rng.Chance(opt_.paired_helper_share)) {
              elder.paired_helper_id = area.both_shift_couriers[static_cast<std::size_t>(rng.UniformInt(
                  0, static_cast<std::int64_t>(area.both_shift_couriers.size()) - 1))];
            }
          }
          elder.reported = elder.reported_gcj02 ? Wgs84ToGcj02(elder.home_wgs84) : elder.home_wgs84;
        }
        // Units in elder order, so the draw below does not depend on the shuffle.
        std::sort(area.site_units[s].begin(), area.site_units[s].end(),
                  [](const Unit& a, const Unit& b) { return a.elders.front() < b.elders.front(); });
      }
    }
  }

  void MakeRegistry() {
    for (const SiteInfo& site : city_.sites) {
      pb::MealSite m;
      m.mutable_header()->set_event_id(NextEventId());
      m.mutable_header()->set_area_id(site.area_id);
      m.mutable_header()->set_event_time_ms(opt_.day_start_ms);
      m.set_site_id(site.site_id);
      m.set_name(site.name);
      m.set_facility_number(site.facility_number);
      SetLocation(m.mutable_location(), site.location, pb::WGS84);
      m.set_radius_m(site.radius_m);
      m.set_hot_meal_limit_ms(site.hot_meal_limit_ms);
      city_.registry.push_back(
          {opt_.topics.sites, site.site_id, m.SerializeAsString(), opt_.day_start_ms});
    }
    for (const ElderInfo& elder : city_.elders) {
      pb::Elder m;
      m.mutable_header()->set_event_id(NextEventId());
      m.mutable_header()->set_area_id(elder.area_id);
      m.mutable_header()->set_event_time_ms(opt_.day_start_ms);
      m.set_elder_id(elder.elder_id);
      SetLocation(m.mutable_home(), elder.reported, elder.reported_gcj02 ? pb::GCJ02 : pb::WGS84);
      for (int c : elder.categories) m.add_categories(static_cast<pb::ElderCategory>(c));
      m.set_paired_helper_id(elder.paired_helper_id);
      m.set_hub_household_id(elder.hub_household_id);
      city_.registry.push_back(
          {opt_.topics.elders, elder.elder_id, m.SerializeAsString(), opt_.day_start_ms});
    }
  }

  // Standing orders replace the one-off orders of the elders who have one,
  // so those elders leave the draw of units.
  void MakeStanding() {
    if (opt_.standing_order_share <= 0) return;
    Rng rng(DeriveSeed(opt_.seed, kStreamStanding));
    const std::string date = LocalDate(opt_.day_start_ms, kChinaUtcOffsetMs);
    const bool weekday = IsoWeekday(date) <= 5;
    for (Area& area : areas_) {
      int number = 0;
      for (std::size_t s = 0; s < area.sites.size(); ++s) {
        const SiteInfo& site = city_.sites[area.sites[s]];
        std::vector<Unit>& units = area.site_units[s];
        std::vector<std::size_t> candidates;  // into units
        for (std::size_t u = 0; u < units.size(); ++u) {
          if (units[u].elders.size() == 1 && city_.elders[units[u].elders.front()].paired_helper_id.empty()) {
            candidates.push_back(u);
          }
        }
        const double wanted = opt_.standing_order_share * static_cast<double>(area.site_elders[s].size());
        const std::size_t count = std::min(candidates.size(), static_cast<std::size_t>(std::llround(wanted)));
        // A partial shuffle picks `count` of them.
        for (std::size_t i = 0; i < count; ++i) {
          std::swap(candidates[i], candidates[static_cast<std::size_t>(
                                       rng.UniformInt(static_cast<std::int64_t>(i),
                                                      static_cast<std::int64_t>(candidates.size()) - 1))]);
        }
        candidates.resize(count);
        std::sort(candidates.begin(), candidates.end());
        for (std::size_t u : candidates) {
          StandingInfo info;
          info.standing_id = "standing-" + area.slug + "-" + Pad(++number, 3);
          info.area_id = area.id;
          info.site_id = site.site_id;
          info.elder_id = city_.elders[units[u].elders.front()].elder_id;
          const std::size_t nth = city_.standing.size();
          info.story = nth == 0 ? StandingStory::kSuspended
                       : nth == 1 ? StandingStory::kSuspendedThenResumed
                                  : StandingStory::kServed;
          // The same lunch slots as the one-off orders.
          const double peak = (rng.Unit() + rng.Unit()) / 2;
          const std::int64_t start_min = 11 * 60 + 5 * std::llround(peak * 90.0 / 5.0);
          const std::int64_t end_min = start_min + 45 + 5 * rng.UniformInt(0, 3);
          info.window_start_ms = opt_.day_start_ms + start_min * kMinuteMs;
          info.window_end_ms = opt_.day_start_ms + end_min * kMinuteMs;
          const EventTimeMs ready_ms = info.window_start_ms - rng.UniformInt(20 * 60, 40 * 60) * kSecondMs;
          if (weekday) {
            info.order_id = info.standing_id + "@" + date;
            if (info.story != StandingStory::kSuspended) info.ready_ms = ready_ms;
          }

          pb::OrderEvent set;
          SetHeader(set.mutable_header(), area.id, StandingSetMs());
          pb::StandingOrderSet* p = set.mutable_standing_set();
          p->set_standing_id(info.standing_id);
          p->set_site_id(info.site_id);
          p->set_elder_id(info.elder_id);
          p->set_meals(1);
          p->set_meal_class(pb::HOT);
          for (std::uint32_t d = 1; d <= 5; ++d) p->add_weekdays(d);
          p->set_window_start_min(static_cast<std::uint32_t>(start_min));
          p->set_window_end_min(static_cast<std::uint32_t>(end_min));
          p->set_first_date(date);
          p->set_batch_id("batch-" + site.site_id + "-standing");
          AddEvent(opt_.topics.orders, area.id, set, StandingSetMs());

          // The service generates the day's order 3 h (its default lead)
          // before the window: the hospital stay begins after that, so the
          // order is cancelled; the stay with family begins before it and
          // ends after it, so the order is generated late, on resumption.
          auto suspend = [&](const std::string& until, const char* reason) {
            pb::OrderEvent e;
            SetHeader(e.mutable_header(), area.id, info.suspended_ms);
            pb::StandingOrderSuspended* q = e.mutable_standing_suspended();
            q->set_standing_id(info.standing_id);
            q->set_from_date(date);
            q->set_until_date(until);
            q->set_reason(reason);
            AddEvent(opt_.topics.orders, area.id, e, info.suspended_ms);
          };
          if (info.story == StandingStory::kSuspended) {
            info.suspended_ms = info.window_start_ms - 90 * kMinuteMs;
            suspend(AddDays(date, 6), "hospital stay");
          } else if (info.story == StandingStory::kSuspendedThenResumed) {
            info.suspended_ms = StandingSetMs() + 15 * kMinuteMs;
            info.resumed_ms = info.window_start_ms - 100 * kMinuteMs;
            suspend({}, "staying with family");
            pb::OrderEvent r;
            SetHeader(r.mutable_header(), area.id, info.resumed_ms);
            r.mutable_standing_resumed()->set_standing_id(info.standing_id);
            AddEvent(opt_.topics.orders, area.id, r, info.resumed_ms);
          }
          if (info.ready_ms >= 0) {
            pb::OrderEvent e;
            SetHeader(e.mutable_header(), area.id, info.ready_ms);
            e.mutable_ready()->set_order_id(info.order_id);
            AddEvent(opt_.topics.orders, area.id, e, info.ready_ms);
          }
          city_.standing.push_back(std::move(info));
        }
        // Remove the picked units, last first so the indices stay valid.
        for (auto it = candidates.rbegin(); it != candidates.rend(); ++it) {
          units.erase(units.begin() + static_cast<std::ptrdiff_t>(*it));
        }
      }
    }
  }

  // When the office publishes the standing orders: before the first order
  // of the day is due, late enough not to stretch a real-time run over the
  // quiet night.
  EventTimeMs StandingSetMs() const { return LocalMs(7, 30); }

  void MakeOrders() {
    Rng rng(DeriveSeed(opt_.seed, kStreamOrders));
    const int areas = static_cast<int>(areas_.size());
    for (int a = 0; a < areas; ++a) {
      Area& area = areas_[static_cast<std::size_t>(a)];
      const int count = opt_.orders / areas + (a < opt_.orders % areas ? 1 : 0);
      for (int k = 0; k < count;) {
        const std::size_t s = static_cast<std::size_t>(
            rng.UniformInt(0, static_cast<std::int64_t>(area.sites.size()) - 1));
        const std::vector<Unit>& units = area.site_units[s];
        if (units.empty()) {
          ++k;
          continue;
        }
        const Unit& unit =
            units[static_cast<std::size_t>(rng.UniformInt(0, static_cast<std::int64_t>(units.size()) - 1))];
        const SiteInfo& site = city_.sites[area.sites[s]];
        const ElderInfo& host = city_.elders[unit.elders.front()];
        const bool hub = unit.elders.size() > 1;

        // Windows peak mid-meal: a triangular draw over 11:00–12:30 or
        // 17:00–18:30, on 5-minute slots as sites publish them. A hub
        // household's meals share the window, the kitchen and the batch.
        const bool lunch = rng.Chance(0.6);
        const double peak = (rng.Unit() + rng.Unit()) / 2;  // triangular on [0, 1)
        const std::int64_t slot_min = 5 * std::llround(peak * 90.0 / 5.0);
        const EventTimeMs window_start_ms = LocalMs(lunch ? 11 : 17, 0) + slot_min * kMinuteMs;
        const EventTimeMs window_end_ms = window_start_ms + (45 + 5 * rng.UniformInt(0, 3)) * kMinuteMs;
        const EventTimeMs placed_ms = window_start_ms - rng.UniformInt(60 * 60, 180 * 60) * kSecondMs;
        const EventTimeMs ready_ms = window_start_ms - rng.UniformInt(20 * 60, 40 * 60) * kSecondMs;
        const int meal_class = static_cast<int>(rng.Pick({0.85, 0.10, 0.05})) + pb::HOT;
        // One cooking batch per site and half-hour of plating.
        const std::string batch_id =
            "batch-" + site.site_id + "-" + LocalHhmm(ready_ms - ready_ms % (30 * kMinuteMs));
        // The day's last draw may feed only part of a household.
        const std::size_t eaters = std::min(unit.elders.size(), static_cast<std::size_t>(count - k));
        for (std::size_t m = 0; m < eaters; ++m) {
          const ElderInfo& elder = city_.elders[unit.elders[m]];
          OrderInfo o;
          o.order_id = "order-" + area.slug + "-s" + std::to_string(opt_.seed) + "-" + Pad(++k, 5);
          o.area_id = area.id;
          o.site_id = site.site_id;
          o.elder_id = elder.elder_id;
          o.window_start_ms = window_start_ms;
          o.window_end_ms = window_end_ms;
          o.placed_ms = placed_ms;
          o.meals = hub ? 1u : (rng.Chance(0.2) ? 2u : 1u);
          o.meal_class = meal_class;
          o.batch_id = batch_id;
          const bool cancelled = rng.Chance(opt_.cancel_share);
          if (cancelled) {
            o.cancelled_ms = o.placed_ms + rng.UniformInt(1, ready_ms - o.placed_ms - 1);
          } else {
            o.ready_ms = ready_ms;
          }
          o.destination_wgs84 = host.home_wgs84;

          pb::OrderEvent placed;
          SetHeader(placed.mutable_header(), area.id, o.placed_ms);
          pb::OrderPlaced* p = placed.mutable_placed();
          p->set_order_id(o.order_id);
          p->set_site_id(o.site_id);
          p->set_elder_id(o.elder_id);
          p->set_meals(o.meals);
          p->set_meal_class(static_cast<pb::MealClass>(o.meal_class));
          p->set_window_start_ms(o.window_start_ms);
          p->set_window_end_ms(o.window_end_ms);
          if (hub) {
            // Every member names the host's home, as one point: the service
            // shares a stop only between identical delivery locations, and
            // members' own registry homes may be given in different systems.
            SetLocation(p->mutable_delivery_location(), host.home_wgs84, pb::WGS84);
          } else if (rng.Chance(0.02)) {
            // A few orders go somewhere else today (a neighbour's, a
            // relative's), sometimes given as a GCJ-02 point picked on a map app.
            // Separate statements: argument evaluation order is unspecified.
            const double distance_m = rng.Uniform(50, 300);
            const double angle = rng.Uniform(0, 2 * kPi);
            o.destination_wgs84 = Polar(elder.home_wgs84, distance_m, angle);
            const bool gcj = rng.Chance(0.5);
            SetLocation(p->mutable_delivery_location(),
                        gcj ? Wgs84ToGcj02(o.destination_wgs84) : o.destination_wgs84,
                        gcj ? pb::GCJ02 : pb::WGS84);
          }
          p->set_batch_id(batch_id);
          AddEvent(opt_.topics.orders, area.id, placed, o.placed_ms);

          pb::OrderEvent next;
          if (cancelled) {
            SetHeader(next.mutable_header(), area.id, o.cancelled_ms);
            next.mutable_cancelled()->set_order_id(o.order_id);
            next.mutable_cancelled()->set_reason(
                kCancelReasons[rng.UniformInt(0, std::size(kCancelReasons) - 1)]);
            AddEvent(opt_.topics.orders, area.id, next, o.cancelled_ms);
          } else {
            SetHeader(next.mutable_header(), area.id, o.ready_ms);
            next.mutable_ready()->set_order_id(o.order_id);
            AddEvent(opt_.topics.orders, area.id, next, o.ready_ms);
            city_.ready_order_ids.push_back(o.order_id);
          }
          city_.orders.push_back(std::move(o));
        }
      }
    }
    for (const StandingInfo& s : city_.standing) {
      if (s.ready_ms >= 0) city_.ready_order_ids.push_back(s.order_id);
    }
  }

  void MakeRecall() {
    if (!opt_.recall_batch || areas_.empty()) return;
    const Area& area = areas_.front();
    std::size_t best_count = 0;
    for (std::size_t s : area.sites) {
      const std::string batch_id = "batch-" + city_.sites[s].site_id + "-1100";
      const std::size_t count = static_cast<std::size_t>(std::count_if(
          city_.orders.begin(), city_.orders.end(),
          [&](const OrderInfo& o) { return !o.cancelled() && o.batch_id == batch_id; }));
      if (count > best_count) {
        best_count = count;
        city_.recall = RecallInfo{area.id, city_.sites[s].site_id, batch_id, LocalMs(11, 50)};
      }
    }
    if (!city_.recall) return;
    pb::CommandEvent e;
    SetHeader(e.mutable_header(), area.id, city_.recall->at_ms);
    e.set_actor("sim-food-safety");
    e.set_reason("the kitchen reported a suspect ingredient");
    e.mutable_recall()->set_site_id(city_.recall->site_id);
    e.mutable_recall()->set_batch_id(city_.recall->batch_id);
    AddEvent(opt_.topics.commands, area.id, e, city_.recall->at_ms);
  }

  // A structurally valid OrderPlaced for an order id nobody else uses, to be
  // broken by the caller.
  pb::OrderEvent BadPlaced(Rng& rng, const Area& area, EventTimeMs t, int n) {
    const std::size_t s = static_cast<std::size_t>(
        rng.UniformInt(0, static_cast<std::int64_t>(area.sites.size()) - 1));
    const SiteInfo& site = city_.sites[area.sites[s]];
    pb::OrderEvent e;
    SetHeader(e.mutable_header(), area.id, t);
    pb::OrderPlaced* p = e.mutable_placed();
    p->set_order_id("order-" + area.slug + "-s" + std::to_string(opt_.seed) + "-bad-" + Pad(n, 4));
    p->set_site_id(site.site_id);
    const std::vector<std::size_t>& elders = area.site_elders[s];
    if (!elders.empty()) {
      p->set_elder_id(city_.elders[elders[static_cast<std::size_t>(
                                       rng.UniformInt(0, static_cast<std::int64_t>(elders.size()) - 1))]]
                          .elder_id);
    }
    p->set_meals(1);
    p->set_meal_class(pb::HOT);
    p->set_window_start_ms(t + 2 * kHourMs);
    p->set_window_end_ms(t + 2 * kHourMs + 45 * kMinuteMs);
    return e;
  }

  void MakeMalformed() {
    if (pending_.empty() || opt_.malformed_share <= 0) return;
    Rng rng(DeriveSeed(opt_.seed, kStreamMalformed));
    EventTimeMs first = pending_.front().record.time_ms;
    EventTimeMs last = first;
    for (const Pending& p : pending_) {
      first = std::min(first, p.record.time_ms);
      last = std::max(last, p.record.time_ms);
    }
    const std::int64_t count =
        std::llround(opt_.malformed_share * static_cast<double>(pending_.size()));
    for (std::int64_t i = 0; i < count; ++i) {
      const int kind = static_cast<int>(i % kMalformedKindCount);
      const int n = static_cast<int>(i + 1);
      const Area& area = areas_[static_cast<std::size_t>(
          rng.UniformInt(0, static_cast<std::int64_t>(areas_.size()) - 1))];
      const EventTimeMs t = rng.UniformInt(first, last);
      // Every second occurrence of a kind takes the variant (i / kinds is odd).
      const bool variant = (i / kMalformedKindCount) % 2 == 1;
      switch (static_cast<MalformedKind>(kind)) {
        case MalformedKind::kRandomBytes: {
          std::string bytes(static_cast<std::size_t>(rng.UniformInt(8, 64)), '\0');
          for (char& c : bytes) c = static_cast<char>(rng.UniformInt(0, 255));
          // A leading tag of field number 0 is never valid protobuf, so the
          // garbage cannot parse by accident.
          bytes[0] = '\0';
          const std::string* topics[] = {&opt_.topics.orders, &opt_.topics.couriers,
                                         &opt_.topics.deliveries};
          Add(*topics[rng.UniformInt(0, 2)], area.id, std::move(bytes), t, kind);
          break;
        }
        case MalformedKind::kTruncated: {
          std::string bytes = BadPlaced(rng, area, t, n).SerializeAsString();
          // Cut inside a length-delimited field; shorten further in the rare
          // case the cut lands on a field boundary and still parses.
          std::size_t len = bytes.size() / 2;
          pb::OrderEvent probe;
          while (len > 1 && probe.ParseFromArray(bytes.data(), static_cast<int>(len))) --len;
          bytes.resize(len);
          Add(opt_.topics.orders, area.id, std::move(bytes), t, kind);
          break;
        }
        case MalformedKind::kMissingHeaderField: {
          pb::OrderEvent e = BadPlaced(rng, area, t, n);
          if (variant) {
            e.mutable_header()->clear_area_id();
          } else {
            e.mutable_header()->clear_event_id();
          }
          AddEvent(opt_.topics.orders, area.id, e, t, kind);
          break;
        }
        case MalformedKind::kWindowInverted: {
          pb::OrderEvent e = BadPlaced(rng, area, t, n);
          e.mutable_placed()->set_window_end_ms(e.placed().window_start_ms() - 30 * kMinuteMs);
          AddEvent(opt_.topics.orders, area.id, e, t, kind);
          break;
        }
        case MalformedKind::kUnknownCoordinates: {
          if (!variant) {
            pb::OrderEvent e = BadPlaced(rng, area, t, n);
            // Not a value of the enum: what a newer or broken producer might send.
            SetLocation(e.mutable_placed()->mutable_delivery_location(),
                        city_.sites[area.sites.front()].location,
                        static_cast<pb::CoordinateSystem>(7));
            AddEvent(opt_.topics.orders, area.id, e, t, kind);
          } else {
            pb::CourierEvent e;
            SetHeader(e.mutable_header(), area.id, t);
            pb::ShiftStarted* s = e.mutable_shift_started();
            s->set_courier_id("courier-" + area.slug + "-bad-" + Pad(n, 4));
            s->set_mode(pb::BIKE);
            s->set_box_capacity(6);
            s->set_shift_end_ms(t + 2 * kHourMs);
            SetLocation(s->mutable_location(), city_.sites[area.sites.front()].location,
                        pb::COORDINATE_SYSTEM_UNSPECIFIED);
            AddEvent(opt_.topics.couriers, area.id, e, t, kind);
          }
          break;
        }
        case MalformedKind::kReadyForUnknownOrder: {
          pb::OrderEvent e;
          SetHeader(e.mutable_header(), area.id, t);
          e.mutable_ready()->set_order_id("order-" + area.slug + "-s" + std::to_string(opt_.seed) +
                                          "-ghost-" + Pad(n, 4));
          AddEvent(opt_.topics.orders, area.id, e, t, kind);
          break;
        }
      }
    }
  }

  void Finish() {
    std::vector<std::size_t> order(pending_.size());
    std::iota(order.begin(), order.end(), std::size_t{0});
    std::stable_sort(order.begin(), order.end(), [&](std::size_t a, std::size_t b) {
      return pending_[a].record.time_ms < pending_[b].record.time_ms;
    });
    city_.events.reserve(order.size());
    for (std::size_t i : order) {
      if (pending_[i].malformed_kind >= 0) {
        city_.malformed.push_back(
            {city_.events.size(), static_cast<MalformedKind>(pending_[i].malformed_kind)});
      }
      city_.events.push_back(std::move(pending_[i].record));
    }
    pending_.clear();
  }

  const CityOptions& opt_;
  City city_;
  std::vector<Area> areas_;
  std::vector<Pending> pending_;
  std::int64_t event_seq_ = 0;
};

}  // namespace

EventTimeMs ChinaMidnightMs(int year, int month, int day) {
  // Days from the civil date (H. Hinnant's days_from_civil).
  const int y = year - (month <= 2 ? 1 : 0);
  const int era = (y >= 0 ? y : y - 399) / 400;
  const int yoe = y - era * 400;
  const int doy = (153 * (month > 2 ? month - 3 : month + 9) + 2) / 5 + day - 1;
  const int doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  const std::int64_t days = static_cast<std::int64_t>(era) * 146097 + doe - 719468;
  return days * 24 * kHourMs - kChinaUtcOffsetMs;
}

std::string_view MalformedKindName(MalformedKind kind) {
  switch (kind) {
    case MalformedKind::kRandomBytes: return "random_bytes";
    case MalformedKind::kTruncated: return "truncated";
    case MalformedKind::kMissingHeaderField: return "missing_header_field";
    case MalformedKind::kWindowInverted: return "window_inverted";
    case MalformedKind::kUnknownCoordinates: return "unknown_coordinates";
    case MalformedKind::kReadyForUnknownOrder: return "ready_for_unknown_order";
  }
  return "unknown";
}

GeoPoint OffsetM(GeoPoint p, double north_m, double east_m) {
  return {p.lat + north_m / kMetresPerDegree,
          p.lon + east_m / (kMetresPerDegree * std::cos(p.lat * kPi / 180.0))};
}

City GenerateCity(const CityOptions& options) { return Builder(options).Build(); }

}  // namespace meal::sim
