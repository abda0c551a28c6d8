// BuildDimensions: a frame's declaration and reference rows turned into the
// airlock's dimensions (docs/airlock-workflow.md §2.1's table of kinds).
#include <algorithm>
#include <map>
#include <set>
#include <tuple>
#include <utility>

#include "hdhub/exports/frame.h"
#include "hdhub/exports/request_flow.h"

namespace hdhub::exports {
namespace {

// code -> parent ("" for a top-level code).
using Tree = std::map<std::string, std::string>;

std::vector<airlock::Code> FlatCodes(std::vector<std::string> codes) {
  std::vector<airlock::Code> out;
  out.reserve(codes.size());
  for (std::string& c : codes) out.push_back({std::move(c), ""});
  return out;
}

std::vector<std::string> RangeCodes(int64_t from, int64_t to) {
  std::vector<std::string> out;
  for (int64_t i = from; i <= to; ++i) out.push_back(std::to_string(i));
  return out;
}

// "0-17", "18-39", ..., "80+": band i holds edges[i] to edges[i + 1] - 1.
std::vector<std::string> BandLabels(const std::vector<int64_t>& edges) {
  std::vector<std::string> out;
  for (size_t i = 0; i < edges.size(); ++i) {
    out.push_back(i + 1 < edges.size() ? std::to_string(edges[i]) + "-" + std::to_string(edges[i + 1] - 1)
                                       : std::to_string(edges[i]) + "+");
  }
  return out;
}

Status AddNode(Tree& tree, const std::string& code, const std::string& parent, const std::string& where, size_t row) {
  auto [it, inserted] = tree.emplace(code, parent);
  if (!inserted && it->second != parent) {
    return InvalidArgumentError(where + ": reference row " + std::to_string(row + 1) + " gives a code a second parent");
  }
  return OkStatus();
}

// The code's prefixes of the declared lengths shorter than it, each under
// the previous one, and the code under the last.
Status AddWithPrefixes(Tree& tree, const std::string& code, const std::vector<int>& lengths, const std::string& where,
                       size_t row) {
  std::string parent;
  for (int length : lengths) {
    if (static_cast<size_t>(length) >= code.size()) break;
    std::string prefix = code.substr(0, static_cast<size_t>(length));
    RETURN_IF_ERROR(AddNode(tree, prefix, parent, where, row));
    parent = std::move(prefix);
  }
  return AddNode(tree, code, parent, where, row);
}

StatusOr<Tree> NomenclatureTree(const FrameDimension& dim, const std::vector<ReferenceRow>& rows,
                                const std::string& where) {
  if (rows.empty()) return InvalidArgumentError(where + ": the reference table has no rows");
  Tree tree;
  for (size_t r = 0; r < rows.size(); ++r) {
    if (!rows[r].code || rows[r].code->empty() || *rows[r].code == "*") {
      return InvalidArgumentError(where + ": reference row " + std::to_string(r + 1) +
                                  " has a NULL or empty code, or the code *");
    }
    const std::string parent = dim.nomenclature.parent.empty() ? "" : rows[r].parent.value_or("");
    if (!dim.prefixes.empty()) {
      RETURN_IF_ERROR(AddWithPrefixes(tree, *rows[r].code, dim.prefixes, where, r));
    } else {
      RETURN_IF_ERROR(AddNode(tree, *rows[r].code, parent, where, r));
    }
  }
  // Parents that are not codes of the table themselves (regions above
  // departments) are top-level codes.
  std::set<std::string> parents;
  for (const auto& [code, parent] : tree) {
    if (!parent.empty() && !tree.contains(parent)) parents.insert(parent);
  }
  for (const std::string& p : parents) tree.emplace(p, "");
  return tree;
}

// The tree's codes ordered by depth, then by code: independent of the order
// of the reference rows. Precondition: no cycle (checked by AtomSpace).
std::vector<airlock::Code> OrderedCodes(const Tree& tree) {
  std::vector<std::tuple<int, std::string, std::string>> order;
  for (const auto& [code, parent] : tree) {
    int d = 0;
    for (std::string up = parent; !up.empty(); up = tree.at(up)) ++d;
    order.emplace_back(d, code, parent);
  }
  std::sort(order.begin(), order.end());
  std::vector<airlock::Code> out;
  out.reserve(order.size());
  for (auto& [d, code, parent] : order) out.push_back({std::move(code), std::move(parent)});
  return out;
}

StatusOr<airlock::Dimension> NomenclatureDimension(const FrameDimension& dim, const std::vector<ReferenceRow>& rows,
                                                   const std::string& where) {
  ASSIGN_OR_RETURN(Tree tree, NomenclatureTree(dim, rows, where));
  airlock::Dimension unordered{.name = dim.name};
  for (const auto& [code, parent] : tree) unordered.codes.push_back({code, parent});
  // The airlock's own check of the hierarchy; its message names codes, so
  // it is replaced.
  if (Status s = airlock::AtomSpace::Create({unordered}).status(); !s.ok()) {
    return Status(s.code(), where +
                                ": the reference rows do not form a hierarchy the airlock accepts (a cycle "
                                "through the parents, or too many codes)");
  }
  return airlock::Dimension{.name = dim.name, .codes = OrderedCodes(tree)};
}

Status CheckReferenceKeys(const FrameDeclaration& frame, const ReferenceRows& refs) {
  for (const auto& entry : refs) {
    // A structured binding is not captured by a lambda before C++20's P1091 (clang 14).
    const std::string& name = entry.first;
    auto it = std::find_if(frame.dimensions.begin(), frame.dimensions.end(),
                           [&](const FrameDimension& d) { return d.name == name; });
    if (it == frame.dimensions.end() || it->kind != DimensionKind::kNomenclature) {
      return InvalidArgumentError("frame " + frame.name + ": reference rows are given for " +
                                  (IsExportName(name) ? "dimension " + name : std::string("a dimension")) +
                                  ", which is not one of its nomenclature dimensions");
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<std::vector<airlock::Dimension>> BuildDimensions(const FrameDeclaration& frame, const ReferenceRows& refs) {
  RETURN_IF_ERROR(CheckReferenceKeys(frame, refs));
  std::vector<airlock::Dimension> out;
  for (const FrameDimension& dim : frame.dimensions) {
    const std::string where = "frame " + frame.name + ", dimension " + dim.name;
    switch (dim.kind) {
      case DimensionKind::kValues:
        out.push_back({dim.name, FlatCodes(dim.values)});
        break;
      case DimensionKind::kRange:
        out.push_back({dim.name, FlatCodes(RangeCodes(dim.from, dim.to))});
        break;
      case DimensionKind::kBands:
        out.push_back({dim.name, FlatCodes(BandLabels(dim.bands))});
        break;
      case DimensionKind::kNomenclature: {
        auto it = refs.find(dim.name);
        if (it == refs.end()) return InvalidArgumentError(where + ": the reference rows are missing");
        ASSIGN_OR_RETURN(airlock::Dimension d, NomenclatureDimension(dim, it->second, where));
        out.push_back(std::move(d));
        break;
      }
    }
  }
  return out;
}

}  // namespace hdhub::exports
