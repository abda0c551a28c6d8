// The HTTP JSON API end to end (http_server_test_fixture.h): an HttpServer
// on 127.0.0.1 over a real hub, and curl as the client. Also that
// docs/api/openapi.json documents exactly the route table.
#include "hdhub/server/http_server.h"

#include <set>

#include "hdhub/audit/merkle.h"
#include "hdhub/server/http_server_test_fixture.h"

namespace hdhub::server {
namespace {

using directory::Role;
using http_test::HttpServerTest;
using http_test::json;
using http_test::Reply;
using ::testing::HasSubstr;
using ::testing::MatchesRegex;
using ::testing::Not;

TEST_F(HttpServerTest, HealthNeedsNoTokenAndEveryAnswerHasARequestId) {
  StartServer();
  const Reply a = Call("GET", "/api/v1/health");
  const Reply b = Call("GET", "/api/v1/health");
  EXPECT_EQ(a.status, 200);
  EXPECT_EQ(a.Json()["status"], "ok");
  ASSERT_TRUE(a.headers.count("x-request-id") && b.headers.count("x-request-id"));
  EXPECT_THAT(a.headers.at("x-request-id"), MatchesRegex("[0-9a-f]{16}"));
  EXPECT_NE(a.headers.at("x-request-id"), b.headers.at("x-request-id"));
  // ...and it is in the log line of the request.
  std::lock_guard<std::mutex> lock(log_mu_);
  bool logged = false;
  for (const std::string& line : log_) logged = logged || line.find(a.headers.at("x-request-id")) != std::string::npos;
  EXPECT_TRUE(logged);
}

TEST_F(HttpServerTest, NoTokenAndABadTokenGetTheSame401Problem) {
  StartServer();
  const Reply none = Call("GET", "/api/v1/me");
  const Reply bad = Call("GET", "/api/v1/me", "hdh_nosuchid_nosuchsecret");
  const Reply revoked_form = Call("GET", "/api/v1/me", "", "", "-H 'Authorization: Basic b2xnYTp4'");
  for (const Reply* r : {&none, &bad, &revoked_form}) {
    ExpectProblem(*r, 401);
    EXPECT_EQ(r->headers.count("www-authenticate") ? r->headers.at("www-authenticate").substr(0, 6) : "", "Bearer");
    json p = r->Json();
    p.erase("instance");
    json q = none.Json();
    q.erase("instance");
    EXPECT_EQ(p, q);
  }
  const Reply me = Call("GET", "/api/v1/me", tokens_["rita"]);
  EXPECT_EQ(me.status, 200);
  EXPECT_EQ(me.Json()["user"], "rita");
  EXPECT_EQ(me.Json()["roles"], json::array({"researcher"}));
}

TEST_F(HttpServerTest, AResearcherOnAnOperatorEndpointGets403AndTheRefusalIsAudited) {
  StartServer();
  const uint64_t before = LogSize();
  const Reply r = Call("GET", "/api/v1/users", tokens_["rita"]);
  ExpectProblem(r, 403);
  const auto entries = EntriesSince(before);
  ASSERT_FALSE(entries.empty());
  bool refused = false;
  for (const auto& e : entries)
    refused = refused || (e.event.actor == "rita" && e.event.outcome == audit::Outcome::kDenied);
  EXPECT_TRUE(refused);
  // An operator gets the list.
  const Reply ok = Call("GET", "/api/v1/users", tokens_["olga"]);
  EXPECT_EQ(ok.status, 200) << ok.body;
  EXPECT_GE(ok.Json()["items"].size(), 4u);
}

TEST_F(HttpServerTest, TheCatalogIsListedPageByPage) {
  IngestBeneficiaries();
  ASSERT_OK(IngestRows("IR_BEN_S", {"ABCDEFGHIJKLMNOP3,1,1990"}).status());
  ASSERT_OK(IngestRows("IR_BEN_T", {"ABCDEFGHIJKLMNOP4,2,1960"}).status());
  StartServer();
  std::vector<std::string> seen;
  std::string path = "/api/v1/catalog?limit=2";
  int pages = 0;
  while (true) {
    const Reply r = Call("GET", path, tokens_["olga"]);
    ASSERT_EQ(r.status, 200) << r.body;
    const json page = r.Json();
    for (const json& v : page["items"]) seen.push_back(v["dataset"]);
    ++pages;
    if (page["next"].is_null()) break;
    ASSERT_LT(pages, 5);
    path = "/api/v1/catalog?limit=2&cursor=" + page["next"].get<std::string>();
  }
  EXPECT_EQ(pages, 2);
  EXPECT_THAT(seen, ::testing::UnorderedElementsAre("IR_BEN_R", "IR_BEN_S", "IR_BEN_T"));
  ExpectProblem(Call("GET", "/api/v1/catalog?cursor=zz", tokens_["olga"]), 400);
  const Reply one = Call("GET", "/api/v1/catalog/IR_BEN_S?version=1", tokens_["olga"]);
  EXPECT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.Json()["rows"], 1);
  ExpectProblem(Call("GET", "/api/v1/catalog/NOPE", tokens_["olga"]), 404);
}

TEST_F(HttpServerTest, ADatasetVersionCarriesItsIngestReportForStaffOnly) {
  IngestBeneficiaries();
  ASSERT_OK_AND_ASSIGN(ingest::IngestResult second, IngestRows("IR_BEN_R", {"ABCDEFGHIJKLMNOP3,1,1990"}));
  ASSERT_OK(svc_->WithdrawVersion(ctx("olga"), "IR_BEN_R", second.version, "ingested by mistake").status());
  StartServer();
  const Reply one = Call("GET", "/api/v1/catalog/IR_BEN_R?version=1", tokens_["olga"]);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.Json()["report"]["rows_read"], 2);
  EXPECT_EQ(one.Json()["report"]["rows_stored"], 2);
  EXPECT_EQ(one.Json()["report"]["rows_rejected"], 0);
  EXPECT_EQ(one.Json()["report"]["on_invalid"], "fail");
  EXPECT_GT(one.Json()["bytes"].get<uint64_t>(), 0u);
  EXPECT_FALSE(one.Json().contains("withdrawn"));
  // The listing has every version's report; the withdrawn one says by whom and why.
  const Reply list = Call("GET", "/api/v1/catalog", tokens_["carl"]);
  ASSERT_EQ(list.status, 200) << list.body;
  const json listed = list.Json();
  bool seen_withdrawn = false;
  for (const json& v : listed["items"]) {
    EXPECT_TRUE(v["report"].is_object()) << v.dump();
    if (!v.contains("withdrawn")) continue;
    seen_withdrawn = true;
    EXPECT_EQ(v["version"].get<int64_t>(), second.version);
    EXPECT_EQ(v["withdrawn"]["by"], "olga");
    EXPECT_EQ(v["withdrawn"]["reason"], "ingested by mistake");
  }
  EXPECT_TRUE(seen_withdrawn) << list.body;
  // A researcher reads no report, nor does a caller without a token.
  ExpectProblem(Call("GET", "/api/v1/catalog/IR_BEN_R?version=1", tokens_["rita"]), 403);
  ExpectProblem(Call("GET", "/api/v1/catalog", tokens_["rita"]), 403);
  ExpectProblem(Call("GET", "/api/v1/catalog/IR_BEN_R", ""), 401);
}

