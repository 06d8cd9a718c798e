#include "routing/vrp_checker.h"

#include <algorithm>
#include <cmath>
#include <cstdarg>
#include <cstddef>
#include <cstdio>
#include <string>
#include <vector>

namespace meal::routing {
namespace {

// Times are sums of unrounded square roots, so an arrival that is exactly on
// time in real arithmetic can come out a few ulps late in doubles (published
// best-known routes often start service exactly at a due time). 1e-6 is many
// orders of magnitude above that rounding noise (~1e-12 on horizons of a few
// thousand) and far below any real lateness, as the files' times are
// integers.
constexpr double kTimeEps = 1e-6;

__attribute__((format(printf, 1, 2))) std::string Printf(const char* format, ...) {
  char buffer[512];
  va_list args;
  va_start(args, format);
  std::vsnprintf(buffer, sizeof(buffer), format, args);
  va_end(args);
  return buffer;
}

// Spelled as the benchmark README defines it, not std::hypot, whose extra
// care can differ from it in the last bit.
double Dist(const VrpNode& a, const VrpNode& b) {
  const double dx = a.x - b.x;
  const double dy = a.y - b.y;
  return std::sqrt(dx * dx + dy * dy);
}

// Where a customer is first served; route -1 when nowhere.
struct Visit {
  int route = -1;
  int position = -1;
  int count = 0;
};

}  // namespace

CheckReport CheckSolution(const VrpInstance& instance, const VrpSolution& solution) {
  CheckReport report;
  std::vector<std::string>& out = report.violations;
  const int n = static_cast<int>(instance.nodes.size());
  if (n == 0) {
    out.push_back("the instance has no nodes (no depot)");
    return report;
  }
  for (int i = 0; i < n; ++i) {
    if (instance.nodes[i].id != i) {
      out.push_back(Printf("malformed instance: nodes[%d] has id %d", i, instance.nodes[i].id));
    }
  }
  const VrpNode& depot = instance.nodes[0];
  const int routes = static_cast<int>(solution.routes.size());
  const auto valid = [n](int id) { return id >= 1 && id < n; };

  // First pass: where each customer is served, so the pairing check can tell
  // "pickup later on this route" from "pickup on another route".
  std::vector<Visit> visits(n);
  for (int r = 0; r < routes; ++r) {
    const std::vector<int>& route = solution.routes[r];
    for (int p = 0; p < static_cast<int>(route.size()); ++p) {
      const int id = route[p];
      if (!valid(id)) continue;
      Visit& v = visits[id];
      if (v.count++ == 0) {
        v.route = r;
        v.position = p;
      }
    }
  }

  for (int r = 0; r < routes; ++r) {
    const std::vector<int>& route = solution.routes[r];
    if (route.empty()) continue;
    ++report.vehicles;
    const int label = r + 1;  // as in the .sol files
    const VrpNode* prev = &depot;
    double time = depot.ready;
    long long load = 0;  // wide enough for any sum of int demands on a route
    bool capacity_reported = false;
    std::vector<bool> picked(n, false);  // pickups already served on this route

    for (int p = 0; p < static_cast<int>(route.size()); ++p) {
      const int id = route[p];
      if (id == 0) {
        out.push_back(Printf("route %d, position %d: the depot (0) inside a route", label, p + 1));
        continue;
      }
      if (!valid(id)) {
        out.push_back(Printf("route %d, position %d: node id %d out of range 1..%d", label, p + 1, id, n - 1));
        continue;
      }
      const VrpNode& node = instance.nodes[id];
      const double leg = Dist(*prev, node);
      report.distance += leg;
      const double arrival = time + leg;
      const double start = std::max(arrival, node.ready);
      if (start > node.due + kTimeEps) {
        out.push_back(Printf("route %d: customer %d starts service at %.4f, after its due time %.4f", label, id,
                             start, node.due));
      }
      time = start + node.service;
      prev = &node;

      bool counts_for_load = true;
      if (instance.pickup_delivery && node.pickup != 0) {
        const int pickup = node.pickup;
        if (pickup >= 1 && pickup < n && picked[pickup]) {
          // The pair is whole: pickup earlier on this route.
        } else if (pickup >= 1 && pickup < n && visits[pickup].route == r) {
          out.push_back(Printf("route %d: delivery %d comes before its pickup %d", label, id, pickup));
          counts_for_load = false;
        } else if (pickup >= 1 && pickup < n && visits[pickup].route >= 0) {
          out.push_back(Printf("route %d: delivery %d is on another route than its pickup %d (route %d)", label, id,
                               pickup, visits[pickup].route + 1));
          counts_for_load = false;
        } else {
          // Pickup not served at all: reported below as a missing customer.
          counts_for_load = false;
        }
      }
      if (instance.pickup_delivery && node.delivery != 0) picked[id] = true;
      if (counts_for_load) load += node.demand;
      if (instance.pickup_delivery && !capacity_reported) {
        if (load > instance.capacity) {
          out.push_back(Printf("route %d: load %lld after customer %d exceeds the capacity %d", label, load, id,
                               instance.capacity));
          capacity_reported = true;
        } else if (load < 0) {
          out.push_back(Printf("route %d: load %lld after customer %d is below 0", label, load, id));
          capacity_reported = true;
        }
      }
    }
    if (!instance.pickup_delivery && load > instance.capacity) {
      out.push_back(Printf("route %d: total demand %lld exceeds the capacity %d", label, load, instance.capacity));
    }
    const double leg = Dist(*prev, depot);
    report.distance += leg;
    const double back = time + leg;
    if (back > depot.due + kTimeEps) {
      out.push_back(Printf("route %d: back at the depot at %.4f, after the depot's due time %.4f", label, back,
                           depot.due));
    }
  }

  for (int id = 1; id < n; ++id) {
    if (visits[id].count == 0) {
      out.push_back(Printf("customer %d is not served", id));
    } else if (visits[id].count > 1) {
      out.push_back(Printf("customer %d is served %d times", id, visits[id].count));
    }
  }
  if (report.vehicles > instance.vehicles) {
    out.push_back(Printf("%d vehicles used, the fleet has %d", report.vehicles, instance.vehicles));
  }
  report.feasible = out.empty();
  return report;
}

}  // namespace meal::routing
