// A verdict of the airlock's primary disclosure checks (primary_checks.h):
// what to do with one cell, model, column or file, the stable id of the rule
// that decided it, and a short reason for people. docs/airlock-rules.md is
// the specification an auditor reimplements.
//
// A reason names the rule and its parameters (the minimum count, k, p),
// never a value read from the data: not a count, a contribution, a total or
// a number of observations. Verdicts go into evidence that leaves the
// workspace.
//
// Thread-safety: values and pure functions.
#pragma once

#include <nlohmann/json.hpp>
#include <span>
#include <string>
#include <string_view>

#include "hdhub/common/status.h"

namespace hdhub::airlock {

// Ordered by severity: a more severe outcome overrides a less severe one
// (Decisive). The order is part of the specification.
enum class Outcome {
  kPass = 0,      // may be published, subject to the later stages
  kReview = 1,    // the automatic checks cannot clear it: the checkers must, with reasons
  kSuppress = 2,  // the cell is withheld (a primary suppression); the rest may leave
  kRefuse = 3,    // the output cannot leave in this form
};

// "pass", "review", "suppress", "refuse".
std::string_view OutcomeName(Outcome outcome);
// The inverse of OutcomeName; InvalidArgument for any other text.
StatusOr<Outcome> ParseOutcome(std::string_view name);

// Stable rule ids: they are written into certificates and never renamed.
inline constexpr std::string_view kRuleMinCount = "min_count";
inline constexpr std::string_view kRuleZero = "zero";
inline constexpr std::string_view kRuleDominanceNk = "dominance_nk";
inline constexpr std::string_view kRulePPercent = "p_percent";
inline constexpr std::string_view kRuleNegativeContribution = "negative_contribution";
inline constexpr std::string_view kRuleResidualDof = "residual_dof";
inline constexpr std::string_view kRuleIdentifierColumn = "identifier_column";
inline constexpr std::string_view kRuleFreeTextColumn = "free_text_column";
inline constexpr std::string_view kRuleRowLimit = "row_limit";
inline constexpr std::string_view kRuleByteLimit = "byte_limit";
inline constexpr std::string_view kRuleNonFiniteValue = "non_finite_value";
inline constexpr std::string_view kRuleInvalidInput = "invalid_input";

struct Verdict {
  Outcome outcome = Outcome::kPass;
  std::string rule;    // one of the kRule ids; empty for a pass
  std::string reason;  // for people; never a value read from the data

  static Verdict Pass();

  // {"outcome": "suppress", "rule": "min_count", "reason": "..."}
  nlohmann::json ToJson() const;

  friend bool operator==(const Verdict&, const Verdict&) = default;
};

// The most severe of `findings`, the first of them on a tie (callers list
// findings in the specification's fixed order); Verdict::Pass() when empty.
Verdict Decisive(std::span<const Verdict> findings);

}  // namespace hdhub::airlock
