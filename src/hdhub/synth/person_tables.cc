#include "hdhub/synth/person_tables.h"

#include <algorithm>
#include <string>

#include "hdhub/synth/columns.h"
#include "hdhub/synth/diagnoses.h"

namespace hdhub::synth {
namespace {

consteval int R(std::string_view name) { return ColumnOf(kIrBenRColumns, name); }
consteval int K(std::string_view name) { return ColumnOf(kKiCciRColumns, name); }
consteval int O(std::string_view name) { return ColumnOf(kOptOutColumns, name); }

constexpr int kRegisterOpeningYear = 2004;  // people born earlier were registered in the next three years
constexpr int kRegisterOpeningDays = 3 * 365;
constexpr int kMinRegistrationDelay = 5;
constexpr int kMaxRegistrationDelay = 60;
constexpr int kUpdateMonth = 6;
constexpr int kUpdateDay = 30;
constexpr double kDiabetesCauseShare = 0.15;
constexpr double kCoronaryCauseShare = 0.3;
constexpr int kCommuneWidth = 3;
constexpr size_t kIsoDateSize = 10;

std::string_view DrawDeathCause(Rng& rng, const Identity& who, const Life& life) {
  if (life.Of(Condition::kCoronary).HasBy(life.death) && rng.Chance(kCoronaryCauseShare)) return kCoronaryDeathCause;
  if (life.Of(Condition::kDiabetes).HasBy(life.death) && rng.Chance(kDiabetesCauseShare)) return kDiabetesDeathCause;
  int band = AgeBand(AgeInYears(who.birth, life.death));
  std::array<int, kDeathCauseCount> weights{};
  for (size_t i = 0; i < weights.size(); ++i) {
    const WeightedCode& c = kDeathCauses[i];
    weights[i] = c.sex == 0 || c.sex == who.sex ? c.weight[static_cast<size_t>(band)] : 0;
  }
  return kDeathCauses[static_cast<size_t>(rng.Pick(weights))].code;
}

}  // namespace

PersonContext MakePersonContext(const Identity& who, const Life& life) {
  PersonContext p;
  p.who = &who;
  p.life = &life;
  p.birth = ToCivil(who.birth);
  std::string org = "01C" + std::string(kDepartments[static_cast<size_t>(who.department)].code) + "000";
  std::copy(org.begin(), org.end(), p.organisation.begin());
  p.emitter = IsOverseas(who.department) ? 97 : PostalPrefix(who.department);
  p.general_practitioner = ProfessionalNumber(
      who.department, static_cast<int>(ProfessionalKind::kGeneralPractitioner), life.general_practitioner);
  // Neighbours share a pharmacy: about one for two practitioners.
  p.pharmacy =
      ProfessionalNumber(who.department, static_cast<int>(ProfessionalKind::kPharmacy), life.general_practitioner / 2);
  return p;
}

RowLayout MakeIrBenRLayout(SpanYears years) {
  char update[kIsoDateSize] = {};
  WriteIsoDate(update, CivilDate{years.last + 1, kUpdateMonth, kUpdateDay});
  return RowLayout(kIrBenRColumns,
                   {{R("BEN_RNG_GEM"), "1"}, {R("BEN_CDI_NIR"), "00"}, {R("BEN_DTE_MAJ"), std::string(update, kIsoDateSize)}},
                   {R("NIR"), R("NAI_DTE"), R("SEX_COD"), R("BEN_NAI_ANN"), R("BEN_NAI_MOI"), R("BEN_SEX_COD"),
                    R("BEN_DCD_DTE"), R("BEN_DCD_AME"), R("ORG_AFF_BEN"), R("BEN_RES_DPT"), R("BEN_RES_COM"),
                    R("BEN_TOP_CNS"), R("MAX_TRT_DTD"), R("ORG_CLE_NEW"), R("BEN_DTE_INS")});
}

RowLayout MakeKiCciRLayout() {
  return RowLayout(kKiCciRColumns, {{K("DCD_IDT_TOP"), "1"}},
                   {K("NIR"), K("NAI_DTE"), K("SEX_COD"), K("FLX_PER_ANN"), K("DCD_DPT_COD"), K("DCD_COM_COD"),
                    K("BEN_RES_DPT"), K("BEN_RES_COM"), K("BEN_DCD_DTE"), K("BEN_DCD_AME"), K("BEN_NAI_ANN"),
                    K("BEN_NAI_MOI"), K("BEN_SEX_COD"), K("DCD_CIM_COD")});
}

RowLayout MakeOptOutLayout() { return RowLayout(kOptOutColumns, {}, {O("NIR"), O("NAI_DTE"), O("SEX_COD")}); }

PersonTablesWriter::PersonTablesWriter(const RowLayout* ben, const RowLayout* cci, const RowLayout* opt_out)
    : ben_(ben), cci_(cci), opt_out_(opt_out) {}

void PersonTablesWriter::Write(Rng& rng, const PersonContext& person, const CareSummary& care, ByteBuffer& ben_out,
                               ByteBuffer& cci_out, ByteBuffer& opt_out_out) {
  const Identity& who = *person.who;
  Day death = person.life->death;
  ben_.BeginPerson();
  ben_.Text(R("NIR"), who.Nir());
  ben_.IsoDate(R("NAI_DTE"), person.birth);
  ben_.Int(R("SEX_COD"), who.sex);
  ben_.Year(R("BEN_NAI_ANN"), person.birth);
  ben_.Month(R("BEN_NAI_MOI"), person.birth);
  ben_.Int(R("BEN_SEX_COD"), who.sex);
  if (death != kNever) {
    ben_.IsoDate(R("BEN_DCD_DTE"), ToCivil(death));
    ben_.YearMonth(R("BEN_DCD_AME"), ToCivil(death));
  }
  for (int c : {R("ORG_AFF_BEN"), R("ORG_CLE_NEW")}) ben_.Text(c, person.Organisation());
  ben_.Text(R("BEN_RES_DPT"), person.Department());
  ben_.Padded(R("BEN_RES_COM"), who.commune, kCommuneWidth);
  ben_.Int(R("BEN_TOP_CNS"), care.consumer ? 1 : 0);
  if (care.consumer) ben_.IsoDate(R("MAX_TRT_DTD"), ToCivil(care.last_processing));
  Day opening = YearStart(kRegisterOpeningYear);
  Day registered = who.birth >= opening ? who.birth + rng.Between(kMinRegistrationDelay, kMaxRegistrationDelay)
                                        : opening + static_cast<Day>(rng.Below(kRegisterOpeningDays));
  ben_.IsoDate(R("BEN_DTE_INS"), ToCivil(registered));
  ben_.EndRow(ben_out);
  if (death != kNever) WriteDeath(rng, person, cci_out);
  if (who.opted_out) {
    opt_out_.BeginPerson();
    opt_out_.Text(O("NIR"), who.Nir());
    opt_out_.IsoDate(O("NAI_DTE"), person.birth);
    opt_out_.Int(O("SEX_COD"), who.sex);
    opt_out_.EndRow(opt_out_out);
  }
}

void PersonTablesWriter::WriteDeath(Rng& rng, const PersonContext& person, ByteBuffer& out) {
  const Identity& who = *person.who;
  CivilDate death = ToCivil(person.life->death);
  cci_.BeginPerson();
  cci_.Text(K("NIR"), who.Nir());
  cci_.IsoDate(K("NAI_DTE"), person.birth);
  cci_.Int(K("SEX_COD"), who.sex);
  cci_.Year(K("FLX_PER_ANN"), death);
  for (int c : {K("DCD_DPT_COD"), K("BEN_RES_DPT")}) cci_.Text(c, person.Department());
  for (int c : {K("DCD_COM_COD"), K("BEN_RES_COM")}) cci_.Padded(c, who.commune, kCommuneWidth);
  cci_.IsoDate(K("BEN_DCD_DTE"), death);
  cci_.YearMonth(K("BEN_DCD_AME"), death);
  cci_.Year(K("BEN_NAI_ANN"), person.birth);
  cci_.Month(K("BEN_NAI_MOI"), person.birth);
  cci_.Int(K("BEN_SEX_COD"), who.sex);
  cci_.Text(K("DCD_CIM_COD"), DrawDeathCause(rng, who, *person.life));
  cci_.EndRow(out);
}

}  // namespace hdhub::synth
