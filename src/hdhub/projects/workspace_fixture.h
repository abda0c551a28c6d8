// A test fixture for workspaces and sessions: six small datasets written
// straight as sealed Parquet (people, claims, pharmacy details, hospital
// stays, opt-outs) over an in-memory host and key store, a project store,
// a MemoryAuditLog and a FakeClock; helpers to approve a project, build its
// workspace and open a session on it.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <openssl/evp.h>

#include <filesystem>
#include <map>
#include <set>

#include "hdhub/audit/test_util.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/ingest/opt_out.h"
#include "hdhub/keys/memory_key_store.h"
#include "hdhub/projects/session.h"
#include "hdhub/projects/shredder.h"
#include "hdhub/projects/workspace_builder.h"
#include "hdhub/sql/functions.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::projects {

constexpr auto kDay = std::chrono::hours(24);

// 1000 people: P2 = md5(i) as a UUID; sex 1 + i % 2; born 1940 + i % 60;
// five claims each (2018-2022), pharmacy details for even claims (three
// drug codes in turn), two hospital stays each; people 0, 100, …, 900 opted
// out.
constexpr char kPerson[] = "md5(CAST(%s AS VARCHAR))::UUID";

inline std::string P2(const std::string& expr) {
  std::string out = kPerson;
  return out.replace(out.find("%s"), 2, expr);
}

class WorkspaceFixture : public ::testing::Test {
 protected:
  void SetUp() override {
    keys_ = keys::MemoryKeyStore::Create().value();
    sealed_ = std::make_unique<storage::SealedStore>(&host_, keys_->HmacFor("object-names").value());
    catalog_ = catalog::Catalog::Open(dir_.Sub("catalog.db"), &clock_).value();
    projects_ = ProjectStore::Open(dir_.Sub("catalog.db"), &clock_, &log_, ProjectStore::Borrowed(keys_.get())).value();
    std::filesystem::create_directories(dir_.path() / "tmp");
    WriteDataset("IR_BEN_R",
                 "SELECT " + P2("i") +
                     " AS BEN_NIR_PSA, 1 + i % 2 AS BEN_SEX_COD, 1940 + i % 60 AS "
                     "BEN_NAI_ANN, CASE WHEN i % 3 = 0 THEN '075' ELSE '093' END AS BEN_RES_DPT FROM range(1000) t(i)");
    WriteDataset("ER_PRS_F", "SELECT " + P2("i // 5") +
                                 " AS BEN_NIR_PSA, CAST(DATE '2018-03-01' + INTERVAL (i % 5) "
                                 "YEAR AS DATE) AS EXE_SOI_DTD, 10.5 AS PRS_PAI_MNT, 3317 AS PRS_NAT_REF, " +
                                 DcirKeys() + " FROM range(5000) t(i)");
    WriteDataset("ER_PHA_F", PharmacySelect());
    WriteDataset("T_MCOaaC", "SELECT " + P2("i // 2") +
                                 " AS NIR_ANO_17, 100000001 AS ETA_NUM, 1000000000 + i AS "
                                 "RSA_NUM, TIMESTAMP '2020-03-01 00:00:00' AS EXE_SOI_DTD FROM range(2000) t(i)");
    WriteDataset("T_MCOaaB",
                 "SELECT 100000001 AS ETA_NUM, 1000000000 + i AS RSA_NUM, 'I10' AS DGN_PAL, 3 AS SEJ_NBJ "
                 "FROM range(2000) t(i)");
    WriteDataset(std::string(ingest::kOptOutDataset),
                 "SELECT " + P2("i") + " AS BEN_NIR_PSA FROM range(0, 1000, 100) t(i)");
  }

  // Pharmacy details of the even claims: three drug codes in turn.
  static std::string PharmacySelect() {
    return "SELECT " + DcirKeys() + ", 3400936318525 + (i // 2) % 3 AS PHA_PRS_C13 FROM range(0, 5000, 2) t(i)";
  }

  static std::string DcirKeys() {
    return "DATE '2018-01-01' AS FLX_DIS_DTD, DATE '2018-01-02' AS FLX_TRT_DTD, 1 AS FLX_EMT_TYP, 100 + i % 7 AS "
           "FLX_EMT_NUM, 1 AS FLX_EMT_ORD, '01C731221' AS ORG_CLE_NUM, 500000 + i AS DCT_ORD_NUM, 1 AS PRS_ORD_NUM, "
           "1 AS REM_TYP_AFF";
  }

