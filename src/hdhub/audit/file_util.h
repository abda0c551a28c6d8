// Transitional: the local-file helpers moved to common/file.h. The audit
// log's own files (file_audit_log.cc, reworked on another branch) still use
// these names; new code includes hdhub/common/file.h. Delete this header once
// nothing includes it.
#pragma once

#include <sys/types.h>

#include <string>
#include <string_view>

#include "hdhub/common/file.h"

namespace hdhub::audit {

using ::hdhub::MakeDirs;
using ::hdhub::SyncDir;

inline StatusOr<std::string> ReadWholeFile(const std::string& path) { return ReadFile(path); }

inline Status WriteFileAtomically(const std::string& path, std::string_view data, mode_t mode, bool durable) {
  return ::hdhub::WriteFileAtomically(path, AsBytes(data), mode, {.durable = durable});
}

}  // namespace hdhub::audit
