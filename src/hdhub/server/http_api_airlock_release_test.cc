// What leaves the airlock through the routes (http_api_airlock.cc): the
// release and the download of a request, the transparency register and the
// hub's rules, over a real hub without the network
// (http_api_airlock_fixture.h). Answers are the CLI's JSON (export_json.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <optional>
#include <string>

#include "hdhub/audit/note.h"
#include "hdhub/common/bytes.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/server/export_json.h"
#include "hdhub/server/http_api_airlock_fixture.h"

namespace hdhub::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

const json kRules = {{"min_count", 15}};

class HttpApiReleaseTest : public HttpApiAirlockTest {
 protected:
  static std::string Decoded(const json& base64) {
    StatusOr<Bytes> bytes = audit::Base64Decode(base64.get<std::string>());
    EXPECT_OK(bytes.status());
    return bytes.ok() ? std::string(bytes->begin(), bytes->end()) : std::string();
  }
};

TEST_F(HttpApiReleaseTest, TheAuthorReleasesOnceAndDownloadsTheSameFiles) {
  const std::string id = Approved();
  HttpResponse r = Call("POST", "/export-requests/" + id + "/release", "rita");
  ASSERT_EQ(r.status, 201u) << r.body;
  const json released = Body(r);
  EXPECT_EQ(released["request"], id);
  EXPECT_EQ(released["project"], "p1");
  EXPECT_EQ(released["release"], 1);
  ASSERT_EQ(released["files"].size(), 1u);
  const json& file = released["files"][0];
  EXPECT_EQ(file["name"], "by-sex");
  EXPECT_EQ(file["format"], "csv");
  const std::string content = Decoded(file["content_base64"]);
  EXPECT_THAT(content, HasSubstr("table,sex,value\n"));
  EXPECT_EQ(file["bytes"], content.size());
  EXPECT_EQ(file["sha256"], HexEncode(crypto::Sha256(AsBytes(content))));

  // The download: the same files, and a bundle binding the same body and
  // entry (its checkpoint is the log's now).
  r = Call("GET", "/export-requests/" + id + "/release", "rita");
  ASSERT_EQ(r.status, 200u) << r.body;
  json downloaded = Body(r);
  EXPECT_EQ(downloaded["files"], released["files"]);
  ASSERT_OK_AND_ASSIGN(service::ReleasedFiles again, svc_->DownloadRelease(ctx("rita"), id));
  for (const json* answer : {&released, static_cast<const json*>(&downloaded)}) {
    EXPECT_THAT(Decoded((*answer)["bundle_base64"]), HasSubstr(again.bundle.body + "\n" + again.bundle.entry + "\n"));
  }
  json expected = ReleasedFilesJson(again);
  downloaded.erase("bundle_base64");
  expected.erase("bundle_base64");
  EXPECT_EQ(downloaded, expected);

  r = Call("POST", "/export-requests/" + id + "/release", "rita");
  EXPECT_EQ(r.status, 409u) << r.body;
  EXPECT_EQ(r.content_type, "application/problem+json");
}

TEST_F(HttpApiReleaseTest, OnlyTheAuthorReleasesOrDownloadsAndRefusalsAreLogged) {
  const std::string id = Approved();
  uint64_t before = LogSize();
  EXPECT_EQ(Call("POST", "/export-requests/" + id + "/release", "carl").status, 403u);
  EXPECT_EQ(Call("POST", "/export-requests/" + id + "/release", "mona").status, 403u);
  HttpResponse r = Call("POST", "/export-requests/" + id + "/release", "nina");
  EXPECT_EQ(r.status, 403u);
  EXPECT_EQ(Body(r)["detail"], "export request " + id + " is unknown or not yours");
  for (const char* who : {"carl", "mona", "nina"}) EXPECT_TRUE(LoggedDenied(before, "airlock.release", who)) << who;
  ASSERT_OK_AND_ASSIGN(service::ExportRequestView view, svc_->ShowExportRequest(ctx("rita"), id, false));
  EXPECT_EQ(view.request.state, exports::RequestState::kApproved);

  ASSERT_EQ(Call("POST", "/export-requests/" + id + "/release", "rita").status, 201u);
  before = LogSize();
  for (const char* who : {"carl", "mona", "nina"}) {
    r = Call("GET", "/export-requests/" + id + "/release", who);
    EXPECT_EQ(r.status, 403u) << who;
    EXPECT_THAT(r.body, Not(HasSubstr("content_base64"))) << who;
  }
  // Refused by the policy (the release's operation), or as not the author.
  EXPECT_TRUE(LoggedDenied(before, "airlock.release", "carl"));
  EXPECT_TRUE(LoggedDenied(before, "airlock.release", "nina"));
  EXPECT_TRUE(LoggedDenied(before, "airlock.read", "mona"));
}

