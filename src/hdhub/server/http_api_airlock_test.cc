// The airlock's export-request routes (http_api_airlock.cc) over a real
// hub, without the network (http_api_airlock_fixture.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hdhub/audit/note.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/server/export_json.h"
#include "hdhub/server/http_api_airlock_fixture.h"

namespace hdhub::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

TEST_F(HttpApiAirlockTest, CreateFrameOutputSubmitAndTwoApprovals) {
  HttpResponse r = Call("POST", "/projects/p1/export-requests", "rita", {{"title", "Sex ratio"}});
  ASSERT_EQ(r.status, 201u) << r.body;
  const std::string id = Body(r)["id"];
  EXPECT_EQ(id, "p1-e1");
  EXPECT_EQ(Body(r)["state"], "draft");
  EXPECT_EQ(Body(r)["revision"], 1);
  r = Call("PATCH", "/export-requests/" + id, "rita", {{"frame", kFrame}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["frames"][0]["name"], "people");
  r = Call("PATCH", "/export-requests/" + id, "rita", {{"output", kOutput}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["outputs"][0]["name"], "by-sex");
  EXPECT_EQ(Body(r)["outputs"][0]["verdict"]["frame"], "people") << r.body;
  r = Call("POST", "/export-requests/" + id + "/submit", "rita");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["state"], "submitted");
  const int64_t revision = Body(r)["revision"];
  EXPECT_EQ(revision, 3);
  r = Call("POST", "/export-requests/" + id + "/reviews", "carl", Approval(revision));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["state"], "partially_reviewed");
  r = Call("POST", "/export-requests/" + id + "/reviews", "cleo", Approval(revision, kComment));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["state"], "approved");
  // The answer is the CLI's --json of the same request.
  ASSERT_OK_AND_ASSIGN(service::ExportRequestView view, svc_->ShowExportRequest(ctx("carl"), id, false));
  EXPECT_EQ(Body(r), ExportRequestJson(view));
  EXPECT_EQ(Body(r)["reviews"][1]["decisions"][0]["comment"], std::string(kComment));
}

TEST_F(HttpApiAirlockTest, ShowListAndEvidence) {
  const std::string id = Submitted();
  HttpResponse r = Call("GET", "/export-requests/" + id, "rita");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_FALSE(Body(r).contains("evidence"));
  EXPECT_FALSE(Body(r).contains("files"));
  EXPECT_FALSE(Body(r).contains("checks"));
  r = Call("GET", "/export-requests/" + id + "?evidence=true&as=checker", "carl");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["evidence"].size(), 1u);
  // The file as it would leave, and the checks with true values.
  ASSERT_EQ(Body(r)["files"].size(), 1u);
  EXPECT_EQ(Body(r)["files"][0]["sha256"], Body(r)["outputs"][0]["sha256"]);
  EXPECT_EQ(Body(r)["files"][0]["content_base64"], "dGFibGUsc2V4LHZhbHVlCnQsMSwKdCwyLDExCg==");  // the CSV
  EXPECT_TRUE(Body(r)["checks"]["runs"].contains("people/count")) << r.body;
  ASSERT_OK_AND_ASSIGN(service::ExportRequestView read, svc_->ShowExportRequest(ctx("carl"), id, true));
  EXPECT_EQ(Body(r), ExportRequestJson(read));
  EXPECT_EQ(Call("GET", "/export-requests/" + id + "?evidence=maybe", "carl").status, 400u);
  // rita's evidence: the policy's refusal.
  EXPECT_EQ(Call("GET", "/export-requests/" + id + "?evidence=true", "rita").status, 403u);

  const std::string second = Draft();
  r = Call("GET", "/export-requests?project=p1&limit=1", "carl");
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(Body(r)["items"].size(), 1u);
  EXPECT_EQ(Body(r)["items"][0]["id"], id);
  EXPECT_EQ(Body(r)["items"][0]["state"], "submitted");
  ASSERT_TRUE(Body(r)["next"].is_string());
  r = Call("GET", "/export-requests?project=p1&limit=1&cursor=" + Body(r)["next"].get<std::string>(), "carl");
  EXPECT_EQ(Body(r)["items"][0]["id"], second);
  EXPECT_TRUE(Body(r)["next"].is_null());
  r = Call("GET", "/export-requests?state=draft", "rita");
  ASSERT_EQ(Body(r)["items"].size(), 1u);
  EXPECT_EQ(Body(r)["items"][0]["id"], second);
  EXPECT_EQ(Call("GET", "/export-requests?state=nonsense", "rita").status, 400u);
  r = Call("GET", "/export-requests", "nina");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_TRUE(Body(r)["items"].empty());
}

