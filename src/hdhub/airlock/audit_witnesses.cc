#include "hdhub/airlock/audit_witnesses.h"

#include <algorithm>
#include <utility>

namespace hdhub::airlock {

void AuditWitnesses::Add(std::vector<double> point) {
  if (point.empty() || capacity_ == 0) return;
  if (points_.size() == capacity_) points_.pop_front();
  points_.push_back(std::move(point));
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