TEST_F(HttpServerTest, AProjectQueryStreamsNdjsonOrCsv) {
  BuiltProject();
  StartServer();
  const std::string sql = R"({"sql": "SELECT BEN_SEX_COD AS sex, count(*) AS n FROM IR_BEN_R GROUP BY 1 ORDER BY 1"})";
  Reply r = Call("POST", "/api/v1/projects/p1/queries", tokens_["rita"], sql);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.headers.at("content-type"), "application/x-ndjson");
  EXPECT_EQ(r.headers["transfer-encoding"], "chunked");
  const std::vector<json> lines = Lines(r.body);
  ASSERT_EQ(lines.size(), 3u) << r.body;
  EXPECT_EQ(lines[0]["statement"], 1);
  EXPECT_EQ(lines[0]["of"], 1);
  ASSERT_EQ(lines[0]["columns"].size(), 2u);
  EXPECT_EQ(lines[0]["columns"][0]["name"], "sex");
  EXPECT_EQ(lines[0]["columns"][1], json({{"name", "n"}, {"type", "BIGINT"}}));
  EXPECT_EQ(lines[1], json::array({1, 1}));
  EXPECT_EQ(lines[2], json::array({2, 1}));
  const Reply csv = Call("POST", "/api/v1/projects/p1/queries", tokens_["rita"], sql, "-H 'Accept: text/csv'");
  ASSERT_EQ(csv.status, 200) << csv.body;
  EXPECT_EQ(csv.body, "sex,n\r\n1,1\r\n2,1\r\n");
  // Another researcher's view: the one answer for unknown or not yours.
  ExpectProblem(Call("POST", "/api/v1/projects/nope/queries", tokens_["rita"], sql), 403);
  ExpectProblem(Call("POST", "/api/v1/projects/p1/queries", tokens_["rita"], R"({"sq": 1})"), 400);
  // Staff do not query a project's workspace.
  ExpectProblem(Call("POST", "/api/v1/projects/p1/queries", tokens_["olga"], sql), 403);
}