TEST_F(HttpApiAirlockTest, ChangesRemoveRecomputeAndWithdraw) {
  const std::string id = Draft();
  HttpResponse r = Call("PATCH", "/export-requests/" + id, "rita", {{"recompute", true}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["revision"], 4);
  r = Call("PATCH", "/export-requests/" + id, "rita", {{"remove", "by-sex"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_TRUE(Body(r)["outputs"].empty());
  for (const json& bad : {json::object(), json{{"recompute", false}}, json{{"frame", "text"}},
                          json{{"remove", "by-sex"}, {"recompute", true}}}) {
    EXPECT_EQ(Call("PATCH", "/export-requests/" + id, "rita", bad).status, 400u) << bad.dump();
  }
  r = Call("POST", "/export-requests/" + id + "/withdraw", "rita");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r), (json{{"id", id}, {"state", "withdrawn"}}));
  EXPECT_EQ(Call("POST", "/export-requests/" + id + "/withdraw", "rita").status, 409u);
}

TEST_F(HttpApiAirlockTest, FileOutputUploadedInBase64AndReadBackByCheckers) {
  const std::string id = Draft();
  const std::string notes = "the method, in words\n";
  const json custom = {{"output", "notes"}, {"kind", "custom"}, {"format", "txt"}, {"explanation", "method"}};
  HttpResponse r = Call("PATCH", "/export-requests/" + id, "rita",
                        {{"output", custom}, {"content_base64", audit::Base64Encode(AsBytes(notes))}});
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(Body(r)["outputs"].size(), 2u);
  EXPECT_EQ(Body(r)["outputs"][1]["kind"], "custom");
  EXPECT_EQ(Body(r)["outputs"][1]["sha256"], HexEncode(crypto::Sha256(AsBytes(notes))));
  // The declaration alone keeps the file.
  r = Call("PATCH", "/export-requests/" + id, "rita", {{"output", custom}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["outputs"][1]["sha256"], HexEncode(crypto::Sha256(AsBytes(notes))));
  r = Call("GET", "/export-requests/" + id + "?evidence=true&as=checker", "carl");
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(Body(r)["files"].size(), 2u);
  EXPECT_EQ(Body(r)["files"][1]["content_base64"], audit::Base64Encode(AsBytes(notes)));
  // Not base64, a file with a frame or a table, a file that is not its format: 400, nothing changed.
  const int64_t revision = Body(r)["revision"];
  for (const json& bad :
       {json{{"output", custom}, {"content_base64", "%%%"}}, json{{"output", custom}, {"content_base64", 7}},
        json{{"frame", kFrame}, {"content_base64", "YQ=="}}, json{{"output", kOutput}, {"content_base64", "YQ=="}},
        json{{"output", custom}, {"content_base64", audit::Base64Encode(AsBytes(std::string("\xff", 1)))}}}) {
    r = Call("PATCH", "/export-requests/" + id, "rita", bad);
    EXPECT_EQ(r.status, 400u) << bad.dump();
    EXPECT_EQ(r.content_type, "application/problem+json") << bad.dump();
  }
  EXPECT_EQ(Body(Call("GET", "/export-requests/" + id, "rita"))["revision"], revision);
  // Not the author: refused.
  r = Call("PATCH", "/export-requests/" + id, "mona", {{"output", custom}, {"content_base64", "YQ=="}});
  EXPECT_EQ(r.status, 403u) << r.body;
}

TEST_F(HttpApiAirlockTest, ReturnAndReject) {
  const std::string id = Submitted();
  EXPECT_EQ(
      Call("POST", "/export-requests/" + id + "/decisions", "carl", {{"decision", "maybe"}, {"revision", 3}}).status,
      400u);
  HttpResponse r = Call("POST", "/export-requests/" + id + "/decisions", "carl",
                        {{"decision", "return"}, {"revision", 3}, {"reason", "label the table"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["state"], "returned");
  EXPECT_EQ(Body(r)["decisions"][0]["text"], "label the table");
  // Resubmitted, reviewed (carl rejecting the output), then rejected by carl.
  r = Call("POST", "/export-requests/" + id + "/submit", "rita");
  const int64_t revision = Body(r)["revision"];
  json review = Approval(revision, "no");
  review["decisions"][0]["decision"] = "reject";
  ASSERT_EQ(Call("POST", "/export-requests/" + id + "/reviews", "carl", review).status, 200u);
  r = Call("POST", "/export-requests/" + id + "/reviews", "cleo", Approval(revision));
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["state"], "reviewed");
  r = Call("POST", "/export-requests/" + id + "/decisions", "carl",
           {{"decision", "reject"}, {"revision", revision}, {"reason", "disclosive"}});
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["state"], "rejected");
}

TEST_F(HttpApiAirlockTest, NoTokenIs401) {
  const std::string id = Draft();
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"POST", "/projects/p1/export-requests"},
                                                        {"GET", "/export-requests"},
                                                        {"GET", "/export-requests/" + id},
                                                        {"PATCH", "/export-requests/" + id},
                                                        {"POST", "/export-requests/" + id + "/submit"},
                                                        {"POST", "/export-requests/" + id + "/withdraw"},
                                                        {"POST", "/export-requests/" + id + "/reviews"},
                                                        {"POST", "/export-requests/" + id + "/decisions"}}) {
    const HttpResponse r = Call(method, target, "", json{{"recompute", true}});
    EXPECT_EQ(r.status, 401u) << method << " " << target;
    EXPECT_EQ(r.content_type, "application/problem+json");
  }
}

