// The PG wire's engine over a project session (Service::OpenPgEngine): the
// session's opening checks, statements prepared and run with parameters,
// each checked, sandboxed and audited, and only the workspace's tables listed.
#include "duckdb.hpp"
#include "hdhub/pgwire/session.h"
#include "hdhub/service/service_test_util.h"

namespace hdhub::service {
namespace {

using directory::Role;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

class PgEngineTest : public ServiceTest {
 protected:
  void SetUp() override {
    ServiceTest::SetUp();
    AddAccount("oscar", {Role::kOperator});
    AddAccount("rita", {Role::kResearcher});
    AddAccount("remi", {Role::kResearcher});
    ASSERT_OK(
        IngestRows("IR_BEN_R", {"ABCDEFGHIJKLMNOP1,1,1970", "ABCDEFGHIJKLMNOP2,2,1980", "ABCDEFGHIJKLMNOP3,2,1990"})
            .status());
    ASSERT_OK(svc_->CreateProject(ctx("olga"), Spec("p1", {"rita"})));
    ASSERT_OK(svc_->ApproveProject(ctx("olga"), "p1").status());
    ASSERT_OK(svc_->ApproveProject(ctx("oscar"), "p1").status());
    ASSERT_OK(svc_->BuildWorkspace(ctx("olga"), "p1").status());
  }

  // Every value of every row of `rows`, as text, row by row.
  static std::vector<std::string> Read(pgwire::Rows& rows) {
    std::vector<std::string> out;
    while (true) {
      StatusOr<std::unique_ptr<duckdb::DataChunk>> chunk = rows.Next();
      EXPECT_OK(chunk.status());
      if (!chunk.ok() || !*chunk) break;
      for (size_t r = 0; r < (*chunk)->size(); ++r) {
        std::string line;
        for (size_t c = 0; c < (*chunk)->ColumnCount(); ++c) {
          line += (c ? "|" : "") + (*chunk)->GetValue(c, r).ToString();
        }
        out.push_back(line);
      }
    }
    return out;
  }

  size_t QueryEvents(uint64_t from, audit::Outcome outcome) {
    size_t n = 0;
    for (const audit::Entry& e : EntriesSince(from)) n += e.event.action == "query.run" && e.event.outcome == outcome;
    return n;
  }
};

TEST_F(PgEngineTest, PreparesDescribesAndRunsWithParametersEachRunAudited) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Engine> engine, svc_->OpenPgEngine(ctx("rita"), "p1", {}));
  const uint64_t before = LogSize();
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> p,
                       engine->Prepare("SELECT BEN_SEX_COD, count(*) AS n FROM IR_BEN_R WHERE BEN_SEX_COD = $1 "
                                       "GROUP BY ALL"));
  EXPECT_THAT(p->description().names, ElementsAre("BEN_SEX_COD", "n"));
  EXPECT_EQ(p->description().types[1], duckdb::LogicalType::BIGINT);
  ASSERT_EQ(p->description().parameters.size(), 1u);
  EXPECT_EQ(QueryEvents(before, audit::Outcome::kSuccess), 0u) << "describing runs nothing";

  for (int sex : {1, 2}) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Rows> rows, engine->Execute(*p, {duckdb::Value::INTEGER(sex)}));
    EXPECT_THAT(Read(*rows), ElementsAre(std::to_string(sex) + "|" + (sex == 1 ? "1" : "2")));
  }
  EXPECT_EQ(QueryEvents(before, audit::Outcome::kSuccess), 2u) << "each run is one query.run event";
  for (const audit::Entry& e : EntriesSince(before)) {
    EXPECT_EQ(e.event.details.dump().find("ABCDEFGHIJKLMNOP"), std::string::npos);
  }
}

TEST_F(PgEngineTest, ListsTheWorkspaceTablesOnly) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Engine> engine, svc_->OpenPgEngine(ctx("rita"), "p1", {}));
  ASSERT_OK_AND_ASSIGN(std::vector<pgwire::TableInfo> tables, engine->Tables());
  std::vector<std::string> names;
  for (const pgwire::TableInfo& t : tables) {
    names.push_back(t.name);
    EXPECT_EQ(t.name.find("hdhub_private"), std::string::npos);
  }
  EXPECT_THAT(names, ::testing::Contains("IR_BEN_R"));
  for (const pgwire::TableInfo& t : tables) {
    if (t.name != "IR_BEN_R") continue;
    ASSERT_FALSE(t.columns.empty());
    for (const pgwire::ColumnInfo& c : t.columns) EXPECT_NE(c.name, "BEN_NAI_ANN") << "outside the scope";
  }
}

TEST_F(PgEngineTest, RefusesWhatTheSandboxRefusesAndAuditsIt) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Engine> engine, svc_->OpenPgEngine(ctx("rita"), "p1", {}));
  const uint64_t before = LogSize();
  EXPECT_THAT(engine->Prepare("SELECT * FROM read_parquet('hdhub://anything.parquet')"),
              testing::StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(QueryEvents(before, audit::Outcome::kDenied), 1u);
}

