#include "hdhub/ingest/pseudonymize.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>
#include <sstream>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/sql/functions.h"

namespace hdhub::ingest {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

class PseudonymizeTest : public ::testing::Test {
 protected:
  void SetUp() override {
    schema_ = dir_.Sub("T.json");
    std::ofstream(schema_) << R"({"name":"T","fields":[
        {"name":"BEN_NIR_PSA","type":"string","constraints":{"minLength":17,"maxLength":17}},
        {"name":"EXE_SOI_DTD","type":"date"},{"name":"PRS_PAI_MNT","type":"number"}]})";
  }
  std::string Write(const std::string& name, const std::string& text) {
    std::ofstream(dir_.Sub(name), std::ios::binary) << text;
    return dir_.Sub(name);
  }
  static std::string Read(const std::string& path) {
    std::ifstream in(path, std::ios::binary);
    std::stringstream s;
    s << in.rdbuf();
    return s.str();
  }
  PseudonymizeRequest Request(const std::string& input, bool strict = false) {
    return {.input_path = input, .schema_path = schema_, .output_path = dir_.Sub("out.csv"), .strict = strict};
  }

  testing::TempDir dir_;
  std::string schema_;
  std::unique_ptr<crypto::HmacSha256> k_source_ =
      crypto::HmacSha256::Create(SecretBytes(AsBytes("source key"))).value();
  Pseudonymizer pseudonymizer_{k_source_.get(), 2};
};

constexpr char kHeader[] = "NIR,NAI_DTE,SEX_COD,EXE_SOI_DTD,PRS_PAI_MNT\n";

TEST_F(PseudonymizeTest, IdentitiesBecomeStageOnePseudonymsAndLeave) {
  std::string in = Write("in.csv", std::string(kHeader) + "255081416802538,1955-08-17,2,2021-03-04,12.5\n" +
                                       "185072A00112381,1985-07-01,1,2021-05-06,3\n");
  ASSERT_OK_AND_ASSIGN(PseudonymizeResult r, pseudonymizer_.Run(Request(in)));
  EXPECT_TRUE(r.identities_given);
  EXPECT_EQ(r.report.rows_stored, 2u);
  EXPECT_EQ(r.report.rows_rejected, 0u);
  std::string out = Read(dir_.Sub("out.csv"));
  EXPECT_THAT(out, HasSubstr("BEN_NIR_PSA,EXE_SOI_DTD,PRS_PAI_MNT\n"));
  EXPECT_THAT(out, HasSubstr(sql::StageOneHex(*k_source_, "255081416802538", "19550817", '2') + ",2021-03-04,12.5"));
  EXPECT_THAT(out, HasSubstr(sql::StageOneHex(*k_source_, "185072A00112381", "19850701", '1')));
  EXPECT_THAT(out, AllOf(Not(HasSubstr("2550814168")), Not(HasSubstr("1955-08-17")), Not(HasSubstr("NIR,"))));
}

TEST_F(PseudonymizeTest, RefusedIdentitiesAreLeftOutAndReportedByLineAndReason) {
  std::string in = Write("in.csv", std::string(kHeader) + "255081416802538,1955-08-17,2,2021-03-04,1\n" +
                                       "255081416802539,1955-08-17,2,2021-03-04,2\n" +  // key
                                       "255081416802538,1955-08-17,1,2021-03-04,3\n" +  // sex
                                       "255081416802538,1956-08-17,2,2021-03-04,4\n" +  // year
                                       "255081416802538,17/08/1955,2,2021-03-04,5\n" +  // date
                                       ",1955-08-17,2,2021-03-04,6\n");                 // missing
  ASSERT_OK_AND_ASSIGN(PseudonymizeResult r, pseudonymizer_.Run(Request(in)));
  EXPECT_EQ(r.report.rows_read, 6u);
  EXPECT_EQ(r.report.rows_stored, 1u);
  EXPECT_EQ(r.report.rows_rejected, 5u);
  ASSERT_EQ(r.report.issues.size(), 5u);
  EXPECT_EQ(r.report.issues[0].field, "NIR");
  EXPECT_EQ(r.report.issues[0].reason, "check key does not match");
  EXPECT_EQ(r.report.issues[0].first_line, 3u);
  EXPECT_EQ(r.report.issues[1].reason, "contradicts the NIR");
  EXPECT_EQ(r.report.issues[2].reason, "year contradicts the NIR");
  EXPECT_EQ(r.report.issues[3].field, "NAI_DTE");
  EXPECT_EQ(r.report.issues[4].first_line, 7u);
  EXPECT_EQ(r.report.ToJson().dump().find("25508141680"), std::string::npos);
  std::string out = Read(dir_.Sub("out.csv"));
  EXPECT_EQ(std::count(out.begin(), out.end(), '\n'), 2);
}

