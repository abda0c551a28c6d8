// Exact linear algebra over sparse integer vectors: what the Gaussian-
// elimination secondary suppression (gauss_suppression.h) needs to decide
// whether a vector lies in the span of others. Internal to the airlock.
//
// Why integers and not doubles: the decision "is this primary cell in the span
// of the published cells" must be exact; a floating pivot that drifts can make
// a dependent vector look independent, and the cell would be published while
// it is disclosed. Elimination is fraction-free (x <- a*x - b*y, then division
// by the gcd of the coefficients), so every vector is the primitive integer
// vector of its direction. Coefficients are exact integers of any size
// (exact_int.h): 2-D tables keep them at +-1 (their matrices are totally
// unimodular), but 3-D tables with all their 2-D margins are not, and some
// coefficients (ratios of minors) outgrow 64 bits from about 20 x 20 x 15
// cells.
//
// Thread-safety: values; const methods may be called from any thread.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <vector>

#include "hdhub/airlock/exact_int.h"

namespace hdhub::airlock {

using Coef = ExactInt;

struct SparseEntry {
  int32_t index = 0;
  Coef coef;

  friend bool operator==(const SparseEntry&, const SparseEntry&) = default;
};
// Entries sorted by index, distinct indices, no zero coefficient.
using SparseVector = std::vector<SparseEntry>;

// The 0/1 vector with a one at each of `indices` (sorted, distinct).
SparseVector Indicator(std::span<const int32_t> indices);

// a*x - b*y, without the zero entries.
SparseVector Combine(const Coef& a, const SparseVector& x, const Coef& b, const SparseVector& y);

// Divides v by the gcd of its coefficients and makes its first coefficient
// positive, so that two parallel vectors normalise to the same vector.
// Returns the sign of the factor applied: +1, or -1 when v was negated.
int Normalize(SparseVector& v);

// A basis in echelon form: each vector's pivot is its smallest index, and no
// two vectors share a pivot. Adding a vector never rewrites the others.
class EchelonBasis {
 public:
  // Indices of the vectors range over [0, dimension).
  explicit EchelonBasis(int32_t dimension);

  // The vector whose pivot is `index`, or nullptr.
  const SparseVector* PivotVector(int32_t index) const;
  size_t size() const { return rows_.size(); }

  // Adds `v`, which must be non-empty and reduced against this basis (no
  // entry on a pivot); `v` is normalised first.
  void AddReduced(SparseVector v);

 private:
  std::vector<int32_t> pivot_row_;  // per index: its vector in rows_, or -1
  std::vector<SparseVector> rows_;
};

// A handful of vectors proposed for addition to a large EchelonBasis, kept
// apart until the caller decides to commit them. Same invariants as the
// basis; pivots disjoint from the basis's.
class Overlay {
 public:
  const SparseVector* PivotVector(int32_t index) const;
  const std::vector<SparseVector>& rows() const { return rows_; }
  bool empty() const { return rows_.empty(); }
  void AddReduced(SparseVector v);
  // The vectors, for committing them to the basis; leaves the overlay empty.
  std::vector<SparseVector> Release();

 private:
  std::vector<SparseVector> rows_;
  std::map<int32_t, size_t> pivot_row_;  // a published zero can add thousands of unit vectors
};

// What Reduce multiplied the input by: the reduced vector is
// sign * (positive number) * (v - a combination of the basis vectors).
struct Reduced {
  SparseVector vector;
  int sign = 1;
};

// v reduced against `basis` and then `overlay` (nullptr for none): no entry
// left on a pivot of either. Empty iff v lies in their span. The result is
// normalised.
Reduced Reduce(SparseVector v, const EchelonBasis& basis, const Overlay* overlay);

}  // namespace hdhub::airlock
