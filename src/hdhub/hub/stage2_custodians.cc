// The stage-2 key in escrow with a new pair of custodians (hub.h,
// Hub::MakeStageTwoEscrow; docs/formats/key-ring.md, "A new pair of
// custodians"). Nothing here changes the key: only who can remake it
// without the hub's key store.
#include "hdhub/common/file.h"
#include "hdhub/hub/hub.h"
#include "hdhub/hub/pending_request.h"
#include "hdhub/ingest/csv_ingest.h"

namespace hdhub::hub {

namespace {

constexpr char kEscrowName[] = "stage2-escrow";
constexpr char kRequestName[] = "custodians-request";
constexpr std::string_view kCustodiansOrigin = "custodians:";

}  // namespace

StatusOr<keys::Stage2Escrow> Hub::MakeStageTwoEscrow(const std::vector<keys::CustodianContribution>& pair) const {
  const keys::PurposeKey* key = ring_store_ == nullptr ? nullptr : ring_store_->ring().Find(ingest::kStageTwoPurpose);
  if (key == nullptr) return FailedPreconditionError("the hub's key ring holds no stage-2 key");
  return keys::Stage2Escrow::Make(key->key, key->origin, pair);
}

Status Hub::KeepStageTwoEscrow(const keys::Stage2Escrow& escrow) {
  return escrow.Write((state_dir() / kEscrowName).string(), /*overwrite=*/true);
}

StatusOr<std::string> Hub::StageTwoCustodians() const {
  StatusOr<keys::Stage2Escrow> escrow = keys::Stage2Escrow::Read((state_dir() / kEscrowName).string());
  if (escrow.ok()) return escrow->custodians;
  if (!IsNotFound(escrow.status())) return escrow.status();
  const keys::PurposeKey* key = ring_store_ == nullptr ? nullptr : ring_store_->ring().Find(ingest::kStageTwoPurpose);
  if (key == nullptr || !key->origin.starts_with(kCustodiansOrigin)) return std::string();
  return key->origin.substr(kCustodiansOrigin.size());
}

StatusOr<std::optional<CustodiansRequest>> Hub::PendingCustodiansRequest() const {
  ASSIGN_OR_RETURN(std::optional<PendingRequest> pending,
                   ReadPendingRequest((state_dir() / kRequestName).string(), "custodians"));
  if (!pending) return std::optional<CustodiansRequest>();
  return std::optional<CustodiansRequest>(CustodiansRequest{pending->requested_by, pending->what});
}

Status Hub::RequestCustodians(const CustodiansRequest& request) {
  return WritePendingRequest((state_dir() / kRequestName).string(), "custodians",
                             {request.requested_by, request.custodians});
}

Status Hub::CancelCustodiansRequest() { return RemovePendingRequest((state_dir() / kRequestName).string()); }

}  // namespace hdhub::hub
