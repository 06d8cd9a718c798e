#include "metrics/registry.h"

#include <cmath>
#include <stdexcept>
#include <string>
#include <thread>
#include <vector>

#include <gtest/gtest.h>

namespace meal::metrics {
namespace {

TEST(RegistryTest, RendersWholeExpositionDeterministically) {
  Registry registry;
  // Registered out of name order, with labels out of order, to show the
  // rendering sorts families, series and labels.
  registry
      .GetCounter("meal_events_total", "Events applied.", {{"topic", "orders"}, {"area", "north"}})
      .Inc(3);
  registry
      .GetCounter("meal_events_total", "Events applied.",
                  {{"area", "a\\b \"q\"\nz"}, {"topic", "orders"}})
      .Inc();
  registry.GetGauge("meal_consumer_lag", "Records behind.\nPer \\ partition.").Set(12.5);
  Histogram& latency = registry.GetHistogram("meal_decision_seconds", "Decision latency \"wall\".",
                                             {0.25, 1, 2}, {{"area", "north"}});
  latency.Observe(0.25);  // a bound belongs to its own bucket (le = less or equal)
  latency.Observe(0.5);
  latency.Observe(0.5);
  latency.Observe(4);

  const std::string expected =
      "# HELP meal_consumer_lag Records behind.\\nPer \\\\ partition.\n"
      "# TYPE meal_consumer_lag gauge\n"
      "meal_consumer_lag 12.5\n"
      "# HELP meal_decision_seconds Decision latency \"wall\".\n"
      "# TYPE meal_decision_seconds histogram\n"
      "meal_decision_seconds_bucket{area=\"north\",le=\"0.25\"} 1\n"
      "meal_decision_seconds_bucket{area=\"north\",le=\"1\"} 3\n"
      "meal_decision_seconds_bucket{area=\"north\",le=\"2\"} 3\n"
      "meal_decision_seconds_bucket{area=\"north\",le=\"+Inf\"} 4\n"
      "meal_decision_seconds_sum{area=\"north\"} 5.25\n"
      "meal_decision_seconds_count{area=\"north\"} 4\n"
      "# HELP meal_events_total Events applied.\n"
      "# TYPE meal_events_total counter\n"
      "meal_events_total{area=\"a\\\\b \\\"q\\\"\\nz\",topic=\"orders\"} 1\n"
      "meal_events_total{area=\"north\",topic=\"orders\"} 3\n";
  EXPECT_EQ(registry.RenderPrometheus(), expected);
  EXPECT_EQ(registry.RenderPrometheus(), expected);  // rendering does not change state
}

TEST(RegistryTest, RendersSpecialGaugeValues) {
  Registry registry;
  registry.GetGauge("g", "").Set(std::nan(""));
  registry.GetGauge("g", "", {{"k", "inf"}}).Set(INFINITY);
  registry.GetGauge("g", "", {{"k", "small"}}).Set(1e-7);
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP g\n"
            "# TYPE g gauge\n"
            "g NaN\n"
            "g{k=\"inf\"} +Inf\n"
            "g{k=\"small\"} 1e-07\n");
}

TEST(RegistryTest, SameNameAndLabelsReturnSameObject) {
  Registry registry;
  Counter& a = registry.GetCounter("c_total", "help", {{"x", "1"}, {"y", "2"}});
  Counter& b = registry.GetCounter("c_total", "other help is ignored", {{"y", "2"}, {"x", "1"}});
  Counter& c = registry.GetCounter("c_total", "help", {{"x", "1"}, {"y", "3"}});
  EXPECT_EQ(&a, &b);
  EXPECT_NE(&a, &c);
  Histogram& h1 = registry.GetHistogram("h", "help", {1, 2});
  Histogram& h2 = registry.GetHistogram("h", "help", {1, 2});
  EXPECT_EQ(&h1, &h2);
}

TEST(RegistryTest, ARemovedGaugeSeriesIsNoLongerRendered) {
  Registry registry;
  registry.GetGauge("lag", "records behind", {{"partition", "0"}}).Set(5);
  registry.GetGauge("lag", "records behind", {{"partition", "1"}}).Set(7);
  registry.RemoveGauge("lag", {{"partition", "0"}});
  registry.RemoveGauge("absent", {});
  EXPECT_EQ(registry.RenderPrometheus(),
            "# HELP lag records behind\n"
            "# TYPE lag gauge\n"
            "lag{partition=\"1\"} 7\n");
  EXPECT_EQ(registry.GetGauge("lag", "records behind", {{"partition", "0"}}).Value(), 0.0);
}

TEST(RegistryTest, ReferencesSurviveManyRegistrations) {
  Registry registry;
  Counter& first = registry.GetCounter("first_total", "");
  first.Inc();
  for (int i = 0; i < 1000; ++i) {
    registry.GetCounter("other_total", "", {{"i", std::to_string(i)}}).Inc();
  }
  first.Inc();
  EXPECT_EQ(first.Value(), 2u);
  EXPECT_EQ(&first, &registry.GetCounter("first_total", ""));
}

TEST(RegistryTest, TypeClashThrows) {
  Registry registry;
  registry.GetCounter("meal_things", "");
  EXPECT_THROW(registry.GetGauge("meal_things", ""), std::logic_error);
  EXPECT_THROW(registry.GetHistogram("meal_things", "", {1}), std::logic_error);
  registry.GetHistogram("meal_hist", "", {1, 2});
  EXPECT_THROW(registry.GetCounter("meal_hist", ""), std::logic_error);
  EXPECT_THROW(registry.GetHistogram("meal_hist", "", {1, 3}), std::logic_error);
}

TEST(RegistryTest, InvalidNamesThrow) {
  Registry registry;
  EXPECT_THROW(registry.GetCounter("", ""), std::invalid_argument);
  EXPECT_THROW(registry.GetCounter("9lives", ""), std::invalid_argument);
  EXPECT_THROW(registry.GetCounter("has-dash", ""), std::invalid_argument);
  EXPECT_THROW(registry.GetCounter("ok", "", {{"bad-label", "v"}}), std::invalid_argument);
  EXPECT_THROW(registry.GetCounter("ok", "", {{"__reserved", "v"}}), std::invalid_argument);
  EXPECT_THROW(registry.GetCounter("ok", "", {{"a", "1"}, {"a", "2"}}), std::invalid_argument);
  EXPECT_THROW(registry.GetHistogram("h", "", {1}, {{"le", "1"}}), std::invalid_argument);
  EXPECT_THROW(registry.GetHistogram("h", "", {}), std::invalid_argument);
  EXPECT_THROW(registry.GetHistogram("h", "", {2, 1}), std::invalid_argument);
  EXPECT_THROW(registry.GetHistogram("h", "", {1, INFINITY}), std::invalid_argument);
  EXPECT_NO_THROW(registry.GetCounter("ns:sub_total", "", {{"_x", ""}}));
  // A failed registration leaves nothing behind.
  EXPECT_EQ(registry.RenderPrometheus(), "# HELP ns:sub_total\n# TYPE ns:sub_total counter\n"
                                         "ns:sub_total{_x=\"\"} 0\n");
}

TEST(GaugeTest, SetAndAdd) {
  Gauge gauge;
  gauge.Set(2.5);
  gauge.Add(1);
  gauge.Add(-4);
  EXPECT_DOUBLE_EQ(gauge.Value(), -0.5);
}

TEST(HistogramTest, QuantilesOfUniformData) {
  Histogram histogram({1, 2, 5, 10, 25, 50, 100, 250});
  for (int v = 1; v <= 100; ++v) histogram.Observe(v);
  EXPECT_EQ(histogram.Count(), 100u);
  EXPECT_DOUBLE_EQ(histogram.Sum(), 5050);
  // Uniform data makes interpolation within a bucket nearly exact.
  constexpr double kTolerance = 0.5;
  EXPECT_NEAR(histogram.Quantile(0.5), 50, kTolerance);
  EXPECT_NEAR(histogram.Quantile(0.9), 90, kTolerance);
  EXPECT_NEAR(histogram.Quantile(0.99), 99, kTolerance);
  EXPECT_NEAR(histogram.Quantile(0.2), 20, kTolerance);
  EXPECT_NEAR(histogram.Quantile(1.0), 100, kTolerance);
  EXPECT_EQ(histogram.BucketCounts(), (std::vector<std::uint64_t>{1, 1, 3, 5, 15, 25, 50, 0, 0}));
}

TEST(HistogramTest, QuantileEdgeCases) {
  Histogram histogram({10, 20});
  EXPECT_TRUE(std::isnan(histogram.Quantile(0.5)));  // no data
  histogram.Observe(15);
  histogram.Observe(1000);  // beyond the last bound
  // q = 0 lands at the start of the first non-empty bucket, not in the empty first one.
  EXPECT_DOUBLE_EQ(histogram.Quantile(0.0), 10);
  EXPECT_DOUBLE_EQ(histogram.Quantile(0.5), 20);
  // The +Inf bucket has no width: report the highest finite bound.
  EXPECT_DOUBLE_EQ(histogram.Quantile(0.99), 20);
  EXPECT_DOUBLE_EQ(histogram.Quantile(7), 20);  // clamped to 1
  histogram.Observe(std::nan(""));              // ignored
  EXPECT_EQ(histogram.Count(), 2u);
  EXPECT_DOUBLE_EQ(histogram.Sum(), 1015);

  Histogram negative({-1, 0, 1});
  negative.Observe(-5);
  EXPECT_DOUBLE_EQ(negative.Quantile(0.5), -1);  // lowest bucket <= 0: its upper bound
}

TEST(HistogramTest, ExponentialBounds) {
  EXPECT_EQ(ExponentialBounds(0.25, 2, 4), (std::vector<double>{0.25, 0.5, 1, 2}));
  EXPECT_THROW(ExponentialBounds(0, 2, 3), std::invalid_argument);
  EXPECT_THROW(ExponentialBounds(1, 1, 3), std::invalid_argument);
  EXPECT_THROW(ExponentialBounds(1, 2, 0), std::invalid_argument);
}

TEST(ConcurrencyTest, IncrementsFromTwoThreadsSumExactly) {
  Registry registry;
  Counter& counter = registry.GetCounter("meal_events_total", "");
  Histogram& histogram = registry.GetHistogram("meal_latency_seconds", "", {0.5, 1});
  Gauge& gauge = registry.GetGauge("meal_gauge", "");
  constexpr int kPerThread = 200'000;
  auto work = [&] {
    for (int i = 0; i < kPerThread; ++i) {
      counter.Inc();
      histogram.Observe(1.0);
      gauge.Add(1.0);
      // Registration racing with updates and rendering must be safe, too.
      if (i % 10'000 == 0) {
        registry.GetCounter("meal_events_total", "").Inc(2);
        (void)registry.RenderPrometheus();
      }
    }
  };
  std::thread a(work);
  std::thread b(work);
  a.join();
  b.join();
  const std::uint64_t extra = 2 * 2 * (kPerThread / 10'000);
  EXPECT_EQ(counter.Value(), 2u * kPerThread + extra);
  EXPECT_EQ(histogram.Count(), 2u * kPerThread);
  EXPECT_DOUBLE_EQ(histogram.Sum(), 2.0 * kPerThread);
  EXPECT_DOUBLE_EQ(gauge.Value(), 2.0 * kPerThread);
}

}  // namespace
}  // namespace meal::metrics
