#include "airlock_optimal.h"

#include <Cbc_C_Interface.h>

#include <algorithm>
#include <cmath>
#include <memory>

namespace hdhub::airlock::bench {

namespace {

struct CbcDeleter {
  void operator()(Cbc_Model* m) const { Cbc_deleteModel(m); }
};
using CbcModelPtr = std::unique_ptr<Cbc_Model, CbcDeleter>;

bool NonEmpty(const TableModel& model, int32_t q) { return model.quantities()[static_cast<size_t>(q)].value != 0; }

// One MIP: the relations, the fixed cells and the cuts so far.
StatusOr<OptimalResult> SolveOnce(const TableModel& model, const std::vector<std::vector<int32_t>>& relations,
                                  const std::vector<bool>& primary, const std::vector<std::vector<int32_t>>& cuts,
                                  double seconds) {
  const int n = static_cast<int>(model.quantities().size());
  CbcModelPtr m(Cbc_newModel());
  for (int q = 0; q < n; ++q) {
    const double lb = primary[static_cast<size_t>(q)] ? 1 : 0;
    const double ub = NonEmpty(model, q) ? 1 : 0;
    Cbc_addCol(m.get(), "", lb, std::max(lb, ub), 1.0, 1, 0, nullptr, nullptr);
  }
  OptimalResult out{.variables = n, .solver_version = Cbc_getVersion()};
  std::vector<int> cols;
  std::vector<double> coefs;
  for (const auto& r : relations) {
    for (int32_t j : r) {
      if (!NonEmpty(model, j)) continue;
      cols.assign(1, j);
      coefs.assign(1, -1.0);
      for (int32_t i : r) {
        if (i != j && NonEmpty(model, i)) {
          cols.push_back(i);
          coefs.push_back(1.0);
        }
      }
      Cbc_addRow(m.get(), "", static_cast<int>(cols.size()), cols.data(), coefs.data(), 'G', 0.0);
      ++out.rows;
    }
  }
  for (const auto& cut : cuts) {
    coefs.assign(cut.size(), 1.0);
    Cbc_addRow(m.get(), "", static_cast<int>(cut.size()), cut.data(), coefs.data(), 'G', 1.0);
    ++out.rows;
  }
  Cbc_setObjSense(m.get(), 1);
  Cbc_setLogLevel(m.get(), 0);
  Cbc_setMaximumSeconds(m.get(), seconds);
  Cbc_solve(m.get());
  const double* x = Cbc_bestSolution(m.get());
  if (Cbc_isAbandoned(m.get()) || x == nullptr) return InternalError("Cbc found no suppression pattern");
  out.proven_optimal = Cbc_isProvenOptimal(m.get()) != 0;
  out.lower_bound = Cbc_getBestPossibleObjValue(m.get());
  for (int q = 0; q < n; ++q) {
    out.suppressed.push_back(x[q] > 0.5);
    out.count += out.suppressed.back() ? 1 : 0;
  }
  return out;
}

}  // namespace

std::vector<std::vector<int32_t>> QuantityRelations(const TableModel& model, const GeneratedTable& table) {
  std::vector<std::vector<int32_t>> out;
  for (const auto& relation : table.relations) {
    std::vector<int32_t> qs;
    for (int64_t cell : relation) qs.push_back(model.cells()[static_cast<size_t>(cell)].quantity);
    const int32_t parent = qs.front();
    if (std::count(qs.begin(), qs.end(), parent) > 1) continue;
    std::sort(qs.begin(), qs.end());
    qs.erase(std::unique(qs.begin(), qs.end()), qs.end());
    out.push_back(std::move(qs));
  }
  std::sort(out.begin(), out.end());
  out.erase(std::unique(out.begin(), out.end()), out.end());
  return out;
}

bool SatisfiesRelations(const TableModel& model, const std::vector<std::vector<int32_t>>& relations,
                        const std::vector<bool>& suppressed) {
  for (const auto& r : relations) {
    int hidden = 0;
    for (int32_t q : r) hidden += suppressed[static_cast<size_t>(q)] && NonEmpty(model, q) ? 1 : 0;
    if (hidden == 1) return false;
  }
  return true;
}

StatusOr<OptimalResult> SolveOptimal(const TableModel& model, const std::vector<std::vector<int32_t>>& relations,
                                     const std::vector<bool>& primary, const DisclosureRules& rules,
                                     const OptimalOptions& options) {
  std::vector<std::vector<int32_t>> cuts;
  for (int round = 0;; ++round) {
    ASSIGN_OR_RETURN(OptimalResult r, SolveOnce(model, relations, primary, cuts, options.seconds_per_solve));
    r.audits = round;
    if (round == options.audit_rounds) return r;
    ASSIGN_OR_RETURN(AuditReport audit, AuditPattern(model, Pattern{r.suppressed, primary}, rules));
    r.audits = round + 1;
    r.audit_violations = static_cast<int64_t>(audit.Violations().size());
    if (r.audit_violations == 0 || round + 1 == options.audit_rounds) return r;
    // Some non-empty cell outside this pattern must be suppressed too.
    std::vector<int32_t> cut;
    for (size_t q = 0; q < r.suppressed.size(); ++q) {
      if (!r.suppressed[q] && NonEmpty(model, static_cast<int32_t>(q))) cut.push_back(static_cast<int32_t>(q));
    }
    if (cut.empty()) return r;
    cuts.push_back(std::move(cut));
  }
}

}  // namespace hdhub::airlock::bench
