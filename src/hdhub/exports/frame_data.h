// The true data of a frame for the airlock (docs/airlock-workflow.md §2.1):
// the rows of FrameQuery (frame.h), each mapped onto the finest code of every
// dimension, gathered into the airlock::MeasureData of one measure.
//
//   count (unit person): people per atom, each person in one row only;
//   units: a magnitude, 1 per row, whose contributor is the row's person;
//   sum:   a magnitude, the row's amount, whose contributor is the row's person.
//
// Magnitudes hold one contribution per atom and person, the person's rows
// added up in sorted order, so the data do not depend on the order of the
// rows (a release recomputes them and must find the same bytes).
//
// The builder holds health data (what Protect needs); errors name the frame
// and the dimension, never a value, a code of the data or a contributor.
//
// Thread-safety: Add() needs exclusive access; Finish() is const.
#pragma once

#include <cstdint>
#include <map>
#include <optional>
#include <string>
#include <unordered_map>
#include <unordered_set>
#include <utility>
#include <vector>

#include "hdhub/airlock/table_model.h"
#include "hdhub/common/status.h"
#include "hdhub/exports/frame.h"

namespace hdhub::exports {

class FrameDataBuilder {
 public:
  // A builder for `frame`'s rows over `dimensions`, BuildDimensions(frame,
  // ...)'s result. InvalidArgument when the dimensions are not the frame's
  // (one per frame dimension, the same names, in order; bands with one code
  // per edge).
  static StatusOr<FrameDataBuilder> Create(FrameDeclaration frame, const std::vector<airlock::Dimension>& dimensions);

  // One row of FrameQuery: its contributor rank, one value per dimension in
  // declared order (d0, d1, ...) and the amount when the frame has one.
  // Values map to a finest code: `values` a listed code; `range` an integer
  // of the range; `bands` a whole number, to its band; `nomenclature` a code
  // no other code has as parent. InvalidArgument naming the frame (and the
  // dimension) for a wrong number of values, an amount without an amount
  // column, a NULL value, a value that maps to no finest code, a value below
  // the first band, or, under unit person, a person in a second row. The row
  // is not kept when it fails.
  Status Add(uint64_t contributor, const std::vector<std::optional<std::string>>& values, std::optional<double> amount);

  // The data of `measure` over the rows added. InvalidArgument for a measure
  // the frame does not support (CheckMeasure), and under sum for a NULL or
  // non-finite amount; FailedPrecondition under sum for a negative amount
  // (docs §9: the checkers review such data; Protect would refuse it too).
  StatusOr<airlock::MeasureData> Finish(Measure measure) const;

  int64_t rows() const { return static_cast<int64_t>(rows_.size()); }

 private:
  struct DimensionMap {
    DimensionKind kind = DimensionKind::kValues;
    std::unordered_map<std::string, int32_t> leaves;  // finest code -> leaf index
    std::vector<int64_t> edges;                       // bands
    std::vector<std::string> leaf_codes;              // leaf index -> code
  };
  struct Row {
    int32_t atom = 0;
    uint64_t contributor = 0;
    std::optional<double> amount;
  };
  FrameDataBuilder(FrameDeclaration frame, std::vector<DimensionMap> maps)
      : frame_(std::move(frame)), maps_(std::move(maps)) {}
  StatusOr<int32_t> Leaf(size_t dim, const std::optional<std::string>& value) const;
  std::vector<std::string> LeafCodes(int32_t atom) const;

  FrameDeclaration frame_;
  std::vector<DimensionMap> maps_;                 // per frame dimension
  std::map<std::vector<int32_t>, int32_t> atoms_;  // leaf indices -> atom id
  std::vector<std::vector<int32_t>> atom_leaves_;  // atom id -> leaf indices
  std::vector<Row> rows_;
  std::unordered_set<uint64_t> persons_;  // unit person: contributors seen
};

}  // namespace hdhub::exports
