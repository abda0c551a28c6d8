#include "hdhub/airlock/primary_checks.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <functional>
#include <utility>

#include "hdhub/airlock/enum_names.h"
#include "hdhub/airlock/exact_sum.h"

namespace hdhub::airlock {

namespace {

constexpr double kPercent = 100;

Verdict Make(Outcome outcome, std::string_view rule, std::string reason) {
  return Verdict{.outcome = outcome, .rule = std::string(rule), .reason = std::move(reason)};
}

// A rule parameter as people write it: 90, 87.5, 0.1 (the shortest text that
// reads back as the same double).
std::string Number(double value) {
  std::array<char, 32> buffer{};
  auto [end, error] = std::to_chars(buffer.data(), buffer.data() + buffer.size(), value);
  return error == std::errc() ? std::string(buffer.data(), end) : std::string("?");
}

std::string Number(int64_t value) { return std::to_string(value); }

Verdict ZeroVerdict(const DisclosureRules& rules, std::string reason) {
  return Make(rules.zeros, kRuleZero, std::move(reason) + "; a zero can disclose a whole class");
}

// The sums of the specification over |c| sorted in descending order
// x1 >= x2 >= ... >= xm, each exact: x1, T = x1 + ... + xm, S = x1 + ... +
// x_min(n,m), R = x3 + ... + xm.
struct Sums {
  ExactSum largest;
  ExactSum total;
  ExactSum top_n;
  ExactSum rest;
};

Sums SortedSums(std::span<const double> contributions, int64_t n) {
  std::vector<double> x(contributions.size());
  std::transform(contributions.begin(), contributions.end(), x.begin(), [](double c) { return std::fabs(c); });
  std::sort(x.begin(), x.end(), std::greater<double>());
  Sums s;
  if (!x.empty()) s.largest.Add(x[0]);
  for (size_t i = 0; i < x.size(); ++i) {
    s.total.Add(x[i]);
    if (std::cmp_less(i, n)) s.top_n.Add(x[i]);
    if (i >= 2) s.rest.Add(x[i]);
  }
  return s;
}

}  // namespace

Verdict CheckCount(int64_t count, const DisclosureRules& rules) {
  if (count < 0) return Make(Outcome::kRefuse, kRuleInvalidInput, "a count cannot be negative");
  if (count == 0) {
    return rules.zeros == Outcome::kPass ? Verdict::Pass() : ZeroVerdict(rules, "an empty cell");
  }
  if (count < rules.min_count) {
    return Make(Outcome::kSuppress, kRuleMinCount, "a count below the minimum of " + Number(rules.min_count));
  }
  return Verdict::Pass();
}

std::vector<Verdict> MagnitudeFindings(std::span<const double> contributions, const DisclosureRules& rules) {
  if (std::any_of(contributions.begin(), contributions.end(), [](double c) { return !std::isfinite(c); })) {
    return {Make(Outcome::kRefuse, kRuleNonFiniteValue, "a contribution is not a finite number (NaN or infinite)")};
  }
  const Sums s = SortedSums(contributions, rules.dominance_n);
  std::vector<Verdict> findings;
  if (s.total.IsZero() && rules.zeros != Outcome::kPass) {
    findings.push_back(ZeroVerdict(rules, "no contributor, or every contribution zero"));
  }
  if (!contributions.empty() && std::cmp_less(contributions.size(), rules.min_count)) {
    findings.push_back(
        Make(Outcome::kSuppress, kRuleMinCount, "fewer contributors than the minimum of " + Number(rules.min_count)));
  }
  if (std::any_of(contributions.begin(), contributions.end(), [](double c) { return c < 0; })) {
    findings.push_back(Make(rules.negative_contributions, kRuleNegativeContribution,
                            "a negative contribution; dominance and p % were checked on absolute values"));
  }
  if (ProductGreater(kPercent, s.top_n, rules.dominance_k_percent, s.total)) {
    findings.push_back(Make(Outcome::kSuppress, kRuleDominanceNk,
                            "the " + Number(rules.dominance_n) + " largest contributions make more than " +
                                Number(rules.dominance_k_percent) + " % of the total"));
  }
  if (ProductGreater(rules.p_percent, s.largest, kPercent, s.rest)) {  // 100 * R < p * x1
    findings.push_back(
        Make(Outcome::kSuppress, kRulePPercent,
             "the second largest contributor could estimate the largest within " + Number(rules.p_percent) + " %"));
  }
  return findings;
}

Verdict CheckMagnitude(std::span<const double> contributions, const DisclosureRules& rules) {
  return Decisive(MagnitudeFindings(contributions, rules));
}

Verdict CheckResidualDof(int64_t residual_dof, const DisclosureRules& rules) {
  if (residual_dof < rules.min_residual_dof) {
    return Make(Outcome::kRefuse, kRuleResidualDof,
                "fewer residual degrees of freedom than the minimum of " + Number(rules.min_residual_dof));
  }
  return Verdict::Pass();
}

Verdict CheckModel(const ModelShape& model, const DisclosureRules& rules) {
  if (model.observations < 0 || model.parameters < 0) {
    return Make(Outcome::kRefuse, kRuleInvalidInput, "a model's observations and parameters cannot be negative");
  }
  // Both are non-negative, so the difference cannot overflow.
  return CheckResidualDof(model.observations - model.parameters, rules);
}

namespace {

constexpr NameTable<ColumnKind, 5> kColumnKindNames = {{
    {ColumnKind::kDimension, "dimension"},
    {ColumnKind::kMeasure, "measure"},
    {ColumnKind::kIdentifier, "identifier"},
    {ColumnKind::kRecordKey, "record_key"},
    {ColumnKind::kFreeText, "free_text"},
}};

}  // namespace

std::string_view ColumnKindName(ColumnKind kind) { return NameOf(kColumnKindNames, kind); }

StatusOr<ColumnKind> ParseColumnKind(std::string_view name) {
  return ValueNamed(kColumnKindNames, name, "column kind");
}

std::vector<ColumnFinding> CheckColumns(std::span<const Column> columns) {
  std::vector<ColumnFinding> findings;
  for (const Column& c : columns) {
    switch (c.kind) {
      case ColumnKind::kDimension:
      case ColumnKind::kMeasure:
        break;
      case ColumnKind::kIdentifier:
      case ColumnKind::kRecordKey:
        findings.push_back({c.name, Make(Outcome::kRefuse, kRuleIdentifierColumn,
                                         "a person-level identifier or record key never leaves, even encrypted")});
        break;
      case ColumnKind::kFreeText:
        findings.push_back(
            {c.name, Make(Outcome::kRefuse, kRuleFreeTextColumn, "free text can hold anything person-level")});
        break;
    }
  }
  return findings;
}

std::vector<Verdict> FileFindings(const FileShape& file, const DisclosureRules& rules) {
  if (file.rows < 0 || file.bytes < 0) {
    return {Make(Outcome::kRefuse, kRuleInvalidInput, "a file's rows and bytes cannot be negative")};
  }
  std::vector<Verdict> findings;
  if (file.rows > rules.max_rows) {
    findings.push_back(Make(Outcome::kRefuse, kRuleRowLimit, "more rows than the limit of " + Number(rules.max_rows)));
  }
  if (file.bytes > rules.max_bytes) {
    findings.push_back(
        Make(Outcome::kRefuse, kRuleByteLimit, "more bytes than the limit of " + Number(rules.max_bytes)));
  }
  return findings;
}

Verdict CheckFile(const FileShape& file, const DisclosureRules& rules) { return Decisive(FileFindings(file, rules)); }

}  // namespace hdhub::airlock