TEST_F(HttpServerTest, ALargeResultArrivesWholeInChunks) {
  BuiltProject();
  StartServer(1u << 20, 1u << 20, QueryLimits{.max_rows = 3'000'000});
  constexpr int kRows = 2'000'000;
  const std::string sql = "{\"sql\": \"SELECT range AS i FROM range(" + std::to_string(kRows) + ")\"}";
  Reply r = Call("POST", "/api/v1/projects/p1/queries", tokens_["rita"], sql);
  ASSERT_EQ(r.status, 200) << r.body.substr(0, 500);
  EXPECT_EQ(r.headers["transfer-encoding"], "chunked");
  EXPECT_EQ(r.headers.count("content-length"), 0u);
  size_t lines = 0, last = 0;
  for (size_t pos = 0; pos < r.body.size();) {
    const size_t end = r.body.find('\n', pos);
    if (end == std::string::npos) break;
    ++lines;
    last = pos;
    pos = end + 1;
  }
  EXPECT_EQ(lines, size_t(kRows) + 1);  // the header line, then every row
  EXPECT_EQ(r.body.substr(last), "[" + std::to_string(kRows - 1) + "]\n");
}

TEST_F(HttpServerTest, StaffQueryTheCatalogAndResearchersMayNot) {
  IngestBeneficiaries();
  StartServer();
  const std::string sql = R"({"sql": "SELECT count(*) AS n FROM IR_BEN_R; SELECT 1 AS one"})";
  const Reply r = Call("POST", "/api/v1/catalog/queries", tokens_["olga"], sql);
  ASSERT_EQ(r.status, 200) << r.body;
  const std::vector<json> lines = Lines(r.body);
  ASSERT_EQ(lines.size(), 4u) << r.body;
  EXPECT_EQ(lines[0]["of"], 2);
  EXPECT_EQ(lines[1], json::array({2}));
  EXPECT_EQ(lines[2]["statement"], 2);
  ExpectProblem(Call("POST", "/api/v1/catalog/queries", tokens_["rita"], sql), 403);
  ExpectProblem(Call("POST", "/api/v1/catalog/queries", "", sql), 401);
}

TEST_F(HttpServerTest, ABodyOverTheLimitGets413) {
  StartServer(1024);
  const std::string big = R"({"sql": ")" + std::string(2000, 'x') + R"("})";
  ExpectProblem(Call("POST", "/api/v1/projects/p1/queries", tokens_["rita"], big), 413);
  // The server still answers.
  EXPECT_EQ(Call("GET", "/api/v1/health").status, 200);
}

TEST_F(HttpServerTest, OperatorsIssueAndRevokeTokensAndAuditorsReadTheLog) {
  StartServer();
  const Reply issued = Call("POST", "/api/v1/users/rita/tokens", tokens_["olga"], R"({"ttl_seconds": 600})");
  ASSERT_EQ(issued.status, 201) << issued.body;
  const std::string token = issued.Json()["token"];
  tokens_["rita-2"] = token;
  EXPECT_EQ(Call("GET", "/api/v1/me", token).status, 200);
  EXPECT_EQ(Call("DELETE", "/api/v1/tokens/" + issued.Json()["id"].get<std::string>(), tokens_["olga"]).status, 204);
  ExpectProblem(Call("GET", "/api/v1/me", token), 401);

  const Reply entries = Call("GET", "/api/v1/audit/entries?limit=1&action=token.", tokens_["carl"]);
  ASSERT_EQ(entries.status, 200) << entries.body;
  EXPECT_EQ(entries.Json()["items"].size(), 1u);
  EXPECT_FALSE(entries.Json()["next"].is_null());
  ExpectProblem(Call("GET", "/api/v1/audit/entries", tokens_["rita"]), 403);
}

