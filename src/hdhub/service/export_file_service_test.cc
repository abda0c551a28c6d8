// The airlock's file outputs through the service (docs/airlock-workflow.md
// §2.2): a model's coefficients checked against its frame's people, a custom
// file that needs the author's explanation and both checkers' reasons, a
// figure judged with its table; each file sealed with its revision, carried
// by later changes, and released byte for byte as the checkers read it.
#include <filesystem>
#include <nlohmann/json.hpp>
#include <string>

#include "hdhub/exports/certificate.h"
#include "hdhub/service/export_service_fixture.h"

namespace hdhub::service {
namespace {

using exports::RequestState;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

// A model's coefficients: `rows` terms.
std::string Coefficients(int rows, const std::string& first_column = "term") {
  std::string csv = first_column + ",estimate\n";
  for (int i = 0; i < rows; ++i) csv += "x" + std::to_string(i) + ",0." + std::to_string(i + 1) + "\n";
  return csv;
}

std::string Model(const std::string& name, const std::string& first_kind = "dimension") {
  return nlohmann::json{
      {"output", name},
      {"kind", "model"},
      {"frame", "people"},
      {"format", "csv"},
      {"columns", {{{"name", "term"}, {"kind", first_kind}}, {{"name", "estimate"}, {"kind", "measure"}}}}}
      .dump();
}

std::string Custom(const std::string& name, const std::string& explanation, const std::string& format = "txt") {
  nlohmann::json j = {{"output", name}, {"kind", "custom"}, {"format", format}};
  if (!explanation.empty()) j["explanation"] = explanation;
  return j.dump();
}

const std::string kPng = std::string("\x89PNG\r\n\x1a\n", 8) + std::string("\0\0\0\rIHDR-not-a-real-image", 23);

class ExportFileServiceTest : public ExportServiceTest {
 protected:
  StatusOr<ExportRequestView> Put(const std::string& id, const std::string& declaration,
                                  std::optional<std::string> content, const std::string& who = "rita") {
    return svc_->ChangeExportRequest(
        ctx(who), id,
        {.kind = ExportChangeKind::kOutput, .json = declaration, .name = "", .content = std::move(content)});
  }
  const exports::OutputRecord& Named(const ExportRequestView& v, const std::string& name) {
    for (const exports::OutputRecord& o : v.outputs) {
      if (o.name == name) return o;
    }
    ADD_FAILURE() << "no output " << name;
    return v.outputs.front();
  }
};

TEST_F(ExportFileServiceTest, ModelNeedsTenResidualDegreesOfFreedom) {
  const std::string id = Draft({});
  // 21 people in the frame: 11 coefficients leave 10 degrees of freedom, 12 leave 9.
  ASSERT_OK_AND_ASSIGN(ExportRequestView v, Put(id, Model("fit"), Coefficients(11)));
  nlohmann::json verdict = Verdict(v, "fit");
  EXPECT_EQ(verdict["outcome"], "pass");
  EXPECT_EQ(verdict["observations"], 21);
  EXPECT_EQ(verdict["parameters"], 11);
  EXPECT_EQ(Named(v, "fit").kind, exports::RequestOutputKind::kModel);
  EXPECT_EQ(Named(v, "fit").sha256, HexEncode(crypto::Sha256(AsBytes(Coefficients(11)))));
  ASSERT_OK_AND_ASSIGN(v, Put(id, Model("fit"), Coefficients(12)));
  verdict = Verdict(v, "fit");
  EXPECT_EQ(verdict["outcome"], "refuse");
  EXPECT_EQ(verdict["rules"], nlohmann::json({"residual_dof"}));
  EXPECT_THAT(svc_->SubmitExportRequest(ctx("rita"), id), StatusIs(StatusCode::kFailedPrecondition));
}

// N counts people: a frame of people whose query repeats one is refused, as it is for a table.
TEST_F(ExportFileServiceTest, ModelOverAFrameRepeatingAPersonIsRefused) {
  StatusOr<ExportRequestView> v = svc_->CreateExportRequest(ctx("rita"), "p1", "Twice");
  ASSERT_OK(v.status());
  const std::string id = v->request.id;
  nlohmann::json frame = nlohmann::json::parse(kFrame);
  frame["frame"] = "twice";
  frame["sql"] = "SELECT BEN_NIR_PSA, BEN_SEX_COD FROM IR_BEN_R UNION ALL SELECT BEN_NIR_PSA, BEN_SEX_COD FROM IR_BEN_R";
  ASSERT_OK(svc_->ChangeExportRequest(ctx("rita"), id, {.kind = ExportChangeKind::kFrame, .json = frame.dump()})
                .status());
  nlohmann::json model = nlohmann::json::parse(Model("fit"));
  model["frame"] = "twice";
  EXPECT_THAT(Put(id, model.dump(), Coefficients(11)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("a person appears twice in frame twice")));
}

TEST_F(ExportFileServiceTest, PersonLevelColumnsAndWrongFilesAreRefused) {
  const std::string id = Draft({});
  ASSERT_OK_AND_ASSIGN(ExportRequestView v, Put(id, Model("fit", "identifier"), Coefficients(3)));
  EXPECT_EQ(Verdict(v, "fit")["rules"], nlohmann::json({"identifier_column"}));
  EXPECT_EQ(Verdict(v, "fit")["columns"], nlohmann::json({"term"}));
  const int64_t revision = v.request.revision;
  // Not what the declaration says: an error, and nothing changes.
  EXPECT_THAT(Put(id, Model("fit"), Coefficients(3, "name")),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not the declared columns")));
  EXPECT_THAT(Put(id, Model("fit"), "term,estimate\nx,\"1\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("never closes")));
  EXPECT_THAT(Put(id, Custom("pic", "a chart", "png"), "not a png"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not png")));
  EXPECT_THAT(Put(id, Custom("notes", "text", "txt"), std::string("caf\xe9", 4)),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not UTF-8 text")));
  // A table takes no file; a file output comes with one.
  EXPECT_THAT(Put(id, Output("by-sex"), "table,sex,value\n"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("hdhub computes its file")));
  EXPECT_THAT(Put(id, Custom("notes", "text"), std::nullopt),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("without its file")));
  // Over the byte limit: refused before it is kept anywhere.
  const auto limit = static_cast<size_t>(airlock::DisclosureRules{}.max_bytes);
  EXPECT_THAT(Put(id, Custom("big", "text"), std::string(limit + 1, 'a')),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("over the limit")));
  EXPECT_EQ(Show(id).request.revision, revision);
  // Another researcher's upload to rita's request.
  EXPECT_THAT(Put(id, Custom("notes", "text"), "hello\n", "mona"), StatusIs(StatusCode::kPermissionDenied));
}

TEST_F(ExportFileServiceTest, CustomFileNeedsExplanationAndTwoReasonsAndLeavesAsRead) {
  const std::string id = Draft({{"by-sex", ""}});
  const std::string notes = "Method: logistic regression, no figure from the data.\n";
  ASSERT_OK_AND_ASSIGN(ExportRequestView v, Put(id, Custom("notes", ""), notes));
  EXPECT_EQ(Verdict(v, "notes")["outcome"], "review");
  EXPECT_EQ(Verdict(v, "notes")["rows"], 1);
  EXPECT_THAT(svc_->SubmitExportRequest(ctx("rita"), id),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("no explanation")));
  // The declaration again, with an explanation and no file: the file is carried.
  ASSERT_OK_AND_ASSIGN(v, Put(id, Custom("notes", "the method, for the paper"), std::nullopt));
  EXPECT_EQ(Named(v, "notes").sha256, HexEncode(crypto::Sha256(AsBytes(notes))));
  // Another output changes: still carried.
  ASSERT_OK(svc_->ChangeExportRequest(ctx("rita"), id, {.kind = ExportChangeKind::kRecompute}).status());
  ASSERT_OK_AND_ASSIGN(v, svc_->SubmitExportRequest(ctx("rita"), id));
  EXPECT_EQ(v.request.state, RequestState::kSubmitted);

  // The checkers read the file as it would leave.
  ASSERT_OK_AND_ASSIGN(ExportRequestView read, svc_->ShowExportRequest(ctx("carl"), id, true));
  ASSERT_TRUE(read.files.has_value());
  std::string seen;
  for (const ReleasedFile& f : *read.files) {
    if (f.name == "notes") seen = f.content;
  }
  EXPECT_EQ(seen, notes);
  // A custom file is approved with a reason only.
  EXPECT_THAT(Approve("carl", id), StatusIs(StatusCode::kInvalidArgument));
  ASSERT_OK(Approve("carl", id, 0, std::string(kComment)).status());
  ASSERT_OK_AND_ASSIGN(v, Approve("cleo", id, 0, "method text only"));
  EXPECT_EQ(v.request.state, RequestState::kApproved);

  ASSERT_OK_AND_ASSIGN(ReleasedFiles released, svc_->ReleaseExportRequest(ctx("rita"), id));
  ASSERT_EQ(released.files.size(), 2u);
  EXPECT_EQ(released.files[1].name, "notes");
  EXPECT_EQ(released.files[1].content, notes);
  EXPECT_EQ(released.files[1].format, "txt");
  const exports::VerifyReport report = Verify(released, std::vector<std::string>{});
  EXPECT_TRUE(report.ok()) << report.Summary();
  EXPECT_EQ(report.outputs_checked.size(), 2u);
  ASSERT_OK_AND_ASSIGN(exports::CertificateBody body, exports::ParseBody(released.bundle.body));
  const exports::Output& out = body.outputs[1];
  EXPECT_EQ(out.kind, "custom");
  EXPECT_EQ(out.format, "txt");
  EXPECT_EQ(out.sha256, HexEncode(crypto::Sha256(AsBytes(notes))));
  ASSERT_TRUE(out.reasons.has_value());
  ASSERT_EQ(out.reasons->size(), 2u);
  EXPECT_EQ(out.reasons->at(0).text_sha256, HexEncode(crypto::Sha256(AsBytes(std::string(kComment)))));
  // A tampered file no longer matches its certificate.
  ReleasedFiles tampered = released;
  tampered.files[1].content[0] = 'm';
  EXPECT_EQ(Verify(tampered, std::vector<std::string>{}).check_name, "files");
  ASSERT_OK_AND_ASSIGN(ReleasedFiles again, svc_->DownloadRelease(ctx("rita"), id));
  EXPECT_EQ(again.files[1].content, notes);
}

TEST_F(ExportFileServiceTest, ModelAndFigureReleasedWithTheirCertificate) {
  const std::string id = Draft({{"by-sex", ""}});
  ASSERT_OK(Put(id, Model("fit"), Coefficients(4)).status());
  EXPECT_THAT(
      Put(id, nlohmann::json{{"output", "fig"}, {"kind", "figure"}, {"format", "png"}, {"figure_of", "fit"}}.dump(),
          kPng),
      StatusIs(StatusCode::kInvalidArgument, HasSubstr("must name a table output")));
  ASSERT_OK_AND_ASSIGN(
      ExportRequestView v,
      Put(id, nlohmann::json{{"output", "fig"}, {"kind", "figure"}, {"format", "png"}, {"figure_of", "by-sex"}}.dump(),
          kPng));
  EXPECT_EQ(Verdict(v, "fig")["outcome"], "review");
  EXPECT_EQ(Verdict(v, "fig")["figure_of"], "by-sex");
  ASSERT_OK(svc_->SubmitExportRequest(ctx("rita"), id).status());
  ASSERT_OK(Approve("carl", id, 0, std::string(kComment)).status());
  ASSERT_OK(Approve("cleo", id, 0, "fine").status());
  ASSERT_OK_AND_ASSIGN(ReleasedFiles released, svc_->ReleaseExportRequest(ctx("rita"), id));
  ASSERT_EQ(released.files.size(), 3u);
  EXPECT_EQ(released.files[1].name, "fig");
  EXPECT_EQ(released.files[1].content, kPng);
  EXPECT_EQ(released.files[2].content, Coefficients(4));
  const exports::VerifyReport report = Verify(released, std::vector<std::string>{});
  EXPECT_TRUE(report.ok()) << report.Summary();
  ASSERT_OK_AND_ASSIGN(exports::CertificateBody body, exports::ParseBody(released.bundle.body));
  EXPECT_EQ(body.outputs[1].figure_of, "by-sex");
  EXPECT_TRUE(body.outputs[1].reasons.has_value());
  EXPECT_EQ(body.outputs[2].kind, "model");
  EXPECT_EQ(body.outputs[2].frame, "people");
  EXPECT_EQ(body.outputs[2].measure, "count");
  EXPECT_EQ(body.outputs[2].parameters, 4);
  EXPECT_FALSE(body.outputs[2].reasons.has_value());
}

// One rule id per limit (airlock-rules.md), whether hdhub computed the file or the author made it.
TEST_F(ExportFileServiceTest, TablesAndFilesShareTheLimitsRuleIds) {
  Build("p2", {"rita"}, R"({"max_rows": 1, "max_bytes": 20})");
  const std::string id = Draft({{"by-sex", ""}}, "p2");
  nlohmann::json verdict = Verdict(Show(id), "by-sex");  // 2 cells, 26 bytes
  EXPECT_EQ(verdict["outcome"], "refuse");
  EXPECT_EQ(verdict["rules"], nlohmann::json({"row_limit", "byte_limit"}));
  ASSERT_OK_AND_ASSIGN(ExportRequestView v, Put(id, Custom("notes", "method"), "one\ntwo\n"));
  EXPECT_EQ(Verdict(v, "notes")["rules"], nlohmann::json({"row_limit"}));
}

TEST_F(ExportFileServiceTest, AlteredUploadOnTheHostIsDataLossNotReleased) {
  const std::string id = Draft({});
  ASSERT_OK(Put(id, Custom("notes", "method"), "v1\n").status());
  const std::string object = svc_->HubForTest().sealed().ObjectNameFor(Show(id).outputs[0].logical_name);
  // The host alters, then loses, the sealed file: nothing computes from a guess.
  std::filesystem::path on_host;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(hub_dir_)) {
    const std::string path = entry.path().generic_string();
    if (path.size() > object.size() && path.ends_with("/" + object)) on_host = entry.path();
  }
  ASSERT_FALSE(on_host.empty());
  std::filesystem::resize_file(on_host, std::filesystem::file_size(on_host) - 1);
  EXPECT_THAT(svc_->ChangeExportRequest(ctx("rita"), id, {.kind = ExportChangeKind::kRecompute}),
              StatusIs(StatusCode::kDataLoss));
  std::filesystem::remove(on_host);
  EXPECT_THAT(svc_->SubmitExportRequest(ctx("rita"), id), StatusIs(StatusCode::kDataLoss));
  EXPECT_EQ(Show(id).request.state, RequestState::kDraft);
}

}  // namespace
}  // namespace hdhub::service
