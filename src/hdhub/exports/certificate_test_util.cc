#include "hdhub/exports/certificate_test_util.h"

#include <utility>

#include "hdhub/airlock/test_tables.h"
#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/test_util.h"
#include "hdhub/common/bytes.h"

namespace hdhub::exports::testing {
namespace {

using airlock::testing::Flat;
using airlock::testing::Full;
using airlock::testing::Names;

// 2026-11-02T10:00:00Z.
constexpr int64_t kStartMicros = 1793613600'000000;
constexpr char kReadme[] = "Counts of people by row and column, 2019-2023; suppressed cells are empty.\n";

std::string Hex(std::string_view text) { return HexEncode(crypto::Sha256(AsBytes(text))); }

// A body whose interval or value was changed is re-serialised; everything else kept.
std::string WithBody(Bundle b, std::string body_line) {
  b.body = std::move(body_line);
  return b.Serialize();
}

// The CSV with data row `row`'s value (published) raised by one.
std::string RaiseValue(const std::string& csv, size_t row) {
  std::vector<std::string> lines;
  for (size_t pos = 0; pos < csv.size();) {
    const size_t eol = csv.find('\n', pos);
    lines.push_back(csv.substr(pos, eol - pos));
    pos = eol + 1;
  }
  std::string& line = lines.at(row);
  const size_t comma = line.rfind(',');
  line = line.substr(0, comma + 1) + std::to_string(std::stoll(line.substr(comma + 1)) + 1);
  std::string out;
  for (const std::string& l : lines) out += l + "\n";
  return out;
}

std::string SwapRows(const std::string& csv) {
  const size_t a = csv.find('\n') + 1, b = csv.find('\n', a) + 1, c = csv.find('\n', b) + 1;
  return csv.substr(0, a) + csv.substr(b, c - b) + csv.substr(a, b - a) + csv.substr(c);
}

StatusOr<std::string> FlipSignature(const std::string& note_text) {
  ASSIGN_OR_RETURN(audit::Note note, audit::ParseNote(note_text));
  note.signatures.at(0).signature.at(10) ^= 1;
  return audit::FormatNote(note);
}

}  // namespace

Frame TestFrame() {
  return Frame{.sql_sha256 = Hex("SELECT person, row, col FROM cohort"),
               .unit = "person",
               .dimensions = {Flat("row", Names("r", 3)), Flat("col", Names("c", 3))}};
}

airlock::ProtectionResult ProtectTestGrid() {
  airlock::ProtectionRequest request{.dimensions = TestFrame().dimensions,
                                     .tables = {Full("grid/by_row_col", {"row", "col"})},
                                     .data = airlock::testing::Grid({{20, 30, 5}, {25, 40, 30}, {35, 22, 18}})};
  return airlock::Protect(request).value();
}

TableOutputDeclaration TestTableDeclaration() {
  return {.name = "grid", .frame = "f1", .measure = "count", .tables = {Full("by_row_col", {"row", "col"})}};
}

ReleasedFiles TestFiles() {
  const CertificateBody body = ReleaseBody(1, std::string(64, '0'), 0);
  return {.grid_csv = RenderTableCsv(TestFrame(), body.outputs.at(0)), .readme_txt = kReadme};
}

CertificateBody ReleaseBody(int64_t release, const std::string& before_hex, int64_t releases_before) {
  CertificateBody b{.log_origin = kTestLogOrigin,
                    .project = kTestProject,
                    .authorisation_ref = "CNIL-DR-2026-001",
                    .request = std::string(kTestProject) + "-e" + std::to_string(release),
                    .revision = 2,
                    .release = release,
                    .released_at = FormatRfc3339(FromMicros(kStartMicros + release * 1'000000)),
                    .author = "alice",
                    .reviews = {{"bob", "2026-11-01T09:00:00.000000Z"}, {"carol", "2026-11-01T11:30:00.000000Z"}},
                    .hdhub = "0.9.0",
                    .history = {.before = before_hex, .releases = releases_before},
                    .frames = {{"f1", TestFrame()}},
                    .evidence_sha256 = Hex("evidence of release " + std::to_string(release)),
                    .nonce = "000102030405060708090a0b0c0d0e" + HexEncode(Bytes{static_cast<uint8_t>(release)})};
  b.outputs.push_back(BuildTableOutput(TestTableDeclaration(), TestFrame(), ProtectTestGrid()).value());
  b.outputs.push_back(Output{.name = "readme",
                             .kind = "custom",
                             .format = "txt",
                             .sha256 = Hex(kReadme),
                             .bytes = static_cast<int64_t>(sizeof(kReadme) - 1),
                             .verdict_outcome = "review",
                             .verdict_rule = "",
                             .reasons = std::vector<CheckerReason>{{"bob", Hex("fine")}, {"carol", Hex("ok")}}});
  return b;
}

TestLog::TestLog() : clock_(FromMicros(kStartMicros)) {
  log_ = audit::FileAuditLog::Open(dir_.Sub("audit"), &clock_, audit::testing::TestSigner(kTestLogOrigin)).value();
  std::vector<audit::Event> earlier = {audit::testing::NumberedEvent(1), audit::testing::NumberedEvent(2),
                                       audit::testing::NumberedEvent(3)};
  log_->AppendBatch(earlier).value();
}

std::string TestLog::VerifierKey() const { return log_->signer().VerifierKey(); }

StatusOr<Bundle> TestLog::Release(const CertificateBody& body, const std::string& body_line) {
  clock_.Advance(std::chrono::seconds(1));
  ASSIGN_OR_RETURN(Bytes before, HexDecode(body.history.before));
  crypto::Digest h{};
  if (before.size() != h.size()) return InvalidArgumentError("history.before is not a SHA-256");
  std::copy(before.begin(), before.end(), h.begin());
  nlohmann::json reviewers = nlohmann::json::array();
  for (const Review& r : body.reviews) reviewers.push_back(r.checker);
  audit::Event e{.actor = body.author,
                 .role = "researcher",
                 .action = "airlock.release",
                 .objects = {{"export_request", body.request}, {"release", std::to_string(body.release)}},
                 .project = body.project};
  e.details = {{"certificate_sha256", Hex(body_line)},
               {"history_after", HexEncode(HistoryNext(h, body_line))},
               {"history_before", body.history.before},
               {"outputs", body.outputs.size()},
               {"reviewers", reviewers},
               {"revision", body.revision},
               {"seq", body.release}};
  ASSIGN_OR_RETURN(uint64_t index, log_->Append(e));
  RETURN_IF_ERROR(log_->Flush());
  return MakeBundle(body_line, *log_, index, log_->Size(), log_->LatestCheckpoint());
}

StatusOr<Golden> MakeGolden() {
  Golden g;
  TestLog log;
  const std::string h0 = HexEncode(HistoryStart(kTestProject));
  const CertificateBody b1 = ReleaseBody(1, h0, 0);
  const std::string line1 = b1.ToLine();
  ASSIGN_OR_RETURN(Bundle r1, log.Release(b1, line1));
  const CertificateBody b2 = ReleaseBody(2, HexEncode(HistoryNext(HistoryStart(kTestProject), line1)), 1);
  ASSIGN_OR_RETURN(Bundle r2, log.Release(b2, b2.ToLine()));
  const ReleasedFiles files = TestFiles();
  const SecretBytes other_seed(AsBytes("another log's seed, 32 bytes ..."));
  ASSIGN_OR_RETURN(auto other, audit::Ed25519Signer::FromSeed(kTestLogOrigin, other_seed));
  g.files = {{"release-1.hdhub-cert", r1.Serialize()},
             {"release-2.hdhub-cert", r2.Serialize()},
             {"grid.csv", files.grid_csv},
             {"readme.txt", files.readme_txt},
             {"log.vkey", log.VerifierKey() + "\n"},
             {"other-log.vkey", other->VerifierKey() + "\n"},
             {"tampered/grid-value.csv", RaiseValue(files.grid_csv, 1)},
             {"tampered/grid-swapped.csv", SwapRows(files.grid_csv)}};
  auto tampered = [&](const std::string& name, std::string bytes) { g.files["tampered/" + name] = std::move(bytes); };
  CertificateBody b = b1;
  for (Cell& c : b.outputs[0].cells) {
    if (c.published) {
      c.value += 1;
      break;
    }
  }
  tampered("body-value.hdhub-cert", WithBody(r1, b.ToLine()));
  Bundle edited = r1;
  const size_t at = edited.entry.find("\"outputs\":2");
  if (at == std::string::npos) return InternalError("the release entry has no outputs detail");
  edited.entry.replace(at, 11, "\"outputs\":3");
  tampered("entry-edited.hdhub-cert", edited.Serialize());
  Bundle flipped = r1;
  flipped.proof.at(0)[0] ^= 1;
  tampered("proof-flipped.hdhub-cert", flipped.Serialize());
  Bundle signature = r1;
  ASSIGN_OR_RETURN(signature.checkpoint, FlipSignature(r1.checkpoint));
  tampered("signature-flipped.hdhub-cert", signature.Serialize());
  b = b1;
  b.log_origin = "hdhub/fedcba9876543210";
  tampered("log-origin.hdhub-cert", WithBody(r1, b.ToLine()));
  b = b1;
  b.history.before = HexEncode(HistoryStart("p-2026-02"));
  tampered("history-before.hdhub-cert", WithBody(r1, b.ToLine()));
  // A disclosive interval, validly bound, logged and signed: fails 6 anyway.
  b = b1;
  for (Cell& c : b.outputs[0].cells) {
    if (!c.published) {
      c.lo = 1;
      c.hi = static_cast<double>(b.rules.min_count - 1);
      break;
    }
  }
  ASSIGN_OR_RETURN(Bundle narrowed, log.Release(b, b.ToLine()));
  tampered("interval-narrowed.hdhub-cert", narrowed.Serialize());

  const std::vector<std::string> both = {"grid.csv", "readme.txt"};
  auto variant = [&](std::string name, std::string bundle, std::vector<std::string> given, int fails_at,
                     std::string key = "log.vkey") {
    g.variants.push_back({.name = std::move(name),
                          .bundle = std::move(bundle),
                          .files = std::move(given),
                          .key = std::move(key),
                          .fails_at = fails_at});
  };
  variant("golden", "release-1.hdhub-cert", both, 0);
  variant("golden, no file given", "release-1.hdhub-cert", {}, 0);
  variant("body value changed", "tampered/body-value.hdhub-cert", both, 4);
  variant("published value changed in the CSV", "release-1.hdhub-cert", {"tampered/grid-value.csv"}, 5);
  variant("two CSV rows swapped", "release-1.hdhub-cert", {"tampered/grid-swapped.csv"}, 5);
  variant("entry edited", "tampered/entry-edited.hdhub-cert", both, 3);
  variant("a proof hash flipped", "tampered/proof-flipped.hdhub-cert", both, 3);
  variant("checkpoint signature flipped", "tampered/signature-flipped.hdhub-cert", both, 2);
  variant("another log key", "release-1.hdhub-cert", both, 2, "other-log.vkey");
  variant("log_origin changed", "tampered/log-origin.hdhub-cert", both, 2);
  variant("history.before changed", "tampered/history-before.hdhub-cert", both, 4);
  variant("interval narrowed to [1, T-1], re-signed", "tampered/interval-narrowed.hdhub-cert", both, 6);
  variant("release 2 with its history", "release-2.hdhub-cert", both, 0);
  g.variants.back().history = {"release-1.hdhub-cert"};
  g.variants.back().has_history = true;
  variant("release 2, an earlier bundle omitted", "release-2.hdhub-cert", both, 7);
  g.variants.back().has_history = true;

  nlohmann::json list = nlohmann::json::array();
  for (const Variant& v : g.variants) {
    nlohmann::json j{
        {"name", v.name}, {"bundle", v.bundle}, {"files", v.files}, {"key", v.key}, {"fails_at", v.fails_at}};
    if (v.has_history) j["history"] = v.history;
    list.push_back(std::move(j));
  }
  g.files["variants.json"] = list.dump(1) + "\n";
  return g;
}

}  // namespace hdhub::exports::testing
