// Rng: the random stream of one synthetic person.
//
// Every person draws from streams derived from (seed, person index, purpose)
// alone, so what a person looks like never depends on the order people are
// generated in, on batch sizes or on the number of threads. The generator is
// SplitMix64 (a Weyl sequence through a 64-bit finaliser): tiny state, fast,
// and good enough statistically for synthetic data. Not for cryptography.
//
// Thread-safety: a value type; one Rng per thread.
#pragma once

#include <cmath>
#include <cstdint>
#include <iterator>
#include <cstddef>

namespace hdhub::synth {

// The 64-bit finaliser of SplitMix64: a bijection that spreads every input bit.
constexpr uint64_t Mix64(uint64_t x) {
  x ^= x >> 30;
  x *= 0xbf58476d1ce4e5b9ULL;
  x ^= x >> 27;
  x *= 0x94d049bb133111ebULL;
  x ^= x >> 31;
  return x;
}

// What a stream is used for: independent streams for independent decisions.
enum class Stream : uint64_t {
  kIdentity = 1,  // sex, birth, residence, birthplace, opt-out (sequential pass)
  kLife = 2,      // death, conditions, care
};

class Rng {
 public:
  Rng(uint64_t seed, uint64_t person, Stream stream)
      : state_(Mix64(Mix64(seed ^ 0x6a09e667f3bcc909ULL) + person * kGolden + static_cast<uint64_t>(stream))) {}

  uint64_t Next() {
    state_ += kGolden;
    return Mix64(state_);
  }

  // Uniform in [0, 1) with 53 random bits.
  double Uniform() { return static_cast<double>(Next() >> 11) * 0x1.0p-53; }

  // Uniform integer in [0, n); n > 0. Multiply-shift: the bias is below 2^-32.
  uint32_t Below(uint32_t n) { return static_cast<uint32_t>(((Next() >> 32) * n) >> 32); }

  // Uniform integer in [lo, hi], lo <= hi.
  int Between(int lo, int hi) { return lo + static_cast<int>(Below(static_cast<uint32_t>(hi - lo + 1))); }

  bool Chance(double p) { return Uniform() < p; }

  // Exponential with mean 1.
  double Exponential() { return -std::log1p(-Uniform()); }

  // Poisson by inversion: O(lambda), fine for the small means of care counts.
  // Large means use a rounded normal approximation.
  int Poisson(double lambda) {
    if (lambda <= 0) return 0;
    if (lambda > kPoissonNormalAbove) {
      double n = lambda + std::sqrt(lambda) * Normal();
      return n < 0 ? 0 : static_cast<int>(n + 0.5);
    }
    double p = std::exp(-lambda);
    double cumulative = p;
    double u = Uniform();
    int k = 0;
    while (u > cumulative && k < kPoissonMaxSteps) {
      ++k;
      p *= lambda / k;
      cumulative += p;
    }
    return k;
  }

  // Standard normal (Box-Muller, one of the pair).
  double Normal() {
    double u1 = 1.0 - Uniform();
    double u2 = Uniform();
    return std::sqrt(-2.0 * std::log(u1)) * std::cos(kTwoPi * u2);
  }

  // An index drawn with probability weights[i] / sum(weights).
  template <typename Range>
  int Pick(const Range& weights) {
    double total = 0;
    for (auto w : weights) total += static_cast<double>(w);
    double u = Uniform() * total;
    for (std::size_t i = 0; i < std::size(weights); ++i) {
      u -= static_cast<double>(weights[i]);
      if (u < 0) return static_cast<int>(i);
    }
    return static_cast<int>(std::size(weights)) - 1;
  }

 private:
  static constexpr uint64_t kGolden = 0x9e3779b97f4a7c15ULL;
  static constexpr double kPoissonNormalAbove = 200.0;
  static constexpr int kPoissonMaxSteps = 1000;
  static constexpr double kTwoPi = 6.283185307179586;
  uint64_t state_;
};

}  // namespace hdhub::synth
