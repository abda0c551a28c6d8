#include "hdhub/airlock/atom_space.h"

#include <algorithm>
#include <numeric>
#include <set>
#include <utility>

namespace hdhub::airlock {

namespace {

std::string Quoted(std::string_view s) { return "\"" + std::string(s) + "\""; }

Status CheckCodes(const Dimension& d, std::map<std::string, std::string>& parent_of) {
  if (d.name.empty()) return InvalidArgumentError("a dimension has no name");
  if (d.codes.empty()) return InvalidArgumentError("dimension " + Quoted(d.name) + " has no codes");
  for (const Code& c : d.codes) {
    if (c.code.empty()) return InvalidArgumentError("dimension " + Quoted(d.name) + " has an empty code");
    if (!parent_of.emplace(c.code, c.parent).second) {
      return InvalidArgumentError("dimension " + Quoted(d.name) + " repeats code " + Quoted(c.code));
    }
  }
  for (const auto& [code, parent] : parent_of) {
    if (!parent.empty() && !parent_of.contains(parent)) {
      return InvalidArgumentError("dimension " + Quoted(d.name) + ": the parent " + Quoted(parent) + " of " +
                                  Quoted(code) + " is not one of its codes");
    }
  }
  // Walking up from any code must reach a top-level code within as many steps as there are codes.
  for (const auto& [code, parent] : parent_of) {
    std::string at = code;
    for (size_t steps = 0; !parent_of.at(at).empty(); ++steps) {
      if (steps > parent_of.size()) {
        return InvalidArgumentError("dimension " + Quoted(d.name) + ": the parents of " + Quoted(code) +
                                    " form a cycle");
      }
      at = parent_of.at(at);
    }
  }
  return OkStatus();
}

}  // namespace

StatusOr<AtomSpace::Dim> AtomSpace::MakeDim(const Dimension& d) {
  std::map<std::string, std::string> parent_of;  // sorted by code: set ids do not depend on input order
  RETURN_IF_ERROR(CheckCodes(d, parent_of));
  Dim dim{.name = d.name};
  for (const Code& c : d.codes) dim.declared.push_back(c.code);
  std::set<std::string> parents;
  for (const auto& [code, parent] : parent_of) parents.insert(parent);
  for (const auto& [code, parent] : parent_of) {
    if (!parents.contains(code)) dim.leaves.push_back(code);  // already sorted
  }
  std::map<std::string, std::vector<int32_t>> leaves_of;
  for (size_t leaf = 0; leaf < dim.leaves.size(); ++leaf) {
    for (std::string at = dim.leaves[leaf]; !at.empty(); at = parent_of.at(at)) {
      leaves_of[at].push_back(static_cast<int32_t>(leaf));  // ascending: leaves are visited in order
    }
  }
  std::map<std::vector<int32_t>, int32_t> set_id;
  auto intern = [&](const std::vector<int32_t>& set, const std::string& name) {
    auto [it, added] = set_id.emplace(set, static_cast<int32_t>(dim.sets.size()));
    if (added) {
      dim.sets.push_back(set);
      dim.set_names.push_back(name);  // codes come in sorted order: the first is the smallest
    }
    return it->second;
  };
  for (const auto& [code, set] : leaves_of) dim.code_set[code] = intern(set, code);
  std::vector<int32_t> every(dim.leaves.size());
  std::iota(every.begin(), every.end(), 0);
  dim.all = intern(every, "*");
  return dim;
}

StatusOr<AtomSpace> AtomSpace::Create(const std::vector<Dimension>& dimensions) {
  AtomSpace space;
  std::vector<std::pair<std::string, int>> order;
  for (size_t i = 0; i < dimensions.size(); ++i) {
    ASSIGN_OR_RETURN(Dim dim, MakeDim(dimensions[i]));
    order.emplace_back(dim.name, static_cast<int>(i));
    space.dims_.push_back(std::move(dim));
  }
  std::sort(order.begin(), order.end());
  for (size_t i = 1; i < order.size(); ++i) {
    if (order[i].first == order[i - 1].first) {
      return InvalidArgumentError("dimension " + Quoted(order[i].first) + " is declared twice");
    }
  }
  std::vector<Dim> sorted;
  space.input_to_dim_.assign(dimensions.size(), 0);
  for (size_t i = 0; i < order.size(); ++i) {
    space.input_to_dim_[static_cast<size_t>(order[i].second)] = static_cast<int>(i);
    sorted.push_back(std::move(space.dims_[static_cast<size_t>(order[i].second)]));
  }
  space.dims_ = std::move(sorted);
  int64_t atoms = 1;
  for (auto it = space.dims_.rbegin(); it != space.dims_.rend(); ++it) {
    it->stride = atoms;
    atoms *= static_cast<int64_t>(it->leaves.size());
    if (atoms > kMaxAtoms) {
      return ResourceExhaustedError("the tables' dimensions have more than " + std::to_string(kMaxAtoms) +
                                    " combinations of finest categories; the grid model cannot hold them");
    }
  }
  space.num_atoms_ = static_cast<int32_t>(atoms);
  return space;
}

std::vector<int32_t> AtomSpace::Extents() const {
  std::vector<int32_t> extents;
  for (const Dim& d : dims_) extents.push_back(static_cast<int32_t>(d.leaves.size()));
  return extents;
}

int AtomSpace::DimensionIndex(std::string_view name) const {
  for (size_t d = 0; d < dims_.size(); ++d) {
    if (dims_[d].name == name) return static_cast<int>(d);
  }
  return -1;
}

StatusOr<int32_t> AtomSpace::CodeSet(int dim, std::string_view code) const {
  const Dim& d = dims_[static_cast<size_t>(dim)];
  auto it = d.code_set.find(std::string(code));
  if (it == d.code_set.end()) return NotFoundError("dimension " + Quoted(d.name) + " has no code " + Quoted(code));
  return it->second;
}

const std::vector<std::string>& AtomSpace::DeclaredCodes(int dim) const {
  return dims_[static_cast<size_t>(dim)].declared;
}

const std::string& AtomSpace::DimensionName(int dim) const { return dims_[static_cast<size_t>(dim)].name; }

std::vector<int32_t> AtomSpace::AllSets() const {
  std::vector<int32_t> sets;
  for (const Dim& d : dims_) sets.push_back(d.all);
  return sets;
}

std::vector<int32_t> AtomSpace::Atoms(std::span<const int32_t> sets) const {
  // Dimensions come in decreasing stride and leaves ascending, so the
  // expansion is produced in ascending order.
  std::vector<int32_t> atoms{0};
  for (size_t d = 0; d < dims_.size(); ++d) {
    std::vector<int32_t> next;
    const auto& leaves = dims_[d].sets[static_cast<size_t>(sets[d])];
    next.reserve(atoms.size() * leaves.size());
    for (int32_t base : atoms) {
      for (int32_t leaf : leaves) next.push_back(base + static_cast<int32_t>(leaf * dims_[d].stride));
    }
    atoms = std::move(next);
  }
  return atoms;
}

std::string AtomSpace::Key(std::span<const int32_t> sets) const {
  std::string key = "{";
  for (size_t d = 0; d < dims_.size(); ++d) {
    key += (d == 0 ? "" : ", ") + dims_[d].name + "=" + dims_[d].set_names[static_cast<size_t>(sets[d])];
  }
  return key + "}";
}

bool AtomSpace::SetContains(int dim, int32_t outer, int32_t inner) const {
  const Dim& d = dims_[static_cast<size_t>(dim)];
  const auto& o = d.sets[static_cast<size_t>(outer)];
  const auto& i = d.sets[static_cast<size_t>(inner)];
  return std::includes(o.begin(), o.end(), i.begin(), i.end());
}

StatusOr<int32_t> AtomSpace::Atom(std::span<const std::string> leaves) const {
  if (leaves.size() != dims_.size()) {
    return InvalidArgumentError("an atom needs one leaf code per dimension (" + std::to_string(dims_.size()) + ")");
  }
  int64_t atom = 0;
  for (size_t i = 0; i < leaves.size(); ++i) {
    const Dim& d = dims_[static_cast<size_t>(input_to_dim_[i])];
    auto it = std::lower_bound(d.leaves.begin(), d.leaves.end(), leaves[i]);
    if (it == d.leaves.end() || *it != leaves[i]) {
      return InvalidArgumentError(Quoted(leaves[i]) + " is not a finest code of dimension " + Quoted(d.name));
    }
    atom += (it - d.leaves.begin()) * d.stride;
  }
  return static_cast<int32_t>(atom);
}

std::string AtomSpace::AtomKey(int32_t atom) const {
  std::string key = "{";
  for (size_t d = 0; d < dims_.size(); ++d) {
    const int64_t leaf = (atom / dims_[d].stride) % static_cast<int64_t>(dims_[d].leaves.size());
    key += (d == 0 ? "" : ", ") + dims_[d].name + "=" + dims_[d].leaves[static_cast<size_t>(leaf)];
  }
  return key + "}";
}

}  // namespace hdhub::airlock
