// The airlock's primary disclosure checks: pure functions from one cell,
// model, column list or file to verdicts (verdict.h) under a set of
// DisclosureRules. They look at one thing at a time; what several outputs
// reveal together is the later stages' business (secondary suppression and
// the attacker audit, issue 13). docs/airlock-rules.md is the specification,
// each formula and boundary as computed here.
//
// Deterministic: the same input gives the same verdict on every run and
// machine; a magnitude cell's verdict does not depend on the order of its
// contributions (they are sorted before any sum).
//
// Thread-safety: pure functions.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/airlock/disclosure_rules.h"
#include "hdhub/airlock/verdict.h"
#include "hdhub/common/status.h"

namespace hdhub::airlock {

// A count cell: the number of people behind it.
//   count < 0                   refuse   invalid_input
//   count == 0                  rules.zeros, zero (a plain pass when "pass")
//   1 <= count < min_count      suppress min_count
//   otherwise                   pass
Verdict CheckCount(int64_t count, const DisclosureRules& rules);

// A magnitude cell: one contribution per person behind it (a person's sum).
// Every finding, in this fixed order (empty when the cell passes):
//   a NaN or infinite contribution: refuse non_finite_value, and nothing
//     else (no other rule is evaluated);
//   no contributor, or every contribution zero: rules.zeros (no finding
//     when "pass"), zero;
//   1 <= contributors < min_count: suppress, min_count;
//   a contribution < 0: rules.negative_contributions, negative_contribution;
//   (n, k) dominance: suppress, dominance_nk;
//   p %: suppress, p_percent.
// Dominance and p % are evaluated on the absolute values sorted in
// descending order x1 >= x2 >= ... >= xm, with T = x1 + ... + xm,
// S = x1 + ... + x_min(n,m), R = x3 + ... + xm (0 when m <= 2), every sum
// and product exact on the doubles' binary values (exact_sum.h):
//   dominance_nk when 100 * S > k * T;
//   p_percent    when 100 * R < p * x1.
std::vector<Verdict> MagnitudeFindings(std::span<const double> contributions, const DisclosureRules& rules);
// Decisive(MagnitudeFindings(...)).
Verdict CheckMagnitude(std::span<const double> contributions, const DisclosureRules& rules);

// A fitted model's size.
struct ModelShape {
  int64_t observations = 0;
  int64_t parameters = 0;  // estimated coefficients, intercept included
};
// Residual degrees of freedom d:
//   d < min_residual_dof        refuse   residual_dof
//   otherwise                   pass
Verdict CheckResidualDof(int64_t residual_dof, const DisclosureRules& rules);
// CheckResidualDof(observations - parameters); refuse invalid_input when
// either is negative.
Verdict CheckModel(const ModelShape& model, const DisclosureRules& rules);

// What a column of an output holds, as declared in the export request.
enum class ColumnKind {
  kDimension,   // a category the table is broken down by (age band, year)
  kMeasure,     // an aggregate (count, sum, mean, coefficient)
  kIdentifier,  // a person: pseudonym, NIR, any person-level id, even encrypted
  kRecordKey,   // a record: stay, prescription, claim or row id
  kFreeText,    // unstructured text, which can hold anything person-level
};
// "dimension", "measure", "identifier", "record_key", "free_text".
std::string_view ColumnKindName(ColumnKind kind);
// The inverse of ColumnKindName; InvalidArgument for any other text.
StatusOr<ColumnKind> ParseColumnKind(std::string_view name);

struct Column {
  std::string name;
  ColumnKind kind = ColumnKind::kDimension;
};
struct ColumnFinding {
  std::string column;  // the column's name, as declared
  Verdict verdict;

  friend bool operator==(const ColumnFinding&, const ColumnFinding&) = default;
};
// The columns that may not leave, in the order given: identifier and record
// key columns (refuse identifier_column), free text (refuse
// free_text_column). Empty when every column is a dimension or a measure.
// Not configurable: no rule set lets a person-level column out.
std::vector<ColumnFinding> CheckColumns(std::span<const Column> columns);

// An output file's size.
struct FileShape {
  int64_t rows = 0;   // data rows, header excluded
  int64_t bytes = 0;  // the file's length
};
// Every finding, in this order: rows or bytes < 0 refuse invalid_input (and
// nothing else); rows > max_rows refuse row_limit; bytes > max_bytes refuse
// byte_limit. Empty when the file is within the limits (a file of exactly
// max_rows rows and max_bytes bytes passes).
std::vector<Verdict> FileFindings(const FileShape& file, const DisclosureRules& rules);
// Decisive(FileFindings(...)).
Verdict CheckFile(const FileShape& file, const DisclosureRules& rules);

}  // namespace hdhub::airlock
