// Workspace build, sandboxed sessions and shredding over small datasets
// written straight as sealed Parquet (the real intake chain is tested end to
// end in tests/).
#include "hdhub/projects/workspace_fixture.h"

namespace hdhub::projects {
namespace {

using directory::Principal;
using directory::Role;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

using WorkspaceTest = WorkspaceFixture;

TEST_F(WorkspaceTest, BuildKeepsExactlyTheAuthorisedRowsAndColumns) {
  CreateApproved("p1", Scope());
  ASSERT_OK_AND_ASSIGN(BuildResult built, Builder().Build(ops1_, Role::kOperator, "p1"));
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  // Women (odd i) born 1950-1999 (i % 60 in 10..59), minus the opted out (i % 100 == 0: all even, so none here).
  int expected_people = 0;
  for (int i = 0; i < 1000; ++i) expected_people += (i % 2 == 1 && i % 60 >= 10 && i % 100 != 0) ? 1 : 0;
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM IR_BEN_R"), std::to_string(expected_people));
  EXPECT_EQ(built.rows["IR_BEN_R"], uint64_t(expected_people));
  // Three of five claim years (2019-2021), people of the population only.
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM ER_PRS_F"), std::to_string(3 * expected_people));
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM ER_PRS_F WHERE BEN_NIR_PSA NOT IN (SELECT BEN_NIR_PSA FROM IR_BEN_R)"),
            "0");
  EXPECT_EQ(Scalar(*s, "SELECT min(year(EXE_SOI_DTD)) || '-' || max(year(EXE_SOI_DTD)) FROM ER_PRS_F"), "2019-2021");
  // Columns: the asked ones, the person and the join keys; never PRS_NAT_REF.
  EXPECT_THAT(s->Query("SELECT PRS_NAT_REF FROM ER_PRS_F"), StatusIs(StatusCode::kInvalidArgument));
  // Detail tables hold only the rows of kept parents, and still join to them.
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM ER_PHA_F"),
            Scalar(*s,
                   "SELECT count(*) FROM ER_PHA_F a JOIN ER_PRS_F p USING (FLX_DIS_DTD, FLX_TRT_DTD, FLX_EMT_TYP, "
                   "FLX_EMT_NUM, FLX_EMT_ORD, ORG_CLE_NUM, DCT_ORD_NUM, PRS_ORD_NUM, REM_TYP_AFF)"));
  // …and through the one-column line key the workspace adds, to the same rows.
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM ER_PHA_F a JOIN ER_PRS_F p USING (DCIR_LINE_KEY)"),
            Scalar(*s, "SELECT count(*) FROM ER_PHA_F"));
  EXPECT_EQ(Scalar(*s, "SELECT count(DISTINCT DCIR_LINE_KEY) = count(*) FROM ER_PRS_F"), "true");
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM T_MCOaaB"), std::to_string(2 * expected_people));
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM T_MCOaaB b JOIN T_MCOaaC c USING (ETA_NUM, RSA_NUM)"),
            std::to_string(2 * expected_people));
  nlohmann::json provenance = nlohmann::json::parse(built.provenance_json);
  EXPECT_EQ(provenance["datasets"]["ER_PRS_F"], 1);
  EXPECT_EQ(provenance["opt_out"]["OPT_OUT"], nlohmann::json::array({1}));
}