TEST_F(HttpServerTest, StaffIngestByUploadWithdrawAndRemove) {
  StartServer(1u << 20, 64u << 10);
  const std::string csv = tmp_.Sub("upload.csv"), schema = tmp_.Sub("schema.json");
  std::ofstream(csv) << "BEN_NIR_PSA,BEN_SEX_COD,BEN_NAI_ANN\nABCDEFGHIJKLMNOP1,1,1970\nABCDEFGHIJKLMNOP2,2,1980\n";
  std::ofstream(schema) << R"({"fields": [{"name": "BEN_NIR_PSA", "type": "string"},
      {"name": "BEN_SEX_COD", "type": "integer"}, {"name": "BEN_NAI_ANN", "type": "year"}]})";
  const std::string form = "-F data=@" + csv + " -F schema=@" + schema;
  // A researcher may not ingest; nor may a caller without a token.
  ExpectProblem(Call("POST", "/api/v1/catalog/IR_BEN_R/versions", tokens_["rita"], "", form), 403);
  ExpectProblem(Call("POST", "/api/v1/catalog/IR_BEN_R/versions", "", "", form), 401);
  const Reply ingested = Call("POST", "/api/v1/catalog/IR_BEN_R/versions", tokens_["olga"], "", form);
  ASSERT_EQ(ingested.status, 201) << ingested.body;
  EXPECT_EQ(ingested.Json()["dataset"], "IR_BEN_R");
  EXPECT_EQ(ingested.Json()["version"], 1);
  EXPECT_EQ(ingested.Json()["rows"], 2);
  EXPECT_EQ(ingested.Json()["already_ingested"], false);
  const Reply again = Call("POST", "/api/v1/catalog/IR_BEN_R/versions", tokens_["olga"], "", form);
  EXPECT_EQ(again.status, 200) << again.body;
  EXPECT_EQ(again.Json()["already_ingested"], true);
  // Nothing of the uploads is left in the scratch area.
  ASSERT_OK_AND_ASSIGN(std::string scratch, svc_->ScratchFolder());
  for (const auto& entry : std::filesystem::directory_iterator(scratch)) {
    EXPECT_EQ(entry.path().filename().string().rfind("upload-", 0), std::string::npos) << entry.path();
  }
  // No data part, a JSON body, an upload over http_max_upload_bytes.
  ExpectProblem(Call("POST", "/api/v1/catalog/IR_BEN_R/versions", tokens_["olga"], "", "-F schema=@" + schema), 400);
  ExpectProblem(Call("POST", "/api/v1/catalog/IR_BEN_R/versions", tokens_["olga"], "{}"), 400);
  const std::string big = tmp_.Sub("big.csv");
  std::ofstream(big) << std::string(100 << 10, 'x');
  ExpectProblem(Call("POST", "/api/v1/catalog/IR_BEN_R/versions", tokens_["olga"], "", "-F data=@" + big), 413);

  ASSERT_OK_AND_ASSIGN(ingest::IngestResult second, IngestRows("IR_BEN_R", {"ABCDEFGHIJKLMNOP3,1,1990"}));
  const std::string version = "/api/v1/catalog/IR_BEN_R/versions/" + std::to_string(second.version);
  ExpectProblem(Call("DELETE", version + "?reason=mistake", tokens_["rita"]), 403);
  ExpectProblem(Call("DELETE", version, tokens_["olga"]), 400);  // no reason
  const Reply withdrawn = Call("DELETE", version + "?reason=mistake", tokens_["olga"]);
  ASSERT_EQ(withdrawn.status, 200) << withdrawn.body;
  EXPECT_EQ(withdrawn.Json()["current"], 1);
  ExpectProblem(Call("DELETE", "/api/v1/catalog/IR_BEN_R?reason=mistake", tokens_["rita"]), 403);
  const Reply removed = Call("DELETE", "/api/v1/catalog/IR_BEN_R?reason=mistake", tokens_["olga"]);
  ASSERT_EQ(removed.status, 200) << removed.body;
  EXPECT_EQ(removed.Json()["dataset"], "IR_BEN_R");
  EXPECT_FALSE(removed.Json()["versions_shredded"].empty());
}

