// The public register's proofs over HTTP (GET
// /api/v1/public/register/proofs/{n}, issue 11; docs/formats/audit-log.md §9):
// a register entry as stored, its inclusion proof to the latest signed
// checkpoint, that checkpoint and the log's verifier key, for anyone.
#include "hdhub/audit/merkle.h"
#include "hdhub/server/http_api_internal.h"

namespace hdhub::server::http_api_internal {

StatusOr<HttpResponse> ShowRegisterProof(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(uint64_t index, Unsigned(c.params.at("n"), "entry"));
  ASSIGN_OR_RETURN(service::RegisterProof p,
                   a.service.PublicRegisterProof({.client_address = c.request.client}, index));
  json proof = json::array();
  for (const audit::Hash& h : p.proof) proof.push_back(audit::HashToHex(h));
  return Json({{"index", p.index},
               {"entry", p.entry},
               {"size", p.size},
               {"proof", std::move(proof)},
               {"checkpoint", p.checkpoint},
               {"log_key", p.log_key}});
}

}  // namespace hdhub::server::http_api_internal
