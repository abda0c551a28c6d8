// Ambulatory care (what becomes ER_PRS_F lines) and hospital use: the kinds
// of care, their prestation codes (IR_NAT_V), fees and reimbursement rates,
// how often people of each age use them, and the specialties (IR_SPE_V) of
// the physicians they see.
//
// Constant tables and pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>

#include "hdhub/synth/diagnoses.h"
#include "hdhub/synth/rng.h"

namespace hdhub::synth {

enum class CareKind : uint8_t {
  kGeneralPractitioner,
  kHomeVisit,
  kSpecialist,
  kPharmacy,
  kBiology,
  kNurse,
  kPhysiotherapy,
  kImaging,
};
inline constexpr int kCareKinds = 8;

// The kind of professional who executes an act (ProfessionalNumber kinds).
enum class ProfessionalKind : int { kGeneralPractitioner = 1, kSpecialist = 2, kPharmacy = 3, kLaboratory = 4,
                                    kParamedical = 5 };

struct CareAct {
  int nature;       // BSE_PRS_NAT, IR_NAT_V
  int fee_cents;    // per unit of coefficient
  int min_units;    // the coefficient (PRS_ACT_CFT) is drawn in [min_units, max_units]
  int max_units;
  int rate;         // reimbursement rate, percent
  ProfessionalKind executor;
  int specialty;    // PSE_SPE_COD (IR_SPE_V) of the executor; 0 when not a physician or drawn
  bool prescribed;  // carries a prescriber and a prescription date
};

const CareAct& ActOf(CareKind kind);

// Weights of each care kind by age band.
extern const std::array<std::array<uint8_t, kCareKinds>, kAgeBands> kCareMix;

// Ambulatory encounters per year of a person of `age` and `sex`, before the
// person's own frailty and the visits of planted conditions.
double EncounterRate(int age, int sex);
// Ordinary hospital stays per year (births and planted events come on top).
double StayRate(int age);

// The specialty (IR_SPE_V) of a specialist seen by a person of `age` and
// `sex`: paediatrics first for children; gynaecology only for women.
int DrawSpecialistSpecialty(Rng& rng, int age, int sex);

inline constexpr int kCardiology = 3;
inline constexpr int kGeneralMedicine = 1;

}  // namespace hdhub::synth
