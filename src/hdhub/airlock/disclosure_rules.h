// The parameters of the airlock's primary disclosure rules, one set per hub
// and one per project, with the safe defaults of issue 13 (the first part of
// the airlock; secondary suppression, the attacker audit, the workflow and
// certificates come later). docs/airlock-rules.md specifies every rule, its
// boundary, the JSON members and how hub and project rules combine.
//
// A project's rules may only be equal to or stricter than its hub's, member by
// member (Tighten): a project can ask for more protection, never for less.
//
// Thread-safety: values and pure functions.
#pragma once

#include <cstdint>
#include <nlohmann/json.hpp>

#include "hdhub/airlock/verdict.h"
#include "hdhub/common/status.h"

namespace hdhub::airlock {

// OpenSAFELY's level-4 limits (16 MiB, 5,000 CSV rows): a table anyone
// could check by eye, and no "table" that is really a microdata extract.
inline constexpr int64_t kDefaultMaxRows = 5000;
inline constexpr int64_t kDefaultMaxBytes = int64_t{16} * 1024 * 1024;

struct DisclosureRules {
  // A count c with 1 <= c < min_count is suppressed, so with 11 no count from
  // 1 to 10 leaves (CASD's rule for the SNDS, the strictest common French
  // value). Also the least number of contributors to a magnitude cell.
  int64_t min_count = 11;
  // What an empty cell (count 0; a magnitude cell with no contributor or
  // only zero contributions) gets: pass, review or suppress. Review: a zero
  // can disclose a whole class (everyone in the row has the attribute), but
  // structural zeros are common and suppressed zeros cannot protect each
  // other, so the checkers decide rather than the suppression.
  Outcome zeros = Outcome::kReview;
  // (n, k) dominance: a magnitude cell is unsafe when its n largest
  // contributions sum to more than k % of its total. k in (0, 100].
  int64_t dominance_n = 2;
  double dominance_k_percent = 90.0;
  // p % rule: unsafe when the second largest contributor could estimate the
  // largest within p %. p in (0, 100).
  double p_percent = 10.0;
  // A magnitude cell with a negative contribution: review or suppress.
  Outcome negative_contributions = Outcome::kReview;
  // A model with fewer residual degrees of freedom is refused.
  int64_t min_residual_dof = 10;
  // Per output file: more rows or more bytes is refused.
  int64_t max_rows = kDefaultMaxRows;
  int64_t max_bytes = kDefaultMaxBytes;

  // OK when every member is in its range; otherwise InvalidArgument naming
  // the first member out of range (in the order above).
  Status Validate() const;

  // Every member: {"min_count": 11, "zeros": "review", "dominance_n": 2,
  // "dominance_k_percent": 90.0, "p_percent": 10.0,
  // "negative_contributions": "review", "min_residual_dof": 10,
  // "max_rows": 5000, "max_bytes": 16777216}.
  nlohmann::json ToJson() const;

  // The members present in `json` over `base`'s (the defaults, or the hub's
  // rules for a project), validated. InvalidArgument naming the member for
  // a value of the wrong type, an unknown member or a value out of range;
  // InvalidArgument when `json` is not an object.
  static StatusOr<DisclosureRules> FromJson(const nlohmann::json& json, const DisclosureRules& base);
  // FromJson over the defaults: a hub's rules.
  static StatusOr<DisclosureRules> FromJson(const nlohmann::json& json);

  friend bool operator==(const DisclosureRules&, const DisclosureRules&) = default;
};

// `project` when each of its members is equal to or stricter than `hub`'s:
// min_count, dominance_n, p_percent and min_residual_dof not smaller;
// dominance_k_percent, max_rows and max_bytes not larger; zeros and
// negative_contributions not less severe (pass < review < suppress).
// InvalidArgument naming the first member that is looser (and both values),
// or a member out of range in either set.
StatusOr<DisclosureRules> Tighten(const DisclosureRules& hub, const DisclosureRules& project);

// A project's rules from its JSON: the members it names over the hub's,
// then Tighten. The errors of FromJson and Tighten.
StatusOr<DisclosureRules> ProjectRulesFromJson(const nlohmann::json& json, const DisclosureRules& hub);

}  // namespace hdhub::airlock
