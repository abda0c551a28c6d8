// The certificate body's canonical JSON, the history chain, the table output
// built from a Protect run and its CSV (docs/formats/airlock-certificate.md
// §2–§3, docs/airlock-workflow.md §2.2). ParseBody is in certificate_parse.cc.
#include "hdhub/exports/certificate.h"

#include <cmath>
#include <nlohmann/json.hpp>
#include <string>
#include <utility>

#include "hdhub/airlock/published_intervals.h"
#include "hdhub/common/bytes.h"
#include "hdhub/exports/certificate_json.h"

namespace hdhub::exports {
namespace {

using nlohmann::json;

constexpr std::string_view kHistoryDomain = "hdhub airlock history v1";

json DimensionsJson(const std::vector<airlock::Dimension>& dimensions) {
  json out = json::array();
  for (const airlock::Dimension& d : dimensions) {
    json codes = json::array();
    for (const airlock::Code& c : d.codes) codes.push_back({{"code", c.code}, {"parent", c.parent}});
    out.push_back({{"name", d.name}, {"codes", std::move(codes)}});
  }
  return out;
}

json TablesJson(const std::vector<airlock::TableSpec>& tables) {
  json out = json::array();
  for (const airlock::TableSpec& t : tables) {
    json dims = json::array();
    for (const airlock::TableDimension& d : t.dimensions)
      dims.push_back({{"dimension", d.dimension}, {"codes", d.codes}});
    out.push_back({{"id", t.id}, {"dimensions", std::move(dims)}});
  }
  return out;
}

json CellJson(const Cell& c, std::string_view measure) {
  json j{{"table", c.table}, {"codes", c.codes}, {"reason", c.reason}};
  j["status"] = c.published ? "published" : "suppressed";
  if (c.published) {
    j["value"] = NumberJson(measure, c.value);
    if (c.reason == "review") j["rule"] = c.rule;
  } else {
    j["interval"] = {NumberJson(measure, c.lo), c.hi ? NumberJson(measure, *c.hi) : json(nullptr)};
  }
  return j;
}

json OutputJson(const Output& o) {
  json j{{"name", o.name},     {"kind", o.kind},
         {"format", o.format}, {"sha256", o.sha256},
         {"bytes", o.bytes},   {"verdict", {{"outcome", o.verdict_outcome}, {"rule", o.verdict_rule}}}};
  if (o.reasons) {
    json reasons = json::array();
    for (const CheckerReason& r : *o.reasons)
      reasons.push_back({{"checker", r.checker}, {"text_sha256", r.text_sha256}});
    j["reasons"] = std::move(reasons);
  }
  if (o.kind == "table" || o.kind == "model") {
    j["frame"] = o.frame;
    j["measure"] = o.measure;
  }
  if (o.kind == "table") {
    j["tables"] = TablesJson(o.tables);
    j["solver"] = {{"name", o.solver_name}, {"version", o.solver_version}};
    j["repair_rounds"] = o.repair_rounds;
    json cells = json::array();
    for (const Cell& c : o.cells) cells.push_back(CellJson(c, o.measure));
    j["cells"] = std::move(cells);
  }
  if (o.kind == "figure") j["figure_of"] = o.figure_of;
  if (o.kind == "model") j["parameters"] = o.parameters;
  return j;
}

// RFC 4180: a field with a comma, a quote or a line break is quoted, its
// quotes doubled.
std::string CsvField(std::string_view field) {
  if (field.find_first_of(",\"\r\n") == std::string_view::npos) return std::string(field);
  std::string out = "\"";
  for (char c : field) {
    if (c == '"') out += '"';
    out += c;
  }
  return out + "\"";
}

std::string_view ReasonText(airlock::CellReason reason) {
  switch (reason) {
    case airlock::CellReason::kLedger:
      return "ledger";
    case airlock::CellReason::kPrimary:
    case airlock::CellReason::kSecondary:
    case airlock::CellReason::kRepair:
      return "protected";  // never which: §2 "Decision"
    default:
      return airlock::CellReasonName(reason);
  }
}

// The certificate cell of one Protect cell: codes per frame dimension, the
// interval rounded inward for integer measures, no value or rule when
// suppressed. Fails closed (Internal) on a suppressed cell without an
// interval or a non-integer count: a fault upstream, never certified.
StatusOr<Cell> CertificateCell(const Frame& frame, const airlock::TableSpec& spec, const airlock::CellRecord& record,
                               bool integers, const std::string& where) {
  Cell cell{.table = spec.id, .published = record.status == airlock::CellStatus::kPublished};
  for (const airlock::Dimension& d : frame.dimensions) {
    std::string code = "*";
    for (size_t i = 0; i < spec.dimensions.size(); ++i) {
      if (spec.dimensions[i].dimension == d.name) code = record.codes[i];
    }
    cell.codes.push_back(std::move(code));
  }
  cell.reason = std::string(ReasonText(record.reason));
  if (cell.published) {
    if (integers && (!std::isfinite(record.value) || record.value != std::floor(record.value))) {
      return InternalError(where + ": a published cell of an integer measure is not an integer");
    }
    cell.value = record.value;
    if (record.reason == airlock::CellReason::kReview) cell.rule = record.rule;
    return cell;
  }
  if (!record.interval) return InternalError(where + ": a suppressed cell has no interval");
  airlock::Interval iv = *record.interval;  // integer measures: rounded inward as the audit rounds counts
  if (integers) iv = airlock::RoundInward({.min = iv.lo, .max = iv.hi, .max_unbounded = std::isinf(iv.hi)});
  cell.lo = iv.lo;
  if (std::isfinite(iv.hi)) cell.hi = iv.hi;
  return cell;
}

}  // namespace

crypto::Digest HistoryStart(std::string_view project) {
  std::string input(kHistoryDomain);
  input += '\n';
  input += project;
  return crypto::Sha256(AsBytes(input));
}

crypto::Digest HistoryNext(const crypto::Digest& before, std::string_view body_line) {
  const crypto::Digest body = crypto::Sha256(AsBytes(body_line));
  Bytes input(before.begin(), before.end());
  input.insert(input.end(), body.begin(), body.end());
  return crypto::Sha256(input);
}

bool IsIntegerMeasure(std::string_view measure) { return measure == kMeasureCount || measure == kMeasureUnits; }

nlohmann::json NumberJson(std::string_view measure, double value) {
  if (IsIntegerMeasure(measure)) return static_cast<int64_t>(std::llround(value));
  return value;
}

std::string ValueText(std::string_view measure, double value) { return NumberJson(measure, value).dump(); }

std::string CertificateBody::ToLine() const {
  json frames_json = json::object();
  for (const auto& [name, f] : frames) {
    frames_json[name] = {{"sql_sha256", f.sql_sha256}, {"unit", f.unit}, {"dimensions", DimensionsJson(f.dimensions)}};
  }
  json reviews_json = json::array();
  for (const Review& r : reviews) reviews_json.push_back({{"checker", r.checker}, {"at", r.at}});
  json outputs_json = json::array();
  for (const Output& o : outputs) outputs_json.push_back(OutputJson(o));
  const json j{
      {"format", kCertificateFormat},
      {"v", kCertificateVersion},
      {"log_origin", log_origin},
      {"project", project},
      {"authorisation_ref", authorisation_ref},
      {"request", request},
      {"revision", revision},
      {"release", release},
      {"released_at", released_at},
      {"author", author},
      {"reviews", std::move(reviews_json)},
      {"rules", rules.ToJson()},
      {"hdhub", hdhub},
      {"history", {{"before", history.before}, {"releases", history.releases}, {"not_modelled", history.not_modelled}}},
      {"frames", std::move(frames_json)},
      {"outputs", std::move(outputs_json)},
      {"evidence_sha256", evidence_sha256},
      {"nonce", nonce}};
  // nlohmann::json objects are std::map-backed: dump() sorts keys, as the
  // audit entries' canonical form (audit/event.cc).
  return j.dump();
}

StatusOr<Output> BuildTableOutput(const TableOutputDeclaration& decl, const Frame& frame,
                                  const airlock::ProtectionResult& result) {
  if (decl.measure != kMeasureCount && decl.measure != kMeasureUnits && decl.measure != kMeasureSum) {
    return InvalidArgumentError("output " + decl.name + ": measure is not count, units or sum");
  }
  if (result.outcome != airlock::Outcome::kPass) {
    return FailedPreconditionError("output " + decl.name + ": the protection refused its tables; nothing is released");
  }
  Output out{.name = decl.name,
             .kind = "table",
             .format = "csv",
             .verdict_outcome = decl.verdict_outcome,
             .verdict_rule = decl.verdict_rule,
             .reasons = decl.reasons,
             .frame = decl.frame,
             .measure = decl.measure,
             .tables = decl.tables,
             .solver_name = result.solver_name,
             .solver_version = result.solver_version,
             .repair_rounds = result.repair_rounds};
  for (const airlock::TableSpec& spec : decl.tables) {
    const std::string id = decl.name + "/" + spec.id;
    const size_t before = out.cells.size();
    for (const airlock::CellRecord& record : result.cells) {
      if (record.table != id) continue;
      if (record.codes.size() != spec.dimensions.size()) {
        return InvalidArgumentError("output " + decl.name + ", table " + spec.id + ": a cell has the wrong codes");
      }
      ASSIGN_OR_RETURN(Cell cell, CertificateCell(frame, spec, record, IsIntegerMeasure(decl.measure),
                                                  "output " + decl.name + ", table " + spec.id));
      out.cells.push_back(std::move(cell));
    }
    if (out.cells.size() == before) {
      return InvalidArgumentError("output " + decl.name + ", table " + spec.id + ": not in the protection result");
    }
  }
  RETURN_IF_ERROR(CheckCrossProduct(frame, out, "output " + decl.name));
  const std::string csv = RenderTableCsv(frame, out);
  out.sha256 = HexEncode(crypto::Sha256(AsBytes(csv)));
  out.bytes = static_cast<int64_t>(csv.size());
  return out;
}

std::string RenderTableCsv(const Frame& frame, const Output& output) {
  std::string csv = "table";
  for (const airlock::Dimension& d : frame.dimensions) csv += "," + CsvField(d.name);
  csv += ",value\n";
  for (const Cell& c : output.cells) {
    csv += CsvField(c.table);
    for (const std::string& code : c.codes) csv += "," + CsvField(code);
    csv += ",";
    if (c.published) csv += ValueText(output.measure, c.value);
    csv += "\n";
  }
  return csv;
}

}  // namespace hdhub::exports
