#include "hdhub/ingest/table_schema.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/ingest/field_sql.h"

namespace hdhub::ingest {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

TEST(TableSchemaTest, LoadsEverySndsSchema) {
  for (const char* table : {"ER_PRS_F", "IR_BEN_R", "ER_PHA_F", "T_MCOaaB", "T_MCOaaC", "T_MCOaaD", "KI_CCI_R"}) {
    auto path = testing::SharedDir() / "snds" / "schemas" / (std::string(table) + ".json");
    ASSERT_OK_AND_ASSIGN(TableSchema schema, TableSchema::Load(path.string()));
    EXPECT_FALSE(schema.fields.empty()) << table;
  }
  ASSERT_OK_AND_ASSIGN(TableSchema prs,
                       TableSchema::Load((testing::SharedDir() / "snds/schemas/ER_PRS_F.json").string()));
  EXPECT_EQ(prs.name, "ER_PRS_F");
  ASSERT_NE(prs.Find("EXE_SOI_DTD"), nullptr);
  EXPECT_EQ(DuckDbType(*prs.Find("EXE_SOI_DTD")), "DATE");
  EXPECT_EQ(DuckDbType(*prs.Find("BEN_NIR_PSA")), "VARCHAR");
}

TEST(TableSchemaTest, MapsTypes) {
  ASSERT_OK_AND_ASSIGN(TableSchema s, TableSchema::Parse(R"({"fields":[
      {"name":"a","type":"integer"},{"name":"b","type":"number"},{"name":"c","type":"date"},
      {"name":"d","type":"date","format":"%m"},{"name":"e","type":"yearmonth"},{"name":"f","type":"boolean"},
      {"name":"g","type":"year"},{"name":"h","type":"datetime","format":"%d%b%Y:%H:%M:%S"},{"name":"i"},{"name":"j","type":"date","format":"%d%m%Y"}]})",
                                                         "inline"));
  std::vector<std::string> types;
  for (const Field& f : s.fields) types.push_back(DuckDbType(f));
  EXPECT_THAT(types, ::testing::ElementsAre("BIGINT", "DOUBLE", "DATE", "VARCHAR", "VARCHAR", "BOOLEAN", "INTEGER",
                                            "TIMESTAMP", "VARCHAR", "DATE"));
}

TEST(TableSchemaTest, ReadsConstraints) {
  ASSERT_OK_AND_ASSIGN(TableSchema s, TableSchema::Parse(R"({"fields":[{"name":"a","type":"string",
      "constraints":{"required":true,"maxLength":17,"minLength":17,"enum":["x","y"]}}]})",
                                                         "inline"));
  const Field& f = s.fields[0];
  EXPECT_TRUE(f.required);
  EXPECT_EQ(f.max_length, 17);
  EXPECT_EQ(f.min_length, 17);
  EXPECT_THAT(f.enum_values, ::testing::ElementsAre("x", "y"));
}

TEST(TableSchemaTest, ReadsEachFieldsLabelAndDescription) {
  ASSERT_OK_AND_ASSIGN(TableSchema s, TableSchema::Parse(R"({"fields":[
      {"name":"a","title":"Code","description":"The code of a thing"},{"name":"b","description":"Its label"},
      {"name":"c","nomenclature":"-"},{"name":"d","nomenclature":"IR_PHA_R"}]})",
                                                         "inline"));
  EXPECT_EQ(s.fields[0].Label(), "Code");
  EXPECT_EQ(s.fields[0].description, "The code of a thing");
  EXPECT_EQ(s.fields[1].Label(), "Its label");  // the SNDS schemas: a description, no title
  EXPECT_EQ(s.fields[2].Label(), "");
  EXPECT_EQ(s.fields[2].Nomenclature(), "");
  EXPECT_EQ(s.fields[3].Nomenclature(), "IR_PHA_R");
  ASSERT_OK_AND_ASSIGN(TableSchema pha,
                       TableSchema::Load((testing::SharedDir() / "snds/schemas/ER_PHA_F.json").string()));
  EXPECT_EQ(pha.Find("PHA_PRS_C13")->Label(), "Code CIP de la pharmacie de ville (13 Caractères)");
}

TEST(TableSchemaTest, RefusesWhatIsNotATableSchema) {
  EXPECT_THAT(TableSchema::Parse("not json", "s.json"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("s.json")));
  EXPECT_THAT(TableSchema::Parse(R"({"fields":[]})", "s.json"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(TableSchema::Parse(R"({"fields":[{"type":"integer"}]})", "s.json"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("field 0")));
  EXPECT_THAT(TableSchema::Parse(R"({"fields":[{"name":"a","type":"blob"}]})", "s.json"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("unknown type")));
  EXPECT_THAT(TableSchema::Parse(R"({"fields":[{"name":"a"},{"name":"a"}]})", "s.json"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("twice")));
  EXPECT_THAT(TableSchema::Load("/nonexistent/schema.json"), StatusIs(StatusCode::kNotFound));
}

// A length must be a whole number an int can hold: 1e92 once reached a
// double-to-int64 conversion (undefined behaviour, found by the fuzzer).
TEST(TableSchemaTest, RefusesALengthThatIsNotAWholeNumberInRange) {
  for (const char* bad : {"1e92", "-1", "2.5", "\"10\"", "true", "4294967306"}) {
    const std::string text = std::string(R"({"fields":[{"name":"a","constraints":{"maxLength":)") + bad + "}}]}";
    EXPECT_THAT(TableSchema::Parse(text, "s.json"),
                StatusIs(StatusCode::kInvalidArgument, HasSubstr("field 0 (a): constraints.maxLength")))
        << bad;
  }
  ASSERT_OK_AND_ASSIGN(TableSchema ok, TableSchema::Parse(R"({"fields":[{"name":"a","constraints":
      {"minLength":2,"maxLength":13.0}}]})",
                                                          "s.json"));
  EXPECT_EQ(ok.fields[0].min_length, 2);
  EXPECT_EQ(ok.fields[0].max_length, 13);
}

// A member of the wrong JSON type is a clear refusal naming the member, never
// an exception out of the JSON library (a fresh-clone CI's fuzz run found
// "type": 1 ending the process).
TEST(TableSchemaTest, RefusesAMemberOfTheWrongType) {
  const std::pair<const char*, const char*> cases[] = {
      {R"({"name":7,"fields":[{"name":"a"}]})", "s.json: name is not a string"},
      {R"({"fields":[{"name":"a","type":1}]})", "field 0 (a): type is not a string"},
      {R"({"fields":[{"name":"a","format":[]}]})", "field 0 (a): format is not a string"},
      {R"({"fields":[{"name":"a","nomenclature":{}}]})", "field 0 (a): nomenclature is not a string"},
      {R"({"fields":[{"name":"a","title":false}]})", "field 0 (a): title is not a string"},
      {R"({"fields":[{"name":"a","description":2.5}]})", "field 0 (a): description is not a string"},
      {R"({"fields":[{"name":"a","constraints":{"required":"yes"}}]})",
       "field 0 (a): constraints.required is not true or false"},
      {R"({"fields":[{"name":"a","constraints":{"pattern":1}}]})", "field 0 (a): constraints.pattern is not a string"},
      {R"({"fields":[{"name":"a","constraints":{"minimum":"1"}}]})",
       "field 0 (a): constraints.minimum is not a number"},
  };
  for (const auto& [text, message] : cases) {
    EXPECT_THAT(TableSchema::Parse(text, "s.json"), StatusIs(StatusCode::kInvalidArgument, HasSubstr(message))) << text;
  }
}

}  // namespace
}  // namespace hdhub::ingest
