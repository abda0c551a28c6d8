// The public transparency register over HTTP (GET /api/v1/public/register,
// issue 11): read without an account, every project approved once with its
// releases, no account name, each read logged as the anonymous visitor.
// A real hub without the network (http_api_airlock_fixture.h).
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "hdhub/server/export_json.h"
#include "hdhub/server/http_api_airlock_fixture.h"

namespace hdhub::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class PublicRegisterTest : public HttpApiAirlockTest {
 protected:
  void SetUp() override {
    HttpApiAirlockTest::SetUp();
    // p2: a draft, never approved; p3: approved, nothing released.
    ASSERT_OK(svc_->CreateProject(ctx("olga"), Spec("p2", {"nina"})));
    ASSERT_OK(svc_->CreateProject(ctx("olga"), Spec("p3", {"nina"})));
    ASSERT_OK(svc_->ApproveProject(ctx("olga"), "p3").status());
    ASSERT_OK(svc_->ApproveProject(ctx("oscar"), "p3").status());
  }
};

TEST_F(PublicRegisterTest, AnyoneReadsApprovedProjectsAndTheirReleasesWithoutAnAccount) {
  const std::string id = Approved();
  ASSERT_EQ(Call("POST", "/export-requests/" + id + "/release", "rita").status, 201u);
  const uint64_t before = LogSize();
  const HttpResponse r = Call("GET", "/public/register", "");
  ASSERT_EQ(r.status, 200u) << r.body;
  const json page = Body(r);
  ASSERT_EQ(page["items"].size(), 2u) << r.body;  // p1, p3; the draft p2 left out
  EXPECT_TRUE(page["next"].is_null());
  const json& p1 = page["items"][0];
  EXPECT_EQ(p1["project"], "p1");
  EXPECT_EQ(p1["authorisation"], "CNIL-DR-2026-001");
  EXPECT_EQ(p1["purpose"], "policy table test");
  EXPECT_EQ(p1["state"], "approved");
  EXPECT_TRUE(p1["scope"]["tables"].contains("IR_BEN_R")) << p1["scope"];
  EXPECT_FALSE(p1["start"].get<std::string>().empty());
  EXPECT_FALSE(p1["end"].get<std::string>().empty());
  ASSERT_EQ(p1["releases"].size(), 1u);
  const json& release = p1["releases"][0];
  EXPECT_EQ(release["outputs"][0]["name"], "by-sex");
  EXPECT_EQ(release["outputs"][0]["kind"], "table");
  EXPECT_EQ(release["certificate_sha256"].get<std::string>().size(), 64u);
  EXPECT_GT(release["audit_index"].get<int64_t>(), 0);
  EXPECT_EQ(page["items"][1]["project"], "p3");
  EXPECT_TRUE(page["items"][1]["releases"].empty());
  // The same releases as the accounts' register, and no account name at all.
  ASSERT_OK_AND_ASSIGN(auto entries, svc_->Register(ctx("carl"), std::string("p1")));
  EXPECT_EQ(p1["releases"], RegisterJson(entries)["entries"]);
  for (const char* name : {"rita", "mona", "nina", "olga", "oscar", "carl", "cleo"}) {
    EXPECT_THAT(r.body, Not(HasSubstr(name))) << name;
  }
  for (const char* field : {"members", "approvers", "created_by", "thresholds", "client_networks"}) {
    EXPECT_FALSE(p1.contains(field)) << field;
  }
  // The read is logged once, as the anonymous visitor from its address.
  int logged = 0;
  for (const audit::Entry& e : EntriesSince(before)) {
    if (e.event.action != "register.public") continue;
    ++logged;
    EXPECT_EQ(e.event.actor, "anonymous");
    EXPECT_EQ(e.event.role, "public");
    EXPECT_EQ(e.event.outcome, audit::Outcome::kSuccess);
    EXPECT_EQ(e.event.details.value("source", ""), "127.0.0.1");
    EXPECT_EQ(e.event.details.value("projects", 0), 2);
    EXPECT_EQ(e.event.details.value("releases", 0), 1);
  }
  EXPECT_EQ(logged, 1);
}

TEST_F(PublicRegisterTest, PagesFollowTheCursor) {
  HttpResponse r = Call("GET", "/public/register?limit=1", "");
  ASSERT_EQ(r.status, 200u) << r.body;
  ASSERT_EQ(Body(r)["items"].size(), 1u);
  EXPECT_EQ(Body(r)["items"][0]["project"], "p1");
  const std::string next = Body(r)["next"].get<std::string>();
  r = Call("GET", "/public/register?limit=1&cursor=" + next, "");
  ASSERT_EQ(r.status, 200u) << r.body;
  EXPECT_EQ(Body(r)["items"][0]["project"], "p3");
  EXPECT_TRUE(Body(r)["next"].is_null());
  EXPECT_EQ(Call("GET", "/public/register?limit=0", "").status, 400u);
  EXPECT_EQ(Call("POST", "/public/register", "").status, 405u);
}

TEST_F(PublicRegisterTest, TheAccountsRegisterStillNeedsAToken) {
  EXPECT_EQ(Call("GET", "/register", "").status, 401u);
  EXPECT_EQ(Call("GET", "/projects", "").status, 401u);
  EXPECT_EQ(Call("GET", "/public/register", "rita").status, 200u);
}

}  // namespace
}  // namespace hdhub::server
