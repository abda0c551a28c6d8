#include "hdhub/airlock/sparse_span.h"

#include <utility>

namespace hdhub::airlock {

namespace {

// Divides by the positive gcd of the coefficients (the sign is kept).
void DivideByGcd(SparseVector& v) {
  Coef g = 0;
  for (const SparseEntry& e : v) {
    g = Gcd(g, e.coef);
    if (g == 1) return;
  }
  if (g.sign() == 0 || g == 1) return;
  for (SparseEntry& e : v) e.coef /= g;
}

}  // namespace

SparseVector Indicator(std::span<const int32_t> indices) {
  SparseVector v;
  v.reserve(indices.size());
  for (int32_t i : indices) v.push_back({i, 1});
  return v;
}

namespace {

// s * c for s = a or b of Combine: table matrices make s = 1 or -1 the
// common case, and a multiplication of arbitrary-precision integers costs
// far more than a copy.
Coef Times(const Coef& s, int s_unit, const Coef& c) {
  if (s_unit == 1) return c;
  if (s_unit == -1) return -c;
  return s * c;
}

int Unit(const Coef& s) { return s.IsUnit() ? s.sign() : 0; }

}  // namespace

SparseVector Combine(const Coef& a, const SparseVector& x, const Coef& b, const SparseVector& y) {
  const int a_unit = Unit(a);
  const int b_unit = Unit(b);
  SparseVector out;
  out.reserve(x.size() + y.size());
  size_t i = 0;
  size_t j = 0;
  while (i < x.size() || j < y.size()) {
    SparseEntry e;
    if (j == y.size() || (i < x.size() && x[i].index < y[j].index)) {
      e = {x[i].index, Times(a, a_unit, x[i].coef)};
      ++i;
    } else if (i == x.size() || y[j].index < x[i].index) {
      e = {y[j].index, -Times(b, b_unit, y[j].coef)};
      ++j;
    } else {
      e = {x[i].index, Times(a, a_unit, x[i].coef) - Times(b, b_unit, y[j].coef)};
      ++i;
      ++j;
    }
    if (e.coef.sign() != 0) out.push_back(std::move(e));
  }
  return out;
}

int Normalize(SparseVector& v) {
  DivideByGcd(v);
  if (v.empty() || v.front().coef.sign() > 0) return 1;
  for (SparseEntry& e : v) e.coef = -e.coef;
  return -1;
}

EchelonBasis::EchelonBasis(int32_t dimension) : pivot_row_(static_cast<size_t>(dimension), -1) {}

const SparseVector* EchelonBasis::PivotVector(int32_t index) const {
  const int32_t row = pivot_row_[static_cast<size_t>(index)];
  return row < 0 ? nullptr : &rows_[static_cast<size_t>(row)];
}

void EchelonBasis::AddReduced(SparseVector v) {
  Normalize(v);
  pivot_row_[static_cast<size_t>(v.front().index)] = static_cast<int32_t>(rows_.size());
  rows_.push_back(std::move(v));
}

const SparseVector* Overlay::PivotVector(int32_t index) const {
  auto it = pivot_row_.find(index);
  return it == pivot_row_.end() ? nullptr : &rows_[it->second];
}

void Overlay::AddReduced(SparseVector v) {
  Normalize(v);
  pivot_row_[v.front().index] = rows_.size();
  rows_.push_back(std::move(v));
}

std::vector<SparseVector> Overlay::Release() {
  pivot_row_.clear();
  return std::move(rows_);
}

Reduced Reduce(SparseVector v, const EchelonBasis& basis, const Overlay* overlay) {
  // Left to right: eliminating the entry at a pivot p adds entries only at
  // indices above p (p is its vector's smallest index), which the scan
  // reaches later, so one pass leaves no entry on a pivot.
  size_t i = 0;
  while (i < v.size()) {
    const int32_t index = v[i].index;
    const SparseVector* pivot = basis.PivotVector(index);
    if (pivot == nullptr && overlay != nullptr) pivot = overlay->PivotVector(index);
    if (pivot == nullptr) {
      ++i;
      continue;
    }
    // The pivot's first coefficient is positive (normalised), so scaling v by
    // it keeps v's sign; entries before i are untouched.
    v = Combine(pivot->front().coef, v, v[i].coef, *pivot);
    DivideByGcd(v);
  }
  Reduced out;
  out.sign = Normalize(v);
  out.vector = std::move(v);
  return out;
}

}  // namespace hdhub::airlock