TEST_F(HttpApiAirlockTest, ANonMemberIsToldUnknownOrNotYours) {
  const std::string id = Submitted();
  const uint64_t before = LogSize();
  const std::vector<std::pair<std::string, std::string>> routes = {{"GET", "/export-requests/" + id},
                                                                   {"PATCH", "/export-requests/" + id},
                                                                   {"POST", "/export-requests/" + id + "/submit"},
                                                                   {"POST", "/export-requests/" + id + "/withdraw"}};
  for (const std::string& target : {id, std::string("p1-e99")}) {
    for (const auto& [method, route] : routes) {
      const std::string path = route.substr(0, route.find(id)) + target + route.substr(route.find(id) + id.size());
      const HttpResponse r = Call(method, path, "nina", json{{"recompute", true}});
      EXPECT_EQ(r.status, 403u) << method << " " << path;
      EXPECT_EQ(Body(r)["detail"], "export request " + target + " is unknown or not yours") << method << " " << path;
    }
  }
  EXPECT_TRUE(LoggedDenied(before, "airlock.read", "nina"));
  EXPECT_EQ(Call("POST", "/projects/p1/export-requests", "nina", {{"title", "Not mine"}}).status, 403u);
  // A checker's review of another's request, by one who may not read it: the
  // same answer, and the request is unchanged.
  EXPECT_EQ(Call("POST", "/export-requests/p1-e99/reviews", "carl", Approval(3)).status, 403u);
  ASSERT_OK_AND_ASSIGN(service::ExportRequestView view, svc_->ShowExportRequest(ctx("rita"), id, false));
  EXPECT_EQ(view.request.state, exports::RequestState::kSubmitted);
}

