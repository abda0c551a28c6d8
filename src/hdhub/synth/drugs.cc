#include "hdhub/synth/drugs.h"

namespace hdhub::synth {
namespace {

constexpr int64_t kCipPrefix = 34009;
constexpr int64_t kCip7Digits = 10'000'000;
constexpr int kEanDigits = 12;
constexpr int kRate65 = 65, kRate30 = 30, kRate15 = 15;
constexpr int kAdult = 18;
constexpr int kAnyAge = 120;

}  // namespace

const std::array<Drug, kDrugCount> kDrugs = {{
    // Type 2 diabetes.
    {9500011, "METFORMINE 1000 MG CPR 30", "A10BA02", "biguanide", Condition::kDiabetes, 310, kRate65, 0, 0, kAnyAge, 0},
    {9500028, "GLICLAZIDE 60 MG CPR LM 30", "A10BB09", "sulfonylurea", Condition::kDiabetes, 458, kRate65, 0, 0, kAnyAge, 0},
    {9500034, "SITAGLIPTINE 100 MG CPR 28", "A10BH01", "DPP-4 inhibitor", Condition::kDiabetes, 2860, kRate65, 0, 0,
     kAnyAge, 0},
    {9500040, "INSULINE GLARGINE 100 U/ML STYLO 5X3 ML", "A10AE04", "insulin", Condition::kDiabetes, 4550, kRate65, 0, 0,
     kAnyAge, 0},
    // Coronary heart disease after a myocardial infarction.
    {9500057, "ATORVASTATINE 40 MG CPR 30", "C10AA05", "statin", Condition::kCoronary, 730, kRate65, 0, 0, kAnyAge, 0},
    {9500063, "CLOPIDOGREL 75 MG CPR 30", "B01AC04", "antiplatelet", Condition::kCoronary, 670, kRate65, 0, 0, kAnyAge, 0},
    {9500070, "ACIDE ACETYLSALICYLIQUE 75 MG SACHET 30", "B01AC06", "antiplatelet", Condition::kCoronary, 290, kRate65, 0,
     0, kAnyAge, 0},
    {9500086, "BISOPROLOL 5 MG CPR 30", "C07AB07", "beta blocker", Condition::kCoronary, 360, kRate65, 0, 0, kAnyAge, 0},
    {9500092, "RAMIPRIL 5 MG CPR 30", "C09AA05", "ACE inhibitor", Condition::kCoronary, 310, kRate65, 0, 0, kAnyAge, 0},
    // Ordinary prescriptions.
    {9510019, "PARACETAMOL 1 G CPR 8", "N02BE01", "analgesic", Condition::kNone, 116, kRate65, 30, 0, kAnyAge, 0},
    {9510025, "AMOXICILLINE 1 G CPR 6", "J01CA04", "penicillin", Condition::kNone, 260, kRate65, 14, 0, kAnyAge, 0},
    {9510031, "IBUPROFENE 400 MG CPR 30", "M01AE01", "NSAID", Condition::kNone, 180, kRate65, 8, 0, kAnyAge, 0},
    {9510048, "OMEPRAZOLE 20 MG GEL 28", "A02BC01", "proton pump inhibitor", Condition::kNone, 390, kRate65, 8, kAdult,
     kAnyAge, 0},
    {9510054, "LEVOTHYROXINE 75 UG CPR 30", "H03AA01", "thyroid hormone", Condition::kNone, 220, kRate65, 6, kAdult,
     kAnyAge, 0},
    {9510060, "AMLODIPINE 5 MG GEL 30", "C08CA01", "calcium channel blocker", Condition::kNone, 300, kRate65, 7, 40,
     kAnyAge, 0},
    {9510077, "SALBUTAMOL 100 UG SUSP INHAL", "R03AC02", "bronchodilator", Condition::kNone, 440, kRate65, 5, 0, kAnyAge,
     0},
    {9510083, "CETIRIZINE 10 MG CPR 15", "R06AE07", "antihistamine", Condition::kNone, 190, kRate30, 5, 0, kAnyAge, 0},
    {9510090, "COLECALCIFEROL 100000 UI AMP", "A11CC05", "vitamin D", Condition::kNone, 195, kRate65, 6, 0, kAnyAge, 0},
    {9510108, "ESCITALOPRAM 10 MG CPR 28", "N06AB10", "antidepressant", Condition::kNone, 330, kRate65, 5, kAdult,
     kAnyAge, 0},
    {9510114, "ALPRAZOLAM 0.25 MG CPR 30", "N05BA12", "anxiolytic", Condition::kNone, 170, kRate65, 4, kAdult, kAnyAge,
     0},
    {9510120, "TRIMEBUTINE 100 MG CPR 30", "A03AA05", "antispasmodic", Condition::kNone, 270, kRate15, 3, 0, kAnyAge, 0},
    {9510137, "LEVONORGESTREL ETHINYLESTRADIOL CPR 3X21", "G03AA07", "oral contraceptive", Condition::kNone, 250,
     kRate65, 4, 15, 49, 2},
    {9510143, "AMOXICILLINE 250 MG/5 ML SUSP BUV", "J01CA04", "penicillin", Condition::kNone, 190, kRate65, 6, 0, 11, 0},
}};

int64_t Cip13(int cip7) {
  int64_t body = kCipPrefix * kCip7Digits + cip7;  // 12 digits
  int sum = 0;
  int64_t rest = body;
  for (int position = kEanDigits; position >= 1; --position) {
    int digit = static_cast<int>(rest % 10);
    rest /= 10;
    sum += position % 2 == 0 ? 3 * digit : digit;  // EAN: even positions from the left weigh 3
  }
  return body * 10 + (10 - sum % 10) % 10;
}

int PharmacyNature(int rate) {
  switch (rate) {
    case kRate30: return 3312;
    case kRate15: return 3341;
    default: return 3313;
  }
}

}  // namespace hdhub::synth