TEST_F(HttpServerTest, OperatorsRunAProjectsLifeAndResearchersMayNot) {
  IngestBeneficiaries();
  StartServer();
  const json spec = {{"id", "p2"},
                     {"authorisation", "CNIL-DR-2026-002"},
                     {"purpose", "a test"},
                     {"scope", {{"tables", {{"IR_BEN_R", {"BEN_SEX_COD"}}}}}},
                     {"members", {"rita"}},
                     {"start", FormatRfc3339(clock_.Now() - std::chrono::hours(24))},
                     {"end", FormatRfc3339(clock_.Now() + std::chrono::hours(24 * 30))}};
  ExpectProblem(Call("POST", "/api/v1/projects", tokens_["rita"], spec.dump()), 403);
  const Reply created = Call("POST", "/api/v1/projects", tokens_["olga"], spec.dump());
  ASSERT_EQ(created.status, 201) << created.body;
  EXPECT_EQ(created.Json(), json({{"project", "p2"}, {"state", "draft"}}));
  const Reply shown = Call("GET", "/api/v1/projects/p2", tokens_["olga"]);
  ASSERT_EQ(shown.status, 200) << shown.body;
  EXPECT_EQ(shown.Json()["authorisation"], "CNIL-DR-2026-002");
  EXPECT_EQ(shown.Json()["scope"], spec["scope"]);

  const json change = {{"scope", {{"tables", {{"IR_BEN_R", {"BEN_SEX_COD", "BEN_NAI_ANN"}}}}}}, {"members", {"rita"}}};
  ExpectProblem(Call("PATCH", "/api/v1/projects/p2", tokens_["rita"], change.dump()), 403);
  ExpectProblem(Call("PATCH", "/api/v1/projects/p2", tokens_["olga"], R"({"members": ["rita"]})"), 400);
  const Reply changed = Call("PATCH", "/api/v1/projects/p2", tokens_["olga"], change.dump());
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(Call("GET", "/api/v1/projects/p2", tokens_["olga"]).Json()["scope_version"], 2);

  ExpectProblem(Call("POST", "/api/v1/projects/p2/approvals", tokens_["rita"]), 403);
  EXPECT_EQ(Call("POST", "/api/v1/projects/p2/approvals", tokens_["olga"]).Json()["state"], "draft");
  EXPECT_EQ(Call("POST", "/api/v1/projects/p2/approvals", tokens_["oscar"]).Json(),
            json({{"project", "p2"}, {"state", "approved"}}));
  ExpectProblem(Call("POST", "/api/v1/projects/p2/close", tokens_["rita"]), 403);
  const Reply closed = Call("POST", "/api/v1/projects/p2/close", tokens_["olga"]);
  ASSERT_EQ(closed.status, 200) << closed.body;
  EXPECT_EQ(closed.Json()["state"], "closed");

  ExpectProblem(Call("POST", "/api/v1/projects/sweep", tokens_["rita"]), 403);
  const Reply swept = Call("POST", "/api/v1/projects/sweep", tokens_["olga"]);
  ASSERT_EQ(swept.status, 200) << swept.body;
  EXPECT_TRUE(swept.Json()["shredded"].is_array());
}

