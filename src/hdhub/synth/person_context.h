// What every writer needs to know about the person whose rows it writes:
// identity, life, and the codes derived from them once.
// Thread-safety: a value; it points to the Identity and Life it was made from.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

#include "hdhub/synth/identity.h"
#include "hdhub/synth/life.h"

namespace hdhub::synth {

struct PersonContext {
  const Identity* who = nullptr;
  const Life* life = nullptr;
  CivilDate birth;  // of who->birth
  std::array<char, 9> organisation{};  // ORG_CLE_NUM, ORG_AFF_BEN: "01C" + department + "000"
  int emitter = 0;                     // FLX_EMT_NUM: the department's number (97 overseas)
  int64_t general_practitioner = 0;    // PFS number of the person's GP
  int64_t pharmacy = 0;                // PFS number of the person's pharmacy

  std::string_view Organisation() const { return {organisation.data(), organisation.size()}; }
  std::string_view Department() const { return kDepartments[static_cast<size_t>(who->department)].code; }
};

PersonContext MakePersonContext(const Identity& who, const Life& life);

}  // namespace hdhub::synth
