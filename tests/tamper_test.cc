// Tampering by the host (issue 14, hole 4), as a class: every way the host
// can damage a sealed object (delete it, cut it to 0, 1, 64 or 65 bytes, flip
// a byte, swap two objects) is a DATA_LOSS error naming the dataset and
// version (or the project's workspace) on every path that reads sealed
// objects: the operator's catalog query, a workspace build, a researcher's
// workspace query, and the host check (`hdhub check`). Never DuckDB's "No files found" or "too small to be a
// Parquet file", never a value.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <filesystem>
#include <functional>

#include "hdhub/service/service_test_util.h"

namespace hdhub::service {
namespace {

namespace fs = std::filesystem;
using directory::Role;
using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::AllOf;
using ::testing::AnyOf;
using ::testing::HasSubstr;
using ::testing::Not;

// One way the host damages objects: given the store and two object names
// (the victim and another), leaves the victim damaged.
struct Tampering {
  std::string name;
  std::function<void(storage::BlobStore&, const std::string& victim, const std::string& other)> apply;
  bool damages_other = false;  // a swap damages both objects: either may be named
};

Bytes MustGet(storage::BlobStore& host, const std::string& name) {
  StatusOr<Bytes> bytes = host.Get(name);
  EXPECT_TRUE(bytes.ok()) << bytes.status();
  return bytes.ok() ? *std::move(bytes) : Bytes();
}

Tampering TruncateTo(size_t size) {
  return {"truncated to " + std::to_string(size) + " bytes",
          [size](storage::BlobStore& host, const std::string& victim, const std::string&) {
            Bytes bytes = MustGet(host, victim);
            ASSERT_GT(bytes.size(), size);
            bytes.resize(size);
            ASSERT_OK(host.Put(victim, bytes));
          }};
}

std::vector<Tampering> Tamperings() {
  return {
      {"deleted",
       [](storage::BlobStore& host, const std::string& victim, const std::string&) { ASSERT_OK(host.Delete(victim)); }},
      TruncateTo(0),
      TruncateTo(1),
      TruncateTo(64),
      TruncateTo(65),
      {"a byte flipped",
       [](storage::BlobStore& host, const std::string& victim, const std::string&) {
         Bytes bytes = MustGet(host, victim);
         bytes[bytes.size() / 2] ^= 0x01;
         ASSERT_OK(host.Put(victim, bytes));
       }},
      {"swapped with another object",
       [](storage::BlobStore& host, const std::string& victim, const std::string& other) {
         Bytes a = MustGet(host, victim);
         Bytes b = MustGet(host, other);
         ASSERT_OK(host.Put(victim, b));
         ASSERT_OK(host.Put(other, a));
       },
       true},
  };
}

class TamperTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddAccount("oscar", {Role::kOperator});
    AddAccount("rita", {Role::kResearcher});
    fs::path snds = hdhub::testing::SharedDir() / "snds";
    for (const std::string table : {"IR_BEN_R", "ER_PRS_F"}) {
      ASSERT_OK(svc_->Ingest(ctx("olga"), {.dataset = table,
                                           .csv_path = (snds / "synthetic" / (table + ".csv")).string(),
                                           .schema_path = (snds / "schemas" / (table + ".json")).string(),
                                           .on_invalid = ingest::InvalidPolicy::kSetNull})
                    .status());
    }
    projects::ProjectSpec spec = Spec("p1", {"rita"});
    spec.scope =
        projects::ProjectScope::Parse(R"({"tables":{"IR_BEN_R":["BEN_SEX_COD"],"ER_PRS_F":["PRS_NAT_REF"]}})").value();
    ASSERT_OK(svc_->CreateProject(ctx("olga"), spec));
    ASSERT_OK(svc_->ApproveProject(ctx("olga"), "p1").status());
    ASSERT_OK(svc_->ApproveProject(ctx("oscar"), "p1").status());
    ASSERT_OK(svc_->BuildWorkspace(ctx("olga"), "p1").status());
  }

  storage::BlobStore& host() { return svc_->HubForTest().host(); }

  std::string DatasetObject(const std::string& dataset) {
    StatusOr<catalog::VersionWithObjects> v = svc_->HubForTest().catalog().LatestCommittedVersion(dataset);
    EXPECT_TRUE(v.ok() && v->objects.size() == 1);
    return v.ok() && !v->objects.empty() ? v->objects[0].object_name : "";
  }