TEST_F(HttpApiAirlockTest, TheAuthorAsCheckerIsRefusedAndLogged) {
  const std::string id = Submitted("mona");
  const uint64_t before = LogSize();
  const HttpResponse r = Call("POST", "/export-requests/" + id + "/reviews?as=checker", "mona", Approval(3, kComment));
  EXPECT_EQ(r.status, 403u) << r.body;
  EXPECT_EQ(r.content_type, "application/problem+json");
  EXPECT_THAT(r.body, Not(HasSubstr(std::string(kComment))));
  EXPECT_TRUE(LoggedDenied(before, "airlock.review", "mona"));
  ASSERT_OK_AND_ASSIGN(service::ExportRequestView view, svc_->ShowExportRequest(ctx("mona"), id, false));
  EXPECT_TRUE(view.reviews.empty());
}

TEST_F(HttpApiAirlockTest, MalformedReviewsAreBadRequestsNamingNoComment) {
  const std::string id = Submitted();
  json review = Approval(3, kComment);
  review["decisions"][0]["decision"] = "perhaps";
  for (const json& bad : {review, json{{"decisions", json::array()}}, json{{"revision", 3}}}) {
    const HttpResponse r = Call("POST", "/export-requests/" + id + "/reviews", "carl", bad);
    EXPECT_EQ(r.status, 400u) << bad.dump();
    EXPECT_THAT(r.body, Not(HasSubstr(std::string(kComment))));
  }
}

TEST(ExportJsonTest, BodiesRoundTrip) {
  const service::ExportReview review{
      .revision = 4, .decisions = {{.output = "a", .decision = exports::OutputDecision::kChanges, .comment = "c"}}};
  ASSERT_OK_AND_ASSIGN(service::ExportReview back, ExportReviewFromJson(ExportReviewJson(review)));
  EXPECT_EQ(back.revision, 4);
  ASSERT_EQ(back.decisions.size(), 1u);
  EXPECT_EQ(back.decisions[0].decision, exports::OutputDecision::kChanges);
  EXPECT_EQ(back.decisions[0].comment, "c");
  ASSERT_OK_AND_ASSIGN(service::ExportDecision d,
                       ExportDecisionFromJson(ExportDecisionJson({.reject = true, .revision = 2, .reason = "r"})));
  EXPECT_TRUE(d.reject);
  EXPECT_EQ(d.reason, "r");
  ASSERT_OK_AND_ASSIGN(
      json change, ExportChangeJson({.kind = service::ExportChangeKind::kFrame, .json = kFrame.dump(), .name = ""}));
  ASSERT_OK_AND_ASSIGN(service::ExportChange c, ExportChangeFromJson(change));
  EXPECT_EQ(c.kind, service::ExportChangeKind::kFrame);
  EXPECT_EQ(json::parse(c.json), kFrame);
  EXPECT_FALSE(ExportChangeJson({.kind = service::ExportChangeKind::kOutput, .json = "[1]", .name = ""}).ok());
}

// A project's airlock rules change with PATCH /projects/{id}, as its scope
// does: checked as at creation, back to draft.
TEST_F(HttpApiAirlockTest, ProjectRulesChangeThroughPatch) {
  nlohmann::json body = {{"scope", nlohmann::json::parse(R"({"tables":{"IR_BEN_R":["BEN_SEX_COD"]}})")},
                         {"members", {"rita", "mona"}},
                         {"airlock_rules", {{"min_count", 5}}}};
  HttpResponse r = Call("PATCH", "/projects/p1", "olga", body);
  EXPECT_EQ(r.status, 400u) << r.body;
  EXPECT_THAT(r.body, HasSubstr("min_count"));
  body["airlock_rules"] = "strict";
  EXPECT_EQ(Call("PATCH", "/projects/p1", "olga", body).status, 400u);
  body["airlock_rules"] = {{"min_count", 12}};
  EXPECT_EQ(Call("PATCH", "/projects/p1", "rita", body).status, 403u);
  r = Call("GET", "/projects/p1", "olga");
  EXPECT_EQ(Body(r)["state"], "approved") << r.body;
  r = Call("PATCH", "/projects/p1", "olga", body);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["state"], "draft");
  r = Call("GET", "/projects/p1", "olga");
  EXPECT_EQ(Body(r)["airlock_rules"]["min_count"], 12) << r.body;
}

}  // namespace
}  // namespace hdhub::server
