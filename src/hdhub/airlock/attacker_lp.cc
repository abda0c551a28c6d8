#include "hdhub/airlock/attacker_lp.h"

#include <Clp_C_Interface.h>

#include <ClpSimplex.hpp>
#include <CoinError.hpp>
#include <CoinFinite.hpp>
#include <CoinPackedMatrix.hpp>
#include <algorithm>
#include <cmath>
#include <exception>
#include <optional>
#include <utility>

namespace hdhub::airlock {

namespace {

// ClpModel::status() codes.
constexpr int kClpOptimal = 0;
constexpr int kClpDualInfeasible = 2;  // the primal is unbounded
// ClpSimplex::primal's startFinishOptions: keep the factorisation and work
// areas after a solve (1) and reuse them when the rows did not change (2).
// Every re-solve changes only the objective or a row's bounds, never the
// matrix, so the previous factorisation stays valid: the warm start.
constexpr int kKeepFactorization = 1 | 2;

double Finite(double bound) {
  if (std::isinf(bound)) return bound > 0 ? COIN_DBL_MAX : -COIN_DBL_MAX;
  return bound;
}

std::string StatusText(int status, int secondary) {
  return "solver status " + std::to_string(status) + "/" + std::to_string(secondary);
}

class ClpAttackerLp : public AttackerLp {
 public:
  explicit ClpAttackerLp(int32_t num_rows) : num_rows_(num_rows) {}

  // Clp reports failures by throwing CoinError; nothing may cross our API.
  Status Load(const LpProblem& problem) {
    try {
      LoadOrThrow(problem);
    } catch (const CoinError& e) {
      return InternalError("attacker LP: Clp failed to load the model: " + e.message());
    } catch (const std::exception& e) {
      return InternalError(std::string("attacker LP: loading the model failed: ") + e.what());
    }
    return OkStatus();
  }

  StatusOr<LpBounds> Bounds(std::span<const int32_t> target) override { return Guarded(target, std::nullopt); }

  StatusOr<LpBounds> BoundsUnlessMaxReaches(std::span<const int32_t> target, double enough) override {
    return Guarded(target, enough);
  }

  Status SetRowBounds(int32_t row, double lower, double upper) override {
    if (row < 0 || row >= num_rows_) return InvalidArgumentError("attacker LP: no row " + std::to_string(row));
    model_.setRowBounds(row, Finite(lower), Finite(upper));
    return OkStatus();
  }

  std::string SolverName() const override { return "COIN-OR Clp"; }
  std::string SolverVersion() const override { return ClpLibraryVersion(); }

 private:
  void LoadOrThrow(const LpProblem& problem) {
    std::vector<int> row_index;
    std::vector<int> col_index;
    std::vector<double> lower;
    std::vector<double> upper;
    for (size_t r = 0; r < problem.rows.size(); ++r) {
      for (int32_t a : problem.rows[r].atoms) {
        row_index.push_back(static_cast<int>(r));
        col_index.push_back(a);
      }
      lower.push_back(Finite(problem.rows[r].lower));
      upper.push_back(Finite(problem.rows[r].upper));
    }
    const std::vector<double> ones(row_index.size(), 1.0);
    CoinPackedMatrix matrix(true, row_index.data(), col_index.data(), ones.data(),
                            static_cast<CoinBigIndex>(ones.size()));
    matrix.setDimensions(static_cast<int>(problem.rows.size()), problem.num_atoms);
    const std::vector<double> col_lower(static_cast<size_t>(problem.num_atoms), 0.0);
    const std::vector<double> col_upper(static_cast<size_t>(problem.num_atoms), COIN_DBL_MAX);
    const std::vector<double> objective(static_cast<size_t>(problem.num_atoms), 0.0);
    model_.setLogLevel(0);
    model_.loadProblem(matrix, col_lower.data(), col_upper.data(), objective.data(), lower.data(), upper.data());
    model_.scaling(0);  // a 0/1 matrix needs no scaling, and unscaled results need no second check
  }

