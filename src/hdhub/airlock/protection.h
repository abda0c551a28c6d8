// Protection of an export request's tables against what they, the project's
// earlier releases and each other disclose together (issue 13, part 2):
// primary rules per cell (primary_checks.h), secondary suppression by
// Gaussian elimination over the whole release history (gauss_suppression.h),
// then the attacker audit by linear programming (attacker_audit.h) with a
// bounded repair loop; what cannot be repaired is refused with its reason.
// docs/airlock-suppression.md is the specification an auditor re-implements.
//
// The result is the content of the future release certificate: per cell its
// status, the reason and rule, its true value and, when suppressed, the
// attacker's interval; every audited group; the solver and its version. It
// holds health values: it goes into the certificate, never into a log. Error
// messages and Refusal::reason name tables, cells and rules, never a value.
//
// Deterministic: the same request gives the same result, whatever the order
// of its data, of the codes of a dimension or of its tables.
//
// Thread-safety: a pure function.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/airlock/attacker_audit.h"
#include "hdhub/airlock/attacker_lp.h"
#include "hdhub/airlock/disclosure_rules.h"
#include "hdhub/airlock/table_model.h"
#include "hdhub/airlock/verdict.h"
#include "hdhub/common/status.h"

namespace hdhub::airlock {

// Rounds of "audit, add primaries, eliminate again" before refusing
// (rtauargus and sdcTable stop linked tables after 10 rounds too).
inline constexpr int kDefaultMaxRepairRounds = 10;

struct ProtectionRequest {
  std::vector<Dimension> dimensions;
  std::vector<TableSpec> tables;  // this request's tables
  MeasureData data;               // the true values, per atom
  ReleaseHistory history;         // the project's earlier releases over the same dimensions and measure
  DisclosureRules rules;
};

struct ProtectionOptions {
  int max_repair_rounds = kDefaultMaxRepairRounds;
  AttackerLpFactory lp_factory = CreateClpAttackerLp;
};

enum class CellStatus { kPublished, kSuppressed };
// "published", "suppressed".
std::string_view CellStatusName(CellStatus status);

enum class CellReason {
  kSafe,       // published: passes the primary rules and protects no primary
  kReview,     // published, but a primary rule asks the checkers to review it (zeros, negatives)
  kForced,     // published: an earlier release published it already
  kPrimary,    // suppressed by a primary rule (rule says which)
  kLedger,     // suppressed: an earlier release suppressed it, so it stays suppressed
  kSecondary,  // suppressed to protect a primary (the elimination)
  kRepair,     // suppressed: the audit found an interval too narrow and made it an extra primary
};
// "safe", "review", "forced", "primary", "ledger", "secondary", "repair".
std::string_view CellReasonName(CellReason reason);

struct CellRecord {
  std::string table;  // the request table's id
  CellCodes codes;    // one code per table dimension
  std::string key;    // the cell's canonical name, shared by equal cells of other tables
  CellStatus status = CellStatus::kPublished;
  CellReason reason = CellReason::kSafe;
  std::string rule;                  // the primary rule behind kPrimary, kReview or kForced, if any
  double value = 0;                  // the true value
  std::optional<Interval> interval;  // for suppressed cells: what an attacker can prove
};

struct Refusal {
  std::string target;  // "cell {age=0-4, sex=F}", "union primaries inside {...}"
  std::string rule;
  std::string reason;  // for people and logs: no value
  Interval interval;   // certificate content
  double true_value = 0;
};

struct ProtectionResult {
  Outcome outcome = Outcome::kPass;  // kPass: publish as patterned; kRefuse: see refusals
  std::vector<CellRecord> cells;     // the request's tables, in order, cells in cross-product order
  std::vector<AuditTarget> targets;  // the final audit, every target
  std::vector<Refusal> refusals;
  int repair_rounds = 0;
  std::string solver_name;
  std::string solver_version;

  // The certificate content as JSON; an unbounded hi is null.
  nlohmann::json ToJson() const;
};

// Protects `request`. InvalidArgument for invalid rules, tables, data or
// ledger (TableModel::Create); FailedPrecondition when the ledger disagrees
// with the data, or for a magnitude with negative contributions (the
// checkers review it); ResourceExhausted for an atom space or elimination too
// large; Internal for a solver fault or a failed self-check. A pattern that
// cannot be made safe is not an error: outcome kRefuse with refusals.
StatusOr<ProtectionResult> Protect(const ProtectionRequest& request, const ProtectionOptions& options = {});

}  // namespace hdhub::airlock
