// The subsidy ledger against the real broker: one entry per delivered order,
// the same after a crash as without one.
#include <gtest/gtest.h>

#include <chrono>
#include <map>
#include <set>

#include "codec/state_codec.h"
#include "config/config.h"
#include "service_harness.h"
#include "state/keys.h"

namespace meal::testing {
namespace {

// The ledger entries and the delivered orders of a state dump.
struct Books {
  std::map<std::string, LedgerEntry> ledger;  // by order id
  std::map<std::string, Order> delivered;     // by order id
};

Books BooksOf(const std::map<std::string, std::string>& dump) {
  Books books;
  for (const auto& [key, value] : dump) {
    if (key.starts_with(state::kLedgerPrefix)) {
      LedgerEntry e;
      EXPECT_TRUE(codec::DecodeLedger(value, &e).ok()) << key;
      EXPECT_TRUE(books.ledger.emplace(e.order_id, e).second) << "order " << e.order_id << " booked twice";
    } else if (key.starts_with(state::kOrderPrefix)) {
      Order o;
      EXPECT_TRUE(codec::DecodeOrder(value, &o).ok()) << key;
      if (o.status == OrderStatus::kDelivered) books.delivered.emplace(o.order_id, o);
    }
  }
  return books;
}

TEST(LedgerIntegrationTest, EveryDeliveryIsBookedOnceAndTheBooksSurviveACrash) {
  // A small day played in closed loop: the simulator's couriers deliver what
  // the service plans, so the input topics end up holding a whole day with
  // its deliveries.
  const sim::Topics input = UniqueTopics("ledger");
  {
    sim::RunOptions run;
    run.city.seed = 11;
    run.city.areas = 2;
    run.city.couriers_per_area = 10;
    run.city.orders = 400;
    run.city.malformed_share = 0;
    ASSERT_NO_FATAL_FAILURE(RecordClosedLoopDay("ledger", input, std::move(run)));
  }

  // The recorded day, replayed whole by two fresh instances: one runs
  // through, the other is killed on the way and restarted.
  const sim::Topics clean_topics = RunTopics(input, "clean"), killed_topics = RunTopics(input, "killed");
  ServiceProcess clean("ledger-clean", clean_topics);
  clean.Start();
  ASSERT_TRUE(clean.WaitDrained(300)) << "see " << clean.log_path();
  const double events = clean.Metric("meal_events_total");
  ASSERT_EQ(clean.Stop(), 0);
  const Books clean_books = BooksOf(clean.DumpState());

  ServiceProcess killed("ledger-killed", killed_topics);
  killed.Start();
  // Kill once it is well into the day but not through it.
  const auto deadline = std::chrono::steady_clock::now() + std::chrono::seconds(120);
  double seen = 0;
  while (std::chrono::steady_clock::now() < deadline && (seen = killed.Metric("meal_events_total")) < 0.3 * events) {
  }
  ASSERT_LT(seen, events) << "the run finished before it could be killed";
  killed.Kill();
  killed.Start();
  ASSERT_TRUE(killed.WaitDrained(300)) << "see " << killed.log_path();
  ASSERT_EQ(killed.Stop(), 0);
  const Books killed_books = BooksOf(killed.DumpState());

  // One entry per delivered order, none for any other, priced by the tariff
  // of the category it names (the defaults: every share adds up).
  // The replay decides as the live run did only where the merge order agrees,
  // so some recorded outcomes no longer match a plan and are dead-lettered.
  ASSERT_GT(clean_books.delivered.size(), 30u);
  EXPECT_EQ(clean_books.ledger.size(), clean_books.delivered.size());
  std::map<std::string, std::int64_t> price_per_meal;
  for (const config::TariffConfig& t : config::DefaultTariffs()) {
    if (t.site == "*") price_per_meal[t.category] = t.price_fen;
  }
  for (const auto& [order_id, entry] : clean_books.ledger) {
    ASSERT_TRUE(clean_books.delivered.contains(order_id)) << order_id << " booked but not delivered";
    const Order& order = clean_books.delivered.at(order_id);
    EXPECT_EQ(entry.meals, order.meals);
    EXPECT_EQ(entry.site_id, order.site_id);
    EXPECT_EQ(entry.amount.SharesFen(), entry.amount.price_fen);
    const auto price = price_per_meal.contains(entry.category) ? price_per_meal[entry.category] : price_per_meal["*"];
    EXPECT_EQ(entry.amount.price_fen, price * order.meals) << order_id;
  }
  // The crash changed nothing in the books.
  ASSERT_EQ(killed_books.ledger.size(), clean_books.ledger.size());
  for (const auto& [order_id, entry] : clean_books.ledger) {
    ASSERT_TRUE(killed_books.ledger.contains(order_id)) << order_id;
    const LedgerEntry& other = killed_books.ledger.at(order_id);
    EXPECT_EQ(codec::EncodeLedger(other), codec::EncodeLedger(entry)) << order_id;
  }
  // And the API sums them: the day's total is the sum of the entries.
  std::int64_t government = 0;
  std::set<std::string> dates;
  for (const auto& [id, e] : clean_books.ledger) {
    government += e.amount.government_fen;
    dates.insert(e.service_date);
  }
  ASSERT_EQ(dates.size(), 1u);
  killed.Start();
  const std::string body = killed.Get("/api/v1/ledger?date=" + *dates.begin());
  killed.Stop();
  EXPECT_NE(body.find("\"deliveries\":" + std::to_string(clean_books.ledger.size())), std::string::npos) << body;
  EXPECT_NE(body.find("\"government_fen\":" + std::to_string(government)), std::string::npos) << body;
}

}  // namespace
}  // namespace meal::testing
