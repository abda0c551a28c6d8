#include "hdhub/ingest/field_sql.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/sql/database.h"
#include "hdhub/sql/functions.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::ingest {
namespace {

// Evaluates a field's SQL over literal raw values: which are refused, and
// what is stored for the others.
class FieldSqlTest : public ::testing::Test {
 protected:
  void SetUp() override {
    sealed_ = std::make_unique<storage::SealedStore>(&host_,
                                                     crypto::HmacSha256::Create(SecretBytes(AsBytes("names"))).value());
    db_ = sql::Database::Open(sealed_.get()).value();
    ASSERT_OK(sql::RegisterCodeSets(*db_, &sets_));
    ASSERT_OK(sql::RegisterShapeCheck(*db_));
  }
  // For each raw value (nullopt = SQL NULL): "refused" or the stored text.
  std::vector<std::string> Eval(const Field& f, std::vector<std::optional<std::string>> raws,
                                ColumnTreatment t = ColumnTreatment::kKeep, std::optional<int> set = std::nullopt) {
    FieldSql fs = BuildFieldSql(f, t, {""}, set);
    std::string values;
    for (size_t i = 0; i < raws.size(); ++i) {
      values += (i ? ", " : "") + std::string("(") + std::to_string(i) + ", " +
                (raws[i] ? sql::QuoteLiteral(*raws[i]) : "NULL") + ")";
    }
    auto r = db_->Query("SELECT CASE WHEN " + fs.invalid + " THEN 'refused' ELSE coalesce(CAST(" + fs.stored +
                        " AS VARCHAR), 'NULL') END FROM (VALUES " + values + ") t(i, " + sql::QuoteIdentifier(f.name) +
                        ") ORDER BY i");
    EXPECT_TRUE(r.ok()) << r.status();
    std::vector<std::string> out;
    if (r.ok()) {
      for (const auto& row : r->rows) out.push_back(row[0].value_or("?"));
    }
    return out;
  }

  storage::MemoryBlobStore host_;
  std::unique_ptr<storage::SealedStore> sealed_;
  std::unique_ptr<sql::Database> db_;
  std::vector<sql::CodeSet> sets_ = {{"1", "2"}};
};

using ::testing::ElementsAre;

TEST_F(FieldSqlTest, IntegerWithRangeAndCodeSet) {
  Field f{.name = "SEX", .type = "integer", .minimum = 0, .maximum = 9};
  EXPECT_THAT(Eval(f, {"1", "5", "12", "x", "", std::nullopt, "1.5"}, ColumnTreatment::kKeep, 0),
              ElementsAre("1", "refused", "refused", "refused", "NULL", "NULL", "refused"));
}

TEST_F(FieldSqlTest, RequiredMissingValueIsRefused) {
  Field f{.name = "A", .type = "string", .required = true};
  EXPECT_THAT(Eval(f, {"x", "", std::nullopt}), ElementsAre("x", "refused", "refused"));
}

TEST_F(FieldSqlTest, StringLengthEnumAndPattern) {
  Field f{.name = "A", .type = "string", .min_length = 2, .max_length = 3, .enum_values = {"ab", "abc", "abcd"}};
  EXPECT_THAT(Eval(f, {"ab", "abc", "abcd", "a", "zz"}), ElementsAre("ab", "abc", "refused", "refused", "refused"));
  Field p{.name = "P", .type = "string", .pattern = "[A-Z][0-9]{2}"};
  EXPECT_THAT(Eval(p, {"E11", "E1", "e11"}), ElementsAre("E11", "refused", "refused"));
}

TEST_F(FieldSqlTest, DatesInTheirFormats) {
  Field iso{.name = "D", .type = "date"};
  EXPECT_THAT(Eval(iso, {"2020-02-29", "2021-02-29", "29/02/2020"}), ElementsAre("2020-02-29", "refused", "refused"));
  Field dmy{.name = "D", .type = "date", .format = "%d%m%Y"};
  EXPECT_THAT(Eval(dmy, {"28062019", "2019-06-28"}), ElementsAre("2019-06-28", "refused"));
  Field month{.name = "M", .type = "date", .format = "%m"};
  EXPECT_THAT(Eval(month, {"05", "13", "5"}), ElementsAre("05", "refused", "refused"));
  Field ts{.name = "T", .type = "datetime", .format = "%d%b%Y:%H:%M:%S"};
  EXPECT_THAT(Eval(ts, {"02Jan2007:22:12:17", "02JAN2007:22:12:17", "2007-01-02"}),
              ElementsAre("2007-01-02 22:12:17", "2007-01-02 22:12:17", "refused"));
}

TEST_F(FieldSqlTest, YearYearmonthAndBoolean) {
  Field y{.name = "Y", .type = "year"};
  EXPECT_THAT(Eval(y, {"1955", "55", "19555"}), ElementsAre("1955", "refused", "refused"));
  Field ym{.name = "YM", .type = "yearmonth"};
  EXPECT_THAT(Eval(ym, {"201905", "201913", "2019-05"}), ElementsAre("201905", "refused", "refused"));
  Field b{.name = "B", .type = "boolean"};
  EXPECT_THAT(Eval(b, {"1", "0", "true", "9"}), ElementsAre("true", "false", "true", "refused"));
}

TEST_F(FieldSqlTest, MonthTreatmentKeepsTheMonthOnly) {
  Field d{.name = "BEN_DCD_DTE", .type = "date"};
  EXPECT_THAT(Eval(d, {"2021-07-19"}, ColumnTreatment::kMonth), ElementsAre("2021-07-01"));
}

}  // namespace
}  // namespace hdhub::ingest
