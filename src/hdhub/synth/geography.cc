#include "hdhub/synth/geography.h"

namespace hdhub::synth {
namespace {

constexpr int kFirstOverseas = 96;        // index of "971" in kDepartments
constexpr int kFinessDepartmentDigits = 10'000'000;
constexpr int kFinessOverseasDigits = 1'000'000;
constexpr int kFinessBase = 780'000;      // FINESS numbers of the form DD078xxxx
constexpr int kFinessStep = 17;
constexpr int kInhabitantsPerHospitalK = 250;
constexpr int kMaxHospitals = 12;
constexpr int kCorsicaFinessPrefix = 20;  // PMSI writes 2A/2B establishments under 20
constexpr int kProfessionalKindDigits = 1'000'000;

// Residents of departments 01-09 are treated next door (see HospitalFiness).
constexpr std::array<int, 10> kNeighbourForSmallCodes = {0, 69, 51, 63, 13, 38, 83, 26, 51, 31};

int MetropolitanNumber(int department) {
  std::string_view c = kDepartments[static_cast<size_t>(department)].code;
  if (IsCorsica(department)) return kCorsicaFinessPrefix;
  return (c[1] - '0') * 10 + (c[2] - '0');
}

// The digits a FINESS number of a hospital in `department` starts with.
int64_t FinessPrefix(int department) {
  if (IsOverseas(department)) {
    std::string_view c = kDepartments[static_cast<size_t>(department)].code;
    return int64_t{(c[0] - '0') * 100 + (c[1] - '0') * 10 + (c[2] - '0')} * kFinessOverseasDigits;
  }
  int number = MetropolitanNumber(department);
  if (number < 10) number = kNeighbourForSmallCodes[static_cast<size_t>(number)];
  return int64_t{number} * kFinessDepartmentDigits;
}

}  // namespace

const std::array<Department, kDepartmentCount> kDepartments = {{
    {"001", 660},  {"002", 530},  {"003", 335},  {"004", 165},  {"005", 141},  {"006", 1100}, {"007", 330},
    {"008", 270},  {"009", 155},  {"010", 310},  {"011", 375},  {"012", 280},  {"013", 2050}, {"014", 695},
    {"015", 144},  {"016", 350},  {"017", 660},  {"018", 300},  {"019", 240},  {"02A", 160},  {"02B", 185},
    {"021", 535},  {"022", 600},  {"023", 115},  {"024", 410},  {"025", 545},  {"026", 520},  {"027", 600},
    {"028", 430},  {"029", 915},  {"030", 750},  {"031", 1420}, {"032", 190},  {"033", 1650}, {"034", 1200},
    {"035", 1090}, {"036", 218},  {"037", 610},  {"038", 1270}, {"039", 258},  {"040", 415},  {"041", 330},
    {"042", 765},  {"043", 228},  {"044", 1440}, {"045", 680},  {"046", 174},  {"047", 330},  {"048", 76},
    {"049", 820},  {"050", 495},  {"051", 565},  {"052", 172},  {"053", 307},  {"054", 733},  {"055", 184},
    {"056", 760},  {"057", 1045}, {"058", 204},  {"059", 2610}, {"060", 830},  {"061", 280},  {"062", 1460},
    {"063", 665},  {"064", 690},  {"065", 230},  {"066", 480},  {"067", 1140}, {"068", 765},  {"069", 1880},
    {"070", 235},  {"071", 550},  {"072", 565},  {"073", 440},  {"074", 830},  {"075", 2140}, {"076", 1255},
    {"077", 1420}, {"078", 1450}, {"079", 375},  {"080", 570},  {"081", 390},  {"082", 260},  {"083", 1090},
    {"084", 560},  {"085", 690},  {"086", 440},  {"087", 372},  {"088", 363},  {"089", 335},  {"090", 142},
    {"091", 1300}, {"092", 1625}, {"093", 1650}, {"094", 1410}, {"095", 1250}, {"971", 385},  {"972", 360},
    {"973", 285},  {"974", 870},  {"976", 300},
}};

bool IsOverseas(int department) { return department >= kFirstOverseas; }

bool IsCorsica(int department) {
  std::string_view code = kDepartments[static_cast<size_t>(department)].code;
  return code[1] == '2' && code[2] >= 'A';
}

std::string_view NirDepartment(int department, bool born_before_1976) {
  if (IsOverseas(department)) return "97";
  if (IsCorsica(department) && born_before_1976) return "20";
  return kDepartments[static_cast<size_t>(department)].code.substr(1);
}

int OverseasDigit(int department) {
  return IsOverseas(department) ? kDepartments[static_cast<size_t>(department)].code[2] - '0' : 0;
}

std::string_view PmsiDepartment(int department) {
  std::string_view c = kDepartments[static_cast<size_t>(department)].code;
  return IsOverseas(department) ? c.substr(0, 2) : c.substr(1);
}

int PostalPrefix(int department) {
  if (IsOverseas(department)) return static_cast<int>(FinessPrefix(department) / kFinessOverseasDigits);
  return MetropolitanNumber(department);
}

int HospitalCount(int department) {
  int n = 1 + kDepartments[static_cast<size_t>(department)].population_k / kInhabitantsPerHospitalK;
  return n > kMaxHospitals ? kMaxHospitals : n;
}

int64_t HospitalFiness(int department, int hospital) {
  int64_t block = IsCorsica(department) && kDepartments[static_cast<size_t>(department)].code[2] == 'B' ? 1 : 0;
  int64_t suffix = IsOverseas(department) ? kFinessBase / 1000 : kFinessBase;
  return FinessPrefix(department) + suffix + block * kFinessBase / 10 + int64_t{hospital} * kFinessStep;
}

int64_t ProfessionalNumber(int department, int kind, int index) {
  // Department (2 digits, 3 overseas), kind (1 digit), index: 9 digits in all.
  if (IsOverseas(department)) {
    int64_t width = kProfessionalKindDigits / 10;
    return FinessPrefix(department) + kind * width + index % width;
  }
  return int64_t{MetropolitanNumber(department)} * kProfessionalKindDigits * 10 + kind * kProfessionalKindDigits +
         index % kProfessionalKindDigits;
}

}  // namespace hdhub::synth
