// SNDS-shaped hierarchical count tables for bench/airlock_bench.cc: year x
// age band x sex x department (nested in regions) x ATC class (nested ATC
// levels), every code of every dimension crossed (all margins included),
// people per leaf drawn from a seeded RNG with a realistic skew (many small
// cells, some empty). Also the table's additivity relations (a parent code's
// cell = the sum of its children's cells, the other codes fixed), which the
// optimal-pattern MIP (airlock_optimal.h) is written on.
//
// Deterministic: the same shape and seed give the same table on one
// platform (std::mt19937_64 and libstdc++'s distributions).
#pragma once

#include <cstdint>
#include <string>
#include <vector>

#include "hdhub/airlock/protection.h"

namespace hdhub::airlock::bench {

// A dimension with 0 codes (or sex = false) is left out: the smaller
// comparison tables are department x ATC (2-D) or one more dimension (3-D).
struct TableShape {
  int years = 2;
  int age_bands = 2;
  int regions = 2;
  int departments_per_region = 2;
  std::vector<int> atc_fanout = {2, 2};  // children per ATC level: {anatomical groups, then per group, ...}
  bool sex = true;
};

// The number of cells of the full table of `shape` (every code crossed).
int64_t CellCount(const TableShape& shape);

// The predefined shape whose cell count is nearest `target` among the bench's
// shapes for 10^3, 10^4, 10^5 and 10^6 cells.
TableShape ShapeForCells(int64_t target);

// A small shape for the optimal comparison, chosen by `index` (0-2: 2-D,
// 3-4: 3-D, 5-7: all five dimensions; 400 to 1,825 cells).
TableShape SmallShape(int index);

struct GeneratedTable {
  std::vector<Dimension> dimensions;
  TableSpec table;  // id "t", every dimension at every code
  MeasureData data;
  // Each relation: indices into the table's cells (cross-product order), the
  // parent first, then its children.
  std::vector<std::vector<int64_t>> relations;
};

GeneratedTable Generate(const TableShape& shape, uint64_t seed);

}  // namespace hdhub::airlock::bench
