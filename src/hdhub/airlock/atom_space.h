// The atom space of a set of linked tables: the cross-product of the finest
// categories (leaves) of every dimension, empty combinations included. Every
// cell of every table over these dimensions is a sum of atoms, so tables
// released at different times share one model (docs/airlock-suppression.md).
//
// A dimension is a list of codes, each with an optional parent code: a
// hierarchy (department -> region -> country). Its leaves are the codes no
// other code names as parent. A code stands for the set of leaves below it;
// two codes with the same leaf set (a region with a single department) are
// the same category. A cell gives one leaf set per dimension; a dimension a
// table does not break down by contributes all its leaves.
//
// Canonical, whatever the order of the input: dimensions are kept sorted by
// name, leaves sorted by code, and a leaf set is named by its smallest code
// ("*" for all leaves when no code covers them all).
//
// Thread-safety: an immutable value after Create.
#pragma once

#include <cstdint>
#include <map>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/status.h"

namespace hdhub::airlock {

struct Code {
  std::string code;
  std::string parent;  // empty for a top-level code
};

struct Dimension {
  std::string name;
  std::vector<Code> codes;
};

// The largest atom space the grid model accepts.
inline constexpr int64_t kMaxAtoms = int64_t{1} << 24;

class AtomSpace {
 public:
  // InvalidArgument for an empty or repeated dimension name, an empty or
  // repeated code, a parent that is not a code of the dimension, a cycle, or
  // a dimension without codes; ResourceExhausted for more than kMaxAtoms atoms.
  static StatusOr<AtomSpace> Create(const std::vector<Dimension>& dimensions);

  int32_t num_atoms() const { return num_atoms_; }
  // The number of leaves per dimension, in the sorted order: atom = the
  // row-major index of one leaf per dimension.
  std::vector<int32_t> Extents() const;
  int num_dimensions() const { return static_cast<int>(dims_.size()); }

  // The position of dimension `name` in the sorted order, or -1.
  int DimensionIndex(std::string_view name) const;
  // The leaf set of `code` in dimension `dim` (a DimensionIndex); NotFound
  // when the dimension has no such code.
  StatusOr<int32_t> CodeSet(int dim, std::string_view code) const;
  // The codes of dimension `dim`, in the order declared.
  const std::vector<std::string>& DeclaredCodes(int dim) const;
  const std::string& DimensionName(int dim) const;

  // A cell with every dimension at "all leaves".
  std::vector<int32_t> AllSets() const;
  // The atoms of a cell given as one leaf set per dimension, ascending.
  std::vector<int32_t> Atoms(std::span<const int32_t> sets) const;
  // "{age=0-4, sex=*}": the cell's canonical name.
  std::string Key(std::span<const int32_t> sets) const;
  // Whether every leaf of set `inner` is in set `outer` (same dimension).
  bool SetContains(int dim, int32_t outer, int32_t inner) const;

  // The atom of one leaf code per dimension, given in the order of the
  // dimensions passed to Create. InvalidArgument for a wrong number of
  // codes or a code that is not a leaf.
  StatusOr<int32_t> Atom(std::span<const std::string> leaves) const;
  // "{age=0-4, sex=F}".
  std::string AtomKey(int32_t atom) const;

 private:
  struct Dim {
    std::string name;
    std::vector<std::string> declared;        // codes in declared order
    std::vector<std::string> leaves;          // sorted
    std::map<std::string, int32_t> code_set;  // code -> leaf set
    std::vector<std::vector<int32_t>> sets;   // leaf set -> leaf indices, ascending
    std::vector<std::string> set_names;
    int32_t all = 0;  // the set of every leaf
    int64_t stride = 1;
  };
  static StatusOr<Dim> MakeDim(const Dimension& d);

  std::vector<Dim> dims_;          // sorted by name
  std::vector<int> input_to_dim_;  // Create's order -> sorted position
  int32_t num_atoms_ = 0;
};

}  // namespace hdhub::airlock
