// Opt-outs (issue 14, hole 2): lists accumulate, only a withdrawal list
// re-admits, and a workspace built before someone opted out stops showing
// them at its next statement, in every table, without a rebuild; the views
// that hide them are the only way to the rows.
#include "hdhub/projects/data_dictionary.h"
#include "hdhub/projects/workspace_fixture.h"

namespace hdhub::projects {
namespace {

using directory::Role;
using ::hdhub::testing::StatusIs;

class OptOutTest : public WorkspaceFixture {
 protected:
  // A list naming the people `ids` ("1, 2"), committed a minute after the last.
  void OptOut(const std::string& ids, bool withdrawal = false) {
    clock_.Advance(std::chrono::minutes(1));
    WriteDataset(std::string(withdrawal ? ingest::kOptOutWithdrawalDataset : ingest::kOptOutDataset),
                 "SELECT " + P2("i") + " AS BEN_NIR_PSA FROM (SELECT unnest([" + ids + "]) AS i)");
  }
  std::string People(const std::string& project) {
    EXPECT_OK(Builder().Build(ops1_, Role::kOperator, project).status());
    StatusOr<std::unique_ptr<ProjectSession>> s = Session(rita_, project);
    EXPECT_OK(s.status());
    return s.ok() ? Scalar(**s, "SELECT count(*) FROM IR_BEN_R") : "?";
  }
  // Rows per table of people's data, as "IR_BEN_R=990 ER_PRS_F=…" (the data dictionary aside).
  std::string Counts(ProjectSession& s) {
    std::string out;
    for (const std::string& t : std::set<std::string>(s.tables().begin(), s.tables().end())) {
      if (t != kColumnsTable) out += t + "=" + Scalar(s, "SELECT count(*) FROM " + t) + " ";
    }
    return out;
  }
};

TEST_F(OptOutTest, ALaterListReadmitsNobodyAndOnlyAWithdrawalDoes) {
  CreateApproved("p1", R"({"tables": {"IR_BEN_R": ["*"]}})");
  EXPECT_EQ(People("p1"), "990");  // the fixture's list: 0, 100, …, 900
  OptOut("1, 2");                  // a later list without the earlier ten
  EXPECT_EQ(People("p1"), "988");
  OptOut("100", /*withdrawal=*/true);
  EXPECT_EQ(People("p1"), "989");
  OptOut("100, 1, 2");  // 100 objects again, after the withdrawal
  EXPECT_EQ(People("p1"), "988");
  // A withdrawal and an opt-out at the same instant: the person stays out.
  WriteDataset(std::string(ingest::kOptOutWithdrawalDataset), "SELECT " + P2("3") + " AS BEN_NIR_PSA");
  WriteDataset(std::string(ingest::kOptOutDataset), "SELECT " + P2("3") + " AS BEN_NIR_PSA");
  EXPECT_EQ(People("p1"), "987");
}

TEST_F(OptOutTest, AWorkspaceBuiltBeforeAnOptOutHidesThePersonAtTheNextStatementInEveryTable) {
  // p1 has every table; p2 only detail tables, whose parents it cannot see.
  CreateApproved("p1", R"({"tables": {"IR_BEN_R": ["*"], "ER_PRS_F": ["*"], "ER_PHA_F": ["*"],
                                      "T_MCOaaC": ["*"], "T_MCOaaB": ["*"]}})");
  CreateApproved("p2", R"({"tables": {"ER_PHA_F": ["*"], "T_MCOaaB": ["*"]}})");
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p1").status());
  ASSERT_OK(Builder().Build(ops1_, Role::kOperator, "p2").status());
  ASSERT_OK_AND_ASSIGN(auto a, Session(rita_, "p1"));
  ASSERT_OK_AND_ASSIGN(auto b, Session(rita_, "p2"));
  EXPECT_EQ(Counts(*a), "ER_PHA_F=2470 ER_PRS_F=4950 IR_BEN_R=990 T_MCOaaB=1980 T_MCOaaC=1980 ");
  EXPECT_EQ(Counts(*b), "ER_PHA_F=2470 T_MCOaaB=1980 ");
  // Persons 1 and 3 opt out: one person row each, 5 claim lines each (2
  // with a pharmacy detail: lines 6, 8 and 16, 18), 2 stays each.
  OptOut("0, 100, 200, 300, 400, 500, 600, 700, 800, 900, 1, 3");
  EXPECT_EQ(Counts(*a), "ER_PHA_F=2466 ER_PRS_F=4940 IR_BEN_R=988 T_MCOaaB=1976 T_MCOaaC=1976 ");
  EXPECT_EQ(Counts(*b), "ER_PHA_F=2466 T_MCOaaB=1976 ");
  EXPECT_EQ(projects_->Workspaces("p1").value().size(), 1u);
  // Joins see the same rows; a new session too.
  EXPECT_EQ(Scalar(*a, "SELECT count(*) FROM ER_PHA_F JOIN ER_PRS_F USING (DCIR_LINE_KEY)"), "2466");
  ASSERT_OK_AND_ASSIGN(auto c, Session(rita_, "p1"));
  EXPECT_EQ(Counts(*c), "ER_PHA_F=2466 ER_PRS_F=4940 IR_BEN_R=988 T_MCOaaB=1976 T_MCOaaC=1976 ");
  // A withdrawal shows person 3 again at the next statement (the build had them).
  OptOut("3", /*withdrawal=*/true);
  EXPECT_EQ(Scalar(*a, "SELECT count(*) FROM IR_BEN_R"), "989");
  EXPECT_EQ(Scalar(*b, "SELECT count(*) FROM ER_PHA_F"), "2468");
}

