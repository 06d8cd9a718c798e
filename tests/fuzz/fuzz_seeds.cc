// Writes the seed corpora: one valid record per decoder (prefixed with its
// selector byte, see decoders.h) into <dir>/decode, and one request per route
// into <dir>/http. Generated from the real encoders at build time, so the
// seeds follow the schemas instead of going stale as binary files in git.
//
// Usage: fuzz_seeds <dir>
#include <cstdio>
#include <filesystem>
#include <fstream>
#include <string>

#include "codec/encode.h"
#include "decoders.h"
#include "mealdispatch/v1/events.pb.h"
#include "records.h"

namespace meal::fuzz {
namespace {

namespace wire = ::mealdispatch::v1;
namespace fs = std::filesystem;

void Write(const fs::path& path, const std::string& bytes) {
  std::ofstream out(path, std::ios::binary | std::ios::trunc);
  out << bytes;
  if (!out) throw std::runtime_error("cannot write " + path.string());
}

void Seed(const fs::path& dir, const std::string& name, Decoder decoder, const std::string& bytes) {
  Write(dir / name, std::string(1, static_cast<char>(decoder)) + bytes);
}

template <typename Message>
void SetHeader(Message* msg, const char* id) {
  msg->mutable_header()->set_event_id(id);
  msg->mutable_header()->set_area_id("area-1");
  msg->mutable_header()->set_event_time_ms(kT0);
}

void SetLocation(GeoPoint p, wire::Location* loc) {
  loc->set_lat(p.lat);
  loc->set_lon(p.lon);
  loc->set_system(wire::WGS84);
}

void DecodeSeeds(const fs::path& dir) {
  const Order o = SampleOrder();
  {
    wire::OrderEvent m;
    SetHeader(&m, "e-placed");
    auto* p = m.mutable_placed();
    p->set_order_id(o.order_id);
    p->set_site_id(o.site_id);
    p->set_elder_id(o.elder_id);
    p->set_meals(o.meals);
    p->set_meal_class(wire::HOT);
    p->set_window_start_ms(o.window_start_ms);
    p->set_window_end_ms(o.window_end_ms);
    SetLocation(o.dropoff, p->mutable_delivery_location());
    p->set_batch_id(o.batch_id);
    Seed(dir, "orders-placed", Decoder::kOrders, m.SerializeAsString());
  }
  {
    wire::OrderEvent m;
    SetHeader(&m, "e-standing");
    auto* s = m.mutable_standing_set();
    s->set_standing_id("st-1");
    s->set_site_id("site-1");
    s->set_elder_id("elder-1");
    s->set_meals(1);
    s->set_meal_class(wire::CHILLED);
    for (unsigned d : {1u, 3u, 5u}) s->add_weekdays(d);
    s->set_window_start_min(690);
    s->set_window_end_min(750);
    s->set_first_date("2025-11-01");
    Seed(dir, "orders-standing", Decoder::kOrders, m.SerializeAsString());
  }
  {
    wire::CourierEvent m;
    SetHeader(&m, "e-shift");
    auto* s = m.mutable_shift_started();
    s->set_courier_id("c1");
    s->set_mode(wire::EBIKE);
    s->set_box_capacity(6);
    s->set_shift_end_ms(kT0 + 14'400'000);
    SetLocation(SampleCourier().location, s->mutable_location());
    Seed(dir, "couriers-shift", Decoder::kCouriers, m.SerializeAsString());
  }
  {
    wire::DeliveryEvent m;
    SetHeader(&m, "e-failed");
    auto* f = m.mutable_failed();
    f->set_order_id("o1");
    f->set_courier_id("c1");
    f->set_reason(wire::NO_ANSWER);
    Seed(dir, "deliveries-failed", Decoder::kDeliveries, m.SerializeAsString());
  }
  {
    const Site s = SampleSite();
    wire::MealSite m;
    SetHeader(&m, "e-site");
    m.set_site_id(s.site_id);
    m.set_name(s.name);
    m.set_facility_number(s.facility_number);
    SetLocation(s.location, m.mutable_location());
    m.set_radius_m(s.radius_m);
    m.set_opens_min(s.opens_min);
    m.set_closes_min(s.closes_min);
    Seed(dir, "sites", Decoder::kSites, m.SerializeAsString());
  }
  {
    const Elder e = SampleElder();
    wire::Elder m;
    SetHeader(&m, "e-elder");
    m.set_elder_id(e.elder_id);
    SetLocation(e.home, m.mutable_home());
    m.add_categories(wire::LIVING_ALONE);
    m.set_paired_helper_id(e.paired_helper_id);
    Seed(dir, "elders", Decoder::kElders, m.SerializeAsString());
  }
  Seed(dir, "commands-recall", Decoder::kCommands,
       codec::EncodeCommand({"cmd-1", "area-1", kT0, RecallBatch{"site-1", "lunch-0930", "operator-1", "spoiled"}}));
  Seed(dir, "commands-ack", Decoder::kCommands,
       codec::EncodeCommand(
           {"cmd-2", "area-1", kT0, AcknowledgeWellness{"w1", WellnessOutcome::kElderSafe, "fine", "operator-1"}}));

  Seed(dir, "state-order", Decoder::kOrder, codec::EncodeOrder(o));
  Seed(dir, "state-courier", Decoder::kCourier, codec::EncodeCourier(SampleCourier()));
  Seed(dir, "state-site", Decoder::kSite, codec::EncodeSite(SampleSite()));
  Seed(dir, "state-elder", Decoder::kElder, codec::EncodeElder(SampleElder()));
  Seed(dir, "state-trace", Decoder::kTrace, codec::EncodeTrace(o));
  Seed(dir, "state-ledger", Decoder::kLedger, codec::EncodeLedger(SampleLedger()));
  Seed(dir, "state-standing", Decoder::kStanding, codec::EncodeStandingOrder(SampleStanding()));
  Seed(dir, "state-wellness", Decoder::kWellness, codec::EncodeWellnessCase(SampleWellness("w2", true)));
  Seed(dir, "state-audit", Decoder::kAudit, codec::EncodeAudit(SampleAudit()));
  Seed(dir, "state-outbox", Decoder::kOutbox, codec::EncodeOutbox(SampleOutbox()));
  Seed(dir, "state-alert", Decoder::kAlert, codec::EncodeStoredAlert(SampleAlert(true)));
  Seed(dir, "commands-reassign", Decoder::kCommands,
       codec::EncodeCommand({"cmd-3", "area-1", kT0, ReassignOrder{"o1", "c1", "operator-1", "nearer"}}));
  Seed(dir, "commands-hold", Decoder::kCommands,
       codec::EncodeCommand({"cmd-4", "area-1", kT0, HoldOrder{"o1", "operator-1", "elder away"}}));
  Seed(dir, "commands-ack-alert", Decoder::kCommands,
       codec::EncodeCommand({"cmd-5", "area-1", kT0, AcknowledgeAlert{"wellness/o1/0", "operator-1", "seen"}}));
}

std::string Request(const std::string& method, const std::string& target, const std::string& body = "") {
  std::string r = method + " " + target + " HTTP/1.1\r\nHost: x\r\n";
  if (!body.empty()) r += "Content-Type: application/json\r\nContent-Length: " + std::to_string(body.size()) + "\r\n";
  return r + "\r\n" + body;
}

void HttpSeeds(const fs::path& dir) {
  Write(dir / "healthz", Request("GET", "/healthz"));
  Write(dir / "metrics", Request("GET", "/metrics"));
  Write(dir / "order", Request("GET", "/api/v1/orders/o1"));
  Write(dir / "courier", Request("GET", "/api/v1/couriers/c%31"));
  Write(dir / "ledger", Request("GET", "/api/v1/ledger?date=2025-11-29&site=site-1&format=csv"));
  Write(dir / "coverage", Request("GET", "/api/v1/coverage?area=area-1"));
  Write(dir / "trace", Request("GET", "/api/v1/trace?site=site-1&batch=lunch-0930"));
  Write(dir / "wellness-list", Request("GET", "/api/v1/wellness?status=all&area=area-1"));
  Write(dir / "wellness", Request("GET", "/api/v1/wellness/w1"));
  Write(dir / "audit", Request("GET", "/api/v1/audit"));
  Write(dir / "standing", Request("GET", "/api/v1/standing-orders/st-1"));
  Write(dir / "recall", Request("POST", "/api/v1/recalls",
                                R"({"site_id":"site-1","batch_id":"lunch-0930","actor":"op","reason":"spoiled"})"));
  Write(dir / "acknowledge", Request("POST", "/api/v1/wellness/w1/acknowledge",
                                     R"({"outcome":"elder_safe","actor":"op","note":"answered"})"));
  Write(dir / "erase", Request("DELETE", "/api/v1/elders/elder-1", R"({"actor":"op","reason":"moved away"})"));
  Write(dir / "alerts", Request("GET", "/api/v1/alerts?status=open&kind=WELLNESS_CHECK&limit=1"));
  Write(dir / "alert-acknowledge",
        Request("POST", "/api/v1/alerts/wellness%2Fo1%2F0/acknowledge", R"({"note":"seen"})"));
  Write(dir / "reassign", Request("POST", "/api/v1/orders/o1/reassign", R"({"courier_id":"c1","reason":"nearer"})"));
  Write(dir / "hold", Request("POST", "/api/v1/orders/o1/hold", R"({"reason":"elder away"})"));
  Write(dir / "chunked", "POST /api/v1/recalls HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n"
                         "5\r\n{\"a\":\r\n3\r\n\"b\"\r\n1\r\n}\r\n0\r\n\r\n");
}

}  // namespace
}  // namespace meal::fuzz

int main(int argc, char** argv) {
  if (argc != 2) {
    std::fprintf(stderr, "usage: fuzz_seeds <dir>\n");
    return 2;
  }
  const std::filesystem::path dir = argv[1];
  std::filesystem::create_directories(dir / "decode");
  std::filesystem::create_directories(dir / "http");
  meal::fuzz::DecodeSeeds(dir / "decode");
  meal::fuzz::HttpSeeds(dir / "http");
  return 0;
}
