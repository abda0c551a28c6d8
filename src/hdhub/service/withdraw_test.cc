// Withdrawing a dataset version ingested by mistake and removing a dataset
// made by mistake, through the service: the previous version is current
// again, the withdrawn one's key and objects are gone, workspaces built from
// it are shredded, a dataset a project reads is not removed, researchers and
// auditors are refused (and logged so), and what a killed command leaves is
// removed by the host check.
#include "hdhub/crypto/hash.h"
#include "hdhub/service/service_test_util.h"

namespace hdhub::service {
namespace {

using directory::Role;
using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;
using ::testing::IsEmpty;

class WithdrawTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddAccount("oscar", {Role::kOperator});
    AddAccount("sam", {Role::kSteward});
    AddAccount("rita", {Role::kResearcher});
    AddAccount("audrey", {Role::kAuditor});
  }

  // Ingests IR_BEN_R v1 (2 people) and v2 (3 people).
  void IngestTwoVersions() {
    IngestBeneficiaries();
    ASSERT_OK(
        IngestRows("IR_BEN_R", {"ABCDEFGHIJKLMNOP1,1,1970", "ABCDEFGHIJKLMNOP2,2,1980", "ABCDEFGHIJKLMNOP3,2,1990"})
            .status());
  }

  // An approved project of rita's over IR_BEN_R, with a workspace built.
  void BuildProject(const std::string& id) {
    ASSERT_OK(svc_->CreateProject(ctx("sam"), Spec(id, {"rita"})));
    ASSERT_OK(svc_->ApproveProject(ctx("olga"), id).status());
    ASSERT_OK(svc_->ApproveProject(ctx("oscar"), id).status());
    ASSERT_OK(svc_->BuildWorkspace(ctx("sam"), id).status());
  }

  // The single value `sql` returns, run by olga over the catalog.
  StatusOr<std::string> CatalogValue(const std::string& sql) {
    std::string value;
    RETURN_IF_ERROR(svc_->QueryCatalog(ctx("olga"), sql, {}, [&value](const StatementResult& r) {
      value = r.result.rows.at(0).at(0).value_or("NULL");
      return OkStatus();
    }));
    return value;
  }
  StatusOr<std::string> ProjectValue(const std::string& project, const std::string& sql) {
    std::string value;
    RETURN_IF_ERROR(svc_->QueryProject(ctx("rita"), project, sql, {}, [&value](const StatementResult& r) {
      value = r.result.rows.at(0).at(0).value_or("NULL");
      return OkStatus();
    }));
    return value;
  }

  catalog::VersionWithObjects Version(const std::string& dataset, int64_t version) {
    return svc_->HubForTest().catalog().GetVersion(dataset, version).value();
  }
  bool OnHost(const std::string& object_name) { return svc_->HubForTest().host().Stat(object_name).ok(); }

  // The events from `from` on with `action`.
  std::vector<audit::Event> Events(uint64_t from, std::string_view action) {
    std::vector<audit::Event> out;
    for (const audit::Entry& e : Entries(from, action)) out.push_back(e.event);
    return out;
  }
  std::vector<audit::Entry> Entries(uint64_t from, std::string_view action) {
    std::vector<audit::Entry> out;
    for (audit::Entry& e : EntriesSince(from)) {
      if (e.event.action == action) out.push_back(std::move(e));
    }
    return out;
  }
  // The log keeps a reason as its SHA-256 only (no free text in the log).
  static std::string Sha256Hex(std::string_view text) { return HexEncode(crypto::Sha256(AsBytes(text))); }
};

