#include "hdhub/ingest/value_functions.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/ingest/field_sql.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::ingest {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

// The fused checks must give the same answer as the SQL expressions of
// field_sql.h (the reference) for every field kind and tricky value.
class ValueFunctionsTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sealed_ = std::make_unique<storage::SealedStore>(&host_,
                                                     crypto::HmacSha256::Create(SecretBytes(AsBytes("names"))).value());
    db_ = sql::Database::Open(sealed_.get()).value();
    ASSERT_OK(sql::RegisterCodeSets(*db_, &sets_));
    ASSERT_OK(sql::RegisterShapeCheck(*db_));
  }
  std::string Sql(const Field& f, std::optional<int> set, const std::string& raw) {
    FieldSql fs = BuildFieldSql(f, ColumnTreatment::kKeep, {""}, set);
    auto r = db_->Query("SELECT CASE WHEN " + fs.invalid + " THEN 'refused' ELSE coalesce(CAST(" + fs.stored +
                        " AS VARCHAR), 'NULL') END FROM (VALUES (" + sql::QuoteLiteral(raw) + ")) t(" +
                        sql::QuoteIdentifier(f.name) + ")");
    EXPECT_TRUE(r.ok()) << r.status();
    return r.ok() ? r->rows[0][0].value_or("?") : "?";
  }
  void ExpectSame(const Field& f, const std::vector<std::string>& raws, std::optional<int> set = std::nullopt) {
    std::optional<ValueRule> rule = FusedRule(f, {""}, set ? &sets_[size_t(*set)] : nullptr);
    ASSERT_TRUE(rule.has_value()) << f.name;
    for (const std::string& raw : raws) {
      EXPECT_EQ(CheckValueForTest(*rule, raw), Sql(f, set, raw)) << f.name << " '" << raw << "'";
    }
  }

  storage::MemoryBlobStore host_;
  std::unique_ptr<storage::SealedStore> sealed_;
  std::unique_ptr<sql::Database> db_;
  std::vector<sql::CodeSet> sets_ = {{"1", "2", "9"}, {"I10", "E11"}};
};

TEST_F(ValueFunctionsTest, IntegersAgreeWithTheSqlReference) {
  ExpectSame(Field{.name = "N", .type = "integer", .minimum = 0, .maximum = 9999},
             {"0", "12", "9999", "10000", "-1", "1.5", "abc", "", "007", "+5", "99999999999999999999"});
  ExpectSame(Field{.name = "S", .type = "integer", .required = true}, {"", "3", "x"});
  ExpectSame(Field{.name = "C", .type = "integer"}, {"1", "2", "3", "09"}, 0);
}

TEST_F(ValueFunctionsTest, NumbersBooleansYearsAndDatesAgree) {
  ExpectSame(Field{.name = "M", .type = "number", .minimum = 0, .maximum = 1000},
             {"12.5", "0", "1000.01", "-3", "x", "1e2", ""});
  ExpectSame(Field{.name = "B", .type = "boolean"}, {"0", "1", "true", "false", "9", "yes", ""});
  ExpectSame(Field{.name = "Y", .type = "year"}, {"1955", "55", "19555", "abcd", ""});
  ExpectSame(Field{.name = "D", .type = "date"},
             {"2020-02-29", "2021-02-29", "2021-13-01", "29/02/2020", "2021-1-1", ""});
}

TEST_F(ValueFunctionsTest, StringsAgreeOnLengthEnumAndNomenclature) {
  ExpectSame(
      Field{.name = "A", .type = "string", .min_length = 2, .max_length = 3, .enum_values = {"ab", "abc", "abcd"}},
      {"ab", "abc", "abcd", "a", "zz", ""});
  ExpectSame(Field{.name = "L", .type = "string", .max_length = 3}, {"été", "étés", "abc"});
  ExpectSame(Field{.name = "G", .type = "string"}, {"I10", "E11", "Z99", ""}, 1);
}

