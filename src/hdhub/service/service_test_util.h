// Test fixture for the service layer: a real hub (file host, key file, file
// audit log) in a temporary directory, its first operator olga, and accounts
// in every role, each with an API token.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hdhub/audit/event.h"
#include "hdhub/audit/test_util.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/file.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/service/service.h"

namespace hdhub::service {

inline SecretBytes Secret(std::string_view text) { return SecretBytes(AsBytes(text)); }

class ServiceTest : public ::testing::Test {
 protected:
  static constexpr std::string_view kPassphrase = "harbour violet engine 42";
  static constexpr std::string_view kOlgaPassword = "olga-correct-horse-1";

  void SetUp() override {
    hub::InitOptions init{.fast_key_derivation_for_test = true};
    ASSERT_OK(
        Service::Init(hub::BuiltinBackends(), hub_dir_, Secret(kPassphrase), init, {"olga", Secret(kOlgaPassword)}));
    ASSERT_OK_AND_ASSIGN(svc_, Service::Open(hub::BuiltinBackends(), hub_dir_, Secret(kPassphrase), &clock_,
                                             directory::DirectoryOptions::InsecureLowCostForTest()));
    ASSERT_OK_AND_ASSIGN(RequestContext olga,
                         svc_->Authenticate({.user = "olga", .password = Secret(kOlgaPassword)}, "local"));
    ctx_.emplace("olga", olga);
  }

  // Creates `name` with `roles` (by olga), issues a token and authenticates with it.
  void AddAccount(const std::string& name, std::vector<directory::Role> roles) {
    ASSERT_OK(svc_->AddUser(ctx("olga"), name, roles, Secret(name + "-long-password")));
    ASSERT_OK_AND_ASSIGN(directory::IssuedToken token, svc_->IssueToken(ctx("olga"), name, std::chrono::hours(24), ""));
    ASSERT_OK_AND_ASSIGN(RequestContext c, svc_->Authenticate({.token = std::move(token.token)}, "local"));
    ctx_.insert_or_assign(name, c);
  }

  const RequestContext& ctx(const std::string& name) { return ctx_.at(name); }

  // Every audit entry from `from` on, decoded.
  std::vector<audit::Entry> EntriesSince(uint64_t from) {
    return audit::testing::ReadEntries(svc_->HubForTest().audit(), from);
  }
  uint64_t LogSize() { return svc_->HubForTest().audit().Size(); }

  // A small IR_BEN_R in the catalog (by olga), so that Spec()'s scope can be
  // recorded: a project's scope is checked against the catalog.
  void IngestBeneficiaries() {
    ASSERT_OK(IngestRows("IR_BEN_R", {"ABCDEFGHIJKLMNOP1,1,1970", "ABCDEFGHIJKLMNOP2,2,1980"}).status());
  }

  // A new version of `dataset` (by olga) holding `rows`, CSV lines of a
  // beneficiary-like table (BEN_NIR_PSA,BEN_SEX_COD,BEN_NAI_ANN).
  StatusOr<ingest::IngestResult> IngestRows(const std::string& dataset, const std::vector<std::string>& rows) {
    const std::string csv = tmp_.Sub(dataset + "-" + std::to_string(++files_) + ".csv");
    std::string text = "BEN_NIR_PSA,BEN_SEX_COD,BEN_NAI_ANN\n";
    for (const std::string& row : rows) text += row + "\n";
    RETURN_IF_ERROR(WriteFileAtomically(csv, AsBytes(text), 0600));
    ingest::IngestRequest request{.dataset = dataset, .csv_path = csv};
    request.schema_text = R"({"fields": [{"name": "BEN_NIR_PSA", "type": "string"},
        {"name": "BEN_SEX_COD", "type": "integer"}, {"name": "BEN_NAI_ANN", "type": "year"}]})";
    return svc_->Ingest(ctx("olga"), request);
  }

  projects::ProjectSpec Spec(const std::string& id, std::vector<std::string> members) {
    projects::ProjectSpec spec;
    spec.id = id;
    spec.authorisation_ref = "CNIL-DR-2026-001";
    spec.purpose = "policy table test";
    spec.scope = projects::ProjectScope::Parse(R"({"tables":{"IR_BEN_R":["BEN_SEX_COD"]}})").value();
    spec.members = std::move(members);
    spec.start = clock_.Now() - std::chrono::hours(24);
    spec.end = clock_.Now() + std::chrono::hours(24 * 90);
    return spec;
  }

  testing::TempDir tmp_;
  std::string hub_dir_ = tmp_.Sub("hub");
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  std::unique_ptr<Service> svc_;
  std::map<std::string, RequestContext> ctx_;
  int files_ = 0;
};

// ServiceTest with a second operator (oscar), a researcher (rita) and a
// small IR_BEN_R, for tests of project sessions.
class ProjectServiceTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddAccount("oscar", {directory::Role::kOperator});
    AddAccount("rita", {directory::Role::kResearcher});
    IngestBeneficiaries();
  }

  // Project `id` of Spec() with rita as member, approved by olga and oscar,
  // its workspace built.
  void BuildProject(const std::string& id) {
    ASSERT_OK(svc_->CreateProject(ctx("olga"), Spec(id, {"rita"})));
    ASSERT_OK(svc_->ApproveProject(ctx("olga"), id).status());
    ASSERT_OK(svc_->ApproveProject(ctx("oscar"), id).status());
    ASSERT_OK(svc_->BuildWorkspace(ctx("olga"), id).status());
  }
};

}  // namespace hdhub::service
