#include "hdhub/ingest/table_plan.h"

#include "hdhub/sql/database.h"

namespace hdhub::ingest {
namespace {

bool Stored(const PlannedField& f) { return f.rule.treatment != ColumnTreatment::kDrop; }

Status CheckHeader(const TableSchema& schema, const CsvSource& source) {
  std::vector<std::string> names;
  for (const Field& f : schema.fields) names.push_back(f.name);
  return source.CheckHeader(names, schema.name.empty() ? "the schema" : schema.name);
}

uint64_t ToCount(const std::optional<std::string>& cell) { return cell ? std::stoull(*cell) : 0; }

}  // namespace

StatusOr<TablePlan> TablePlan::Make(const std::string& table, const TableSchema& schema, const CsvSource& source,
                                    const Nomenclatures& nomenclatures, bool reference) {
  RETURN_IF_ERROR(CheckHeader(schema, source));
  TablePlan plan;
  plan.table_ = table;
  plan.reference_ = reference;
  for (const Field& f : schema.fields) {
    ColumnRule rule =
        reference ? ColumnRule{ColumnTreatment::kKeep, "reference table: stored as it comes"} : RuleFor(table, f.name);
    std::optional<int> set = nomenclatures.SetFor(f);
    plan.fields_.push_back(
        PlannedField{.field = f, .rule = rule, .sql = BuildFieldSql(f, rule.treatment, schema.missing_values, set)});
    std::optional<ValueRule> fused =
        FusedRule(f, schema.missing_values, set ? &nomenclatures.sets()[size_t(*set)] : nullptr);
    bool usable = fused && rule.treatment != ColumnTreatment::kPseudonym;
    plan.fused_.push_back(usable);
    plan.rules_.push_back(usable ? *fused : ValueRule{});
  }
  return plan;
}

std::string TablePlan::WriteSelect(const CsvSource& source, InvalidPolicy policy) const {
  std::string select, any_invalid;
  for (size_t i = 0; i < fields_.size(); ++i) {
    const PlannedField& f = fields_[i];
    if (!Stored(f)) continue;
    std::string name = sql::QuoteIdentifier(f.field.name);
    std::string value = f.sql.stored;
    if (policy != InvalidPolicy::kRejectRow && fused_[i]) {
      value = Generalised(FusedCall(rules_[i], i, name), f.rule.treatment, f.sql.type);
    } else if (policy == InvalidPolicy::kRejectRow) {
      any_invalid += (any_invalid.empty() ? "" : " OR ") + f.sql.invalid;
    } else {
      // Only the rows whose value is refused reach hdhub_invalid (a CASE
      // branch), which counts them or aborts the statement.
      value = "CASE WHEN " + f.sql.invalid + " THEN CASE WHEN hdhub_invalid(" + std::to_string(i) +
              ") THEN CAST(NULL AS " + f.sql.type + ") END ELSE " + value + " END";
    }
    select += (select.empty() ? "" : ", ") + value + " AS " + name;
  }
  std::string out = "SELECT " + select + " FROM " + source.ReadSql();
  if (policy == InvalidPolicy::kRejectRow && !any_invalid.empty()) {
    out += " WHERE NOT (CASE WHEN " + any_invalid + " THEN hdhub_reject(0) ELSE false END)";
  }
  return out;
}

std::string TablePlan::DiagnoseSelect(const CsvSource& source) const {
  std::string select = "count(*)";
  for (const PlannedField& f : fields_) {
    if (!Stored(f)) continue;
    select += ", min(__line) FILTER (WHERE " + f.sql.invalid + "), count(*) FILTER (WHERE " + f.sql.invalid + ")";
  }
  return "SELECT " + select + " FROM " + source.ReadSqlWithLines();
}

void TablePlan::ReadDiagnosis(const std::vector<sql::Cell>& row, IngestReport* report) const {
  report->rows_read = ToCount(row.at(0));
  report->issues.clear();
  size_t column = 1;
  for (const PlannedField& f : fields_) {
    if (!Stored(f)) continue;
    uint64_t first = ToCount(row.at(column)), count = ToCount(row.at(column + 1));
    column += 2;
    if (count > 0) report->issues.push_back({f.field.name, count, first, "expected " + f.sql.expected});
  }
}

void TablePlan::DescribeTreatments(IngestReport* report) const {
  for (const PlannedField& f : fields_) {
    if (!reference_ && IsRecordIdentifier(table_, f.field.name)) report->record_identifiers.push_back(f.field.name);
    switch (f.rule.treatment) {
      case ColumnTreatment::kPseudonym:
        report->pseudonymized.push_back(f.field.name);
        break;
      case ColumnTreatment::kDrop:
        report->dropped.push_back(f.field.name);
        break;
      case ColumnTreatment::kMonth:
        report->generalised.push_back(f.field.name);
        break;
      case ColumnTreatment::kKeep:
        break;
    }
  }
}

}  // namespace hdhub::ingest
