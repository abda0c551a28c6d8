#include "hdhub/ingest/csv_source.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::ingest {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class CsvSourceTest : public ::testing::Test {
 protected:
  std::string Write(const std::string& name, const std::string& bytes) {
    std::string path = dir_.Sub(name);
    std::ofstream(path, std::ios::binary) << bytes;
    return path;
  }
  testing::TempDir dir_;
};

TEST_F(CsvSourceTest, ReadsQuotedHeaderWithBomAndCrlf) {
  ASSERT_OK_AND_ASSIGN(CsvSource s, CsvSource::Open(Write("a.csv",
                                                          "\xEF\xBB\xBF"
                                                          "A,\"B \"\"x\"\"\",C\r\n1,2,3\r\n")));
  EXPECT_THAT(s.header, ElementsAre("A", "B \"x\"", "C"));
  EXPECT_EQ(s.Find("C"), 2);
  EXPECT_EQ(s.Find("D"), -1);
}

TEST_F(CsvSourceTest, OtherDelimiter) {
  ASSERT_OK_AND_ASSIGN(CsvSource s, CsvSource::Open(Write("a.csv", "A;B\n1;2\n"), ';'));
  EXPECT_THAT(s.header, ElementsAre("A", "B"));
}

TEST_F(CsvSourceTest, RefusesBadHeadersNamingFileAndColumn) {
  EXPECT_THAT(CsvSource::Open(Write("empty.csv", "")), StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty")));
  // Names are checked against what is expected (CheckHeader), by position.
  ASSERT_OK_AND_ASSIGN(CsvSource dup, CsvSource::Open(Write("dup.csv", "A,B,A\n")));
  EXPECT_THAT(dup.CheckHeader({"A", "B"}, "T"),
              StatusIs(StatusCode::kInvalidArgument,
                       HasSubstr("dup.csv, line 1, column 3: the column has the same name as column 1")));
  ASSERT_OK_AND_ASSIGN(CsvSource blank, CsvSource::Open(Write("blank.csv", "A,,B\n")));
  EXPECT_THAT(blank.CheckHeader({"A", "B"}, "T"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("column 2: the column has no name")));
  ASSERT_OK_AND_ASSIGN(CsvSource other, CsvSource::Open(Write("other.csv", "A,SECRET_NAME\n")));
  EXPECT_THAT(other.CheckHeader({"A", "B"}, "T"),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("column 2: its name is not a column of T"), Not(HasSubstr("SECRET")))));
  ASSERT_OK_AND_ASSIGN(CsvSource missing, CsvSource::Open(Write("missing.csv", "A\n")));
  EXPECT_THAT(missing.CheckHeader({"A", "B"}, "T"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("column 'B' of T is missing")));
  // A source extract given where its pseudonymized transfer file is expected:
  // the error says what to run first.
  ASSERT_OK_AND_ASSIGN(CsvSource raw, CsvSource::Open(Write("raw.csv", "NIR,NAI_DTE,SEX_COD,A,B\n")));
  EXPECT_THAT(raw.CheckHeader({"A", "B"}, "T"),
              StatusIs(StatusCode::kInvalidArgument,
                       AllOf(HasSubstr("column 1: its name is not a column of T"),
                             HasSubstr("a source extract (NIR, birth date, sex): run hdhub pseudonymize on it "
                                       "at the source first"))));
  EXPECT_THAT(CsvSource::Open(Write("quote.csv", "A,\"B\n")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CsvSource::Open(Write("after.csv", "A,\"B\"x,C\n")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("column 2")));
  EXPECT_THAT(CsvSource::Open(Write("latin1.csv", "A,\xe9t\xe9\n")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("UTF-8")));
  EXPECT_THAT(CsvSource::Open(dir_.Sub("absent.csv")), StatusIs(StatusCode::kNotFound));
}

TEST_F(CsvSourceTest, ScrubKeepsTheLineAndDropsTheQuotedContent) {
  Status duck = InvalidArgumentError(
      "Invalid Input Error: CSV Error on Line: 4\nOriginal Line: 1,SECRET,3\nExpected Number of Columns: 5 Found: 3");
  Status s = ScrubCsvError(duck, "x.csv");
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument, HasSubstr("x.csv, line 4: malformed CSV: expected 5 columns, "
                                                                  "found 3")));
  EXPECT_EQ(std::string(s.message()).find("SECRET"), std::string::npos);
}

}  // namespace
}  // namespace hdhub::ingest
