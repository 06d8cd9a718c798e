// A small deterministic random number generator for the simulator and the
// routing solver.
//
// The standard distributions (std::uniform_int_distribution and friends) are
// implementation-defined, so the same seed could give different cities on
// different standard libraries. Everything here is spelled out: xoshiro256**
// seeded through SplitMix64, and distributions written in plain arithmetic.
// Not thread-safe; cheap to copy.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <string_view>

namespace meal {

// One step of SplitMix64: advances *state and returns a well-mixed word.
inline std::uint64_t SplitMix64(std::uint64_t* state) {
  std::uint64_t z = (*state += 0x9E3779B97F4A7C15ull);
  z = (z ^ (z >> 30)) * 0xBF58476D1CE4E5B9ull;
  z = (z ^ (z >> 27)) * 0x94D049BB133111EBull;
  return z ^ (z >> 31);
}

// Derives an independent seed for one purpose (`stream`) from a user seed, so
// that e.g. changing the order count does not reshuffle the registry.
inline std::uint64_t DeriveSeed(std::uint64_t seed, std::uint64_t stream) {
  std::uint64_t s = seed ^ (stream * 0xD1B54A32D192ED03ull);
  SplitMix64(&s);
  return SplitMix64(&s);
}

// A stable 64-bit hash of `text` under `seed` (FNV-1a, then mixed). Used where
// an outcome must depend only on an id, not on the order of calls.
inline std::uint64_t HashId(std::uint64_t seed, std::string_view text) {
  std::uint64_t h = 0xCBF29CE484222325ull ^ seed;
  for (unsigned char c : text) {
    h ^= c;
    h *= 0x100000001B3ull;
  }
  return SplitMix64(&h);
}

// Maps a 64-bit word to [0, 1) with 53 bits of precision.
inline double ToUnit(std::uint64_t word) {
  return static_cast<double>(word >> 11) * 0x1.0p-53;
}

class Rng {
 public:
  explicit Rng(std::uint64_t seed) {
    std::uint64_t s = seed;
    for (std::uint64_t& word : state_) word = SplitMix64(&s);
  }

  // The next raw 64-bit word (xoshiro256**).
  std::uint64_t Next() {
    const std::uint64_t result = Rotl(state_[1] * 5, 7) * 9;
    const std::uint64_t t = state_[1] << 17;
    state_[2] ^= state_[0];
    state_[3] ^= state_[1];
    state_[1] ^= state_[2];
    state_[0] ^= state_[3];
    state_[2] ^= t;
    state_[3] = Rotl(state_[3], 45);
    return result;
  }

  // Uniform in [0, 1).
  double Unit() { return ToUnit(Next()); }

  // Uniform integer in [0, n), by multiply-shift (a bias below 2^-32 is fine
  // for search heuristics, and it needs no loop). REQUIRES: 0 < n < 2^32.
  int Below(int n) { return static_cast<int>(((Next() >> 32) * static_cast<std::uint64_t>(n)) >> 32); }

  // Uniform in [lo, hi).
  double Uniform(double lo, double hi) { return lo + (hi - lo) * Unit(); }

  // Uniform integer in [lo, hi], both inclusive, without modulo bias.
  // REQUIRES: lo <= hi.
  std::int64_t UniformInt(std::int64_t lo, std::int64_t hi) {
    const std::uint64_t range = static_cast<std::uint64_t>(hi) - static_cast<std::uint64_t>(lo) + 1;
    if (range == 0) return static_cast<std::int64_t>(Next());  // the full 64-bit range
    const std::uint64_t threshold = (0 - range) % range;
    std::uint64_t r = Next();
    while (r < threshold) r = Next();
    return static_cast<std::int64_t>(static_cast<std::uint64_t>(lo) + r % range);
  }

  // True with probability p.
  bool Chance(double p) { return Unit() < p; }

  // An index drawn with probability proportional to its weight.
  // REQUIRES: at least one weight, all >= 0, sum > 0.
  std::size_t Pick(std::initializer_list<double> weights) {
    double total = 0;
    for (double w : weights) total += w;
    double x = Unit() * total;
    std::size_t i = 0;
    for (double w : weights) {
      if (x < w) return i;
      x -= w;
      ++i;
    }
    return weights.size() - 1;  // rounding left x just above the last edge
  }

 private:
  static std::uint64_t Rotl(std::uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
  std::uint64_t state_[4];
};

}  // namespace meal
