#include "hdhub/synth/care.h"

namespace hdhub::synth {
namespace {

constexpr int kSpecialtyRadiology = 6;
constexpr int kChildhoodEnd = 16;

struct SpecialtyWeight {
  int code;
  int weight;
  int sex;  // 0 any, 2 women only
};
constexpr std::array<SpecialtyWeight, 4> kChildSpecialties = {{{12, 60, 0}, {15, 20, 0}, {11, 10, 0}, {5, 10, 0}}};
constexpr std::array<SpecialtyWeight, 9> kAdultSpecialties = {{
    {15, 18, 0},  // ophthalmology
    {7, 14, 2},   // gynaecology-obstetrics
    {3, 10, 0},   // cardiology
    {5, 10, 0},   // dermatology
    {11, 8, 0},   // ENT
    {33, 8, 0},   // psychiatry
    {14, 6, 0},   // rheumatology
    {8, 6, 0},    // gastroenterology
    {13, 4, 0},   // pneumology
}};

template <size_t N>
int PickSpecialty(Rng& rng, const std::array<SpecialtyWeight, N>& table, int sex) {
  std::array<int, N> weights{};
  for (size_t i = 0; i < N; ++i) weights[i] = table[i].sex == 0 || table[i].sex == sex ? table[i].weight : 0;
  return table[static_cast<size_t>(rng.Pick(weights))].code;
}

// Fees: NGAP/CCAM letters of the early 2020s (G 25 €, CS 30 €, B 0.27 €,
// AMI 3.15 €, AMK 2.15 €), home visit with its 10 € increase.
constexpr std::array<CareAct, kCareKinds> kActs = {{
    {1110, 2500, 1, 1, 70, ProfessionalKind::kGeneralPractitioner, kGeneralMedicine, false},  // G
    {1210, 3500, 1, 1, 70, ProfessionalKind::kGeneralPractitioner, kGeneralMedicine, false},  // VG
    {1112, 3000, 1, 1, 70, ProfessionalKind::kSpecialist, 0, false},                          // CS
    {3313, 0, 1, 1, 65, ProfessionalKind::kPharmacy, 0, true},                                // PH7 (per drug)
    {3211, 27, 60, 200, 60, ProfessionalKind::kLaboratory, 0, true},                          // B
    {3111, 315, 1, 4, 60, ProfessionalKind::kParamedical, 0, true},                           // AMI
    {3122, 215, 7, 9, 60, ProfessionalKind::kParamedical, 0, true},                           // AMK
    {1351, 2500, 1, 3, 70, ProfessionalKind::kSpecialist, kSpecialtyRadiology, true},         // ADI
}};

}  // namespace

const CareAct& ActOf(CareKind kind) { return kActs[static_cast<size_t>(kind)]; }

// GP, home visit, specialist, pharmacy, biology, nurse, physiotherapy, imaging.
const std::array<std::array<uint8_t, kCareKinds>, kAgeBands> kCareMix = {{
    {30, 0, 8, 30, 4, 2, 1, 2},
    {28, 0, 8, 32, 5, 2, 3, 3},
    {26, 0, 9, 33, 12, 4, 7, 6},
    {26, 0, 10, 35, 13, 5, 6, 7},
    {24, 1, 11, 35, 13, 8, 6, 6},
    {22, 5, 9, 35, 12, 14, 6, 5},
}};

double EncounterRate(int age, int sex) {
  bool woman = sex == 2;
  if (age < 1) return 22;
  if (age < 6) return 13.5;
  if (age < 18) return 8.5;
  if (age < 40) return woman ? 14.5 : 9.5;
  if (age < 60) return woman ? 16.5 : 13.5;
  if (age < 70) return 19.5;
  if (age < 80) return 25.5;
  return 32;
}

double StayRate(int age) {
  if (age < 1) return 0.24;
  if (age < 18) return 0.047;
  if (age < 40) return 0.066;
  if (age < 60) return 0.104;
  if (age < 70) return 0.19;
  if (age < 80) return 0.285;
  return 0.4;
}

int DrawSpecialistSpecialty(Rng& rng, int age, int sex) {
  return age < kChildhoodEnd ? PickSpecialty(rng, kChildSpecialties, sex) : PickSpecialty(rng, kAdultSpecialties, sex);
}

}  // namespace hdhub::synth
