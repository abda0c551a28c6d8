#include "hdhub/ingest/csv_ingest.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>
#include <nlohmann/json.hpp>
#include <set>
#include <sstream>

#include "hdhub/audit/event.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/crypto/random.h"
#include "hdhub/ingest/ingest_fixture.h"
#include "hdhub/keys/memory_key_store.h"
#include "hdhub/sql/database.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::ingest {
namespace {

namespace fs = std::filesystem;
using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::IsEmpty;
using ::testing::Not;

class CsvIngestTest : public IngestFixture {
 protected:
  std::string Snds(const std::string& rel) { return (testing::SharedDir() / "snds" / rel).string(); }

  // The public samples are random values that break their own schemas (an
  // 8-character code of 3 characters…): they ingest with kSetNull.
  IngestRequest Prs(const std::string& csv, InvalidPolicy policy = InvalidPolicy::kSetNull) {
    return {.dataset = "ER_PRS_F", .csv_path = csv, .schema_path = Snds("schemas/ER_PRS_F.json"), .on_invalid = policy};
  }

  // A small clean table: an identifier, a code from an enumeration, a date.
  IngestRequest Small(const std::string& name, const std::vector<std::string>& rows, InvalidPolicy policy) {
    std::string schema = dir_.Sub("small.json");
    std::ofstream(schema) << R"({"name":"SMALL","fields":[
        {"name":"BEN_NIR_PSA","type":"string","constraints":{"required":true}},
        {"name":"CODE","type":"string","constraints":{"enum":["A","B"]}},
        {"name":"DAY","type":"date"}]})";
    std::string csv = dir_.Sub(name);
    std::ofstream out(csv, std::ios::binary);
    out << "BEN_NIR_PSA,CODE,DAY\n";
    for (const std::string& r : rows) out << r << "\n";
    return {.dataset = "SMALL", .csv_path = csv, .schema_path = schema, .on_invalid = policy};
  }

  static const FieldIssue* IssueOf(const IngestResult& r, const std::string& field) {
    for (const FieldIssue& i : r.report.issues) {
      if (i.field == field) return &i;
    }
    return nullptr;
  }

  // A copy of the ER_PRS_F sample with `edit` applied to its lines.
  std::string Variant(const std::string& name, const std::function<void(std::vector<std::string>&)>& edit) {
    std::ifstream in(Snds("synthetic/ER_PRS_F.csv"));
    std::vector<std::string> lines;
    for (std::string l; std::getline(in, l);) lines.push_back(l);
    edit(lines);
    std::string path = dir_.Sub(name);
    std::ofstream out(path, std::ios::binary);
    for (const auto& l : lines) out << l << "\n";
    return path;
  }

  void ExpectNothingWritten() {
    EXPECT_THAT(host_.List("").value(), IsEmpty());
    auto versions = catalog_->ListVersions("ER_PRS_F");
    if (versions.ok()) {
      for (const auto& v : *versions) EXPECT_NE(v.state, catalog::VersionState::kCommitted);
    }
    EXPECT_THAT(catalog_->ListPendingVersions().value(), IsEmpty());
  }
};

