#include "routing/solver/ruin.h"

#include <algorithm>
#include <cmath>

namespace meal::routing::solver {

namespace {

// Drops the customers flagged in `drop` (node positions of route r) and their
// Li & Lim partners, collecting requests.
void Compact(const Problem& p, Solution& s, int r, std::vector<char>& drop, std::vector<int>* removed) {
  std::vector<int>& nd = s.routes[r].nodes;
  const int m = static_cast<int>(nd.size());
  if (p.pickup_delivery) {
    for (int k = 1; k + 1 < m; ++k) {
      if (drop[k]) drop[s.pos_of[p.partner[nd[k]]]] = 1;
    }
  }
  int w = 1;
  for (int k = 1; k + 1 < m; ++k) {
    const int c = nd[k];
    if (drop[k]) {
      drop[k] = 0;
      s.route_of[c] = -1;
      s.pos_of[c] = -1;
      if (!p.pickup_delivery || p.IsPickup(c)) removed->push_back(c);
    } else {
      nd[w++] = c;
    }
  }
  nd[w++] = 0;
  nd.resize(w);
  s.Rebuild(p, r);
}

}  // namespace

void RuinStrings(const Problem& p, const RuinParams& params, Solution& s, Rng& rng, std::vector<int>* removed,
                 std::vector<int>* touched) {
  int used = 0;
  int assigned = 0;
  for (const Route& rt : s.routes) {
    if (rt.Empty()) continue;
    ++used;
    assigned += rt.Size();
  }
  if (used == 0) return;
  const double avg_size = static_cast<double>(assigned) / used;
  const double ls_max = std::min<double>(params.max_string, avg_size);
  const double ks_max = 4 * params.average_removed / (1 + ls_max) - 1;
  const int ks = static_cast<int>(rng.Unit() * std::max(1.0, ks_max)) + 1;

  // A random customer on a route; the walk along its neighbours picks routes.
  int seed = -1;
  for (int tries = 0; tries < 64 && seed < 0; ++tries) {
    const int c = 1 + rng.Below(p.NumCustomers());
    if (s.route_of[c] >= 0) seed = c;
  }
  if (seed < 0) return;

  static thread_local std::vector<char> drop;
  static thread_local std::vector<char> ruined;
  drop.assign(static_cast<std::size_t>(p.num_nodes) + 2, 0);
  ruined.assign(s.routes.size(), 0);
  int ruined_count = 0;
  const int* adj = p.Neighbors(seed);
  for (int i = 0; i < p.NumCustomers() && ruined_count < ks; ++i) {
    const int c = adj[i];
    const int r = s.route_of[c];
    if (r < 0 || ruined[r]) continue;
    const int m = s.routes[r].Size();
    const int l_max = static_cast<int>(std::min<double>(m, ls_max));
    const int l = 1 + rng.Below(std::max(1, l_max));
    const int pos = s.pos_of[c];  // 1..m
    if (l < m && rng.Unit() < params.split_rate) {
      // Split string: a string of l + keep customers around c, of which a
      // consecutive run of `keep` stays on the route.
      int keep = 1;
      while (l + keep < m && rng.Unit() < params.split_depth) ++keep;
      const int len = l + keep;
      const int lo = std::max(1, pos - len + 1);
      const int hi = std::min(pos, m - len + 1);
      const int first = lo + rng.Below(hi - lo + 1);
      const int keep_at = first + rng.Below(l + 1);
      for (int k = first; k < first + len; ++k) {
        if (k < keep_at || k >= keep_at + keep) drop[k] = 1;
      }
    } else {
      const int lo = std::max(1, pos - l + 1);
      const int hi = std::min(pos, m - l + 1);
      const int first = lo + rng.Below(hi - lo + 1);
      for (int k = first; k < first + l; ++k) drop[k] = 1;
    }
    ruined[r] = 1;
    ++ruined_count;
    Compact(p, s, r, drop, removed);
    touched->push_back(r);
  }
}

void RemoveRoute(const Problem& p, Solution& s, int r, std::vector<int>* removed, std::vector<int>* touched) {
  static thread_local std::vector<char> drop;
  drop.assign(static_cast<std::size_t>(p.num_nodes) + 2, 0);
  const int m = s.routes[r].Size();
  for (int k = 1; k <= m; ++k) drop[k] = 1;
  Compact(p, s, r, drop, removed);
  touched->push_back(r);
}

}  // namespace meal::routing::solver