  // One solve from the current basis; the objective must be optimal, or
  // unbounded when `unbounded_ok`.
  StatusOr<double> Solve(double direction, bool unbounded_ok, bool& unbounded) {
    model_.setOptimizationDirection(direction);
    model_.primal(0, startFinish_);
    startFinish_ = kKeepFactorization;
    unbounded = false;
    const int status = model_.status();
    if (status == kClpOptimal && model_.secondaryStatus() == 0) return model_.objectiveValue();
    if (status == kClpDualInfeasible && unbounded_ok) {
      unbounded = true;
      return 0.0;
    }
    return InternalError(std::string("attacker LP: the ") + (direction > 0 ? "minimum" : "maximum") +
                         " is not proven optimal (" + StatusText(status, model_.secondaryStatus()) + ")");
  }

  std::vector<double> Solution() const {
    const double* x = model_.getColSolution();
    return std::vector<double>(x, x + model_.numberColumns());
  }

  StatusOr<LpBounds> Guarded(std::span<const int32_t> target, std::optional<double> enough) {
    try {
      return BoundsOrThrow(target, enough);
    } catch (const CoinError& e) {
      return InternalError("attacker LP: Clp failed: " + e.message());
    } catch (const std::exception& e) {
      return InternalError(std::string("attacker LP: the solver failed: ") + e.what());
    }
  }

  StatusOr<LpBounds> BoundsOrThrow(std::span<const int32_t> target, std::optional<double> enough) {
    for (int32_t a : objective_) model_.setObjectiveCoefficient(a, 0.0);
    objective_.assign(target.begin(), target.end());
    for (int32_t a : objective_) {
      if (a < 0 || a >= model_.numberColumns()) return InvalidArgumentError("attacker LP: target atom out of range");
      model_.setObjectiveCoefficient(a, 1.0);
    }
    LpBounds b;
    // Clp refuses an empty model ("empty problem check"); without rows the
    // target is anything from 0 up.
    if (model_.numberRows() == 0) return LpBounds{.min = 0, .max = 0, .max_unbounded = true};
    bool unbounded = false;
    if (enough) {
      ASSIGN_OR_RETURN(b.max, Solve(-1.0, true, b.max_unbounded));
      if (!b.max_unbounded) b.max_point = Solution();
      if (b.max_unbounded || b.max >= *enough) {
        b.min_skipped = true;
        return b;
      }
      ASSIGN_OR_RETURN(b.min, Solve(1.0, false, unbounded));
      b.min_point = Solution();
      return b;
    }
    ASSIGN_OR_RETURN(b.min, Solve(1.0, false, unbounded));
    b.min_point = Solution();
    ASSIGN_OR_RETURN(b.max, Solve(-1.0, true, b.max_unbounded));
    if (!b.max_unbounded) b.max_point = Solution();
    return b;
  }

  ClpSimplex model_;
  int32_t num_rows_ = 0;
  std::vector<int32_t> objective_;  // the atoms with coefficient 1 now
  int startFinish_ = 0;             // the first solve factorises from scratch
};

}  // namespace

std::string ClpLibraryVersion() { return Clp_Version(); }

StatusOr<std::unique_ptr<AttackerLp>> CreateClpAttackerLp(const LpProblem& problem) {
  for (const LpRow& row : problem.rows) {
    if (!std::is_sorted(row.atoms.begin(), row.atoms.end()) ||
        (!row.atoms.empty() && (row.atoms.front() < 0 || row.atoms.back() >= problem.num_atoms))) {
      return InvalidArgumentError("attacker LP: a row names an atom out of range or is unsorted");
    }
  }
  auto lp = std::make_unique<ClpAttackerLp>(static_cast<int32_t>(problem.rows.size()));
  RETURN_IF_ERROR(lp->Load(problem));
  return std::unique_ptr<AttackerLp>(std::move(lp));
}

}  // namespace hdhub::airlock
