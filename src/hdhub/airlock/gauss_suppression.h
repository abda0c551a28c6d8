// Secondary cell suppression by Gaussian elimination, after the idea of
// Langsrud (PSD 2024, "Secondary cell suppression by Gaussian elimination"):
// candidate cells are tried one by one in a priority order, and a candidate is
// published unless publishing it would put a primary (suppressed) cell in the
// span of the published cells; then it is suppressed as a secondary. Written
// from the published description, not from SSB's code. docs/airlock-
// suppression.md specifies it; the table model (table_model.h) builds its
// input and the protection pipeline (protection.h) runs it.
//
// The input is the sparse 0/1 model matrix X, one column per publishable cell
// (the atoms it sums), with each column's role. The elimination is exact
// (sparse_span.h). What it guarantees, beyond "no primary in the span of the
// published cells" (no exact disclosure by linear combination):
//  - a published zero discloses each of its atoms (counts and magnitudes are
//    non-negative), so it is published as the unit vectors of its atoms;
//  - suppressed zeros protect nothing (Langsrud: "suppressed zeros cannot
//    protect each other"; an attacker may know a structural zero, and
//    suppressed zeros whose sum is known are all 0): every zero atom counts
//    as known when protecting a non-zero primary; a zero primary is checked
//    against every zero atom outside the zero primaries, and no two zero
//    primaries may have a known sum;
//  - an insider of a singleton primary (one contributor, who knows its value)
//    cannot derive another primary: no primary lies in the span of the
//    published cells and the singleton.
// Interval protection (a small group pinned within 1..T-1, p % and NK
// levels, unions of primaries, three or more zeros with a known sum) is
// the attacker audit's job (attacker_audit.h).
//
// Deterministic: the decisions depend only on spans and the given order, not
// on how atoms are numbered or pivots chosen.
//
// Scale: with `extents` (the atom grid, row-major), every cell's sum is
// written in the grid's prefix-sum coordinates (P at a point: the sum of the
// atoms at or below it on every axis) before the elimination, an invertible
// integer change of coordinates that leaves every span, hence every
// decision, as it is. A box of atoms (a margin, a complement of margins in
// a hierarchy whose leaves are contiguous) then has at most 2^d entries
// instead of its volume; eliminations combine boxes into regions whose size
// is their corners, not their atoms, which keeps the fill-in of 5-D tables
// with every margin small.
//
// Thread-safety: a pure function.
#pragma once

#include <cstdint>
#include <vector>

#include "hdhub/common/status.h"

namespace hdhub::airlock {

enum class ColumnRole {
  kForced,     // published whatever happens (published in an earlier release)
  kPrimary,    // suppressed whatever happens, and protected
  kCandidate,  // published unless that would disclose a primary
  kKept,       // suppressed whatever happens, not protected (an earlier repair round's secondary)
};

struct EliminationColumn {
  std::vector<int32_t> atoms;  // sorted, distinct, non-empty
  ColumnRole role = ColumnRole::kCandidate;
  bool zero = false;       // its true value is 0
  bool singleton = false;  // a primary with one contributor (counts: a count of 1)
};

struct EliminationInput {
  int32_t num_atoms = 0;
  // The atom grid's extent per dimension, atom = row-major index (AtomSpace),
  // their product num_atoms; empty: the elimination works on atoms as given.
  std::vector<int32_t> extents;
  std::vector<EliminationColumn> columns;
  // Every candidate column exactly once, the one most worth publishing first.
  std::vector<int32_t> publish_order;
  // Per atom, whether its true value is 0 (empty, or only zero contributions).
  std::vector<bool> zero_atoms;
};

struct EliminationResult {
  std::vector<bool> suppressed;            // per column: the primaries and the secondaries
  std::vector<int32_t> secondaries;        // the candidates suppressed, in the order decided
  std::vector<int32_t> already_disclosed;  // primaries the forced columns alone disclose, ascending
};

// The suppression pattern. InvalidArgument for an atom out of range, an empty
// or unsorted column, extents whose product is not num_atoms, or a
// publish_order that is not a permutation of the candidates.
// A primary the forced columns already disclose cannot be protected here: it
// is listed in already_disclosed and ignored by the later decisions.
StatusOr<EliminationResult> SuppressByElimination(const EliminationInput& input);

}  // namespace hdhub::airlock