TEST_F(CsvIngestTest, SampleBecomesCommittedSealedVersionReadableBack) {
  ASSERT_OK_AND_ASSIGN(IngestResult r, ingester_->Ingest(Prs(Snds("synthetic/ER_PRS_F.csv"))));
  EXPECT_EQ(r.version, 1);
  EXPECT_EQ(r.rows, 10u);
  EXPECT_FALSE(r.already_ingested);
  ASSERT_OK_AND_ASSIGN(catalog::VersionWithObjects v, catalog_->LatestCommittedVersion("ER_PRS_F"));
  ASSERT_EQ(v.objects.size(), 1u);
  EXPECT_EQ(v.version.row_count, 10u);

  ASSERT_OK_AND_ASSIGN(SecretBytes dek,
                       keys_->UnwrapKey(v.version.wrapped_dek, DataKeyContext("ER_PRS_F", v.version.version)));
  ASSERT_OK_AND_ASSIGN(auto db, sql::Database::Open(sealed_.get()));
  ASSERT_OK(db->keys().Grant(VersionPrefix("ER_PRS_F", 1), std::move(dek), sql::Access::kRead));
  ASSERT_OK_AND_ASSIGN(sql::QueryResult q,
                       db->Query("SELECT count(*), typeof(any_value(EXE_SOI_DTD)), typeof(any_value(PRS_ACT_QTE)), "
                                 "typeof(any_value(PRS_NAT_REF)) "
                                 "FROM 'hdhub://" +
                                 v.objects[0].logical_name + "'"));
  EXPECT_EQ(q.rows[0][0], "10");
  EXPECT_EQ(q.rows[0][1], "DATE");
  EXPECT_EQ(q.rows[0][2], "DOUBLE");  // a Table Schema "number"
  EXPECT_EQ(q.rows[0][3], "BIGINT");  // an "integer"
  nlohmann::json report = nlohmann::json::parse(v.version.report_json);
  EXPECT_EQ(report["rows_read"], 10);
  EXPECT_EQ(report["rows_stored"], 10);
  // shared/snds holds IR_NAT_V but not IR_ORG_V: the report says what went unchecked.
  EXPECT_THAT(report["unchecked_nomenclatures"], ::testing::Contains("IR_ORG_V"));
  EXPECT_THAT(report["unchecked_nomenclatures"], Not(::testing::Contains("IR_NAT_V")));
}

TEST_F(CsvIngestTest, EveryIngestIsAuditedWithItsOutcome) {
  ASSERT_OK(ingester_->Ingest(Prs(Snds("synthetic/ER_PRS_F.csv"))).status());
  std::string bad = Variant("bad.csv", [](auto& l) { l[3] += ",surplus"; });
  ASSERT_FALSE(ingester_->Ingest(Prs(bad)).ok());
  ASSERT_EQ(log_.Size(), 2u);
  ASSERT_OK_AND_ASSIGN(audit::Entry ok, audit::DecodeEntry(log_.ReadEntry(0).value()));
  EXPECT_EQ(ok.event.action, "ingest.run");
  EXPECT_EQ(ok.event.actor, "tester");
  EXPECT_EQ(ok.event.objects["dataset"], "ER_PRS_F");
  EXPECT_EQ(ok.event.objects["version"], "1");
  EXPECT_EQ(ok.event.outcome, audit::Outcome::kSuccess);
  ASSERT_OK_AND_ASSIGN(audit::Entry failed, audit::DecodeEntry(log_.ReadEntry(1).value()));
  EXPECT_EQ(failed.event.outcome, audit::Outcome::kError);
}

TEST_F(CsvIngestTest, IngestFailsAndCommitsNothingWhenItCannotBeAudited) {
  log_.SetFailureForTest(UnavailableError("disk gone"));
  EXPECT_THAT(ingester_->Ingest(Prs(Snds("synthetic/ER_PRS_F.csv"))), StatusIs(StatusCode::kUnavailable));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, PseudonymsAreRekeyedToStableUuidsAndNeverStoredAsGiven) {
  ASSERT_OK(ingester_->Ingest(Prs(Snds("synthetic/ER_PRS_F.csv"))).status());
  std::string again = Variant("again.csv", [](auto& l) { l.pop_back(); });
  ASSERT_OK(ingester_->Ingest(Prs(again)).status());
  auto pseudonyms = [&](int64_t version) {
    catalog::VersionWithObjects v = catalog_->GetVersion("ER_PRS_F", version).value();
    SecretBytes dek =
        keys_->UnwrapKey(v.version.wrapped_dek, DataKeyContext("ER_PRS_F", v.version.version)).value();
    auto db = sql::Database::Open(sealed_.get()).value();
    EXPECT_OK(db->keys().Grant(VersionPrefix("ER_PRS_F", version), std::move(dek), sql::Access::kRead));
    return db
        ->Query("SELECT typeof(BEN_NIR_PSA), BEN_NIR_PSA::VARCHAR FROM 'hdhub://" + v.objects[0].logical_name +
                "' ORDER BY 2")
        .value();
  };
  sql::QueryResult first = pseudonyms(1), second = pseudonyms(2);
  EXPECT_EQ(first.rows[0][0], "UUID");
  std::set<std::string> in_second;
  for (const auto& r : second.rows) in_second.insert(*r[1]);
  for (const auto& r : first.rows) {
    if (in_second.contains(*r[1])) in_second.erase(*r[1]);
  }
  EXPECT_TRUE(in_second.empty()) << "the same SNDS pseudonym gave another P2";
  std::ifstream csv(Snds("synthetic/ER_PRS_F.csv"));
  std::string text((std::istreambuf_iterator<char>(csv)), std::istreambuf_iterator<char>());
  for (const auto& r : first.rows) EXPECT_EQ(text.find(*r[1]), std::string::npos);
}

