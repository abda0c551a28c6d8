// Frame declarations read and validated, and the queries written from them
// (docs/airlock-workflow.md §2.1). BuildDimensions is in frame_dimensions.cc.
#include "hdhub/exports/frame.h"

#include <algorithm>
#include <cctype>
#include <set>
#include <utility>

#include "hdhub/common/bytes.h"
#include "hdhub/common/json_number.h"
#include "hdhub/common/sql_identifier.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/exports/declaration_json.h"

namespace hdhub::exports {
namespace {

using nlohmann::json;

constexpr size_t kMaxIdentifierLength = 64;
constexpr int64_t kMaxPrefixLength = 255;
constexpr std::string_view kKindFields[] = {"values", "range", "bands", "nomenclature"};

// Codes the author lists: non-empty strings, each once.
StatusOr<std::vector<std::string>> ReadValues(Fields& d) {
  ASSIGN_OR_RETURN(const json* a, d.Array("values", 1, kMaxDeclaredCodes));
  std::vector<std::string> values;
  std::set<std::string> seen;
  for (const json& v : *a) {
    // "*" stands for a dimension summed over, in the CSV and the certificate.
    if (!v.is_string() || v.get<std::string>().empty() || v.get<std::string>() == "*") {
      return d.Bad("values", "holds a code that is not a non-empty string other than *");
    }
    if (!seen.insert(v.get<std::string>()).second) return d.Bad("values", "lists a code twice");
    values.push_back(v.get<std::string>());
  }
  return values;
}

// Whole numbers within ±kMaxDeclaredInteger, strictly increasing.
StatusOr<std::vector<int64_t>> ReadIncreasing(Fields& d, std::string_view field, int64_t min, int64_t max,
                                              size_t max_size) {
  ASSIGN_OR_RETURN(const json* a, d.Array(field, 1, max_size));
  std::vector<int64_t> out;
  for (const json& v : *a) {
    std::optional<int64_t> i = JsonInteger(v, min, max);
    if (!i) {
      return d.Bad(field, "holds something other than a whole number from " + std::to_string(min) + " to " +
                              std::to_string(max));
    }
    if (!out.empty() && *i <= out.back()) return d.Bad(field, "is not strictly increasing");
    out.push_back(*i);
  }
  return out;
}

Status ReadRange(Fields& d, FrameDimension& dim) {
  ASSIGN_OR_RETURN(const json* v, d.Get("range"));
  ASSIGN_OR_RETURN(Fields r, Fields::Of(*v, d.where() + ", field range"));
  ASSIGN_OR_RETURN(dim.from, r.Integer("from", -kMaxDeclaredInteger, kMaxDeclaredInteger));
  ASSIGN_OR_RETURN(dim.to, r.Integer("to", -kMaxDeclaredInteger, kMaxDeclaredInteger));
  RETURN_IF_ERROR(r.Done());
  if (dim.from > dim.to) return d.Bad("range", "has from greater than to");
  if (dim.to - dim.from >= kMaxDeclaredCodes) {
    return d.Bad("range", "spans more than " + std::to_string(kMaxDeclaredCodes) + " codes");
  }
  return OkStatus();
}

Status ReadNomenclature(Fields& d, FrameDimension& dim) {
  ASSIGN_OR_RETURN(const json* v, d.Get("nomenclature"));
  ASSIGN_OR_RETURN(Fields n, Fields::Of(*v, d.where() + ", field nomenclature"));
  ASSIGN_OR_RETURN(dim.nomenclature.table, n.Identifier("table"));
  ASSIGN_OR_RETURN(dim.nomenclature.code, n.Identifier("code"));
  if (n.Has("parent")) {
    ASSIGN_OR_RETURN(dim.nomenclature.parent, n.Identifier("parent"));
  }
  RETURN_IF_ERROR(n.Done());
  if (!d.Has("prefixes")) return OkStatus();
  // Decision: one hierarchy per dimension; a parent column and prefixes
  // would give a code two parents.
  if (!dim.nomenclature.parent.empty()) return d.Bad("prefixes", "cannot be combined with a nomenclature parent");
  std::vector<int64_t> lengths;
  ASSIGN_OR_RETURN(lengths, ReadIncreasing(d, "prefixes", 1, kMaxPrefixLength, kMaxPrefixLength));
  dim.prefixes.assign(lengths.begin(), lengths.end());
  return OkStatus();
}

StatusOr<FrameDimension> ReadDimension(const json& j, const std::string& frame_where, size_t index) {
  ASSIGN_OR_RETURN(Fields d, Fields::Of(j, frame_where + ", dimension " + std::to_string(index + 1)));
  FrameDimension dim;
  ASSIGN_OR_RETURN(dim.name, d.Name("name"));
  d.set_where(frame_where + ", dimension " + dim.name);
  ASSIGN_OR_RETURN(dim.column, d.Identifier("column"));
  int kinds = 0;
  for (std::string_view k : kKindFields) kinds += d.Has(k) ? 1 : 0;
  if (kinds != 1) return InvalidArgumentError(d.where() + ": needs exactly one of values, range, bands, nomenclature");
  if (d.Has("prefixes") && !d.Has("nomenclature")) return d.Bad("prefixes", "needs a nomenclature");
  if (d.Has("values")) {
    dim.kind = DimensionKind::kValues;
    ASSIGN_OR_RETURN(dim.values, ReadValues(d));
  } else if (d.Has("range")) {
    dim.kind = DimensionKind::kRange;
    RETURN_IF_ERROR(ReadRange(d, dim));
  } else if (d.Has("bands")) {
    dim.kind = DimensionKind::kBands;
    ASSIGN_OR_RETURN(dim.bands,
                     ReadIncreasing(d, "bands", -kMaxDeclaredInteger, kMaxDeclaredInteger, kMaxDeclaredCodes));
  } else {
    dim.kind = DimensionKind::kNomenclature;
    RETURN_IF_ERROR(ReadNomenclature(d, dim));
  }
  RETURN_IF_ERROR(d.Done());
  return dim;
}

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

// Dimension names once; the person, the amount and the dimensions' columns
// distinct, compared as DuckDB compares identifiers (case-insensitively).
Status CheckDistinct(const FrameDeclaration& f, const std::string& where) {
  std::set<std::string> names;
  std::set<std::string> columns = {Lower(f.person)};
  if (f.amount && !columns.insert(Lower(*f.amount)).second) {
    return InvalidArgumentError(where + ": field amount is the person column");
  }
  for (const FrameDimension& d : f.dimensions) {
    if (!names.insert(d.name).second) {
      return InvalidArgumentError(where + ": dimension " + d.name + " is declared twice");
    }
    if (!columns.insert(Lower(d.column)).second) {
      return InvalidArgumentError(where + ", dimension " + d.name +
                                  ": field column is already the person, the amount or another dimension's column");
    }
  }
  return OkStatus();
}

StatusOr<std::string> ReadSql(Fields& top) {
  ASSIGN_OR_RETURN(std::string sql, top.String("sql"));
  if (std::all_of(sql.begin(), sql.end(), [](unsigned char c) { return std::isspace(c); })) {
    return top.Bad("sql", "is empty");
  }
  if (sql.size() > kMaxFrameSqlBytes) {
    return top.Bad("sql", "is longer than " + std::to_string(kMaxFrameSqlBytes) + " bytes");
  }
  if (sql.find('\0') != std::string::npos) return top.Bad("sql", "holds a NUL character");
  return sql;
}

// A double-quoted SQL identifier. Callers pass validated identifiers; the
// doubling keeps any other text an identifier all the same.
}  // namespace

std::string_view ToString(DimensionKind kind) {
  switch (kind) {
    case DimensionKind::kValues:
      return "values";
    case DimensionKind::kRange:
      return "range";
    case DimensionKind::kBands:
      return "bands";
    case DimensionKind::kNomenclature:
      return "nomenclature";
  }
  return "unknown";
}

bool IsSqlIdentifier(std::string_view s) {
  auto head = [](char c) { return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || c == '_'; };
  if (s.empty() || s.size() > kMaxIdentifierLength || !head(s[0])) return false;
  return std::all_of(s.begin(), s.end(), [&](char c) { return head(c) || (c >= '0' && c <= '9'); });
}

StatusOr<FrameDeclaration> ParseFrame(std::string_view json_text) {
  ASSIGN_OR_RETURN(json j, ParseDeclarationJson(json_text, "frame"));
  ASSIGN_OR_RETURN(Fields top, Fields::Of(j, "frame"));
  FrameDeclaration f;
  ASSIGN_OR_RETURN(f.name, top.Name("frame"));
  const std::string where = "frame " + f.name;
  top.set_where(where);
  ASSIGN_OR_RETURN(f.unit, top.Name("unit"));
  ASSIGN_OR_RETURN(f.person, top.Identifier("person"));
  ASSIGN_OR_RETURN(f.sql, ReadSql(top));
  if (top.Has("amount")) {
    if (f.unit_is_person()) return top.Bad("amount", "is not allowed with unit person (its measure is count)");
    ASSIGN_OR_RETURN(f.amount, top.Identifier("amount"));
  }
  ASSIGN_OR_RETURN(const json* dims, top.Array("dimensions", 1, kMaxFrameDimensions));
  for (size_t i = 0; i < dims->size(); ++i) {
    ASSIGN_OR_RETURN(FrameDimension d, ReadDimension((*dims)[i], where, i));
    f.dimensions.push_back(std::move(d));
  }
  RETURN_IF_ERROR(top.Done());
  RETURN_IF_ERROR(CheckDistinct(f, where));
  return f;
}

std::string FrameSqlSha256(const FrameDeclaration& frame) { return HexEncode(crypto::Sha256(AsBytes(frame.sql))); }

std::string FrameQuery(const FrameDeclaration& frame) {
  std::string q = "SELECT dense_rank() OVER (ORDER BY " + QuoteIdentifier(frame.person) + ") AS contributor";
  for (size_t i = 0; i < frame.dimensions.size(); ++i) {
    q += ", CAST(" + QuoteIdentifier(frame.dimensions[i].column) + " AS VARCHAR) AS d" + std::to_string(i);
  }
  if (frame.amount) q += ", CAST(" + QuoteIdentifier(*frame.amount) + " AS DOUBLE) AS amount";
  return q + " FROM (\n" + frame.sql + "\n) AS frame";
}

StatusOr<std::string> ReferenceQuery(const FrameDimension& dimension) {
  if (dimension.kind != DimensionKind::kNomenclature) {
    return InvalidArgumentError("dimension " + dimension.name + " has no reference table: it is not a nomenclature");
  }
  const Nomenclature& n = dimension.nomenclature;
  std::string q = "SELECT DISTINCT CAST(" + QuoteIdentifier(n.code) + " AS VARCHAR)";
  if (!n.parent.empty()) q += ", CAST(" + QuoteIdentifier(n.parent) + " AS VARCHAR)";
  return q + " FROM " + QuoteIdentifier(n.table);
}

Frame CertificateFrame(const FrameDeclaration& frame, std::vector<airlock::Dimension> dimensions) {
  return Frame{.sql_sha256 = FrameSqlSha256(frame), .unit = frame.unit, .dimensions = std::move(dimensions)};
}

std::string_view ToString(Measure measure) {
  switch (measure) {
    case Measure::kCount:
      return kMeasureCount;
    case Measure::kUnits:
      return kMeasureUnits;
    case Measure::kSum:
      return kMeasureSum;
  }
  return "unknown";
}

StatusOr<Measure> ParseMeasure(std::string_view name) {
  for (Measure m : {Measure::kCount, Measure::kUnits, Measure::kSum}) {
    if (name == ToString(m)) return m;
  }
  return InvalidArgumentError("the measure is not count, units or sum");
}

Status CheckMeasure(const FrameDeclaration& frame, Measure measure) {
  const std::string where = "frame " + frame.name + ": ";
  if (frame.unit_is_person() != (measure == Measure::kCount)) {
    return InvalidArgumentError(where + "measure " + std::string(ToString(measure)) +
                                (frame.unit_is_person() ? " needs a unit other than person; count people instead"
                                                        : " needs unit person; use units or sum"));
  }
  if (measure == Measure::kSum && !frame.amount)
    return InvalidArgumentError(where + "measure sum needs an amount column");
  return OkStatus();
}

}  // namespace hdhub::exports
