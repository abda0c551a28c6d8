#include "hdhub/exports/file_output.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

#include "hdhub/common/status_matchers.h"

namespace hdhub::exports {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::ElementsAre;
using ::testing::HasSubstr;

FileOutputDeclaration Parsed(const nlohmann::json& j) {
  StatusOr<FileOutputDeclaration> d = ParseFileOutput(j.dump());
  EXPECT_OK(d.status());
  return d.ok() ? *d : FileOutputDeclaration{};
}

const nlohmann::json kModel = {
    {"output", "fit"},
    {"kind", "model"},
    {"frame", "people"},
    {"format", "csv"},
    {"columns", {{{"name", "term"}, {"kind", "dimension"}}, {{"name", "estimate"}, {"kind", "measure"}}}}};

TEST(FileOutputParseTest, ReadsEachKind) {
  const FileOutputDeclaration model = Parsed(kModel);
  EXPECT_EQ(model.kind, RequestOutputKind::kModel);
  EXPECT_EQ(model.frame, "people");
  ASSERT_TRUE(model.columns.has_value());
  EXPECT_EQ(model.columns->at(1).kind, airlock::ColumnKind::kMeasure);
  const FileOutputDeclaration fig =
      Parsed({{"output", "fig"}, {"kind", "figure"}, {"format", "png"}, {"figure_of", "by-sex"}});
  EXPECT_EQ(fig.figure_of, "by-sex");
  const FileOutputDeclaration notes =
      Parsed({{"output", "notes"}, {"kind", "custom"}, {"format", "pdf"}, {"explanation", "why"}});
  EXPECT_EQ(notes.explanation, "why");
  EXPECT_FALSE(notes.columns.has_value());
}

TEST(FileOutputParseTest, RefusesWhatDoesNotBelong) {
  auto with = [](nlohmann::json j, const std::string& key, nlohmann::json value) {
    j[key] = std::move(value);
    return j.dump();
  };
  EXPECT_THAT(ParseFileOutput(with(kModel, "format", "png")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("format")));
  EXPECT_THAT(ParseFileOutput(with(kModel, "kind", "table")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("kind")));
  EXPECT_THAT(ParseFileOutput(with(kModel, "figure_of", "x")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFileOutput(with(kModel, "explanation", "x")), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFileOutput(with(kModel, "columns", nlohmann::json::array())),
              StatusIs(StatusCode::kInvalidArgument));
  nlohmann::json repeated = kModel;
  repeated["columns"][1]["name"] = "term";
  EXPECT_THAT(ParseFileOutput(repeated.dump()), StatusIs(StatusCode::kInvalidArgument, HasSubstr("repeats")));
  nlohmann::json unknown = kModel;
  unknown["columns"][0]["kind"] = "secret";
  EXPECT_THAT(ParseFileOutput(unknown.dump()), StatusIs(StatusCode::kInvalidArgument, HasSubstr("kind")));
  nlohmann::json no_frame = kModel;
  no_frame.erase("frame");
  EXPECT_THAT(ParseFileOutput(no_frame.dump()), StatusIs(StatusCode::kInvalidArgument, HasSubstr("frame")));
  const nlohmann::json custom = {{"output", "n"}, {"kind", "custom"}, {"format", "png"}};
  EXPECT_THAT(ParseFileOutput(with(custom, "columns", kModel["columns"])), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseFileOutput(with(custom, "explanation", std::string(4001, 'a'))),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("4000")));
  EXPECT_THAT(ParseFileOutput(with(custom, "format", "exe")), StatusIs(StatusCode::kInvalidArgument));
}

TEST(FileOutputCheckTest, FormatsMustMatchTheirBytes) {
  const airlock::DisclosureRules rules;
  FileOutputDeclaration d{.name = "f", .kind = RequestOutputKind::kCustom, .format = "png"};
  const std::string png = std::string("\x89PNG\r\n\x1a\n", 8) + "rest";
  EXPECT_OK(CheckFileOutput(d, png, rules, 0).status());
  EXPECT_THAT(CheckFileOutput(d, "GIF89a", rules, 0), StatusIs(StatusCode::kInvalidArgument, HasSubstr("not png")));
  d.format = "pdf";
  EXPECT_OK(CheckFileOutput(d, "%PDF-1.7\n", rules, 0).status());
  EXPECT_THAT(CheckFileOutput(d, png, rules, 0), StatusIs(StatusCode::kInvalidArgument));
  d.format = "parquet";
  EXPECT_OK(CheckFileOutput(d, "PAR1....PAR1", rules, 0).status());
  EXPECT_THAT(CheckFileOutput(d, "PAR1....", rules, 0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckFileOutput(d, "PAR1", rules, 0), StatusIs(StatusCode::kInvalidArgument));
  d.format = "txt";
  ASSERT_OK_AND_ASSIGN(FileVerdict v, CheckFileOutput(d, "one\ntwo\nthree", rules, 0));
  EXPECT_EQ(v.rows, 3);
  EXPECT_FALSE(v.refused());
  EXPECT_THAT(CheckFileOutput(d, std::string("a\0b", 3), rules, 0), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckFileOutput(d, "\xc3(", rules, 0), StatusIs(StatusCode::kInvalidArgument));
}

TEST(FileOutputCheckTest, CsvShapeIsRfc4180) {
  const airlock::DisclosureRules rules;
  const FileOutputDeclaration d{.name = "f", .kind = RequestOutputKind::kCustom, .format = "csv"};
  ASSERT_OK_AND_ASSIGN(FileVerdict v, CheckFileOutput(d, "a,b\r\n\"x,\"\"y\"\"\",1\r\n\"multi\nline\",2", rules, 0));
  EXPECT_EQ(v.rows, 2);
  EXPECT_THAT(CheckFileOutput(d, "a,b\n1\n", rules, 0),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("line 2 has 1 fields, the header 2")));
  EXPECT_THAT(CheckFileOutput(d, "a,b\n\"1\"x,2\n", rules, 0),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("after a closing quote")));
  EXPECT_THAT(CheckFileOutput(d, "a,b\n1\"x,2\n", rules, 0),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("quote inside")));
  EXPECT_THAT(CheckFileOutput(d, "", rules, 0), StatusIs(StatusCode::kInvalidArgument, HasSubstr("no header")));
  // Errors name the line, never its content.
  StatusOr<FileVerdict> bad = CheckFileOutput(d, "a,b\nsecret-value\n", rules, 0);
  EXPECT_THAT(bad.status().message(), ::testing::Not(HasSubstr("secret")));
}

