// PlanStays (life.h): the hospital stays of a person-year.
#include <algorithm>
#include <cmath>

#include "hdhub/synth/demography.h"
#include "hdhub/synth/life.h"

namespace hdhub::synth {
namespace {

constexpr double kDiabetesStayFactor = 1.5;
constexpr double kCoronaryStayFactor = 1.6;
constexpr double kDiabetesDedicatedStayShare = 0.12;
constexpr double kHospitalDeathShare = 0.55;
constexpr double kEmergencyShare = 0.35;
constexpr int kMaxStaysPerYear = 12;
constexpr int kMaxStayDays = 90;
constexpr double kExtraBirthDays = 0.5;
constexpr double kTerminalStayMeanDays = 8;
constexpr int kPercent = 100;

// How many associated diagnoses, by age band (then planted ones on top, at most 3 in all).
constexpr std::array<std::array<int, kMaxAssociated + 1>, kAgeBands> kAssociatedCountWeights = {{
    {70, 25, 5, 0}, {70, 25, 5, 0}, {55, 30, 12, 3}, {40, 35, 18, 7}, {30, 35, 22, 13}, {25, 35, 25, 15}}};

const StayReason* PickReason(Rng& rng, int band, int sex) {
  std::array<int, kStayReasonCount> weights{};
  for (size_t i = 0; i < weights.size(); ++i) {
    const StayReason& r = kStayReasons[i];
    weights[i] = r.sex == 0 || r.sex == sex ? r.weight[static_cast<size_t>(band)] : 0;
  }
  return &kStayReasons[static_cast<size_t>(rng.Pick(weights))];
}

int DrawDays(Rng& rng, const StayReason& r) {
  if (static_cast<int>(rng.Below(kPercent)) < r.same_day_share) return 0;
  int days = 1 + static_cast<int>(rng.Exponential() * (r.mean_days - 0.5));
  return std::min(days, kMaxStayDays);
}

void AddAssociated(Stay& s, std::string_view code) {
  if (s.associated_count >= kMaxAssociated || code == s.reason->diagnosis) return;
  for (int i = 0; i < s.associated_count; ++i) {
    if (s.associated[static_cast<size_t>(i)] == code) return;
  }
  s.associated[static_cast<size_t>(s.associated_count++)] = code;
}

void DrawAssociated(Rng& rng, const Life& life, int band, int sex, Stay& s) {
  if (life.Of(Condition::kDiabetes).HasBy(s.entry) && s.reason != &kDiabetesStay) {
    AddAssociated(s, kDiabetesAssociated);
  }
  if (life.Of(Condition::kCoronary).HasBy(s.entry) && s.reason != &kInfarctionStay) {
    AddAssociated(s, kOldInfarctionAssociated);
  }
  int n = rng.Pick(kAssociatedCountWeights[static_cast<size_t>(band)]);
  std::array<int, kAssociatedCount> weights{};
  for (size_t i = 0; i < weights.size(); ++i) {
    const WeightedCode& c = kAssociatedDiagnoses[i];
    weights[i] = c.sex == 0 || c.sex == sex ? c.weight[static_cast<size_t>(band)] : 0;
  }
  for (int i = 0; i < n; ++i) AddAssociated(s, kAssociatedDiagnoses[static_cast<size_t>(rng.Pick(weights))].code);
}

// The main act of the stay's reason, then up to two everyday acts for stays with a night.
void DrawActs(Rng& rng, Stay& s) {
  auto add = [&s](std::string_view act) {
    for (int i = 0; i < s.act_count; ++i) {
      if (s.acts[static_cast<size_t>(i)] == act) return;
    }
    if (s.act_count < kMaxActs) s.acts[static_cast<size_t>(s.act_count++)] = act;
  };
  if (!s.reason->main_act.empty()) add(s.reason->main_act);
  int extra = s.exit > s.entry ? rng.Between(0, 2) : 0;
  for (int i = 0; i < extra; ++i) add(kCommonActs[rng.Below(static_cast<uint32_t>(kCommonActs.size()))]);
}

bool Overlaps(const std::vector<Stay>& stays, Day entry, Day exit) {
  for (const Stay& s : stays) {
    if (entry <= s.exit && exit >= s.entry) return true;
  }
  return false;
}

// Adds a stay of `days` days entering on `entry` if it fits the period and
// no other stay; returns whether it did.
bool TryAdd(std::vector<Stay>* out, ActivePeriod p, Day entry, int days, const StayReason* reason, bool emergency) {
  Day exit = entry + days;
  if (entry < p.from || exit > p.to || Overlaps(*out, entry, exit)) return false;
  Stay s;
  s.entry = entry;
  s.exit = exit;
  s.reason = reason;
  s.emergency = emergency;
  out->push_back(s);
  return true;
}

// Births, infarctions and deaths in hospital: placed before ordinary stays.
void AddPlantedStays(Rng& rng, const Identity& who, const Life& life, ActivePeriod p, std::vector<Stay>* out) {
  if (who.birth >= p.from && who.birth <= p.to) {
    TryAdd(out, p, who.birth, kNewbornStay.mean_days + rng.Poisson(kExtraBirthDays), &kNewbornStay, false);
  }
  Day infarction = life.Of(Condition::kCoronary).onset;
  if (infarction >= p.from && infarction <= p.to) {
    int days = std::min(DrawDays(rng, kInfarctionStay), p.to - infarction);
    TryAdd(out, p, infarction, days, &kInfarctionStay, true);
  }
  if (life.death == p.to && rng.Chance(kHospitalDeathShare)) {
    int days = 1 + rng.Poisson(kTerminalStayMeanDays);
    Day entry = std::max(p.from, p.to - days);
    int band = AgeBand(AgeInYears(who.birth, p.to));
    if (TryAdd(out, p, entry, p.to - entry, PickReason(rng, band, who.sex), rng.Chance(kEmergencyShare))) {
      out->back().death = true;
    }
  }
}

}  // namespace

void PlanStays(Rng& rng, const Identity& who, const Life& life, ActivePeriod p, std::vector<Stay>* out) {
  out->clear();
  AddPlantedStays(rng, who, life, p, out);
  int age = AgeInYears(who.birth, p.from + p.days() / 2);
  int band = AgeBand(age);
  double share_of_year = p.days() / kDaysPerYear;
  if (who.sex == 2 && rng.Chance(AnnualBirthProbability(age) * share_of_year)) {
    TryAdd(out, p, p.from + static_cast<Day>(rng.Below(static_cast<uint32_t>(p.days()))),
           kDeliveryStay.mean_days + rng.Poisson(kExtraBirthDays), &kDeliveryStay, false);
  }
  bool diabetic = life.Of(Condition::kDiabetes).HasBy(p.to);
  double rate = StayRate(age) * std::sqrt(life.frailty);
  if (diabetic) rate *= kDiabetesStayFactor;
  if (life.Of(Condition::kCoronary).HasBy(p.to)) rate *= kCoronaryStayFactor;
  int n = std::min(rng.Poisson(rate * share_of_year), kMaxStaysPerYear);
  for (int i = 0; i < n; ++i) {
    const StayReason* reason =
        diabetic && rng.Chance(kDiabetesDedicatedStayShare) ? &kDiabetesStay : PickReason(rng, band, who.sex);
    int days = DrawDays(rng, *reason);
    if (p.days() <= days) continue;
    Day entry = p.from + static_cast<Day>(rng.Below(static_cast<uint32_t>(p.days() - days)));
    TryAdd(out, p, entry, days, reason, rng.Chance(kEmergencyShare));
  }
  std::sort(out->begin(), out->end(), [](const Stay& a, const Stay& b) { return a.entry < b.entry; });
  for (Stay& s : *out) {
    DrawAssociated(rng, life, band, who.sex, s);
    DrawActs(rng, s);
  }
}

}  // namespace hdhub::synth
