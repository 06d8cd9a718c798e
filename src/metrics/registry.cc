#include "metrics/registry.h"

#include <algorithm>
#include <charconv>
#include <cmath>
#include <limits>
#include <stdexcept>
#include <string_view>

namespace meal::metrics {

namespace {

bool IsNameStart(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_';
}
bool IsDigit(char c) { return c >= '0' && c <= '9'; }

bool IsValidMetricName(std::string_view name) {
  if (name.empty() || !(IsNameStart(name[0]) || name[0] == ':')) return false;
  return std::all_of(name.begin(), name.end(),
                     [](char c) { return IsNameStart(c) || IsDigit(c) || c == ':'; });
}

// Names starting with "__" are reserved for Prometheus' own use.
bool IsValidLabelName(std::string_view name) {
  if (name.empty() || !IsNameStart(name[0]) || name.starts_with("__")) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return IsNameStart(c) || IsDigit(c); });
}

// Sorting makes the label order given by callers irrelevant for identity and
// gives the deterministic series order of the rendering.
Labels Canonical(Labels labels, bool is_histogram) {
  std::stable_sort(labels.begin(), labels.end(),
                   [](const auto& a, const auto& b) { return a.first < b.first; });
  for (std::size_t i = 0; i < labels.size(); ++i) {
    const std::string& name = labels[i].first;
    if (!IsValidLabelName(name)) throw std::invalid_argument("invalid label name '" + name + "'");
    if (is_histogram && name == "le") {
      throw std::invalid_argument("label name 'le' is reserved for histogram buckets");
    }
    if (i > 0 && labels[i - 1].first == name) {
      throw std::invalid_argument("label name '" + name + "' given twice");
    }
  }
  return labels;
}

void ValidateBounds(const std::vector<double>& bounds) {
  if (bounds.empty()) throw std::invalid_argument("histogram needs at least one bucket bound");
  for (std::size_t i = 0; i < bounds.size(); ++i) {
    if (!std::isfinite(bounds[i])) {
      throw std::invalid_argument("histogram bounds must be finite (+Inf is implicit)");
    }
    if (i > 0 && !(bounds[i - 1] < bounds[i])) {
      throw std::invalid_argument("histogram bounds must be strictly ascending");
    }
  }
}

// Prometheus spells the special values "+Inf", "-Inf" and "NaN"; everything
// else uses the shortest text that reads back to the same double.
void AppendDouble(std::string& out, double value) {
  if (std::isnan(value)) {
    out += "NaN";
  } else if (std::isinf(value)) {
    out += value > 0 ? "+Inf" : "-Inf";
  } else {
    char buf[32];
    auto result = std::to_chars(buf, buf + sizeof(buf), value);
    out.append(buf, result.ptr);
  }
}

void AppendUint(std::string& out, std::uint64_t value) {
  char buf[24];
  auto result = std::to_chars(buf, buf + sizeof(buf), value);
  out.append(buf, result.ptr);
}

// HELP text escapes backslash and newline; label values also escape '"'.
void AppendEscaped(std::string& out, std::string_view text, bool escape_quote) {
  for (char c : text) {
    if (c == '\\') {
      out += "\\\\";
    } else if (c == '\n') {
      out += "\\n";
    } else if (c == '"' && escape_quote) {
      out += "\\\"";
    } else {
      out += c;
    }
  }
}

// Appends `{a="x",b="y"}` (plus le="..." for a histogram bucket), or nothing
// when there are no labels at all.
void AppendLabels(std::string& out, const Labels& labels, const std::string* le = nullptr) {
  if (labels.empty() && le == nullptr) return;
  out += '{';
  bool first = true;
  for (const auto& [name, value] : labels) {
    if (!first) out += ',';
    first = false;
    out += name;
    out += "=\"";
    AppendEscaped(out, value, /*escape_quote=*/true);
    out += '"';
  }
  if (le != nullptr) {
    if (!first) out += ',';
    out += "le=\"";
    out += *le;
    out += '"';
  }
  out += '}';
}

}  // namespace

// ---------------------------------------------------------------- Histogram

