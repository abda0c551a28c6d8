#include "hdhub/ingest/value_functions.h"

#include <algorithm>
#include <charconv>
#include <cmath>

#include "duckdb.hpp"
#include "duckdb/common/types/date.hpp"
#include "duckdb/main/extension/extension_loader.hpp"
#include "hdhub/ingest/field_sql.h"

namespace hdhub::ingest {
namespace {

using duckdb::LogicalType;
using duckdb::string_t;
using Kind = ValueRule::Kind;

int64_t Characters(std::string_view s) {
  int64_t n = 0;
  for (char c : s) n += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  return n;
}

std::optional<int64_t> ParseInt(std::string_view s) {
  int64_t v = 0;
  if (!sql::HasShape(sql::TextShape::kInteger, s)) return std::nullopt;
  std::string_view digits = (s[0] == '+' || s[0] == '-') ? s.substr(1) : s;
  auto [end, ec] = std::from_chars(digits.data(), digits.data() + digits.size(), v);
  if (ec != std::errc() || end != digits.data() + digits.size()) return std::nullopt;
  return s[0] == '-' ? -v : v;
}

std::optional<double> ParseDouble(std::string_view s) {
  double v = 0;
  std::string_view body = (!s.empty() && s[0] == '+') ? s.substr(1) : s;
  auto [end, ec] = std::from_chars(body.data(), body.data() + body.size(), v);
  if (body.empty() || ec != std::errc() || end != body.data() + body.size() || !std::isfinite(v)) return std::nullopt;
  return v;
}

std::optional<bool> ParseBool(std::string_view s) {
  if (s == "1" || s == "true" || s == "TRUE" || s == "True") return true;
  if (s == "0" || s == "false" || s == "FALSE" || s == "False") return false;
  return std::nullopt;
}

std::optional<duckdb::date_t> ParseIsoDate(std::string_view s) {
  if (!sql::HasShape(sql::TextShape::kIsoDate, s)) return std::nullopt;
  auto num = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) v = v * 10 + (s[i] - '0');
    return v;
  };
  duckdb::date_t d;
  if (!duckdb::Date::TryFromDate(num(0, 4), num(5, 2), num(8, 2), d)) return std::nullopt;
  return d;
}

bool InRange(const ValueRule& r, double v) {
  return (!r.minimum || v >= *r.minimum) && (!r.maximum || v <= *r.maximum);
}

// Checks that do not depend on the type: lengths, enumeration, and the
// nomenclature on `code` (the canonical text of the value).
bool TextChecks(const ValueRule& r, std::string_view raw, std::string_view code) {
  if (r.min_length || r.max_length) {
    int64_t n = Characters(raw);
    if ((r.min_length && n < *r.min_length) || (r.max_length && n > *r.max_length)) return false;
  }
  if (!r.enum_values.empty() && !r.enum_values.contains(std::string(raw))) return false;
  return r.codes == nullptr || r.codes->contains(std::string(code));
}

// The typed value of a present `raw`, or nullopt when refused.
template <typename T>
std::optional<T> Typed(const ValueRule& r, std::string_view raw);

template <>
std::optional<int64_t> Typed(const ValueRule& r, std::string_view raw) {
  std::optional<int64_t> v = ParseInt(raw);
  if (!v || !InRange(r, double(*v))) return std::nullopt;
  if (r.codes == nullptr) return TextChecks(r, raw, raw) ? v : std::nullopt;
  char buf[24];
  auto [end, ec] = std::to_chars(buf, buf + sizeof(buf), *v);
  return TextChecks(r, raw, std::string_view(buf, size_t(end - buf))) ? v : std::nullopt;
}

template <>
std::optional<int32_t> Typed(const ValueRule& r, std::string_view raw) {  // years
  if (!sql::HasShape(sql::TextShape::kYear, raw)) return std::nullopt;
  int32_t v = int32_t(*ParseInt(raw));
  return InRange(r, v) && TextChecks(r, raw, raw) ? std::optional<int32_t>(v) : std::nullopt;
}

