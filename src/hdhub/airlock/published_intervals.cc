#include "hdhub/airlock/published_intervals.h"

#include <algorithm>
#include <cmath>
#include <limits>

#include "hdhub/airlock/lp_presolve.h"

namespace hdhub::airlock {
namespace {

constexpr double kInfinity = std::numeric_limits<double>::infinity();

}  // namespace

Interval RoundInward(const LpBounds& b) {
  return Interval{
      .lo = std::ceil(b.min - kRoundingSlack * std::max(1.0, std::fabs(b.min))),
      .hi = b.max_unbounded ? kInfinity : std::floor(b.max + kRoundingSlack * std::max(1.0, std::fabs(b.max)))};
}

Interval ScaledNonNegative(const LpBounds& b, double scale) {
  return Interval{.lo = std::max(0.0, b.min * scale), .hi = b.max_unbounded ? kInfinity : b.max * scale};
}

StatusOr<std::vector<Interval>> IntervalsFromPublished(int32_t num_atoms, std::span<const PublishedGroup> published,
                                                       std::span<const std::vector<int32_t>> targets, MeasureKind kind,
                                                       const AttackerLpFactory& lp_factory) {
  double scale = 1;  // magnitudes: LP values in units of the largest published value, as the audit scales
  if (kind == MeasureKind::kMagnitude) {
    for (const PublishedGroup& g : published) scale = std::max(scale, std::fabs(g.value));
  }
  std::vector<LpRow> rows;
  rows.reserve(published.size());
  for (const PublishedGroup& g : published) rows.push_back({g.atoms, g.value / scale, g.value / scale});
  ASSIGN_OR_RETURN(Presolved presolved, Presolve(num_atoms, rows, kPresolveTolerance));
  ASSIGN_OR_RETURN(std::unique_ptr<AttackerLp> lp, lp_factory(presolved.problem));
  std::vector<Interval> out;
  out.reserve(targets.size());
  for (const std::vector<int32_t>& target : targets) {
    if (!std::is_sorted(target.begin(), target.end()) ||
        (!target.empty() && (target.front() < 0 || target.back() >= num_atoms))) {
      return InvalidArgumentError("published intervals: a target names an atom out of range or is unsorted");
    }
    ASSIGN_OR_RETURN(LpBounds b, GroupBounds(presolved, *lp, target));
    if (kind == MeasureKind::kCount) {
      out.push_back(RoundInward(b));
    } else {
      out.push_back(ScaledNonNegative(b, scale));
    }
  }
  return out;
}

}  // namespace hdhub::airlock
