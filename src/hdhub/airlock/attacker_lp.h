// The attacker's linear program (docs/airlock-suppression.md, "Attacker
// LP"): unknown atom values x >= 0, one row per published value (lower <=
// sum of x over the row's atoms <= upper; an equality for an exact
// publication), and for a target group of atoms the least and the greatest
// value of its sum. One model is loaded once and re-solved for each target
// with a new objective, from the previous basis (warm start).
//
// AttackerLp is the seam between the audit and the solver: the production
// implementation is COIN-OR Clp (CreateClpAttackerLp); tests wrap it to
// inject faults and check that the audit fails closed.
//
// Thread-safety: an AttackerLp is used by one thread at a time.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <span>
#include <string>
#include <vector>

#include "hdhub/common/status.h"

namespace hdhub::airlock {

struct LpRow {
  std::vector<int32_t> atoms;  // ascending
  double lower = 0;            // -infinity for none
  double upper = 0;            // +infinity for none
};

struct LpProblem {
  int32_t num_atoms = 0;
  std::vector<LpRow> rows;
};

struct LpBounds {
  double min = 0;
  double max = 0;
  bool max_unbounded = false;  // max is then meaningless
  bool min_skipped = false;    // BoundsUnlessMaxReaches did not solve the min: min is meaningless
  // Optional: the solutions reaching min and max (one value per atom), each a
  // point meeting every row; empty when the solver gives none (max_point
  // when unbounded). The audit reuses them as witnesses (attacker_audit.h).
  std::vector<double> min_point;
  std::vector<double> max_point;
};

class AttackerLp {
 public:
  virtual ~AttackerLp() = default;

  // The least and greatest sum of x over `target` (ascending atoms). Internal
  // when the solver proves neither optimality nor, for the max,
  // unboundedness (infeasible, stopped, numerical trouble, an exception):
  // a solver fault is an error, never a result.
  virtual StatusOr<LpBounds> Bounds(std::span<const int32_t> target) = 0;
  // The same, except that the greatest sum is solved first and, when it
  // reaches `enough` (or is unbounded), the least is not solved (min_skipped):
  // the audit's short cut for a target that only its maximum can clear. By
  // default, Bounds.
  virtual StatusOr<LpBounds> BoundsUnlessMaxReaches(std::span<const int32_t> target, double /*enough*/) {
    return Bounds(target);
  }
  // Changes the bounds of row `row` (the insider pass fixes a singleton's
  // value this way, then frees it). InvalidArgument for a row out of range.
  virtual Status SetRowBounds(int32_t row, double lower, double upper) = 0;

  virtual std::string SolverName() const = 0;
  virtual std::string SolverVersion() const = 0;
};

using AttackerLpFactory = std::function<StatusOr<std::unique_ptr<AttackerLp>>(const LpProblem&)>;

// Loads `problem` into a ClpSimplex (primal simplex, no scaling, no output).
// InvalidArgument for an atom out of range or unsorted; Internal when Clp
// throws.
StatusOr<std::unique_ptr<AttackerLp>> CreateClpAttackerLp(const LpProblem& problem);

// The version of the Clp library linked at run time ("1.17.6").
std::string ClpLibraryVersion();

}  // namespace hdhub::airlock
