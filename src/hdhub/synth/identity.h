// Identities: who each synthetic person is, as the source's register knows
// them (sex, birth date, residence, birthplace, NIR) and whether they object
// to research use.
//
// Identities are drawn in person order by one IdentityAllocator: each NIR
// "cell" (sex, year and month of birth, department or country of birth)
// numbers its births, and that number picks the commune and order number,
// so no two people ever share a NIR, without holding the population. Every
// draw comes from the person's own Rng stream (seed, index, kIdentity).
//
// Thread-safety: IdentityAllocator is sequential by design (one owner);
// Identity is a value.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>
#include <vector>

#include "hdhub/synth/calendar.h"
#include "hdhub/synth/geography.h"
#include "hdhub/synth/rng.h"

namespace hdhub::synth {

struct Identity {
  int64_t index = 0;
  int sex = 1;          // 1 man, 2 woman
  Day birth = 0;
  int department = 0;   // of residence, index into kDepartments
  int commune = 1;      // of residence, 1..999
  bool opted_out = false;
  std::array<char, 15> nir{};

  std::string_view Nir() const { return {nir.data(), nir.size()}; }
};

struct SpanYears {
  int first = 0;
  int last = 0;
  int count() const { return last - first + 1; }
};

class IdentityAllocator {
 public:
  IdentityAllocator(uint64_t seed, SpanYears years, double opt_out_rate);

  // The identity of person next_index(), then advances.
  Identity Next();
  int64_t next_index() const { return next_index_; }

 private:
  struct Place {
    int cell_place;      // index of the place in the counters
    int department;      // birth department, or -1 abroad
    int country;         // index into kBirthCountries, or -1
  };
  Place DrawBirthplace(Rng& rng, const Identity& who) const;
  size_t CellOf(const Identity& who, int cell_place) const;
  // The commune part and order number of `who`'s NIR (6 characters).
  void WritePlaceAndOrder(const Identity& who, Place place, char* out);

  uint64_t seed_;
  SpanYears years_;
  double opt_out_rate_;
  int64_t next_index_ = 0;
  std::array<int, kDepartmentCount> department_weights_{};
  std::vector<uint32_t> counters_;  // births numbered so far per NIR cell
};

}  // namespace hdhub::synth