template <>
std::optional<double> Typed(const ValueRule& r, std::string_view raw) {
  std::optional<double> v = ParseDouble(raw);
  return v && InRange(r, *v) && TextChecks(r, raw, raw) ? v : std::nullopt;
}

template <>
std::optional<bool> Typed(const ValueRule& r, std::string_view raw) {
  std::optional<bool> v = ParseBool(raw);
  return v && TextChecks(r, raw, raw) ? v : std::nullopt;
}

template <>
std::optional<duckdb::date_t> Typed(const ValueRule& r, std::string_view raw) {
  std::optional<duckdb::date_t> v = ParseIsoDate(raw);
  return v && TextChecks(r, raw, raw) ? v : std::nullopt;
}

template <>
std::optional<string_t> Typed(const ValueRule& r, std::string_view raw) {
  if (!TextChecks(r, raw, raw)) return std::nullopt;
  return string_t(raw.data(), uint32_t(raw.size()));
}

bool IsMissing(const ValueRule& r, std::string_view raw) {
  for (const std::string& m : r.missing) {
    if (raw == m) return true;
  }
  return false;
}

// One vector: parse every row, NULL for missing and refused values, refused
// ones counted (or thrown) once per vector.
template <typename T>
void Evaluate(const std::vector<ValueRule>& rules, sql::ValueTally* tally, duckdb::DataChunk& args,
              duckdb::Vector& result) {
  const size_t count = args.size();
  result.SetVectorType(duckdb::VectorType::FLAT_VECTOR);
  if (count == 0) return;
  const auto field = size_t(args.data[0].GetValue(0).GetValue<int32_t>());
  const ValueRule& rule = rules.at(field);
  duckdb::UnifiedVectorFormat raw;
  args.data[1].ToUnifiedFormat(count, raw);
  const auto* texts = duckdb::UnifiedVectorFormat::GetData<string_t>(raw);
  T* out = duckdb::FlatVector::GetData<T>(result);
  auto& validity = duckdb::FlatVector::Validity(result);
  validity.EnsureWritable();
  uint64_t* bits = validity.GetData();  // all valid; cleared bit by bit below
  if constexpr (std::is_same_v<T, string_t>) duckdb::StringVector::AddHeapReference(result, args.data[1]);
  // Most fields of a wide extract are empty, which DuckDB's CSV reader gives
  // as NULL: 64 rows of an optional field that are all NULL take one word.
  const bool skip_null_words = !raw.sel->IsSet() && !raw.validity.AllValid() && !rule.required;
  constexpr size_t kWord = 64;
  uint64_t refused = 0;
  for (size_t word = 0; word * kWord < count; ++word) {
    const size_t end = std::min(count, (word + 1) * kWord);
    if (skip_null_words && raw.validity.GetValidityEntry(word) == 0) {
      bits[word] = 0;
      continue;
    }
    for (size_t i = word * kWord; i < end; ++i) {
      const auto idx = raw.sel->get_index(i);
      const bool valid = raw.validity.RowIsValid(idx);
      const std::string_view text = valid ? std::string_view(texts[idx].GetData(), texts[idx].GetSize()) : "";
      const bool present = valid && !IsMissing(rule, text);
      std::optional<T> v;
      if (present) v = Typed<T>(rule, text);
      if (v) {
        out[i] = *v;
        continue;
      }
      bits[word] &= ~(uint64_t{1} << (i % kWord));
      if (present || rule.required) ++refused;
    }
  }
  if (refused > 0) tally->CountInvalid(field, refused);
}

const char* FunctionName(Kind k) {
  switch (k) {
    case Kind::kInteger:
      return "hdhub_value_bigint";
    case Kind::kNumber:
      return "hdhub_value_double";
    case Kind::kBoolean:
      return "hdhub_value_boolean";
    case Kind::kYear:
      return "hdhub_value_integer";
    case Kind::kIsoDate:
      return "hdhub_value_date";
    case Kind::kString:
      return "hdhub_value_varchar";
  }
  return "hdhub_value_varchar";
}

}  // namespace

