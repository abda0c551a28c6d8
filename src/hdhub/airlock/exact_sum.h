// Exact sums of doubles, for the primary checks' comparisons at a rule's
// boundary (docs/airlock-rules.md, "Arithmetic"). A sum of finite doubles
// is a dyadic rational: ExactSum holds it as a whole number of the smallest
// positive double, 2^-1074 (a Boost.Multiprecision cpp_int), with no
// rounding, so the verdict of "100 * S > k * T" is that of exact arithmetic
// on the binary values of the inputs (Python's fractions.Fraction gives the
// same), whatever their order, and never overflows. Internal to the airlock.
//
// Thread-safety: a value; const methods may be called from any thread.
#pragma once

#include <boost/multiprecision/cpp_int.hpp>

namespace hdhub::airlock {

class ExactSum {
 public:
  ExactSum() = default;

  // Adds |x|. Precondition: x is finite (the caller refuses NaN and
  // infinities first); a non-finite x is ignored.
  void Add(double x);

  bool IsZero() const { return units_.is_zero(); }

  // Whether a * x > b * y, exactly. a and b are finite and non-negative
  // (rule parameters such as 100, k, p); otherwise false.
  friend bool ProductGreater(double a, const ExactSum& x, double b, const ExactSum& y);

 private:
  boost::multiprecision::cpp_int units_;  // in units of 2^-1074
};

bool ProductGreater(double a, const ExactSum& x, double b, const ExactSum& y);

}  // namespace hdhub::airlock
