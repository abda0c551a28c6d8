// The chronic conditions planted in the population so that cohort queries
// find people: type 2 diabetes and coronary heart disease after a myocardial
// infarction. Each person draws, once, the age at which each condition
// begins; prevalence by age then follows the curves in conditions.cc
// (diabetes reaches about 15 % after 70). From its onset, a person with a
// condition gets refills of the condition's drugs on a regular schedule.
//
// Pure functions of their arguments; thread-safe.
#pragma once

#include <cstdint>
#include <limits>

#include "hdhub/synth/calendar.h"
#include "hdhub/synth/drugs.h"
#include "hdhub/synth/rng.h"

namespace hdhub::synth {

inline constexpr Day kNever = std::numeric_limits<Day>::max();

struct ConditionState {
  Day onset = kNever;     // diagnosis (diabetes) or infarction (coronary)
  uint32_t regimen = 0;   // bit i: kDrugs[i] is part of the treatment
  int refill_days = 30;   // 30 (one box of each drug) or 90 (three boxes)
  uint64_t schedule_key = 0;

  bool HasBy(Day day) const { return onset <= day; }
};

// Draws the onset of `condition` for a person (kNever when it never begins)
// and, if it does, the treatment.
ConditionState DrawCondition(Rng& rng, Condition condition, int sex, Day birth);

// The first day of treatment (after diagnosis, or discharge after the infarction).
Day TreatmentStart(const ConditionState& state, Condition condition);

// Calls f(day) for each refill of the condition's drugs with day in [from, to].
template <typename F>
void ForEachRefill(const ConditionState& state, Condition condition, Day from, Day to, F&& f);

// Calls f(day) for each follow-up test (HbA1c for diabetes) in [from, to].
template <typename F>
void ForEachFollowUp(const ConditionState& state, Condition condition, Day from, Day to, F&& f);

// The drugs dispensed at a refill on `day` (coronary: clopidogrel during the
// first year after the infarction, aspirin after).
uint32_t DrugsAt(const ConditionState& state, Condition condition, Day day);

namespace internal {
inline constexpr int kJitterDays = 3;
inline constexpr int kFollowUpDays = 120;

// Days start + k * period, each moved by up to kJitterDays (the same for a
// given k whatever window asks), kept in [from, to].
template <typename F>
void ForEachPeriodic(Day start, int period, uint64_t key, Day from, Day to, F&& f) {
  if (start == kNever || to < start) return;
  int64_t k = from > start + kJitterDays ? (int64_t{from} - start - kJitterDays) / period : 0;
  for (;; ++k) {
    int64_t base = start + k * period;
    if (base - kJitterDays > to) return;
    int jitter = static_cast<int>(Mix64(key + static_cast<uint64_t>(k)) % (2 * kJitterDays + 1)) - kJitterDays;
    int64_t day = base + jitter < start ? start : base + jitter;
    if (day >= from && day <= to) f(static_cast<Day>(day));
  }
}
}  // namespace internal

template <typename F>
void ForEachRefill(const ConditionState& state, Condition condition, Day from, Day to, F&& f) {
  if (state.onset == kNever) return;
  internal::ForEachPeriodic(TreatmentStart(state, condition), state.refill_days, state.schedule_key, from, to, f);
}

template <typename F>
void ForEachFollowUp(const ConditionState& state, Condition condition, Day from, Day to, F&& f) {
  if (state.onset == kNever || condition != Condition::kDiabetes) return;
  internal::ForEachPeriodic(TreatmentStart(state, condition), internal::kFollowUpDays, ~state.schedule_key, from, to,
                            f);
}

}  // namespace hdhub::synth