TEST_F(HttpServerTest, OperatorsManageAccountsAndOthersMayNot) {
  StartServer();
  // A second operator role: dual control, pending until another operator grants it too.
  ExpectProblem(Call("POST", "/api/v1/users/carl/roles", tokens_["rita"], R"({"role": "steward"})"), 403);
  const Reply granted = Call("POST", "/api/v1/users/carl/roles", tokens_["olga"], R"({"role": "steward"})");
  ASSERT_EQ(granted.status, 200) << granted.body;
  EXPECT_EQ(granted.Json()["state"], "granted");
  const Reply pending = Call("POST", "/api/v1/users/carl/roles", tokens_["olga"], R"({"role": "operator"})");
  ASSERT_EQ(pending.status, 200) << pending.body;
  EXPECT_EQ(pending.Json()["state"], "pending");
  EXPECT_EQ(pending.Json()["user"], "carl");
  ExpectProblem(Call("DELETE", "/api/v1/users/carl/roles/steward", tokens_["rita"]), 403);
  const Reply revoked = Call("DELETE", "/api/v1/users/carl/roles/steward", tokens_["olga"]);
  ASSERT_EQ(revoked.status, 200) << revoked.body;
  EXPECT_EQ(revoked.Json(), json({{"user", "carl"}, {"role", "steward"}, {"done", "revoke"}}));

  ExpectProblem(Call("POST", "/api/v1/users/rita/disable", tokens_["carl"]), 403);
  ASSERT_EQ(Call("POST", "/api/v1/users/rita/disable", tokens_["olga"]).status, 200);
  ExpectProblem(Call("GET", "/api/v1/me", tokens_["rita"]), 401);
  ExpectProblem(Call("POST", "/api/v1/users/rita/enable", tokens_["carl"]), 403);
  ASSERT_EQ(Call("POST", "/api/v1/users/rita/enable", tokens_["olga"]).status, 200);
  EXPECT_EQ(Call("GET", "/api/v1/me", tokens_["rita"]).status, 200);

  const std::string password = R"({"password": "a-new-long-password-77"})";
  ExpectProblem(Call("PUT", "/api/v1/users/rita/password", tokens_["carl"], password), 403);
  const Reply changed = Call("PUT", "/api/v1/users/rita/password", tokens_["olga"], password);
  ASSERT_EQ(changed.status, 200) << changed.body;
  EXPECT_EQ(changed.Json(), json({{"user", "rita"}, {"password_changed", true}}));
  EXPECT_OK(
      svc_->Authenticate({.user = "rita", .password = service::Secret("a-new-long-password-77")}, "local").status());
  {
    std::lock_guard<std::mutex> lock(log_mu_);
    for (const std::string& line : log_) EXPECT_THAT(line, Not(HasSubstr("a-new-long-password-77")));
  }

  ExpectProblem(Call("GET", "/api/v1/tokens", tokens_["rita"]), 403);
  const Reply page1 = Call("GET", "/api/v1/tokens?limit=2", tokens_["olga"]);
  ASSERT_EQ(page1.status, 200) << page1.body;
  ASSERT_EQ(page1.Json()["items"].size(), 2u);
  EXPECT_THAT(page1.body, Not(HasSubstr(tokens_["rita"])));
  const json first = page1.Json()["items"][0];
  EXPECT_TRUE(first.contains("id") && first.contains("user") && first.contains("expires") && first.contains("status"));
  const Reply page2 =
      Call("GET", "/api/v1/tokens?limit=2&cursor=" + page1.Json()["next"].get<std::string>(), tokens_["olga"]);
  ASSERT_EQ(page2.status, 200) << page2.body;
  EXPECT_FALSE(page2.Json()["items"].empty());
  const Reply ritas = Call("GET", "/api/v1/tokens?user=rita", tokens_["olga"]);
  ASSERT_EQ(ritas.status, 200) << ritas.body;
  for (const json& t : ritas.Json()["items"]) EXPECT_EQ(t["user"], "rita");
}

