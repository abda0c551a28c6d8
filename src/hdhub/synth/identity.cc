#include "hdhub/synth/identity.h"

#include <algorithm>
#include <string>

#include "hdhub/pseudo/nir.h"
#include "hdhub/synth/demography.h"

namespace hdhub::synth {
namespace {

// NIR cells: sex x two-digit birth year x month x place of birth. Places:
// 0..94 metropolitan department numbers 01..95 (20 is Corsica before 1976),
// then 2A, 2B, the overseas departments 971..976 and the countries abroad.
constexpr int kPlaceCorsicaA = 95;
constexpr int kPlaceCorsicaB = 96;
constexpr int kPlaceOverseasBase = 96;  // + overseas digit 1..6
constexpr int kPlaceCountryBase = 103;
constexpr int kPlaces = kPlaceCountryBase + static_cast<int>(kBirthCountries.size());
constexpr int kTwoDigitYears = 100;
constexpr int kMonths = 12;
constexpr int kSexes = 2;

constexpr int kCommunes = 990;        // 001..990
constexpr int kOverseasCommunes = 34;  // two digits after 97x
constexpr int kOrders = 999;          // 001..999
constexpr int kCommuneStride = 7;     // coprime with 990
constexpr int kOverseasStride = 3;    // coprime with 34
constexpr int kOrderStride = 2;       // coprime with 999

constexpr int kCorsicaSplitYear = 1976;
constexpr double kBornInResidenceShare = 0.6;
constexpr double kOverseasBornInResidenceShare = 0.85;
constexpr int kResidenceCommunes = 500;

// Share of residents born abroad by age (INSEE: about one in ten).
double AbroadShare(int age) {
  if (age < 18) return 0.03;
  if (age < 40) return 0.10;
  if (age < 65) return 0.13;
  return 0.11;
}

void DrawBirth(Rng& rng, SpanYears years, Identity* who) {
  Day start = YearStart(years.first);
  Day end = YearEnd(years.last);
  double born_during = kBirthRate * years.count();
  if (rng.Chance(born_during / (1 + born_during))) {
    who->birth = start + static_cast<Day>(rng.Below(static_cast<uint32_t>(end - start + 1)));
    who->sex = rng.Chance(kMaleShareAtBirth) ? 1 : 2;
    return;
  }
  int group = rng.Pick(kPyramidK);
  double age = (group + rng.Uniform()) * kAgeGroupYears;
  who->birth = start - 1 - static_cast<Day>(age * kDaysPerYear);
  who->sex = rng.Chance(kMaleShare[static_cast<size_t>(group)]) ? 1 : 2;
}

int CellPlaceOf(int department, bool before_1976) {
  if (IsOverseas(department)) return kPlaceOverseasBase + OverseasDigit(department);
  std::string_view code = kDepartments[static_cast<size_t>(department)].code;
  if (IsCorsica(department)) return before_1976 ? 19 : (code[2] == 'A' ? kPlaceCorsicaA : kPlaceCorsicaB);
  return (code[1] - '0') * 10 + (code[2] - '0') - 1;
}

char* WriteThreeDigits(char* out, int v) {
  *out++ = static_cast<char>('0' + v / 100);
  return WriteTwoDigits(out, v % 100);
}

}  // namespace

IdentityAllocator::IdentityAllocator(uint64_t seed, SpanYears years, double opt_out_rate)
    : seed_(seed),
      years_(years),
      opt_out_rate_(opt_out_rate),
      counters_(static_cast<size_t>(kSexes * kTwoDigitYears * kMonths * kPlaces), 0) {
  for (size_t i = 0; i < kDepartments.size(); ++i) department_weights_[i] = kDepartments[i].population_k;
}

Identity IdentityAllocator::Next() {
  Identity who;
  who.index = next_index_++;
  Rng rng(seed_, static_cast<uint64_t>(who.index), Stream::kIdentity);
  DrawBirth(rng, years_, &who);
  who.department = rng.Pick(department_weights_);
  who.commune = rng.Between(1, kResidenceCommunes);
  Place place = DrawBirthplace(rng, who);
  who.opted_out = rng.Chance(opt_out_rate_);

  CivilDate b = ToCivil(who.birth);
  char body[pseudo::kNirBodySize];
  body[0] = static_cast<char>('0' + who.sex);
  WriteTwoDigits(body + 1, b.year % kTwoDigitYears);
  WriteTwoDigits(body + 3, b.month);
  WritePlaceAndOrder(who, place, body + 5);
  std::string nir = pseudo::CompleteNir(std::string_view(body, sizeof(body)));
  std::copy(nir.begin(), nir.end(), who.nir.begin());
  return who;
}

IdentityAllocator::Place IdentityAllocator::DrawBirthplace(Rng& rng, const Identity& who) const {
  Day start = YearStart(years_.first);
  int age = who.birth < start ? AgeInYears(who.birth, start) : 0;
  if (rng.Chance(AbroadShare(age))) {
    std::array<int, kBirthCountries.size()> weights{};
    for (size_t i = 0; i < weights.size(); ++i) weights[i] = kBirthCountries[i].weight;
    int country = rng.Pick(weights);
    return {kPlaceCountryBase + country, -1, country};
  }
  double stay = IsOverseas(who.department) ? kOverseasBornInResidenceShare : kBornInResidenceShare;
  int department = rng.Chance(stay) ? who.department : rng.Pick(department_weights_);
  bool before_1976 = ToCivil(who.birth).year < kCorsicaSplitYear;
  return {CellPlaceOf(department, before_1976), department, -1};
}

size_t IdentityAllocator::CellOf(const Identity& who, int cell_place) const {
  CivilDate b = ToCivil(who.birth);
  return ((static_cast<size_t>(who.sex - 1) * kTwoDigitYears + static_cast<size_t>(b.year % kTwoDigitYears)) *
              kMonths + static_cast<size_t>(b.month - 1)) * kPlaces + static_cast<size_t>(cell_place);
}

void IdentityAllocator::WritePlaceAndOrder(const Identity& who, Place place, char* out) {
  if (place.country >= 0) {
    // Each (cell, country) holds 999 order numbers; a full one passes the
    // birth to the next country, and if all are full, to France.
    for (size_t tries = 0; tries < kBirthCountries.size(); ++tries) {
      size_t country = (static_cast<size_t>(place.country) + tries) % kBirthCountries.size();
      size_t cell = CellOf(who, kPlaceCountryBase + static_cast<int>(country));
      if (counters_[cell] >= kOrders) continue;
      uint32_t k = counters_[cell]++;
      out = WriteTwoDigits(out, 99);
      out = WriteThreeDigits(out, kBirthCountries[country].insee_code);
      WriteThreeDigits(out, 1 + static_cast<int>((k * kOrderStride + Mix64(cell)) % kOrders));
      return;
    }
    place = {CellPlaceOf(who.department, ToCivil(who.birth).year < kCorsicaSplitYear), who.department, -1};
  }
  bool before_1976 = ToCivil(who.birth).year < kCorsicaSplitYear;
  size_t cell = CellOf(who, place.cell_place);
  uint32_t k = counters_[cell]++;
  // Offsets drawn from the cell scatter communes and order numbers; for a
  // given commune (r), q -> order stays one-to-one.
  int commune_offset = static_cast<int>(Mix64(cell) % kCommunes);
  int order_offset = static_cast<int>(Mix64(~cell) % kOrders);
  std::string_view dept = NirDepartment(place.department, before_1976);
  *out++ = dept[0];
  *out++ = dept[1];
  int communes = IsOverseas(place.department) ? kOverseasCommunes : kCommunes;
  int r = static_cast<int>(k % static_cast<uint32_t>(communes));
  int q = static_cast<int>(k / static_cast<uint32_t>(communes));
  int order = 1 + (q * kOrderStride + r + order_offset) % kOrders;
  if (IsOverseas(place.department)) {
    *out++ = static_cast<char>('0' + OverseasDigit(place.department));
    out = WriteTwoDigits(out, 1 + (r * kOverseasStride + commune_offset) % kOverseasCommunes);
  } else {
    out = WriteThreeDigits(out, 1 + (r * kCommuneStride + commune_offset) % kCommunes);
  }
  WriteThreeDigits(out, order);
}

}  // namespace hdhub::synth
