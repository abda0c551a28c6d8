// A person's life over the span: when they die, which planted conditions
// they have and from when, how much care they use, and, year by year, the
// ambulatory care events (future ER_PRS_F lines) and hospital stays (future
// T_MCOaa rows) they have. Nothing happens before birth or after death.
//
// Every draw comes from the person's Rng (seed, index, kLife) in a fixed
// order, so a life depends only on the seed and the person.
// Thread-safety: pure functions of their arguments.
#pragma once

#include <array>
#include <compare>
#include <cstdint>
#include <string_view>
#include <vector>

#include "hdhub/synth/care.h"
#include "hdhub/synth/conditions.h"
#include "hdhub/synth/diagnoses.h"
#include "hdhub/synth/identity.h"
#include "hdhub/synth/rng.h"

namespace hdhub::synth {

struct Life {
  Day death = kNever;
  double frailty = 1;          // multiplies care use; mean 1
  bool low_income = false;     // complementary cover (BEN_CMU_TOP)
  int general_practitioner = 0;
  int hospital = 0;
  std::array<ConditionState, kConditions> conditions{};

  const ConditionState& Of(Condition c) const { return conditions[static_cast<size_t>(c)]; }
};

Life DrawLife(Rng& rng, const Identity& who, SpanYears years);

// The days of `year` the person is alive: [from, to], empty when to < from.
struct ActivePeriod {
  Day from = 0;
  Day to = -1;
  bool empty() const { return to < from; }
  int days() const { return to - from + 1; }
};
ActivePeriod ActiveIn(const Identity& who, const Life& life, int year);

struct CareEvent {
  Day day = 0;
  CareKind kind = CareKind::kGeneralPractitioner;
  Condition condition = Condition::kNone;  // a refill or follow-up test of this condition
  int specialty = 0;                       // PSE_SPE_COD of a physician's act, 0 otherwise
  auto operator<=>(const CareEvent&) const = default;
};

inline constexpr int kMaxAssociated = 3;
inline constexpr int kMaxActs = 3;
struct Stay {
  Day entry = 0;
  Day exit = 0;
  const StayReason* reason = nullptr;
  std::array<std::string_view, kMaxAssociated> associated{};
  int associated_count = 0;
  std::array<std::string_view, kMaxActs> acts{};  // CCAM codes, the main act first
  int act_count = 0;
  bool emergency = false;
  bool death = false;  // the person died at the end of the stay
};

// The year's ambulatory care, in date order; at most kMaxClaimsPerYear.
inline constexpr int kMaxClaimsPerYear = 999;
void PlanCare(Rng& rng, const Identity& who, const Life& life, ActivePeriod period, std::vector<CareEvent>* out);

// The year's hospital stays, in date order, without overlaps; every stay
// lies within the period (so within the span, and ends by the person's death).
void PlanStays(Rng& rng, const Identity& who, const Life& life, ActivePeriod period, std::vector<Stay>* out);

}  // namespace hdhub::synth