TEST_F(WorkspaceTest, PseudonymsAreRekeyedAndNoOptedOutPersonAppears) {
  CreateApproved("p1", R"({"tables": {"IR_BEN_R": ["*"], "ER_PRS_F": ["*"]}})");
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p1").status());
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM IR_BEN_R"), "990");
  ProjectRecord p = projects_->GetForHub("p1").value();
  auto k =
      crypto::HmacSha256::Create(keys_->UnwrapKey(p.wrapped_pseudonym_key, PseudonymKeyContext("p1")).value()).value();
  std::set<std::string> people = Column(*s, "SELECT BEN_NIR_PSA::VARCHAR FROM IR_BEN_R");
  std::set<std::string> claimants = Column(*s, "SELECT DISTINCT BEN_NIR_PSA::VARCHAR FROM ER_PRS_F");
  auto uuid = [](const std::array<uint8_t, 16>& b) {
    std::string h = HexEncode(ByteSpan(b.data(), b.size()));
    return h.substr(0, 8) + "-" + h.substr(8, 4) + "-" + h.substr(12, 4) + "-" + h.substr(16, 4) + "-" + h.substr(20);
  };
  auto p2_of = [](int i) {  // md5(i) as the fixture's P2 (DuckDB's md5 of the decimal text)
    std::string text = std::to_string(i);
    std::array<uint8_t, 16> out;
    unsigned int len = 0;
    EVP_Digest(text.data(), text.size(), out.data(), &len, EVP_md5(), nullptr);
    return out;
  };
  for (int i = 0; i < 1000; i += 100) {
    std::string p3 = uuid(sql::StageThree(*k, p2_of(i)));
    EXPECT_FALSE(people.contains(p3)) << "opted-out person " << i << " is in IR_BEN_R";
    EXPECT_FALSE(claimants.contains(p3)) << "opted-out person " << i << " is in ER_PRS_F";
  }
  EXPECT_TRUE(people.contains(uuid(sql::StageThree(*k, p2_of(1)))));
  EXPECT_FALSE(people.contains(uuid(p2_of(1)))) << "a P2 reached the workspace unchanged";
}

TEST_F(WorkspaceTest, TwoProjectsOnTheSamePopulationShareNoIdentifierValue) {
  const std::string scope =
      R"({"tables": {"IR_BEN_R": ["*"], "ER_PRS_F": ["*"], "ER_PHA_F": ["*"], "T_MCOaaC": ["*"]}})";
  CreateApproved("p1", scope);
  CreateApproved("p2", scope);
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p1").status());
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p2").status());
  ASSERT_OK_AND_ASSIGN(auto a, Session(rita_, "p1"));
  ASSERT_OK_AND_ASSIGN(auto b, Session(rita_, "p2"));
  for (const std::string& sql : {std::string("SELECT DISTINCT BEN_NIR_PSA::VARCHAR FROM ER_PRS_F"),
                                 std::string("SELECT DISTINCT DCT_ORD_NUM::VARCHAR FROM ER_PRS_F"),
                                 std::string("SELECT DISTINCT DCIR_LINE_KEY::VARCHAR FROM ER_PRS_F"),
                                 std::string("SELECT DISTINCT NIR_ANO_17::VARCHAR FROM T_MCOaaC"),
                                 std::string("SELECT DISTINCT RSA_NUM::VARCHAR FROM T_MCOaaC")}) {
    std::set<std::string> x = Column(*a, sql), y = Column(*b, sql);
    EXPECT_EQ(x.size(), y.size()) << sql;
    std::vector<std::string> shared;
    std::set_intersection(x.begin(), x.end(), y.begin(), y.end(), std::back_inserter(shared));
    EXPECT_TRUE(shared.empty()) << sql << " shares " << shared.size() << " values";
  }
  // Nor the order of their rows: the n-th row of one project is not the
  // n-th row of the other, so a row's position does not link them either.
  for (const std::string& sql :
       {std::string("SELECT string_agg(BEN_NAI_ANN::VARCHAR || BEN_SEX_COD::VARCHAR, ',') FROM IR_BEN_R"),
        std::string("SELECT string_agg(year(EXE_SOI_DTD)::VARCHAR, ',') FROM ER_PRS_F"),
        std::string("SELECT string_agg(PHA_PRS_C13::VARCHAR || FLX_EMT_NUM::VARCHAR, ',') FROM ER_PHA_F")}) {
    EXPECT_NE(Scalar(*a, sql), Scalar(*b, sql)) << sql;
  }
}

