#include "hdhub/airlock/exact_sum.h"

#include <cmath>
#include <cstdint>
#include <utility>

namespace hdhub::airlock {

namespace {

using boost::multiprecision::cpp_int;

// 2^-1074, the smallest positive (subnormal) double, is the unit.
constexpr int kUnitExponent = -1074;
constexpr int kMantissaBits = 53;

// v = m * 2^e with m < 2^53 a whole number; v finite and non-negative.
std::pair<uint64_t, int> Decompose(double v) {
  int exponent = 0;
  const double fraction = std::frexp(v, &exponent);  // v = fraction * 2^exponent, fraction in [0.5, 1)
  return {static_cast<uint64_t>(std::ldexp(fraction, kMantissaBits)), exponent - kMantissaBits};
}

bool NonNegativeFinite(double v) { return std::isfinite(v) && v >= 0; }

}  // namespace

void ExactSum::Add(double x) {
  if (!std::isfinite(x)) return;
  auto [m, e] = Decompose(std::fabs(x));
  if (m == 0) return;
  int shift = e - kUnitExponent;
  if (shift < 0) {  // a subnormal: its low bits are zeros, so this is exact
    m >>= -shift;
    shift = 0;
  }
  units_ += cpp_int(m) << shift;
}

bool ProductGreater(double a, const ExactSum& x, double b, const ExactSum& y) {
  if (!NonNegativeFinite(a) || !NonNegativeFinite(b)) return false;
  const auto [ma, ea] = Decompose(a);
  const auto [mb, eb] = Decompose(b);
  // a*x > b*y  <=>  ma*x * 2^ea > mb*y * 2^eb: move the smaller power of two
  // to the other side so both are whole numbers.
  cpp_int left = x.units_ * ma;
  cpp_int right = y.units_ * mb;
  if (ea > eb) {
    left <<= ea - eb;
  } else {
    right <<= eb - ea;
  }
  return left > right;
}

}  // namespace hdhub::airlock
