#include "hdhub/service/export_compute.h"

#include <algorithm>
#include <charconv>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <utility>

#include "hdhub/airlock/primary_checks.h"
#include "hdhub/airlock/protection.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/exports/certificate.h"
#include "hdhub/exports/file_output.h"
#include "hdhub/exports/frame_data.h"
#include "hdhub/exports/table_output.h"

namespace hdhub::service::internal {

namespace {

using exports::FrameDeclaration;

// A frame's airlock dimensions, from its reference tables.
StatusOr<std::vector<airlock::Dimension>> Dimensions(const ComputeInput& in, const FrameDeclaration& frame) {
  exports::ReferenceRows refs;
  for (const exports::FrameDimension& d : frame.dimensions) {
    if (d.kind != exports::DimensionKind::kNomenclature) continue;
    ASSIGN_OR_RETURN(std::string sql, exports::ReferenceQuery(d));
    ASSIGN_OR_RETURN(sql::QueryResult result, in.run(sql));
    std::vector<exports::ReferenceRow>& rows = refs[d.name];
    for (const std::vector<sql::Cell>& row : result.rows) {
      exports::ReferenceRow r{.code = row.at(0)};
      if (row.size() > 1) r.parent = row.at(1);
      rows.push_back(std::move(r));
    }
  }
  return exports::BuildDimensions(frame, refs);
}

// The frame's rows gathered for the airlock (contributor ranks, never a pseudonym).
StatusOr<exports::FrameDataBuilder> FrameData(const ComputeInput& in, const FrameDeclaration& frame,
                                              const std::vector<airlock::Dimension>& dimensions) {
  ASSIGN_OR_RETURN(exports::FrameDataBuilder builder, exports::FrameDataBuilder::Create(frame, dimensions));
  ASSIGN_OR_RETURN(sql::QueryResult result, in.run(exports::FrameQuery(frame)));
  const size_t n = frame.dimensions.size();
  const std::string where = "frame " + frame.name + ": ";
  for (const std::vector<sql::Cell>& row : result.rows) {
    if (row.size() != n + 1 + (frame.amount ? 1 : 0)) return InternalError(where + "the query answered other columns");
    uint64_t contributor = 0;
    const std::optional<std::string>& rank = row[0];
    if (!rank || std::from_chars(rank->data(), rank->data() + rank->size(), contributor).ec != std::errc()) {
      return InternalError(where + "a contributor rank is not a number");
    }
    std::vector<std::optional<std::string>> values;
    for (size_t i = 0; i < n; ++i) values.push_back(row[1 + i]);
    std::optional<double> amount;
    if (frame.amount && row[n + 1]) {
      const std::string& text = *row[n + 1];
      double parsed = 0;
      if (std::from_chars(text.data(), text.data() + text.size(), parsed).ec != std::errc()) {
        return InvalidArgumentError(where + "an amount is not a number");
      }
      amount = parsed;
    }
    RETURN_IF_ERROR(builder.Add(contributor, values, amount));
  }
  return builder;
}

nlohmann::json RefusalRules(const airlock::ProtectionResult& result) {
  std::set<std::string> rules;
  for (const airlock::Refusal& r : result.refusals) rules.insert(r.rule);
  return nlohmann::json(rules);
}

// The ledger's tables of one output: its tables as Protect ran them, each
// cell's published value or none.
std::vector<exports::ReleaseTableRecord> LedgerTables(const exports::TableOutput& table,
                                                      const airlock::ProtectionResult& result) {
  std::vector<exports::ReleaseTableRecord> out;
  for (const airlock::TableSpec& spec : table.tables) {
    exports::ReleaseTableRecord r{
        .frame = table.declaration.frame, .measure = table.declaration.measure, .table = spec, .cells = {}};
    for (const airlock::CellRecord& c : result.cells) {
      if (c.table != spec.id) continue;
      std::optional<double> value;
      if (c.status == airlock::CellStatus::kPublished) value = c.value;
      r.cells.push_back({.codes = c.codes, .value = value});
    }
    out.push_back(std::move(r));
  }
  return out;
}

// One output of a Protect run: its verdict, size and digest.
StatusOr<ComputedOutput> Judge(const ComputeInput& in, const exports::TableOutput& table, const exports::Frame& frame,
                               const airlock::ProtectionResult& result, bool cross_frame) {
  ComputedOutput out;
  out.record.name = table.declaration.name;
  out.record.kind = exports::RequestOutputKind::kTable;
  out.record.format = "csv";
  out.flow.name = table.declaration.name;
  out.repair_rounds = result.repair_rounds;
  out.run = table.declaration.frame + "/" + table.declaration.measure;
  out.evidence = result.ToJson();
  nlohmann::json verdict = {{"frame", table.declaration.frame},
                            {"measure", table.declaration.measure},
                            {"repair_rounds", result.repair_rounds}};
  if (result.outcome == airlock::Outcome::kRefuse) {
    // Protect judged the frame's tables together: fail closed for each.
    out.flow.refused = true;
    out.record.sha256 = HexEncode(crypto::Sha256({}));  // no CSV: the digest of no bytes
    verdict["outcome"] = "refuse";
    verdict["rules"] = RefusalRules(result);
    out.record.verdict_json = verdict.dump();
    return out;
  }
  ASSIGN_OR_RETURN(exports::Output built, exports::BuildTableOutput(table.declaration, frame, result));
  const std::string csv = exports::RenderTableCsv(frame, built);
  std::vector<std::string> rules;
  for (const exports::Cell& cell : built.cells) {
    if (!cell.published) ++out.suppressed_cells;
    if (cell.published && cell.reason == "review") ++out.review_cells;
  }
  const airlock::FileShape shape{.rows = static_cast<int64_t>(built.cells.size()),
                                 .bytes = static_cast<int64_t>(csv.size())};
  for (const airlock::Verdict& f : airlock::FileFindings(shape, in.rules)) rules.push_back(f.rule);
  out.record.bytes = static_cast<int64_t>(csv.size());
  out.record.sha256 = built.sha256;

  out.flow.refused = !rules.empty();
  out.flow.review_findings = out.review_cells > 0 || cross_frame;
  verdict["outcome"] = out.flow.refused ? "refuse" : (out.flow.review_findings ? "review" : "pass");
  verdict["rules"] = rules;
  verdict["cells"] = built.cells.size();
  verdict["suppressed_cells"] = out.suppressed_cells;
  verdict["review_cells"] = out.review_cells;
  verdict["cross_frame"] = cross_frame;
  out.record.verdict_json = verdict.dump();
  out.ledger = LedgerTables(table, result);
  out.content = csv;
  out.certified = std::move(built);
  out.frame = frame;
  return out;
}

struct Parsed {
  size_t index = 0;  // in the input's order
  exports::TableOutput table;
};

// Protects the tables of `outputs`, all over `frame` and one measure.
Status ProtectGroup(const ComputeInput& in, exports::ExportStore& store, const FrameDeclaration& frame,
                    const std::vector<airlock::Dimension>& dimensions, const airlock::MeasureData& data,
                    const std::vector<Parsed>& outputs, std::vector<std::optional<ComputedOutput>>& computed) {
  const std::string measure(exports::ToString(outputs.front().table.measure));
  airlock::ProtectionRequest request{
      .dimensions = dimensions, .tables = {}, .data = data, .history = {}, .rules = in.rules};
  for (const Parsed& p : outputs) {
    request.tables.insert(request.tables.end(), p.table.tables.begin(), p.table.tables.end());
  }
  ASSIGN_OR_RETURN(request.history, store.Ledger(in.project, frame.name, measure));
  ASSIGN_OR_RETURN(airlock::ProtectionResult result, airlock::Protect(request));
  const exports::Frame cert_frame = exports::CertificateFrame(frame, dimensions);
  bool cross_frame = false;
  for (const std::string& f : in.released_frames) cross_frame = cross_frame || f != frame.name;
  for (const Parsed& p : outputs) {
    ASSIGN_OR_RETURN(computed[p.index], Judge(in, p.table, cert_frame, result, cross_frame));
  }
  return OkStatus();
}

// Every output over `frame`, computed.
Status ComputeFrame(const ComputeInput& in, exports::ExportStore& store, const FrameDeclaration& frame,
                    const std::vector<size_t>& indices, std::vector<std::optional<ComputedOutput>>& computed) {
  ASSIGN_OR_RETURN(std::vector<airlock::Dimension> dimensions, Dimensions(in, frame));
  std::map<exports::Measure, std::vector<Parsed>> by_measure;
  for (size_t i : indices) {
    ASSIGN_OR_RETURN(exports::TableOutput table, exports::ParseTableOutput(in.outputs[i].json, frame, dimensions));
    const exports::Measure measure = table.measure;
    by_measure[measure].push_back({.index = i, .table = std::move(table)});
  }
  ASSIGN_OR_RETURN(exports::FrameDataBuilder builder, FrameData(in, frame, dimensions));
  for (const auto& [measure, outputs] : by_measure) {
    ASSIGN_OR_RETURN(airlock::MeasureData data, builder.Finish(measure));
    RETURN_IF_ERROR(ProtectGroup(in, store, frame, dimensions, data, outputs, computed));
  }
  return OkStatus();
}

}  // namespace

StatusOr<OutputIdentity> DeclaredOutputIdentity(const std::string& json) {
  nlohmann::json parsed = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (!parsed.is_object()) return InvalidArgumentError("output declaration: not a JSON object");
  const auto name = parsed.find("output");
  if (name == parsed.end() || !name->is_string() || !exports::IsExportName(name->get<std::string>())) {
    return InvalidArgumentError("output declaration: \"output\" must be a name of [a-z][a-z0-9_-]{0,63}");
  }
  OutputIdentity id{.name = name->get<std::string>()};
  const auto kind = parsed.find("kind");
  if (kind != parsed.end()) {
    if (!kind->is_string()) return InvalidArgumentError("output " + id.name + ": \"kind\" must be a string");
    StatusOr<exports::RequestOutputKind> k = exports::ParseRequestOutputKind(kind->get<std::string>());
    if (!k.ok()) return InvalidArgumentError("output " + id.name + ": unknown kind (table, model, figure or custom)");
    id.kind = *k;
  }
  return id;
}

namespace {

// The verdict and record of a file output whose checks gave `v`.
ComputedOutput JudgeFile(const exports::FileOutputDeclaration& d, const DeclaredOutput& declared,
                         const exports::FileVerdict& v, nlohmann::json verdict) {
  const std::string& content = *declared.content;
  ComputedOutput out;
  out.record.name = d.name;
  out.record.kind = d.kind;
  out.record.format = d.format;
  out.record.bytes = v.bytes;
  out.record.sha256 = HexEncode(crypto::Sha256(AsBytes(content)));
  out.flow = {.name = d.name,
              .kind = d.kind,
              .refused = v.refused(),
              .review_findings = false,
              .explanation_given = exports::ExplanationGiven(declared.json)};
  out.content = content;
  out.upload = true;
  // The checks cannot clear a figure or a custom file: both checkers give a reason.
  const bool needs_reasons =
      d.kind == exports::RequestOutputKind::kFigure || d.kind == exports::RequestOutputKind::kCustom;
  verdict["outcome"] = v.refused() ? "refuse" : (needs_reasons ? "review" : "pass");
  verdict["rules"] = v.rules;
  verdict["rows"] = v.rows;
  verdict["bytes"] = v.bytes;
  if (!v.columns.empty()) verdict["columns"] = v.columns;
  out.record.verdict_json = verdict.dump();
  out.certified.sha256 = out.record.sha256;
  out.certified.bytes = v.bytes;
  out.certified.figure_of = d.figure_of;
  return out;
}

// The units of a model's frame (its N): the frame's rows; for a frame of
// people, InvalidArgument when a person appears twice (as FrameDataBuilder
// checks for a table), so that N counts people.
StatusOr<int64_t> Observations(const ComputeInput& in, const FrameDeclaration& frame) {
  ASSIGN_OR_RETURN(sql::QueryResult r, in.run("SELECT count(*), count(DISTINCT contributor) FROM (\n" +
                                               exports::FrameQuery(frame) + "\n) AS model_frame"));
  int64_t n[2] = {-1, -1};
  for (size_t i = 0; i < 2 && r.rows.size() == 1 && r.rows[0].size() == 2; ++i) {
    const std::optional<std::string>& text = r.rows[0][i];
    if (!text || std::from_chars(text->data(), text->data() + text->size(), n[i]).ec != std::errc()) n[i] = -1;
  }
  if (n[0] < 0 || n[1] < 0) return InternalError("frame " + frame.name + ": the count of its rows is not a number");
  if (frame.unit == "person" && n[0] != n[1]) {
    return InvalidArgumentError("a person appears twice in frame " + frame.name + ", whose unit is person");
  }
  return n[0];
}

StatusOr<ComputedOutput> ComputeFile(const ComputeInput& in, const DeclaredOutput& declared,
                                     const std::vector<std::optional<ComputedOutput>>& computed) {
  ASSIGN_OR_RETURN(exports::FileOutputDeclaration d, exports::ParseFileOutput(declared.json));
  if (!declared.content) {
    return InvalidArgumentError("output " + d.name + " is a " + std::string(exports::ToString(d.kind)) +
                                " output without its file: upload the file with its declaration");
  }
  nlohmann::json verdict = nlohmann::json::object();
  int64_t observations = 0;
  const FrameDeclaration* frame = nullptr;
  if (d.kind == exports::RequestOutputKind::kModel) {
    const auto it = in.frames.find(d.frame);
    if (it == in.frames.end()) {
      return InvalidArgumentError("output " + d.name + ": \"frame\" must name a frame of the project");
    }
    frame = &it->second;
    ASSIGN_OR_RETURN(observations, Observations(in, *frame));
  }
  ASSIGN_OR_RETURN(exports::FileVerdict v, exports::CheckFileOutput(d, *declared.content, in.rules, observations));
  if (d.kind == exports::RequestOutputKind::kFigure) {
    // The figure draws a table of the request: the table's checks are its own.
    const ComputedOutput* table = nullptr;
    for (size_t i = 0; i < in.outputs.size(); ++i) {
      if (in.outputs[i].name == d.figure_of && computed[i] &&
          computed[i]->record.kind == exports::RequestOutputKind::kTable) {
        table = &*computed[i];
      }
    }
    if (!table) {
      return InvalidArgumentError("output " + d.name + ": \"figure_of\" must name a table output of the request");
    }
    const nlohmann::json drawn = nlohmann::json::parse(table->record.verdict_json, nullptr, false);
    if (table->flow.refused) {
      for (const auto& rule : drawn.value("rules", nlohmann::json::array())) {
        if (rule.is_string() && std::find(v.rules.begin(), v.rules.end(), rule) == v.rules.end()) {
          v.rules.push_back(rule.get<std::string>());
        }
      }
      if (v.rules.empty()) v.rules.emplace_back(airlock::kRuleInvalidInput);  // refused without a rule: fail closed
    }
    verdict["figure_of"] = d.figure_of;
  }
  if (frame) {
    verdict["frame"] = d.frame;
    verdict["observations"] = observations;
    verdict["parameters"] = v.rows;
  }
  ComputedOutput out = JudgeFile(d, declared, v, std::move(verdict));
  if (frame) {
    ASSIGN_OR_RETURN(std::vector<airlock::Dimension> dimensions, Dimensions(in, *frame));
    out.frame = exports::CertificateFrame(*frame, dimensions);
    out.certified.frame = d.frame;
    out.certified.measure = std::string(frame->unit == "person" ? exports::kMeasureCount : exports::kMeasureUnits);
    out.certified.parameters = v.rows;
  }
  return out;
}

}  // namespace

StatusOr<std::vector<ComputedOutput>> ComputeOutputs(const ComputeInput& in, exports::ExportStore& store) {
  std::map<std::string, std::vector<size_t>> by_frame;
  std::vector<size_t> files;
  for (size_t i = 0; i < in.outputs.size(); ++i) {
    ASSIGN_OR_RETURN(OutputIdentity id, DeclaredOutputIdentity(in.outputs[i].json));
    if (exports::IsFileKind(id.kind)) {
      files.push_back(i);
      continue;
    }
    if (in.outputs[i].content)
      return InvalidArgumentError("output " + id.name + " is a table: hdhub computes its file");
    nlohmann::json parsed = nlohmann::json::parse(in.outputs[i].json, nullptr, false);
    const auto frame = parsed.is_object() ? parsed.find("frame") : parsed.end();
    if (frame == parsed.end() || !frame->is_string() || !in.frames.contains(frame->get<std::string>())) {
      return InvalidArgumentError("output " + in.outputs[i].name + ": \"frame\" must name a frame of the project");
    }
    by_frame[frame->get<std::string>()].push_back(i);
  }
  std::vector<std::optional<ComputedOutput>> computed(in.outputs.size());
  for (const auto& [name, indices] : by_frame) {
    RETURN_IF_ERROR(ComputeFrame(in, store, in.frames.at(name), indices, computed));
  }
  // After the tables: a figure is judged with the table it draws.
  for (size_t i : files) {
    ASSIGN_OR_RETURN(computed[i], ComputeFile(in, in.outputs[i], computed));
  }
  std::vector<ComputedOutput> out;
  for (size_t i = 0; i < computed.size(); ++i) {
    if (!computed[i]) return InternalError("output " + in.outputs[i].name + " was not computed");
    computed[i]->record.declaration_json = in.outputs[i].json;
    out.push_back(std::move(*computed[i]));
  }
  return out;
}

}  // namespace hdhub::service::internal