TEST_F(OptOutTest, TheViewsAreTheOnlyWayToTheRows) {
  CreateApproved("p1", R"({"tables": {"ER_PHA_F": ["*"], "IR_BEN_R": ["*"]}})");
  ASSERT_OK_AND_ASSIGN(BuildResult built, Builder().Build(ops1_, Role::kOperator, "p1"));
  OptOut("1");
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  const std::string object = "'hdhub://" + WorkspacePrefix("p1", built.build) + "IR_BEN_R.parquet'";
  for (const std::string& sql : std::vector<std::string>{
           "SELECT count(*) FROM " + object,
           "SELECT count(*) FROM read_parquet(" + object + ")",
           "SELECT count(*) FROM parquet_scan([" + object + "])",
           "SELECT (SELECT count(*) FROM " + object + ")",
           "WITH x AS (SELECT * FROM " + object + ") SELECT count(*) FROM x",
           "SELECT count(*) FROM IR_BEN_R, LATERAL (SELECT * FROM read_parquet(" + object + ")) y",
           "SELECT * FROM query('SELECT 1')",
           "SELECT * FROM query_table('IR_BEN_R')",
           "DESCRIBE " + object,
           "SELECT * FROM hdhub_private_opted_out",
           "SELECT * FROM temp.main.hdhub_private_opted_out",
           "SELECT * FROM hdhub_private_keys_ER_PRS_F",
           "SELECT * FROM duckdb_views()",
           "CREATE TEMP VIEW v AS SELECT * FROM " + object,
           "EXPLAIN SELECT 1",
       }) {
    EXPECT_THAT(s->Query(sql), StatusIs(StatusCode::kPermissionDenied)) << sql;
    EXPECT_EQ(Last().event.action, "query.run") << sql;
    EXPECT_EQ(Last().event.outcome, audit::Outcome::kDenied) << sql;
  }
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM IR_BEN_R"), "989");
  EXPECT_EQ(Scalar(*s, "SELECT count(*) FROM range(3) r, (SELECT 1) s"), "3");
  EXPECT_EQ(Scalar(*s, "WITH x AS (SELECT * FROM ER_PHA_F) SELECT count(*) FROM x"), "2468");
  EXPECT_EQ(std::set<std::string>(s->tables().begin(), s->tables().end()),
            (std::set<std::string>{"ER_PHA_F", "IR_BEN_R", "hdhub_columns"}));
}

// The guard remembers recent verdicts (sql_guard.h): a statement repeated,
// between others, after many others (forgotten) or differing by one
// character gets the same verdict as the first time, each refusal audited.
TEST_F(OptOutTest, ARepeatedStatementGetsTheSameVerdictEveryTime) {
  CreateApproved("p1", R"({"tables": {"IR_BEN_R": ["*"]}})");
  ASSERT_OK_AND_ASSIGN(BuildResult built, Builder().Build(ops1_, Role::kOperator, "p1"));
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  const std::string object = "'hdhub://" + WorkspacePrefix("p1", built.build) + "IR_BEN_R.parquet'";
  const std::string refused = "SELECT count(*) FROM " + object;
  const std::string allowed = "SELECT count(*) FROM IR_BEN_R";
  auto expect_refused = [&](const std::string& sql) {
    const uint64_t before = log_.Size();
    EXPECT_THAT(s->Query(sql), StatusIs(StatusCode::kPermissionDenied)) << sql;
    EXPECT_EQ(log_.Size(), before + 1) << sql;
    EXPECT_EQ(Last().event.outcome, audit::Outcome::kDenied) << sql;
  };
  for (int round = 0; round < 3; ++round) {
    expect_refused(refused);
    EXPECT_EQ(Scalar(*s, allowed), "990");
    EXPECT_THAT(s->Query("SELECT * FROM query_table('IR_BEN_R')"), StatusIs(StatusCode::kPermissionDenied));
  }
  // More distinct statements than the guard remembers, then the first again.
  for (int i = 0; i < 40; ++i) EXPECT_EQ(Scalar(*s, "SELECT " + std::to_string(i)), std::to_string(i));
  expect_refused(refused);
  EXPECT_EQ(Scalar(*s, allowed), "990");
  // One character apart: each checked on its own.
  expect_refused("SELECT count(*) FROM " + object + " ");
  EXPECT_EQ(Scalar(*s, allowed + " "), "990");
  // Text too long to be remembered is checked every time.
  const std::string padded = refused + std::string(5000, ' ');
  expect_refused(padded);
  expect_refused(padded);
}

}  // namespace
}  // namespace hdhub::projects
