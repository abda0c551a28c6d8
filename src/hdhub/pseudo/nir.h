// The French NIR ("numéro d'inscription au répertoire", the social security
// number) as a source holds it: 15 characters,
//
//   S YY MM DD CCC OOO KK
//   | |  |  |  |   |   +- check key: 97 - (first 13 digits mod 97), 01..97,
//   | |  |  |  |   |      with Corsica's "2A" read as 19 and "2B" as 18
//   | |  |  |  |   +----- order number in the birth register, 001..999
//   | |  |  |  +--------- commune (INSEE code) 001..990, or the country for 99
//   | |  |  +------------ department of birth: 01..95 (20 before 1976), 2A, 2B,
//   | |  |                97 + one digit (overseas; the commune is then 2 digits), 99 abroad
//   | |  +--------------- month of birth 01..12 (20..42, 50..99: unknown)
//   | +------------------ year of birth, two digits
//   +-------------------- 1 man, 2 woman (7, 8: provisional numbers)
//
// Pure functions, no state; thread-safe. Messages describe what is wrong,
// never the number itself.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>

#include "hdhub/common/status.h"

namespace hdhub::pseudo {

inline constexpr size_t kNirSize = 15;
inline constexpr size_t kNirBodySize = 13;  // without the key

// Why a NIR is refused. kOk when it is valid.
enum class NirError {
  kOk,
  kLength,      // not 15 characters
  kCharacter,   // a character other than a digit (or 2A/2B in the department)
  kSex,         // first digit not 1, 2, 7 or 8
  kMonth,       // month not 01..12, 20..42 or 50..99
  kDepartment,  // department 00, 96, 98 or a malformed overseas code
  kCommune,     // commune 000 or above 990 (for a birth in France)
  kOrder,       // order number 000
  kKey,         // the check key does not match
};

// "length is not 15 characters", …: a reason a user can act on, no value.
std::string_view NirErrorReason(NirError error);

// Checks structure and key. Lower-case "2a"/"2b" are refused (kCharacter):
// a source writes them upper-case, and a canonical form has one spelling.
NirError CheckNir(std::string_view nir);

// The check key for a 13-character body (digits, or 2A/2B at positions 6-7).
// Precondition: the body passed CheckNir's structural checks. Returns 1..97.
int NirCheckKey(std::string_view body13);

// `body13` followed by its two-digit key: a valid NIR when the body is.
std::string CompleteNir(std::string_view body13);

}  // namespace hdhub::pseudo