std::optional<ValueRule> FusedRule(const Field& f, const std::vector<std::string>& missing_values,
                                   const sql::CodeSet* codes) {
  if (!f.pattern.empty()) return std::nullopt;
  ValueRule r{.required = f.required,
              .missing = missing_values,
              .min_length = f.min_length,
              .max_length = f.max_length,
              .minimum = f.minimum,
              .maximum = f.maximum,
              .codes = codes};
  r.enum_values.insert(f.enum_values.begin(), f.enum_values.end());
  if (f.type == "string")
    r.kind = Kind::kString;
  else if (f.type == "integer")
    r.kind = Kind::kInteger;
  else if (f.type == "number")
    r.kind = Kind::kNumber;
  else if (f.type == "boolean")
    r.kind = Kind::kBoolean;
  else if (f.type == "year")
    r.kind = Kind::kYear;
  else if (f.type == "date" && f.format == "default")
    r.kind = Kind::kIsoDate;
  else
    return std::nullopt;  // datetimes, custom date formats, yearmonth, month-only dates
  return r;
}

std::string FusedCall(const ValueRule& rule, size_t index, const std::string& column) {
  return std::string(FunctionName(rule.kind)) + "(" + std::to_string(index) + ", " + column + ")";
}

Status RegisterValueFunctions(sql::Database& db, const std::vector<ValueRule>* rules, sql::ValueTally* tally) {
  try {
    duckdb::ExtensionLoader loader(db.instance(), "hdhub");
    auto add = [&]<typename T>(Kind kind, const LogicalType& type) {
      duckdb::ScalarFunction f(
          FunctionName(kind), {LogicalType::INTEGER, LogicalType::VARCHAR}, type,
          [=](duckdb::DataChunk& a, duckdb::ExpressionState&, duckdb::Vector& r) { Evaluate<T>(*rules, tally, a, r); });
      f.null_handling = duckdb::FunctionNullHandling::SPECIAL_HANDLING;  // a NULL may be a refused required value
      f.stability = duckdb::FunctionStability::VOLATILE;                 // it counts; never folded or skipped
      f.errors = duckdb::FunctionErrors::CAN_THROW_RUNTIME_ERROR;
      loader.RegisterFunction(std::move(f));
    };
    add.operator()<int64_t>(Kind::kInteger, LogicalType::BIGINT);
    add.operator()<double>(Kind::kNumber, LogicalType::DOUBLE);
    add.operator()<bool>(Kind::kBoolean, LogicalType::BOOLEAN);
    add.operator()<int32_t>(Kind::kYear, LogicalType::INTEGER);
    add.operator()<duckdb::date_t>(Kind::kIsoDate, LogicalType::DATE);
    add.operator()<string_t>(Kind::kString, LogicalType::VARCHAR);
  } catch (const std::exception& e) {
    return InternalError(std::string("registering the value functions: ") + e.what());
  }
  return OkStatus();
}

std::string CheckValueForTest(const ValueRule& rule, std::string_view raw) {
  if (IsMissing(rule, raw)) return rule.required ? "refused" : "NULL";
  auto show = [](const auto& v, auto make) -> std::string { return v ? make(*v).ToString() : "refused"; };
  switch (rule.kind) {
    case Kind::kInteger:
      return show(Typed<int64_t>(rule, raw), duckdb::Value::BIGINT);
    case Kind::kNumber:
      return show(Typed<double>(rule, raw), duckdb::Value::DOUBLE);
    case Kind::kBoolean:
      return show(Typed<bool>(rule, raw), duckdb::Value::BOOLEAN);
    case Kind::kYear:
      return show(Typed<int32_t>(rule, raw), duckdb::Value::INTEGER);
    case Kind::kIsoDate: {
      std::optional<duckdb::date_t> d = Typed<duckdb::date_t>(rule, raw);
      return d ? duckdb::Value::DATE(*d).ToString() : "refused";
    }
    case Kind::kString: {
      std::optional<string_t> s = Typed<string_t>(rule, raw);
      return s ? s->GetString() : "refused";
    }
  }
  return "refused";
}

}  // namespace hdhub::ingest
