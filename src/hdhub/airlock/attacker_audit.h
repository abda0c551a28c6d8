// The attacker audit of a suppression pattern (docs/airlock-suppression.md,
// "Attacker audit"): for every suppressed cell and every small group of
// people derivable by differencing, the interval an attacker can prove from
// everything published (this request and the whole ledger), by linear
// programming (attacker_lp.h), and whether it is too narrow.
//
// Targets, each a set of atoms, deduplicated (the first kind listed wins):
//   cell        every suppressed quantity;
//   atom        every atom holding a small group (counts: 1..T-1 people;
//               magnitudes: an atom the primary rules would suppress);
//   difference  counts: S_c \ S_c' for two published quantities c' inside c
//               whose values differ by 1..T-1;
//   union       for every published quantity, the union of the suppressed
//               primaries inside it, when that union is itself sensitive;
//   insider     for each singleton primary s (one contributor), every
//               sensitive cell or union target meeting one of the tightest
//               published relations holding s (in 2-D: its row and column),
//               re-solved with s's value known, over its atoms outside s
//               (the people the insider does not know), when that group is
//               itself sensitive. Chains through further
//               relations are covered for exact disclosure by the
//               elimination (gauss_suppression.h), not by this pass.
// Counts: bounds are rounded inward (ceil lo, floor hi); a target with true
// n in 1..T-1 is violated iff lo >= 1 and hi <= T-1; a zero primary (zeros =
// suppress) is violated iff hi = 0. Magnitudes: protection levels from the p %
// and (n, k) rules; violated iff hi < X + P or lo > X - min(P, X), or, when
// only the minimum number of contributors applies, iff hi = lo.
//
// Fails closed: the true value must lie inside every interval (a breach is an
// Internal error, not a pass), and a solver that proves neither optimality
// nor unboundedness is an error.
//
// Thread-safety: a pure function. The insider pass runs on two threads,
// each with its own LP from the factory (which must allow that).
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/airlock/attacker_lp.h"
#include "hdhub/airlock/disclosure_rules.h"
#include "hdhub/airlock/table_model.h"
#include "hdhub/common/status.h"

namespace hdhub::airlock {

enum class TargetKind { kCell, kAtom, kDifference, kUnion, kInsider };
// "cell", "atom", "difference", "union", "insider".
std::string_view TargetKindName(TargetKind kind);

struct Interval {
  double lo = 0;
  double hi = 0;  // +infinity when the attacker has no upper bound

  friend bool operator==(const Interval&, const Interval&) = default;
};

// What a sensitive group needs: which rule makes it sensitive and, for
// magnitudes, the protection level P (0: only exact disclosure is ruled out).
struct Requirement {
  std::string rule;  // kRuleMinCount, kRuleZero, kRuleDominanceNk, kRulePPercent
  double protection = 0;
};

// The requirement on a group with these data, or none when the group is not
// sensitive. `zero_primary`: the group is a suppressed primary with true
// value 0 and rules.zeros is suppress.
std::optional<Requirement> RequirementFor(const GroupData& group, MeasureKind kind, const DisclosureRules& rules,
                                          bool zero_primary);

struct AuditTarget {
  TargetKind kind = TargetKind::kCell;
  std::string name;  // "{age=0-4, sex=F}", "{...} minus {...}", "{...} given {...}"
  std::vector<int32_t> atoms;  // kInsider: the named target's atoms outside the singleton's
  int32_t quantity = -1;       // kCell: the quantity
  int32_t insider = -1;   // kInsider: the singleton quantity taken as known
  double true_value = 0;  // certificate content, never for logs
  std::optional<Requirement> requirement;
  Interval interval;
  bool violation = false;
  bool solved = true;  // false: a witness proved it safe without its LPs (AuditScope); interval unset
};

struct AuditReport {
  std::vector<AuditTarget> targets;
  std::string solver_name;
  std::string solver_version;

  // The violated targets, in order.
  std::vector<const AuditTarget*> Violations() const;
};

// The pattern to audit: per quantity of `model`, suppressed or not, and
// whether it is a primary (primary rule, ledger, or repair).
struct Pattern {
  std::vector<bool> suppressed;
  std::vector<bool> primary;
};

// Both scopes find the same violations, in the same order. A target that
// cannot be violated is left unsolved (solved = false, interval [0, +inf)):
// one without a requirement, or a count target that a witness
// (audit_witnesses.h: an earlier LP solution, or for an insider target a
// point of the plain LP moved onto the singleton's row) shows has lo <= 0,
// or hi >= T (hi >= 1 for a zero primary), or whose maximum, solved first,
// reaches T (1 for a zero primary; its minimum then left unsolved). kFull: every suppressed cell's
// interval is solved all the same (the certificate publishes it); for the
// final pattern. kViolations: cells may be left unsolved too; for the repair
// rounds, whose intervals nobody publishes.
enum class AuditScope { kFull, kViolations };

// Audits `pattern`. InvalidArgument when the pattern's sizes do not match
// the model or a primary is not suppressed; FailedPrecondition for a
// magnitude with a negative contribution (the LP assumes non-negative
// atoms: such outputs go to the checkers); Internal for a solver fault or a
// self-check breach.
StatusOr<AuditReport> AuditPattern(const TableModel& model, const Pattern& pattern, const DisclosureRules& rules,
                                   const AttackerLpFactory& lp_factory = CreateClpAttackerLp,
                                   AuditScope scope = AuditScope::kFull);

// Completes `report`, a kViolations audit of `pattern`, into a full one:
// solves every suppressed cell's interval it left unsolved, on the same
// pattern, so that a repair loop's last round need not be audited twice.
// The verdicts stay (a cell left unsolved was proven not violated); the
// self-check applies to each interval solved. Other targets a witness
// cleared stay unsolved (interval null in the evidence), as in kFull.
// The cells are solved on two threads, each with its own LP (the same
// intervals on every run). InvalidArgument when the report's cell targets
// are not the pattern's suppressed quantities; the errors of AuditPattern
// otherwise.
Status CompleteCellIntervals(const TableModel& model, const Pattern& pattern, const DisclosureRules& rules,
                             AuditReport& report, const AttackerLpFactory& lp_factory = CreateClpAttackerLp);

}  // namespace hdhub::airlock