TEST_F(CsvIngestTest, QuasiIdentifiersAreDroppedOrCoarsened) {
  ASSERT_OK_AND_ASSIGN(IngestResult r, ingester_->Ingest(Prs(Snds("synthetic/ER_PRS_F.csv"))));
  EXPECT_THAT(r.report.dropped, ::testing::Contains("BEN_RES_COM"));
  EXPECT_THAT(r.report.generalised, ::testing::Contains("BEN_DCD_DTE"));
  catalog::VersionWithObjects v = catalog_->GetVersion("ER_PRS_F", r.version).value();
  SecretBytes dek =
      keys_->UnwrapKey(v.version.wrapped_dek, DataKeyContext("ER_PRS_F", v.version.version)).value();
  auto db = sql::Database::Open(sealed_.get()).value();
  ASSERT_OK(db->keys().Grant(VersionPrefix("ER_PRS_F", r.version), std::move(dek), sql::Access::kRead));
  std::string file = "'hdhub://" + v.objects[0].logical_name + "'";
  EXPECT_THAT(db->Query("SELECT BEN_RES_COM FROM " + file), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(sql::QueryResult days, db->Query("SELECT count(*) FILTER (WHERE day(BEN_DCD_DTE) <> 1), "
                                                        "count(BEN_DCD_DTE) FROM " +
                                                        file));
  EXPECT_EQ(days.rows[0][0], "0");
  EXPECT_EQ(days.rows[0][1], "10");
}

TEST_F(CsvIngestTest, NomenclatureCodesAreChecked) {
  // BEN_SEX_COD (17th column) is 0-9 in the schema but IR_SEX_V has no 5.
  std::string csv = Variant("sex.csv", [](auto& l) {
    size_t at = 0;
    for (int i = 0; i < 16; ++i) at = l[6].find(',', at) + 1;
    l[6].replace(at, l[6].find(',', at) - at, "5");
  });
  ASSERT_OK_AND_ASSIGN(IngestResult r, ingester_->Ingest(Prs(csv)));
  const FieldIssue* sex = IssueOf(r, "BEN_SEX_COD");
  ASSERT_NE(sex, nullptr);
  EXPECT_EQ(sex->first_line, 7u);
  EXPECT_EQ(sex->count, 1u);
  EXPECT_THAT(sex->reason, HasSubstr("IR_SEX_V"));
}

TEST_F(CsvIngestTest, SetNullPolicyIngestsTheSampleHospitalStaysAndReportsWhatWasRefused) {
  IngestRequest r{
      .dataset = "T_MCOaaB", .csv_path = Snds("synthetic/T_MCOaaB.csv"), .schema_path = Snds("schemas/T_MCOaaB.json")};
  EXPECT_THAT(ingester_->Ingest(r), StatusIs(StatusCode::kInvalidArgument, HasSubstr("field ETA_NUM")));
  r.on_invalid = InvalidPolicy::kSetNull;
  ASSERT_OK_AND_ASSIGN(IngestResult done, ingester_->Ingest(r));
  EXPECT_EQ(done.rows, 10u);
  EXPECT_EQ(done.report.rows_rejected, 0u);
  bool eta = false;
  for (const FieldIssue& i : done.report.issues) {
    if (i.field != "ETA_NUM") continue;
    eta = true;
    EXPECT_EQ(i.first_line, 2u);
  }
  EXPECT_TRUE(eta);
  nlohmann::json stored = nlohmann::json::parse(catalog_->GetVersion("T_MCOaaB", done.version)->version.report_json);
  EXPECT_EQ(stored["on_invalid"], "set-null");
  EXPECT_FALSE(stored["refused_values"].empty());
}

const std::vector<std::string> kSmallRows = {
    "AAAAAAAAAAAAAAAAA,A,2020-01-02", "BBBBBBBBBBBBBBBBB,SECRETCODE,2020-01-03", "CCCCCCCCCCCCCCCCC,B,2020-01-04",
    "DDDDDDDDDDDDDDDDD,A,2020-13-45", "EEEEEEEEEEEEEEEEE,B,"};

TEST_F(CsvIngestTest, FailPolicyRefusesTheFileNamingEveryFieldAndFirstLine) {
  Status s = ingester_->Ingest(Small("fail.csv", kSmallRows, InvalidPolicy::kFail)).status();
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument,
                          AllOf(HasSubstr("fail.csv"), HasSubstr("field CODE: 1 value refused"),
                                HasSubstr("first at line 3"), HasSubstr("field DAY: 1 value refused"),
                                HasSubstr("first at line 5"), HasSubstr("nothing was ingested"))));
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("SECRETCODE")));
  EXPECT_THAT(host_.List("").value(), IsEmpty());
  EXPECT_EQ(catalog_->LatestCommittedVersion("SMALL").status().code(), StatusCode::kNotFound);
}