Histogram::Histogram(std::vector<double> bounds)
    : bounds_(std::move(bounds)), buckets_(bounds_.size() + 1) {
  ValidateBounds(bounds_);
}

void Histogram::Observe(double value) {
  if (std::isnan(value)) return;
  // First bound >= value: buckets are inclusive of their upper bound.
  auto it = std::lower_bound(bounds_.begin(), bounds_.end(), value);
  buckets_[static_cast<std::size_t>(it - bounds_.begin())].fetch_add(1, std::memory_order_relaxed);
  sum_.fetch_add(value, std::memory_order_relaxed);
}

std::uint64_t Histogram::Count() const {
  std::uint64_t total = 0;
  for (const auto& bucket : buckets_) total += bucket.load(std::memory_order_relaxed);
  return total;
}

std::vector<std::uint64_t> Histogram::BucketCounts() const {
  std::vector<std::uint64_t> counts;
  counts.reserve(buckets_.size());
  for (const auto& bucket : buckets_) counts.push_back(bucket.load(std::memory_order_relaxed));
  return counts;
}

double Histogram::Quantile(double q) const {
  if (std::isnan(q)) return std::numeric_limits<double>::quiet_NaN();
  // One snapshot, so the rank and the bucket walk agree even while other
  // threads keep observing.
  const std::vector<std::uint64_t> counts = BucketCounts();
  std::uint64_t total = 0;
  for (std::uint64_t c : counts) total += c;
  if (total == 0) return std::numeric_limits<double>::quiet_NaN();

  const double rank = std::clamp(q, 0.0, 1.0) * static_cast<double>(total);
  std::uint64_t below = 0;  // observations in the buckets before i
  for (std::size_t i = 0; i < counts.size(); ++i) {
    // Empty buckets are skipped so that q = 0 lands in the first bucket that
    // holds anything instead of dividing by a zero count.
    if (counts[i] == 0 || static_cast<double>(below + counts[i]) < rank) {
      below += counts[i];
      continue;
    }
    if (i == bounds_.size()) return bounds_.back();  // the +Inf bucket has no width
    const double upper = bounds_[i];
    double lower = 0.0;
    if (i == 0) {
      if (upper <= 0.0) return upper;
    } else {
      lower = bounds_[i - 1];
    }
    const double within = (rank - static_cast<double>(below)) / static_cast<double>(counts[i]);
    return lower + (upper - lower) * within;
  }
  return bounds_.back();  // unreachable: the last non-empty bucket reaches rank <= total
}

std::vector<double> ExponentialBounds(double start, double factor, int count) {
  if (!(start > 0.0) || !(factor > 1.0) || count < 1) {
    throw std::invalid_argument("ExponentialBounds needs start > 0, factor > 1, count >= 1");
  }
  std::vector<double> bounds;
  bounds.reserve(static_cast<std::size_t>(count));
  double bound = start;
  for (int i = 0; i < count; ++i) {
    bounds.push_back(bound);
    bound *= factor;
  }
  return bounds;
}

// ----------------------------------------------------------------- Registry

enum class Registry::Type { kCounter, kGauge, kHistogram };

struct Registry::Family {
  static std::string_view TypeName(Type type) {
    switch (type) {
      case Type::kCounter: return "counter";
      case Type::kGauge: return "gauge";
      case Type::kHistogram: return "histogram";
    }
    return "untyped";
  }

  Type type;
  std::string help;
  // Only the map matching `type` is used. Keys are canonical (sorted) labels,
  // so iteration order is the rendering order.
  std::map<Labels, std::unique_ptr<Counter>> counters;
  std::map<Labels, std::unique_ptr<Gauge>> gauges;
  std::map<Labels, std::unique_ptr<Histogram>> histograms;
};

Registry::Registry() = default;
Registry::~Registry() = default;

Registry::Family& Registry::FamilyFor(std::string name, std::string help, Type type) {
  if (!IsValidMetricName(name)) throw std::invalid_argument("invalid metric name '" + name + "'");
  auto it = families_.find(name);
  if (it == families_.end()) {
    auto family = std::make_unique<Family>();
    family->type = type;
    family->help = std::move(help);
    it = families_.emplace(std::move(name), std::move(family)).first;
  } else if (it->second->type != type) {
    throw std::logic_error("metric '" + it->first + "' is a " +
                           std::string(Family::TypeName(it->second->type)) + ", not a " +
                           std::string(Family::TypeName(type)));
  }
  return *it->second;
}

