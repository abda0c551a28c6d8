// KeyRing: what one DuckDB instance may reach through hdhub:// paths.
//
// Each grant is a logical-name prefix ("datasets/ER_PRS_F/v3/") with the data
// key of the objects under it and whether new objects may be written there.
// A path outside every grant does not exist for that instance: this is how a
// project's instance is confined to its own workspace by construction.
//
// The Database that owns the filesystem owns its KeyRing; grants may be added
// while queries run. Thread-safety: all methods are safe to call concurrently.
#pragma once

#include <functional>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/storage/sealed_store.h"

namespace hdhub::sql {

enum class Access { kRead, kReadWrite };

// What a grant's objects are, for errors and for tamper detection.
struct GrantInfo {
  // Names the grant in errors, e.g. "dataset ER_PRS_F version 3" or
  // "project p1 workspace 2": what and where, never a value.
  std::string label;
  // The logical names the catalog (or project store) records under the
  // prefix. Each must be on the host: a recorded object the host lacks is
  // DataLoss (the host lost or deleted it), not NotFound.
  std::vector<std::string> recorded;
};

// What a KeyRing knows of one logical name (KeyRing::Describe).
struct Coverage {
  bool granted = false;
  std::string label;      // the covering grant's label (may be empty)
  bool recorded = false;  // listed in that grant's GrantInfo::recorded
};

class KeyRing {
 public:
  // Called when a write through hdhub:// publishes an object (ingest records
  // it in the catalog). Runs on the writing thread.
  using CommitListener = std::function<void(const storage::SealedObjectInfo&)>;

  // `prefix` must end with '/' (a folder of logical names). InvalidArgument
  // otherwise; AlreadyExists if that exact prefix is granted already.
  Status Grant(std::string_view prefix, SecretBytes data_key, Access access, GrantInfo info = {});
  void RevokeAll();

  // The data key for `logical_name` under the longest granted prefix.
  // PermissionDenied when no grant covers it (or a write is asked under a
  // read-only grant). The message names the path, never a key.
  StatusOr<SecretBytes> KeyFor(std::string_view logical_name, Access access) const;
  bool Covers(std::string_view logical_name) const;
  // The grant covering `logical_name` (longest prefix), as Coverage.
  Coverage Describe(std::string_view logical_name) const;

  void SetCommitListener(CommitListener listener);
  void NotifyCommit(const storage::SealedObjectInfo& info) const;

 private:
  struct Entry {
    std::string prefix;
    SecretBytes key;
    Access access;
    GrantInfo info;
  };
  const Entry* Find(std::string_view logical_name) const;  // requires mu_

  mutable std::mutex mu_;
  std::vector<Entry> entries_;
  CommitListener listener_;
};

}  // namespace hdhub::sql
