// A project is checked against the hub when it is recorded or changed (its
// scope against the catalog, its members against the directory, its window
// against the clock), and a researcher gets one answer for an unknown
// project and another team's. Queries run every statement they are given.
#include "hdhub/service/service_test_util.h"

namespace hdhub::service {
namespace {

using directory::Role;
using ::hdhub::testing::StatusIs;

class ProjectChecksTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddAccount("oscar", {Role::kOperator});
    AddAccount("rita", {Role::kResearcher});
    AddAccount("rob", {Role::kResearcher});
    AddAccount("carl", {Role::kAuditor});
    AddAccount("dora", {Role::kResearcher});
    ASSERT_OK(svc_->DisableUser(ctx("olga"), "dora"));
    IngestBeneficiaries();
  }

  projects::ProjectSpec WithScope(const std::string& id, std::string_view scope) {
    projects::ProjectSpec spec = Spec(id, {"rita"});
    spec.scope = projects::ProjectScope::Parse(scope).value();
    return spec;
  }

  audit::Event LastEvent() { return EntriesSince(LogSize() - 1).back().event; }

  // `s`'s code and message with `id` replaced by "ID".
  static std::string Answer(const Status& s, const std::string& id) {
    std::string message(s.message());
    for (size_t at = message.find(id); at != std::string::npos; at = message.find(id, at))
      message.replace(at, id.size(), "ID");
    return std::string(StatusCodeName(s.code())) + ": " + message;
  }
};

TEST_F(ProjectChecksTest, CreationRefusesAScopeTheCatalogCannotBuild) {
  const std::vector<std::pair<std::string, std::string>> scopes = {
      {R"({"tables": {"NOPE": ["*"]}})", "tables.NOPE"},
      {R"({"tables": {"T_MCOaaA": ["*"]}})", "tables.T_MCOaaA"},
      {R"({"tables": {"ER_PRS_F": ["*"]}})", "tables.ER_PRS_F"},  // profiled, never ingested
      {R"({"tables": {"IR_BEN_R": ["BEN_SEX_COD", "NOPE_COL"]}})", "tables.IR_BEN_R"},
  };
  for (const auto& [scope, field] : scopes) {
    SCOPED_TRACE(scope);
    Status s = svc_->CreateProject(ctx("olga"), WithScope("p", scope));
    EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr(field));
    EXPECT_EQ(LastEvent().action, "project.create");
    EXPECT_EQ(LastEvent().outcome, audit::Outcome::kError);
  }
  ASSERT_OK_AND_ASSIGN(std::vector<projects::ProjectRecord> all, svc_->ListProjects(ctx("olga")));
  EXPECT_TRUE(all.empty());
  EXPECT_OK(svc_->CreateProject(ctx("olga"), WithScope("p", R"({"tables": {"IR_BEN_R": ["*"]}})")));
}

TEST_F(ProjectChecksTest, CreationRefusesMembersWhoCannotQueryAndAWindowAlreadyOver) {
  for (const std::string member : {"nobody", "olga", "carl", "dora"}) {
    SCOPED_TRACE(member);
    Status s = svc_->CreateProject(ctx("olga"), Spec("p", {"rita", member}));
    EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument));
    EXPECT_THAT(std::string(s.message()), ::testing::HasSubstr("active researcher"));
  }
  projects::ProjectSpec past = Spec("p", {"rita"});
  past.start = clock_.Now() - std::chrono::hours(24 * 400);
  past.end = clock_.Now() - std::chrono::hours(24 * 30);
  Status s = svc_->CreateProject(ctx("olga"), past);
  EXPECT_THAT(s, StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(std::string(s.message()), ::testing::StartsWith("end:"));
}

