#include "hdhub/airlock/lp_presolve.h"

#include <cmath>
#include <deque>
#include <string>

#include "hdhub/airlock/sparse_span.h"

namespace hdhub::airlock {

namespace {

class Pinner {
 public:
  Pinner(int32_t num_atoms, const std::vector<LpRow>& rows, double tolerance)
      : rows_(rows),
        tol_(tolerance),
        rows_of_(static_cast<size_t>(num_atoms)),
        pinned_(static_cast<size_t>(num_atoms), false),
        value_(static_cast<size_t>(num_atoms), 0),
        rest_(rows.size()),
        free_(rows.size()),
        queued_(rows.size(), true) {
    for (size_t r = 0; r < rows.size(); ++r) {
      rest_[r] = rows[r].lower;
      free_[r] = static_cast<int64_t>(rows[r].atoms.size());
      for (int32_t a : rows[r].atoms) rows_of_[static_cast<size_t>(a)].push_back(r);
      queue_.push_back(r);
    }
  }

  Status Run() {
    while (!queue_.empty()) {
      const size_t r = queue_.front();
      queue_.pop_front();
      queued_[r] = false;
      RETURN_IF_ERROR(Examine(r));
    }
    return OkStatus();
  }

  Presolved Result() const {
    Presolved p{.free_index = std::vector<int32_t>(pinned_.size(), -1), .pinned = value_};
    int32_t next = 0;
    for (size_t a = 0; a < pinned_.size(); ++a) {
      if (!pinned_[a]) p.free_index[a] = next++;
    }
    p.problem.num_atoms = next;
    for (size_t r = 0; r < rows_.size(); ++r) {
      if (free_[r] == 0) continue;
      LpRow row{.lower = rest_[r], .upper = rest_[r]};
      for (int32_t a : rows_[r].atoms) {
        if (!pinned_[static_cast<size_t>(a)]) row.atoms.push_back(p.free_index[static_cast<size_t>(a)]);
      }
      p.problem.rows.push_back(std::move(row));
    }
    return p;
  }

 private:
  Status Inconsistent(size_t r) const {
    return InternalError("attacker audit: published row " + std::to_string(r) +
                         " contradicts the others or non-negativity; the published values cannot all be true");
  }

  Status Examine(size_t r) {
    if (free_[r] == 0) return std::fabs(rest_[r]) <= tol_ ? OkStatus() : Inconsistent(r);
    if (rest_[r] < -tol_) return Inconsistent(r);
    const bool zero = std::fabs(rest_[r]) <= tol_;  // non-negative unknowns summing to 0 are all 0
    if (!zero && free_[r] != 1) return OkStatus();
    const double value = zero ? 0.0 : rest_[r];
    for (int32_t a : rows_[r].atoms) {
      if (!pinned_[static_cast<size_t>(a)]) Pin(static_cast<size_t>(a), value);
    }
    return OkStatus();
  }

  void Pin(size_t atom, double value) {
    pinned_[atom] = true;
    value_[atom] = value;
    for (size_t r : rows_of_[atom]) {
      rest_[r] -= value;
      --free_[r];
      if (!queued_[r]) {
        queued_[r] = true;
        queue_.push_back(r);
      }
    }
  }

  const std::vector<LpRow>& rows_;
  const double tol_;
  std::vector<std::vector<size_t>> rows_of_;
  std::vector<bool> pinned_;
  std::vector<double> value_;
  std::vector<double> rest_;  // per row: its value minus its pinned atoms
  std::vector<int64_t> free_;
  std::vector<bool> queued_;
  std::deque<size_t> queue_;
};

}  // namespace

std::pair<std::vector<int32_t>, double> Presolved::Split(std::span<const int32_t> atoms) const {
  std::pair<std::vector<int32_t>, double> out{{}, 0.0};
  for (int32_t a : atoms) {
    const int32_t f = free_index[static_cast<size_t>(a)];
    if (f >= 0) {
      out.first.push_back(f);
    } else {
      out.second += pinned[static_cast<size_t>(a)];
    }
  }
  return out;
}

StatusOr<LpBounds> GroupBounds(const Presolved& presolved, AttackerLp& lp, std::span<const int32_t> atoms,
                               std::optional<double> max_enough) {
  auto [free, pinned] = presolved.Split(atoms);
  LpBounds b;
  if (!free.empty()) {
    ASSIGN_OR_RETURN(b, max_enough ? lp.BoundsUnlessMaxReaches(free, *max_enough - pinned) : lp.Bounds(free));
  }
  b.min += pinned;
  b.max += pinned;
  return b;
}

StatusOr<LpProblem> WithoutDependentRows(const LpProblem& problem) {
  LpProblem out{.num_atoms = problem.num_atoms};
  EchelonBasis basis(problem.num_atoms);
  for (const LpRow& row : problem.rows) {
    if (row.lower != row.upper) return InvalidArgumentError("presolve: only equality rows can be reduced");
    Reduced r = Reduce(Indicator(row.atoms), basis, nullptr);
    if (r.vector.empty()) continue;  // implied by the rows kept
    basis.AddReduced(std::move(r.vector));
    out.rows.push_back(row);
  }
  return out;
}

StatusOr<Presolved> Presolve(int32_t num_atoms, const std::vector<LpRow>& rows, double tolerance) {
  for (const LpRow& row : rows) {
    for (int32_t a : row.atoms) {
      if (a < 0 || a >= num_atoms) return InvalidArgumentError("presolve: a row names an atom out of range");
    }
  }
  Pinner pinner(num_atoms, rows, tolerance);
  RETURN_IF_ERROR(pinner.Run());
  return pinner.Result();
}

}  // namespace hdhub::airlock