TEST_F(WorkspaceTest, ClaimLinesAreNumberedAndStoredByTheDrugTheyDispense) {
  CreateApproved("p1", R"({"tables": {"ER_PRS_F": ["EXE_SOI_DTD"], "ER_PHA_F": ["PHA_PRS_C13"]}})");
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p1").status());
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  // Stored in order: pharmacy rows by drug code, claim lines by line number
  // (a window without ORDER BY sees the rows as stored).
  EXPECT_EQ(Scalar(*s,
                   "SELECT count(*) FROM (SELECT PHA_PRS_C13 AS c, lag(PHA_PRS_C13) OVER () AS prev FROM ER_PHA_F) "
                   "WHERE c < prev"),
            "0");
  EXPECT_EQ(Scalar(*s,
                   "SELECT count(*) FROM (SELECT DCIR_LINE_KEY AS k, lag(DCIR_LINE_KEY) OVER () AS prev FROM "
                   "ER_PRS_F) WHERE k <= prev"),
            "0");
  // The lines of each drug form one range of numbers, in code order, before
  // the lines without a dispensation; numbers are 2^20 apart.
  EXPECT_EQ(Scalar(*s,
                   "WITH r AS (SELECT d.PHA_PRS_C13 AS c, min(p.DCIR_LINE_KEY) AS lo, max(p.DCIR_LINE_KEY) AS hi, "
                   "count(*) AS n FROM ER_PHA_F d JOIN ER_PRS_F p USING (DCIR_LINE_KEY) GROUP BY 1) "
                   "SELECT count(*) FILTER (WHERE hi - lo <> (n - 1) * 1048576) || ' ' || "
                   "count(*) FILTER (WHERE lo <= (SELECT max(hi) FROM r r2 WHERE r2.c < r.c)) || ' ' || count(*) "
                   "FROM r"),
            "0 0 3");
  EXPECT_EQ(Scalar(*s,
                   "SELECT min(DCIR_LINE_KEY) > (SELECT max(DCIR_LINE_KEY) FROM ER_PHA_F) FROM ER_PRS_F "
                   "WHERE DCIR_LINE_KEY NOT IN (SELECT DCIR_LINE_KEY FROM ER_PHA_F)"),
            "true");
}

TEST_F(WorkspaceTest, AClusteringColumnOutsideTheScopeDoesNotOrderTheWorkspace) {
  // PHA_PRS_C13 is not given: the claim lines must not be grouped by drug.
  CreateApproved("p1", R"({"tables": {"ER_PRS_F": ["EXE_SOI_DTD"], "ER_PHA_F": ["FLX_DIS_DTD"]}})");
  CreateApproved("p2", R"({"tables": {"ER_PRS_F": ["EXE_SOI_DTD"], "ER_PHA_F": ["PHA_PRS_C13"]}})");
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p1").status());
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p2").status());
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  // Lines with and without a dispensation interleave (ordered by person
  // only), where the clustered project puts every dispensed line first.
  const std::string interleaved =
      "SELECT count(*) > 0 FROM ER_PRS_F WHERE DCIR_LINE_KEY NOT IN (SELECT DCIR_LINE_KEY FROM ER_PHA_F) AND "
      "DCIR_LINE_KEY < (SELECT max(DCIR_LINE_KEY) FROM ER_PHA_F)";
  EXPECT_EQ(Scalar(*s, interleaved), "true");
  ASSERT_OK_AND_ASSIGN(auto c, Session(rita_, "p2"));
  EXPECT_EQ(Scalar(*c, interleaved), "false");
}

