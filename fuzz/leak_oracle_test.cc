#include "leak_oracle.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hdhub::fuzz {
namespace {

using ::testing::ElementsAre;
using ::testing::IsEmpty;

constexpr char kInput[] =
    "NIR,NAI_DTE,SEX_COD\n"
    "185077512345678,1985-07-12,1\n"
    "\"Dupont Marie\",2001-02-03,2\n";

TEST(LeakOracleTest, FindsAValueOfTheInputWhereverItSitsInTheMessage) {
  LeakOracle oracle;
  // What pseudonymize said of a file without its header line before issue 14's
  // fix (the template of src/hdhub/ingest/pseudonymize.cc at c0432d0^).
  EXPECT_THAT(oracle.Leaks("/tmp/x/extract.csv, line 1, column 1: '185077512345678' is not a column of a source "
                           "extract of IR_BEN_R",
                           kInput),
              ElementsAre("185077512345678"));
  EXPECT_THAT(oracle.Leaks("Conversion Error: Could not convert string \"1985-07-12\" to DATE", kInput),
              ElementsAre("1985-07-12"));
  EXPECT_THAT(oracle.Leaks("line 3: bad value: Dupont Marie.", kInput), ElementsAre("Dupont", "Marie"));
}

TEST(LeakOracleTest, AcceptsWhatAMessageSaysWithoutRepeatingTheInput) {
  LeakOracle oracle;
  oracle.Allow("NAI_DTE");
  EXPECT_THAT(
      oracle.Leaks("extract.csv, line 2: field NAI_DTE: expected a date (YYYY-MM-DD), 3 values refused", kInput),
      IsEmpty());
  // Words of hdhub's own sources and small numbers, even when the input holds them.
  EXPECT_THAT(oracle.Leaks("field SEX_COD at line 1985: expected 1 or 2", "SEX_COD\nexpected\n1985\n"), IsEmpty());
  // A token the input does not hold is the message's own (a path, a hash).
  EXPECT_THAT(oracle.Leaks("/tmp/hdhub-fuzz-1/extract.csv: not UTF-8 (d3adb33f)", kInput), IsEmpty());
}

TEST(LeakOracleTest, APathUnderAnAllowedDirectoryIsTheHarnessesNotTheInputs) {
  // libFuzzer learns the input file's path from the comparisons and writes it
  // into the input: the message naming that file repeats no value.
  const std::string input = "BEN_NIR_PSA,tmp/hdhub-fuzz-7/extract.csvTD\n";
  LeakOracle oracle;
  oracle.AllowDir("/tmp/hdhub-fuzz-7");
  EXPECT_THAT(oracle.Leaks("/tmp/hdhub-fuzz-7/extract.csv, line 1, column 5: its name is not a column", input),
              IsEmpty());
  EXPECT_THAT(oracle.Leaks("tmp/hdhub-fuzz-7: cannot write", input), IsEmpty());
  // Only that directory: a sibling or a value that merely starts alike is still a leak.
  EXPECT_THAT(oracle.Leaks("/tmp/hdhub-fuzz-7x/extract.csv", "tmp/hdhub-fuzz-7x/extract.csv"),
              ElementsAre("tmp/hdhub-fuzz-7x/extract.csv"));
  EXPECT_THAT(oracle.Leaks("value extract.csvTD refused", input), ElementsAre("extract.csvTD"));
}

TEST(LeakOracleTest, TokensLoseQuotesBracketsAndEdgePunctuation) {
  EXPECT_THAT(LeakOracle::Tokens("a 'b' (c), \"d\": e-f. [g]"), ElementsAre("a", "b", "c", "d", "e-f", "g"));
}

}  // namespace
}  // namespace hdhub::fuzz
