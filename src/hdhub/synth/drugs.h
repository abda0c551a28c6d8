// The drugs a synthetic pharmacy dispenses. There is no drug nomenclature in
// the shared reference data, so the codes are our own, declared in
// manifest.json and in the extract's drug reference table (IR_PHA_R,
// drug_reference.h, with their ATC classes): CIP13 codes "34009" + a 7-digit code in the 95xxxxx range
// (no real product uses it) + an EAN-13 check digit. PHA_PRS_IDE carries the
// 7-digit code. The drugs of a planted condition are dispensed only to the
// people who have it, so a cohort query on their codes finds exactly them.
//
// Constant tables and pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace hdhub::synth {

enum class Condition : int { kNone = 0, kDiabetes = 1, kCoronary = 2 };
inline constexpr int kConditions = 3;  // including kNone

struct Drug {
  int cip7;
  std::string_view name;
  std::string_view atc;
  std::string_view drug_class;
  Condition condition;
  int price_cents;  // per box
  int rate;         // reimbursement rate, percent: 65, 30 or 15
  int weight;       // how often an ordinary prescription holds it (0 for condition drugs)
  int min_age;
  int max_age;
  int sex;          // 0 any, 1 men, 2 women
};

inline constexpr int kDrugCount = 23;
extern const std::array<Drug, kDrugCount> kDrugs;

// Indexes into kDrugs of the drugs of each condition's regimen.
inline constexpr int kMetformin = 0, kGliclazide = 1, kSitagliptin = 2, kInsulinGlargine = 3;
inline constexpr int kAtorvastatin = 4, kClopidogrel = 5, kAspirin = 6, kBisoprolol = 7, kRamipril = 8;

// "34009" + cip7 + EAN-13 check digit, as an integer (PHA_PRS_C13).
int64_t Cip13(int cip7);

// The prestation nature (IR_NAT_V) of a pharmacy line for drugs listed at
// `rate` percent: 3313 PH7 (65 %), 3312 PH4 (30 %), 3341 PH2 (15 %).
int PharmacyNature(int rate);

}  // namespace hdhub::synth
