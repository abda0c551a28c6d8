// The optimal suppression pattern of a small table, for bench/airlock_bench.cc
// (issue 13: "information loss against the optimal pattern, a mixed-integer
// model on COIN-OR Cbc"). Bench code only: the airlock itself never calls Cbc.
//
// The model (the classic secondary-suppression MIP without the attacker
// subproblem): one binary s_q per quantity of the table model (suppressed
// or not); the primaries fixed at 1; empty cells fixed at 0 (suppressed
// zeros protect nothing, gauss_suppression.h, and hdhub never suppresses
// one); for every additivity relation R (a parent cell and its children)
// and every non-empty member j of R:  sum over the other non-empty members
// i of R of s_i >= s_j, so no relation holds a lone suppressed cell.
// Objective: the number of suppressed cells.
//
// That constraint is necessary for any pattern that hides its suppressed
// cells, hdhub's included, so the MIP optimum is a lower bound on the best
// pattern the airlock could publish. Optionally the hdhub attacker audit
// (attacker_audit.h) then checks the MIP's pattern; while it finds a
// violation, the cut "suppress at least one cell outside this pattern" (valid
// because suppressing more only widens the attacker's intervals) is added and
// the MIP solved again. If the audit passes, the pattern is optimal among
// those passing the audit; otherwise the count stays a lower bound.
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "airlock_tables.h"
#include "hdhub/airlock/attacker_audit.h"
#include "hdhub/airlock/table_model.h"
#include "hdhub/common/status.h"

namespace hdhub::airlock::bench {

struct OptimalOptions {
  double seconds_per_solve = 60;  // Cbc's time limit for each MIP
  int audit_rounds = 0;           // 0: no audit; else at most this many audits (and cuts)
};

struct OptimalResult {
  std::vector<bool> suppressed;   // per quantity
  int64_t count = 0;              // suppressed quantities
  double lower_bound = 0;         // Cbc's best bound on the last MIP
  bool proven_optimal = false;    // the last MIP solved to optimality
  int audits = 0;                 // audits run
  int64_t audit_violations = -1;  // of the last audit (-1: none run)
  int variables = 0;
  int rows = 0;
  std::string solver_version;
};

// The relations of `table` (cell indices) as quantity indices of `model`,
// duplicates removed; a relation whose parent is also one of its children
// (a single-child code) says nothing and is dropped.
std::vector<std::vector<int32_t>> QuantityRelations(const TableModel& model, const GeneratedTable& table);

// Whether `suppressed` (per quantity) leaves no relation with exactly one
// suppressed non-empty member.
bool SatisfiesRelations(const TableModel& model, const std::vector<std::vector<int32_t>>& relations,
                        const std::vector<bool>& suppressed);

// The MIP above. `primary`: per quantity, fixed suppressed. Internal when
// Cbc stops without a feasible pattern or abandons; the audit's errors.
StatusOr<OptimalResult> SolveOptimal(const TableModel& model, const std::vector<std::vector<int32_t>>& relations,
                                     const std::vector<bool>& primary, const DisclosureRules& rules,
                                     const OptimalOptions& options);

}  // namespace hdhub::airlock::bench