TEST_F(HttpServerTest, AuditorsGetProofsTheOfflineChecksAccept) {
  StartServer();
  const uint64_t size1 = LogSize();
  EXPECT_EQ(Call("GET", "/api/v1/me", tokens_["olga"]).status, 200);
  ASSERT_OK(IngestRows("IR_BEN_R", {"ABCDEFGHIJKLMNOP1,1,1970"}).status());
  // Consistency: the fields `audit check-consistency --file` reads.
  ExpectProblem(Call("GET", "/api/v1/audit/consistency?from=1", tokens_["rita"]), 403);
  const Reply c = Call("GET", "/api/v1/audit/consistency?from=" + std::to_string(size1), tokens_["carl"]);
  ASSERT_EQ(c.status, 200) << c.body;
  const json cj = c.Json();
  ASSERT_TRUE(cj["proof"].is_string()) << c.body;
  ASSERT_OK_AND_ASSIGN(auto hashes, audit::ParseHashList(cj["proof"].get<std::string>()));
  ASSERT_OK_AND_ASSIGN(auto root1, audit::ParseHash(cj["root1"].get<std::string>()));
  ASSERT_OK_AND_ASSIGN(auto root2, audit::ParseHash(cj["root2"].get<std::string>()));
  EXPECT_EQ(cj["size1"], size1);
  EXPECT_OK(audit::VerifyConsistency(cj["size1"], cj["size2"], hashes, root1, root2));
  // Inclusion: the fields `audit check-inclusion --file` reads.
  ExpectProblem(Call("GET", "/api/v1/audit/entries/1/proof", tokens_["rita"]), 403);
  const Reply p = Call("GET", "/api/v1/audit/entries/1/proof", tokens_["carl"]);
  ASSERT_EQ(p.status, 200) << p.body;
  const json pj = p.Json();
  ASSERT_TRUE(pj["proof"].is_string()) << p.body;
  ASSERT_OK_AND_ASSIGN(auto path, audit::ParseHashList(pj["proof"].get<std::string>()));
  ASSERT_OK_AND_ASSIGN(auto leaf, audit::ParseHash(pj["leaf_hash"].get<std::string>()));
  ASSERT_OK_AND_ASSIGN(auto root, audit::ParseHash(pj["root"].get<std::string>()));
  EXPECT_OK(audit::VerifyInclusion(1, pj["size"], leaf, path, root));

  ExpectProblem(Call("GET", "/api/v1/audit/verify", tokens_["rita"]), 403);
  const Reply v = Call("GET", "/api/v1/audit/verify", tokens_["carl"]);
  ASSERT_EQ(v.status, 200) << v.body;
  EXPECT_EQ(v.Json()["ok"], true);
  EXPECT_GT(v.Json()["entries"].get<uint64_t>(), 0u);
  ExpectProblem(Call("GET", "/api/v1/audit/log-key", tokens_["rita"]), 403);
  const Reply k = Call("GET", "/api/v1/audit/log-key", tokens_["carl"]);
  ASSERT_EQ(k.status, 200) << k.body;
  ASSERT_OK_AND_ASSIGN(std::string key, svc_->AuditVerifierKey(ctx("olga")));
  EXPECT_EQ(k.Json()["log_key"], key);
}

TEST_F(HttpServerTest, OperatorsCheckTheHost) {
  IngestBeneficiaries();
  StartServer();
  ExpectProblem(Call("POST", "/api/v1/host/check", tokens_["rita"]), 403);
  ExpectProblem(Call("POST", "/api/v1/host/check", tokens_["carl"]), 403);
  const Reply r = Call("POST", "/api/v1/host/check", tokens_["olga"], R"({"dry_run": true})");
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["dry_run"], true);
  EXPECT_GT(r.Json()["objects_verified"].get<uint64_t>(), 0u);
  EXPECT_TRUE(r.Json()["damaged"].empty());
}

TEST_F(HttpServerTest, OperatorsAndAuditorsSeeTheHostsAndTheEvidenceOfEachDecision) {
  StartServer();
  ExpectProblem(Call("GET", "/api/v1/hosts", tokens_["rita"]), 403);
  const Reply list = Call("GET", "/api/v1/hosts", tokens_["carl"]);
  ASSERT_EQ(list.status, 200) << list.body;
  ASSERT_EQ(list.Json()["hosts"].size(), 1u);
  EXPECT_EQ(list.Json()["hosts"][0]["name"], "local");
  EXPECT_EQ(list.Json()["hosts"][0]["current"], true);
  const Reply one = Call("GET", "/api/v1/hosts/local", tokens_["olga"]);
  ASSERT_EQ(one.status, 200) << one.body;
  EXPECT_EQ(one.Json()["decision"]["allowed"], true);
  EXPECT_EQ(one.Json()["decision"]["exempted"], true);
  EXPECT_FALSE(one.Json()["decision"]["criteria"].empty());
  ExpectProblem(Call("GET", "/api/v1/hosts/nowhere", tokens_["olga"]), 404);
}

