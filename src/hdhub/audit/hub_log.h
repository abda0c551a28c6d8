// Where a hub keeps its audit log, and read-only access for auditors.
//
//   <hub>/state/audit/            segments and the latest checkpoint (FileAuditLog)
//   <hub>/state/audit_signing.key the Ed25519 checkpoint key, mode 0600
//
// A hub keeps that key wrapped by its key store and opens its log through
// hub/hub_audit.cc (hub/audit_key.h). The clear-key helpers below serve the
// test tools (audit_testlog_main.cc) only; the pseudonymization source wraps
// its key like a hub (cli/source_commands.cc).
//
// The read-only helpers scan the segments without repairing or locking them,
// so `hdhub audit prove/show` can run beside a serving hub.
#pragma once

#include <functional>
#include <memory>
#include <string>
#include <string_view>

#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/file_audit_log.h"
#include "hdhub/audit/merkle_tree.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/status.h"

namespace hdhub::audit {

std::string HubAuditDir(const std::string& hub_dir);
std::string HubAuditKeyPath(const std::string& hub_dir);

// Loads the hub's key, creating one named "hdhub/<16 random hex>" on first use.
StatusOr<std::unique_ptr<Ed25519Signer>> LoadOrCreateHubAuditKey(const std::string& hub_dir);

// Opens the hub's log with its key (creating both on first use).
StatusOr<std::unique_ptr<FileAuditLog>> OpenHubAuditLog(const std::string& hub_dir, const Clock* clock,
                                                        FileAuditLogOptions options = {});

// Read-only: the tree of all intact entries in `audit_dir` (a torn tail is
// ignored). DataLoss on damage, NotFound if there is no log.
StatusOr<MerkleTree> LoadTreeReadOnly(const std::string& audit_dir);
// Read-only: calls `visit` for each intact entry in order.
Status ForEachEntryReadOnly(const std::string& audit_dir,
                            const std::function<Status(uint64_t index, std::string_view entry)>& visit);

}  // namespace hdhub::audit