TEST_F(PgEngineTest, OnlyAMemberOpensAndARemovedMemberStopsAtTheNextStatement) {
  EXPECT_THAT(svc_->OpenPgEngine(ctx("remi"), "p1", {}), testing::StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(svc_->OpenPgEngine(ctx("rita"), "nope", {}), testing::StatusIs(StatusCode::kPermissionDenied));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Engine> engine, svc_->OpenPgEngine(ctx("rita"), "p1", {}));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> p, engine->Prepare("SELECT count(*) FROM IR_BEN_R"));
  ASSERT_OK(svc_->DisableUser(ctx("olga"), "rita"));
  EXPECT_THAT(engine->Execute(*p, {}), testing::StatusIs(StatusCode::kUnauthenticated));
  EXPECT_THAT(engine->Prepare("SELECT 1"), testing::StatusIs(StatusCode::kUnauthenticated));
}

TEST_F(PgEngineTest, CancelStopsTheRunningStatement) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Engine> engine, svc_->OpenPgEngine(ctx("rita"), "p1", {}));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> p,
                       engine->Prepare("SELECT count(*) FROM range(100000000000) a WHERE a.range % 7 = 3"));
  std::atomic<bool> stop = false;
  std::thread canceller([&] {
    while (!stop) {
      engine->Cancel();
      std::this_thread::sleep_for(std::chrono::milliseconds(20));
    }
  });
  StatusOr<std::unique_ptr<pgwire::Rows>> rows = engine->Execute(*p, {});
  stop = true;
  canceller.join();
  EXPECT_THAT(rows, testing::StatusIs(StatusCode::kCancelled));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> again, engine->Prepare("SELECT 42"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Rows> r, engine->Execute(*again, {}));
  EXPECT_THAT(Read(*r), ElementsAre("42"));
}

// A result larger than what the engine reads ahead streams: a query.start
// event is durable before the first row is handed on, query.run (with every
// row counted) follows at the end, and the rows come in order.
TEST_F(PgEngineTest, ALargeResultIsAnnouncedThenStreamsAndIsLoggedAtItsEnd) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Engine> engine,
                       svc_->OpenPgEngine(ctx("rita"), "p1", {.max_rows = 0, .max_bytes = 0}));
  const uint64_t before = LogSize();
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> p,
                       engine->Prepare("SELECT range AS i, repeat('x', 200) AS pad FROM range(300000)"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Rows> rows, engine->Execute(*p, {}));
  auto actions = [&] {
    std::vector<std::string> out;
    for (const audit::Entry& e : EntriesSince(before)) out.push_back(e.event.action);
    return out;
  };
  EXPECT_THAT(actions(), ElementsAre("query.start")) << "announced, durable, before any row is handed on";
  uint64_t n = 0;
  int64_t expected = 0;
  while (true) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<duckdb::DataChunk> chunk, rows->Next());
    if (!chunk) break;
    for (size_t r = 0; r < chunk->size(); ++r, ++n) ASSERT_EQ(chunk->GetValue(0, r).GetValue<int64_t>(), expected++);
  }
  EXPECT_EQ(n, 300000u);
  EXPECT_THAT(actions(), ElementsAre("query.start", "query.run"));
  const std::vector<audit::Entry> entries = EntriesSince(before);
  EXPECT_EQ(entries.back().event.outcome, audit::Outcome::kSuccess);
  EXPECT_EQ(entries.back().event.details.value("rows", 0), 300000);
  EXPECT_EQ(entries.front().event.details, nlohmann::json({{"tables", nlohmann::json::array()}}))
      << "what the statement reads, never a value";
}

// A small result is read whole and logged before it is handed on: one event.
TEST_F(PgEngineTest, ASmallResultIsLoggedOnceBeforeItIsHandedOn) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Engine> engine, svc_->OpenPgEngine(ctx("rita"), "p1", {}));
  const uint64_t before = LogSize();
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> p, engine->Prepare("SELECT count(*) FROM IR_BEN_R"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Rows> rows, engine->Execute(*p, {}));
  ASSERT_EQ(EntriesSince(before).size(), 1u);
  EXPECT_EQ(EntriesSince(before)[0].event.action, "query.run");
  EXPECT_THAT(Read(*rows), ElementsAre("3"));
}

