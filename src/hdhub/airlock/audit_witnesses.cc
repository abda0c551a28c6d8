#include "hdhub/airlock/audit_witnesses.h"

#include <algorithm>
#include <cmath>
#include <utility>

namespace hdhub::airlock {

void AuditWitnesses::Add(std::vector<double> point) {
  if (point.empty() || capacity_ == 0) return;
  if (points_.size() == capacity_) points_.pop_front();
  points_.push_back(std::move(point));
}

void AuditWitnesses::AddAll(const AuditWitnesses& other) {
  for (const std::vector<double>& p : other.points_) Add(p);
}

void AuditWitnesses::AddMeeting(const AuditWitnesses& from, std::span<const int32_t> row, double value) {
  constexpr double kTolerance = 1e-9;
  const double tolerance = kTolerance * std::max(1.0, std::abs(value));
  std::vector<double> sums;
  for (const std::vector<double>& p : from.points_) {
    double sum = 0;
    for (int32_t a : row) sum += p[static_cast<size_t>(a)];
    sums.push_back(sum - value);
  }
  for (size_t i = 0; i < sums.size(); ++i) {
    if (std::abs(sums[i]) <= tolerance) Add(from.points_[i]);
    for (size_t j = i + 1; j < sums.size(); ++j) {
      if (!((sums[i] < -tolerance && sums[j] > tolerance) || (sums[i] > tolerance && sums[j] < -tolerance))) continue;
      const double lambda = sums[i] / (sums[i] - sums[j]);  // in (0, 1)
      const std::vector<double>& a = from.points_[i];
      const std::vector<double>& b = from.points_[j];
      std::vector<double> point(a.size());
      for (size_t k = 0; k < a.size(); ++k) point[k] = std::max(0.0, a[k] + lambda * (b[k] - a[k]));
      Add(std::move(point));
    }
  }
}

std::optional<AuditWitnesses::Range> AuditWitnesses::SumRange(std::span<const int32_t> free, double pinned) const {
  std::optional<Range> out;
  for (const std::vector<double>& p : points_) {
    double sum = pinned;
    for (int32_t a : free) sum += p[static_cast<size_t>(a)];
    if (!out) {
      out = Range{sum, sum};
    } else {
      out->least = std::min(out->least, sum);
      out->greatest = std::max(out->greatest, sum);
    }
  }
  return out;
}

}  // namespace hdhub::airlock
