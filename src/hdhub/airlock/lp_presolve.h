// Before the attacker LPs: the atoms the published values determine on
// their own, removed from the model (docs/airlock-suppression.md,
// "Presolve"). An attacker pins an atom when a published row has it as its
// only unknown, and pins every unknown of a row whose remaining value is 0
// (atoms are non-negative); pinning one atom can leave another row with one
// unknown, so this repeats. The intervals do not change, the LPs shrink to
// the suppressed part of the tables (a table whose inner cells are mostly
// published keeps a few columns instead of all of them).
//
// Thread-safety: a value after Presolve.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <utility>
#include <vector>

#include "hdhub/airlock/attacker_lp.h"
#include "hdhub/common/status.h"

namespace hdhub::airlock {

// A row's remaining value within this of 0 (LP units) is 0.
inline constexpr double kPresolveTolerance = 1e-9;

struct Presolved {
  std::vector<int32_t> free_index;  // per atom: its column among the free atoms, or -1 when pinned
  std::vector<double> pinned;       // per atom: its value when pinned
  LpProblem problem;                // over the free atoms: the rows with a free atom left, values reduced

  // A group of atoms as its free atoms (LP numbering, ascending) and the sum
  // of its pinned atoms.
  std::pair<std::vector<int32_t>, double> Split(std::span<const int32_t> atoms) const;
};

// `rows`: the published values (lower == upper), over atoms in
// [0, num_atoms). Internal when they contradict each other or
// non-negativity beyond `tolerance` (a row left unmet, an atom pinned below
// zero): the published values cannot all be true, which is a fault, never a
// pass.
StatusOr<Presolved> Presolve(int32_t num_atoms, const std::vector<LpRow>& rows, double tolerance);

// `problem` without its rows in the span of earlier rows (exact
// arithmetic, sparse_span.h), rows kept in order. Only for equality rows
// known to be consistent, such as the audit's published values, which are
// sums of the true atom values: a row in the span of others is then implied
// by them, so the feasible set, hence every interval, is unchanged, while the
// LP shrinks to at most one row per free atom (hierarchical tables hold many
// times more relations than their rank). InvalidArgument for a row that is
// not an equality. Not for the verifier's published values
// (published_intervals.h): there a contradiction must stay visible to the
// solver.
StatusOr<LpProblem> WithoutDependentRows(const LpProblem& problem);

// The least and greatest sum of a group of atoms: `lp` (loaded from
// `presolved.problem`) over the group's free atoms, plus its pinned part.
// The codes of AttackerLp::Bounds. With `max_enough`, the short cut of
// AttackerLp::BoundsUnlessMaxReaches for the group's whole sum.
StatusOr<LpBounds> GroupBounds(const Presolved& presolved, AttackerLp& lp, std::span<const int32_t> atoms,
                               std::optional<double> max_enough = std::nullopt);

}  // namespace hdhub::airlock
