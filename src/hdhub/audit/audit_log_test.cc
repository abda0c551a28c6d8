#include "hdhub/audit/audit_log.h"

#include "hdhub/audit/audit_log_conformance.h"

namespace hdhub::audit {
namespace {

INSTANTIATE_AUDIT_LOG_CONFORMANCE(Memory, [](const std::filesystem::path&, const Clock* clock) {
  return StatusOr<std::unique_ptr<AuditLog>>(std::make_unique<MemoryAuditLog>(clock));
});

}  // namespace
}  // namespace hdhub::audit
