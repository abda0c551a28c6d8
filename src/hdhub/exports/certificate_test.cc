// The release certificate end to end on a real release: a real Protect run,
// a real file audit log signed by a test key, the bundle and its offline
// verification, every tampered variant of docs/formats/airlock-certificate.md
// §8 failing at its step, and the known answers of
// testdata/airlock/certificate/, regenerated with
//   HDHUB_REGENERATE_AIRLOCK_GOLDEN=1 build/src/hdhub/exports/hdhub_exports_certificate_test
//     --gtest_filter='*KnownAnswers*'   (one command line)
#include "hdhub/exports/certificate.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hdhub/common/file.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/exports/bundle.h"
#include "hdhub/exports/certificate_test_util.h"
#include "hdhub/exports/verify.h"

namespace hdhub::exports {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;
using namespace ::hdhub::exports::testing;  // NOLINT: this file tests what it builds

const Golden& TheGolden() {
  static const Golden* golden = new Golden(MakeGolden().value());
  return *golden;
}

VerifyReport Verify(const Golden& g, const Variant& v) {
  std::vector<VerifyFile> files;
  for (const std::string& name : v.files) files.push_back({name, g.files.at(name)});
  std::vector<std::string> earlier;
  for (const std::string& name : v.history) earlier.push_back(g.files.at(name));
  std::string key = g.files.at(v.key);
  key.pop_back();  // the file's LF
  std::optional<std::span<const std::string>> history;
  if (v.has_history) history = earlier;
  return VerifyBundle(g.files.at(v.bundle), key, files, history).value();
}

TEST(CertificateTest, HistoryChainStartsFromTheProjectAndHashesEachBody) {
  EXPECT_EQ(HistoryStart("p-1"), crypto::Sha256(AsBytes(std::string("hdhub airlock history v1\np-1"))));
  EXPECT_NE(HistoryStart("p-1"), HistoryStart("p-2"));
  const crypto::Digest h0 = HistoryStart("p-1");
  const crypto::Digest body = crypto::Sha256(AsBytes(std::string("{}")));
  Bytes both(h0.begin(), h0.end());
  both.insert(both.end(), body.begin(), body.end());
  EXPECT_EQ(HistoryNext(h0, "{}"), crypto::Sha256(both));
}

TEST(CertificateTest, BodyLineIsDeterministicAndParsesBackToTheSameBytes) {
  const std::string line = ReleaseBody(1, std::string(64, 'a'), 0).ToLine();
  EXPECT_EQ(ReleaseBody(1, std::string(64, 'a'), 0).ToLine(), line);
  EXPECT_EQ(line.find('\n'), std::string::npos);
  ASSERT_OK_AND_ASSIGN(CertificateBody parsed, ParseBody(line));
  EXPECT_EQ(parsed.ToLine(), line);
  EXPECT_EQ(parsed.outputs.size(), 2u);
}

TEST(CertificateTest, SuppressedCellCarriesNoRuleAndNoValue) {
  const nlohmann::json body = nlohmann::json::parse(ReleaseBody(1, std::string(64, 'a'), 0).ToLine());
  int suppressed = 0;
  for (const nlohmann::json& cell : body["outputs"][0]["cells"]) {
    if (cell["status"] != "suppressed") continue;
    ++suppressed;
    EXPECT_FALSE(cell.contains("value"));
    EXPECT_FALSE(cell.contains("rule"));
    EXPECT_THAT(cell["reason"].get<std::string>(), ::testing::AnyOf("protected", "ledger"));
    ASSERT_TRUE(cell["interval"].is_array());
    EXPECT_TRUE(cell["interval"][0].is_number_integer());  // counts: rounded inward to integers
  }
  EXPECT_GE(suppressed, 4);  // the primary 5 and what protects it
}

TEST(CertificateTest, CsvHasOneRowPerCellInTheCertificatesOrder) {
  const CertificateBody body = ReleaseBody(1, std::string(64, 'a'), 0);
  const std::string csv = RenderTableCsv(TestFrame(), body.outputs[0]);
  EXPECT_TRUE(csv.starts_with("table,row,col,value\nby_row_col,Total,Total,225\n")) << csv;
  size_t rows = 0;
  for (char c : csv) rows += c == '\n';
  EXPECT_EQ(rows, body.outputs[0].cells.size() + 1);
  EXPECT_THAT(csv, HasSubstr("by_row_col,r1,c3,\n"));  // the 5: suppressed, empty
  EXPECT_EQ(body.outputs[0].sha256, HexEncode(crypto::Sha256(AsBytes(csv))));
  EXPECT_EQ(body.outputs[0].bytes, static_cast<int64_t>(csv.size()));
}

TEST(CertificateTest, BuilderRefusesARefusedProtectionAndMissingTables) {
  airlock::ProtectionResult refused = ProtectTestGrid();
  refused.outcome = airlock::Outcome::kRefuse;
  EXPECT_THAT(BuildTableOutput(TestTableDeclaration(), TestFrame(), refused),
              StatusIs(StatusCode::kFailedPrecondition));
  TableOutputDeclaration other = TestTableDeclaration();
  other.name = "other";
  EXPECT_THAT(BuildTableOutput(other, TestFrame(), ProtectTestGrid()), StatusIs(StatusCode::kInvalidArgument));
  airlock::ProtectionResult no_interval = ProtectTestGrid();
  for (airlock::CellRecord& c : no_interval.cells) {
    if (c.status == airlock::CellStatus::kSuppressed) c.interval.reset();
  }
  EXPECT_THAT(BuildTableOutput(TestTableDeclaration(), TestFrame(), no_interval), StatusIs(StatusCode::kInternal));
  other = TestTableDeclaration();
  other.measure = "mean";
  EXPECT_THAT(BuildTableOutput(other, TestFrame(), ProtectTestGrid()), StatusIs(StatusCode::kInvalidArgument));
}

TEST(CertificateTest, ParseBodyNamesTheMemberNeverTheValue) {
  nlohmann::json body = nlohmann::json::parse(ReleaseBody(1, std::string(64, 'a'), 0).ToLine());
  nlohmann::json missing = body;
  missing.erase("nonce");
  EXPECT_THAT(ParseBody(missing.dump()), StatusIs(StatusCode::kInvalidArgument, HasSubstr("'nonce' is missing")));
  nlohmann::json extra = body;
  extra["outputs"][0]["cells"][5]["value"] = 7;  // a suppressed cell with a value
  EXPECT_THAT(ParseBody(extra.dump()), StatusIs(StatusCode::kInvalidArgument, HasSubstr("outputs[0].cells[5].value")));
  nlohmann::json wrong = body;
  wrong["outputs"][0]["cells"][0]["value"] = 225.5;  // a count that is not an integer
  EXPECT_THAT(ParseBody(wrong.dump()),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("cells[0].value"), Not(HasSubstr("225")))));
  nlohmann::json author = body;
  author["author"] = "bob";
  EXPECT_THAT(ParseBody(author.dump()), StatusIs(StatusCode::kInvalidArgument, HasSubstr("by the author")));
  EXPECT_THAT(ParseBody(body.dump(1)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("not canonical")));
  EXPECT_THAT(ParseBody(body.dump().substr(0, 100)), StatusIs(StatusCode::kInvalidArgument));
}

