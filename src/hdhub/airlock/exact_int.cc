#include "hdhub/airlock/exact_int.h"

#include <limits>
#include <numeric>

namespace hdhub::airlock {

namespace {

constexpr int64_t kLargestSmall = std::numeric_limits<int64_t>::max();

}  // namespace

ExactInt::ExactInt(int64_t value) {
  if (value >= -kLargestSmall) {
    small_ = value;
  } else {  // INT64_MIN: kept big so that -small_ never overflows
    big_ = std::make_unique<Big>(value);
  }
}

ExactInt::ExactInt(const ExactInt& other)
    : small_(other.small_), big_(other.big_ ? std::make_unique<Big>(*other.big_) : nullptr) {}

ExactInt& ExactInt::operator=(const ExactInt& other) {
  if (this != &other) {
    small_ = other.small_;
    big_ = other.big_ ? std::make_unique<Big>(*other.big_) : nullptr;
  }
  return *this;
}

ExactInt ExactInt::FromBig(const Big& v) {
  ExactInt out;
  if (v >= -kLargestSmall && v <= kLargestSmall) {
    out.small_ = static_cast<int64_t>(v);
  } else {
    out.big_ = std::make_unique<Big>(v);
  }
  return out;
}

ExactInt::Big ExactInt::AsBig() const { return big_ ? *big_ : Big(small_); }

int ExactInt::sign() const {
  if (big_) return big_->sign();
  return small_ > 0 ? 1 : small_ < 0 ? -1 : 0;
}

uint64_t ExactInt::Hash() const {
  return big_ ? static_cast<uint64_t>(boost::multiprecision::hash_value(*big_)) : static_cast<uint64_t>(small_);
}

ExactInt operator*(const ExactInt& a, const ExactInt& b) {
  int64_t product = 0;
  if (!a.big_ && !b.big_ && !__builtin_mul_overflow(a.small_, b.small_, &product) && product >= -kLargestSmall) {
    return ExactInt(product);
  }
  return ExactInt::FromBig(a.AsBig() * b.AsBig());
}

ExactInt operator-(const ExactInt& a, const ExactInt& b) {
  int64_t difference = 0;
  if (!a.big_ && !b.big_ && !__builtin_sub_overflow(a.small_, b.small_, &difference) && difference >= -kLargestSmall) {
    return ExactInt(difference);
  }
  return ExactInt::FromBig(a.AsBig() - b.AsBig());
}

ExactInt operator-(const ExactInt& a) { return a.big_ ? ExactInt::FromBig(-*a.big_) : ExactInt(-a.small_); }

ExactInt& ExactInt::operator/=(const ExactInt& divisor) {
  if (!big_ && !divisor.big_) {
    small_ /= divisor.small_;  // |small_| < 2^63: no overflow
  } else {
    *this = FromBig(AsBig() / divisor.AsBig());
  }
  return *this;
}

ExactInt Gcd(const ExactInt& a, const ExactInt& b) {
  if (!a.big_ && !b.big_) return ExactInt(std::gcd(a.small_, b.small_));  // both |.| < 2^63
  ExactInt::Big g = boost::multiprecision::gcd(a.AsBig(), b.AsBig());
  if (g < 0) g = -g;
  return ExactInt::FromBig(g);
}

bool operator==(const ExactInt& a, const ExactInt& b) {
  if (!a.big_ && !b.big_) return a.small_ == b.small_;
  if (a.big_ && b.big_) return *a.big_ == *b.big_;
  return false;  // a value is held big only when it does not fit small
}

}  // namespace hdhub::airlock
