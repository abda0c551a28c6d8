#include "hdhub/synth/dcir.h"

#include <algorithm>

#include "hdhub/synth/columns.h"
#include "hdhub/synth/drugs.h"

namespace hdhub::synth {
namespace {

consteval int P(std::string_view name) { return ColumnOf(kErPrsFColumns, name); }
consteval int H(std::string_view name) { return ColumnOf(kErPhaFColumns, name); }

constexpr int64_t kPersonsPerFlowOrder = 100'000;
constexpr int64_t kClaimNumbers = 10'000;
constexpr double kMeanProcessingDays = 6;
constexpr int kMaxPrescriptionDelay = 10;
constexpr double kGpPrescriberShare = 0.85;
constexpr double kExtraFeeShare = 0.25;  // specialists billing above the fee (sector 2)
constexpr int kMinExtraFeeCents = 500;
constexpr int kMaxExtraFeeCents = 4000;
constexpr int kAldRate = 100;            // long-term illness: care of the condition is fully covered
constexpr int kPercent = 100;
constexpr int kMonthCodesBelow = 2;      // BEN_AMA_COD: 1000 + months below 2 years
constexpr int kMonthCodeBase = 1000;
constexpr int kBoxesPerMonthOfRefill = 30;
constexpr int kProfessionalNumberWidth = 9;
constexpr int kSpecialistPoolPerK = 2;   // specialists (or labs, nurses) per thousand inhabitants
constexpr std::array<int, 3> kDrugCountWeights = {50, 35, 15};
constexpr double kSecondBoxShare = 0.2;
constexpr std::array<int, 3> kListRates = {65, 30, 15};

}  // namespace

RowLayout MakeErPrsFLayout() {
  return RowLayout(
      kErPrsFColumns,
      {{P("BEN_CDI_NIR"), "00"}, {P("BEN_RNG_GEM"), "1"}, {P("PRS_REJ_TOP"), "0"}, {P("BSE_REM_SGN"), "1"},
       {P("CPL_PRS_NAT"), "0"}, {P("DPN_QLF"), "0"}, {P("PRS_DPN_QLP"), "0"}, {P("RGM_GRG_COD"), "1"},
       {P("FLX_EMT_TYP"), "1"}, {P("REM_TYP_AFF"), "1"}},
      {P("NIR"), P("NAI_DTE"), P("SEX_COD"), P("BEN_AMA_COD"), P("BEN_CMU_TOP"), P("BEN_DCD_AME"), P("BEN_DCD_DTE"),
       P("BEN_NAI_ANN"), P("BEN_RES_COM"), P("BEN_RES_DPT"), P("BEN_SEX_COD"), P("ORG_AFF_BEN"), P("EXE_SOI_AMD"),
       P("EXE_SOI_AMF"), P("EXE_SOI_DTD"), P("EXE_SOI_DTF"), P("PRE_PRE_AMD"), P("PRE_PRE_DTD"), P("BSE_REM_BSE"),
       P("BSE_REM_MNT"), P("BSE_REM_PRU"), P("PRS_ACT_CFT"), P("PRS_ACT_COG"), P("PRS_ACT_NBR"), P("PRS_ACT_QTE"),
       P("PRS_DEP_MNT"), P("PRS_PAI_MNT"), P("BSE_PRS_NAT"), P("ORG_CLE_NEW"), P("PRS_NAT_REF"), P("RGO_REM_TAU"),
       P("PFS_EXE_NUM"), P("PFS_PRE_NUM"), P("PRS_MTT_NUM"), P("PSE_SPE_COD"), P("PSP_SPE_COD"), P("DCT_ORD_NUM"),
       P("FLX_DIS_DTD"), P("FLX_EMT_NUM"), P("FLX_EMT_ORD"), P("FLX_TRT_DTD"), P("ORG_CLE_NUM"), P("PRS_ORD_NUM")});
}

RowLayout MakeErPhaFLayout() {
  return RowLayout(kErPhaFColumns, {{H("FLX_EMT_TYP"), "1"}, {H("REM_TYP_AFF"), "1"}},
                   {H("ORG_CLE_NEW"), H("PHA_ACT_PRU"), H("PHA_ACT_QSN"), H("PHA_ORD_NUM"), H("PHA_PRS_C13"),
                    H("PHA_PRS_IDE"), H("DCT_ORD_NUM"), H("FLX_DIS_DTD"), H("FLX_EMT_NUM"), H("FLX_EMT_ORD"),
                    H("FLX_TRT_DTD"), H("ORG_CLE_NUM"), H("PRS_ORD_NUM")});
}

DcirWriter::DcirWriter(const RowLayout* prs, const RowLayout* pha) : prs_(prs), pha_(pha) {
  for (size_t i = 0; i < kDrugs.size(); ++i) cip13_[i] = Cip13(kDrugs[i].cip7);
}

void DcirWriter::BeginPerson(const PersonContext& person) {
  person_ = person;
  claims_ = 0;
  drug_weights_age_ = -1;
  const Identity& who = *person.who;
  prs_.BeginPerson();
  prs_.Text(P("NIR"), who.Nir());
  prs_.IsoDate(P("NAI_DTE"), person.birth);
  prs_.Int(P("SEX_COD"), who.sex);
  prs_.Int(P("BEN_CMU_TOP"), person.life->low_income ? 1 : 0);
  if (person.life->death != kNever) {
    CivilDate death = ToCivil(person.life->death);
    prs_.YearMonth(P("BEN_DCD_AME"), death);
    prs_.IsoDate(P("BEN_DCD_DTE"), death);
  }
  prs_.Year(P("BEN_NAI_ANN"), person.birth);
  prs_.Padded(P("BEN_RES_COM"), who.commune, 3);
  prs_.Text(P("BEN_RES_DPT"), person.Department());
  prs_.Int(P("BEN_SEX_COD"), who.sex);
  prs_.Padded(P("PRS_MTT_NUM"), person.general_practitioner, kProfessionalNumberWidth);
  for (int c : {P("ORG_AFF_BEN"), P("ORG_CLE_NEW"), P("ORG_CLE_NUM")}) prs_.Text(c, person.Organisation());
  prs_.Int(P("FLX_EMT_NUM"), person.emitter);
  prs_.Int(P("FLX_EMT_ORD"), who.index / kPersonsPerFlowOrder);
  prs_.BeginRows();
  pha_.BeginPerson();
  for (int c : {H("ORG_CLE_NEW"), H("ORG_CLE_NUM")}) pha_.Text(c, person.Organisation());
  pha_.Int(H("FLX_EMT_NUM"), person.emitter);
  pha_.Int(H("FLX_EMT_ORD"), who.index / kPersonsPerFlowOrder);
  pha_.BeginRows();
}

void DcirWriter::WriteYear(Rng& rng, std::span<const CareEvent> events, ByteBuffer& prs_out, ByteBuffer& pha_out,
                           DcirFacts* facts) {
  for (const CareEvent& e : events) {
    ++claims_;
    Claim claim;
    claim.day = e.day;
    claim.civil_day = ToCivil(e.day);
    Day processed = e.day + 1 + rng.Poisson(kMeanProcessingDays);
    claim.processed = ToCivil(processed);
    claim.available = NextMonthStart(claim.processed);
    claim.number = person_.who->index % kPersonsPerFlowOrder * kClaimNumbers + claims_ % kClaimNumbers;
    if (e.kind == CareKind::kPharmacy) {
      WritePharmacy(rng, e, claim, prs_out, pha_out, facts);
    } else {
      WriteAct(rng, e, claim, prs_out);
      ++facts->prs_lines;
    }
    facts->last_processing = std::max(facts->last_processing, processed);
  }
}

void DcirWriter::SetCommon(const Claim& claim, int line, int rate) {
  int months = AgeInMonths(person_.birth, claim.civil_day);
  int ama = months < kMonthCodesBelow * 12 ? kMonthCodeBase + months : AgeInYears(person_.birth, claim.civil_day);
  prs_.Int(P("BEN_AMA_COD"), ama);
  for (int c : {P("EXE_SOI_AMD"), P("EXE_SOI_AMF")}) prs_.YearMonth(c, claim.civil_day);
  for (int c : {P("EXE_SOI_DTD"), P("EXE_SOI_DTF")}) prs_.IsoDate(c, claim.civil_day);
  prs_.Int(P("RGO_REM_TAU"), rate);
  prs_.Int(P("DCT_ORD_NUM"), claim.number);
  prs_.IsoDate(P("FLX_DIS_DTD"), claim.available);
  prs_.IsoDate(P("FLX_TRT_DTD"), claim.processed);
  prs_.Int(P("PRS_ORD_NUM"), line);
}

void DcirWriter::SetAmounts(int nature, int64_t base_cents, int rate, int64_t extra_cents) {
  prs_.Int(P("BSE_PRS_NAT"), nature);
  prs_.Int(P("PRS_NAT_REF"), nature);
  prs_.Cents(P("BSE_REM_BSE"), base_cents);
  prs_.Cents(P("BSE_REM_MNT"), base_cents * rate / kPercent);
  prs_.Cents(P("PRS_DEP_MNT"), extra_cents);
  prs_.Cents(P("PRS_PAI_MNT"), base_cents + extra_cents);
}

DcirWriter::Prescriber DcirWriter::DrawPrescriber(Rng& rng, Day day) const {
  Prescriber p;
  p.day = ToCivil(std::max(person_.who->birth, day - static_cast<Day>(rng.Below(kMaxPrescriptionDelay + 1))));
  if (rng.Chance(kGpPrescriberShare)) {
    p.number = person_.general_practitioner;
    p.specialty = kGeneralMedicine;
    return p;
  }
  p.specialty = DrawSpecialistSpecialty(rng, AgeInYears(person_.who->birth, day), person_.who->sex);
  p.number = SpecialistNumber(rng, ProfessionalKind::kSpecialist);
  return p;
}

void DcirWriter::SetPrescriber(const Prescriber& p) {
  prs_.IsoDate(P("PRE_PRE_DTD"), p.day);
  prs_.YearMonth(P("PRE_PRE_AMD"), p.day);
  prs_.Padded(P("PFS_PRE_NUM"), p.number, kProfessionalNumberWidth);
  prs_.Int(P("PSP_SPE_COD"), p.specialty);
}

int64_t DcirWriter::SpecialistNumber(Rng& rng, ProfessionalKind kind) const {
  int pool = kDepartments[static_cast<size_t>(person_.who->department)].population_k * kSpecialistPoolPerK;
  return ProfessionalNumber(person_.who->department, static_cast<int>(kind),
                            static_cast<int>(rng.Below(static_cast<uint32_t>(pool))));
}

void DcirWriter::WriteAct(Rng& rng, const CareEvent& e, const Claim& claim, ByteBuffer& out) {
  const CareAct& act = ActOf(e.kind);
  int units = rng.Between(act.min_units, act.max_units);
  int rate = e.condition != Condition::kNone ? kAldRate : act.rate;
  bool extra = e.kind == CareKind::kSpecialist && rng.Chance(kExtraFeeShare);
  SetCommon(claim, 1, rate);
  SetAmounts(act.nature, int64_t{act.fee_cents} * units, rate,
             extra ? rng.Between(kMinExtraFeeCents, kMaxExtraFeeCents) : 0);
  prs_.Cents(P("BSE_REM_PRU"), act.fee_cents);
  for (int c : {P("PRS_ACT_CFT"), P("PRS_ACT_COG")}) prs_.Int(c, units);
  for (int c : {P("PRS_ACT_NBR"), P("PRS_ACT_QTE")}) prs_.Int(c, 1);
  int64_t executor = act.executor == ProfessionalKind::kGeneralPractitioner ? person_.general_practitioner
                                                                           : SpecialistNumber(rng, act.executor);
  prs_.Padded(P("PFS_EXE_NUM"), executor, kProfessionalNumberWidth);
  if (e.specialty > 0) prs_.Int(P("PSE_SPE_COD"), e.specialty);
  if (act.prescribed) SetPrescriber(DrawPrescriber(rng, e.day));
  prs_.EndRow(out);
}

int DcirWriter::DrawOrdinaryDrugs(Rng& rng, Day day, std::array<DrugLine, kMaxDrugsPerClaim>& out) {
  int age = AgeInYears(person_.who->birth, day);
  if (age != drug_weights_age_) {
    for (size_t i = 0; i < drug_weights_.size(); ++i) {
      const Drug& d = kDrugs[i];
      bool fits = age >= d.min_age && age <= d.max_age && (d.sex == 0 || d.sex == person_.who->sex);
      drug_weights_[i] = fits ? d.weight : 0;
    }
    drug_weights_age_ = age;
  }
  std::array<int, kDrugCount> weights = drug_weights_;
  int wanted = 1 + rng.Pick(kDrugCountWeights);
  int n = 0;
  for (int i = 0; i < wanted; ++i) {
    int drug = rng.Pick(weights);
    weights[static_cast<size_t>(drug)] = 0;  // each drug once per claim
    out[static_cast<size_t>(n++)] = {drug, rng.Chance(kSecondBoxShare) ? 2 : 1};
  }
  return n;
}

void DcirWriter::WritePharmacy(Rng& rng, const CareEvent& e, const Claim& claim, ByteBuffer& prs_out,
                               ByteBuffer& pha_out, DcirFacts* facts) {
  std::array<DrugLine, kMaxDrugsPerClaim> drugs{};
  int n = 0;
  if (e.condition != Condition::kNone) {
    const ConditionState& state = person_.life->Of(e.condition);
    uint32_t mask = DrugsAt(state, e.condition, e.day);
    for (int d = 0; d < kDrugCount && n < kMaxDrugsPerClaim; ++d) {
      if (mask & (1u << d)) drugs[static_cast<size_t>(n++)] = {d, state.refill_days / kBoxesPerMonthOfRefill};
    }
    facts->refilled[static_cast<size_t>(e.condition)] = true;
  } else {
    n = DrawOrdinaryDrugs(rng, e.day, drugs);
  }
  Prescriber prescriber = DrawPrescriber(rng, e.day);
  // One line per list rate (PH7, PH4, PH2); a condition's drugs are all on one ALD line.
  int line = 0;
  for (int list_rate : kListRates) {
    std::array<DrugLine, kMaxDrugsPerClaim> same_rate{};
    int m = 0;
    for (int i = 0; i < n; ++i) {
      if (kDrugs[static_cast<size_t>(drugs[static_cast<size_t>(i)].drug)].rate == list_rate) {
        same_rate[static_cast<size_t>(m++)] = drugs[static_cast<size_t>(i)];
      }
    }
    if (m == 0) continue;
    int rate = e.condition != Condition::kNone ? kAldRate : list_rate;
    WritePharmacyLine(claim, ++line, rate, std::span(same_rate.data(), static_cast<size_t>(m)), prescriber, prs_out,
                      pha_out, facts);
  }
}

void DcirWriter::WritePharmacyLine(const Claim& claim, int line, int rate, std::span<const DrugLine> drugs,
                                   const Prescriber& prescriber, ByteBuffer& prs_out, ByteBuffer& pha_out,
                                   DcirFacts* facts) {
  int64_t base = 0;
  int boxes = 0;
  for (const DrugLine& d : drugs) {
    base += int64_t{kDrugs[static_cast<size_t>(d.drug)].price_cents} * d.boxes;
    boxes += d.boxes;
  }
  SetCommon(claim, line, rate);
  SetAmounts(PharmacyNature(kDrugs[static_cast<size_t>(drugs[0].drug)].rate), base, rate, 0);
  for (int c : {P("PRS_ACT_NBR"), P("PRS_ACT_QTE")}) prs_.Int(c, boxes);
  prs_.Padded(P("PFS_EXE_NUM"), person_.pharmacy, kProfessionalNumberWidth);
  SetPrescriber(prescriber);
  prs_.EndRow(prs_out);
  ++facts->prs_lines;
  for (size_t i = 0; i < drugs.size(); ++i) {
    const Drug& drug = kDrugs[static_cast<size_t>(drugs[i].drug)];
    pha_.Int(H("DCT_ORD_NUM"), claim.number);
    pha_.IsoDate(H("FLX_DIS_DTD"), claim.available);
    pha_.IsoDate(H("FLX_TRT_DTD"), claim.processed);
    pha_.Int(H("PRS_ORD_NUM"), line);
    pha_.Int(H("PHA_ORD_NUM"), static_cast<int64_t>(i + 1));
    pha_.Int(H("PHA_PRS_C13"), cip13_[static_cast<size_t>(drugs[i].drug)]);
    pha_.Int(H("PHA_PRS_IDE"), drug.cip7);
    pha_.Int(H("PHA_ACT_QSN"), drugs[i].boxes);
    pha_.Cents(H("PHA_ACT_PRU"), drug.price_cents);
    pha_.EndRow(pha_out);
    ++facts->pha_rows;
  }
}

}  // namespace hdhub::synth
