// Every file of a small extract against the shared SNDS Table Schemas:
// columns in schema order (person tables: identity first, pseudonym columns
// left out), and every value conforming to its field's type, format,
// constraints and, where we hold it, nomenclature.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <charconv>
#include <map>
#include <memory>
#include <optional>
#include <regex>

#include "hdhub/common/temp_dir.h"
#include "hdhub/pseudo/nir.h"
#include "hdhub/synth/calendar.h"
#include "hdhub/synth/columns.h"
#include "hdhub/synth/synth_test_util.h"

namespace hdhub::synth {
namespace {

using ::testing::IsEmpty;
using namespace ::hdhub::synth::testing;  // NOLINT: test helpers

const std::map<std::string, std::vector<std::string>> kPseudonymColumns = {
    {"IR_BEN_R", {"BEN_NIR_PSA", "BEN_NIR_ANO", "ASS_NIR_ANO"}},
    {"ER_PRS_F", {"BEN_NIR_PSA"}},
    {"KI_CCI_R", {"BEN_NIR_ANO"}},
    {"T_MCOaaC", {"NIR_ANO_17"}},
};
const std::vector<std::string> kTables = {"IR_BEN_R", "ER_PRS_F", "ER_PHA_F", "T_MCOaaA",
                                          "T_MCOaaB", "T_MCOaaC", "T_MCOaaD", "KI_CCI_R"};
const std::vector<std::string> kIdentity = {"NIR", "NAI_DTE", "SEX_COD"};

struct Rule {
  std::string type;
  std::string format;
  std::optional<double> min_length, max_length, minimum, maximum, decimals;
  std::vector<std::string> allowed;
  std::optional<std::regex> pattern;
  bool required = false;
  const std::unordered_set<std::string>* codes = nullptr;
};

bool AllDigits(std::string_view v) {
  return !v.empty() && std::all_of(v.begin(), v.end(), [](char c) { return c >= '0' && c <= '9'; });
}

int Number(std::string_view v) {
  int n = 0;
  std::from_chars(v.data(), v.data() + v.size(), n);
  return n;
}

bool ValidDate(int y, int m, int d) {
  if (m < 1 || m > 12 || d < 1) return false;
  CivilDate c = ToCivil(FromCivil(y, m, d));
  return c.year == y && c.month == m && c.day == d;
}

bool ValidDateText(std::string_view v, std::string_view format) {
  if (format == "default" || format.empty()) {
    return v.size() == 10 && v[4] == '-' && v[7] == '-' && AllDigits(v.substr(0, 4)) && AllDigits(v.substr(5, 2)) &&
           AllDigits(v.substr(8, 2)) && ValidDate(Number(v.substr(0, 4)), Number(v.substr(5, 2)), Number(v.substr(8)));
  }
  if (format == "%d%m%Y") {
    return v.size() == 8 && AllDigits(v) && ValidDate(Number(v.substr(4)), Number(v.substr(2, 2)), Number(v.substr(0, 2)));
  }
  if (format == "%m") return v.size() == 2 && AllDigits(v) && Number(v) >= 1 && Number(v) <= 12;
  return false;
}

bool ValidDateTime(std::string_view v, std::string_view format) {
  static const std::regex kSas(R"((\d\d)(Jan|Feb|Mar|Apr|May|Jun|Jul|Aug|Sep|Oct|Nov|Dec)(\d{4}):(\d\d):(\d\d):(\d\d))");
  std::match_results<std::string_view::const_iterator> m;
  if (format != "%d%b%Y:%H:%M:%S" || !std::regex_match(v.begin(), v.end(), m, kSas)) return false;
  static const std::string kMonths = "JanFebMarAprMayJunJulAugSepOctNovDec";
  int month = static_cast<int>(kMonths.find(m[2].str())) / 3 + 1;
  return ValidDate(std::stoi(m[3].str()), month, std::stoi(m[1].str())) && std::stoi(m[4].str()) < 24 &&
         std::stoi(m[5].str()) < 60 && std::stoi(m[6].str()) < 60;
}

// Why `v` does not conform to the type of `rule`, or "".
std::string TypeViolation(const Rule& rule, std::string_view v) {
  static const std::regex kNumber(R"(-?\d+(\.\d+)?)");
  const std::string& t = rule.type;
  if (t == "string") return "";
  if (t == "integer") return (AllDigits(v) || (v[0] == '-' && AllDigits(v.substr(1)))) ? "" : "not an integer";
  if (t == "number") {
    if (!std::regex_match(v.begin(), v.end(), kNumber)) return "not a number";
    size_t dot = v.find('.');
    if (rule.decimals && dot != std::string_view::npos && double(v.size() - dot - 1) > *rule.decimals) {
      return "too many decimals";
    }
    return "";
  }
  if (t == "date") return ValidDateText(v, rule.format) ? "" : "not a date in format " + rule.format;
  if (t == "datetime") return ValidDateTime(v, rule.format) ? "" : "not a datetime in format " + rule.format;
  if (t == "yearmonth") {
    return v.size() == 6 && AllDigits(v) && Number(v.substr(4)) >= 1 && Number(v.substr(4)) <= 12 ? "" : "not YYYYMM";
  }
  if (t == "year") return v.size() == 4 && AllDigits(v) ? "" : "not YYYY";
  if (t == "boolean") return v == "0" || v == "1" ? "" : "not 0/1";
  return "unknown type " + t;
}

std::string Violation(const Rule& rule, std::string_view v) {
  if (v.empty()) return rule.required ? "required" : "";
  if (std::string why = TypeViolation(rule, v); !why.empty()) return why;
  double length = static_cast<double>(v.size());
  if ((rule.min_length && length < *rule.min_length) || (rule.max_length && length > *rule.max_length)) {
    return "length out of bounds";
  }
  if ((rule.type == "integer" || rule.type == "number") && (rule.minimum || rule.maximum)) {
    double x = std::stod(std::string(v));
    if ((rule.minimum && x < *rule.minimum) || (rule.maximum && x > *rule.maximum)) return "out of range";
  }
  if (!rule.allowed.empty() && std::find(rule.allowed.begin(), rule.allowed.end(), v) == rule.allowed.end()) {
    return "not in enum";
  }
  if (rule.pattern && !std::regex_match(v.begin(), v.end(), *rule.pattern)) return "does not match pattern";
  if (rule.codes != nullptr && !rule.codes->contains(std::string(v))) return "not in its nomenclature";
  return "";
}

class SchemaConformanceTest : public ::testing::Test {
 protected:
  static void SetUpTestSuite() {
    dir_ = std::make_unique<hdhub::testing::TempDir>();
    GenerateOrDie(dir_->Sub("extract"), 3000, 11, 2);
  }
  static void TearDownTestSuite() { dir_.reset(); }
  static std::string Path(const std::string& table) { return dir_->Sub("extract/" + table + ".csv"); }