TEST_F(CsvIngestTest, RejectRowPolicyLeavesOutOnlyTheBadRows) {
  ASSERT_OK_AND_ASSIGN(IngestResult done,
                       ingester_->Ingest(Small("reject.csv", kSmallRows, InvalidPolicy::kRejectRow)));
  EXPECT_EQ(done.rows, 3u);
  EXPECT_EQ(done.report.rows_rejected, 2u);
  EXPECT_EQ(done.report.rows_read, 5u);
  ASSERT_EQ(done.report.issues.size(), 2u);
  EXPECT_EQ(done.report.issues[0].field, "CODE");
  EXPECT_EQ(done.report.issues[0].first_line, 3u);
  EXPECT_EQ(done.report.issues[1].field, "DAY");
  EXPECT_EQ(done.report.issues[1].first_line, 5u);
  EXPECT_EQ(done.report.ToJson().dump().find("SECRETCODE"), std::string::npos);
}

TEST_F(CsvIngestTest, SetNullPolicyKeepsEveryRowAndNullsTheRefusedValues) {
  ASSERT_OK_AND_ASSIGN(IngestResult done, ingester_->Ingest(Small("null.csv", kSmallRows, InvalidPolicy::kSetNull)));
  EXPECT_EQ(done.rows, 5u);
  EXPECT_EQ(done.report.rows_rejected, 0u);
  ASSERT_EQ(done.report.issues.size(), 2u);
  EXPECT_EQ(done.report.issues[0].count, 1u);
}

TEST_F(CsvIngestTest, RequiredPseudonymMissingIsRefused) {
  Status s = ingester_->Ingest(Small("req.csv", {",A,2020-01-01"}, InvalidPolicy::kFail)).status();
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument, HasSubstr("field BEN_NIR_PSA")));
}