  std::string WorkspaceObject(const std::string& table) {
    StatusOr<projects::WorkspaceRecord> ws = svc_->HubForTest().projects().LatestReadyWorkspace("p1");
    EXPECT_TRUE(ws.ok()) << ws.status();
    if (!ws.ok()) return "";
    for (const projects::WorkspaceObject& o : ws->objects) {
      if (o.table == table) return o.object_name;
    }
    ADD_FAILURE() << "no workspace object for " << table;
    return "";
  }

  // Runs `read` after each tampering of `victim` (restored after each) and
  // expects DATA_LOSS naming `where` (or `other_where` when both objects are
  // damaged).
  void ExpectDataLossOnEveryTampering(const std::string& path, const std::string& victim, const std::string& other,
                                      const std::string& where, const std::string& other_where,
                                      const std::function<Status()>& read) {
    ASSERT_THAT(read(), IsOk()) << path << " before any tampering";
    const Bytes victim_bytes = MustGet(host(), victim);
    const Bytes other_bytes = MustGet(host(), other);
    for (const Tampering& t : Tamperings()) {
      t.apply(host(), victim, other);
      const std::string named = t.damages_other ? other_where : where;
      EXPECT_THAT(read(),
                  StatusIs(StatusCode::kDataLoss, AllOf(AnyOf(HasSubstr(where), HasSubstr(named)),
                                                        Not(HasSubstr("No files found")), Not(HasSubstr("too small")),
                                                        // hdhub's words alone: not DuckDB's wrapper nor the
                                                        // statement (a view's text names objects)
                                                        Not(HasSubstr("IO Error")), Not(HasSubstr("LINE 1")))))
          << path << ", object " << t.name;
      ASSERT_OK(host().Put(victim, victim_bytes));
      ASSERT_OK(host().Put(other, other_bytes));
    }
    EXPECT_THAT(read(), IsOk()) << path << " once restored";
  }
};

TEST_F(TamperTest, CatalogQueryReportsEveryDamagedDatasetObjectAsDataLoss) {
  ExpectDataLossOnEveryTampering("catalog query", DatasetObject("IR_BEN_R"), DatasetObject("ER_PRS_F"),
                                 "dataset IR_BEN_R version 1", "dataset ER_PRS_F version 1", [&] {
                                   return svc_->QueryCatalog(ctx("olga"), "SELECT count(*) FROM IR_BEN_R", {}, nullptr);
                                 });
}

TEST_F(TamperTest, WorkspaceBuildReportsEveryDamagedDatasetObjectAsDataLoss) {
  ExpectDataLossOnEveryTampering("workspace build", DatasetObject("ER_PRS_F"), DatasetObject("IR_BEN_R"),
                                 "dataset ER_PRS_F version 1", "dataset IR_BEN_R version 1",
                                 [&] { return svc_->BuildWorkspace(ctx("olga"), "p1").status(); });
}

TEST_F(TamperTest, WorkspaceQueryReportsEveryDamagedWorkspaceObjectAsDataLoss) {
  // The objects of the workspace the session will open (the build is not
  // repeated here, so its number stays).
  ExpectDataLossOnEveryTampering(
      "workspace query", WorkspaceObject("ER_PRS_F"), WorkspaceObject("IR_BEN_R"), "project p1 workspace 1",
      "project p1 workspace 1", [&] {
        return svc_->QueryProject(ctx("rita"), "p1", "SELECT count(*) FROM ER_PRS_F", {.memory_limit = "256MB"},
                                  nullptr);
      });
}

// `hdhub check`: every damaged recorded object is a line naming it, and the
// command reports DATA_LOSS (as the CLI does).
TEST_F(TamperTest, HostCheckReportsEveryDamagedObjectByDatasetAndWorkspace) {
  auto check = [&]() -> Status {
    ASSIGN_OR_RETURN(hub::HostCheckReport report, svc_->CheckHost(ctx("olga"), {.dry_run = true}));
    std::string lines;
    for (const std::string& line : report.damaged) lines += line + "\n";
    return lines.empty() ? OkStatus() : DataLossError(lines);
  };
  ExpectDataLossOnEveryTampering("host check", DatasetObject("IR_BEN_R"), DatasetObject("ER_PRS_F"),
                                 "dataset IR_BEN_R version 1", "dataset ER_PRS_F version 1", check);
  ExpectDataLossOnEveryTampering("host check", WorkspaceObject("ER_PRS_F"), WorkspaceObject("IR_BEN_R"),
                                 "project p1 workspace 1", "project p1 workspace 1", check);
}

}  // namespace
}  // namespace hdhub::service