TEST_F(PseudonymizeTest, StrictModeWritesNothingWhenARowIsRefused) {
  std::string in = Write("in.csv", std::string(kHeader) + "255081416802538,1955-08-17,2,2021-03-04,1\n" +
                                       "255081416802539,1955-08-17,2,2021-03-04,2\n");
  EXPECT_THAT(pseudonymizer_.Run(Request(in, /*strict=*/true)),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("field NIR"), HasSubstr("first at line 3"), Not(HasSubstr("255081416802539")))));
  EXPECT_FALSE(fs::exists(dir_.Sub("out.csv")));
  for (const auto& e : fs::directory_iterator(dir_.path())) EXPECT_THAT(e.path().string(), Not(HasSubstr(".tmp-")));
}

TEST_F(PseudonymizeTest, SndsPseudonymsPassThroughChecked) {
  std::string in = Write("in.csv",
                         "BEN_NIR_PSA,EXE_SOI_DTD,PRS_PAI_MNT\nZGgyhJhsTIquZiIjE,2021-03-04,1\n"
                         "short,2021-03-04,2\n");
  ASSERT_OK_AND_ASSIGN(PseudonymizeResult r, pseudonymizer_.Run(Request(in)));
  EXPECT_FALSE(r.identities_given);
  EXPECT_EQ(r.report.rows_stored, 1u);
  ASSERT_EQ(r.report.issues.size(), 1u);
  EXPECT_EQ(r.report.issues[0].field, "BEN_NIR_PSA");
  EXPECT_THAT(Read(dir_.Sub("out.csv")), HasSubstr("ZGgyhJhsTIquZiIjE,2021-03-04,1"));
}

TEST_F(PseudonymizeTest, TheSndsSampleExtractsPassThrough) {
  for (const char* table : {"ER_PRS_F", "IR_BEN_R", "T_MCOaaC", "KI_CCI_R"}) {
    fs::path snds = testing::SharedDir() / "snds";
    PseudonymizeRequest r{.input_path = (snds / "synthetic" / (std::string(table) + ".csv")).string(),
                          .schema_path = (snds / "schemas" / (std::string(table) + ".json")).string(),
                          .output_path = dir_.Sub(std::string(table) + ".out.csv")};
    ASSERT_OK_AND_ASSIGN(PseudonymizeResult result, pseudonymizer_.Run(r));
    EXPECT_EQ(result.report.rows_read, 10u) << table;
  }
}

TEST_F(PseudonymizeTest, HeaderThatFitsNeitherFormIsRefused) {
  std::string in = Write("in.csv", "NIR,NAI_DTE,SEX_COD,EXE_SOI_DTD\n255081416802538,1955-08-17,2,2021-03-04\n");
  EXPECT_THAT(pseudonymizer_.Run(Request(in)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("column 'PRS_PAI_MNT' of a source extract of T")));
  std::string other = Write("other.csv", "X,EXE_SOI_DTD,PRS_PAI_MNT\n1,2,3\n");
  // Named by position: a header cell is never quoted (it may be a value).
  EXPECT_THAT(pseudonymizer_.Run(Request(other)),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("line 1, column 1"), Not(HasSubstr("'X'")))));
  // A source extract without its header line: the NIR on line 1 is not quoted.
  std::string headless = Write("headless.csv", "255081416802538,1955-08-17,2,2021-03-04,12.5\n");
  Status s = pseudonymizer_.Run(Request(headless)).status();
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument, HasSubstr("header line missing")));
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("2550814168")));
}

TEST_F(PseudonymizeTest, ExistingOutputIsNeverOverwritten) {
  std::string in = Write("in.csv", std::string(kHeader) + "255081416802538,1955-08-17,2,2021-03-04,1\n");
  Write("out.csv", "precious");
  EXPECT_THAT(pseudonymizer_.Run(Request(in)), StatusIs(StatusCode::kAlreadyExists));
  EXPECT_EQ(Read(dir_.Sub("out.csv")), "precious");
}

}  // namespace
}  // namespace hdhub::ingest
