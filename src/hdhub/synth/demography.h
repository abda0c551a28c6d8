// Population model: the French age and sex pyramid (INSEE, early 2020s, in
// five-year groups), births, deaths by age and sex, and births to women.
//
// Constant tables and pure functions; thread-safe.
#pragma once

#include <array>

namespace hdhub::synth {

inline constexpr int kAgeGroupYears = 5;
inline constexpr int kAgeGroups = 21;  // 0-4 … 95-99, 100-104

// Residents per age group, thousands; and the share of men in each group.
inline constexpr std::array<int, kAgeGroups> kPyramidK = {3500, 3900, 4200, 4200, 3900, 3800, 4100,
                                                         4300, 4300, 4400, 4500, 4500, 4200, 3950,
                                                         3650, 2800, 1950, 1350, 680,  200,  30};
inline constexpr std::array<double, kAgeGroups> kMaleShare = {0.512, 0.512, 0.511, 0.511, 0.505, 0.49, 0.485,
                                                              0.487, 0.493, 0.495, 0.492, 0.483, 0.475, 0.468,
                                                              0.461, 0.44,  0.41,  0.35,  0.28,  0.21,  0.15};

// Live births per resident and year (about 720 000 for 68 million).
inline constexpr double kBirthRate = 0.0106;
// The share of boys at birth.
inline constexpr double kMaleShareAtBirth = 0.512;

// Probability of dying within a year at `age` for `sex` (1 man, 2 woman):
// infant mortality, then a Gompertz law fitted to French life tables.
double AnnualDeathProbability(int age, int sex);

// Probability that a woman of `age` gives birth within a year.
double AnnualBirthProbability(int age);

}  // namespace hdhub::synth
