#include "hdhub/synth/life.h"

#include <algorithm>
#include <cmath>

#include "hdhub/synth/demography.h"

namespace hdhub::synth {
namespace {

constexpr double kLowIncomeShare = 0.08;
constexpr int kInhabitantsPerPractitionerK = 1;
constexpr double kDiabetesDeathFactor = 1.3;
constexpr double kCoronaryDeathFactor = 1.5;
constexpr double kConditionVisitsPerYear = 4;

Day DrawDeath(Rng& rng, const Identity& who, const Life& life, SpanYears years) {
  for (int y = years.first; y <= years.last; ++y) {
    Day from = std::max(YearStart(y), who.birth);
    Day to = YearEnd(y);
    if (to < from) continue;
    int days = to - from + 1;
    double q = AnnualDeathProbability(AgeInYears(who.birth, from), who.sex) * days / kDaysPerYear;
    if (life.Of(Condition::kDiabetes).HasBy(from)) q *= kDiabetesDeathFactor;
    if (life.Of(Condition::kCoronary).HasBy(from)) q *= kCoronaryDeathFactor;
    if (rng.Chance(q)) return from + static_cast<Day>(rng.Below(static_cast<uint32_t>(days)));
  }
  return kNever;
}

int DrawSpecialty(Rng& rng, CareKind kind, int age, int sex) {
  if (kind == CareKind::kGeneralPractitioner || kind == CareKind::kHomeVisit) return kGeneralMedicine;
  if (kind != CareKind::kSpecialist) return ActOf(kind).specialty;
  return DrawSpecialistSpecialty(rng, age, sex);
}

// A day in [max(from, first), to], or kNever when that is empty.
Day DayBetween(Rng& rng, Day first, ActivePeriod p) {
  Day from = std::max(first, p.from);
  if (p.to < from) return kNever;
  return from + static_cast<Day>(rng.Below(static_cast<uint32_t>(p.to - from + 1)));
}

void AddConditionCare(Rng& rng, const Life& life, ActivePeriod p, std::vector<CareEvent>* out) {
  for (Condition c : {Condition::kDiabetes, Condition::kCoronary}) {
    const ConditionState& s = life.Of(c);
    ForEachRefill(s, c, p.from, p.to, [&](Day d) { out->push_back({d, CareKind::kPharmacy, c, 0}); });
    ForEachFollowUp(s, c, p.from, p.to, [&](Day d) { out->push_back({d, CareKind::kBiology, c, 0}); });
  }
  // A yearly cardiology visit after an infarction.
  Day visit = DayBetween(rng, TreatmentStart(life.Of(Condition::kCoronary), Condition::kCoronary), p);
  if (visit != kNever) out->push_back({visit, CareKind::kSpecialist, Condition::kCoronary, kCardiology});
}

}  // namespace

Life DrawLife(Rng& rng, const Identity& who, SpanYears years) {
  Life life;
  life.frailty = 0.5 * (rng.Exponential() + rng.Exponential());  // gamma(2, 1/2)
  life.low_income = rng.Chance(kLowIncomeShare);
  int practitioners = kDepartments[static_cast<size_t>(who.department)].population_k / kInhabitantsPerPractitionerK;
  life.general_practitioner = static_cast<int>(rng.Below(static_cast<uint32_t>(practitioners)));
  life.hospital = static_cast<int>(rng.Below(static_cast<uint32_t>(HospitalCount(who.department))));
  for (Condition c : {Condition::kDiabetes, Condition::kCoronary}) {
    life.conditions[static_cast<size_t>(c)] = DrawCondition(rng, c, who.sex, who.birth);
  }
  life.death = DrawDeath(rng, who, life, years);
  return life;
}

ActivePeriod ActiveIn(const Identity& who, const Life& life, int year) {
  return {std::max(YearStart(year), who.birth), std::min(YearEnd(year), life.death)};
}

void PlanCare(Rng& rng, const Identity& who, const Life& life, ActivePeriod p, std::vector<CareEvent>* out) {
  out->clear();
  int age = AgeInYears(who.birth, p.from + p.days() / 2);
  int band = AgeBand(age);
  double visits = EncounterRate(age, who.sex) * life.frailty;
  for (Condition c : {Condition::kDiabetes, Condition::kCoronary}) {
    if (life.Of(c).HasBy(p.to)) visits += kConditionVisitsPerYear;
  }
  int n = rng.Poisson(visits * p.days() / kDaysPerYear);
  for (int i = 0; i < n; ++i) {
    CareEvent e;
    e.day = p.from + static_cast<Day>(rng.Below(static_cast<uint32_t>(p.days())));
    e.kind = static_cast<CareKind>(rng.Pick(kCareMix[static_cast<size_t>(band)]));
    e.specialty = DrawSpecialty(rng, e.kind, age, who.sex);
    out->push_back(e);
  }
  AddConditionCare(rng, life, p, out);
  std::sort(out->begin(), out->end());
  if (out->size() > kMaxClaimsPerYear) out->resize(kMaxClaimsPerYear);
}

}  // namespace hdhub::synth