TEST_F(HttpServerTest, TheAuditEntriesOfARequestCarryItsRequestId) {
  IngestBeneficiaries();
  StartServer();
  const uint64_t from = LogSize();
  const Reply listed = Call("GET", "/api/v1/catalog", tokens_["olga"]);
  ASSERT_EQ(listed.status, 200) << listed.body;
  const Reply refused = Call("GET", "/api/v1/users", tokens_["rita"]);
  ASSERT_EQ(refused.status, 403);
  std::set<std::string> ids;
  size_t tagged = 0;
  for (const audit::Entry& e : EntriesSince(from)) {
    ASSERT_TRUE(e.event.details.contains("request_id")) << e.event.action;
    ids.insert(e.event.details["request_id"].get<std::string>());
    ++tagged;
  }
  EXPECT_GE(tagged, 2u);
  EXPECT_TRUE(ids.contains(listed.headers.at("x-request-id")));
  EXPECT_TRUE(ids.contains(refused.headers.at("x-request-id")));
}

TEST_F(HttpServerTest, UnknownPathsAndMethodsAreProblems) {
  StartServer();
  ExpectProblem(Call("GET", "/api/v1/nope", tokens_["olga"]), 404);
  ExpectProblem(Call("DELETE", "/api/v1/catalog", tokens_["olga"]), 405);
}

// --- the OpenAPI document ---

json LoadDocument() {
  std::ifstream in(testing::SourceDir() / "docs/api/openapi.json");
  return json::parse(in, nullptr, false);
}

TEST_F(HttpServerTest, TheOpenApiDocumentIsServedAsInTheRepository) {
  StartServer();
  const Reply r = Call("GET", "/api/v1/openapi.json");
  ASSERT_EQ(r.status, 200);
  EXPECT_EQ(r.Json(), LoadDocument());
}

TEST(OpenApiTest, TheDocumentListsExactlyTheRoutes) {
  const json doc = LoadDocument();
  ASSERT_TRUE(doc.is_object());
  EXPECT_EQ(doc.value("openapi", ""), "3.1.0");
  std::set<std::string> documented, routed;
  for (const auto& [path, item] : doc["paths"].items()) {
    for (const auto& [method, op] : item.items()) {
      std::string m = method;
      for (char& c : m) c = char(std::toupper(static_cast<unsigned char>(c)));
      documented.insert(m + " " + path);
      for (const auto& [code, response] : op["responses"].items()) {
        if (code[0] != '4' && code[0] != '5') continue;
        const json::json_pointer ref("/content/application~1problem+json/schema/$ref");
        EXPECT_EQ(response.value(ref, std::string()), "#/components/schemas/Problem")
            << m << " " << path << " " << code;
      }
    }
  }
  for (const RouteInfo& r : ApiRoutes()) routed.insert(std::string(r.method) + " " + std::string(r.pattern));
  EXPECT_EQ(documented, routed);
  EXPECT_EQ(json::parse(BuiltinOpenApiJson()), doc);
}

TEST(ProblemTest, StatusCodesMapOnceAndServerErrorsSayNothing) {
  EXPECT_EQ(HttpStatusFor(StatusCode::kInvalidArgument), 400u);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnauthenticated), 401u);
  EXPECT_EQ(HttpStatusFor(StatusCode::kPermissionDenied), 403u);
  EXPECT_EQ(HttpStatusFor(StatusCode::kNotFound), 404u);
  EXPECT_EQ(HttpStatusFor(StatusCode::kAlreadyExists), 409u);
  EXPECT_EQ(HttpStatusFor(StatusCode::kFailedPrecondition), 409u);
  EXPECT_EQ(HttpStatusFor(StatusCode::kResourceExhausted), 429u);
  EXPECT_EQ(HttpStatusFor(StatusCode::kDeadlineExceeded), 504u);
  EXPECT_EQ(HttpStatusFor(StatusCode::kUnavailable), 503u);
  EXPECT_EQ(HttpStatusFor(StatusCode::kDataLoss), 500u);
  const HttpResponse r = ProblemFor(DataLossError("row 17 of patient 1234567 is damaged"), "fedcba9876543210");
  EXPECT_EQ(r.status, 500u);
  EXPECT_THAT(r.body, Not(HasSubstr("1234567")));
  EXPECT_THAT(r.body, HasSubstr("fedcba9876543210"));
}

}  // namespace
}  // namespace hdhub::server
