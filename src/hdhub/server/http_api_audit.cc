// The HTTP API's audit routes: the log's entries, inclusion and consistency
// proofs, verification, the checkpoint, the log's verifier key and the
// witnesses' cosigned checkpoints.
#include "hdhub/audit/merkle.h"
#include "hdhub/server/http_api_internal.h"

namespace hdhub::server::http_api_internal {

namespace {

uint64_t SizeParam(const Call& c, const char* name, Status& error) {
  auto it = c.query.find(name);
  if (it == c.query.end()) return 0;
  StatusOr<uint64_t> v = Unsigned(it->second, name);
  if (!v.ok()) error = v.status();
  return v.value_or(0);
}

}  // namespace

StatusOr<HttpResponse> AuditEntries(Api& a, const Call& c) {
  audit::EntryFilter filter;
  if (auto it = c.query.find("actor"); it != c.query.end()) filter.actor = it->second;
  if (auto it = c.query.find("action"); it != c.query.end()) filter.action = it->second;
  if (auto it = c.query.find("project"); it != c.query.end()) filter.project = it->second;
  for (const char* key : {"since", "until"}) {
    auto it = c.query.find(key);
    if (it == c.query.end()) continue;
    auto t = ParseRfc3339(it->second);
    if (!t.ok()) return InvalidArgumentError(std::string(key) + " must be an RFC 3339 time");
    (std::string_view(key) == "since" ? filter.since : filter.until) = *t;
  }
  ASSIGN_OR_RETURN(auto raw, a.service.AuditEntries(*c.ctx, filter));
  std::vector<json> items;
  for (const auto& e : audit::EntriesToJson(raw)) items.push_back(e);
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

// As `audit prove --json`, which `audit check-inclusion --file` reads.
StatusOr<HttpResponse> AuditProof(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(uint64_t index, Unsigned(c.params.at("n"), "entry"));
  Status bad = OkStatus();
  const uint64_t size = SizeParam(c, "size", bad);
  RETURN_IF_ERROR(bad);
  ASSIGN_OR_RETURN(auto proof, a.service.ProveInclusion(*c.ctx, index, size));
  return Json({{"index", proof.index},
               {"size", proof.size},
               {"leaf_hash", audit::HashToHex(proof.leaf_hash)},
               {"root", audit::HashToHex(proof.root)},
               {"proof", audit::JoinHashes(proof.proof, ",")}});
}

// As `audit consistency --json`, which `audit check-consistency --file` reads.
StatusOr<HttpResponse> AuditConsistency(Api& a, const Call& c) {
  Status bad = OkStatus();
  if (!c.query.contains("from")) return InvalidArgumentError("from (the older tree size) is required");
  const uint64_t from = SizeParam(c, "from", bad);
  const uint64_t to = SizeParam(c, "to", bad);
  RETURN_IF_ERROR(bad);
  ASSIGN_OR_RETURN(auto p, a.service.ProveConsistency(*c.ctx, from, to));
  return Json({{"size1", p.size1},
               {"size2", p.size2},
               {"root1", audit::HashToHex(p.root1)},
               {"root2", audit::HashToHex(p.root2)},
               {"proof", audit::JoinHashes(p.proof, ",")}});
}

// As `audit verify --json`.
StatusOr<HttpResponse> AuditVerify(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(audit::VerifyReport r, a.service.VerifyAudit(*c.ctx));
  return Json({{"ok", true},
               {"entries", r.entries},
               {"checkpoint_size", r.checkpoint.size},
               {"checkpoint_root", audit::HashToHex(r.checkpoint.root)},
               {"origin", r.checkpoint.origin},
               {"root_of_all", audit::HashToHex(r.root_of_all)},
               {"torn_bytes", r.torn_bytes}});
}

StatusOr<HttpResponse> AuditCheckpoint(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(std::string checkpoint, a.service.AuditCheckpoint(*c.ctx));
  return Json({{"checkpoint", checkpoint}});
}

StatusOr<HttpResponse> AuditLogKey(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(std::string key, a.service.AuditVerifierKey(*c.ctx));
  return Json({{"log_key", key}});
}

// Each witness: its key and the checkpoint it cosigned, or why it is missing.
StatusOr<HttpResponse> AuditWitnesses(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto views, a.service.AuditWitnesses(*c.ctx));
  json items = json::array();
  for (const service::WitnessView& w : views) {
    json item = {{"key", w.key}};
    if (w.error.empty()) {
      item["checkpoint"] = w.checkpoint;
    } else {
      item["error"] = w.error;
    }
    items.push_back(std::move(item));
  }
  return Json({{"witnesses", items}});
}

}  // namespace hdhub::server::http_api_internal
