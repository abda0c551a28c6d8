#include "hdhub/audit/hub_log.h"

#include "hdhub/audit/segment.h"
#include "hdhub/common/file.h"
#include "hdhub/crypto/random.h"

namespace hdhub::audit {

namespace {
constexpr size_t kOriginRandomBytes = 8;
constexpr mode_t kHubDirMode = 0700;
}  // namespace

std::string HubAuditDir(const std::string& hub_dir) { return hub_dir + "/state/audit"; }
std::string HubAuditKeyPath(const std::string& hub_dir) { return hub_dir + "/state/audit_signing.key"; }

StatusOr<std::unique_ptr<Ed25519Signer>> LoadOrCreateHubAuditKey(const std::string& hub_dir) {
  auto loaded = LoadSignerKeyFile(HubAuditKeyPath(hub_dir));
  if (loaded.ok() || !IsNotFound(loaded.status())) return loaded;
  RETURN_IF_ERROR(MakeDirs(hub_dir + "/state", kHubDirMode));
  // A random origin: two hubs never share a log identity, even on one host.
  ASSIGN_OR_RETURN(Bytes random, crypto::RandomBytes(kOriginRandomBytes));
  return LoadOrCreateSignerKeyFile(HubAuditKeyPath(hub_dir), "hdhub/" + HexEncode(random));
}

StatusOr<std::unique_ptr<FileAuditLog>> OpenHubAuditLog(const std::string& hub_dir, const Clock* clock,
                                                        FileAuditLogOptions options) {
  ASSIGN_OR_RETURN(auto signer, LoadOrCreateHubAuditKey(hub_dir));
  return FileAuditLog::Open(HubAuditDir(hub_dir), clock, std::move(signer), std::move(options));
}

Status ForEachEntryReadOnly(const std::string& audit_dir,
                            const std::function<Status(uint64_t index, std::string_view entry)>& visit) {
  ASSIGN_OR_RETURN(std::vector<SegmentInfo> segments, ListSegments(audit_dir));
  uint64_t next = 0;
  for (size_t i = 0; i < segments.size(); ++i) {
    auto each = [&](uint64_t index, std::string_view entry, const Hash&, uint64_t) { return visit(index, entry); };
    ASSIGN_OR_RETURN(ScanResult scan, ScanSegment(segments[i].path, next, i + 1 == segments.size(), each));
    next += scan.records;
  }
  return OkStatus();
}

StatusOr<MerkleTree> LoadTreeReadOnly(const std::string& audit_dir) {
  MerkleTree tree;
  ASSIGN_OR_RETURN(std::vector<SegmentInfo> segments, ListSegments(audit_dir));
  for (size_t i = 0; i < segments.size(); ++i) {
    auto each = [&](uint64_t, std::string_view, const Hash& leaf, uint64_t) {
      tree.AppendLeaf(leaf);
      return OkStatus();
    };
    RETURN_IF_ERROR(ScanSegment(segments[i].path, tree.size(), i + 1 == segments.size(), each).status());
  }
  return tree;
}

}  // namespace hdhub::audit
