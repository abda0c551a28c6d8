// DCIR rows: ER_PRS_F (one line per prestation) and ER_PHA_F (one row per
// drug of a pharmacy line), joined by the nine DCIR keys.
//
// Keys: each care event is a claim ("décompte") numbered k = 1, 2, … over the
// person's whole span; DCT_ORD_NUM = (person mod 100000) * 10000 + k mod
// 10000 and FLX_EMT_ORD = person / 100000, PRS_ORD_NUM numbers the lines of
// a claim and REM_TYP_AFF is 1. With at most 999 claims a person-year, two
// claims of a person with the same DCT_ORD_NUM are ten years apart and so
// differ in FLX_DIS_DTD: every ER_PRS_F line has its own key.
//
// Thread-safety: a DcirWriter belongs to one thread.
#pragma once

#include <array>
#include <cstdint>
#include <span>

#include "hdhub/synth/csv_row.h"
#include "hdhub/synth/drugs.h"
#include "hdhub/synth/life.h"
#include "hdhub/synth/person_context.h"

namespace hdhub::synth {

RowLayout MakeErPrsFLayout();
RowLayout MakeErPhaFLayout();

// What a person-year's DCIR lines contain, for IR_BEN_R and the ground truth.
struct DcirFacts {
  int64_t prs_lines = 0;
  int64_t pha_rows = 0;
  Day last_processing = 0;  // the latest FLX_TRT_DTD, when prs_lines > 0
  std::array<bool, kConditions> refilled{};  // a drug of the condition was dispensed
};

class DcirWriter {
 public:
  DcirWriter(const RowLayout* prs, const RowLayout* pha);

  void BeginPerson(const PersonContext& person);
  // Writes the lines of one person-year's events (in date order).
  void WriteYear(Rng& rng, std::span<const CareEvent> events, ByteBuffer& prs_out, ByteBuffer& pha_out,
                 DcirFacts* facts);

 private:
  static constexpr int kMaxDrugsPerClaim = 4;
  struct Claim {
    Day day;
    CivilDate civil_day;
    CivilDate processed;  // FLX_TRT_DTD
    CivilDate available;  // FLX_DIS_DTD, the first day of the next month
    int64_t number;       // DCT_ORD_NUM
  };
  struct DrugLine {
    int drug;
    int boxes;
  };
  struct Prescriber {
    CivilDate day;
    int64_t number = 0;
    int specialty = 0;
  };
  void WriteAct(Rng& rng, const CareEvent& e, const Claim& claim, ByteBuffer& out);
  void WritePharmacy(Rng& rng, const CareEvent& e, const Claim& claim, ByteBuffer& prs_out, ByteBuffer& pha_out,
                     DcirFacts* facts);
  void WritePharmacyLine(const Claim& claim, int line, int rate, std::span<const DrugLine> drugs,
                         const Prescriber& prescriber, ByteBuffer& prs_out, ByteBuffer& pha_out, DcirFacts* facts);
  void SetCommon(const Claim& claim, int line, int rate);
  void SetAmounts(int nature, int64_t base_cents, int rate, int64_t extra_cents);
  Prescriber DrawPrescriber(Rng& rng, Day day) const;
  void SetPrescriber(const Prescriber& p);
  int64_t SpecialistNumber(Rng& rng, ProfessionalKind kind) const;
  int DrawOrdinaryDrugs(Rng& rng, Day day, std::array<DrugLine, kMaxDrugsPerClaim>& out);

  RowBuilder prs_;
  RowBuilder pha_;
  PersonContext person_;
  int64_t claims_ = 0;
  std::array<int64_t, kDrugCount> cip13_{};  // Cip13 of each drug, computed once
  int drug_weights_age_ = -1;                // the age drug_weights_ was made for
  std::array<int, kDrugCount> drug_weights_{};
};

}  // namespace hdhub::synth
