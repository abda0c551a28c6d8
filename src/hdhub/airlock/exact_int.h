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
#include <limits>
#include <memory>
#include <numeric>

namespace hdhub::airlock {

class ExactInt {
 public:
  ExactInt(int64_t value = 0) {  // NOLINT: an integer literal is an ExactInt
    if (value >= -kLargestSmall) {
      small_ = value;
    } else {
      SetBig(value);  // INT64_MIN: kept big so that -small_ never overflows
    }
  }
  ExactInt(const ExactInt& other) : small_(other.small_) {
    if (other.big_) SetBig(*other.big_);
  }
  ExactInt& operator=(const ExactInt& other) {
    if (this != &other) {
      small_ = other.small_;
      if (other.big_) {
        SetBig(*other.big_);
      } else {
        big_.reset();
      }
    }
    return *this;
  }
  ExactInt(ExactInt&&) noexcept = default;
  ExactInt& operator=(ExactInt&&) noexcept = default;

  // -1, 0 or 1.
  int sign() const {
    if (big_) return big_->sign();
    return (small_ > 0) - (small_ < 0);
  }
  // Whether the value is +1 or -1.
  bool IsUnit() const { return !big_ && (small_ == 1 || small_ == -1); }
  // A hash of the value (equal values, equal hashes).
  uint64_t Hash() const;

  // The elimination's inner loop (Combine) runs these a few times per entry:
  // the int64_t paths are inline, the others (Big) out of line.
  friend ExactInt operator*(const ExactInt& a, const ExactInt& b) {
    int64_t product = 0;
    if (!a.big_ && !b.big_ && !__builtin_mul_overflow(a.small_, b.small_, &product) && product >= -kLargestSmall) {
      return ExactInt(product);
    }
    return Product(a, b);
  }
  friend ExactInt operator-(const ExactInt& a, const ExactInt& b) {
    int64_t difference = 0;
    if (!a.big_ && !b.big_ && !__builtin_sub_overflow(a.small_, b.small_, &difference) &&
        difference >= -kLargestSmall) {
      return ExactInt(difference);
    }
    return Difference(a, b);
  }
  friend ExactInt operator-(const ExactInt& a) { return a.big_ ? Negation(a) : ExactInt(-a.small_); }
  // Division by a divisor of the value (exact; the caller divides by a gcd).
  ExactInt& operator/=(const ExactInt& divisor) {
    if (!big_ && !divisor.big_) {
      small_ /= divisor.small_;  // |small_| < 2^63: no overflow
      return *this;
    }
    return DivideBig(divisor);
  }
  // The greatest common divisor, >= 0.
  friend ExactInt Gcd(const ExactInt& a, const ExactInt& b) {
    if (!a.big_ && !b.big_) return ExactInt(std::gcd(a.small_, b.small_));  // both |.| < 2^63
    return GcdBig(a, b);
  }
  friend bool operator==(const ExactInt& a, const ExactInt& b) {
    if (!a.big_ && !b.big_) return a.small_ == b.small_;
    if (a.big_ && b.big_) return *a.big_ == *b.big_;
    return false;  // a value is held big only when it does not fit small
  }

 private:
  using Big = boost::multiprecision::cpp_int;
  static constexpr int64_t kLargestSmall = std::numeric_limits<int64_t>::max();

  // Holds v as small_ when |v| < 2^63 (so negation never overflows), else in big_.
  static ExactInt FromBig(const Big& v);
  Big AsBig() const;
  void SetBig(const Big& v);
  static ExactInt Product(const ExactInt& a, const ExactInt& b);
  static ExactInt Difference(const ExactInt& a, const ExactInt& b);
  static ExactInt Negation(const ExactInt& a);
  ExactInt& DivideBig(const ExactInt& divisor);
  static ExactInt GcdBig(const ExactInt& a, const ExactInt& b);

  int64_t small_ = 0;
  std::unique_ptr<Big> big_;  // set iff the value does not fit small_
};

}  // namespace hdhub::airlock
