// Places: the departments of residence (codes of the IR_DPT_V nomenclature,
// weighted by population), their hospitals (FINESS numbers) and health
// professionals, and the countries of birth of people born abroad (INSEE
// country codes, the commune part of a NIR beginning with 99).
//
// Constant tables and pure functions; thread-safe.
#pragma once

#include <array>
#include <cstdint>
#include <string_view>

namespace hdhub::synth {

struct Department {
  std::string_view code;  // IR_DPT_V GEO_DPT_COD: "001" … "095", "02A", "02B", "971" …
  int population_k;       // inhabitants, thousands (INSEE, early 2020s, rounded)
};

inline constexpr int kDepartmentCount = 101;
extern const std::array<Department, kDepartmentCount> kDepartments;

bool IsOverseas(int department);
bool IsCorsica(int department);
// The department part of a NIR for a birth there: "01", "2A" ("20" before
// 1976), "97" for overseas (whose third digit then opens the commune part).
std::string_view NirDepartment(int department, bool born_before_1976);
// 1..6 for 971..976, 0 for metropolitan France.
int OverseasDigit(int department);
// PMSI BDI_DEP (2 characters: "75", "2A", "97") and the first digits of a
// postal code (BDI_COD): 2 for metropolitan France and Corsica ("20"), 3 overseas.
std::string_view PmsiDepartment(int department);
int PostalPrefix(int department);
// Hospitals of the department where its residents are treated: FINESS
// numbers of 9 digits, as the schema's integer ETA_NUM (>= 100000000) needs.
// Departments 01-09, whose FINESS would start with 0, send their residents
// to a neighbouring department's hospitals.
int HospitalCount(int department);
int64_t HospitalFiness(int department, int hospital);
// A 9-digit health professional number of the department: kind 1 for
// general practitioners, 2 specialists, 3 pharmacies, 4 laboratories, 5 nurses
// and physiotherapists.
int64_t ProfessionalNumber(int department, int kind, int index);

struct BirthCountry {
  int insee_code;  // 3 digits after "99"
  int weight;
};
inline constexpr std::array<BirthCountry, 12> kBirthCountries = {{
    {352, 30},  // Algérie
    {350, 27},  // Maroc
    {139, 14},  // Portugal
    {351, 11},  // Tunisie
    {127, 6},   // Italie
    {208, 6},   // Turquie
    {134, 5},   // Espagne
    {132, 3},   // Royaume-Uni
    {109, 3},   // Allemagne
    {131, 3},   // Belgique
    {216, 3},   // Chine
    {243, 3},   // Viet Nam
}};

}  // namespace hdhub::synth
