// ParseBody: the certificate body line read back and validated member by
// member (docs/formats/airlock-certificate.md §2), and the cross-product order
// of a table output's cells (§6 step 6), which the builder checks too.
#include <set>
#include <utility>

#include "hdhub/common/bytes.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/json_number.h"
#include "hdhub/exports/certificate.h"
#include "hdhub/exports/certificate_json.h"

namespace hdhub::exports {
namespace {

using nlohmann::json;

constexpr size_t kNonceHexDigits = 32;
constexpr size_t kSha256HexDigits = 64;
constexpr int kReviewsPerRelease = 2;

Status Bad(const std::string& path, std::string_view what) {
  return InvalidArgumentError("certificate body: member '" + path + "' " + std::string(what));
}

// One JSON object being read, with its path for errors. Every member read is
// marked; Done() refuses the others.
class Obj {
 public:
  static StatusOr<Obj> Of(const json& j, std::string path) {
    if (!j.is_object()) return Bad(path, "is not an object");
    return Obj(j, std::move(path));
  }
  std::string Path(std::string_view key) const {
    return path_.empty() ? std::string(key) : path_ + "." + std::string(key);
  }
  bool Has(std::string_view key) const { return j_->contains(key); }
  StatusOr<const json*> Get(std::string_view key) {
    auto it = j_->find(key);
    if (it == j_->end()) return Bad(Path(key), "is missing");
    seen_.insert(std::string(key));
    return &*it;
  }
  StatusOr<std::string> String(std::string_view key) {
    ASSIGN_OR_RETURN(const json* v, Get(key));
    if (!v->is_string()) return Bad(Path(key), "is not a string");
    return v->get<std::string>();
  }
  StatusOr<std::string> Hex(std::string_view key, size_t digits) {
    ASSIGN_OR_RETURN(std::string s, String(key));
    if (s.size() != digits || s.find_first_not_of("0123456789abcdef") != std::string::npos) {
      return Bad(Path(key), "is not " + std::to_string(digits) + " lower-case hex digits");
    }
    return s;
  }
  StatusOr<std::string> Time(std::string_view key) {
    ASSIGN_OR_RETURN(std::string s, String(key));
    if (!ParseRfc3339(s).ok()) return Bad(Path(key), "is not an RFC 3339 time");
    return s;
  }
  StatusOr<int64_t> Int(std::string_view key, int64_t min) {
    ASSIGN_OR_RETURN(const json* v, Get(key));
    std::optional<int64_t> i = v->is_number_float() ? std::nullopt : JsonInteger(*v, min, INT64_MAX);
    if (!i) return Bad(Path(key), "is not an integer of at least " + std::to_string(min));
    return *i;
  }
  StatusOr<std::vector<std::string>> Strings(std::string_view key) {
    ASSIGN_OR_RETURN(const json* v, Get(key));
    if (!v->is_array()) return Bad(Path(key), "is not an array");
    for (const json& s : *v) {
      if (!s.is_string()) return Bad(Path(key), "holds a non-string");
    }
    return v->get<std::vector<std::string>>();
  }
  Status Done() const {
    for (const auto& [key, value] : j_->items()) {
      if (!seen_.contains(key)) return Bad(Path(key), "is not a member of the format");
    }
    return OkStatus();
  }

