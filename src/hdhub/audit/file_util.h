// Small POSIX file helpers for the audit subsystem: whole-file reads and
// atomic replacement (write to a temporary name, optionally fsync, rename,
// fsync the directory), so a reader sees the old or the new file, never half.
//
// Thread-safety: no shared state; concurrent writers of one path must be
// serialized by the caller.
#pragma once

#include <string>
#include <string_view>

#include <sys/types.h>

#include "hdhub/common/status.h"

namespace hdhub::audit {

// NotFound if absent; other errno-mapped codes otherwise.
StatusOr<std::string> ReadWholeFile(const std::string& path);

// Replaces `path` with `data` (mode `mode`). With `durable`, data and the
// directory entry are fsync'ed before returning.
Status WriteFileAtomically(const std::string& path, std::string_view data, mode_t mode,
                           bool durable);

// mkdir -p; a directory it creates gets `mode`, an existing one is left alone.
Status MakeDirs(const std::string& path, mode_t mode);

// fsync of a directory, to make created or renamed entries durable.
Status SyncDir(const std::string& path);

}  // namespace hdhub::audit
