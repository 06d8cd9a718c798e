#include "service/masking.h"

#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "service/record_json.h"

namespace meal::service {
namespace {

using nlohmann::json;

json Place(double lat, double lon) { return {{"lat", lat}, {"lon", lon}, {"system", "WGS84"}}; }

// Shaped as CourierJson writes it.
json CourierAtDoor() {
  return {{"courier_id", "c1"},
          {"area_id", "a1"},
          {"location", Place(41.80, 123.43)},
          {"location_at_door", true},
          {"route",
           json::array({{{"kind", "PICKUP"}, {"order_id", "o2"}, {"site_id", "s1"}, {"location", Place(41.7, 123.4)}},
                        {{"kind", "DELIVERY"}, {"order_id", "o2"}, {"site_id", "s1"},
                         {"location", Place(41.81, 123.44)}}})}};
}

TEST(MaskForViewerTest, RemovesDoorCoordinatesOfDeliveryStopsAndOfACourierAtADoor) {
  json courier = CourierAtDoor();
  MaskForViewer(courier);
  EXPECT_FALSE(courier.contains("location"));
  EXPECT_TRUE(courier["route"][0].contains("location")) << "a pickup is at a kitchen, not a door";
  EXPECT_FALSE(courier["route"][1].contains("location"));
  EXPECT_EQ(courier["route"][1]["order_id"], "o2");
}

TEST(MaskForViewerTest, KeepsACourierLocationAwayFromADoor) {
  json courier = CourierAtDoor();
  courier["location_at_door"] = false;
  MaskForViewer(courier);
  EXPECT_EQ(courier["location"], Place(41.80, 123.43));
}

TEST(MaskForViewerTest, MasksPersonalValuesAtAnyDepthKeepingTheKeys) {
  json v = {{"elder",
             {{"elder_id", "e1"},
              {"address", "3-2-401 Beiling St"},
              {"phone_ref", "tel-77"},
              {"categories", json::array({"living_alone", "disabled"})},
              {"category", 3},
              {"home", Place(41.8, 123.4)}}},
            {"list", json::array({{{"phone", "13800000000"}, {"diet", {"soft", "low_salt"}}}})}};
  MaskForViewer(v);
  EXPECT_EQ(v["elder"]["elder_id"], "e1");
  EXPECT_EQ(v["elder"]["address"], kMasked);
  EXPECT_EQ(v["elder"]["phone_ref"], kMasked);
  EXPECT_EQ(v["elder"]["categories"], json::array({kMasked, kMasked}));
  EXPECT_TRUE(v["elder"]["category"].is_null());
  EXPECT_FALSE(v["elder"].contains("home"));
  EXPECT_EQ(v["list"][0]["phone"], kMasked);
  EXPECT_EQ(v["list"][0]["diet"], json::array({kMasked, kMasked}));
}

TEST(MaskForViewerTest, LedgerLinesKeepTheirFiguresWithTheCategoryMasked) {
  json ledger = {{"date", "2026-11-29"},
                 {"categories", json::array({{{"category", "extremely_poor"}, {"meals", 3}, {"government_fen", 4500}},
                                             {{"category", "none"}, {"meals", 1}, {"government_fen", 0}}})},
                 {"total", {{"meals", 4}, {"government_fen", 4500}}}};
  MaskForViewer(ledger);
  ASSERT_EQ(ledger["categories"].size(), 2u);
  EXPECT_EQ(ledger["categories"][0]["category"], kMasked);
  EXPECT_EQ(ledger["categories"][0]["meals"], 3);
  EXPECT_EQ(ledger["categories"][0]["government_fen"], 4500);
  EXPECT_EQ(ledger["categories"][1]["category"], kMasked);
  EXPECT_EQ(ledger["total"]["meals"], 4);
}

TEST(MaskForViewerTest, AnOrderKeepsItsDispatchFieldsAndLosesItsProof) {
  Order o;
  o.order_id = "o1";
  o.elder_id = "e1";
  o.courier_id = "c1";
  o.status = OrderStatus::kDelivered;
  o.proof_ref = "photo-o1";
  json order = OrderJson(o);
  const json before = order;
  MaskForViewer(order);
  EXPECT_EQ(order["proof_ref"], kMasked);
  order["proof_ref"] = before["proof_ref"];
  EXPECT_EQ(order, before) << "nothing else in an order is personal";
}

TEST(MaskForViewerTest, IsIdempotentAndLeavesScalarsAlone) {
  json courier = CourierAtDoor();
  MaskForViewer(courier);
  const json once = courier;
  MaskForViewer(courier);
  EXPECT_EQ(courier, once);
  json scalar = "address";
  MaskForViewer(scalar);
  EXPECT_EQ(scalar, "address");
}

}  // namespace
}  // namespace meal::service