TEST_F(HttpApiReleaseTest, TheRegisterAndTheRulesAreTheClisJson) {
  const std::string id = Approved();
  ASSERT_EQ(Call("POST", "/export-requests/" + id + "/release", "rita").status, 201u);
  HttpResponse r = Call("GET", "/register", "carl");
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_OK_AND_ASSIGN(auto entries, svc_->Register(ctx("carl"), std::nullopt));
  EXPECT_EQ(Body(r), RegisterJson(entries));
  ASSERT_EQ(Body(r)["entries"].size(), 1u);
  EXPECT_EQ(Body(r)["entries"][0]["outputs"][0]["name"], "by-sex");
  EXPECT_THAT(r.body, Not(HasSubstr("cleo")));
  r = Call("GET", "/register?project=p1", "nina");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["entries"].size(), 1u);
  r = Call("GET", "/register?project=p9", "nina");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_TRUE(Body(r)["entries"].empty());

  r = Call("GET", "/airlock-rules", "rita");
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_OK_AND_ASSIGN(service::AirlockRulesView rules, svc_->ShowAirlockRules(ctx("rita")));
  EXPECT_EQ(Body(r), AirlockRulesJson(rules));
  EXPECT_TRUE(Body(r)["confirmed"].is_null());
}

TEST_F(HttpApiReleaseTest, RulesNeedTwoDifferentOperators) {
  uint64_t before = LogSize();
  for (const char* who : {"rita", "carl"}) {
    EXPECT_EQ(Call("POST", "/airlock-rules/proposal", who, kRules).status, 403u) << who;
    EXPECT_TRUE(LoggedDenied(before, "airlock.rules", who)) << who;
  }
  EXPECT_EQ(Call("POST", "/airlock-rules/proposal", "olga", json::array({1})).status, 400u);
  EXPECT_EQ(Call("POST", "/airlock-rules/proposal", "olga", json{{"min_count", "many"}}).status, 400u);
  HttpResponse r = Call("POST", "/airlock-rules/proposal", "olga", kRules);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["pending"]["proposed_by"], "olga");
  EXPECT_EQ(Body(r)["pending"]["rules"], kRules);
  EXPECT_TRUE(Body(r)["confirmed"].is_null());

  before = LogSize();
  EXPECT_EQ(Call("POST", "/airlock-rules/confirmation", "olga", kRules).status, 403u);
  EXPECT_TRUE(LoggedDenied(before, "airlock.rules", "olga"));
  EXPECT_EQ(Call("POST", "/airlock-rules/confirmation", "carl", kRules).status, 403u);
  EXPECT_EQ(Call("POST", "/airlock-rules/confirmation", "oscar", json{{"min_count", 16}}).status, 409u);
  r = Call("POST", "/airlock-rules/confirmation", "oscar", kRules);
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["in_force"]["min_count"], 15);
  EXPECT_EQ(Body(r)["confirmed"]["confirmed_by"], "oscar");
  EXPECT_TRUE(Body(r)["pending"].is_null());
  EXPECT_EQ(Body(Call("GET", "/airlock-rules", "nina")), Body(r));
}

TEST_F(HttpApiReleaseTest, NoTokenIs401) {
  const std::string id = Approved();
  for (const auto& [method, target] :
       std::vector<std::pair<std::string, std::string>>{{"POST", "/export-requests/" + id + "/release"},
                                                        {"GET", "/export-requests/" + id + "/release"},
                                                        {"GET", "/register"},
                                                        {"GET", "/airlock-rules"},
                                                        {"POST", "/airlock-rules/proposal"},
                                                        {"POST", "/airlock-rules/confirmation"}}) {
    const HttpResponse r = Call(method, target, "", kRules);
    EXPECT_EQ(r.status, 401u) << method << " " << target;
    EXPECT_EQ(r.content_type, "application/problem+json");
  }
  ASSERT_OK_AND_ASSIGN(service::ExportRequestView view, svc_->ShowExportRequest(ctx("rita"), id, false));
  EXPECT_EQ(view.request.state, exports::RequestState::kApproved);
}

}  // namespace
}  // namespace hdhub::server