TEST_F(ProjectChecksTest, ChangeIsCheckedAsCreationIs) {
  ASSERT_OK(svc_->CreateProject(ctx("olga"), Spec("p", {"rita"})));
  auto scope = projects::ProjectScope::Parse(R"({"tables": {"IR_BEN_R": ["NOPE_COL"]}})").value();
  EXPECT_THAT(svc_->ChangeProject(ctx("olga"), "p", scope, {"rita"}), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(svc_->ChangeProject(ctx("olga"), "p", Spec("p", {}).scope, {"carl"}),
              StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK_AND_ASSIGN(ProjectView view, svc_->ShowProject(ctx("olga"), "p"));
  EXPECT_EQ(view.project.scope_version, 1);
  clock_.Advance(std::chrono::hours(24 * 91));  // past its end
  EXPECT_THAT(svc_->ChangeProject(ctx("olga"), "p", Spec("p", {}).scope, {"rita"}),
              StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(ProjectChecksTest, AResearcherCannotTellAnUnknownProjectFromAnotherTeams) {
  ASSERT_OK(svc_->CreateProject(ctx("olga"), Spec("theirs", {"rob"})));
  ASSERT_OK(svc_->ApproveProject(ctx("olga"), "theirs").status());
  ASSERT_OK(svc_->ApproveProject(ctx("oscar"), "theirs").status());
  const auto scope = Spec("x", {}).scope;
  const std::vector<std::pair<std::string, std::function<Status(const std::string&)>>> attempts = {
      {"show", [&](const std::string& id) { return svc_->ShowProject(ctx("rita"), id).status(); }},
      {"query", [&](const std::string& id) { return svc_->QueryProject(ctx("rita"), id, "SELECT 1", {}, nullptr); }},
      {"approve", [&](const std::string& id) { return svc_->ApproveProject(ctx("rita"), id).status(); }},
      {"change", [&](const std::string& id) { return svc_->ChangeProject(ctx("rita"), id, scope, {"rita"}); }},
      {"close", [&](const std::string& id) { return svc_->CloseProject(ctx("rita"), id); }},
      {"build", [&](const std::string& id) { return svc_->BuildWorkspace(ctx("rita"), id).status(); }},
  };
  for (const auto& [name, attempt] : attempts) {
    SCOPED_TRACE(name);
    Status unknown = attempt("nope");
    EXPECT_THAT(unknown, StatusIs(StatusCode::kPermissionDenied));
    EXPECT_EQ(LastEvent().outcome, audit::Outcome::kDenied) << "the attempt is audited";
    EXPECT_EQ(Answer(unknown, "nope"), Answer(attempt("theirs"), "theirs"));
  }
}

TEST_F(ProjectChecksTest, ACatalogQueryRunsEveryStatementAndABatchIsRefusedWhole) {
  std::vector<StatementResult> results;
  auto keep = [&results](const StatementResult& r) {
    results.push_back(r);
    return OkStatus();
  };
  const uint64_t before = LogSize();
  ASSERT_OK(svc_->QueryCatalog(ctx("olga"), "SELECT 1 AS a; SELECT 2 AS b, 3 AS c", {}, keep));
  ASSERT_EQ(results.size(), 2u);
  EXPECT_EQ(results[0].result.column_names, std::vector<std::string>{"a"});
  EXPECT_EQ(results[1].result.column_names, (std::vector<std::string>{"b", "c"}));
  EXPECT_EQ(results[1].index, 1u);
  EXPECT_EQ(results[1].count, 2u);
  int queries = 0;
  for (const audit::Entry& e : EntriesSince(before)) queries += e.event.action == "query.run";
  EXPECT_EQ(queries, 2) << "one query.run event per statement";

  results.clear();
  EXPECT_THAT(svc_->QueryCatalog(ctx("olga"), "SELECT 1 AS a; SET threads = 1", {}, keep),
              StatusIs(StatusCode::kPermissionDenied));
  EXPECT_TRUE(results.empty()) << "nothing of a refused batch runs";
  EXPECT_EQ(LastEvent().action, "query.run");
  EXPECT_EQ(LastEvent().outcome, audit::Outcome::kDenied);
  EXPECT_THAT(svc_->QueryCatalog(ctx("olga"), " ; -- none", {}, keep), StatusIs(StatusCode::kInvalidArgument));
  Status second = svc_->QueryCatalog(ctx("olga"), "SELECT 1 AS a; SELECT * FROM nope", {}, keep);
  EXPECT_THAT(std::string(second.message()), ::testing::StartsWith("statement 2 of 2: "));
  EXPECT_EQ(results.size(), 1u);
}

}  // namespace
}  // namespace hdhub::service
