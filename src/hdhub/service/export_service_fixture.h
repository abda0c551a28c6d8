// Test-only: the airlock's export requests through the service, on a real
// hub (service_test_util.h): a project p1 over 21 beneficiaries (10 of sex 1,
// 11 of sex 2), its author rita, a member who is also a checker (mona), two
// checkers (carl, cleo) and a researcher of no project (nina).
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <utility>
#include <vector>

#include "hdhub/exports/verify.h"
#include "hdhub/service/service_test_util.h"

namespace hdhub::service {

inline constexpr std::string_view kFrame = R"({"frame": "people", "unit": "person", "person": "BEN_NIR_PSA",
  "sql": "SELECT BEN_NIR_PSA, BEN_SEX_COD FROM IR_BEN_R",
  "dimensions": [{"name": "sex", "column": "BEN_SEX_COD", "values": ["1", "2"]}]})";
inline constexpr std::string_view kComment = "looks fine to me, zebra-quartz";

// A table output of the frame: every sex, or one (`filter`).
inline std::string Output(const std::string& name, const std::string& filter = "") {
  nlohmann::json dimension = {{"dimension", "sex"}};
  if (!filter.empty()) dimension["filter"] = filter;
  return nlohmann::json{{"output", name},
                        {"frame", "people"},
                        {"measure", "count"},
                        {"tables", {{{"id", "t"}, {"dimensions", {dimension}}}}}}
      .dump();
}

inline std::string Person(int i) { return "NIRPERSON" + std::to_string(10000000 + i); }

class ExportServiceTest : public ProjectServiceTest {
 protected:
  void SetUp() override {
    ProjectServiceTest::SetUp();
    AddAccount("mona", {directory::Role::kResearcher, directory::Role::kChecker});
    AddAccount("carl", {directory::Role::kChecker});
    AddAccount("cleo", {directory::Role::kChecker});
    AddAccount("nina", {directory::Role::kResearcher});
    std::vector<std::string> rows;
    for (int i = 0; i < 21; ++i) rows.push_back(Person(i) + (i < 10 ? ",1,1970" : ",2,1980"));
    ASSERT_OK(IngestRows("IR_BEN_R", rows).status());
    Build("p1", {"rita", "mona"});
  }

  void Build(const std::string& id, std::vector<std::string> members, const std::string& rules = "{}") {
    projects::ProjectSpec spec = Spec(id, std::move(members));
    spec.airlock_rules_json = rules;
    ASSERT_OK(svc_->CreateProject(ctx("olga"), spec));
    ASSERT_OK(svc_->ApproveProject(ctx("olga"), id).status());
    ASSERT_OK(svc_->ApproveProject(ctx("oscar"), id).status());
    ASSERT_OK(svc_->BuildWorkspace(ctx("olga"), id).status());
  }

  // rita's request in `project` over the frame with `outputs` (name, filter).
  std::string Draft(const std::vector<std::pair<std::string, std::string>>& outputs = {{"by-sex", ""}},
                    const std::string& project = "p1") {
    StatusOr<ExportRequestView> v = svc_->CreateExportRequest(ctx("rita"), project, "Sex ratio");
    EXPECT_OK(v.status());
    const std::string id = v->request.id;
    EXPECT_OK(
        svc_->ChangeExportRequest(ctx("rita"), id, {.kind = ExportChangeKind::kFrame, .json = std::string(kFrame)})
            .status());
    for (const auto& [name, filter] : outputs) {
      EXPECT_OK(
          svc_->ChangeExportRequest(ctx("rita"), id, {.kind = ExportChangeKind::kOutput, .json = Output(name, filter)})
              .status());
    }
    return id;
  }
  std::string Submitted() {
    const std::string id = Draft();
    EXPECT_OK(svc_->SubmitExportRequest(ctx("rita"), id).status());
    return id;
  }
  ExportRequestView Show(const std::string& id, const std::string& who = "rita") {
    StatusOr<ExportRequestView> v = svc_->ShowExportRequest(ctx(who), id, false);
    EXPECT_OK(v.status());
    return *v;
  }
  // `checker` approves every output of `revision` (0: the current one), each with `comment`.
  StatusOr<ExportRequestView> Approve(const std::string& checker, const std::string& id, int64_t revision = 0,
                                      const std::string& comment = "") {
    const ExportRequestView v = Show(id);
    ExportReview review{.revision = revision == 0 ? v.request.revision : revision, .decisions = {}};
    for (const exports::OutputRecord& o : v.outputs) {
      review.decisions.push_back({.output = o.name, .decision = exports::OutputDecision::kApprove, .comment = comment});
    }
    return svc_->ReviewExportRequest(ctx(checker), id, review);
  }
  // What `hdhub airlock verify` says of release `r` (its files, its bundle).
  exports::VerifyReport Verify(const ReleasedFiles& r, std::optional<std::vector<std::string>> earlier = std::nullopt) {
    std::vector<exports::VerifyFile> files;
    for (const ReleasedFile& f : r.files) files.push_back({.name = f.name, .bytes = f.content});
    const std::string key = svc_->HubForTest().AuditVerifierKey().value();
    std::optional<std::span<const std::string>> history;
    if (earlier) history = std::span<const std::string>(*earlier);
    StatusOr<exports::VerifyReport> report = exports::VerifyBundle(r.bundle.Serialize(), key, files, history);
    EXPECT_OK(report.status());
    return report.ok() ? *report : exports::VerifyReport{.failed_check = -1};
  }
  nlohmann::json Verdict(const ExportRequestView& v, const std::string& output) {
    for (const exports::OutputRecord& o : v.outputs) {
      if (o.name == output) return nlohmann::json::parse(o.verdict_json);
    }
    ADD_FAILURE() << "no output " << output;
    return {};
  }
};

}  // namespace hdhub::service
