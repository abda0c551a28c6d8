#include "hdhub/synth/conditions.h"

#include <array>

namespace hdhub::synth {
namespace {

struct CurvePoint {
  double age;
  double share;  // of people of that age who have the condition
};

// Treated type 2 diabetes by age (both sexes; men x1.2, women x0.8).
constexpr std::array<CurvePoint, 8> kDiabetesCurve = {
    {{20, 0.0}, {30, 0.006}, {40, 0.02}, {50, 0.05}, {60, 0.10}, {70, 0.15}, {80, 0.17}, {110, 0.17}}};
// Survivors of a myocardial infarction by age (men x1.4, women x0.6).
constexpr std::array<CurvePoint, 7> kCoronaryCurve = {
    {{35, 0.0}, {45, 0.005}, {55, 0.02}, {65, 0.045}, {75, 0.08}, {85, 0.11}, {110, 0.13}}};
constexpr double kDiabetesMen = 1.2, kDiabetesWomen = 0.8;
constexpr double kCoronaryMen = 1.4, kCoronaryWomen = 0.6;
constexpr int kDiagnosisToTreatment = 10;
constexpr int kInfarctionToTreatment = 7;
constexpr int kDualAntiplateletDays = 365;
constexpr int kLongRefill = 90;
constexpr int kShortRefill = 30;

// The age at which the cumulative share reaches u, or a negative value if never.
template <size_t N>
double AgeAtShare(const std::array<CurvePoint, N>& curve, double factor, double u) {
  for (size_t i = 1; i < N; ++i) {
    double lo = curve[i - 1].share * factor;
    double hi = curve[i].share * factor;
    if (u < hi) {
      double t = hi > lo ? (u - lo) / (hi - lo) : 0;
      return curve[i - 1].age + (t < 0 ? 0 : t) * (curve[i].age - curve[i - 1].age);
    }
  }
  return -1;
}

uint32_t Bit(int drug) { return 1u << drug; }

uint32_t DiabetesRegimen(Rng& rng) {
  uint32_t r = 0;
  if (rng.Chance(0.85)) r |= Bit(kMetformin);
  if (rng.Chance(0.30)) r |= Bit(kGliclazide);
  if (rng.Chance(0.25)) r |= Bit(kSitagliptin);
  if (rng.Chance(0.15)) r |= Bit(kInsulinGlargine);
  return r == 0 ? Bit(kMetformin) : r;
}

uint32_t CoronaryRegimen(Rng& rng) {
  uint32_t r = 0;
  if (rng.Chance(0.90)) r |= Bit(kAtorvastatin);
  if (rng.Chance(0.70)) r |= Bit(kBisoprolol);
  if (rng.Chance(0.60)) r |= Bit(kRamipril);
  return r;  // the antiplatelet drug is added at each refill
}

}  // namespace

ConditionState DrawCondition(Rng& rng, Condition condition, int sex, Day birth) {
  ConditionState state;
  bool diabetes = condition == Condition::kDiabetes;
  double factor = diabetes ? (sex == 1 ? kDiabetesMen : kDiabetesWomen) : (sex == 1 ? kCoronaryMen : kCoronaryWomen);
  double u = rng.Uniform();
  double age = diabetes ? AgeAtShare(kDiabetesCurve, factor, u) : AgeAtShare(kCoronaryCurve, factor, u);
  // Draw the rest even when the condition never begins: a person's other
  // draws then do not depend on this one.
  uint32_t regimen = diabetes ? DiabetesRegimen(rng) : CoronaryRegimen(rng);
  int refill = rng.Chance(0.4) ? kLongRefill : kShortRefill;
  uint64_t key = rng.Next();
  if (age < 0) return state;
  state.onset = birth + static_cast<Day>(age * kDaysPerYear);
  state.regimen = regimen;
  state.refill_days = refill;
  state.schedule_key = key;
  return state;
}

Day TreatmentStart(const ConditionState& state, Condition condition) {
  if (state.onset == kNever) return kNever;
  return state.onset + (condition == Condition::kDiabetes ? kDiagnosisToTreatment : kInfarctionToTreatment);
}

uint32_t DrugsAt(const ConditionState& state, Condition condition, Day day) {
  if (condition != Condition::kCoronary) return state.regimen;
  bool first_year = day < state.onset + kDualAntiplateletDays;
  return state.regimen | Bit(first_year ? kClopidogrel : kAspirin);
}

}  // namespace hdhub::synth