  // A committed version of `name` holding `select`'s rows, recorded with
  // `schema_json` and `report_json` (e.g. {"reference": true}).
  void WriteDataset(const std::string& name, const std::string& select, const std::string& schema_json = "{}",
                    const std::string& report_json = "{}") {
    SecretBytes dek = keys::NewDataKey().value();
    std::string digest = HexEncode(crypto::Sha256(AsBytes(name + select)));
    Status created = catalog_->CreateDataset(name);
    ASSERT_TRUE(created.ok() || IsAlreadyExists(created)) << created;
    ASSERT_OK_AND_ASSIGN(int64_t v, catalog_->BeginVersion(name, schema_json, digest, [&](int64_t version) {
      return keys_->WrapKey(dek, ingest::DataKeyContext(name, version));
    }));
    auto db = sql::Database::Open(sealed_.get()).value();
    std::vector<storage::SealedObjectInfo> objects;
    db->keys().SetCommitListener([&](const storage::SealedObjectInfo& o) { objects.push_back(o); });
    ASSERT_OK(db->keys().Grant(ingest::VersionPrefix(name, v), std::move(dek), sql::Access::kReadWrite));
    ASSERT_OK_AND_ASSIGN(sql::QueryResult r,
                         db->Query("COPY (" + select + ") TO 'hdhub://" + ingest::VersionPrefix(name, v) +
                                   "part-0.parquet' (FORMAT parquet)"));
    for (const auto& o : objects) {
      ASSERT_OK(catalog_->AddObject(
          name, v,
          {o.logical_name, o.object_name, o.plaintext_size, o.ciphertext_size, HexEncode(o.ciphertext_sha256)}));
    }
    ASSERT_OK(catalog_->CommitVersion(name, v, std::stoull(*r.rows[0][0]), report_json));
  }

  std::string Scope() {
    return R"({"tables": {"ER_PRS_F": ["EXE_SOI_DTD", "PRS_PAI_MNT"], "ER_PHA_F": ["*"], "IR_BEN_R": ["*"],
               "T_MCOaaC": ["*"], "T_MCOaaB": ["DGN_PAL"]},
               "years": {"from": 2019, "to": 2021},
               "population": {"sex": [2], "birth_year": {"from": 1950, "to": 1999}}})";
  }

  void CreateApproved(const std::string& id, const std::string& scope) {
    ProjectSpec spec{.id = id,
                     .authorisation_ref = "CNIL-DR-2026-1",
                     .purpose = "test",
                     .scope = ProjectScope::Parse(scope).value(),
                     .members = {"rita"},
                     .start = clock_.Now() - kDay,
                     .end = clock_.Now() + 30 * kDay};
    ASSERT_OK(projects_->Create(ops1_, directory::Role::kOperator, spec));
    ASSERT_OK(projects_->Approve(ops1_, id).status());
    ASSERT_OK(projects_->Approve(ops2_, id).status());
  }

  WorkspaceBuilder Builder() {
    return WorkspaceBuilder({projects_.get(), catalog_.get(), keys_.get(), sealed_.get(), &log_, &clock_,
                             (dir_.path() / "tmp").string(), 2});
  }
  StatusOr<std::unique_ptr<ProjectSession>> Session(const directory::Principal& who, const std::string& id,
                                                    ProjectSession::CredentialCheck recheck_credentials = nullptr,
                                                    std::string client_address = "local") {
    return ProjectSession::Open(
        {projects_.get(), keys_.get(), sealed_.get(), &log_, &clock_, (dir_.path() / "tmp").string(), catalog_.get()},
        who, id, {.memory_limit = "256MB", .max_rows = 100000}, std::move(recheck_credentials),
        std::move(client_address));
  }
  std::string Scalar(ProjectSession& s, const std::string& sql) {
    StatusOr<sql::QueryResult> r = s.Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status();
    return r.ok() ? r->rows.at(0).at(0).value_or("NULL") : "?";
  }
  std::set<std::string> Column(ProjectSession& s, const std::string& sql) {
    std::set<std::string> out;
    StatusOr<sql::QueryResult> r = s.Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status();
    if (!r.ok()) return out;
    for (const auto& row : r->rows) out.insert(row.at(0).value_or("NULL"));
    return out;
  }
  audit::Entry Last(uint64_t back = 0) { return audit::testing::LastEntry(log_, back); }

  testing::TempDir dir_;
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  audit::MemoryAuditLog log_{&clock_};
  std::unique_ptr<keys::MemoryKeyStore> keys_;
  storage::MemoryBlobStore host_;
  std::unique_ptr<storage::SealedStore> sealed_;
  std::unique_ptr<catalog::Catalog> catalog_;
  std::unique_ptr<ProjectStore> projects_;
  directory::Principal ops1_{"olga", {directory::Role::kOperator}}, ops2_{"omar", {directory::Role::kOperator}};
  directory::Principal rita_{"rita", {directory::Role::kResearcher}}, rob_{"rob", {directory::Role::kResearcher}};
};

}  // namespace hdhub::projects
