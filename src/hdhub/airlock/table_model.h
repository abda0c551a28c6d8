// The model the secondary suppression and the attacker audit work on: the
// tables of an export request and of every earlier release of the project
// (the ledger), over one atom space (atom_space.h), with the true value of
// every atom. Each distinct set of atoms that some table publishes or
// withholds is one Quantity, one column of the sparse 0/1 model matrix X
// (atoms x quantities): a table's margin and the same cell of a subtable, or
// one cell released twice, are the same quantity. docs/airlock-suppression.md
// specifies the model.
//
// Built by the airlock from the workspace: the data are the atoms' true
// values (people per atom, or each contributor's values per atom), never
// logged; errors name tables, releases, dimensions and codes, never a value.
//
// Thread-safety: an immutable value after Create.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "hdhub/airlock/atom_space.h"
#include "hdhub/common/status.h"

namespace hdhub::airlock {

// A table breaks down by some dimensions, each at the codes it lists (any
// level of the hierarchy; empty: every code, in declared order). Dimensions
// it does not list are summed over. A filter is a dimension at one code.
struct TableDimension {
  std::string dimension;
  std::vector<std::string> codes;
};
struct TableSpec {
  std::string id;
  std::vector<TableDimension> dimensions;
};
// A cell: one code per dimension of its table, in the table's order.
using CellCodes = std::vector<std::string>;

enum class MeasureKind {
  kCount,      // people per cell
  kMagnitude,  // a sum of non-negative amounts per cell, with its contributors
};

// The true data, per atom: `leaves` holds one finest code per dimension, in
// the order the dimensions were declared. Repeated atoms add up.
struct AtomCount {
  std::vector<std::string> leaves;
  int64_t count = 0;
};
struct Contribution {
  std::vector<std::string> leaves;
  uint64_t contributor = 0;  // the person (one contributor may appear in several atoms)
  double value = 0;
};
struct MeasureData {
  MeasureKind kind = MeasureKind::kCount;
  std::vector<AtomCount> counts;            // kCount
  std::vector<Contribution> contributions;  // kMagnitude
};

// The ledger: what earlier releases of the project published. Every cell of
// a released table is listed once, with the value published or none when it
// was suppressed.
struct ReleasedCell {
  CellCodes codes;
  std::optional<double> value;
};
struct ReleasedTable {
  std::string release_id;
  TableSpec table;
  std::vector<ReleasedCell> cells;
};
struct ReleaseHistory {
  std::vector<ReleasedTable> tables;
};

struct Quantity {
  std::string key;             // canonical name: "{age=0-4, sex=*}"
  std::vector<int32_t> sets;   // one leaf set per dimension (AtomSpace order)
  std::vector<int32_t> atoms;  // ascending
  double value = 0;            // the true value
  bool in_request = false;     // a cell of the request's tables
  bool earlier_published = false;
  bool earlier_suppressed = false;
};

struct ModelTable {
  std::string id;
  std::string release_id;  // empty for the request's tables
};
struct ModelCell {
  int32_t table = 0;  // into tables()
  CellCodes codes;
  int32_t quantity = 0;  // into quantities()
};

// What the primary rules see of a group of atoms.
struct GroupData {
  double value = 0;                   // the count, or the sum of the amounts
  int64_t contributors = 0;           // people (counts) or distinct contributors
  std::vector<double> contributions;  // per contributor, summed over the group (magnitudes)
};

class TableModel {
 public:
  // InvalidArgument for an invalid dimension, table (unknown dimension or
  // code, repeated dimension, repeated id), datum (unknown code, negative
  // count, non-finite amount) or ledger table (a cell missing, repeated or not
  // of the table); FailedPrecondition when a value the ledger says was
  // published differs from the value recomputed from the data.
  static StatusOr<TableModel> Create(const std::vector<Dimension>& dimensions, const std::vector<TableSpec>& request,
                                     const ReleaseHistory& history, const MeasureData& data);

  const AtomSpace& space() const { return space_; }
  MeasureKind kind() const { return kind_; }
  int32_t num_atoms() const { return space_.num_atoms(); }
  // Sorted by key.
  const std::vector<Quantity>& quantities() const { return quantities_; }
  // The request's tables first, in the order given, then the ledger's.
  const std::vector<ModelTable>& tables() const { return tables_; }
  // Every cell of every table, table by table, each in cross-product order.
  const std::vector<ModelCell>& cells() const { return cells_; }

  // Whether every atom of `inner` is in `outer`, from their leaf sets.
  bool Contains(const Quantity& outer, const Quantity& inner) const;
  // The quantities that contain quantity `inner` (it included), ascending:
  // those whose leaf set holds inner's in every dimension, found from the
  // per-dimension supersets, not by testing every quantity.
  std::vector<int32_t> Holders(int32_t inner) const;

  double AtomValue(int32_t atom) const;
  bool AnyNegativeContribution() const { return any_negative_; }
  GroupData Group(std::span<const int32_t> atoms) const;

 private:
  struct Entry {
    uint64_t contributor;
    double value;
    friend auto operator<=>(const Entry&, const Entry&) = default;
  };
  Status LoadData(const MeasureData& data);
  StatusOr<std::vector<std::vector<int32_t>>> TableCells(const TableSpec& spec, std::vector<CellCodes>& codes) const;
  Status AddTable(const TableSpec& spec, const std::string& release_id,
                  std::vector<std::pair<std::vector<int32_t>, CellCodes>>& cells);
  Status ApplyLedger(const ReleaseHistory& history);
  void IndexSupersets();

  AtomSpace space_;
  MeasureKind kind_ = MeasureKind::kCount;
  std::vector<int64_t> counts_;              // per atom (kCount)
  std::vector<std::vector<Entry>> entries_;  // per atom, sorted (kMagnitude)
  std::vector<double> atom_values_;
  bool any_negative_ = false;
  std::vector<Quantity> quantities_;
  std::map<std::vector<int32_t>, int32_t> by_sets_;  // a quantity's leaf sets -> the quantity
  std::vector<std::map<int32_t, std::vector<int32_t>>>
      supersets_;  // per dimension: a set used -> the sets used holding it
  std::vector<ModelTable> tables_;
  std::vector<ModelCell> cells_;
};

}  // namespace hdhub::airlock
