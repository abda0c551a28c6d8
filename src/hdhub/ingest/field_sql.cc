#include "hdhub/ingest/field_sql.h"

#include <cmath>
#include <sstream>

#include "hdhub/sql/database.h"
#include "hdhub/sql/functions.h"

namespace hdhub::ingest {
namespace {

using sql::QuoteLiteral;

bool IsFullDateFormat(const std::string& format) {
  return format.find("%d") != std::string::npos && format.find("%m") != std::string::npos &&
         (format.find("%Y") != std::string::npos || format.find("%y") != std::string::npos);
}

std::string Number(double v) {
  if (v == std::floor(v) && std::fabs(v) < 1e18) return std::to_string(int64_t(v));
  std::ostringstream out;
  out.precision(17);
  out << v;
  return out.str();
}

// The value converted to the stored type, NULL when it does not convert.
std::string Typed(const Field& f, const std::string& raw) {
  const std::string type = DuckDbType(f);
  if (f.type == "boolean") {
    return "(CASE lower(" + raw +
           ") WHEN '1' THEN true WHEN 'true' THEN true WHEN '0' THEN false "
           "WHEN 'false' THEN false END)";
  }
  if (type == "DATE" && f.format != "default") {
    return "CAST(try_strptime(" + raw + ", " + QuoteLiteral(f.format) + ") AS DATE)";
  }
  if (type == "TIMESTAMP" && f.format != "default") {
    return "try_strptime(" + raw + ", " + QuoteLiteral(f.format) + ")";
  }
  if (type == "VARCHAR") return raw;
  return "TRY_CAST(" + raw + " AS " + type + ")";
}

// A shape the text itself must have, for types that stay text or whose cast
// is more lenient than the Table Schema.
std::optional<sql::TextShape> Shape(const Field& f) {
  if (f.type == "yearmonth") return sql::TextShape::kYearMonth;
  if (f.type == "year") return sql::TextShape::kYear;
  if (f.type == "date" && f.format == "%m") return sql::TextShape::kMonth;
  if (f.type == "date" && f.format == "default") return sql::TextShape::kIsoDate;
  if (f.type == "integer") return sql::TextShape::kInteger;
  return std::nullopt;
}

// Every check a present value must pass, as a list of SQL conditions that
// are true when a check fails.
std::vector<std::string> Failures(const Field& f, const std::string& raw, const std::string& typed,
                                  std::optional<int> code_set) {
  std::vector<std::string> fails;
  if (DuckDbType(f) != "VARCHAR" || f.type == "boolean") fails.push_back(typed + " IS NULL");
  if (std::optional<sql::TextShape> shape = Shape(f)) {
    fails.push_back("NOT hdhub_shape_ok(" + std::to_string(int(*shape)) + ", " + raw + ")");
  }
  if (!f.pattern.empty()) fails.push_back("NOT regexp_full_match(" + raw + ", " + QuoteLiteral(f.pattern) + ")");
  if (f.min_length) fails.push_back("length(" + raw + ") < " + std::to_string(*f.min_length));
  if (f.max_length) fails.push_back("length(" + raw + ") > " + std::to_string(*f.max_length));
  bool numeric = f.type == "integer" || f.type == "number" || f.type == "year";
  if (numeric && f.minimum) fails.push_back(typed + " < " + Number(*f.minimum));
  if (numeric && f.maximum) fails.push_back(typed + " > " + Number(*f.maximum));
  if (!f.enum_values.empty()) {
    std::string list;
    for (const std::string& e : f.enum_values) list += (list.empty() ? "" : ", ") + QuoteLiteral(e);
    fails.push_back(raw + " NOT IN (" + list + ")");
  }
  if (code_set) {
    std::string code = f.type == "integer" ? "CAST(" + typed + " AS VARCHAR)" : raw;
    fails.push_back("NOT hdhub_code_ok(" + std::to_string(*code_set) + ", " + code + ")");
  }
  return fails;
}

std::string Expected(const Field& f, std::optional<int> code_set) {
  std::string e = (f.type.find_first_of("aeiou") == 0 ? "an " : "a ") + f.type;
  if (f.format != "default") e += " in format " + f.format;
  if (f.min_length && f.max_length && *f.min_length == *f.max_length) {
    e += " of exactly " + std::to_string(*f.max_length) + " characters";
  } else if (f.min_length && f.max_length) {
    e += " of " + std::to_string(*f.min_length) + " to " + std::to_string(*f.max_length) + " characters";
  } else if (f.max_length) {
    e += " of at most " + std::to_string(*f.max_length) + " characters";
  } else if (f.min_length) {
    e += " of at least " + std::to_string(*f.min_length) + " characters";
  }
  if (f.minimum || f.maximum) {
    e += " between " + (f.minimum ? Number(*f.minimum) : "-inf") + " and " + (f.maximum ? Number(*f.maximum) : "inf");
  }
  if (!f.enum_values.empty()) e += " among " + std::to_string(f.enum_values.size()) + " listed values";
  if (!f.pattern.empty()) e += " matching its pattern";
  if (code_set) e += " that is a code of " + f.nomenclature.substr(0, f.nomenclature.find(':'));
  if (f.required) e += " (required)";
  return e;
}

std::string MissingCondition(const std::string& raw, const std::vector<std::string>& missing_values) {
  std::string cond = raw + " IS NULL";
  for (const std::string& m : missing_values) cond += " OR " + raw + " = " + QuoteLiteral(m);
  return "(" + cond + ")";
}

}  // namespace

std::string DuckDbType(const Field& field) {
  if (field.type == "integer") return "BIGINT";
  if (field.type == "number") return "DOUBLE";
  if (field.type == "boolean") return "BOOLEAN";
  if (field.type == "year") return "INTEGER";
  if (field.type == "date" && (field.format == "default" || IsFullDateFormat(field.format))) return "DATE";
  if (field.type == "datetime") return "TIMESTAMP";
  return "VARCHAR";  // string, yearmonth, a month-only date
}

FieldSql BuildFieldSql(const Field& f, ColumnTreatment treatment, const std::vector<std::string>& missing_values,
                       std::optional<int> code_set) {
  const std::string raw = sql::QuoteIdentifier(f.name);
  const std::string missing = MissingCondition(raw, missing_values);
  const std::string when_missing = f.required ? "true" : "false";
  if (treatment == ColumnTreatment::kPseudonym) {
    return FieldSql{
        .type = "UUID",
        .invalid = "(CASE WHEN " + missing + " THEN " + when_missing + " ELSE NOT hdhub_pseudonym_ok(" + raw + ") END)",
        .stored = "hdhub_p2(" + raw + ")",
        .expected = "a pseudonym: 64 hex digits (stage 1) or 17 characters (SNDS)"};
  }
  const std::string typed = Typed(f, raw);
  std::string any_failure;
  for (const std::string& fail : Failures(f, raw, typed, code_set)) {
    any_failure += (any_failure.empty() ? "" : " OR ") + fail;
  }
  if (any_failure.empty()) any_failure = "false";
  FieldSql out{
      .type = DuckDbType(f),
      .invalid = "(CASE WHEN " + missing + " THEN " + when_missing + " ELSE coalesce(" + any_failure + ", true) END)",
      .stored = "(CASE WHEN " + missing + " THEN NULL ELSE " + typed + " END)",
      .expected = Expected(f, code_set)};
  out.stored = Generalised(out.stored, treatment, out.type);
  return out;
}

std::string Generalised(const std::string& value, ColumnTreatment treatment, const std::string& type) {
  if (treatment != ColumnTreatment::kMonth || type != "DATE") return value;
  return "CAST(date_trunc('month', " + value + ") AS DATE)";
}

}  // namespace hdhub::ingest
