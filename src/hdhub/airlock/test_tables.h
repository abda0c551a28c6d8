// Test-only builders for the airlock's table tests: dimensions with a total,
// tables over every code, count data from a grid, and look-ups in results.
#pragma once

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "hdhub/airlock/attacker_lp.h"
#include "hdhub/airlock/protection.h"
#include "hdhub/airlock/table_model.h"

namespace hdhub::airlock::testing {

inline constexpr char kTotal[] = "Total";

// `leaves`, each under a top-level code "Total" (unless total is empty).
inline Dimension Flat(std::string name, const std::vector<std::string>& leaves, const std::string& total = kTotal) {
  Dimension d{.name = std::move(name)};
  if (!total.empty()) d.codes.push_back({total, ""});
  for (const std::string& leaf : leaves) d.codes.push_back({leaf, total});
  return d;
}

// "r1", "r2", ...
inline std::vector<std::string> Names(const std::string& prefix, int n) {
  std::vector<std::string> out;
  for (int i = 1; i <= n; ++i) out.push_back(prefix + std::to_string(i));
  return out;
}

// A table over every code of each named dimension.
inline TableSpec Full(std::string id, const std::vector<std::string>& dimensions) {
  TableSpec t{.id = std::move(id)};
  for (const std::string& d : dimensions) t.dimensions.push_back({d, {}});
  return t;
}

inline MeasureData Counts(std::vector<std::pair<std::vector<std::string>, int64_t>> cells) {
  MeasureData data{.kind = MeasureKind::kCount};
  for (auto& [leaves, count] : cells) data.counts.push_back({std::move(leaves), count});
  return data;
}

// Counts of a rows x cols grid over dimensions "row" (r1..) and "col" (c1..).
inline MeasureData Grid(const std::vector<std::vector<int64_t>>& grid) {
  MeasureData data{.kind = MeasureKind::kCount};
  for (size_t r = 0; r < grid.size(); ++r) {
    for (size_t c = 0; c < grid[r].size(); ++c) {
      data.counts.push_back({{"r" + std::to_string(r + 1), "c" + std::to_string(c + 1)}, grid[r][c]});
    }
  }
  return data;
}

// The τ-ARGUS manual's audit example (airlock research §5.3, case 1): rows
// I, II, III by columns A, B, one table with its margins.
inline StatusOr<TableModel> TauArgusExample() {
  const MeasureData data = Counts(
      {{{"I", "A"}, 5}, {{"I", "B"}, 2}, {{"II", "A"}, 1}, {{"II", "B"}, 2}, {{"III", "A"}, 3}, {{"III", "B"}, 2}});
  return TableModel::Create({Flat("row", {"I", "II", "III"}), Flat("col", {"A", "B"})}, {Full("t", {"row", "col"})}, {},
                            data);
}

inline const CellRecord* FindCell(const ProtectionResult& result, const std::string& table, const CellCodes& codes) {
  for (const CellRecord& c : result.cells) {
    if (c.table == table && c.codes == codes) return &c;
  }
  return nullptr;
}

inline bool Suppressed(const ProtectionResult& result, const std::string& table, const CellCodes& codes) {
  const CellRecord* c = FindCell(result, table, codes);
  return c != nullptr && c->status == CellStatus::kSuppressed;
}

inline int32_t QuantityByKey(const TableModel& model, const std::string& key) {
  for (size_t q = 0; q < model.quantities().size(); ++q) {
    if (model.quantities()[q].key == key) return static_cast<int32_t>(q);
  }
  return -1;
}

// Clp, except that every target is reported pinned at its maximum: a wrong
// interval, which the audit's self-check must turn into an error.
class PinnedAtMaxLp : public AttackerLp {
 public:
  explicit PinnedAtMaxLp(std::unique_ptr<AttackerLp> lp) : lp_(std::move(lp)) {}
  StatusOr<LpBounds> Bounds(std::span<const int32_t> target) override {
    ASSIGN_OR_RETURN(LpBounds b, lp_->Bounds(target));
    b.min = b.max;
    return b;
  }
  Status SetRowBounds(int32_t row, double lower, double upper) override { return lp_->SetRowBounds(row, lower, upper); }
  std::string SolverName() const override { return lp_->SolverName(); }
  std::string SolverVersion() const override { return lp_->SolverVersion(); }

 private:
  std::unique_ptr<AttackerLp> lp_;
};

inline StatusOr<std::unique_ptr<AttackerLp>> CreatePinnedAtMaxLp(const LpProblem& problem) {
  ASSIGN_OR_RETURN(std::unique_ptr<AttackerLp> lp, CreateClpAttackerLp(problem));
  return std::unique_ptr<AttackerLp>(std::make_unique<PinnedAtMaxLp>(std::move(lp)));
}

}  // namespace hdhub::airlock::testing
