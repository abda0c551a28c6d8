// The fixture of the airlock's route tests (http_api_airlock_test.cc,
// http_api_airlock_release_test.cc): a real hub without the network
// (HttpApi::Handle), a project p1 over 21 beneficiaries, its author rita, a
// member who is also a checker (mona), two checkers (carl, cleo), a
// researcher of no project (nina) and the operators olga and oscar, each
// with an API token. Test-only; one fixture per test.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <map>
#include <memory>
#include <nlohmann/json.hpp>
#include <string>

#include "hdhub/server/http_api.h"
#include "hdhub/service/service_test_util.h"

namespace hdhub::server {

using json = nlohmann::json;

inline const json kFrame = json::parse(R"({"frame": "people", "unit": "person", "person": "BEN_NIR_PSA",
  "sql": "SELECT BEN_NIR_PSA, BEN_SEX_COD FROM IR_BEN_R",
  "dimensions": [{"name": "sex", "column": "BEN_SEX_COD", "values": ["1", "2"]}]})");
inline const json kOutput = json::parse(R"({"output": "by-sex", "frame": "people", "measure": "count",
  "tables": [{"id": "t", "dimensions": [{"dimension": "sex"}]}]})");
inline constexpr std::string_view kComment = "cells fine, quartz-77";

class HttpApiAirlockTest : public service::ProjectServiceTest {
 protected:
  void SetUp() override {
    ProjectServiceTest::SetUp();
    using directory::Role;
    AddAccount("mona", {Role::kResearcher, Role::kChecker});
    AddAccount("carl", {Role::kChecker});
    AddAccount("cleo", {Role::kChecker});
    AddAccount("nina", {Role::kResearcher});
    for (const char* name : {"rita", "mona", "carl", "cleo", "nina", "olga", "oscar"}) {
      auto issued = svc_->IssueToken(ctx("olga"), name, std::chrono::hours(1), "");
      ASSERT_OK(issued.status());
      tokens_[name] = std::string(issued->token.span().begin(), issued->token.span().end());
    }
    std::vector<std::string> rows;
    for (int i = 0; i < 21; ++i)
      rows.push_back("NIRPERSON" + std::to_string(10000000 + i) + (i < 10 ? ",1,1970" : ",2,1980"));
    ASSERT_OK(IngestRows("IR_BEN_R", rows).status());
    ASSERT_OK(svc_->CreateProject(ctx("olga"), Spec("p1", {"rita", "mona"})));
    ASSERT_OK(svc_->ApproveProject(ctx("olga"), "p1").status());
    ASSERT_OK(svc_->ApproveProject(ctx("oscar"), "p1").status());
    ASSERT_OK(svc_->BuildWorkspace(ctx("olga"), "p1").status());
    api_ = std::make_unique<HttpApi>(*svc_, std::string(BuiltinOpenApiJson()));
  }

  // `method` `target` as `who` ("": no token), with `body` unless null.
  HttpResponse Call(const std::string& method, const std::string& target, const std::string& who,
                    const json& body = nullptr) {
    HttpRequest request{.method = method,
                        .target = "/api/v1" + target,
                        .client = "127.0.0.1",
                        .request_id = "00000000000000" + std::to_string(10 + ++calls_ % 90)};
    if (!who.empty()) request.authorization = "Bearer " + tokens_.at(who);
    if (!body.is_null()) {
      request.content_type = "application/json";
      request.body = body.dump();
    }
    return api_->Handle(request);
  }
  static json Body(const HttpResponse& r) { return json::parse(r.body, nullptr, false); }

  // rita's draft in p1 with the frame and the output, through the routes.
  std::string Draft(const std::string& author = "rita") {
    const HttpResponse created = Call("POST", "/projects/p1/export-requests", author, {{"title", "Sex ratio"}});
    EXPECT_EQ(created.status, 201u) << created.body;
    const std::string id = Body(created).value("id", "");
    EXPECT_EQ(Call("PATCH", "/export-requests/" + id, author, {{"frame", kFrame}}).status, 200u);
    EXPECT_EQ(Call("PATCH", "/export-requests/" + id, author, {{"output", kOutput}}).status, 200u);
    return id;
  }
  std::string Submitted(const std::string& author = "rita") {
    const std::string id = Draft(author);
    EXPECT_EQ(Call("POST", "/export-requests/" + id + "/submit", author).status, 200u);
    return id;
  }
  // rita's request, submitted and approved by carl and cleo.
  std::string Approved() {
    const std::string id = Submitted();
    for (const char* checker : {"carl", "cleo"}) {
      EXPECT_EQ(Call("POST", "/export-requests/" + id + "/reviews", checker, Approval(3)).status, 200u);
    }
    return id;
  }
  static json Approval(int64_t revision, std::string_view comment = "") {
    const json decision = {{"output", "by-sex"}, {"decision", "approve"}, {"comment", std::string(comment)}};
    return {{"revision", revision}, {"decisions", json::array({decision})}};
  }
  bool LoggedDenied(uint64_t since, const std::string& action, const std::string& actor) {
    bool logged = false;
    for (const audit::Entry& e : EntriesSince(since)) {
      logged =
          logged || (e.event.action == action && e.event.actor == actor && e.event.outcome == audit::Outcome::kDenied);
    }
    return logged;
  }

  std::map<std::string, std::string> tokens_;
  std::unique_ptr<HttpApi> api_;
  int calls_ = 0;
};

}  // namespace hdhub::server
