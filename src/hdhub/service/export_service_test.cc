// The airlock's export requests through the service, on a real hub
// project over 21 beneficiaries (10 of sex 1, 11 of sex 2), its author rita,
// a member who is also a checker (mona), two checkers (carl, cleo) and a
// researcher of no project (nina).
#include <filesystem>
#include <fstream>
#include <nlohmann/json.hpp>

#include "hdhub/crypto/hash.h"
#include "hdhub/hub/host_records.h"
#include "hdhub/service/export_service_fixture.h"

namespace hdhub::service {
namespace {

using directory::Role;
using exports::OutputDecision;
using exports::RequestState;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

TEST_F(ExportServiceTest, TenPeopleSuppressedElevenPublished) {
  const std::string id = Draft({{"sex-1", "1"}, {"sex-2", "2"}, {"by-sex", ""}});
  const ExportRequestView v = Show(id);
  ASSERT_EQ(v.outputs.size(), 3u);
  EXPECT_EQ(Verdict(v, "sex-1")["suppressed_cells"], 1);  // 10 people
  EXPECT_EQ(Verdict(v, "sex-2")["suppressed_cells"], 0);  // 11 people
  EXPECT_EQ(Verdict(v, "sex-2")["outcome"], "pass");
  EXPECT_EQ(Verdict(v, "by-sex")["cells"], 2);
  EXPECT_EQ(Verdict(v, "by-sex")["suppressed_cells"], 1);
  for (const exports::OutputRecord& o : v.outputs) EXPECT_EQ(o.sha256.size(), 64u);
  EXPECT_EQ(v.request.revision, 5);  // created, frame, three outputs
  ASSERT_OK(svc_->SubmitExportRequest(ctx("rita"), id).status());
  EXPECT_EQ(Show(id).request.state, RequestState::kSubmitted);
}

TEST_F(ExportServiceTest, ProjectRulesTightenTheHubs) {
  Build("strict", {"rita"}, R"({"min_count": 12})");
  const ExportRequestView v = Show(Draft({{"sex-2", "2"}}, "strict"));
  EXPECT_EQ(Verdict(v, "sex-2")["suppressed_cells"], 1);  // 11 people, under 12
  projects::ProjectSpec loose = Spec("loose", {"rita"});
  loose.airlock_rules_json = R"({"min_count": 5})";
  EXPECT_THAT(svc_->CreateProject(ctx("olga"), loose), StatusIs(StatusCode::kInvalidArgument, HasSubstr("min_count")));
}

// A project's rules change as its scope does: back to draft, two operators
// approve again, and the next computation applies them.
TEST_F(ExportServiceTest, ProjectChangeTightensItsRules) {
  const std::string id = Draft({{"sex-2", "2"}});
  EXPECT_EQ(Verdict(Show(id), "sex-2")["suppressed_cells"], 0);  // 11 people
  const projects::ProjectSpec spec = Spec("p1", {"rita", "mona"});
  // Looser than the defaults: refused, nothing changed.
  EXPECT_THAT(svc_->ChangeProject(ctx("olga"), "p1", spec.scope, spec.members, std::nullopt, R"({"min_count": 5})"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("min_count")));
  ASSERT_OK_AND_ASSIGN(ProjectView unchanged, svc_->ShowProject(ctx("olga"), "p1"));
  EXPECT_EQ(unchanged.project.state, projects::ProjectState::kApproved);
  EXPECT_EQ(unchanged.project.spec.airlock_rules_json, "{}");

  const uint64_t before = LogSize();
  ASSERT_OK(svc_->ChangeProject(ctx("olga"), "p1", spec.scope, spec.members, std::nullopt, R"({"min_count": 12})"));
  ASSERT_OK_AND_ASSIGN(ProjectView changed, svc_->ShowProject(ctx("olga"), "p1"));
  EXPECT_EQ(changed.project.state, projects::ProjectState::kDraft);
  EXPECT_EQ(changed.project.spec.airlock_rules_json, R"({"min_count": 12})");
  bool logged = false;
  for (const audit::Entry& e : EntriesSince(before)) {
    if (e.event.action != "project.change") continue;
    logged = true;
    EXPECT_EQ(e.event.details["airlock_rules_sha256"],
              HexEncode(crypto::Sha256(AsBytes(std::string_view(R"({"min_count": 12})")))));
  }
  EXPECT_TRUE(logged);
  // Until approved again, nothing computes.
  EXPECT_FALSE(svc_->ChangeExportRequest(ctx("rita"), id, {.kind = ExportChangeKind::kRecompute}).ok());
  ASSERT_OK(svc_->ApproveProject(ctx("olga"), "p1").status());
  ASSERT_OK(svc_->ApproveProject(ctx("oscar"), "p1").status());
  ASSERT_OK(svc_->BuildWorkspace(ctx("olga"), "p1").status());
  ASSERT_OK(svc_->ChangeExportRequest(ctx("rita"), id, {.kind = ExportChangeKind::kRecompute}).status());
  EXPECT_EQ(Verdict(Show(id), "sex-2")["suppressed_cells"], 1);  // 11 people, under 12 now
  // A researcher changes no project's rules.
  EXPECT_THAT(svc_->ChangeProject(ctx("rita"), "p1", spec.scope, spec.members, std::nullopt, R"({"min_count": 20})"),
              StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(ExportServiceTest, AuthorCannotReview) {
  const std::string id = Submitted();
  EXPECT_THAT(Approve("rita", id), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(Show(id).request.state, RequestState::kSubmitted);
}

TEST_F(ExportServiceTest, MemberCheckerCannotReview) {
  const std::string id = Submitted();
  const uint64_t before = LogSize();
  StatusOr<ExportRequestView> r = [&] {
    const ExportRequestView v = Show(id);
    ExportReview review{.revision = v.request.revision, .decisions = {}};
    review.decisions.push_back({.output = "by-sex", .decision = OutputDecision::kApprove, .comment = ""});
    return svc_->ReviewExportRequest(ctx("mona"), id, review);
  }();
  EXPECT_THAT(r, StatusIs(StatusCode::kPermissionDenied));
  bool logged = false;
  for (const audit::Entry& e : EntriesSince(before)) {
    logged = logged || (e.event.action == "airlock.review" && e.event.actor == "mona" &&
                        e.event.outcome == audit::Outcome::kDenied);
  }
  EXPECT_TRUE(logged);
  EXPECT_TRUE(Show(id).reviews.empty());
}

TEST_F(ExportServiceTest, SameCheckerTwiceRefused) {
  const std::string id = Submitted();
  ASSERT_OK(Approve("carl", id).status());
  EXPECT_THAT(Approve("carl", id), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(Show(id).request.state, RequestState::kPartiallyReviewed);
}

TEST_F(ExportServiceTest, OneApprovalIsPartial) {
  const std::string id = Submitted();
  ASSERT_OK_AND_ASSIGN(ExportRequestView v, Approve("carl", id));
  EXPECT_EQ(v.request.state, RequestState::kPartiallyReviewed);
  EXPECT_EQ(v.reviews.size(), 1u);
}

TEST_F(ExportServiceTest, TwoApprovalsApprove) {
  const std::string id = Submitted();
  ASSERT_OK(Approve("carl", id).status());
  ASSERT_OK_AND_ASSIGN(ExportRequestView v, Approve("cleo", id));
  EXPECT_EQ(v.request.state, RequestState::kApproved);
}

TEST_F(ExportServiceTest, ChangeAfterOneReviewNeedsTwoNew) {
  const std::string id = Submitted();
  ASSERT_OK(Approve("carl", id).status());
  const int64_t reviewed = Show(id).request.revision;
  ASSERT_OK_AND_ASSIGN(ExportRequestView v,
                       svc_->ChangeExportRequest(ctx("rita"), id, {.kind = ExportChangeKind::kRecompute}));
  EXPECT_EQ(v.request.revision, reviewed + 1);
  EXPECT_EQ(v.request.state, RequestState::kSubmitted);
  ASSERT_OK_AND_ASSIGN(v, Approve("cleo", id));
  EXPECT_EQ(v.request.state, RequestState::kPartiallyReviewed);  // carl's earlier review does not count
  ASSERT_OK_AND_ASSIGN(v, Approve("carl", id));
  EXPECT_EQ(v.request.state, RequestState::kApproved);
}

TEST_F(ExportServiceTest, ReviewOfOlderRevisionRefused) {
  const std::string id = Submitted();
  const int64_t read = Show(id).request.revision;
  ASSERT_OK(svc_->ChangeExportRequest(ctx("rita"), id, {.kind = ExportChangeKind::kRecompute}).status());
  EXPECT_THAT(Approve("carl", id, read), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("changed since")));
  EXPECT_TRUE(Show(id).reviews.empty());
}

TEST_F(ExportServiceTest, ReturnThenResubmit) {
  const std::string id = Submitted();
  const int64_t revision = Show(id).request.revision;
  ASSERT_OK_AND_ASSIGN(
      ExportRequestView v,
      svc_->DecideExportRequest(ctx("carl"), id, {.reject = false, .revision = revision, .reason = "label the table"}));
  EXPECT_EQ(v.request.state, RequestState::kReturned);
  ASSERT_OK_AND_ASSIGN(v, svc_->SubmitExportRequest(ctx("rita"), id));
  EXPECT_EQ(v.request.state, RequestState::kSubmitted);
  EXPECT_EQ(v.request.revision, revision + 1);
  EXPECT_EQ(v.outputs.size(), 1u);
}

TEST_F(ExportServiceTest, WithdrawIsFinal) {
  const std::string id = Submitted();
  ASSERT_OK(svc_->WithdrawExportRequest(ctx("rita"), id));
  EXPECT_EQ(Show(id).request.state, RequestState::kWithdrawn);
  EXPECT_THAT(svc_->SubmitExportRequest(ctx("rita"), id), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(svc_->ChangeExportRequest(ctx("rita"), id, {.kind = ExportChangeKind::kRecompute}),
              StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(svc_->WithdrawExportRequest(ctx("rita"), id), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Approve("carl", id), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(ExportServiceTest, UnknownOrNotYours) {
  const std::string id = Draft();
  const std::string unknown = "p1-e99";
  EXPECT_THAT(svc_->ShowExportRequest(ctx("nina"), id, false),
              StatusIs(StatusCode::kPermissionDenied, "export request " + id + " is unknown or not yours"));
  EXPECT_THAT(svc_->ShowExportRequest(ctx("nina"), unknown, false),
              StatusIs(StatusCode::kPermissionDenied, "export request " + unknown + " is unknown or not yours"));
  EXPECT_THAT(svc_->SubmitExportRequest(ctx("nina"), id),
              StatusIs(StatusCode::kPermissionDenied, "export request " + id + " is unknown or not yours"));
  EXPECT_THAT(svc_->CreateExportRequest(ctx("nina"), "p1", "mine"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(Show(id).request.state, RequestState::kDraft);
}

TEST_F(ExportServiceTest, ListShowsOnlyMine) {
  Build("p2", {"nina"});
  const std::string mine = Draft();
  ASSERT_OK_AND_ASSIGN(ExportRequestView other, svc_->CreateExportRequest(ctx("nina"), "p2", "Other"));
  auto ids = [&](const std::string& who) {
    std::vector<std::string> out;
    StatusOr<std::vector<ExportRequestSummary>> listed = svc_->ListExportRequests(ctx(who), {});
    EXPECT_OK(listed.status());
    if (!listed.ok()) return out;
    for (const ExportRequestSummary& s : *listed) out.push_back(s.id);
    return out;
  };
  EXPECT_THAT(ids("rita"), ::testing::ElementsAre(mine));
  EXPECT_THAT(ids("nina"), ::testing::ElementsAre(other.request.id));
  EXPECT_THAT(ids("carl"), ::testing::UnorderedElementsAre(mine, other.request.id));
  EXPECT_THAT(svc_->ListExportRequests(ctx("olga"), {}), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(ExportServiceTest, NoCellValueInAnyEvent) {
  const uint64_t before = LogSize();
  const std::string id = Draft({{"sex-1", "1"}, {"sex-2", "2"}, {"by-sex", ""}});
  ASSERT_OK(svc_->SubmitExportRequest(ctx("rita"), id).status());
  const ExportRequestView v = Show(id);
  ExportReview review{.revision = v.request.revision, .decisions = {}};
  for (const exports::OutputRecord& o : v.outputs) {
    review.decisions.push_back(
        {.output = o.name, .decision = OutputDecision::kApprove, .comment = std::string(kComment)});
  }
  ASSERT_OK(svc_->ReviewExportRequest(ctx("carl"), id, review).status());
  ASSERT_OK(svc_->ReviewExportRequest(ctx("cleo"), id, review).status());
  ASSERT_OK(svc_->ShowExportRequest(ctx("carl"), id, true).status());
  const std::vector<audit::Entry> entries = EntriesSince(before);
  int airlock_events = 0;
  for (const audit::Entry& e : entries) {
    const std::string text = nlohmann::json{{"details", e.event.details}, {"objects", e.event.objects}}.dump();
    EXPECT_THAT(text, ::testing::Not(HasSubstr("NIRPERSON"))) << e.event.action;
    EXPECT_THAT(text, ::testing::Not(HasSubstr("zebra"))) << e.event.action;
    if (e.event.action.rfind("airlock.", 0) != 0) continue;
    ++airlock_events;
    for (const auto& [key, value] : e.event.details.items()) {
      // The cells' values (10, 11) and the codes of the data ("1", "2").
      EXPECT_NE(value, 10) << e.event.action << " " << key;
      EXPECT_NE(value, 11) << e.event.action << " " << key;
      EXPECT_NE(value, "1") << e.event.action << " " << key;
      EXPECT_NE(value, "2") << e.event.action << " " << key;
    }
  }
  EXPECT_GE(airlock_events, 8);  // create, frame, 3 outputs, submit, 2 reviews, show
}

// The checkers read what would leave and why: each output's file sealed at
// the change, byte for byte the file the release gives, and the cells the
// checks withheld with their true values; nobody else does.
TEST_F(ExportServiceTest, CheckersReadTheSealedFilesAndTrueValues) {
  const std::string id = Draft({{"sex-1", "1"}, {"by-sex", ""}});
  ASSERT_OK(svc_->SubmitExportRequest(ctx("rita"), id).status());
  ASSERT_OK_AND_ASSIGN(ExportRequestView v, svc_->ShowExportRequest(ctx("carl"), id, true));
  ASSERT_TRUE(v.files.has_value());
  ASSERT_EQ(v.files->size(), 2u);
  const ReleasedFile by_sex = v.files->at(0);
  EXPECT_EQ(by_sex.name, "by-sex");
  EXPECT_EQ(by_sex.content, "table,sex,value\nt,1,\nt,2,11\n");
  for (size_t i = 0; i < v.outputs.size(); ++i) {
    EXPECT_EQ(v.files->at(i).name, v.outputs[i].name);
    EXPECT_EQ(v.files->at(i).sha256, v.outputs[i].sha256);
    EXPECT_EQ(v.files->at(i).bytes, v.outputs[i].bytes);
  }
  ASSERT_TRUE(v.checks.has_value());
  const nlohmann::json checks = nlohmann::json::parse(*v.checks);
  EXPECT_EQ(checks["salt"].get<std::string>().size(), 64u);
  int withheld = 0;
  for (const nlohmann::json& c : checks["runs"]["people/count"]["cells"]) {
    if (c["status"] == "published") continue;
    ++withheld;
    EXPECT_EQ(c["codes"], nlohmann::json({"1"}));
    EXPECT_EQ(c["value"], 10);  // the true value, for the checker only
  }
  EXPECT_EQ(withheld, 2);  // sex 1 in by-sex and in sex-1
  // The author, a researcher and an operator read no file.
  for (const char* who : {"rita", "nina", "olga"}) {
    EXPECT_THAT(svc_->ShowExportRequest(ctx(who), id, true), StatusIs(StatusCode::kPermissionDenied)) << who;
  }
  EXPECT_FALSE(Show(id).files.has_value());
  // A change seals the new revision's files; the older revision's stay recorded.
  ASSERT_OK(svc_->ChangeExportRequest(ctx("rita"), id, {.kind = ExportChangeKind::kRemove, .json = "", .name = "sex-1"})
                .status());
  ASSERT_OK_AND_ASSIGN(v, svc_->ShowExportRequest(ctx("cleo"), id, true));
  ASSERT_EQ(v.files->size(), 1u);
  EXPECT_EQ(v.files->at(0).content, by_sex.content);
  hub::Hub& hub = svc_->HubForTest();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<exports::ExportStore> store,
                       exports::ExportStore::Open(hub.database_path(), hub.state_cipher()));
  ASSERT_OK_AND_ASSIGN(std::vector<exports::ExportObjectRecord> objects, store->ListRequestObjects(id));
  // r3: sex-1 and checks (r2, the frame alone, sealed nothing), r4: both
  // and checks, r5: by-sex and checks.
  EXPECT_EQ(objects.size(), 2u + 3u + 2u);
  // Each is the host check's and a migration's to verify and carry.
  ASSERT_OK_AND_ASSIGN(hub::HostRecords records, hub::CollectHostRecords(hub));
  for (const exports::ExportObjectRecord& o : objects) {
    EXPECT_EQ(o.kind, exports::ExportObjectKind::kEvidence);
    EXPECT_TRUE(o.live);
    ASSERT_TRUE(records.live.contains(o.object_name)) << o.logical_name;
    EXPECT_THAT(hub::VerifyRecordedObject(hub.host(), o.object_name, records.live.at(o.object_name)),
                ::hdhub::testing::IsOkAndHolds(""));
  }
}

// A file the host altered, or dropped, is never shown as the request's.
TEST_F(ExportServiceTest, DraftAlteredOrDroppedOnTheHostIsDataLoss) {
  const std::string id = Draft({{"by-sex", ""}});
  ASSERT_OK_AND_ASSIGN(ExportRequestView v, svc_->ShowExportRequest(ctx("carl"), id, true));
  ASSERT_EQ(v.files->size(), 1u);
  const std::string object = svc_->HubForTest().sealed().ObjectNameFor(v.outputs.at(0).logical_name);
  std::filesystem::path on_host;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(hub_dir_)) {
    const std::string path = entry.path().generic_string();
    if (path.size() > object.size() && path.ends_with("/" + object)) on_host = entry.path();
  }
  ASSERT_FALSE(on_host.empty());
  std::string bytes;
  {
    std::ifstream in(on_host, std::ios::binary);
    bytes.assign(std::istreambuf_iterator<char>(in), std::istreambuf_iterator<char>());
  }
  std::string altered = bytes;
  altered[altered.size() - 20] ^= 1;
  auto write = [&](const std::string& content) {
    std::ofstream out(on_host, std::ios::binary | std::ios::trunc);
    out << content;
  };
  write(altered);
  EXPECT_THAT(svc_->ShowExportRequest(ctx("carl"), id, true), StatusIs(StatusCode::kDataLoss));
  std::filesystem::remove(on_host);
  EXPECT_THAT(svc_->ShowExportRequest(ctx("carl"), id, true),
              StatusIs(StatusCode::kDataLoss, HasSubstr("missing on the host")));
  write(bytes);
  EXPECT_OK(svc_->ShowExportRequest(ctx("carl"), id, true).status());
}

}  // namespace
}  // namespace hdhub::service
