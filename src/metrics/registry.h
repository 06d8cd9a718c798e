// Process-wide metrics: counters, gauges and histograms, and their rendering
// in the Prometheus text exposition format (version 0.0.4).
//
// Updating a metric is lock-free (relaxed atomics), so the event loop may do
// it per event. Looking a metric up in the Registry takes a mutex and may
// allocate: a hot-path caller looks its metrics up once at start-up and keeps
// the reference. References returned by the Registry stay valid for the
// Registry's lifetime.
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <utility>
#include <vector>

namespace meal::metrics {

// Label (name, value) pairs identifying one series within a family. The
// order given does not matter: the Registry sorts them by name, so
// {{"a","1"},{"b","2"}} and {{"b","2"},{"a","1"}} are the same series.
using Labels = std::vector<std::pair<std::string, std::string>>;

// Separate cache lines keep counters that different threads update from
// slowing each other down (false sharing).
inline constexpr std::size_t kCacheLineBytes = 64;

// A monotonically increasing count. Thread-safe; Inc is lock-free.
class alignas(kCacheLineBytes) Counter {
 public:
  Counter() = default;
  Counter(const Counter&) = delete;
  Counter& operator=(const Counter&) = delete;

  void Inc(std::uint64_t n = 1) { value_.fetch_add(n, std::memory_order_relaxed); }
  std::uint64_t Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<std::uint64_t> value_{0};
};

// A value that goes up and down. Thread-safe; Set and Add are lock-free.
class alignas(kCacheLineBytes) Gauge {
 public:
  Gauge() = default;
  Gauge(const Gauge&) = delete;
  Gauge& operator=(const Gauge&) = delete;

  void Set(double value) { value_.store(value, std::memory_order_relaxed); }
  // `delta` may be negative.
  void Add(double delta) { value_.fetch_add(delta, std::memory_order_relaxed); }
  double Value() const { return value_.load(std::memory_order_relaxed); }

 private:
  std::atomic<double> value_{0.0};
};

// Counts observations into buckets with fixed upper bounds, Prometheus style:
// bucket i holds values v with bounds[i-1] < v <= bounds[i], and a last,
// implicit bucket holds everything above bounds.back() (le="+Inf").
// Thread-safe; Observe is lock-free. Readers running concurrently with
// Observe may see a Sum() that lags the bucket counts by a few observations.
class Histogram {
 public:
  // REQUIRES: `bounds` non-empty, finite and strictly ascending (+Inf is
  // implicit). Throws std::invalid_argument otherwise.
  explicit Histogram(std::vector<double> bounds);
  Histogram(const Histogram&) = delete;
  Histogram& operator=(const Histogram&) = delete;

  // NaN is ignored (it would poison Sum() forever).
  void Observe(double value);

  // Number of observations (equals the +Inf bucket's cumulative count).
  std::uint64_t Count() const;
  double Sum() const { return sum_.load(std::memory_order_relaxed); }

  // Estimates the q-quantile (q in [0, 1], clamped) by linear interpolation
  // within the bucket that holds it, as Prometheus' histogram_quantile does:
  // the first bucket's lower edge is 0 if bounds[0] > 0 (else bounds[0] is
  // returned), and a quantile falling into the +Inf bucket is reported as
  // bounds.back(). Returns NaN when there are no observations.
  double Quantile(double q) const;

  const std::vector<double>& bounds() const { return bounds_; }
  // Per-bucket (not cumulative) counts; bounds().size() + 1 entries, the last
  // being the +Inf bucket.
  std::vector<std::uint64_t> BucketCounts() const;

 private:
  std::vector<double> bounds_;
  std::vector<std::atomic<std::uint64_t>> buckets_;  // bounds_.size() + 1
  std::atomic<double> sum_{0.0};
};

// Bounds start, start*factor, ..., `count` of them; handy for latencies.
// REQUIRES: start > 0, factor > 1, count >= 1 (throws std::invalid_argument).
std::vector<double> ExponentialBounds(double start, double factor, int count);

// Owns every metric and renders them. All member functions are thread-safe.
//
// A metric family is identified by its name and has one type and one help
// text (the first registration's help wins). Within a family, each distinct
// label set is one series.
class Registry {
 public:
  Registry();
  ~Registry();
  Registry(const Registry&) = delete;
  Registry& operator=(const Registry&) = delete;

  // Returns the series `name`{labels}, creating it (value 0) on first use;
  // the same name and labels always yield the same object.
  // Throws std::invalid_argument if the metric or a label name is not a valid
  // Prometheus name (names `[a-zA-Z_:][a-zA-Z0-9_:]*`, label names
  // `[a-zA-Z_][a-zA-Z0-9_]*` not starting with "__") or a label name repeats;
  // throws std::logic_error if `name` is already registered with another type.
  Counter& GetCounter(std::string name, std::string help, Labels labels = {});
  Gauge& GetGauge(std::string name, std::string help, Labels labels = {});
  // As above; additionally "le" is not allowed as a label name, `bounds` must
  // be valid for Histogram, and an existing series must have been created
  // with the same bounds (std::logic_error otherwise).
  Histogram& GetHistogram(std::string name, std::string help, std::vector<double> bounds,
                          Labels labels = {});

  // Drops the gauge series `name`{labels}, if any: a series about something
  // gone (a partition handed to another instance) must not linger with its
  // last value. REQUIRES: nobody holds a reference to it.
  void RemoveGauge(const std::string& name, Labels labels);

  // Prometheus text format 0.0.4: per family (in name order) one # HELP and
  // one # TYPE line, then its series in label order; so the output is
  // deterministic for a given state. Serve it as
  // "text/plain; version=0.0.4; charset=utf-8".
  std::string RenderPrometheus() const;

 private:
  enum class Type;
  struct Family;
  // REQUIRES: mu_ held.
  Family& FamilyFor(std::string name, std::string help, Type type);

  mutable std::mutex mu_;
  std::map<std::string, std::unique_ptr<Family>> families_;  // GUARDED_BY(mu_)
};

}  // namespace meal::metrics
