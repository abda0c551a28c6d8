#include "hdhub/exports/file_output.h"

#include <algorithm>
#include <set>

#include "hdhub/common/utf8.h"
#include "hdhub/exports/declaration_json.h"

namespace hdhub::exports {

namespace {

using nlohmann::json;

constexpr size_t kMaxColumnName = 64;
const std::set<std::string, std::less<>> kFormats = {"csv", "parquet", "png", "pdf", "txt"};

StatusOr<std::vector<airlock::Column>> ReadColumns(const json& array, const std::string& where) {
  std::vector<airlock::Column> out;
  std::set<std::string> names;
  for (size_t i = 0; i < array.size(); ++i) {
    ASSIGN_OR_RETURN(Fields f, Fields::Of(array[i], where + ", column " + std::to_string(i + 1)));
    airlock::Column c;
    ASSIGN_OR_RETURN(c.name, f.String("name"));
    if (c.name.empty() || c.name.size() > kMaxColumnName || !IsValidUtf8(c.name)) {
      return f.Bad("name", "must be 1 to 64 bytes of UTF-8");
    }
    if (!names.insert(c.name).second) return f.Bad("name", "repeats another column's");
    ASSIGN_OR_RETURN(std::string kind, f.String("kind"));
    StatusOr<airlock::ColumnKind> k = airlock::ParseColumnKind(kind);
    if (!k.ok()) return f.Bad("kind", "is not dimension, measure, identifier, record_key or free_text");
    c.kind = *k;
    RETURN_IF_ERROR(f.Done());
    out.push_back(std::move(c));
  }
  return out;
}

// The format's signature at the start (and for Parquet the end) of `bytes`.
bool LooksLike(std::string_view format, std::string_view bytes) {
  if (format == "png") return bytes.starts_with(std::string_view("\x89PNG\r\n\x1a\n", 8));
  if (format == "pdf") return bytes.starts_with("%PDF-");
  if (format == "parquet") return bytes.size() >= 8 && bytes.starts_with("PAR1") && bytes.ends_with("PAR1");
  // csv, txt: text.
  return IsValidUtf8(bytes) && bytes.find('\0') == std::string_view::npos;
}

// The lines of a text file (a last line without LF counts).
int64_t Lines(std::string_view text) {
  const auto n = static_cast<int64_t>(std::count(text.begin(), text.end(), '\n'));
  return n + (text.empty() || text.back() == '\n' ? 0 : 1);
}

struct CsvShape {
  std::vector<std::string> header;
  int64_t rows = 0;
};

// RFC 4180 (LF or CRLF): the header's fields and the number of data records.
StatusOr<CsvShape> ReadCsv(std::string_view text, const std::string& where) {
  CsvShape shape;
  std::vector<std::string> record;
  std::string field;
  int64_t line = 1, record_line = 1;
  size_t fields = 0;
  bool quoted = false, was_quoted = false, have_header = false;
  auto end_record = [&]() -> Status {
    record.push_back(std::move(field));
    field.clear();
    if (!have_header) {
      have_header = true;
      shape.header = std::move(record);
      fields = shape.header.size();
    } else {
      if (record.size() != fields) {
        return InvalidArgumentError(where + ": line " + std::to_string(record_line) + " has " +
                                    std::to_string(record.size()) + " fields, the header " + std::to_string(fields));
      }
      ++shape.rows;
    }
    record.clear();
    return OkStatus();
  };
  for (size_t i = 0; i < text.size(); ++i) {
    const char c = text[i];
    if (quoted) {
      if (c == '"' && i + 1 < text.size() && text[i + 1] == '"') {
        field += '"';
        ++i;
      } else if (c == '"') {
        quoted = false;
      } else {
        if (c == '\n') ++line;
        field += c;
      }
      continue;
    }
    if (c == '"') {
      if (!field.empty() || was_quoted) {
        return InvalidArgumentError(where + ": line " + std::to_string(line) + " has a quote inside a field");
      }
      quoted = was_quoted = true;
    } else if (c == ',') {
      record.push_back(std::move(field));
      field.clear();
      was_quoted = false;
    } else if (c == '\n' || (c == '\r' && i + 1 < text.size() && text[i + 1] == '\n')) {
      if (c == '\r') ++i;
      RETURN_IF_ERROR(end_record());
      was_quoted = false;
      record_line = ++line;
    } else if (was_quoted) {
      return InvalidArgumentError(where + ": line " + std::to_string(line) + " has text after a closing quote");
    } else {
      field += c;
    }
  }
  if (quoted)
    return InvalidArgumentError(where + ": a quoted field opened on line " + std::to_string(line) + " never closes");
  if (!field.empty() || was_quoted || !record.empty()) RETURN_IF_ERROR(end_record());
  if (!have_header) return InvalidArgumentError(where + ": the CSV has no header line");
  return shape;
}

void AddRule(FileVerdict& v, std::string_view rule) {
  if (std::find(v.rules.begin(), v.rules.end(), rule) == v.rules.end()) v.rules.emplace_back(rule);
}

}  // namespace

bool IsFileKind(RequestOutputKind kind) { return kind != RequestOutputKind::kTable; }

bool ExplanationGiven(std::string_view declaration_json) {
  const json j = json::parse(declaration_json, nullptr, /*allow_exceptions=*/false);
  const json explanation = j.is_object() ? j.value("explanation", json()) : json();
  return explanation.is_string() && explanation.get<std::string>().find_first_not_of(" \t\r\n") != std::string::npos;
}

StatusOr<FileOutputDeclaration> ParseFileOutput(std::string_view json_text) {
  ASSIGN_OR_RETURN(json j, ParseDeclarationJson(json_text, "output"));
  ASSIGN_OR_RETURN(Fields top, Fields::Of(j, "output"));
  FileOutputDeclaration d;
  ASSIGN_OR_RETURN(d.name, top.Name("output"));
  top.set_where("output " + d.name);
  ASSIGN_OR_RETURN(std::string kind, top.String("kind"));
  StatusOr<RequestOutputKind> k = ParseRequestOutputKind(kind);
  if (!k.ok() || !IsFileKind(*k)) return top.Bad("kind", "is not model, figure or custom");
  d.kind = *k;
  ASSIGN_OR_RETURN(d.format, top.String("format"));
  if (!kFormats.contains(d.format)) return top.Bad("format", "is not csv, parquet, png, pdf or txt");
  if (d.kind == RequestOutputKind::kModel && d.format != "csv") return top.Bad("format", "of a model must be csv");
  if (d.kind == RequestOutputKind::kFigure && d.format != "png") return top.Bad("format", "of a figure must be png");
  if (d.kind == RequestOutputKind::kModel) {
    ASSIGN_OR_RETURN(d.frame, top.Name("frame"));
  }
  if (d.kind == RequestOutputKind::kFigure) {
    ASSIGN_OR_RETURN(d.figure_of, top.Name("figure_of"));
  }
  if (d.kind == RequestOutputKind::kCustom && top.Has("explanation")) {
    ASSIGN_OR_RETURN(d.explanation, top.String("explanation"));
    if (d.explanation.size() > kMaxExplanationBytes || !IsValidUtf8(d.explanation)) {
      return top.Bad("explanation", "must be at most 4000 bytes of UTF-8");
    }
  }
  const bool columns_allowed = d.format == "csv" && d.kind != RequestOutputKind::kFigure;
  if (d.kind == RequestOutputKind::kModel || (columns_allowed && top.Has("columns"))) {
    ASSIGN_OR_RETURN(const json* columns, top.Array("columns", 1, kMaxDeclaredColumns));
    ASSIGN_OR_RETURN(d.columns, ReadColumns(*columns, top.where()));
  }
  RETURN_IF_ERROR(top.Done());
  return d;
}

StatusOr<FileVerdict> CheckFileOutput(const FileOutputDeclaration& d, std::string_view bytes,
                                      const airlock::DisclosureRules& rules, int64_t observations) {
  const std::string where = "output " + d.name;
  if (!LooksLike(d.format, bytes)) {
    return InvalidArgumentError(where + ": the file is not " + (d.format == "txt" ? "UTF-8 text" : d.format) +
                                " (its bytes do not match the declared format)");
  }
  FileVerdict v;
  v.bytes = static_cast<int64_t>(bytes.size());
  if (d.format == "csv") {
    ASSIGN_OR_RETURN(CsvShape shape, ReadCsv(bytes, where));
    v.rows = shape.rows;
    if (d.columns) {
      std::vector<std::string> declared;
      for (const airlock::Column& c : *d.columns) declared.push_back(c.name);
      if (declared != shape.header) {
        return InvalidArgumentError(where + ": the file's header is not the declared columns, in their order");
      }
      for (const airlock::ColumnFinding& f : airlock::CheckColumns(*d.columns)) {
        AddRule(v, f.verdict.rule);
        v.columns.push_back(f.column);
      }
    }
  } else if (d.format == "txt") {
    v.rows = Lines(bytes);
  }
  for (const airlock::Verdict& f : airlock::FileFindings({.rows = v.rows, .bytes = v.bytes}, rules)) {
    AddRule(v, f.rule);
  }
  if (d.kind == RequestOutputKind::kModel) {
    v.residual_dof = observations - v.rows;
    const airlock::Verdict model = airlock::CheckModel({.observations = observations, .parameters = v.rows}, rules);
    if (model.outcome != airlock::Outcome::kPass) AddRule(v, model.rule);
  }
  return v;
}

}  // namespace hdhub::exports