  // The nomenclature a field names, when we hold it. PMSI fields name
  // MS_CIM_V, whose ICD-10 codes are those of IR_CIM_V.
  const std::unordered_set<std::string>* CodesFor(const nlohmann::json& field) {
    std::string name = field.value("nomenclature", "-");
    name = name.substr(0, name.find(':'));
    if (name == "MS_CIM_V") name = "IR_CIM_V";
    auto [it, inserted] = nomenclatures_.try_emplace(name);
    if (inserted) it->second = NomenclatureCodes(name);
    return it->second.empty() ? nullptr : &it->second;
  }

  Rule RuleOf(const nlohmann::json& field) {
    Rule r;
    r.type = field.value("type", "string");
    r.format = field.value("format", "default");
    nlohmann::json c = field.value("constraints", nlohmann::json::object());
    auto number = [&](const char* key) -> std::optional<double> {
      return c.contains(key) ? std::optional<double>(c[key].get<double>()) : std::nullopt;
    };
    r.min_length = number("minLength");
    r.max_length = number("maxLength");
    r.minimum = number("minimum");
    r.maximum = number("maximum");
    r.decimals = number("decimals");
    if (c.contains("enum")) r.allowed = c["enum"].get<std::vector<std::string>>();
    if (c.contains("pattern")) r.pattern = std::regex(c["pattern"].get<std::string>());
    r.required = c.value("required", false);
    r.codes = CodesFor(field);
    return r;
  }

