// The CLI's renderings of a result: JSON keeps the types (numbers, booleans,
// null, ISO dates) and the table for people is DuckDB's text.
#include "hdhub/cli/output.h"

#include <gtest/gtest.h>

#include <sstream>

#include "hdhub/common/status_matchers.h"
#include "hdhub/crypto/random.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::cli {
namespace {

sql::QueryResult Collected(const std::string& query) {
  storage::MemoryBlobStore host;
  storage::SealedStore sealed(&host, crypto::HmacSha256::Create(crypto::RandomSecret(32).value()).value());
  auto db = sql::Database::Open(&sealed, {.threads = 1}).value();
  return db->Query(query).value();
}

nlohmann::json Json(const sql::QueryResult& result) {
  std::ostringstream out;
  PrintJson(result, out);
  return nlohmann::json::parse(out.str());
}

TEST(OutputTest, JsonKeepsNumbersBooleansNullAndIsoDates) {
  nlohmann::json j = Json(Collected(
      "SELECT 42 AS i, -1.5::DOUBLE AS d, 12.340::DECIMAL(10,3) AS dec, true AS b, NULL::INTEGER AS n, 'x' AS s, "
      "DATE '2021-03-04' AS day, TIMESTAMP '2021-03-04 05:06:07' AS ts, 9007199254740993 AS big, "
      "'12345678901234567.89'::DECIMAL(38,2) AS wide, 'inf'::DOUBLE AS inf"));
  EXPECT_EQ(j["rows"].dump(), R"([[42,-1.5,12.34,true,null,"x","2021-03-04","2021-03-04T05:06:07","9007199254740993",)"
                              R"("12345678901234567.89","inf"]])");
  EXPECT_EQ(j["columns"][2]["type"], "DECIMAL(10,3)");
  EXPECT_EQ(j["columns"][0]["name"], "i");
}

TEST(OutputTest, HandBuiltTablesOfTextAndTypedCellsRender) {
  sql::QueryResult table{.column_names = {"user", "attempts"}, .column_types = {"VARCHAR", "BIGINT"}};
  table.rows.push_back({"rita", sql::Cell::Of(int64_t{3})});
  table.rows.push_back({std::string("rob"), std::nullopt});
  EXPECT_EQ(Json(table)["rows"].dump(), R"([["rita",3],["rob",null]])");
  std::ostringstream out;
  PrintTable(table, out);
  EXPECT_EQ(out.str(),
            "user  attempts\n"
            "----  --------\n"
            "rita         3\n"
            "rob       NULL\n"
            "(2 rows)\n");
}

TEST(OutputTest, TablesShowDuckDbsText) {
  std::ostringstream out;
  PrintTable(Collected("SELECT 12.340::DECIMAL(10,3) AS dec, TIMESTAMP '2021-03-04 05:06:07' AS ts"), out);
  EXPECT_EQ(out.str(),
            "   dec  ts                 \n"
            "------  -------------------\n"
            "12.340  2021-03-04 05:06:07\n"
            "(1 row)\n");
}

}  // namespace
}  // namespace hdhub::cli
