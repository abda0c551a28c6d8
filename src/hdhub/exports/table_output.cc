#include "hdhub/exports/table_output.h"

#include <algorithm>
#include <set>
#include <utility>

#include "hdhub/exports/declaration_json.h"

namespace hdhub::exports {
namespace {

using nlohmann::json;

const airlock::Dimension* FindDimension(const std::vector<airlock::Dimension>& dims, std::string_view name) {
  auto it = std::find_if(dims.begin(), dims.end(), [&](const airlock::Dimension& d) { return d.name == name; });
  return it == dims.end() ? nullptr : &*it;
}

bool HasCode(const airlock::Dimension& d, const std::string& code) {
  return std::any_of(d.codes.begin(), d.codes.end(), [&](const airlock::Code& c) { return c.code == code; });
}

// `dimension`, and the codes listed or filtered on, each a code of it.
StatusOr<airlock::TableDimension> ReadTableDimension(const json& j, const std::string& table_where, size_t index,
                                                     const std::vector<airlock::Dimension>& dims) {
  ASSIGN_OR_RETURN(Fields f, Fields::Of(j, table_where + ", dimension " + std::to_string(index + 1)));
  airlock::TableDimension td;
  ASSIGN_OR_RETURN(td.dimension, f.Name("dimension"));
  const airlock::Dimension* dim = FindDimension(dims, td.dimension);
  if (dim == nullptr) return InvalidArgumentError(table_where + ": dimension " + td.dimension + " is not the frame's");
  f.set_where(table_where + ", dimension " + td.dimension);
  if (f.Has("codes") && f.Has("filter")) return f.Bad("filter", "cannot be combined with codes");
  if (f.Has("filter")) {
    ASSIGN_OR_RETURN(std::string code, f.String("filter"));
    td.codes.push_back(std::move(code));
  } else if (f.Has("codes")) {
    ASSIGN_OR_RETURN(const json* codes, f.Array("codes", 1, dim->codes.size()));
    for (const json& c : *codes) {
      if (!c.is_string()) return f.Bad("codes", "holds something other than a string");
      td.codes.push_back(c.get<std::string>());
    }
  }
  std::set<std::string> seen;
  for (const std::string& code : td.codes) {
    if (!HasCode(*dim, code)) return InvalidArgumentError(f.where() + ": a code is not one of the dimension's");
    if (!seen.insert(code).second) return InvalidArgumentError(f.where() + ": a code is listed twice");
  }
  RETURN_IF_ERROR(f.Done());
  return td;
}

StatusOr<airlock::TableSpec> ReadTable(const json& j, const std::string& output_where, size_t index,
                                       const std::vector<airlock::Dimension>& dims) {
  ASSIGN_OR_RETURN(Fields f, Fields::Of(j, output_where + ", table " + std::to_string(index + 1)));
  airlock::TableSpec spec;
  ASSIGN_OR_RETURN(spec.id, f.Name("id"));
  f.set_where(output_where + ", table " + spec.id);
  ASSIGN_OR_RETURN(const json* list, f.Array("dimensions", 0, dims.size()));
  std::set<std::string> seen;
  for (size_t i = 0; i < list->size(); ++i) {
    ASSIGN_OR_RETURN(airlock::TableDimension td, ReadTableDimension((*list)[i], f.where(), i, dims));
    if (!seen.insert(td.dimension).second) {
      return InvalidArgumentError(f.where() + ": dimension " + td.dimension + " is listed twice");
    }
    spec.dimensions.push_back(std::move(td));
  }
  RETURN_IF_ERROR(f.Done());
  return spec;
}

}  // namespace

StatusOr<TableOutput> ParseTableOutput(std::string_view json_text, const FrameDeclaration& frame,
                                       const std::vector<airlock::Dimension>& dimensions) {
  ASSIGN_OR_RETURN(json j, ParseDeclarationJson(json_text, "output"));
  ASSIGN_OR_RETURN(Fields top, Fields::Of(j, "output"));
  TableOutput out;
  TableOutputDeclaration& decl = out.declaration;
  ASSIGN_OR_RETURN(decl.name, top.Name("output"));
  top.set_where("output " + decl.name);
  if (top.Has("kind")) {
    ASSIGN_OR_RETURN(std::string kind, top.String("kind"));
    if (kind != "table") return top.Bad("kind", "is not table");
  }
  ASSIGN_OR_RETURN(decl.frame, top.Name("frame"));
  if (decl.frame != frame.name) return top.Bad("frame", "names another frame than frame " + frame.name);
  ASSIGN_OR_RETURN(std::string measure, top.String("measure"));
  StatusOr<Measure> m = ParseMeasure(measure);
  if (!m.ok()) return top.Bad("measure", "is not count, units or sum");
  out.measure = *m;
  decl.measure = std::string(ToString(out.measure));
  if (Status s = CheckMeasure(frame, out.measure); !s.ok()) return s.WithContext(top.where());
  ASSIGN_OR_RETURN(const json* tables, top.Array("tables", 1, kMaxTablesPerOutput));
  std::set<std::string> ids;
  for (size_t i = 0; i < tables->size(); ++i) {
    ASSIGN_OR_RETURN(airlock::TableSpec spec, ReadTable((*tables)[i], top.where(), i, dimensions));
    if (!ids.insert(spec.id).second)
      return InvalidArgumentError(top.where() + ": table " + spec.id + " is declared twice");
    out.tables.push_back({.id = decl.name + "/" + spec.id, .dimensions = spec.dimensions});
    decl.tables.push_back(std::move(spec));
  }
  RETURN_IF_ERROR(top.Done());
  return out;
}

}  // namespace hdhub::exports