TEST_F(WorkspaceTest, OnlyApprovedProjectsAreBuiltAndOnlyByStaff) {
  ProjectSpec spec{.id = "draft",
                   .authorisation_ref = "R",
                   .purpose = "x",
                   .scope = ProjectScope::Parse(Scope()).value(),
                   .members = {"rita"},
                   .start = clock_.Now(),
                   .end = clock_.Now() + kDay};
  ASSERT_OK(projects_->Create(ops1_, Role::kOperator, spec));
  EXPECT_THAT(Builder().Build(ops1_, Role::kOperator, "draft"), StatusIs(StatusCode::kFailedPrecondition));
  CreateApproved("p1", Scope());
  EXPECT_THAT(Builder().Build(rita_, Role::kResearcher, "p1"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(Last().event.outcome, audit::Outcome::kDenied);
  EXPECT_EQ(Last().event.action, "workspace.build");
}

TEST_F(WorkspaceTest, UnknownColumnLeavesNoWorkspaceAndNoObject) {
  CreateApproved("p1", R"({"tables": {"ER_PRS_F": ["NOT_A_COLUMN"]}})");
  size_t before = host_.List("").value().size();
  EXPECT_THAT(Builder().Build(ops1_, Role::kOperator, "p1"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("NOT_A_COLUMN")));
  EXPECT_EQ(host_.List("").value().size(), before);
  EXPECT_EQ(projects_->Workspaces("p1").value().at(0).state, WorkspaceState::kDiscarded);
  EXPECT_THAT(Session(rita_, "p1"), StatusIs(StatusCode::kNotFound));
}

TEST_F(WorkspaceTest, SessionsAreRefusedToNonMembersAndOutsideTheWindowWithAnAuditEvent) {
  CreateApproved("p1", Scope());
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p1").status());
  EXPECT_THAT(Session(rob_, "p1"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(Last().event.action, "project.access");
  EXPECT_EQ(Last().event.outcome, audit::Outcome::kDenied);
  EXPECT_THAT(Session(ops1_, "p1"), StatusIs(StatusCode::kPermissionDenied));  // staff are not members
  clock_.Advance(31 * kDay);
  EXPECT_THAT(Session(rita_, "p1"), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("ended")));
  EXPECT_EQ(Last().event.action, "project.access");
}

TEST_F(WorkspaceTest, ASessionReachesNothingButItsWorkspaceAndLogsEveryQuery) {
  CreateApproved("p1", Scope());
  CreateApproved("p2", Scope());
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p1").status());
  ASSERT_OK_AND_ASSIGN(BuildResult other, Builder().Build(ops1_, Role::kOperator, "p2"));
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  std::string foreign = "hdhub://" + WorkspacePrefix("p2", other.build) + "IR_BEN_R.parquet";
  const std::string local = (dir_.path() / "out.csv").string();
  for (const std::string& sql : std::vector<std::string>{
           "SELECT * FROM '" + foreign + "'", "SELECT * FROM read_csv('/etc/passwd')",
           "SELECT * FROM read_text('/etc/passwd')", "SELECT * FROM read_blob('/etc/passwd')",
           "SELECT * FROM glob('/etc/*')", "SELECT * FROM '/etc/passwd'",
           "SELECT * FROM read_csv('file:///etc/passwd')",
           "SELECT * FROM 'hdhub://datasets/IR_BEN_R/v1/part-0.parquet'", "ATTACH ':memory:' AS x",
           "ATTACH '" + local + "' AS y", "COPY ER_PRS_F TO '" + local + "'",
           "COPY ER_PRS_F TO 'hdhub://projects/p1/ws1/x.parquet'", "EXPORT DATABASE '" + local + "'", "INSTALL httpfs",
           "LOAD httpfs", "SET threads = 8", "RESET memory_limit", "SET enable_external_access = true"}) {
    // Refused (a permission error, or for FROM '/etc/passwd' no such table),
    // and the attempt is in the log.
    EXPECT_FALSE(s->Query(sql).ok()) << sql;
    EXPECT_EQ(Last().event.action, "query.run");
    EXPECT_NE(Last().event.outcome, audit::Outcome::kSuccess) << sql;
    EXPECT_EQ(Last().event.project, "p1");
  }
  EXPECT_FALSE(std::filesystem::exists(local));
  EXPECT_OK(s->Query("SELECT count(*) FROM ER_PRS_F").status());
  EXPECT_EQ(Last().event.details["rows"], 1);
}

TEST_F(WorkspaceTest, ACrossJoinBombIsCancelledAndAudited) {
  CreateApproved("p1", Scope());
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p1").status());
  ASSERT_OK_AND_ASSIGN(auto s, ProjectSession::Open({projects_.get(), keys_.get(), sealed_.get(), &log_, &clock_,
                                                     (dir_.path() / "tmp").string(), catalog_.get()},
                                                    rita_, "p1", {.timeout = std::chrono::milliseconds(500)}));
  EXPECT_THAT(s->Query("SELECT sum(a.PRS_PAI_MNT * b.PRS_PAI_MNT * c.PRS_PAI_MNT * d.PRS_PAI_MNT) "
                       "FROM ER_PRS_F a, ER_PRS_F b, ER_PRS_F c, ER_PRS_F d"),
              StatusIs(StatusCode::kDeadlineExceeded));
  EXPECT_EQ(Last().event.action, "query.run");
  EXPECT_EQ(Last().event.outcome, audit::Outcome::kError);
  EXPECT_EQ(Last().event.details["code"], "DEADLINE_EXCEEDED");
}

TEST_F(WorkspaceTest, ARebuildFromTheSameVersionsGivesTheSameExtract) {
  CreateApproved("p1", Scope());
  ASSERT_OK_AND_ASSIGN(BuildResult first, Builder().Build(ops1_, Role::kOperator, "p1"));
  const std::string digest = "SELECT md5(string_agg(t::VARCHAR, '|' ORDER BY t::VARCHAR)) FROM ";
  std::map<std::string, std::string> before;
  {
    ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
    for (const std::string& t : s->tables()) before[t] = Scalar(*s, digest + t + " t");
  }
  ASSERT_OK_AND_ASSIGN(BuildResult second, Builder().Build(ops1_, Role::kOperator, "p1"));
  EXPECT_NE(first.build, second.build);
  EXPECT_EQ(first.provenance_json, second.provenance_json);
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  for (const auto& [t, d] : before) EXPECT_EQ(Scalar(*s, digest + t + " t"), d) << t;
}

TEST_F(WorkspaceTest, ExpiryShredsTheWorkspaceForGood) {
  CreateApproved("p1", Scope());
  ASSERT_OK_AND_ASSIGN(BuildResult built, Builder().Build(ops1_, Role::kOperator, "p1"));
  WorkspaceRecord ws = projects_->LatestReadyWorkspace("p1").value();
  // Someone keeps a copy of the sealed objects (the host, a backup).
  std::map<std::string, Bytes> copies;
  for (const WorkspaceObject& o : ws.objects) copies[o.logical_name] = host_.Get(o.object_name).value();
  Shredder shredder(projects_.get(), sealed_.get(), &log_, &clock_);
  EXPECT_THAT(shredder.Sweep(rita_), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK_AND_ASSIGN(auto none, shredder.Sweep(ops1_));
  EXPECT_TRUE(none.empty());  // not ended yet
  clock_.Advance(31 * kDay);
  ASSERT_OK_AND_ASSIGN(auto shredded, shredder.Sweep(ops1_));
  EXPECT_EQ(shredded, std::vector<std::string>{"p1"});
  EXPECT_EQ(Last().event.action, "project.sweep");
  EXPECT_EQ(Last().event.details["shredded"], 1);
  EXPECT_EQ(Last(1).event.action, "project.shred");
  for (const WorkspaceObject& o : ws.objects) EXPECT_THAT(host_.Get(o.object_name), StatusIs(StatusCode::kNotFound));
  ProjectRecord p = projects_->GetForHub("p1").value();
  EXPECT_EQ(p.state, ProjectState::kExpired);
  EXPECT_TRUE(p.wrapped_pseudonym_key.empty());
  EXPECT_TRUE(projects_->Workspaces("p1").value().at(0).wrapped_dek.empty());
  // Put the copies back: no key the hub still holds opens them.
  for (const auto& [name, bytes] : copies) ASSERT_OK(host_.Put(sealed_->ObjectNameFor(name), bytes));
  std::vector<SecretBytes> hub_keys;
  std::vector<catalog::DatasetRecord> datasets = catalog_->ListDatasets().value();
  for (const auto& d : datasets) {
    auto v = catalog_->LatestCommittedVersion(d.name).value().version;
    hub_keys.push_back(keys_->UnwrapKey(v.wrapped_dek, ingest::DataKeyContext(d.name, v.version)).value());
  }
  for (const auto& [name, bytes] : copies) {
    for (const SecretBytes& key : hub_keys) EXPECT_FALSE(sealed_->Get(name, key).ok()) << name;
  }
  EXPECT_THAT(Session(rita_, "p1"), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(WorkspaceTest, CloseShredsAtOnceAndARebuildRetiresTheOldWorkspace) {
  CreateApproved("p1", Scope());
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p1").status());
  ASSERT_OK_AND_ASSIGN(BuildResult second, Builder().Build(ops1_, Role::kOperator, "p1"));
  auto all = projects_->Workspaces("p1").value();
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].state, WorkspaceState::kShredded);
  EXPECT_EQ(all[1].state, WorkspaceState::kReady);
  Shredder shredder(projects_.get(), sealed_.get(), &log_, &clock_);
  EXPECT_THAT(shredder.Close(rita_, "p1"), StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK(shredder.Close(ops1_, "p1"));
  EXPECT_EQ(projects_->GetForHub("p1")->state, ProjectState::kClosed);
  EXPECT_THAT(Session(rita_, "p1"), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("closed")));
}

}  // namespace
}  // namespace hdhub::projects
