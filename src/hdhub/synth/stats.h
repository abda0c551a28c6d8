// What an extract contains, counted while it is written: row counts per
// file and, per year, the population and the planted conditions. These are
// the ground truth of manifest.json.
//
// Thread-safety: values; each batch fills its own, the writer sums them.
#pragma once

#include <array>
#include <cstdint>

#include "hdhub/synth/columns.h"
#include "hdhub/synth/drugs.h"

namespace hdhub::synth {

inline constexpr int kMaxSpanYears = 30;

struct ConditionYear {
  int64_t prevalent = 0;              // alive in the year, condition begun by their last day alive in it
  int64_t treated = 0;                // at least one dispensation of the condition's drugs in the year
  int64_t treated_not_opted_out = 0;  // the same without the people of OPTOUT.csv
};

struct YearStats {
  int64_t alive = 0;  // alive at least one day of the year
  int64_t person_days = 0;
  int64_t births = 0;
  int64_t deaths = 0;
  int64_t infarction_stays = 0;  // T_MCOaaB rows with the planted infarction diagnosis, by entry year
  std::array<ConditionYear, kConditions> conditions{};
};

struct ExtractStats {
  int64_t people = 0;
  int64_t opted_out = 0;
  std::array<int64_t, kOutputFiles> rows{};
  std::array<YearStats, kMaxSpanYears> years{};

  void Add(const ExtractStats& other);
  int64_t TotalRows() const;
};

}  // namespace hdhub::synth
