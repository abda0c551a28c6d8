// The attacker's intervals from published values alone
// (docs/airlock-suppression.md §3, docs/formats/airlock-certificate.md §6
// step 8): the same presolve and LP (Clp) as the attacker audit, for an
// auditor who holds the published cells of a frame's releases but no true
// value. Step 8 of `hdhub airlock verify` re-solves a certificate's
// intervals with it.
//
// Thread-safety: pure functions (one LP per call).
#pragma once

#include <cstdint>
#include <span>
#include <vector>

#include "hdhub/airlock/attacker_audit.h"
#include "hdhub/airlock/attacker_lp.h"
#include "hdhub/airlock/table_model.h"
#include "hdhub/common/status.h"

namespace hdhub::airlock {

// LP bounds are exact to about 1e-7 per row (Clp's primal tolerance); a
// bound within 1e-6 x max(1, |bound|) of a whole number is that number
// before rounding.
inline constexpr double kRoundingSlack = 1e-6;

// Counts: the bounds rounded inward (ceil lo, floor hi, after the slack);
// hi +infinity when the maximum is unbounded.
Interval RoundInward(const LpBounds& bounds);

// Magnitudes: the bounds in the values' units (`scale` per LP unit), lo at
// least 0 (atoms are >= 0; a solver's -1e-9 is noise, not a bound); hi
// +infinity when the maximum is unbounded.
Interval ScaledNonNegative(const LpBounds& bounds, double scale);

// A published value: the atoms it sums (ascending) and its value.
struct PublishedGroup {
  std::vector<int32_t> atoms;
  double value = 0;
};

// The interval an attacker proves for each target (ascending atoms of
// [0, num_atoms)) from `published` and atoms >= 0: for kCount rounded inward
// (RoundInward); for kMagnitude in the values' units, unrounded (solved in
// units of the largest published value). InvalidArgument for an atom out of
// range or unsorted; Internal when the published values contradict each
// other or non-negativity, or for a solver fault (never a result).
StatusOr<std::vector<Interval>> IntervalsFromPublished(int32_t num_atoms, std::span<const PublishedGroup> published,
                                                       std::span<const std::vector<int32_t>> targets, MeasureKind kind,
                                                       const AttackerLpFactory& lp_factory = CreateClpAttackerLp);

}  // namespace hdhub::airlock
