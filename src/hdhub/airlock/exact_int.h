// An integer of any size that costs an int64_t while it fits in one, for the
// exact elimination (sparse_span.h). 2-D table matrices keep every
// coefficient at +-1 and most 3-D ones stay small, but 3-D tables with all
// their 2-D margins are not totally unimodular and some coefficients outgrow
// 64 bits; those move to a Boost.Multiprecision cpp_int, with no rounding
// and no overflow. Internal to the airlock.
//
// Thread-safety: a value.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>
#include <cstdint>
#include <memory>

namespace hdhub::airlock {

class ExactInt {
 public:
  ExactInt(int64_t value = 0);  // NOLINT: an integer literal is an ExactInt
  ExactInt(const ExactInt& other);
  ExactInt& operator=(const ExactInt& other);
  ExactInt(ExactInt&&) noexcept = default;
  ExactInt& operator=(ExactInt&&) noexcept = default;

  // -1, 0 or 1.
  int sign() const;
  // Whether the value is +1 or -1.
  bool IsUnit() const { return !big_ && (small_ == 1 || small_ == -1); }
  // A hash of the value (equal values, equal hashes).
  uint64_t Hash() const;

  friend ExactInt operator*(const ExactInt& a, const ExactInt& b);
  friend ExactInt operator-(const ExactInt& a, const ExactInt& b);
  friend ExactInt operator-(const ExactInt& a);
  // Division by a divisor of the value (exact; the caller divides by a gcd).
  ExactInt& operator/=(const ExactInt& divisor);
  // The greatest common divisor, >= 0.
  friend ExactInt Gcd(const ExactInt& a, const ExactInt& b);
  friend bool operator==(const ExactInt& a, const ExactInt& b);

 private:
  using Big = boost::multiprecision::cpp_int;
  // Holds v as small_ when |v| < 2^63 (so negation never overflows), else in big_.
  static ExactInt FromBig(const Big& v);
  Big AsBig() const;

  int64_t small_ = 0;
  std::unique_ptr<Big> big_;  // set iff the value does not fit small_
};

}  // namespace hdhub::airlock