TEST_F(CsvIngestTest, SameFileTwiceIsDetectedAndNotKept) {
  ASSERT_OK(ingester_->Ingest(Prs(Snds("synthetic/ER_PRS_F.csv"))).status());
  ASSERT_OK_AND_ASSIGN(IngestResult again, ingester_->Ingest(Prs(Snds("synthetic/ER_PRS_F.csv"))));
  EXPECT_TRUE(again.already_ingested);
  EXPECT_EQ(again.version, 1);
  // The file is hashed while it is sealed: the second run's version is
  // discarded once its digest is known, and nothing of it stays on the host.
  std::vector<catalog::VersionRecord> versions = catalog_->ListVersions("ER_PRS_F").value();
  ASSERT_EQ(versions.size(), 2u);
  EXPECT_EQ(versions[0].state, catalog::VersionState::kCommitted);
  EXPECT_EQ(versions[1].state, catalog::VersionState::kDiscarded);
  EXPECT_EQ(host_.List("")->size(), 1u);
  EXPECT_EQ(versions[0].source_digest.size(), 64u);
  EXPECT_NE(versions[0].source_digest, catalog::Catalog::kDigestNotYetKnown);
}

TEST_F(CsvIngestTest, WrongColumnCountRefusedWithLine) {
  std::string csv = Variant("extra.csv", [](auto& l) { l[3] += ",surplus"; });
  EXPECT_THAT(ingester_->Ingest(Prs(csv)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("extra.csv")));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, BadQuotingRefused) {
  std::string csv = Variant("quote.csv", [](auto& l) { l[2] = "\"unterminated," + l[2]; });
  EXPECT_THAT(ingester_->Ingest(Prs(csv)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("quote.csv")));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, UnknownOrMissingHeaderFieldRefused) {
  std::string unknown = Variant("unknown.csv", [](auto& l) { l[0].replace(0, l[0].find(','), "NOT_A_FIELD"); });
  // The column is named by its position, never by what the file says (a
  // header cell may be a value).
  EXPECT_THAT(
      ingester_->Ingest(Prs(unknown)),
      StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("line 1, column 1"), Not(HasSubstr("NOT_A_FIELD")))));
  std::string missing = Variant("missing.csv", [](auto& l) {
    for (auto& line : l) line = line.substr(line.find(',') + 1);
  });
  EXPECT_THAT(ingester_->Ingest(Prs(missing)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("is missing")));
  ExpectNothingWritten();
}

// A file without its header line: line 1 is data (a pseudonym, a date, an
// amount). No error quotes any of it, whatever else is wrong with the line.
TEST_F(CsvIngestTest, AFileWithoutItsHeaderLineIsRefusedWithoutQuotingIt) {
  std::vector<std::string> first_line;
  std::string headless = Variant("headless.csv", [&](auto& l) {
    l.erase(l.begin());
    std::stringstream cells(l[0]);
    for (std::string c; std::getline(cells, c, ',');) {
      if (c.size() >= 3) first_line.push_back(c);
    }
  });
  ASSERT_FALSE(first_line.empty());
  Status s = ingester_->Ingest(Prs(headless)).status();
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument, HasSubstr("header line missing")));
  for (const std::string& cell : first_line) EXPECT_THAT(std::string(s.message()), Not(HasSubstr(cell)));
  // A name given twice: by position.
  std::string twice = Variant("twice.csv", [](auto& l) {
    const std::string first = l[0].substr(0, l[0].find(','));
    l[0] = first + "," + first + l[0].substr(l[0].find(',', l[0].find(',') + 1));
  });
  EXPECT_THAT(ingester_->Ingest(Prs(twice)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("column 2: the column has the same name as column 1")));
  ExpectNothingWritten();
}

