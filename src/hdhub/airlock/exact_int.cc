#include "hdhub/airlock/exact_int.h"

namespace hdhub::airlock {

void ExactInt::SetBig(const Big& v) { big_ = std::make_unique<Big>(v); }

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

uint64_t ExactInt::Hash() const {
  return big_ ? static_cast<uint64_t>(boost::multiprecision::hash_value(*big_)) : static_cast<uint64_t>(small_);
}

ExactInt ExactInt::Product(const ExactInt& a, const ExactInt& b) { return FromBig(a.AsBig() * b.AsBig()); }

ExactInt ExactInt::Difference(const ExactInt& a, const ExactInt& b) { return FromBig(a.AsBig() - b.AsBig()); }

ExactInt ExactInt::Negation(const ExactInt& a) { return FromBig(-a.AsBig()); }

ExactInt& ExactInt::DivideBig(const ExactInt& divisor) {
  *this = FromBig(AsBig() / divisor.AsBig());
  return *this;
}

ExactInt ExactInt::GcdBig(const ExactInt& a, const ExactInt& b) {
  Big g = boost::multiprecision::gcd(a.AsBig(), b.AsBig());
  if (g < 0) g = -g;
  return FromBig(g);
}

}  // namespace hdhub::airlock
