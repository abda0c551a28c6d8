#include "hdhub/synth/demography.h"

#include <algorithm>
#include <cmath>

namespace hdhub::synth {
namespace {

constexpr double kInfantDeath = 0.0036;
constexpr double kChildDeath = 0.0001;
constexpr int kChildhoodEnd = 15;
constexpr double kGompertzMaleAt0 = 3.8e-5;  // q(80) ~ 0.05 for men
constexpr double kGompertzSlope = 0.09;
constexpr double kFemaleFactor = 0.58;
constexpr double kMaxDeath = 0.55;

// Births per woman and year by five-year group from 15 (INSEE fertility rates).
constexpr std::array<double, 7> kFertility = {0.002, 0.022, 0.09, 0.125, 0.075, 0.02, 0.002};
constexpr int kFertileFrom = 15;

}  // namespace

double AnnualDeathProbability(int age, int sex) {
  if (age <= 0) return kInfantDeath;
  double q = kGompertzMaleAt0 * std::exp(kGompertzSlope * age);
  if (age < kChildhoodEnd) q = std::max(q, kChildDeath);
  if (sex == 2) q *= kFemaleFactor;
  return std::min(q, kMaxDeath);
}

double AnnualBirthProbability(int age) {
  if (age < kFertileFrom) return 0;
  size_t group = static_cast<size_t>((age - kFertileFrom) / kAgeGroupYears);
  return group < kFertility.size() ? kFertility[group] : 0;
}

}  // namespace hdhub::synth
