#include "hdhub/synth/pmsi.h"

#include <algorithm>
#include <string>

#include "hdhub/synth/columns.h"

namespace hdhub::synth {
namespace {

consteval int A(std::string_view name) { return ColumnOf(kTMcoAColumns, name); }
consteval int B(std::string_view name) { return ColumnOf(kTMcoBColumns, name); }
consteval int C(std::string_view name) { return ColumnOf(kTMcoCColumns, name); }
consteval int D(std::string_view name) { return ColumnOf(kTMcoDColumns, name); }

constexpr int64_t kFirstRsa = 1'000'000'000;
constexpr int64_t kStaysPerPerson = 80;
constexpr int kMinStayNumber = 10'000;
constexpr int kMaxStayNumber = 99'999;
constexpr int kPostalWidth = 5;
constexpr int kMetropolitanPostalDigits = 1000;
constexpr int kOverseasPostalDigits = 100;
constexpr int kMinGestationWeeks = 37;
constexpr int kMaxGestationWeeks = 41;
constexpr int kMinBirthWeight = 2500;
constexpr int kMaxBirthWeight = 4300;
constexpr int kFirstGhs = 1000;
constexpr int kGhsCount = 9000;
constexpr int kMaxSeverity = 4;
constexpr int kLongStayDays = 7;
constexpr int kHashMultiplier = 31;

// The full DRG: root, then the severity (J without a night, A for births
// and deliveries, else 1-4 with the associated diagnoses and the length).
std::string Drg(const Stay& s) {
  std::string drg(s.reason->drg_root);
  int days = s.exit - s.entry;
  if (drg.starts_with("14") || drg.starts_with("15")) return drg + 'A';
  if (days == 0) return drg + 'J';
  int severity = std::min(kMaxSeverity, 1 + s.associated_count / 2 + (days > kLongStayDays ? 1 : 0));
  return drg + static_cast<char>('0' + severity);
}

int Ghs(std::string_view drg) {
  int h = 0;
  for (char ch : drg) h = (h * kHashMultiplier + static_cast<unsigned char>(ch)) % kGhsCount;
  return kFirstGhs + h;
}

}  // namespace

RowLayout MakeTMcoALayout() {
  return RowLayout(kTMcoAColumns,
                   {{A("ACV_ACT"), "1"}, {A("NBR_EXE_ACT"), "1"}, {A("PHA_ACT"), "0"}, {A("RSS_NUM"), "224"},
                    {A("RUM_SEQ"), "1"}},
                   {A("CDC_ACT"), A("ENT_DAT_DEL"), A("ETA_NUM"), A("RSA_NUM")});
}

RowLayout MakeTMcoBLayout() {
  return RowLayout(kTMcoBColumns,
                   {{B("GRG_VER"), "11"}, {B("NBR_RUM"), "1"}, {B("NBR_SEA"), "0"}, {B("RSS_NUM"), "224"},
                    {B("TYP_GEN_RSA"), "0"}, {B("UHCD_TOP"), "0"}, {B("PAS_LIT_DED"), "0"}},
                   {B("AGE_ANN"), B("AGE_GES"), B("AGE_JOU"), B("BDI_COD"), B("BDI_DEP"), B("COD_SEX"), B("DGN_PAL"),
                    B("ENT_MOD"), B("ENT_PRV"), B("ETA_NUM"), B("ETE_GHS_NUM"), B("GHS_NUM"), B("GRG_GHM"),
                    B("NBR_ACT"), B("NBR_DGN"), B("POI_NAI"), B("RSA_NUM"), B("SEJ_NBJ"), B("SOR_ANN"),
                    B("SOR_MOD"), B("SOR_MOI")});
}

RowLayout MakeTMcoCLayout() {
  std::vector<FixedValue> fixed = {{C("DAT_RET"), "0"}, {C("FOR_NUM"), "012"}, {C("NAI_RET"), "0"},
                                   {C("RNG_NAI"), "1"}};
  for (std::string_view flag : {"COH_NAI_RET", "COH_SEX_RET", "ETA_NUM_RET", "FHO_RET", "HOS_NN_MAM", "HOS_NNE_RET",
                                "HOS_ORG_RET", "HOS_PLO", "NIR_RET", "NUM_DAT_AT_RET", "ORG_CPL_NUM_RET", "PMS_RET",
                                "RNG_BEN_RET", "RNG_NAI_RET", "SEJ_MER_RET", "SEJ_RET", "SEX_RET"}) {
    auto it = std::find(kTMcoCColumns.begin(), kTMcoCColumns.end(), flag);
    fixed.push_back({static_cast<int>(it - kTMcoCColumns.begin()), "0"});
  }
  return RowLayout(kTMcoCColumns, std::move(fixed),
                   {C("NIR"), C("NAI_DTE"), C("SEX_COD"), C("ENT_DAT"), C("ETA_NUM"), C("EXE_SOI_AMD"),
                    C("EXE_SOI_AMF"), C("EXE_SOI_DTD"), C("EXE_SOI_DTF"), C("RSA_NUM"), C("SEJ_NUM"), C("SOR_ANN"),
                    C("SOR_DAT"), C("SOR_MOI"), C("ENT_AM"), C("SOR_AM")});
}

RowLayout MakeTMcoDLayout() {
  return RowLayout(kTMcoDColumns, {{D("RSS_NUM"), "224"}},
                   {D("ASS_DGN"), D("DGN_ASS_NUM"), D("ETA_NUM"), D("RSA_NUM")});
}

PmsiWriter::PmsiWriter(const RowLayout* a, const RowLayout* b, const RowLayout* c, const RowLayout* d)
    : a_(a), b_(b), c_(c), d_(d) {}

void PmsiWriter::BeginPerson(const PersonContext& person) {
  person_ = person;
  stays_ = 0;
  const Identity& who = *person.who;
  finess_ = HospitalFiness(who.department, person.life->hospital);
  b_.BeginPerson();
  b_.Int(B("COD_SEX"), who.sex);
  b_.Text(B("BDI_DEP"), PmsiDepartment(who.department));
  int prefix = PostalPrefix(who.department);
  int64_t postal = IsOverseas(who.department) ? prefix * kOverseasPostalDigits + who.commune % kOverseasPostalDigits
                                              : prefix * kMetropolitanPostalDigits + who.commune;
  b_.Padded(B("BDI_COD"), postal, kPostalWidth);
  b_.Int(B("ETA_NUM"), finess_);
  b_.BeginRows();
  c_.BeginPerson();
  c_.Text(C("NIR"), who.Nir());
  c_.IsoDate(C("NAI_DTE"), person.birth);
  c_.Int(C("SEX_COD"), who.sex);
  c_.Int(C("ETA_NUM"), finess_);
  c_.BeginRows();
  d_.BeginPerson();
  d_.Int(D("ETA_NUM"), finess_);
  d_.BeginRows();
  a_.BeginPerson();
  a_.Int(A("ETA_NUM"), finess_);
  a_.BeginRows();
}

void PmsiWriter::WriteStays(Rng& rng, std::span<const Stay> stays, const Outputs& out, PmsiFacts* facts) {
  for (const Stay& s : stays) {
    if (stays_ >= kStaysPerPerson) return;
    int64_t rsa = kFirstRsa + person_.who->index * kStaysPerPerson + stays_++;
    WriteStay(rng, s, rsa, *out.b);
    WriteIdentityRow(rng, s, rsa, *out.c);
    WriteDetails(rng, s, rsa, out);
    ++facts->stays;
    facts->associated += s.associated_count;
    facts->acts += s.act_count;
    if (s.reason == &kInfarctionStay) ++facts->infarctions;
  }
}

void PmsiWriter::WriteDetails(Rng& rng, const Stay& s, int64_t rsa, const Outputs& out) {
  for (int i = 0; i < s.associated_count; ++i) {
    d_.Text(D("ASS_DGN"), s.associated[static_cast<size_t>(i)]);
    d_.Int(D("DGN_ASS_NUM"), i + 1);
    d_.Int(D("RSA_NUM"), rsa);
    d_.EndRow(*out.d);
  }
  for (int i = 0; i < s.act_count; ++i) {
    a_.Text(A("CDC_ACT"), s.acts[static_cast<size_t>(i)]);
    a_.Int(A("ENT_DAT_DEL"), rng.Between(0, s.exit - s.entry));
    a_.Int(A("RSA_NUM"), rsa);
    a_.EndRow(*out.a);
  }
}

void PmsiWriter::WriteStay(Rng& rng, const Stay& s, int64_t rsa, ByteBuffer& out) {
  int age = AgeInYears(person_.who->birth, s.entry);
  if (age >= 1) b_.Int(B("AGE_ANN"), age);
  else b_.Int(B("AGE_JOU"), s.entry - person_.who->birth);
  if (s.reason == &kNewbornStay || s.reason == &kDeliveryStay) {
    b_.Int(B("AGE_GES"), rng.Between(kMinGestationWeeks, kMaxGestationWeeks));
  }
  if (s.reason == &kNewbornStay) b_.Int(B("POI_NAI"), rng.Between(kMinBirthWeight, kMaxBirthWeight));
  std::string drg = Drg(s);
  b_.Text(B("DGN_PAL"), s.reason->diagnosis);
  b_.Text(B("ENT_MOD"), "8");
  if (s.emergency) b_.Text(B("ENT_PRV"), "5");
  b_.Text(B("GRG_GHM"), drg);
  for (int c : {B("GHS_NUM"), B("ETE_GHS_NUM")}) b_.Int(c, Ghs(drg));
  b_.Int(B("NBR_ACT"), s.act_count);
  b_.Int(B("NBR_DGN"), s.associated_count);
  b_.Int(B("RSA_NUM"), rsa);
  b_.Int(B("SEJ_NBJ"), s.exit - s.entry);
  CivilDate exit = ToCivil(s.exit);
  b_.Year(B("SOR_ANN"), exit);
  b_.Month(B("SOR_MOI"), exit);
  b_.Text(B("SOR_MOD"), s.death ? "9" : "8");
  b_.EndRow(out);
}

void PmsiWriter::WriteIdentityRow(Rng& rng, const Stay& s, int64_t rsa, ByteBuffer& out) {
  CivilDate entry = ToCivil(s.entry);
  CivilDate exit = ToCivil(s.exit);
  c_.DdMmYyyy(C("ENT_DAT"), entry);
  c_.DdMmYyyy(C("SOR_DAT"), exit);
  for (int c : {C("EXE_SOI_AMD"), C("ENT_AM")}) c_.YearMonth(c, entry);
  for (int c : {C("EXE_SOI_AMF"), C("SOR_AM")}) c_.YearMonth(c, exit);
  c_.DateTime(C("EXE_SOI_DTD"), entry, 0);
  c_.DateTime(C("EXE_SOI_DTF"), exit, 0);
  c_.Int(C("RSA_NUM"), rsa);
  c_.Int(C("SEJ_NUM"), rng.Between(kMinStayNumber, kMaxStayNumber));
  c_.Year(C("SOR_ANN"), exit);
  c_.Month(C("SOR_MOI"), exit);
  c_.EndRow(out);
}

}  // namespace hdhub::synth