TEST(FileOutputCheckTest, ModelAtItsDegreesOfFreedomAndColumns) {
  const airlock::DisclosureRules rules;  // min_residual_dof 10
  const FileOutputDeclaration model = Parsed(kModel);
  const std::string three = "term,estimate\nx1,0.1\nx2,0.2\nx3,0.3\n";
  ASSERT_OK_AND_ASSIGN(FileVerdict v, CheckFileOutput(model, three, rules, 13));
  EXPECT_EQ(v.rows, 3);
  EXPECT_EQ(v.residual_dof, 10);
  EXPECT_FALSE(v.refused());
  ASSERT_OK_AND_ASSIGN(v, CheckFileOutput(model, three, rules, 12));
  EXPECT_THAT(v.rules, ElementsAre("residual_dof"));
  EXPECT_THAT(CheckFileOutput(model, "estimate,term\n", rules, 100),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not the declared columns")));
  nlohmann::json pseudonyms = kModel;
  pseudonyms["columns"][0]["kind"] = "identifier";
  pseudonyms["columns"][1]["kind"] = "free_text";
  ASSERT_OK_AND_ASSIGN(v, CheckFileOutput(Parsed(pseudonyms), three, rules, 100));
  EXPECT_THAT(v.rules, ElementsAre("identifier_column", "free_text_column"));
  EXPECT_THAT(v.columns, ElementsAre("term", "estimate"));
}

TEST(FileOutputCheckTest, RowAndByteLimitsAtTheirThresholds) {
  airlock::DisclosureRules rules;
  rules.max_rows = 2;
  rules.max_bytes = 12;
  const FileOutputDeclaration d{.name = "f", .kind = RequestOutputKind::kCustom, .format = "txt"};
  ASSERT_OK_AND_ASSIGN(FileVerdict v, CheckFileOutput(d, "12345\n12345\n", rules, 0));  // 2 rows, 12 bytes
  EXPECT_FALSE(v.refused());
  ASSERT_OK_AND_ASSIGN(v, CheckFileOutput(d, "1\n2\n3\n", rules, 0));
  EXPECT_THAT(v.rules, ElementsAre("row_limit"));
  ASSERT_OK_AND_ASSIGN(v, CheckFileOutput(d, "123456\n123456\n", rules, 0));
  EXPECT_THAT(v.rules, ElementsAre("byte_limit"));
}

}  // namespace
}  // namespace hdhub::exports