// A simple Query's statement (PrepareToRun) is checked, started and described
// at once, as Prepare describes it, and its Execute runs that start: one
// query.run. Dropped without an Execute, it ends as cancelled, logged, and
// the session's next statement runs. A refused one is refused there, audited.
TEST_F(PgEngineTest, AStatementPreparedToRunStartsAtOnceAndIsDescribedAsPrepareDescribesIt) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Engine> engine, svc_->OpenPgEngine(ctx("rita"), "p1", {}));
  const std::string sql = "SELECT BEN_SEX_COD, count(*) AS n FROM IR_BEN_R GROUP BY ALL ORDER BY 1";
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> described, engine->Prepare(sql));
  uint64_t before = LogSize();
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> p, engine->PrepareToRun(sql));
  const pgwire::Description& d = p->description();
  EXPECT_EQ(d.names, described->description().names);
  EXPECT_EQ(d.types, described->description().types);
  EXPECT_TRUE(d.returns_rows);
  EXPECT_EQ(d.tag, "SELECT");
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Rows> rows, engine->Execute(*p, {}));
  EXPECT_THAT(Read(*rows), ElementsAre("1|1", "2|2"));
  EXPECT_EQ(EntriesSince(before).size(), 1u);
  EXPECT_EQ(QueryEvents(before, audit::Outcome::kSuccess), 1u);

  before = LogSize();
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> dropped, engine->PrepareToRun(sql));
  dropped.reset();
  size_t cancelled = 0;
  for (const audit::Entry& e : EntriesSince(before)) {
    cancelled += e.event.action == "query.run" && e.event.details.value("code", "") == "CANCELLED";
  }
  EXPECT_EQ(cancelled, 1u);
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> next, engine->PrepareToRun("SELECT count(*) FROM IR_BEN_R"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Rows> counted, engine->Execute(*next, {}));
  EXPECT_THAT(Read(*counted), ElementsAre("3"));

  before = LogSize();
  EXPECT_THAT(engine->PrepareToRun("SELECT * FROM read_parquet('hdhub://anything.parquet')"),
              testing::StatusIs(StatusCode::kPermissionDenied));
  EXPECT_EQ(QueryEvents(before, audit::Outcome::kDenied), 1u);
}

// A portal left suspended while another statement runs keeps its rows: the
// engine reads the rest into memory first (one connection, one stream); a
// portal the client drops ends its statement, logged as cancelled.
TEST_F(PgEngineTest, ASuspendedStreamKeepsItsRowsWhenAnotherStatementRuns) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Engine> engine, svc_->OpenPgEngine(ctx("rita"), "p1", {}));
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> big,
                       engine->Prepare("SELECT range AS i, repeat('y', 200) AS pad FROM range(100000)"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Rows> first, engine->Execute(*big, {}));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<duckdb::DataChunk> head, first->Next());
  ASSERT_NE(head, nullptr);
  uint64_t n = head->size();
  ASSERT_OK_AND_ASSIGN(std::shared_ptr<pgwire::Prepared> small, engine->Prepare("SELECT count(*) FROM IR_BEN_R"));
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Rows> second, engine->Execute(*small, {}));
  EXPECT_THAT(Read(*second), ElementsAre("3"));
  while (true) {
    ASSERT_OK_AND_ASSIGN(std::unique_ptr<duckdb::DataChunk> chunk, first->Next());
    if (!chunk) break;
    n += chunk->size();
  }
  EXPECT_EQ(n, 100000u);

  const uint64_t before = LogSize();
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Rows> dropped, engine->Execute(*big, {}));
  dropped.reset();
  size_t cancelled = 0;
  for (const audit::Entry& e : EntriesSince(before)) {
    cancelled += e.event.action == "query.run" && e.event.details.value("code", "") == "CANCELLED";
  }
  EXPECT_EQ(cancelled, 1u);
}

// psql's \dt and \d, as psql 15 sends them, over the project's engine:
// the catalog layer lists the workspace's tables and their columns.
TEST_F(PgEngineTest, PsqlsCatalogQueriesListTheWorkspace) {
  ASSERT_OK_AND_ASSIGN(std::unique_ptr<pgwire::Engine> engine, svc_->OpenPgEngine(ctx("rita"), "p1", {}));
  pgwire::ProtocolSession session(*engine);
  Bytes out;
  ASSERT_OK(session.Start({{"user", "rita"}, {"database", "p1"}}, out));
  out.clear();
  const Bytes query = pgwire::EncodeFrontend(pgwire::Query{
      "SELECT n.nspname as \"Schema\",\n  c.relname as \"Name\",\n  CASE c.relkind WHEN 'r' THEN 'table' WHEN 'v' "
      "THEN 'view' END as \"Type\",\n  pg_catalog.pg_get_userbyid(c.relowner) as \"Owner\"\nFROM "
      "pg_catalog.pg_class c\n     LEFT JOIN pg_catalog.pg_namespace n ON n.oid = c.relnamespace\n     LEFT JOIN "
      "pg_catalog.pg_am am ON am.oid = c.relam\nWHERE c.relkind IN ('r','p','')\n      AND n.nspname <> "
      "'pg_catalog'\n      AND n.nspname !~ '^pg_toast'\n      AND n.nspname <> 'information_schema'\n  AND "
      "pg_catalog.pg_table_is_visible(c.oid)\nORDER BY 1,2;"});
  session.Handle(char(query[0]), ByteSpan(query).subspan(5), out);
  const std::string text(reinterpret_cast<const char*>(out.data()), out.size());
  EXPECT_FALSE(session.closed());
  EXPECT_NE(text.find("IR_BEN_R"), std::string::npos) << text;
  EXPECT_EQ(text.find("hdhub_private"), std::string::npos) << text;
}

}  // namespace
}  // namespace hdhub::service