TEST_F(WithdrawTest, WithdrawnVersionIsShreddedAndThePreviousOneIsCurrentAgain) {
  IngestTwoVersions();
  ASSERT_OK_AND_ASSIGN(std::string before, CatalogValue("SELECT count(*) FROM IR_BEN_R"));
  EXPECT_EQ(before, "3");
  const catalog::VersionWithObjects v2 = Version("IR_BEN_R", 2);
  ASSERT_FALSE(v2.objects.empty());
  for (const catalog::ObjectRecord& o : v2.objects) ASSERT_TRUE(OnHost(o.object_name));
  const uint64_t from = LogSize();

  ASSERT_OK_AND_ASSIGN(WithdrawResult r, svc_->WithdrawVersion(ctx("sam"), "IR_BEN_R", 2, "wrong extract"));
  EXPECT_EQ(r.current, 1);
  EXPECT_EQ(r.objects_deleted, v2.objects.size());
  EXPECT_THAT(r.workspaces_shredded, IsEmpty());
  EXPECT_THAT(CatalogValue("SELECT count(*) FROM IR_BEN_R"), ::hdhub::testing::IsOkAndHolds("2"));
  for (const catalog::ObjectRecord& o : v2.objects) EXPECT_FALSE(OnHost(o.object_name)) << o.logical_name;
  const catalog::VersionWithObjects after = Version("IR_BEN_R", 2);
  EXPECT_EQ(after.version.state, catalog::VersionState::kShredded);
  EXPECT_TRUE(after.version.wrapped_dek.empty()) << "the data key is destroyed";
  ASSERT_TRUE(after.version.withdrawal.has_value());
  EXPECT_EQ(after.version.withdrawal->by, "sam");
  EXPECT_EQ(after.version.withdrawal->reason, "wrong extract");

  std::vector<audit::Entry> entries = Entries(from, "dataset.withdraw");
  ASSERT_EQ(entries.size(), 1u);
  const audit::Event& event = entries[0].event;
  EXPECT_EQ(event.actor, "sam");
  EXPECT_EQ(event.outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(event.objects.at("dataset"), "IR_BEN_R");
  EXPECT_EQ(event.objects.at("version"), "2");
  EXPECT_EQ(entries[0].text_sha256, Sha256Hex("wrong extract"));

  // The number is never reused; withdrawing again is refused.
  EXPECT_THAT(svc_->WithdrawVersion(ctx("sam"), "IR_BEN_R", 2, "again"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("withdrawn")));
  ASSERT_OK_AND_ASSIGN(ingest::IngestResult next, IngestRows("IR_BEN_R", {"ABCDEFGHIJKLMNOP4,1,2000"}));
  EXPECT_EQ(next.version, 3);
}

TEST_F(WithdrawTest, WorkspacesBuiltFromTheVersionAreShreddedAndARebuildReadsThePreviousOne) {
  IngestTwoVersions();
  BuildProject("p");
  ASSERT_OK_AND_ASSIGN(ProjectView built, svc_->ShowProject(ctx("olga"), "p"));
  ASSERT_EQ(built.workspaces.size(), 1u);
  const projects::WorkspaceRecord workspace = built.workspaces[0];
  EXPECT_THAT(ProjectValue("p", "SELECT count(*) FROM IR_BEN_R"), ::hdhub::testing::IsOkAndHolds("3"));

  const uint64_t from = LogSize();
  ASSERT_OK_AND_ASSIGN(WithdrawResult r, svc_->WithdrawVersion(ctx("olga"), "IR_BEN_R", 2, "wrong extract"));
  EXPECT_THAT(r.workspaces_shredded, ElementsAre("project p workspace 1"));
  std::vector<audit::Event> events = Events(from, "dataset.withdraw");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].details.at("workspaces_shredded"), nlohmann::json::array({"p/1"}));
  ASSERT_OK_AND_ASSIGN(ProjectView after, svc_->ShowProject(ctx("olga"), "p"));
  EXPECT_EQ(after.workspaces[0].state, projects::WorkspaceState::kShredded);
  EXPECT_TRUE(after.workspaces[0].wrapped_dek.empty());
  for (const projects::WorkspaceObject& o : workspace.objects) EXPECT_FALSE(OnHost(o.object_name));
  EXPECT_FALSE(ProjectValue("p", "SELECT count(*) FROM IR_BEN_R").ok()) << "no copy of version 2 is served";

  ASSERT_OK(svc_->BuildWorkspace(ctx("sam"), "p").status());
  EXPECT_THAT(ProjectValue("p", "SELECT count(*) FROM IR_BEN_R"), ::hdhub::testing::IsOkAndHolds("2"));
}

TEST_F(WithdrawTest, WithdrawingAnOlderVersionKeepsTheCurrentOneAndItsWorkspaces) {
  IngestTwoVersions();
  BuildProject("p");
  ASSERT_OK_AND_ASSIGN(WithdrawResult r, svc_->WithdrawVersion(ctx("olga"), "IR_BEN_R", 1, "duplicate"));
  EXPECT_EQ(r.current, 2);
  EXPECT_THAT(r.workspaces_shredded, IsEmpty());
  EXPECT_THAT(ProjectValue("p", "SELECT count(*) FROM IR_BEN_R"), ::hdhub::testing::IsOkAndHolds("3"));
}