// A schema describes one table: a dataset of another name is refused, before
// anything is read.
TEST_F(CsvIngestTest, ADatasetIsRefusedASchemaOfAnotherTable) {
  // The beneficiaries' file and schema, under the name of the claims' dataset.
  IngestRequest wrong = Prs(Snds("synthetic/IR_BEN_R.csv"));
  wrong.schema_path = Snds("schemas/IR_BEN_R.json");
  EXPECT_THAT(ingester_->Ingest(wrong),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("describes IR_BEN_R"), HasSubstr("ER_PRS_F"))));
  ExpectNothingWritten();
  // A copy or a year of the table may carry a suffix.
  IngestRequest copy = Prs(Snds("synthetic/ER_PRS_F.csv"));
  copy.dataset = "ER_PRS_F_2023";
  EXPECT_OK(ingester_->Ingest(copy).status());
}

// A dataset keeps the schema it was created with: a later ingest under a
// changed schema is refused unless a new schema version is declared.
TEST_F(CsvIngestTest, ADatasetKeepsItsSchemaUnlessANewVersionIsDeclared) {
  IngestRequest first = Small("a.csv", {"AAAAAAAAAAAAAAAAA,A,2020-01-01"}, InvalidPolicy::kFail);
  ASSERT_OK(ingester_->Ingest(first).status());
  IngestRequest changed = Small("b.csv", {"BBBBBBBBBBBBBBBBB,B,2020-01-02"}, InvalidPolicy::kFail);
  std::ofstream(changed.schema_path) << R"({"name":"SMALL","fields":[
        {"name":"BEN_NIR_PSA","type":"string","constraints":{"required":true}},
        {"name":"CODE","type":"string","constraints":{"enum":["A","B","C"]}},
        {"name":"DAY","type":"date"}]})";
  EXPECT_THAT(ingester_->Ingest(changed),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("SMALL"), HasSubstr("new schema version"))));
  changed.new_schema_version = true;
  ASSERT_OK_AND_ASSIGN(IngestResult r, ingester_->Ingest(changed));
  EXPECT_EQ(r.version, 2);
  // The same schema again, reformatted, is the same schema.
  IngestRequest same = Small("c.csv", {"CCCCCCCCCCCCCCCCC,C,2020-01-03"}, InvalidPolicy::kFail);
  std::ofstream(same.schema_path)
      << R"({"fields":[{"name":"BEN_NIR_PSA","type":"string","constraints":{"required":true}},
        {"name":"CODE","type":"string","constraints":{"enum":["A","B","C"]}},{"name":"DAY","type":"date"}],
        "name":"SMALL"})";
  EXPECT_OK(ingester_->Ingest(same).status());
}

// A header and no row (or no row left to store) does not replace the current
// version unless asked.
TEST_F(CsvIngestTest, AFileWithNoRowToStoreDoesNotBecomeCurrentUnlessAsked) {
  ASSERT_OK_AND_ASSIGN(IngestResult first,
                       ingester_->Ingest(Small("a.csv", {"AAAAAAAAAAAAAAAAA,A,2020-01-01"}, InvalidPolicy::kFail)));
  IngestRequest header_only = Small("h.csv", {}, InvalidPolicy::kFail);
  EXPECT_THAT(ingester_->Ingest(header_only),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("no data row"), HasSubstr("--allow-empty"))));
  IngestRequest all_refused = Small("r.csv", {"AAAAAAAAAAAAAAAAA,NOPE,2020-01-01"}, InvalidPolicy::kRejectRow);
  EXPECT_THAT(ingester_->Ingest(all_refused), StatusIs(StatusCode::kInvalidArgument, HasSubstr("no data row")));
  ASSERT_OK_AND_ASSIGN(catalog::VersionWithObjects current, catalog_->LatestCommittedVersion("SMALL"));
  EXPECT_EQ(current.version.version, first.version);
  header_only.allow_empty = true;
  ASSERT_OK_AND_ASSIGN(IngestResult empty, ingester_->Ingest(header_only));
  EXPECT_EQ(empty.rows, 0u);
  ASSERT_OK_AND_ASSIGN(current, catalog_->LatestCommittedVersion("SMALL"));
  EXPECT_EQ(current.version.version, empty.version);
}

