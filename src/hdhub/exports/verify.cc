// VerifyBundle: checks 1-4 and 7 of docs/formats/airlock-certificate.md §6
// through the audit subsystem's own checkpoint, entry and proof code; 5 and
// 6 are in verify_checks.cc, 8 in verify_intervals.cc.
#include "hdhub/exports/verify.h"

#include <algorithm>
#include <map>
#include <memory>
#include <optional>
#include <utility>
#include <variant>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/event.h"
#include "hdhub/audit/merkle.h"
#include "hdhub/common/bytes.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/exports/bundle.h"
#include "hdhub/exports/certificate.h"
#include "hdhub/exports/verify_checks.h"

namespace hdhub::exports {
namespace {

using nlohmann::json;

constexpr std::string_view kReleaseAction = "airlock.release";
constexpr const char* kCheckNames[] = {"",      "form",  "signature", "inclusion", "binding",
                                       "files", "rules", "history",   "intervals"};

// A bundle that passed step 1: its parts, parsed.
struct Parsed {
  Bundle bundle;
  CertificateBody body;
  audit::Entry entry;
};

Failure Fail(int check, std::string message) { return Failure{.check = check, .message = std::move(message)}; }

// Step 1. The status's message names the line or member, never a value.
std::variant<Parsed, Failure> CheckForm(std::string_view bytes) {
  StatusOr<Bundle> bundle = ParseBundle(bytes);
  if (!bundle.ok()) return Fail(kCheckForm, std::string(bundle.status().message()));
  StatusOr<CertificateBody> body = ParseBody(bundle->body);
  if (!body.ok()) return Fail(kCheckForm, std::string(body.status().message()));
  StatusOr<audit::Entry> entry = audit::DecodeEntry(bundle->entry);
  if (!entry.ok()) return Fail(kCheckForm, "the entry does not decode: " + std::string(entry.status().message()));
  if (bundle->leaf_index >= bundle->tree_size) return Fail(kCheckForm, "the leaf index is not below the tree size");
  return Parsed{*std::move(bundle), *std::move(body), *std::move(entry)};
}

// Steps 2 and 3.
std::optional<Failure> CheckSignatureAndInclusion(const Parsed& p, const audit::NoteVerifier& key) {
  StatusOr<audit::VerifiedCheckpoint> cp = audit::OpenSignedCheckpoint(p.bundle.checkpoint, key);
  if (!cp.ok()) return Fail(kCheckSignature, "the checkpoint: " + std::string(cp.status().message()));
  if (cp->checkpoint.origin != key.name()) {
    return Fail(kCheckSignature, "the checkpoint's origin is not the key's name");
  }
  if (p.body.log_origin != key.name()) return Fail(kCheckSignature, "the body's log_origin is not the key's name");
  if (cp->checkpoint.size != p.bundle.tree_size) {
    return Fail(kCheckSignature, "the checkpoint's tree size is not the bundle's");
  }
  const audit::Hash leaf = audit::HashLeaf(AsBytes(p.bundle.entry));
  Status s = audit::VerifyInclusion(p.bundle.leaf_index, p.bundle.tree_size, leaf, p.bundle.proof, cp->checkpoint.root);
  if (!s.ok()) return Fail(kCheckInclusion, "the entry is not in the checkpoint's tree: " + std::string(s.message()));
  return std::nullopt;
}

bool DetailIs(const json& details, const char* key, const json& want) {
  return details.contains(key) && details.at(key) == want;
}

// Step 4.
std::optional<Failure> CheckBinding(const Parsed& p) {
  const audit::Event& e = p.entry.event;
  const CertificateBody& b = p.body;
  auto request = e.objects.find("export_request");
  if (e.action != kReleaseAction || e.outcome != audit::Outcome::kSuccess) {
    return Fail(kCheckBinding, "the entry is not a successful airlock.release");
  }
  if (e.project != b.project || request == e.objects.end() || request->second != b.request || e.actor != b.author) {
    return Fail(kCheckBinding, "the entry's project, export request or actor is not the body's");
  }
  const json& d = e.details;
  if (!DetailIs(d, "seq", b.release) || !DetailIs(d, "revision", b.revision)) {
    return Fail(kCheckBinding, "the entry's seq or revision is not the body's release or revision");
  }
  if (!DetailIs(d, "certificate_sha256", HexEncode(crypto::Sha256(AsBytes(p.bundle.body))))) {
    return Fail(kCheckBinding, "the entry's certificate_sha256 is not the body's SHA-256");
  }
  if (!DetailIs(d, "history_before", b.history.before)) {
    return Fail(kCheckBinding, "the entry's history_before is not the body's history.before");
  }
  StatusOr<Bytes> before = HexDecode(b.history.before);
  crypto::Digest h{};
  if (before.ok() && before->size() == h.size()) std::copy(before->begin(), before->end(), h.begin());
  if (!DetailIs(d, "history_after", HexEncode(HistoryNext(h, p.bundle.body)))) {
    return Fail(kCheckBinding, "the entry's history_after is not the chain's next link over the body");
  }
  json reviewers = json::array();
  for (const Review& r : b.reviews) reviewers.push_back(r.checker);
  if (!DetailIs(d, "reviewers", reviewers)) return Fail(kCheckBinding, "the entry's reviewers are not the body's");
  return std::nullopt;
}

std::optional<Failure> CheckOne(const Parsed& p, const audit::NoteVerifier& key) {
  if (std::optional<Failure> f = CheckSignatureAndInclusion(p, key)) return f;
  return CheckBinding(p);
}

// A frame is frozen once released (docs/airlock-workflow.md §2.1): same SQL,
// unit, dimensions and codes.
bool SameFrame(const Frame& a, const Frame& b) {
  auto same_dimension = [](const airlock::Dimension& x, const airlock::Dimension& y) {
    return x.name == y.name && std::equal(x.codes.begin(), x.codes.end(), y.codes.begin(), y.codes.end(),
                                          [](const airlock::Code& u, const airlock::Code& v) {
                                            return u.code == v.code && u.parent == v.parent;
                                          });
  };
  return a.sql_sha256 == b.sql_sha256 && a.unit == b.unit &&
         std::equal(a.dimensions.begin(), a.dimensions.end(), b.dimensions.begin(), b.dimensions.end(), same_dimension);
}

// Step 7: each earlier bundle passes 1–4; releases 1..n are all there, and
// the chain from H_0 through their bodies reaches history.before; a frame
// has the same declaration in every bundle. Fills `bodies` with the earlier
// bodies, by release, when it holds.
std::optional<Failure> CheckHistory(const Parsed& p, std::span<const std::string> earlier,
                                    const audit::NoteVerifier& key, std::vector<CertificateBody>& bodies) {
  std::map<int64_t, Parsed> by_release;
  for (size_t i = 0; i < earlier.size(); ++i) {
    const std::string which = "earlier bundle " + std::to_string(i + 1);
    std::variant<Parsed, Failure> e = CheckForm(earlier[i]);
    if (auto* f = std::get_if<Failure>(&e)) return Fail(kCheckHistory, which + " fails check 1: " + f->message);
    Parsed& q = std::get<Parsed>(e);
    if (std::optional<Failure> f = CheckOne(q, key)) {
      return Fail(kCheckHistory, which + " fails check " + std::to_string(f->check) + ": " + f->message);
    }
    if (q.body.project != p.body.project) return Fail(kCheckHistory, which + " is of another project");
    const int64_t release = q.body.release;
    if (release >= p.body.release || !by_release.emplace(release, std::move(q)).second) {
      return Fail(kCheckHistory, which + " is not an earlier release, or repeats one");
    }
  }
  crypto::Digest h = HistoryStart(p.body.project);
  for (int64_t s = 1; s <= p.body.history.releases; ++s) {
    auto it = by_release.find(s);
    if (it == by_release.end()) return Fail(kCheckHistory, "release " + std::to_string(s) + " of the chain is missing");
    if (it->second.body.history.before != HexEncode(h)) {
      return Fail(kCheckHistory, "release " + std::to_string(s) + "'s history.before is not the chain's link");
    }
    for (const auto& [name, frame] : it->second.body.frames) {
      auto mine = p.body.frames.find(name);
      if (mine != p.body.frames.end() && !SameFrame(mine->second, frame)) {
        return Fail(kCheckHistory, "frame " + name + " differs from release " + std::to_string(s) + "'s");
      }
    }
    h = HistoryNext(h, it->second.bundle.body);
  }
  if (static_cast<int64_t>(by_release.size()) != p.body.history.releases || HexEncode(h) != p.body.history.before) {
    return Fail(kCheckHistory, "the chain over the earlier bundles does not reach history.before");
  }
  for (auto& [release, q] : by_release) bodies.push_back(std::move(q.body));
  return std::nullopt;
}

std::optional<Failure> RunChecks(std::string_view bytes, const audit::NoteVerifier& key,
                                 std::span<const VerifyFile> files, std::optional<std::span<const std::string>> earlier,
                                 VerifyReport& report) {
  std::variant<Parsed, Failure> form = CheckForm(bytes);
  if (auto* f = std::get_if<Failure>(&form)) return *f;
  const Parsed& p = std::get<Parsed>(form);
  report.certificate_sha256 = HexEncode(crypto::Sha256(AsBytes(p.bundle.body)));
  if (std::optional<Failure> f = CheckOne(p, key)) return f;
  if (std::optional<Failure> f = CheckFiles(p.body, files, report)) return f;
  if (std::optional<Failure> f = CheckRules(p.body)) return f;
  if (!earlier) return std::nullopt;
  report.history_checked = true;
  report.earlier_bundles = static_cast<int>(earlier->size());
  std::vector<CertificateBody> bodies;
  if (std::optional<Failure> f = CheckHistory(p, *earlier, key, bodies)) return f;
  return CheckIntervals(p.body, bodies);
}

}  // namespace

StatusOr<VerifyReport> VerifyBundle(std::string_view bundle, std::string_view verifier_key,
                                    std::span<const VerifyFile> files,
                                    std::optional<std::span<const std::string>> earlier) {
  StatusOr<std::unique_ptr<audit::Ed25519Verifier>> key = audit::Ed25519Verifier::FromVerifierKey(verifier_key);
  if (!key.ok()) return InvalidArgumentError("--log-key: not a verifier key (<name>+<8 hex>+<base64>)");
  VerifyReport report;
  if (std::optional<Failure> f = RunChecks(bundle, **key, files, earlier, report)) {
    report.failed_check = f->check;
    report.check_name = kCheckNames[f->check];
    report.message = std::move(f->message);
    report.output = std::move(f->output);
    report.table = std::move(f->table);
    report.cell = std::move(f->cell);
    report.outputs_checked.clear();
    report.outputs_not_checked.clear();
  }
  return report;
}

json VerifyReport::ToJson() const {
  json j{{"ok", ok()},
         {"certificate_sha256", certificate_sha256},
         {"outputs_checked", outputs_checked},
         {"outputs_not_checked", outputs_not_checked},
         {"earlier_bundles", earlier_bundles},
         {"checks_not_run", history_checked ? json::array() : json::array({7, 8})}};
  if (!ok()) {
    j["failed_check"] = {{"number", failed_check}, {"name", check_name}, {"message", message},
                         {"output", output},       {"table", table},     {"cell", cell}};
  }
  return j;
}

std::string VerifyReport::Summary() const {
  if (ok()) {
    std::string s = "OK: checks 1-" + std::string(history_checked ? "8" : "6") + " hold";
    for (size_t i = 0; i < outputs_not_checked.size(); ++i) {
      s += (i == 0 ? "; not checked (no file given): " : ", ") + outputs_not_checked[i];
    }
    return s;
  }
  std::string s = "check " + std::to_string(failed_check) + " (" + check_name + ") failed: " + message;
  if (!output.empty()) s += "; output " + output;
  if (!table.empty()) s += ", table " + table;
  if (!cell.empty()) {
    s += ", cell {";
    for (size_t i = 0; i < cell.size(); ++i) s += (i ? ", " : "") + cell[i];
    s += "}";
  }
  return s;
}

}  // namespace hdhub::exports