Counter& Registry::GetCounter(std::string name, std::string help, Labels labels) {
  labels = Canonical(std::move(labels), /*is_histogram=*/false);
  std::lock_guard lock(mu_);
  Family& family = FamilyFor(std::move(name), std::move(help), Type::kCounter);
  auto& slot = family.counters[std::move(labels)];
  if (!slot) slot = std::make_unique<Counter>();
  return *slot;
}

Gauge& Registry::GetGauge(std::string name, std::string help, Labels labels) {
  labels = Canonical(std::move(labels), /*is_histogram=*/false);
  std::lock_guard lock(mu_);
  Family& family = FamilyFor(std::move(name), std::move(help), Type::kGauge);
  auto& slot = family.gauges[std::move(labels)];
  if (!slot) slot = std::make_unique<Gauge>();
  return *slot;
}

void Registry::RemoveGauge(const std::string& name, Labels labels) {
  labels = Canonical(std::move(labels), /*is_histogram=*/false);
  std::lock_guard lock(mu_);
  auto family = families_.find(name);
  if (family != families_.end()) family->second->gauges.erase(labels);
}

Histogram& Registry::GetHistogram(std::string name, std::string help, std::vector<double> bounds,
                                  Labels labels) {
  labels = Canonical(std::move(labels), /*is_histogram=*/true);
  ValidateBounds(bounds);
  std::lock_guard lock(mu_);
  Family& family = FamilyFor(std::move(name), std::move(help), Type::kHistogram);
  auto it = family.histograms.find(labels);
  if (it != family.histograms.end()) {
    if (it->second->bounds() != bounds) {
      throw std::logic_error("histogram series registered again with different bounds");
    }
    return *it->second;
  }
  auto histogram = std::make_unique<Histogram>(std::move(bounds));
  return *family.histograms.emplace(std::move(labels), std::move(histogram)).first->second;
}

std::string Registry::RenderPrometheus() const {
  std::string out;
  std::lock_guard lock(mu_);
  for (const auto& [name, family] : families_) {
    out += "# HELP ";
    out += name;
    if (!family->help.empty()) {
      out += ' ';
      AppendEscaped(out, family->help, /*escape_quote=*/false);
    }
    out += "\n# TYPE ";
    out += name;
    out += ' ';
    out += Family::TypeName(family->type);
    out += '\n';

    for (const auto& [labels, counter] : family->counters) {
      out += name;
      AppendLabels(out, labels);
      out += ' ';
      AppendUint(out, counter->Value());
      out += '\n';
    }
    for (const auto& [labels, gauge] : family->gauges) {
      out += name;
      AppendLabels(out, labels);
      out += ' ';
      AppendDouble(out, gauge->Value());
      out += '\n';
    }
    for (const auto& [labels, histogram] : family->histograms) {
      // _count is taken from the same snapshot as the buckets so that it
      // always equals the +Inf bucket, as Prometheus expects.
      const std::vector<std::uint64_t> counts = histogram->BucketCounts();
      const std::vector<double>& bounds = histogram->bounds();
      std::uint64_t cumulative = 0;
      std::string le;
      for (std::size_t i = 0; i < counts.size(); ++i) {
        cumulative += counts[i];
        le.clear();
        AppendDouble(le, i < bounds.size() ? bounds[i] : std::numeric_limits<double>::infinity());
        out += name;
        out += "_bucket";
        AppendLabels(out, labels, &le);
        out += ' ';
        AppendUint(out, cumulative);
        out += '\n';
      }
      out += name;
      out += "_sum";
      AppendLabels(out, labels);
      out += ' ';
      AppendDouble(out, histogram->Sum());
      out += '\n';
      out += name;
      out += "_count";
      AppendLabels(out, labels);
      out += ' ';
      AppendUint(out, cumulative);
      out += '\n';
    }
  }
  return out;
}

}  // namespace meal::metrics