TEST_F(WithdrawTest, WithdrawingTheOnlyVersionLeavesNoCurrentVersionAndReadsSaySo) {
  ASSERT_OK(IngestRows("ER_PRS_F_TEST", {"ABCDEFGHIJKLMNOP1,1,1970"}).status());
  ASSERT_OK_AND_ASSIGN(WithdrawResult r, svc_->WithdrawVersion(ctx("olga"), "ER_PRS_F_TEST", 1, "not ours"));
  EXPECT_FALSE(r.current.has_value());
  EXPECT_THAT(svc_->ShowVersion(ctx("olga"), "ER_PRS_F_TEST", 0),
              StatusIs(StatusCode::kNotFound, HasSubstr("no committed version")));
  StatusOr<std::string> read = CatalogValue("SELECT count(*) FROM ER_PRS_F_TEST");
  ASSERT_FALSE(read.ok());
  EXPECT_THAT(read.status().message(), HasSubstr("dataset ER_PRS_F_TEST has no current version"));
}

TEST_F(WithdrawTest, ResearchersAndAuditorsAreRefusedAndLoggedAsDenied) {
  IngestTwoVersions();
  for (const char* who : {"rita", "audrey"}) {
    SCOPED_TRACE(who);
    const uint64_t from = LogSize();
    EXPECT_THAT(svc_->WithdrawVersion(ctx(who), "IR_BEN_R", 2, "mine now"), StatusIs(StatusCode::kPermissionDenied));
    EXPECT_THAT(svc_->RemoveDataset(ctx(who), "IR_BEN_R", "mine now"), StatusIs(StatusCode::kPermissionDenied));
    for (std::string_view action : {"dataset.withdraw", "dataset.remove"}) {
      std::vector<audit::Event> events = Events(from, action);
      ASSERT_EQ(events.size(), 1u) << action;
      EXPECT_EQ(events[0].actor, who);
      EXPECT_EQ(events[0].outcome, audit::Outcome::kDenied);
      EXPECT_EQ(events[0].objects.at("dataset"), "IR_BEN_R");
    }
  }
  EXPECT_EQ(Version("IR_BEN_R", 2).version.state, catalog::VersionState::kCommitted) << "nothing changed";
}