TEST(CertificateTest, ParseBundleRefusesTruncationAndBadLines) {
  const std::string bundle = TheGolden().files.at("release-1.hdhub-cert");
  ASSERT_OK_AND_ASSIGN(Bundle b, ParseBundle(bundle));
  EXPECT_EQ(b.Serialize(), bundle);
  EXPECT_FALSE(b.proof.empty());
  EXPECT_THAT(ParseBundle(bundle.substr(0, bundle.find('\n', 40))), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseBundle("hdhub-airlock-certificate v2" + bundle.substr(28)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 1")));
  Bundle bad = b;
  bad.checkpoint.clear();
  std::string text = bad.Serialize();
  text.replace(text.find(std::to_string(b.leaf_index) + " "), 1, "0" + std::to_string(b.leaf_index));
  EXPECT_THAT(ParseBundle(text), StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 4")));
}

TEST(CertificateTest, RealBundleVerifiesAndEachTamperedVariantFailsAtItsStep) {
  const Golden& g = TheGolden();
  ASSERT_GE(g.variants.size(), 14u);
  for (const Variant& v : g.variants) {
    const VerifyReport report = Verify(g, v);
    EXPECT_EQ(report.failed_check, v.fails_at) << v.name << ": " << report.Summary();
  }
}

TEST(CertificateTest, ReportNamesOutputAndCellButNoValue) {
  const Golden& g = TheGolden();
  for (const Variant& v : g.variants) {
    if (v.fails_at != 6) continue;
    const VerifyReport report = Verify(g, v);
    EXPECT_EQ(report.check_name, "rules");
    EXPECT_EQ(report.output, "grid");
    EXPECT_EQ(report.table, "by_row_col");
    EXPECT_EQ(report.cell.size(), 2u);
    EXPECT_THAT(report.Summary(), Not(HasSubstr("10")));  // the narrowed hi, T - 1
  }
  const VerifyReport ok = Verify(g, g.variants.at(1));  // the golden, no file given
  EXPECT_TRUE(ok.ok());
  EXPECT_THAT(ok.outputs_not_checked, ::testing::ElementsAre("grid", "readme"));
}

TEST(CertificateTest, UnusableKeyIsAnArgumentErrorNotAFailedCheck) {
  EXPECT_THAT(VerifyBundle(TheGolden().files.at("release-1.hdhub-cert"), "not a key", {}),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(CertificateTest, FileMatchingNoOutputFailsFiles) {
  const Golden& g = TheGolden();
  std::string key = g.files.at("log.vkey");
  key.pop_back();
  const std::vector<VerifyFile> files = {{"stray.txt", "not released\n"}};
  ASSERT_OK_AND_ASSIGN(VerifyReport r, VerifyBundle(g.files.at("release-1.hdhub-cert"), key, files));
  EXPECT_EQ(r.failed_check, 5);
  EXPECT_THAT(r.message, HasSubstr("stray.txt matches no output"));
}

// A file whose hash the body names but whose rows are not the body's cells
// (a hub that rendered one thing and certified another) fails 5 at the row.
TEST(CertificateTest, CsvRowDisagreeingWithItsCellFailsFiles) {
  TestLog log;
  CertificateBody body = ReleaseBody(1, HexEncode(HistoryStart(kTestProject)), 0);
  const std::string csv = RenderTableCsv(TestFrame(), body.outputs[0]);
  body.outputs[0].cells[2].value += 1;  // {Total, c2}; sha256 and bytes still the CSV's
  const std::string line = body.ToLine();
  ASSERT_OK_AND_ASSIGN(Bundle bundle, log.Release(body, line));
  const std::vector<VerifyFile> files = {{"grid.csv", csv}};
  ASSERT_OK_AND_ASSIGN(VerifyReport r, VerifyBundle(bundle.Serialize(), log.VerifierKey(), files));
  EXPECT_EQ(r.failed_check, 5) << r.Summary();
  EXPECT_EQ(r.output, "grid");
  EXPECT_THAT(r.cell, ::testing::ElementsAre("Total", "c2"));
  EXPECT_THAT(r.message, HasSubstr("CSV row 3"));
}

// The known answers are what this code makes, byte for byte: a change of
// format shows here and in the golden files' diff.
TEST(CertificateTest, KnownAnswersMatchTestdata) {
  const Golden& g = TheGolden();
  const std::filesystem::path dir = hdhub::testing::SourceDir() / "testdata" / "airlock" / "certificate";
  if (std::getenv("HDHUB_REGENERATE_AIRLOCK_GOLDEN") != nullptr) {
    for (const auto& [name, bytes] : g.files) {
      std::filesystem::create_directories((dir / name).parent_path());
      std::ofstream(dir / name, std::ios::binary) << bytes;
    }
  }
  for (const auto& [name, bytes] : g.files) {
    StatusOr<std::string> stored = ReadFile((dir / name).string());
    ASSERT_TRUE(stored.ok()) << name << " is missing: regenerate (see the top of this file)";
    EXPECT_EQ(*stored, bytes) << name << " differs: regenerate, and review the diff";
  }
}

}  // namespace
}  // namespace hdhub::exports
