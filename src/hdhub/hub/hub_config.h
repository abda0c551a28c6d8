// hub.json: how a hub directory names its host and its key store
// (docs/formats/hub-directory.md).
//
// Since format 2, a local path inside the hub directory is stored relative to
// it ("file:host", "keyfile:state/hub.key"), so a copied hub directory is a
// hub of its own and never writes into the original. Paths outside the hub
// directory, and other schemes, are stored as given. Format 1 files (absolute
// paths only) are still read.
//
// In memory, Config holds URIs with absolute paths, ready for the registries.
//
// Thread-safety: no shared state; writers of one hub.json must be serialised
// by the caller.
#pragma once

#include <filesystem>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/file.h"
#include "hdhub/common/status.h"

namespace hdhub::hub {

inline constexpr char kConfigName[] = "hub.json";

// A witness whose cosigned checkpoints the hub must not fall behind
// (docs/formats/hub-directory.md, "witnesses").
struct WitnessConfig {
  std::string key;         // the witness's verifier key
  std::string checkpoint;  // file holding its latest cosigned checkpoint of this log (absolute in memory)
};

struct Config {
  std::string host;  // blob store URI, e.g. "file:///srv/hub/host"
  std::string keys;  // key store URI, e.g. "keyfile:/srv/hub/state/hub.key"
  // "audit_key": "key-store": the audit signing key in state/ is wrapped by
  // the key store, and a clear one is refused (hub/audit_key.h). Absent in
  // hubs made before; their clear key is wrapped at the next open.
  bool audit_key_wrapped = false;
  std::vector<WitnessConfig> witnesses;
  // "purpose_keys": "key-ring": the purpose keys are the random keys of
  // state/keyring (keys/key_ring.h), and the hub refuses to open without it.
  // Absent in hubs made before; their derived keys move into a ring at the
  // next open.
  bool purpose_keys_in_ring = false;
};

// Reads <dir>/hub.json and resolves hub-relative paths against `dir`.
// NotFound when `dir` holds no hub; DataLoss when hub.json is not a JSON
// object with "host" and "keys"; FailedPrecondition for an unknown format.
StatusOr<Config> ReadConfig(const std::filesystem::path& dir);

// Writes <dir>/hub.json (format 2) atomically and durably, with the paths
// inside `dir` made relative to it. Errors as WriteFileAtomically; the old
// file is then unchanged. `ops_for_test` is common/file.h's fault seam.
Status WriteConfigAtomically(const std::filesystem::path& dir, const Config& config, FileOps* ops_for_test = nullptr);

// "file:///srv/hub/host" -> "file:host" and "keyfile:/srv/hub/state/hub.key"
// -> "keyfile:state/hub.key" for dir /srv/hub; any other URI unchanged.
std::string HubRelativeUri(std::string_view uri, const std::filesystem::path& dir);

// The inverse: a relative file: or keyfile: path becomes absolute under
// `dir`; any other URI is returned unchanged.
std::string ResolveHubUri(std::string_view uri, const std::filesystem::path& dir);

}  // namespace hdhub::hub