TEST_F(ValueFunctionsTest, FieldsThatNeedSqlAreNotFused) {
  EXPECT_FALSE(FusedRule(Field{.name = "P", .type = "string", .pattern = "[A-Z]"}, {""}, nullptr));
  EXPECT_FALSE(FusedRule(Field{.name = "T", .type = "datetime", .format = "%d%b%Y:%H:%M:%S"}, {""}, nullptr));
  EXPECT_FALSE(FusedRule(Field{.name = "D", .type = "date", .format = "%d%m%Y"}, {""}, nullptr));
  EXPECT_FALSE(FusedRule(Field{.name = "Y", .type = "yearmonth"}, {""}, nullptr));
}

TEST_F(ValueFunctionsTest, InSqlRefusedValuesAreCountedOrAbortTheStatement) {
  std::vector<ValueRule> rules = {*FusedRule(Field{.name = "N", .type = "integer", .maximum = 10}, {""}, nullptr)};
  sql::ValueTally count({"N"}, sql::ValueTally::Mode::kCount);
  ASSERT_OK(RegisterValueFunctions(*db_, &rules, &count));
  ASSERT_OK_AND_ASSIGN(sql::QueryResult r, db_->Query("SELECT count(v), count(*) FROM (SELECT hdhub_value_bigint(0, "
                                                      "CAST(i AS VARCHAR)) AS v FROM range(100) t(i))"));
  EXPECT_EQ(r.rows[0][0], "11");
  EXPECT_EQ(count.invalid(0), 89u);
}

TEST_F(ValueFunctionsTest, RunsOfMissingValuesStayMissingAndCountOnlyWhenRequired) {
  // Mostly empty columns, as in a wide extract: whole 64-row words of NULLs,
  // words with one value, over several vectors; the same column optional
  // then required.
  std::vector<ValueRule> rules = {*FusedRule(Field{.name = "O", .type = "integer"}, {""}, nullptr),
                                  *FusedRule(Field{.name = "R", .type = "integer", .required = true}, {""}, nullptr)};
  sql::ValueTally count({"O", "R"}, sql::ValueTally::Mode::kCount);
  ASSERT_OK(RegisterValueFunctions(*db_, &rules, &count));
  const std::string raw = "CASE WHEN i % 97 = 5 THEN CAST(i AS VARCHAR) WHEN i % 89 = 7 THEN '' END";
  ASSERT_OK_AND_ASSIGN(sql::QueryResult r,
                       db_->Query("SELECT count(o), sum(o), count(r), sum(r), count(*) FILTER (WHERE o IS DISTINCT "
                                  "FROM TRY_CAST(NULLIF(raw, '') AS BIGINT)) FROM (SELECT raw, hdhub_value_bigint(0, "
                                  "raw) AS o, hdhub_value_bigint(1, raw) AS r FROM (SELECT " +
                                  raw + " AS raw FROM range(10000) t(i)))"));
  int64_t values = 0, sum = 0;
  for (int64_t i = 0; i < 10000; ++i) {
    if (i % 97 == 5) ++values, sum += i;
  }
  EXPECT_EQ(r.rows[0][0], std::to_string(values));
  EXPECT_EQ(r.rows[0][1], std::to_string(sum));
  EXPECT_EQ(r.rows[0][2], std::to_string(values));
  EXPECT_EQ(r.rows[0][3], std::to_string(sum));
  EXPECT_EQ(r.rows[0][4], "0");  // every row as the plain cast says
  EXPECT_EQ(count.invalid(0), 0u);
  EXPECT_EQ(count.invalid(1), uint64_t(10000 - values));
}

TEST_F(ValueFunctionsTest, FailModeNamesTheFieldNeverTheValue) {
  std::vector<ValueRule> rules = {*FusedRule(Field{.name = "PRS_NAT_REF", .type = "integer"}, {""}, nullptr)};
  sql::ValueTally fail({"PRS_NAT_REF"}, sql::ValueTally::Mode::kFail);
  ASSERT_OK(RegisterValueFunctions(*db_, &rules, &fail));
  StatusOr<sql::QueryResult> r = db_->Query("SELECT hdhub_value_bigint(0, v) FROM (VALUES ('1'), ('SECRET')) t(v)");
  EXPECT_THAT(r, StatusIs(StatusCode::kInvalidArgument, HasSubstr("PRS_NAT_REF")));
  EXPECT_EQ(std::string(r.status().message()).find("SECRET"), std::string::npos);
}

}  // namespace
}  // namespace hdhub::ingest