TEST_F(WithdrawTest, TheOptOutRegisterAndABadReasonAreRefusedBeforeAnythingChanges) {
  IngestTwoVersions();
  for (const char* dataset : {"OPT_OUT", "OPT_OUT_WITHDRAWAL"}) {
    EXPECT_THAT(svc_->WithdrawVersion(ctx("olga"), dataset, 1, "oops"),
                StatusIs(StatusCode::kFailedPrecondition, HasSubstr("opt-out")));
    EXPECT_THAT(svc_->RemoveDataset(ctx("olga"), dataset, "oops"),
                StatusIs(StatusCode::kFailedPrecondition, HasSubstr("opt-out")));
  }
  EXPECT_THAT(svc_->WithdrawVersion(ctx("olga"), "IR_BEN_R", 2, ""), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(svc_->WithdrawVersion(ctx("olga"), "IR_BEN_R", 2, "line\nbreak"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(svc_->WithdrawVersion(ctx("olga"), "IR_BEN_R", 7, "no such"), StatusIs(StatusCode::kNotFound));
  EXPECT_THAT(svc_->WithdrawVersion(ctx("olga"), "IR_BEN_R", 0, "no such"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(svc_->WithdrawVersion(ctx("olga"), "IR BEN R", 2, "bad name"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(svc_->RemoveDataset(ctx("olga"), "../IR_BEN_R", "bad name"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_EQ(Version("IR_BEN_R", 2).version.state, catalog::VersionState::kCommitted);
}

TEST_F(WithdrawTest, RemovedDatasetLeavesTheListingAndTheHostAndItsNameCanBeUsedAgain) {
  IngestBeneficiaries();
  ASSERT_OK(IngestRows("IR_BEN_RR", {"ABCDEFGHIJKLMNOP1,1,1970"}).status());
  ASSERT_OK(IngestRows("IR_BEN_RR", {"ABCDEFGHIJKLMNOP2,1,1970"}).status());
  std::vector<std::string> objects;
  for (int64_t v : {1, 2}) {
    for (const catalog::ObjectRecord& o : Version("IR_BEN_RR", v).objects) objects.push_back(o.object_name);
  }
  const uint64_t from = LogSize();
  ASSERT_OK_AND_ASSIGN(RemoveResult r, svc_->RemoveDataset(ctx("sam"), "IR_BEN_RR", "typo for IR_BEN_R"));
  EXPECT_THAT(r.versions_shredded, ElementsAre(1, 2));
  EXPECT_EQ(r.objects_deleted, objects.size());
  for (const std::string& o : objects) EXPECT_FALSE(OnHost(o));
  ASSERT_OK_AND_ASSIGN(std::vector<CatalogLine> lines, svc_->ListCatalog(ctx("olga"), true));
  for (const CatalogLine& line : lines) EXPECT_EQ(line.version.dataset, "IR_BEN_R");
  std::vector<audit::Entry> entries = Entries(from, "dataset.remove");
  ASSERT_EQ(entries.size(), 1u);
  EXPECT_EQ(entries[0].event.actor, "sam");
  EXPECT_EQ(entries[0].event.outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(entries[0].text_sha256, Sha256Hex("typo for IR_BEN_R"));
  EXPECT_THAT(svc_->RemoveDataset(ctx("sam"), "IR_BEN_RR", "again"), StatusIs(StatusCode::kNotFound));

  ASSERT_OK_AND_ASSIGN(ingest::IngestResult again, IngestRows("IR_BEN_RR", {"ABCDEFGHIJKLMNOP3,1,1970"}));
  EXPECT_EQ(again.version, 3) << "numbers continue after the removed versions";
  EXPECT_THAT(CatalogValue("SELECT count(*) FROM IR_BEN_RR"), ::hdhub::testing::IsOkAndHolds("1"));
}

TEST_F(WithdrawTest, ADatasetAProjectReadsIsNotRemovedUntilTheProjectIsClosed) {
  IngestBeneficiaries();
  ASSERT_OK(svc_->CreateProject(ctx("sam"), Spec("draft-one", {"rita"})));
  const uint64_t from = LogSize();
  EXPECT_THAT(svc_->RemoveDataset(ctx("olga"), "IR_BEN_R", "typo"),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("draft-one")));
  std::vector<audit::Event> events = Events(from, "dataset.remove");
  ASSERT_EQ(events.size(), 1u);
  EXPECT_EQ(events[0].outcome, audit::Outcome::kDenied);
  EXPECT_EQ(Version("IR_BEN_R", 1).version.state, catalog::VersionState::kCommitted);

  ASSERT_OK(svc_->CloseProject(ctx("olga"), "draft-one"));
  EXPECT_OK(svc_->RemoveDataset(ctx("olga"), "IR_BEN_R", "typo").status());
}

TEST_F(WithdrawTest, WhatAKilledWithdrawalOrRemovalLeavesIsRemovedByTheHostCheck) {
  IngestTwoVersions();
  ASSERT_OK(IngestRows("TYPO", {"ABCDEFGHIJKLMNOP1,1,1970"}).status());
  std::vector<std::string> objects;
  for (const catalog::ObjectRecord& o : Version("IR_BEN_R", 2).objects) objects.push_back(o.object_name);
  for (const catalog::ObjectRecord& o : Version("TYPO", 1).objects) objects.push_back(o.object_name);
  // Killed after the catalog's transaction, before the objects were deleted.
  catalog::Catalog& catalog = svc_->HubForTest().catalog();
  ASSERT_OK(catalog.WithdrawVersion("IR_BEN_R", 2, "olga", "killed"));
  ASSERT_OK(catalog.RemoveDataset("TYPO", "olga", "killed").status());
  ASSERT_OK_AND_ASSIGN(hub::HostCheckReport report, svc_->CheckHost(ctx("olga"), {}));
  EXPECT_EQ(report.leftovers, objects.size());
  EXPECT_EQ(report.unknown, 0u) << "a removed dataset's objects are the hub's own leftovers";
  EXPECT_THAT(report.damaged, IsEmpty());
  for (const std::string& o : objects) EXPECT_FALSE(OnHost(o));
}

}  // namespace
}  // namespace hdhub::service
