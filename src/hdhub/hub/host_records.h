// What the hub's records say its host holds: every live object (committed
// dataset versions, ready workspaces, the airlock's releases and the
// evidence of requests whose key exists) with the size and SHA-256 of its
// ciphertext as recorded when it was written, and the names of the hub's
// own leftovers (crypto-shredded versions, discarded workspaces, the
// evidence of requests whose key was destroyed). Shared by the host check (host_check.h) and host migration
// (host_migration.h), so that both know every kind of object the hub writes:
// a new kind is added here. The published audit checkpoint is not in the
// records (it changes with every signed checkpoint); callers add it.
//
// Thread-safety: reads the catalog and the projects, which may be written
// meanwhile; callers that need a stable answer hold the host lock.
#pragma once

#include <cstdint>
#include <map>
#include <set>
#include <string>

#include "hdhub/common/status.h"
#include "hdhub/hub/hub.h"
#include "hdhub/storage/blob_store.h"

namespace hdhub::hub {

// A live object as the hub recorded it.
struct RecordedObject {
  std::string label;  // "dataset X version N", "project p workspace b", "project p release N",
                      // "project p export request R"
  std::string logical_name;
  uint64_t size = 0;
  std::string sha256;  // lower-case hex, of the ciphertext
};

struct HostRecords {
  std::map<std::string, RecordedObject> live;  // by the host's object name
  std::set<std::string> ours;                  // object names of leftovers
};

// Errors as the catalog's, the project store's and the export store's reads.
StatusOr<HostRecords> CollectHostRecords(Hub& hub);

// The lower-case hex SHA-256 of object `name` on `host`, read in chunks.
StatusOr<std::string> Sha256OfObject(storage::BlobStore& host, const std::string& name);

// One line (naming the label and logical name, never a value) when object
// `name` is missing from `host` or differs from `recorded` in size or
// SHA-256; "" when it is sound. Unavailable when the host cannot be read.
StatusOr<std::string> VerifyRecordedObject(storage::BlobStore& host, const std::string& name,
                                           const RecordedObject& recorded);

}  // namespace hdhub::hub