 private:
  Obj(const json& j, std::string path) : j_(&j), path_(std::move(path)) {}
  const json* j_;
  std::string path_;
  std::set<std::string> seen_;
};

std::string At(const std::string& path, size_t i) { return path + "[" + std::to_string(i) + "]"; }

StatusOr<const json*> Array(Obj& o, std::string_view key) {
  ASSIGN_OR_RETURN(const json* v, o.Get(key));
  if (!v->is_array()) return Bad(o.Path(key), "is not an array");
  return v;
}

// A number member of `measure`'s kind: an integer for count and units.
StatusOr<double> Number(const json& v, std::string_view measure, const std::string& path) {
  if (IsIntegerMeasure(measure)) {
    std::optional<int64_t> i = v.is_number_float() ? std::nullopt : JsonInteger(v, INT64_MIN, INT64_MAX);
    if (!i) return Bad(path, "is not an integer");
    return static_cast<double>(*i);
  }
  if (!v.is_number()) return Bad(path, "is not a number");
  return v.get<double>();
}

StatusOr<std::vector<Review>> ParseReviews(Obj& body, const std::string& author) {
  ASSIGN_OR_RETURN(const json* a, Array(body, "reviews"));
  if (a->size() != kReviewsPerRelease) return Bad("reviews", "does not hold two reviews");
  std::vector<Review> out;
  for (size_t i = 0; i < a->size(); ++i) {
    ASSIGN_OR_RETURN(Obj r, Obj::Of((*a)[i], At("reviews", i)));
    Review review;
    ASSIGN_OR_RETURN(review.checker, r.String("checker"));
    ASSIGN_OR_RETURN(review.at, r.Time("at"));
    RETURN_IF_ERROR(r.Done());
    if (review.checker == author) return Bad(At("reviews", i), "is by the author");
    if (!out.empty() && !(out.back().checker < review.checker)) {
      return Bad("reviews", "is not by two distinct checkers sorted by checker");
    }
    out.push_back(std::move(review));
  }
  return out;
}

StatusOr<Frame> ParseFrame(const json& j, const std::string& path) {
  ASSIGN_OR_RETURN(Obj o, Obj::Of(j, path));
  Frame f;
  ASSIGN_OR_RETURN(f.sql_sha256, o.Hex("sql_sha256", kSha256HexDigits));
  ASSIGN_OR_RETURN(f.unit, o.String("unit"));
  ASSIGN_OR_RETURN(const json* dims, Array(o, "dimensions"));
  for (size_t i = 0; i < dims->size(); ++i) {
    ASSIGN_OR_RETURN(Obj d, Obj::Of((*dims)[i], At(o.Path("dimensions"), i)));
    airlock::Dimension dim;
    ASSIGN_OR_RETURN(dim.name, d.String("name"));
    ASSIGN_OR_RETURN(const json* codes, Array(d, "codes"));
    for (size_t k = 0; k < codes->size(); ++k) {
      ASSIGN_OR_RETURN(Obj c, Obj::Of((*codes)[k], At(d.Path("codes"), k)));
      airlock::Code code;
      ASSIGN_OR_RETURN(code.code, c.String("code"));
      ASSIGN_OR_RETURN(code.parent, c.String("parent"));
      RETURN_IF_ERROR(c.Done());
      dim.codes.push_back(std::move(code));
    }
    RETURN_IF_ERROR(d.Done());
    f.dimensions.push_back(std::move(dim));
  }
  RETURN_IF_ERROR(o.Done());
  return f;
}

StatusOr<Cell> ParseCell(const json& j, const std::string& path, std::string_view measure) {
  ASSIGN_OR_RETURN(Obj o, Obj::Of(j, path));
  Cell c;
  ASSIGN_OR_RETURN(c.table, o.String("table"));
  ASSIGN_OR_RETURN(c.codes, o.Strings("codes"));
  ASSIGN_OR_RETURN(std::string status, o.String("status"));
  ASSIGN_OR_RETURN(c.reason, o.String("reason"));
  if (status == "published") {
    if (c.reason != "safe" && c.reason != "review" && c.reason != "forced") return Bad(o.Path("reason"), "is unknown");
    ASSIGN_OR_RETURN(const json* v, o.Get("value"));
    ASSIGN_OR_RETURN(c.value, Number(*v, measure, o.Path("value")));
    if (c.reason == "review") {
      ASSIGN_OR_RETURN(c.rule, o.String("rule"));
    }
  } else if (status == "suppressed") {
    c.published = false;
    if (c.reason != "ledger" && c.reason != "protected") return Bad(o.Path("reason"), "is unknown");
    ASSIGN_OR_RETURN(const json* iv, o.Get("interval"));
    if (!iv->is_array() || iv->size() != 2) return Bad(o.Path("interval"), "is not [lo, hi]");
    ASSIGN_OR_RETURN(c.lo, Number((*iv)[0], measure, o.Path("interval")));
    if (!(*iv)[1].is_null()) {
      ASSIGN_OR_RETURN(c.hi, Number((*iv)[1], measure, o.Path("interval")));
    }
  } else {
    return Bad(o.Path("status"), "is not published or suppressed");
  }
  RETURN_IF_ERROR(o.Done());
  return c;
}

StatusOr<std::vector<airlock::TableSpec>> ParseTables(Obj& o) {
  ASSIGN_OR_RETURN(const json* a, Array(o, "tables"));
  std::vector<airlock::TableSpec> out;
  for (size_t i = 0; i < a->size(); ++i) {
    ASSIGN_OR_RETURN(Obj t, Obj::Of((*a)[i], At(o.Path("tables"), i)));
    airlock::TableSpec spec;
    ASSIGN_OR_RETURN(spec.id, t.String("id"));
    ASSIGN_OR_RETURN(const json* dims, Array(t, "dimensions"));
    for (size_t k = 0; k < dims->size(); ++k) {
      ASSIGN_OR_RETURN(Obj d, Obj::Of((*dims)[k], At(t.Path("dimensions"), k)));
      airlock::TableDimension td;
      ASSIGN_OR_RETURN(td.dimension, d.String("dimension"));
      ASSIGN_OR_RETURN(td.codes, d.Strings("codes"));
      RETURN_IF_ERROR(d.Done());
      spec.dimensions.push_back(std::move(td));
    }
    RETURN_IF_ERROR(t.Done());
    out.push_back(std::move(spec));
  }
  return out;
}

Status ParseTableMembers(Obj& o, Output& out) {
  ASSIGN_OR_RETURN(out.tables, ParseTables(o));
  ASSIGN_OR_RETURN(const json* solver, o.Get("solver"));
  ASSIGN_OR_RETURN(Obj s, Obj::Of(*solver, o.Path("solver")));
  ASSIGN_OR_RETURN(out.solver_name, s.String("name"));
  ASSIGN_OR_RETURN(out.solver_version, s.String("version"));
  RETURN_IF_ERROR(s.Done());
  ASSIGN_OR_RETURN(out.repair_rounds, o.Int("repair_rounds", 0));
  ASSIGN_OR_RETURN(const json* cells, Array(o, "cells"));
  for (size_t i = 0; i < cells->size(); ++i) {
    ASSIGN_OR_RETURN(Cell c, ParseCell((*cells)[i], At(o.Path("cells"), i), out.measure));
    out.cells.push_back(std::move(c));
  }
  return OkStatus();
}

StatusOr<Output> ParseOutput(const json& j, const std::string& path, const std::map<std::string, Frame>& frames) {
  ASSIGN_OR_RETURN(Obj o, Obj::Of(j, path));
  Output out;
  ASSIGN_OR_RETURN(out.name, o.String("name"));
  ASSIGN_OR_RETURN(out.kind, o.String("kind"));
  ASSIGN_OR_RETURN(out.format, o.String("format"));
  static const std::set<std::string> kKinds = {"table", "model", "figure", "custom"};
  static const std::set<std::string> kFormats = {"csv", "parquet", "png", "pdf", "txt"};
  if (!kKinds.contains(out.kind)) return Bad(o.Path("kind"), "is not table, model, figure or custom");
  if (!kFormats.contains(out.format)) return Bad(o.Path("format"), "is not csv, parquet, png, pdf or txt");
  ASSIGN_OR_RETURN(out.sha256, o.Hex("sha256", kSha256HexDigits));
  ASSIGN_OR_RETURN(out.bytes, o.Int("bytes", 0));
  ASSIGN_OR_RETURN(const json* verdict, o.Get("verdict"));
  ASSIGN_OR_RETURN(Obj v, Obj::Of(*verdict, o.Path("verdict")));
  ASSIGN_OR_RETURN(out.verdict_outcome, v.String("outcome"));
  ASSIGN_OR_RETURN(out.verdict_rule, v.String("rule"));
  RETURN_IF_ERROR(v.Done());
  if (!airlock::ParseOutcome(out.verdict_outcome).ok()) return Bad(o.Path("verdict.outcome"), "is unknown");
  if (o.Has("reasons")) {
    ASSIGN_OR_RETURN(const json* a, Array(o, "reasons"));
    out.reasons.emplace();
    for (size_t i = 0; i < a->size(); ++i) {
      ASSIGN_OR_RETURN(Obj r, Obj::Of((*a)[i], At(o.Path("reasons"), i)));
      CheckerReason reason;
      ASSIGN_OR_RETURN(reason.checker, r.String("checker"));
      ASSIGN_OR_RETURN(reason.text_sha256, r.Hex("text_sha256", kSha256HexDigits));
      RETURN_IF_ERROR(r.Done());
      out.reasons->push_back(std::move(reason));
    }
  }
  if (out.kind == "table" || out.kind == "model") {
    ASSIGN_OR_RETURN(out.frame, o.String("frame"));
    if (!frames.contains(out.frame)) return Bad(o.Path("frame"), "names no frame of the body");
    ASSIGN_OR_RETURN(out.measure, o.String("measure"));
    if (out.measure != kMeasureCount && out.measure != kMeasureUnits && out.measure != kMeasureSum) {
      return Bad(o.Path("measure"), "is not count, units or sum");
    }
  }
  if (out.kind == "table") RETURN_IF_ERROR(ParseTableMembers(o, out));
  if (out.kind == "figure") {
    ASSIGN_OR_RETURN(out.figure_of, o.String("figure_of"));
  }
  if (out.kind == "model") {
    ASSIGN_OR_RETURN(out.parameters, o.Int("parameters", 0));
  }
  RETURN_IF_ERROR(o.Done());
  return out;
}

Status ParseHistory(Obj& body, History& h) {
  ASSIGN_OR_RETURN(const json* v, body.Get("history"));
  ASSIGN_OR_RETURN(Obj o, Obj::Of(*v, "history"));
  ASSIGN_OR_RETURN(h.before, o.Hex("before", kSha256HexDigits));
  ASSIGN_OR_RETURN(h.releases, o.Int("releases", 0));
  ASSIGN_OR_RETURN(h.not_modelled, o.Strings("not_modelled"));
  return o.Done();
}

Status ParseOutputs(Obj& body, CertificateBody& b) {
  ASSIGN_OR_RETURN(const json* frames, body.Get("frames"));
  ASSIGN_OR_RETURN(Obj fo, Obj::Of(*frames, "frames"));
  for (const auto& [name, f] : frames->items()) {
    ASSIGN_OR_RETURN(b.frames[name], ParseFrame(f, fo.Path(name)));
  }
  ASSIGN_OR_RETURN(const json* outputs, Array(body, "outputs"));
  for (size_t i = 0; i < outputs->size(); ++i) {
    ASSIGN_OR_RETURN(Output o, ParseOutput((*outputs)[i], At("outputs", i), b.frames));
    if (!b.outputs.empty() && !(b.outputs.back().name < o.name)) return Bad("outputs", "is not sorted by unique name");
    b.outputs.push_back(std::move(o));
  }
  return OkStatus();
}

Status ParseMembers(Obj& body, CertificateBody& b) {
  ASSIGN_OR_RETURN(std::string format, body.String("format"));
  if (format != kCertificateFormat) return Bad("format", "is not hdhub-airlock-certificate");
  ASSIGN_OR_RETURN(int64_t v, body.Int("v", 0));
  if (v != kCertificateVersion) return Bad("v", "is not 1");
  ASSIGN_OR_RETURN(b.log_origin, body.String("log_origin"));
  ASSIGN_OR_RETURN(b.project, body.String("project"));
  ASSIGN_OR_RETURN(b.authorisation_ref, body.String("authorisation_ref"));
  ASSIGN_OR_RETURN(b.request, body.String("request"));
  ASSIGN_OR_RETURN(b.revision, body.Int("revision", 1));
  ASSIGN_OR_RETURN(b.release, body.Int("release", 1));
  ASSIGN_OR_RETURN(b.released_at, body.Time("released_at"));
  ASSIGN_OR_RETURN(b.author, body.String("author"));
  ASSIGN_OR_RETURN(b.reviews, ParseReviews(body, b.author));
  ASSIGN_OR_RETURN(const json* rules, body.Get("rules"));
  StatusOr<airlock::DisclosureRules> parsed = airlock::DisclosureRules::FromJson(*rules);
  if (!parsed.ok() || parsed->ToJson() != *rules) return Bad("rules", "is not a complete, valid set of rules");
  b.rules = *parsed;
  ASSIGN_OR_RETURN(b.hdhub, body.String("hdhub"));
  RETURN_IF_ERROR(ParseHistory(body, b.history));
  RETURN_IF_ERROR(ParseOutputs(body, b));
  ASSIGN_OR_RETURN(b.evidence_sha256, body.Hex("evidence_sha256", kSha256HexDigits));
  ASSIGN_OR_RETURN(b.nonce, body.Hex("nonce", kNonceHexDigits));
  return body.Done();
}

}  // namespace

StatusOr<CertificateBody> ParseBody(std::string_view line) {
  CertificateBody b;
  try {
    const json j = json::parse(line);
    if (!j.is_object()) return InvalidArgumentError("certificate body is not a JSON object");
    ASSIGN_OR_RETURN(Obj body, Obj::Of(j, ""));
    RETURN_IF_ERROR(ParseMembers(body, b));
    // Hashes are over the line as stored: another spelling of the same JSON
    // would be another certificate.
    if (j.dump() != line) return InvalidArgumentError("certificate body is not canonical JSON");
  } catch (const json::exception& e) {
    // e.what() may quote the input; name only the error class.
    return InvalidArgumentError("certificate body is malformed JSON (nlohmann error " + std::to_string(e.id) + ")");
  }
  return b;
}

Status CheckCrossProduct(const Frame& frame, const Output& output, const std::string& where) {
  size_t next = 0;
  for (const airlock::TableSpec& spec : output.tables) {
    const std::string table = where + ", table " + spec.id;
    // Per frame dimension: the codes it takes in this table (only "*" when summed over).
    std::vector<std::vector<std::string>> lists(frame.dimensions.size(), {"*"});
    std::vector<size_t> order;  // frame dimension positions, in the table's order
    for (const airlock::TableDimension& td : spec.dimensions) {
      size_t d = 0;
      while (d < frame.dimensions.size() && frame.dimensions[d].name != td.dimension) ++d;
      if (d == frame.dimensions.size()) return InvalidArgumentError(table + ": a dimension the frame does not declare");
      lists[d] = td.codes;
      if (td.codes.empty()) {
        lists[d].clear();
        for (const airlock::Code& c : frame.dimensions[d].codes) lists[d].push_back(c.code);
      }
      if (lists[d].empty()) return InvalidArgumentError(table + ": a dimension without codes");
      order.push_back(d);
    }
    std::vector<size_t> at(frame.dimensions.size(), 0);  // odometer, the table's last dimension fastest
    while (true) {
      if (next >= output.cells.size()) return InvalidArgumentError(table + ": cells missing at the end");
      const Cell& cell = output.cells[next];
      bool same = cell.table == spec.id && cell.codes.size() == frame.dimensions.size();
      for (size_t d = 0; same && d < frame.dimensions.size(); ++d) same = cell.codes[d] == lists[d][at[d]];
      if (!same) {
        return InvalidArgumentError(table + ": cell " + std::to_string(next) + " is out of cross-product order");
      }
      ++next;
      size_t i = order.size();
      while (i > 0 && ++at[order[i - 1]] == lists[order[i - 1]].size()) at[order[--i]] = 0;
      if (i == 0) break;
    }
  }
  if (next != output.cells.size()) return InvalidArgumentError(where + ": cells beyond its tables' cross-products");
  return OkStatus();
}

}  // namespace hdhub::exports