TEST_F(CsvIngestTest, EmptyFileRefused) {
  std::string csv = Variant("empty.csv", [](auto& l) { l.clear(); });
  EXPECT_THAT(ingester_->Ingest(Prs(csv)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty.csv")));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, BadValueNamesLineAndFieldNeverTheValue) {
  // BEN_AMA_COD (an integer) is the first column of the sample.
  std::string csv = Variant("value.csv", [](auto& l) { l[4] = "SECRETVALUE" + l[4].substr(l[4].find(',')); });
  Status s = ingester_->Ingest(Prs(csv, InvalidPolicy::kFail)).status();
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument,
                          AllOf(HasSubstr("value.csv"), HasSubstr("field BEN_AMA_COD: 1 value refused"),
                                HasSubstr("first at line 5"))));
  EXPECT_THAT(std::string(s.message()), Not(HasSubstr("SECRETVALUE")));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, OversizePseudonymIsRefused) {
  // BEN_NIR_PSA, the sample's 12th column, is a 17-character SNDS pseudonym.
  std::string csv = Variant("long.csv", [](auto& l) {
    size_t at = 0;
    for (int i = 0; i < 11; ++i) at = l[2].find(',', at) + 1;
    l[2].insert(at, "AAAAAAAAAAAAAAAAAAAA");
  });
  ASSERT_OK_AND_ASSIGN(IngestResult r, ingester_->Ingest(Prs(csv)));
  const FieldIssue* psa = IssueOf(r, "BEN_NIR_PSA");
  ASSERT_NE(psa, nullptr);
  EXPECT_EQ(psa->first_line, 3u);
}

TEST_F(CsvIngestTest, LineOverOneMebibyteRefused) {
  std::string csv = Variant("huge.csv", [](auto& l) { l[5].insert(l[5].rfind(',') + 1, std::string(1 << 21, 'A')); });
  EXPECT_THAT(ingester_->Ingest(Prs(csv)),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("huge.csv"), HasSubstr("longer than 1 MiB"))));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, InvalidUtf8Refused) {
  std::string csv = Variant("latin1.csv", [](auto& l) { l[2].replace(l[2].rfind(','), 1, ",\xe9\xff"); });
  EXPECT_THAT(ingester_->Ingest(Prs(csv)), StatusIs(StatusCode::kInvalidArgument, HasSubstr("latin1.csv")));
  ExpectNothingWritten();
}

TEST_F(CsvIngestTest, CleanupRemovesWhatACrashedIngestLeft) {
  // A crash after the version was opened and an object published, before commit.
  ASSERT_OK(catalog_->CreateDataset("ER_PRS_F"));
  ASSERT_OK_AND_ASSIGN(int64_t v, catalog_->BeginVersion("ER_PRS_F", "{}", std::string(64, 'a'), Bytes{1, 2, 3}));
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, keys::NewDataKey());
  ASSERT_OK(sealed_->Put(VersionPrefix("ER_PRS_F", v) + "part-0.parquet", dek, AsBytes("partial")).status());
  ASSERT_EQ(host_.List("")->size(), 1u);
  ASSERT_OK_AND_ASSIGN(int cleaned, ingester_->CleanupPending());
  EXPECT_EQ(cleaned, 1);
  EXPECT_THAT(host_.List("").value(), IsEmpty());
  EXPECT_EQ(catalog_->GetVersion("ER_PRS_F", v)->version.state, catalog::VersionState::kDiscarded);
  // And the next ingest gets a fresh version number.
  ASSERT_OK_AND_ASSIGN(IngestResult r, ingester_->Ingest(Prs(Snds("synthetic/ER_PRS_F.csv"))));
  EXPECT_EQ(r.version, v + 1);
}

TEST_F(CsvIngestTest, BadDatasetNameRefused) {
  IngestRequest r = Prs(Snds("synthetic/ER_PRS_F.csv"));
  r.dataset = "../etc";
  EXPECT_THAT(ingester_->Ingest(r), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::ingest