  static inline std::unique_ptr<hdhub::testing::TempDir> dir_;
  std::map<std::string, std::unordered_set<std::string>> nomenclatures_;
};

TEST_F(SchemaConformanceTest, HeadersAreIdentityThenSchemaFieldsWithoutPseudonyms) {
  for (const std::string& table : kTables) {
    nlohmann::json schema = LoadSchema(table);
    std::vector<std::string> expected;
    auto removed = kPseudonymColumns.find(table);
    if (removed != kPseudonymColumns.end()) expected = kIdentity;
    for (const auto& f : schema["fields"]) {
      std::string name = f["name"];
      if (removed == kPseudonymColumns.end() ||
          std::find(removed->second.begin(), removed->second.end(), name) == removed->second.end()) {
        expected.push_back(name);
      }
    }
    EXPECT_EQ(ForEachRow(Path(table), [](Fields) {}), expected) << table;
  }
  EXPECT_EQ(ForEachRow(Path("OPTOUT"), [](Fields) {}), kIdentity);
}

TEST_F(SchemaConformanceTest, EveryValueConformsToItsField) {
  std::map<std::string, int64_t> coded;  // table.column -> values checked against a nomenclature
  for (const std::string& table : kTables) {
    nlohmann::json schema = LoadSchema(table);
    std::map<std::string, Rule> rules;
    for (const auto& f : schema["fields"]) rules[f["name"]] = RuleOf(f);
    std::map<std::string, std::string> failures;  // column -> first failure
    int64_t checked = 0;
    std::vector<std::string> header = ReadHeader(Path(table));
    std::vector<const Rule*> by_column;
    for (const std::string& h : header) by_column.push_back(rules.contains(h) ? &rules[h] : nullptr);
    ForEachRow(Path(table), [&](Fields row) {
      ASSERT_EQ(row.size(), header.size());
      for (size_t i = 0; i < row.size(); ++i) {
        if (by_column[i] == nullptr) continue;  // identity columns: see the coherence tests
        ++checked;
        if (by_column[i]->codes != nullptr && !row[i].empty()) ++coded[table + "." + header[i]];
        std::string why = Violation(*by_column[i], row[i]);
        if (!why.empty() && !failures.contains(header[i])) failures[header[i]] = "'" + std::string(row[i]) + "' " + why;
      }
    });
    EXPECT_GT(checked, 0) << table;
    EXPECT_THAT(failures, IsEmpty()) << table;
  }
  for (const char* column : {"IR_BEN_R.BEN_SEX_COD", "IR_BEN_R.BEN_RES_DPT", "ER_PRS_F.BSE_PRS_NAT",
                             "ER_PRS_F.PRS_NAT_REF", "ER_PRS_F.CPL_PRS_NAT", "ER_PRS_F.PSE_SPE_COD",
                             "ER_PRS_F.PSP_SPE_COD", "ER_PRS_F.BEN_RES_DPT", "T_MCOaaB.DGN_PAL", "T_MCOaaD.ASS_DGN",
                             "KI_CCI_R.DCD_CIM_COD", "KI_CCI_R.DCD_DPT_COD", "T_MCOaaA.CDC_ACT"}) {
    EXPECT_GT(coded[column], 0) << column << " was never checked against its nomenclature";
  }
}

TEST(FieldRuleTest, RefusesValuesOutsideTheirField) {
  std::unordered_set<std::string> sexes = {"1", "2"};
  Rule integer{.type = "integer", .minimum = 0, .maximum = 9, .codes = &sexes};
  EXPECT_EQ(Violation(integer, "1"), "");
  EXPECT_EQ(Violation(integer, ""), "");
  EXPECT_NE(Violation(integer, "3"), "");   // not in the nomenclature
  EXPECT_NE(Violation(integer, "10"), "");  // out of range
  EXPECT_NE(Violation(integer, "1.0"), "");
  Rule required{.type = "string", .required = true};
  EXPECT_NE(Violation(required, ""), "");
  Rule money{.type = "number", .maximum = 9999, .decimals = 2};
  EXPECT_EQ(Violation(money, "12.50"), "");
  EXPECT_NE(Violation(money, "12.505"), "");
  EXPECT_NE(Violation(money, "1e3"), "");
  Rule date{.type = "date", .format = "default"};
  EXPECT_NE(Violation(date, "2019-02-30"), "");
  Rule ddmmyyyy{.type = "date", .format = "%d%m%Y"};
  EXPECT_EQ(Violation(ddmmyyyy, "28022019"), "");
  EXPECT_NE(Violation(ddmmyyyy, "2019-02-28"), "");
  Rule sas{.type = "datetime", .format = "%d%b%Y:%H:%M:%S"};
  EXPECT_EQ(Violation(sas, "02Jan2007:00:00:00"), "");
  EXPECT_NE(Violation(sas, "32Jan2007:00:00:00"), "");
  Rule month{.type = "yearmonth"};
  EXPECT_NE(Violation(month, "202313"), "");
  Rule flag{.type = "boolean"};
  EXPECT_NE(Violation(flag, "true"), "");
  Rule code{.type = "string", .max_length = 3, .allowed = {"010", "011"}};
  EXPECT_NE(Violation(code, "012"), "");
  EXPECT_NE(Violation(code, "0100"), "");
}

TEST_F(SchemaConformanceTest, IdentityColumnsAreAValidNirABirthDateAndASex) {
  for (std::string table : {"IR_BEN_R", "ER_PRS_F", "T_MCOaaC", "KI_CCI_R", "OPTOUT"}) {
    int64_t bad = 0;
    ForEachRow(Path(table), [&](Fields row) {
      bool ok = pseudo::CheckNir(row[0]) == pseudo::NirError::kOk && ValidDateText(row[1], "default") &&
                (row[2] == "1" || row[2] == "2");
      if (!ok) ++bad;
    });
    EXPECT_EQ(bad, 0) << table;
  }
}

TEST_F(SchemaConformanceTest, ColumnsResearchersUseAreAlwaysFilled) {
  const std::map<std::string, std::vector<std::string>> kFilled = {
      {"IR_BEN_R", {"BEN_NAI_ANN", "BEN_NAI_MOI", "BEN_SEX_COD", "BEN_RES_DPT", "BEN_RES_COM", "ORG_AFF_BEN"}},
      {"ER_PRS_F", {"EXE_SOI_DTD", "EXE_SOI_DTF", "BSE_PRS_NAT", "BSE_REM_BSE", "BSE_REM_MNT", "PRS_PAI_MNT",
                    "RGO_REM_TAU", "BEN_AMA_COD", "BEN_NAI_ANN", "BEN_SEX_COD", "BEN_RES_DPT", "PFS_EXE_NUM",
                    "DCT_ORD_NUM", "FLX_DIS_DTD", "FLX_TRT_DTD", "ORG_CLE_NUM", "PRS_ORD_NUM", "REM_TYP_AFF"}},
      {"ER_PHA_F", {"PHA_PRS_C13", "PHA_PRS_IDE", "PHA_ACT_QSN", "PHA_ACT_PRU", "PHA_ORD_NUM", "DCT_ORD_NUM"}},
      {"T_MCOaaB", {"DGN_PAL", "ETA_NUM", "RSA_NUM", "GRG_GHM", "SEJ_NBJ", "SOR_ANN", "SOR_MOI", "COD_SEX",
                    "BDI_DEP", "ENT_MOD", "SOR_MOD", "NBR_DGN"}},
      {"T_MCOaaC", {"ENT_DAT", "SOR_DAT", "ETA_NUM", "RSA_NUM", "EXE_SOI_DTD", "EXE_SOI_DTF", "NIR_RET"}},
      {"T_MCOaaD", {"ASS_DGN", "DGN_ASS_NUM", "ETA_NUM", "RSA_NUM"}},
      {"T_MCOaaA", {"CDC_ACT", "ENT_DAT_DEL", "ETA_NUM", "RSA_NUM"}},
      {"KI_CCI_R", {"DCD_CIM_COD", "BEN_DCD_DTE", "FLX_PER_ANN", "BEN_RES_DPT", "DCD_DPT_COD"}},
  };
  for (const auto& [table, columns] : kFilled) {
    auto column = ColumnMap(ReadHeader(Path(table)));
    std::vector<int> positions;
    for (const std::string& c : columns) {
      ASSERT_TRUE(column.contains(c)) << table << "." << c;
      positions.push_back(column.at(c));
    }
    std::map<std::string, int64_t> empty;
    int64_t rows = 0;
    ForEachRow(Path(table), [&](Fields row) {
      ++rows;
      for (size_t i = 0; i < columns.size(); ++i) {
        if (row[static_cast<size_t>(positions[i])].empty()) ++empty[columns[i]];
      }
    });
    EXPECT_GT(rows, 0) << table;
    EXPECT_THAT(empty, IsEmpty()) << table;
  }
}

}  // namespace
}  // namespace hdhub::synth
