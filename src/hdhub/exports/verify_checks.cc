// Steps 5 (files) and 6 (internal rules) of the certificate's verification
// (docs/formats/airlock-certificate.md §6), and the RFC 4180 reader step 5
// needs.
#include "hdhub/exports/verify_checks.h"

#include <charconv>
#include <cstdlib>

#include "hdhub/common/bytes.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/exports/certificate_json.h"

namespace hdhub::exports {
namespace {

using Row = std::vector<std::string>;

// RFC 4180 with LF line ends: quoted fields may hold commas, doubled quotes
// and line breaks. nullopt for a quote out of place or an unterminated field.
std::optional<std::vector<Row>> ParseCsv(std::string_view text) {
  std::vector<Row> rows;
  Row row;
  std::string field;
  size_t i = 0;
  while (i < text.size()) {
    if (text[i] == '"') {
      for (++i;; ++i) {
        if (i >= text.size()) return std::nullopt;
        if (text[i] != '"') {
          field += text[i];
        } else if (i + 1 < text.size() && text[i + 1] == '"') {
          field += '"';
          ++i;
        } else {
          break;
        }
      }
      ++i;
      if (i < text.size() && text[i] != ',' && text[i] != '\n') return std::nullopt;
    }
    while (i < text.size() && text[i] != ',' && text[i] != '\n') {
      if (text[i] == '"') return std::nullopt;
      field += text[i++];
    }
    row.push_back(std::move(field));
    field.clear();
    if (i < text.size() && text[i] == '\n') {
      rows.push_back(std::move(row));
      row.clear();
    }
    ++i;
  }
  if (!row.empty() || (!text.empty() && text.back() == ',')) return std::nullopt;  // no final LF
  return rows;
}

// Whether a CSV value is the published `value` of `measure`: the same integer,
// or for sums the same double.
bool SameValue(std::string_view text, std::string_view measure, double value) {
  if (IsIntegerMeasure(measure)) {
    int64_t n = 0;
    auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
    return !text.empty() && ec == std::errc() && end == text.data() + text.size() && static_cast<double>(n) == value;
  }
  const std::string s(text);
  char* end = nullptr;
  const double d = std::strtod(s.c_str(), &end);
  return !s.empty() && end == s.c_str() + s.size() && d == value;
}

std::optional<Failure> CheckTableCsv(const CertificateBody& body, const Output& out, std::string_view csv) {
  const Frame& frame = body.frames.at(out.frame);
  Failure f{.check = kCheckFiles, .output = out.name};
  std::optional<std::vector<Row>> rows = ParseCsv(csv);
  if (!rows) return f.message = "the table's file is not RFC 4180 CSV", f;
  Row header = {"table"};
  for (const airlock::Dimension& d : frame.dimensions) header.push_back(d.name);
  header.push_back("value");
  if (rows->empty() || (*rows)[0] != header) {
    return f.message = "the CSV header is not table, the frame's dimensions, value", f;
  }
  if (rows->size() != out.cells.size() + 1) return f.message = "the CSV has not one row per cell", f;
  for (size_t i = 0; i < out.cells.size(); ++i) {
    const Cell& c = out.cells[i];
    const Row& r = (*rows)[i + 1];
    const bool codes = r.size() == header.size() && r[0] == c.table && Row(r.begin() + 1, r.end() - 1) == c.codes;
    const bool value = codes && (c.published ? SameValue(r.back(), out.measure, c.value) : r.back().empty());
    if (!value) {
      f.table = c.table;
      f.cell = c.codes;
      f.message = "CSV row " + std::to_string(i + 1) + " is not the certificate's cell " + std::to_string(i);
      return f;
    }
  }
  return std::nullopt;
}

std::optional<Failure> CheckCell(const CertificateBody& body, const Output& out, const Cell& c) {
  const double t = static_cast<double>(body.rules.min_count);
  const bool count = out.measure == kMeasureCount;
  Failure f{.check = kCheckRules, .output = out.name, .table = c.table, .cell = c.codes};
  if (c.published) {
    if (count && c.value != 0 && c.value < t) return f.message = "a published count is below min_count", f;
    return std::nullopt;
  }
  if (c.lo < 0 || (c.hi && *c.hi < c.lo)) return f.message = "a suppressed cell's interval is not 0 <= lo <= hi", f;
  if (count && c.lo >= 1 && c.hi && *c.hi <= t - 1) {
    return f.message = "a suppressed count's interval proves a group of 1 to min_count - 1 people", f;
  }
  if (body.rules.zeros == airlock::Outcome::kSuppress && c.hi && *c.hi == 0) {
    return f.message = "a suppressed cell's interval proves it is 0 (zeros are suppressed)", f;
  }
  return std::nullopt;
}

}  // namespace

std::optional<Failure> CheckFiles(const CertificateBody& body, std::span<const VerifyFile> files,
                                  VerifyReport& report) {
  std::vector<bool> matched(body.outputs.size(), false);
  for (const VerifyFile& file : files) {
    const std::string sha = HexEncode(crypto::Sha256(AsBytes(file.bytes)));
    std::vector<size_t> hits;
    for (size_t o = 0; o < body.outputs.size(); ++o) {
      const Output& out = body.outputs[o];
      if (out.sha256 == sha && out.bytes == static_cast<int64_t>(file.bytes.size())) hits.push_back(o);
    }
    if (hits.size() != 1) {
      return Failure{
          .check = kCheckFiles,
          .message = "file " + file.name + (hits.empty() ? " matches no output" : " matches several outputs")};
    }
    const Output& out = body.outputs[hits[0]];
    if (out.kind == "table" && out.format == "csv") {
      if (std::optional<Failure> f = CheckTableCsv(body, out, file.bytes)) return f;
    }
    matched[hits[0]] = true;
  }
  for (size_t o = 0; o < body.outputs.size(); ++o) {
    (matched[o] ? report.outputs_checked : report.outputs_not_checked).push_back(body.outputs[o].name);
  }
  return std::nullopt;
}

std::optional<Failure> CheckRules(const CertificateBody& body) {
  for (const Output& out : body.outputs) {
    if (out.kind != "table") continue;
    Status order = CheckCrossProduct(body.frames.at(out.frame), out, "output " + out.name);
    if (!order.ok()) return Failure{.check = kCheckRules, .message = std::string(order.message()), .output = out.name};
    for (const Cell& c : out.cells) {
      if (std::optional<Failure> f = CheckCell(body, out, c)) return f;
    }
  }
  return std::nullopt;
}

}  // namespace hdhub::exports
