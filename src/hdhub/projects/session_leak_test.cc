// A researcher's session shows nothing about the machine it runs on (issue
// 14, hole 6): no setting, no system table function and no error names a
// path of the hub (its directory, its temporary folders), the home
// directory, the system's temporary directory, the working directory or the
// host name. Checked as a class: every setting and every table function that
// takes no argument, whatever DuckDB adds in a later version.
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <set>

#include "hdhub/projects/session.h"
#include "hdhub/projects/workspace_fixture.h"

namespace hdhub::projects {
namespace {

namespace fs = std::filesystem;

class SessionLeakTest : public WorkspaceFixture {
 protected:
  void SetUp() override {
    WorkspaceFixture::SetUp();
    CreateApproved("p1", R"({"tables": {"IR_BEN_R": ["*"]}})");
    ASSERT_OK(Builder().Build(ops1_, directory::Role::kOperator, "p1").status());
    auto add = [this](std::string what) {
      while (what.size() > 1 && what.back() == '/') what.pop_back();
      if (what.size() > 1) machine_.push_back(what);
    };
    add(dir_.path().string());
    add(fs::weakly_canonical(dir_.path()).string());
    add(fs::current_path().string());
    add("/tmp");
    for (const char* variable : {"HOME", "TMPDIR", "USER"}) {
      const char* value = std::getenv(variable);
      if (value != nullptr && std::string(value).size() >= 4) add(value);
    }
    char host[256] = {};
    if (::gethostname(host, sizeof host - 1) == 0 && std::string(host).size() >= 6) add(host);
  }

  // The first piece of machine information `text` holds, or "".
  std::string MachineInfoIn(const std::string& text) const {
    for (const std::string& m : machine_) {
      if (text.find(m) != std::string::npos) return m;
    }
    return "";
  }

  // Runs `sql`; every cell of the result, or the error, must hold no
  // machine information.
  void ExpectNothingOfTheMachine(ProjectSession& s, const std::string& sql) {
    StatusOr<sql::QueryResult> r = s.Query(sql);
    if (!r.ok()) {
      EXPECT_EQ(MachineInfoIn(std::string(r.status().message())), "") << sql << " refused with: " << r.status();
      return;
    }
    for (const auto& row : r->rows) {
      for (const auto& cell : row) {
        if (!cell) continue;
        EXPECT_EQ(MachineInfoIn(*cell), "") << sql << " shows " << *cell;
      }
    }
  }

  // The names a plain DuckDB instance lists (the session itself may refuse
  // the listing: what it refuses it shows nothing of, and each name is still
  // tried in the session).
  static std::set<std::string> Listed(const std::string& sql) {
    std::set<std::string> out;
    StatusOr<std::unique_ptr<sql::Database>> db = sql::Database::Open(nullptr);
    EXPECT_TRUE(db.ok()) << db.status();
    if (!db.ok()) return out;
    StatusOr<sql::QueryResult> r = (*db)->Query(sql);
    EXPECT_TRUE(r.ok()) << sql << ": " << r.status();
    if (!r.ok()) return out;
    for (const auto& row : r->rows) out.insert(row.at(0).value_or("NULL"));
    return out;
  }

  std::vector<std::string> machine_;
};

TEST_F(SessionLeakTest, NoSettingShowsAPathOrNameOfTheMachine) {
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  ExpectNothingOfTheMachine(*s, "SELECT name, value FROM duckdb_settings()");
  const std::set<std::string> names = Listed("SELECT name FROM duckdb_settings()");
  ASSERT_TRUE(names.contains("home_directory"));
  for (const std::string& name : names) {
    ExpectNothingOfTheMachine(*s, "SELECT current_setting(" + sql::QuoteLiteral(name) + ")");
  }
  for (const char* sql : {"PRAGMA database_list", "SELECT * FROM pragma_database_list()",
                          "SELECT current_setting('temp_directory')", "SELECT current_setting('home_directory')",
                          "SELECT current_setting('extension_directory')", "SELECT getenv('HOME')"}) {
    ExpectNothingOfTheMachine(*s, sql);
  }
}

TEST_F(SessionLeakTest, NoSystemTableFunctionShowsAPathOrNameOfTheMachine) {
  ASSERT_OK_AND_ASSIGN(auto s, Session(rita_, "p1"));
  // Spill something first, so duckdb_temporary_files() has rows to show.
  ASSERT_OK(s->Query("SELECT count(*) FROM (SELECT * FROM IR_BEN_R ORDER BY random())").status());
  std::set<std::string> functions =
      Listed("SELECT function_name FROM duckdb_functions() WHERE function_type = 'table' AND len(parameters) = 0");
  ASSERT_TRUE(functions.contains("duckdb_settings"));
  ASSERT_TRUE(functions.contains("duckdb_extensions"));
  for (const std::string& f : functions) ExpectNothingOfTheMachine(*s, "SELECT * FROM " + f + "()");
}

}  // namespace
}  // namespace hdhub::projects
