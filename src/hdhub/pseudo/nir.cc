#include "hdhub/pseudo/nir.h"

namespace hdhub::pseudo {
namespace {

constexpr int kModulus = 97;
constexpr int kCorsicaA = 19;  // "2A" in the key computation
constexpr int kCorsicaB = 18;  // "2B"

bool IsDigit(char c) { return c >= '0' && c <= '9'; }

int Digits(std::string_view s) {
  int v = 0;
  for (char c : s) v = v * 10 + (c - '0');
  return v;
}

bool AllDigits(std::string_view s) {
  for (char c : s) {
    if (!IsDigit(c)) return false;
  }
  return true;
}

bool ValidMonth(int month) {
  return (month >= 1 && month <= 12) || (month >= 20 && month <= 42) || (month >= 50 && month <= 99);
}

// Department (positions 5-6, 0-based) and commune (7-9): overseas departments
// take three characters ("971") and leave two for the commune.
NirError CheckPlace(std::string_view nir) {
  std::string_view dept = nir.substr(5, 2);
  std::string_view commune = nir.substr(7, 3);
  if (dept == "2A" || dept == "2B") {
    return AllDigits(commune) && Digits(commune) >= 1 && Digits(commune) <= 990 ? NirError::kOk : NirError::kCommune;
  }
  if (!AllDigits(dept) || !AllDigits(commune)) return NirError::kCharacter;
  int d = Digits(dept);
  int c = Digits(commune);
  if (d == 0 || d == 96 || d == 98) return NirError::kDepartment;
  if (d == 97) {
    int overseas = commune[0] - '0';  // 971..976
    if (overseas < 1 || overseas > 6) return NirError::kDepartment;
    return Digits(commune.substr(1)) >= 1 ? NirError::kOk : NirError::kCommune;
  }
  if (d == 99) return c >= 1 ? NirError::kOk : NirError::kCommune;  // country code
  return c >= 1 && c <= 990 ? NirError::kOk : NirError::kCommune;
}

}  // namespace

std::string_view NirErrorReason(NirError error) {
  switch (error) {
    case NirError::kOk:
      return "valid";
    case NirError::kLength:
      return "length is not 15 characters";
    case NirError::kCharacter:
      return "contains a character that is not a digit (2A/2B only as department)";
    case NirError::kSex:
      return "first digit (sex) is not 1, 2, 7 or 8";
    case NirError::kMonth:
      return "month of birth is not 01-12, 20-42 or 50-99";
    case NirError::kDepartment:
      return "department of birth does not exist";
    case NirError::kCommune:
      return "commune of birth is not 001-990";
    case NirError::kOrder:
      return "order number is 000";
    case NirError::kKey:
      return "check key does not match";
  }
  return "unknown";
}

int NirCheckKey(std::string_view body13) {
  // 13 digits overflow int: reduce modulo 97 digit by digit, reading "2A"
  // and "2B" as the two-digit numbers 19 and 18.
  int64_t r = 0;
  for (size_t i = 0; i < body13.size(); ++i) {
    if (i == 5 && (body13.substr(5, 2) == "2A" || body13.substr(5, 2) == "2B")) {
      r = (r * 100 + (body13[6] == 'A' ? kCorsicaA : kCorsicaB)) % kModulus;
      ++i;
      continue;
    }
    r = (r * 10 + (body13[i] - '0')) % kModulus;
  }
  return kModulus - int(r);
}

NirError CheckNir(std::string_view nir) {
  if (nir.size() != kNirSize) return NirError::kLength;
  if (!AllDigits(nir.substr(0, 5)) || !AllDigits(nir.substr(10))) return NirError::kCharacter;
  char sex = nir[0];
  if (sex != '1' && sex != '2' && sex != '7' && sex != '8') return NirError::kSex;
  if (!ValidMonth(Digits(nir.substr(3, 2)))) return NirError::kMonth;
  if (NirError place = CheckPlace(nir); place != NirError::kOk) return place;
  if (Digits(nir.substr(10, 3)) == 0) return NirError::kOrder;
  if (Digits(nir.substr(13, 2)) != NirCheckKey(nir.substr(0, kNirBodySize))) return NirError::kKey;
  return NirError::kOk;
}

std::string CompleteNir(std::string_view body13) {
  int key = NirCheckKey(body13);
  std::string out(body13);
  out += char('0' + key / 10);
  out += char('0' + key % 10);
  return out;
}

}  // namespace hdhub::pseudo
