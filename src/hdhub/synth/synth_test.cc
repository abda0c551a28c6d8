// GenerateExtract as a caller sees it: deterministic bytes, refused
// arguments with clear errors, and no partial files left behind.
#include "hdhub/synth/synth.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <fstream>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/synth/extract_files.h"
#include "hdhub/synth/synth_test_util.h"

namespace hdhub::synth {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
namespace fs = std::filesystem;

const std::vector<std::string> kFiles = {"IR_BEN_R.csv", "ER_PRS_F.csv", "ER_PHA_F.csv",  "T_MCOaaA.csv",
                                         "T_MCOaaB.csv", "T_MCOaaC.csv", "T_MCOaaD.csv",  "KI_CCI_R.csv",
                                         "OPTOUT.csv",   "IR_PHA_R.csv", "IR_PHA_R.json", "manifest.json"};

std::vector<std::string> Listing(const fs::path& dir) {
  std::vector<std::string> names;
  for (const auto& e : fs::directory_iterator(dir)) names.push_back(e.path().filename().string());
  std::sort(names.begin(), names.end());
  return names;
}

SynthOptions Options(const std::string& dir) {
  SynthOptions o;
  o.people = 100;
  o.seed = 3;
  o.out_dir = dir;
  return o;
}

TEST(SynthTest, SameSeedGivesTheSameBytesWhateverTheThreads) {
  hdhub::testing::TempDir tmp;
  testing::GenerateOrDie(tmp.Sub("one"), 2000, 5, 1);
  testing::GenerateOrDie(tmp.Sub("three"), 2000, 5, 3);
  testing::GenerateOrDie(tmp.Sub("other"), 2000, 6, 2);
  for (const std::string& f : kFiles) {
    EXPECT_EQ(testing::ReadFile(tmp.Sub("one/" + f)), testing::ReadFile(tmp.Sub("three/" + f))) << f;
  }
  EXPECT_NE(testing::ReadFile(tmp.Sub("one/ER_PRS_F.csv")), testing::ReadFile(tmp.Sub("other/ER_PRS_F.csv")));
  EXPECT_NE(testing::ReadFile(tmp.Sub("one/IR_BEN_R.csv")), testing::ReadFile(tmp.Sub("other/IR_BEN_R.csv")));
}

TEST(SynthTest, APersonDoesNotDependOnHowManyFollow) {
  hdhub::testing::TempDir tmp;
  testing::GenerateOrDie(tmp.Sub("small"), 300, 5, 2);
  testing::GenerateOrDie(tmp.Sub("large"), 900, 5, 2);
  std::string small = testing::ReadFile(tmp.Sub("small/IR_BEN_R.csv"));
  std::string large = testing::ReadFile(tmp.Sub("large/IR_BEN_R.csv"));
  EXPECT_EQ(large.substr(0, small.size()), small);
}

TEST(SynthTest, WritesEveryFileAndReportsRows) {
  hdhub::testing::TempDir tmp;
  ASSERT_OK_AND_ASSIGN(SynthResult r, GenerateExtract(Options(tmp.Sub("out"))));
  std::vector<std::string> expected = kFiles;
  std::sort(expected.begin(), expected.end());
  EXPECT_EQ(Listing(tmp.Sub("out")), expected);
  EXPECT_EQ(r.rows[Index(OutputFile::kIrBenR)], 100);
  EXPECT_GT(r.rows[Index(OutputFile::kErPrsF)], 100 * 5 * 10);
  int64_t total = 0;
  for (int64_t n : r.rows) total += n;
  EXPECT_EQ(r.total_rows, total);
  EXPECT_GE(r.threads, 1);
}

TEST(SynthTest, ParsesYearSpans) {
  ASSERT_OK_AND_ASSIGN(SpanYears span, ParseYears("2019-2023"));
  EXPECT_EQ(span.first, 2019);
  EXPECT_EQ(span.last, 2023);
  ASSERT_OK_AND_ASSIGN(SpanYears one, ParseYears("2021"));
  EXPECT_EQ(one.count(), 1);
  for (const char* bad : {"", "2019-", "19-23", "2019-20x3", "2019/2023", "twenty"}) {
    EXPECT_THAT(ParseYears(bad), StatusIs(StatusCode::kInvalidArgument)) << bad;
  }
}

TEST(SynthTest, RefusesBadArgumentsAndWritesNothing) {
  hdhub::testing::TempDir tmp;
  std::string out = tmp.Sub("out");
  SynthOptions o = Options(out);
  o.people = 0;
  EXPECT_THAT(GenerateExtract(o), StatusIs(StatusCode::kInvalidArgument, HasSubstr("--people")));
  o.people = -5;
  EXPECT_THAT(GenerateExtract(o), StatusIs(StatusCode::kInvalidArgument, HasSubstr("--people")));
  o = Options(out);
  o.years = {2023, 2019};
  EXPECT_THAT(GenerateExtract(o), StatusIs(StatusCode::kInvalidArgument, HasSubstr("--years")));
  o.years = {1900, 1901};
  EXPECT_THAT(GenerateExtract(o), StatusIs(StatusCode::kInvalidArgument, HasSubstr("--years")));
  o.years = {1990, 2030};
  EXPECT_THAT(GenerateExtract(o), StatusIs(StatusCode::kInvalidArgument, HasSubstr("30 years")));
  o = Options(out);
  o.opt_out_rate = 1.5;
  EXPECT_THAT(GenerateExtract(o), StatusIs(StatusCode::kInvalidArgument, HasSubstr("--opt-out-rate")));
  o = Options(out);
  o.threads = -1;
  EXPECT_THAT(GenerateExtract(o), StatusIs(StatusCode::kInvalidArgument, HasSubstr("--threads")));
  o = Options("");
  EXPECT_THAT(GenerateExtract(o), StatusIs(StatusCode::kInvalidArgument, HasSubstr("--out")));
  EXPECT_FALSE(fs::exists(out));
}

TEST(SynthTest, UnwritableDirectoryIsAClearErrorAndLeavesNothing) {
  hdhub::testing::TempDir tmp;
  std::ofstream(tmp.Sub("file")) << "not a directory";
  auto under_file = GenerateExtract(Options(tmp.Sub("file/out")));
  EXPECT_FALSE(under_file.ok());
  EXPECT_THAT(std::string(under_file.status().message()), HasSubstr("file/out"));
  EXPECT_THAT(GenerateExtract(Options(tmp.Sub("file"))), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Listing(tmp.path()), ElementsAre("file"));
}

TEST(ExtractFilesTest, AnAbandonedExtractLeavesNoFile) {
  hdhub::testing::TempDir tmp;
  {
    ASSERT_OK_AND_ASSIGN(auto files, ExtractFiles::Create(tmp.Sub("out")));
    ASSERT_OK(files->Append(OutputFile::kErPrsF, "NIR\n"));
    ASSERT_OK(files->AddWholeFile("IR_PHA_R.csv", "PHA_CIP_C13\n"));
    EXPECT_EQ(Listing(tmp.Sub("out")).size(), static_cast<size_t>(kOutputFiles) + 1);  // hidden temporaries
    for (const std::string& name : Listing(tmp.Sub("out"))) EXPECT_EQ(name[0], '.') << name;
  }
  EXPECT_THAT(Listing(tmp.Sub("out")), IsEmpty());
}

TEST(ExtractFilesTest, CommitReplacesAnOlderExtract) {
  hdhub::testing::TempDir tmp;
  ASSERT_OK_AND_ASSIGN(auto first, ExtractFiles::Create(tmp.Sub("out")));
  ASSERT_OK(first->Append(OutputFile::kOptOut, "old\n"));
  ASSERT_OK(first->Commit("{\"v\":1}\n"));
  ASSERT_OK_AND_ASSIGN(auto second, ExtractFiles::Create(tmp.Sub("out")));
  ASSERT_OK(second->Append(OutputFile::kOptOut, "new\n"));
  ASSERT_OK(second->AddWholeFile("IR_PHA_R.json", "{}\n"));
  ASSERT_OK(second->Commit("{\"v\":2}\n"));
  EXPECT_EQ(testing::ReadFile(tmp.Sub("out/IR_PHA_R.json")), "{}\n");
  EXPECT_EQ(testing::ReadFile(tmp.Sub("out/OPTOUT.csv")), "new\n");
  EXPECT_EQ(testing::ReadFile(tmp.Sub("out/manifest.json")), "{\"v\":2}\n");
  EXPECT_EQ(Listing(tmp.Sub("out")).size(), static_cast<size_t>(kOutputFiles) + 2);  // and the manifest
  EXPECT_EQ(fs::status(tmp.Sub("out/ER_PRS_F.csv")).permissions() & fs::perms::others_read, fs::perms::none);
}

}  // namespace
}  // namespace hdhub::synth
