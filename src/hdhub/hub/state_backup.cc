#include "hdhub/hub/state_backup.h"

#include <algorithm>
#include <nlohmann/json.hpp>
#include <optional>
#include <set>
#include <system_error>

#include "hdhub/audit/hub_log.h"
#include "hdhub/audit/log_verifier.h"
#include "hdhub/audit/note.h"
#include "hdhub/audit/segment.h"
#include "hdhub/catalog/sqlite.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/file.h"
#include "hdhub/crypto/aes_gcm.h"
#include "hdhub/crypto/random.h"
#include "hdhub/hub/audit_key.h"
#include "hdhub/hub/audit_open_check.h"
#include "hdhub/hub/hub.h"
#include "hdhub/hub/hub_config.h"
#include "hdhub/keys/key_ring.h"

namespace hdhub::hub {
namespace {

namespace fs = std::filesystem;
using nlohmann::json;

constexpr mode_t kRecordMode = 0600;
constexpr int kFormat = 1;
constexpr char kRootFormat[] = "hdhub-state-root v1";
// A chunk of the log is merged with the ones before it while they are not
// larger, up to a segment's size (audit-log.md §3).
constexpr uint64_t kMaxChunkBytes = 64ull << 20;
constexpr uint64_t kRecordOverhead = 4 + 32;  // length, leaf hash
constexpr char kCatalogName[] = "catalog.db";
constexpr char kWrappedAuditKeyHeader[] = "hdhub-audit-key v1\n";  // audit-log.md §4
constexpr uint8_t kRootMagic[8] = {'H', 'D', 'H', 'R', 'O', 'O', 'T', '1'};
constexpr char kRootContext[] = "state/root";

// Where entry `index` of the log starts: the segment (by its first index)
// and the byte offset in it (0: scan the segment from its start).
struct Position {
  uint64_t segment = 0;
  uint64_t offset = 0;
};

// An object of the backup on the host: its size and the SHA-256 of its
// ciphertext (as the host check's records are), and of its plaintext.
struct Stored {
  std::string object;
  uint64_t bytes = 0;
  std::string sha256;
  uint64_t plain_bytes = 0;
  std::string plain_sha256;
};

struct Chunk {
  uint64_t first = 0;
  uint64_t count = 0;
  Position at;
  Stored stored;
};

struct Record {
  std::string host;
  uint64_t size = 0;
  Position end;
  std::vector<Chunk> chunks;
  std::optional<uint64_t> catalog_version;
  Stored catalog;
  std::string root_sha256;
  std::string manifest_object;
  // Objects a backup under way announced before writing them, and objects
  // replaced but perhaps not yet removed.
  std::vector<std::string> pending;
  std::vector<std::string> to_delete;
};

std::string RecordPath(const fs::path& dir) { return (dir / "state" / kStateBackupRecord).string(); }

std::string ChunkName(uint64_t first, uint64_t count) {
  std::string digits = std::to_string(first);
  return "state/audit/" + std::string(20 - std::min<size_t>(20, digits.size()), '0') + digits + "-" +
         std::to_string(count);
}
std::string CatalogName(uint64_t version) { return "state/catalog/" + std::to_string(version); }

std::string Hex(const crypto::Digest& d) { return HexEncode(ByteSpan(d.data(), d.size())); }

json StoredJson(const Stored& s, bool with_object) {
  json j{{"bytes", s.bytes}, {"sha256", s.sha256}, {"plain_bytes", s.plain_bytes}, {"plain_sha256", s.plain_sha256}};
  if (with_object) j["object"] = s.object;
  return j;
}

// Throws on a type error: callers catch json exceptions as a malformed file.
Stored StoredOf(const json& j) {
  return Stored{.object = j.value("object", std::string()),
                .bytes = j.at("bytes").get<uint64_t>(),
                .sha256 = j.at("sha256").get<std::string>(),
                .plain_bytes = j.at("plain_bytes").get<uint64_t>(),
                .plain_sha256 = j.at("plain_sha256").get<std::string>()};
}

// The chunks as the manifest lists them; `local`: with what only state/backup
// records (host names, where each starts in the local segments).
json ChunksJson(const Record& r, bool local) {
  json chunks = json::array();
  for (const Chunk& c : r.chunks) {
    json j = StoredJson(c.stored, local);
    j["first"] = c.first;
    j["count"] = c.count;
    if (local) {
      j["segment"] = c.at.segment;
      j["offset"] = c.at.offset;
    }
    chunks.push_back(std::move(j));
  }
  return chunks;
}

json RecordJson(const Record& r) {
  json chunks = ChunksJson(r, true);
  json j{{"format", kFormat},
         {"host", r.host},
         {"size", r.size},
         {"end", {{"segment", r.end.segment}, {"offset", r.end.offset}}},
         {"chunks", std::move(chunks)},
         {"root_sha256", r.root_sha256},
         {"manifest_object", r.manifest_object},
         {"pending", r.pending},
         {"to_delete", r.to_delete}};
  if (r.catalog_version) {
    j["catalog"] = StoredJson(r.catalog, true);
    j["catalog"]["version"] = *r.catalog_version;
  }
  return j;
}

StatusOr<std::optional<Record>> ReadRecord(const fs::path& dir) {
  const std::string path = RecordPath(dir);
  StatusOr<std::string> text = ReadFile(path);
  if (IsNotFound(text.status())) return std::optional<Record>();
  RETURN_IF_ERROR(text.status());
  const json j = json::parse(*text, nullptr, /*allow_exceptions=*/false);
  try {
    if (!j.is_object() || j.value("format", 0) != kFormat) throw std::runtime_error("format");
    Record r{.host = j.at("host").get<std::string>(),
             .size = j.at("size").get<uint64_t>(),
             .end = {j.at("end").at("segment").get<uint64_t>(), j.at("end").at("offset").get<uint64_t>()},
             .root_sha256 = j.at("root_sha256").get<std::string>(),
             .manifest_object = j.at("manifest_object").get<std::string>(),
             .pending = j.at("pending").get<std::vector<std::string>>(),
             .to_delete = j.at("to_delete").get<std::vector<std::string>>()};
    for (const json& c : j.at("chunks")) {
      r.chunks.push_back(Chunk{.first = c.at("first").get<uint64_t>(),
                               .count = c.at("count").get<uint64_t>(),
                               .at = {c.at("segment").get<uint64_t>(), c.at("offset").get<uint64_t>()},
                               .stored = StoredOf(c)});
    }
    if (j.contains("catalog")) {
      r.catalog_version = j["catalog"].at("version").get<uint64_t>();
      r.catalog = StoredOf(j["catalog"]);
    }
    return std::optional<Record>(std::move(r));
  } catch (const std::exception&) {
    return DataLossError(path + " is malformed: remove it, and the next checkpoint backs the hub's state up anew");
  }
}

Status WriteRecord(const fs::path& dir, const Record& r) {
  return WriteFileAtomically(RecordPath(dir), AsBytes(RecordJson(r).dump() + "\n"), kRecordMode);
}

// The framed records [from, to) of the log in `audit_dir`, read from `at`
// (where entry `from` starts, or the start of a segment before it), and
// where the next entry starts.
struct Run {
  std::string bytes;
  Position end;
};

StatusOr<Run> ReadRecords(const std::string& audit_dir, uint64_t from, Position at, uint64_t to) {
  Run run{.end = at};
  if (from >= to) return run;
  ASSIGN_OR_RETURN(std::vector<audit::SegmentInfo> segments, audit::ListSegments(audit_dir));
  uint64_t next = from;
  bool started = false;
  for (const audit::SegmentInfo& segment : segments) {
    if (!started && segment.first_index != at.segment) continue;
    started = true;
    auto visit = [&](uint64_t index, std::string_view entry, const audit::Hash& leaf, uint64_t offset) -> Status {
      if (index != next || index >= to) return OkStatus();
      audit::AppendRecord(entry, leaf, run.bytes);
      ++next;
      run.end = Position{segment.first_index, offset + kRecordOverhead + entry.size()};
      return OkStatus();
    };
    const bool resume = segment.first_index == at.segment && at.offset > 0;
    if (resume) {
      RETURN_IF_ERROR(
          audit::ScanSegmentFrom(segment.path, segment.first_index, {at.offset, from}, true, visit).status());
    } else {
      RETURN_IF_ERROR(audit::ScanSegment(segment.path, segment.first_index, true, visit).status());
    }
    if (next == to) return run;
  }
  return DataLossError("the audit log in " + audit_dir + " holds entries up to " + std::to_string(next) +
                       " from segment " + std::to_string(at.segment) + ", but " + std::to_string(to) +
                       " are to be backed up (state/backup disagrees with the log)");
}

// The root's payload: the key ring and the signing key as state/ holds
// them; none while either is missing or the signing key is still in clear
// (an older hub at the open that wraps it): a clear key never leaves state/.
StatusOr<std::optional<std::string>> RootPayload(const fs::path& dir) {
  StatusOr<std::string> ring = ReadFile((dir / "state" / keys::kKeyRingFileName).string());
  StatusOr<std::string> signing = ReadFile(AuditKeyPath(dir.string()));
  if (IsNotFound(ring.status()) || IsNotFound(signing.status())) return std::optional<std::string>();
  RETURN_IF_ERROR(ring.status());
  RETURN_IF_ERROR(signing.status());
  if (!signing->starts_with(kWrappedAuditKeyHeader)) return std::optional<std::string>();
  json j{{"keyring", audit::Base64Encode(AsBytes(*ring))},
         {"audit_signing_key", audit::Base64Encode(AsBytes(*signing))}};
  return std::optional<std::string>(j.dump());
}

// The root object: a fresh root key wrapped by the key store, and the
// payload sealed with it (state-backup.md, "The root").
StatusOr<Bytes> SealRoot(keys::KeyStore& kek, const std::string& payload) {
  ASSIGN_OR_RETURN(Bytes raw, crypto::RandomBytes(crypto::kAesGcmKeySize));
  const SecretBytes root_key(raw);
  SecureWipe(raw.data(), raw.size());
  ASSIGN_OR_RETURN(Bytes wrapped, kek.WrapKey(root_key, kRootContext));
  ASSIGN_OR_RETURN(auto aead, crypto::AesGcm256::Create(root_key));
  ASSIGN_OR_RETURN(Bytes sealed, aead->SealWithRandomNonce(AsBytes(kRootFormat), AsBytes(payload)));
  Bytes out(kRootMagic, kRootMagic + 8);
  const uint32_t n = static_cast<uint32_t>(wrapped.size());
  for (int shift = 24; shift >= 0; shift -= 8) out.push_back(static_cast<uint8_t>(n >> shift));
  out.insert(out.end(), wrapped.begin(), wrapped.end());
  out.insert(out.end(), sealed.begin(), sealed.end());
  return out;
}

// The payload of a root object; DataLoss when malformed or when it does
// not open with `kek`.
StatusOr<std::string> OpenRoot(keys::KeyStore& kek, ByteSpan root) {
  if (root.size() < 12 || !std::equal(kRootMagic, kRootMagic + 8, root.begin())) {
    return DataLossError("the backup's root object on the host is malformed");
  }
  uint32_t n = 0;
  for (size_t i = 8; i < 12; ++i) n = (n << 8) | root[i];
  if (root.size() < 12 + uint64_t{n}) return DataLossError("the backup's root object on the host is truncated");
  StatusOr<SecretBytes> root_key = kek.UnwrapKey(root.subspan(12, n), kRootContext);
  if (!root_key.ok()) {
    return DataLossError("the backup's root on the host does not unwrap with this key store (" +
                         std::string(root_key.status().message()) + "): give the lost hub's key store with --keys");
  }
  ASSIGN_OR_RETURN(auto aead, crypto::AesGcm256::Create(*root_key));
  StatusOr<SecretBytes> payload = aead->OpenWithRandomNonce(AsBytes(kRootFormat), root.subspan(12 + n));
  if (!payload.ok()) return DataLossError("the backup's root object on the host was altered");
  return std::string(AsStringView(payload->span()));
}

Stored StoredFrom(const storage::SealedObjectInfo& info, ByteSpan plain) {
  return Stored{.object = info.object_name,
                .bytes = info.ciphertext_size,
                .sha256 = Hex(info.ciphertext_sha256),
                .plain_bytes = plain.size(),
                .plain_sha256 = Hex(crypto::Sha256(plain))};
}

json ManifestJson(const Record& r) {
  json chunks = ChunksJson(r, false);
  json j{{"format", kFormat}, {"log_size", r.size}, {"chunks", std::move(chunks)}, {"root_sha256", r.root_sha256}};
  j["catalog"] = StoredJson(r.catalog, false);
  j["catalog"]["version"] = r.catalog_version.value_or(0);
  return j;
}

Status DeleteQuietly(storage::BlobStore& host, const std::string& name) {
  Status s = host.Delete(name);
  return IsNotFound(s) ? OkStatus() : s;
}

}  // namespace

namespace {

SecretBytes FromCheckpointPurposeKey(const crypto::HmacSha256& checkpoint_purpose_key, std::string_view label) {
  crypto::Digest k = checkpoint_purpose_key.Compute(AsBytes(label));
  SecretBytes out(ByteSpan(k.data(), k.size()));
  std::fill(k.begin(), k.end(), 0);
  return out;
}

}  // namespace

SecretBytes StateBackupKey(const crypto::HmacSha256& checkpoint_purpose_key) {
  return FromCheckpointPurposeKey(checkpoint_purpose_key, "state backup key v1");
}

SecretBytes CheckpointSealingKey(const crypto::HmacSha256& checkpoint_purpose_key) {
  return FromCheckpointPurposeKey(checkpoint_purpose_key, "sealing key v1");
}

StatusOr<std::shared_ptr<catalog::SqliteCipher>> LocalStateCipher(const crypto::HmacSha256& checkpoint_purpose_key) {
  const SecretBytes data = FromCheckpointPurposeKey(checkpoint_purpose_key, "local state data key v1");
  const SecretBytes tweak = FromCheckpointPurposeKey(checkpoint_purpose_key, "local state tweak key v1");
  SecretBytes key(data.size() + tweak.size());
  std::copy(data.span().begin(), data.span().end(), key.mutable_data());
  std::copy(tweak.span().begin(), tweak.span().end(), key.mutable_data() + data.size());
  return catalog::SqliteCipher::Create(key);
}

std::string StateRootObjectName() {
  const std::string h = Hex(crypto::Sha256(AsBytes(kRootFormat)));
  return "o/" + h.substr(0, 2) + "/" + h;
}

Status BackUpState(const fs::path& dir, const std::string& host_uri, storage::SealedStore& sealed, keys::KeyStore& kek,
                   const SecretBytes& key, uint64_t log_size, std::shared_ptr<const catalog::SqliteCipher> cipher) {
  ASSIGN_OR_RETURN(std::optional<Record> read, ReadRecord(dir));
  const bool same_host = read && read->host == host_uri;
  Record old = same_host ? *read : Record{.host = host_uri};
  if (!same_host) {
    // A first backup on this host: the log from its first segment.
    ASSIGN_OR_RETURN(std::vector<audit::SegmentInfo> segments, audit::ListSegments(audit::HubAuditDir(dir.string())));
    if (!segments.empty()) old.end = Position{segments.front().first_index, 0};
  }
  if (log_size < old.size) {
    return DataLossError("the audit log holds " + std::to_string(log_size) + " entries but state/backup says " +
                         std::to_string(old.size) + " were backed up");
  }
  storage::BlobStore& host = *sealed.blob_store();
  const std::string audit_dir = audit::HubAuditDir(dir.string());

  // What changed: the log's new records (merged with the trailing chunks no
  // larger than them), the catalog, the root.
  ASSIGN_OR_RETURN(Run fresh, ReadRecords(audit_dir, old.size, old.end, log_size));
  size_t keep = old.chunks.size();
  uint64_t merged = fresh.bytes.size();
  while (!fresh.bytes.empty() && keep > 0 && old.chunks[keep - 1].stored.plain_bytes <= merged &&
         old.chunks[keep - 1].stored.plain_bytes + merged <= kMaxChunkBytes) {
    merged += old.chunks[keep - 1].stored.plain_bytes;
    --keep;
  }
  ASSIGN_OR_RETURN(auto database, catalog::Database::Open((dir / "state" / kCatalogName).string(),
                                                          catalog::Database::kDefaultBusyTimeoutMs, std::move(cipher)));
  ASSIGN_OR_RETURN(Bytes catalog, database->Serialize());
  database.reset();
  const std::string catalog_sha = Hex(crypto::Sha256(catalog));
  ASSIGN_OR_RETURN(std::optional<std::string> root, RootPayload(dir));
  const std::string root_sha = root ? Hex(crypto::Sha256(AsBytes(*root))) : old.root_sha256;
  const bool log_grew = !fresh.bytes.empty();
  const bool catalog_changed = !old.catalog_version || old.catalog.plain_sha256 != catalog_sha;
  const bool root_changed = old.root_sha256 != root_sha;
  if (!log_grew && !catalog_changed && !root_changed && !old.manifest_object.empty()) return OkStatus();

  Record next = old;
  next.pending.clear();
  for (const std::string& name : old.pending) {
    // A backup killed after announcing these: they go, unless reused below.
    next.to_delete.push_back(name);
  }
  const uint64_t chunk_first = keep < old.chunks.size() ? old.chunks[keep].first : old.size;
  const std::string chunk_name = ChunkName(chunk_first, log_size - chunk_first);
  const uint64_t catalog_version = old.catalog_version.value_or(0) + 1;
  const std::string manifest_object = sealed.ObjectNameFor(kStateManifestName);
  // Announced before they are written, so that a host check running
  // meanwhile never takes them for unknown objects (the manifest, once
  // recorded, and the root keep their names).
  if (log_grew || catalog_changed || old.manifest_object.empty()) {
    Record announce = old;
    if (log_grew) announce.pending.push_back(sealed.ObjectNameFor(chunk_name));
    if (catalog_changed) announce.pending.push_back(sealed.ObjectNameFor(CatalogName(catalog_version)));
    announce.pending.push_back(manifest_object);
    RETURN_IF_ERROR(WriteRecord(dir, announce));
  }

  if (log_grew) {
    std::string bytes;
    Position at = old.end;
    if (keep < old.chunks.size()) {
      ASSIGN_OR_RETURN(Run earlier, ReadRecords(audit_dir, chunk_first, old.chunks[keep].at, old.size));
      bytes = std::move(earlier.bytes);
      at = old.chunks[keep].at;
    }
    bytes += fresh.bytes;
    ASSIGN_OR_RETURN(storage::SealedObjectInfo info, sealed.Put(chunk_name, key, AsBytes(bytes)));
    for (size_t i = keep; i < old.chunks.size(); ++i) next.to_delete.push_back(old.chunks[i].stored.object);
    next.chunks.resize(keep);
    next.chunks.push_back(Chunk{
        .first = chunk_first, .count = log_size - chunk_first, .at = at, .stored = StoredFrom(info, AsBytes(bytes))});
    next.size = log_size;
    next.end = fresh.end;
  }
  if (catalog_changed) {
    ASSIGN_OR_RETURN(storage::SealedObjectInfo info, sealed.Put(CatalogName(catalog_version), key, catalog));
    if (old.catalog_version) next.to_delete.push_back(old.catalog.object);
    next.catalog_version = catalog_version;
    next.catalog = StoredFrom(info, catalog);
  }
  if (root_changed) {
    ASSIGN_OR_RETURN(Bytes sealed_root, SealRoot(kek, *root));
    RETURN_IF_ERROR(host.Put(StateRootObjectName(), sealed_root));
    next.root_sha256 = root_sha;
  }
  RETURN_IF_ERROR(sealed.Put(kStateManifestName, key, AsBytes(ManifestJson(next).dump())).status());
  next.manifest_object = manifest_object;
  // Never delete what the backup now holds (a killed run's object reused).
  std::set<std::string> live = {manifest_object, next.catalog.object};
  for (const Chunk& c : next.chunks) live.insert(c.stored.object);
  std::erase_if(next.to_delete, [&](const std::string& n) { return live.contains(n); });
  std::sort(next.to_delete.begin(), next.to_delete.end());
  next.to_delete.erase(std::unique(next.to_delete.begin(), next.to_delete.end()), next.to_delete.end());
  RETURN_IF_ERROR(WriteRecord(dir, next));
  if (next.to_delete.empty()) return OkStatus();
  // Replaced objects go once the manifest no longer names them; one that
  // cannot be removed now is tried again by the next backup.
  std::vector<std::string> left;
  for (const std::string& name : next.to_delete) {
    if (!DeleteQuietly(host, name).ok()) left.push_back(name);
  }
  next.to_delete = std::move(left);
  return WriteRecord(dir, next);
}

Status RewrapStateRoot(const fs::path& dir, const std::string& host_uri, storage::BlobStore& host,
                       keys::KeyStore& kek) {
  ASSIGN_OR_RETURN(std::optional<Record> record, ReadRecord(dir));
  if (!record || record->host != host_uri) return OkStatus();
  ASSIGN_OR_RETURN(std::optional<std::string> payload, RootPayload(dir));
  if (!payload) return FailedPreconditionError("the key ring or the wrapped audit signing key is missing from state/");
  ASSIGN_OR_RETURN(Bytes sealed_root, SealRoot(kek, *payload));
  RETURN_IF_ERROR(host.Put(StateRootObjectName(), sealed_root));
  // Recorded, so that the next backup keeps this root (this process's key
  // store may still be the old KEK) and names it in its manifest.
  record->root_sha256 = Hex(crypto::Sha256(AsBytes(*payload)));
  return WriteRecord(dir, *record);
}

StatusOr<std::vector<std::string>> StateBackupObjectNames(const fs::path& dir, const std::string& host_uri) {
  ASSIGN_OR_RETURN(std::optional<Record> r, ReadRecord(dir));
  std::vector<std::string> out;
  if (!r || r->host != host_uri) return out;
  out.push_back(StateRootObjectName());
  if (!r->manifest_object.empty()) out.push_back(r->manifest_object);
  if (r->catalog_version) out.push_back(r->catalog.object);
  for (const Chunk& c : r->chunks) out.push_back(c.stored.object);
  out.insert(out.end(), r->pending.begin(), r->pending.end());
  out.insert(out.end(), r->to_delete.begin(), r->to_delete.end());
  return out;
}

namespace {

// What the restore reads from the host, checked, before it writes anything.
struct Backup {
  std::string root;
  json manifest;
  Record record;  // the state/backup the restored hub starts from
};

StatusOr<json> ParseJson(std::string_view text, const std::string& what) {
  json j = json::parse(text, nullptr, /*allow_exceptions=*/false);
  if (!j.is_object()) return DataLossError(what + " on the host is not a JSON object: it was damaged");
  return j;
}

// Checks a downloaded object against the manifest's size and SHA-256.
Status CheckPlain(ByteSpan plain, const Stored& expected, const std::string& what) {
  if (plain.size() != expected.plain_bytes || Hex(crypto::Sha256(plain)) != expected.plain_sha256) {
    return DataLossError(what + " on the host differs from the backup's manifest (replaced or rolled back)");
  }
  return OkStatus();
}

Status WritePrivate(const fs::path& path, ByteSpan data) {
  return WriteFileAtomically(path.string(), data, kRecordMode);
}

// Writes the restored files into `state` (a fresh directory).
// `host_name`: the host as the restored hub.json names it (state/backup's).
StatusOr<RestoreReport> WriteRestoredState(keys::KeyStore& kek, storage::BlobStore& host, const std::string& host_name,
                                           const fs::path& state) {
  RestoreReport report;
  StatusOr<Bytes> root_bytes = host.Get(StateRootObjectName());
  if (IsNotFound(root_bytes.status())) {
    return NotFoundError("the host " + host.Describe() + " holds no backup of a hub's state (no root object)");
  }
  RETURN_IF_ERROR(root_bytes.status());
  ASSIGN_OR_RETURN(std::string payload, OpenRoot(kek, *root_bytes));
  ASSIGN_OR_RETURN(json root, ParseJson(payload, "the backup's root"));
  if (!root.contains("keyring") || !root["keyring"].is_string() || !root.contains("audit_signing_key") ||
      !root["audit_signing_key"].is_string()) {
    return DataLossError("the backup's root on the host is malformed");
  }
  auto decode = [&](const char* field) -> StatusOr<Bytes> {
    StatusOr<Bytes> b = audit::Base64Decode(root[field].get<std::string>());
    if (!b.ok()) return DataLossError(std::string("the backup's root: field ") + field + " is not base64");
    return b;
  };
  ASSIGN_OR_RETURN(Bytes ring_file, decode("keyring"));
  ASSIGN_OR_RETURN(Bytes signing_file, decode("audit_signing_key"));
  RETURN_IF_ERROR(WritePrivate(state / keys::kKeyRingFileName, ring_file));
  RETURN_IF_ERROR(WritePrivate(state / "audit_signing.key", signing_file));
  const std::string root_sha = Hex(crypto::Sha256(AsBytes(payload)));

  // The ring unwraps only under the hub's KEK: a wrong key store stops here.
  StatusOr<keys::KeyRing> ring = keys::KeyRing::Read(kek, (state / keys::kKeyRingFileName).string());
  if (!ring.ok()) {
    return DataLossError("the key ring in the host's backup does not unwrap with this key store (" +
                         std::string(ring.status().message()) + "): give the lost hub's key store with --keys");
  }
  keys::KeyRingKeyStore ring_store(nullptr, *std::move(ring));
  ASSIGN_OR_RETURN(auto names, ring_store.HmacFor(kObjectNamesPurpose));
  ASSIGN_OR_RETURN(auto checkpoint_purpose, ring_store.HmacFor(kCheckpointSealPurpose));
  const SecretBytes key = StateBackupKey(*checkpoint_purpose);
  const SecretBytes checkpoint_key = CheckpointSealingKey(*checkpoint_purpose);
  storage::SealedStore sealed(&host, std::move(names));

  StatusOr<Bytes> manifest_bytes = sealed.Get(kStateManifestName, key);
  if (IsNotFound(manifest_bytes.status())) {
    return DataLossError("the host holds the backup's root but not its manifest: the backup was removed");
  }
  if (!manifest_bytes.ok()) {
    return DataLossError("the backup's manifest on the host does not unseal (" +
                         std::string(manifest_bytes.status().message()) + ")");
  }
  ASSIGN_OR_RETURN(json manifest, ParseJson(AsStringView(*manifest_bytes), "the backup's manifest"));
  Record record{
      .host = host_name, .root_sha256 = root_sha, .manifest_object = sealed.ObjectNameFor(kStateManifestName)};
  const fs::path audit_dir = state / "audit";
  fs::create_directories(audit_dir);
  fs::permissions(audit_dir, fs::perms::owner_all);
  try {
    if (manifest.value("format", 0) != kFormat) throw std::runtime_error("format");
    if (manifest.at("root_sha256").get<std::string>() != root_sha) {
      return DataLossError("the backup's root on the host differs from its manifest (replaced or rolled back)");
    }
    const uint64_t log_size = manifest.at("log_size").get<uint64_t>();
    uint64_t next = 0;
    for (const json& c : manifest.at("chunks")) {
      Chunk chunk{
          .first = c.at("first").get<uint64_t>(), .count = c.at("count").get<uint64_t>(), .stored = StoredOf(c)};
      const std::string what = "the audit log's entries " + std::to_string(chunk.first) + " to " +
                               std::to_string(chunk.first + chunk.count - 1);
      if (chunk.first != next || chunk.count == 0) {
        return DataLossError("the backup's manifest is malformed: " + what + " do not follow entry " +
                             std::to_string(next));
      }
      StatusOr<Bytes> plain = sealed.Get(ChunkName(chunk.first, chunk.count), key);
      if (!plain.ok()) {
        return DataLossError(what + " are missing or damaged on the host (" + std::string(plain.status().message()) +
                             ")");
      }
      RETURN_IF_ERROR(CheckPlain(*plain, chunk.stored, what));
      std::string segment;
      audit::AppendSegmentHeader(chunk.first, segment);
      chunk.at = Position{chunk.first, segment.size()};
      segment.append(AsStringView(*plain));
      const fs::path path = audit_dir / audit::SegmentFileName(chunk.first);
      RETURN_IF_ERROR(WritePrivate(path, AsBytes(segment)));
      // Every record's hash, and the indices following each other.
      ASSIGN_OR_RETURN(audit::ScanResult scan, audit::ScanSegment(path.string(), chunk.first, false,
                                                                  [](uint64_t, std::string_view, const audit::Hash&,
                                                                     uint64_t) { return OkStatus(); }));
      if (scan.records != chunk.count) {
        return DataLossError(what + " in the host's backup hold " + std::to_string(scan.records) + " records");
      }
      chunk.stored.object = sealed.ObjectNameFor(ChunkName(chunk.first, chunk.count));
      record.end = Position{chunk.first, segment.size()};
      record.chunks.push_back(std::move(chunk));
      next += scan.records;
    }
    if (next != log_size) {
      return DataLossError("the backup's manifest says " + std::to_string(log_size) +
                           " audit entries, its chunks hold " + std::to_string(next));
    }
    record.size = log_size;
    const json& cat = manifest.at("catalog");
    record.catalog_version = cat.at("version").get<uint64_t>();
    record.catalog = StoredOf(cat);
    record.catalog.object = sealed.ObjectNameFor(CatalogName(*record.catalog_version));
  } catch (const json::exception&) {
    return DataLossError("the backup's manifest on the host is malformed");
  } catch (const std::runtime_error&) {
    return DataLossError("the backup's manifest on the host has an unknown format");
  }
  StatusOr<Bytes> catalog = sealed.Get(CatalogName(*record.catalog_version), key);
  if (!catalog.ok()) {
    return DataLossError("the catalog's copy is missing or damaged on the host (" +
                         std::string(catalog.status().message()) + ")");
  }
  RETURN_IF_ERROR(CheckPlain(*catalog, record.catalog, "the catalog's copy"));
  {
    // Written through the hub's cipher, as the hub keeps it, and checked.
    ASSIGN_OR_RETURN(std::shared_ptr<catalog::SqliteCipher> cipher, LocalStateCipher(*checkpoint_purpose));
    ASSIGN_OR_RETURN(auto database, catalog::Database::Open((state / kCatalogName).string(),
                                                            catalog::Database::kDefaultBusyTimeoutMs, cipher));
    Status loaded = database->LoadImage(*catalog);
    if (loaded.code() == StatusCode::kDataLoss) return DataLossError("the catalog's copy on the host is damaged");
    RETURN_IF_ERROR(loaded);
    ASSIGN_OR_RETURN(catalog::Statement check, database->Prepare("PRAGMA integrity_check"));
    ASSIGN_OR_RETURN(bool row, check.Step());
    if (!row || check.ColumnText(0) != "ok") return DataLossError("the catalog's copy on the host is damaged");
  }
  report.catalog_bytes = catalog->size();

  // The host's signed checkpoint becomes the local one and the published
  // record: the open that follows checks the log against it.
  StatusOr<Bytes> checkpoint = sealed.Get(kCheckpointObjectName, checkpoint_key);
  if (!checkpoint.ok()) {
    return DataLossError("the audit checkpoint on the host is missing or does not unseal (" +
                         std::string(checkpoint.status().message()) + ")");
  }
  ASSIGN_OR_RETURN(std::string verifier_key, ReadAuditVerifierKey(state.parent_path().string()));
  ASSIGN_OR_RETURN(auto verifier, audit::Ed25519Verifier::FromVerifierKey(verifier_key));
  StatusOr<audit::VerifiedCheckpoint> signed_checkpoint =
      audit::OpenSignedCheckpoint(AsStringView(*checkpoint), *verifier);
  if (!signed_checkpoint.ok()) {
    return DataLossError("the audit checkpoint on the host is not signed by the backed-up log key (" +
                         std::string(signed_checkpoint.status().message()) + ")");
  }
  report.checkpoint_size = signed_checkpoint->checkpoint.size;
  report.log_origin = signed_checkpoint->checkpoint.origin;
  if (report.checkpoint_size > record.size) {
    return DataLossError("the host's audit checkpoint covers " + std::to_string(report.checkpoint_size) +
                         " entries but its backup of the log only " + std::to_string(record.size) +
                         ": the backup was rolled back or lost");
  }
  RETURN_IF_ERROR(WritePrivate(audit_dir / std::string(audit::kAuditCheckpointFile), *checkpoint));
  RETURN_IF_ERROR(WritePrivate(PublishedCheckpointPath(state.parent_path().string()), *checkpoint));
  report.log_entries = record.size;
  report.chunks = record.chunks.size();
  // The restored hub's record of its backup: what the host holds, so the
  // next checkpoint sends only what is new.
  RETURN_IF_ERROR(WriteRecord(state.parent_path(), record));
  return report;
}

}  // namespace

StatusOr<RestoreReport> RestoreHubFiles(const Backends& backends, const fs::path& dir, const SecretBytes& passphrase,
                                        const RestoreOptions& options) {
  if (options.host_uri.empty()) return InvalidArgumentError("name the lost hub's host: --host URI");
  if (options.keys_uri.empty()) return InvalidArgumentError("name the lost hub's key store: --keys URI");
  if (!options.verify_only && fs::exists(dir / kConfigName)) {
    return AlreadyExistsError(dir.string() + " already holds a hub: restore into an empty directory");
  }
  if (!options.verify_only && fs::exists(dir / "state")) {
    return AlreadyExistsError((dir / "state").string() +
                              " exists without hub.json (an unfinished init or restore?): remove it, then restore");
  }
  std::error_code ec;
  fs::create_directories(dir, ec);
  if (ec) return InternalError("cannot create " + dir.string() + ": " + ec.message());
  const fs::path abs = fs::absolute(dir).lexically_normal();
  // Built in a scratch hub directory beside its final place; its state/ is
  // renamed into place when complete, and hub.json written last.
  ASSIGN_OR_RETURN(Bytes token, crypto::RandomBytes(6));
  const fs::path scratch = abs / (".restoring-" + HexEncode(token));
  const fs::path state = scratch / "state";
  const bool keyfile = options.keys_uri.starts_with("keyfile:");
  const fs::path cwd = fs::current_path();
  const std::string host_uri = ResolveHubUri(options.host_uri, cwd);
  RestoreReport report;
  Config config{.host = host_uri, .keys = options.keys_uri, .audit_key_wrapped = true, .purpose_keys_in_ring = true};
  config.witnesses = options.witnesses;
  Status status = [&]() -> Status {
    fs::create_directories(state);
    fs::permissions(scratch, fs::perms::owner_all);
    fs::permissions(state, fs::perms::owner_all);
    std::string open_keys = ResolveHubUri(options.keys_uri, cwd);
    if (keyfile) {
      // The key file comes along into state/, where init keeps it.
      ASSIGN_OR_RETURN(std::string key_file, ReadFile(open_keys.substr(std::string("keyfile:").size())));
      RETURN_IF_ERROR(WritePrivate(state / "hub.key", AsBytes(key_file)));
      open_keys = "keyfile:" + (state / "hub.key").string();
      config.keys = "keyfile:" + (abs / "state" / "hub.key").string();
    } else {
      config.keys = open_keys;
    }
    ASSIGN_OR_RETURN(std::unique_ptr<storage::BlobStore> host, backends.hosts.Open(host_uri));
    ASSIGN_OR_RETURN(std::unique_ptr<keys::KeyStore> kek, backends.key_stores(passphrase).Open(open_keys));
    const std::string host_name = HubRelativeUri(host_uri, abs);
    ASSIGN_OR_RETURN(report, WriteRestoredState(*kek, *host, host_name, state));
    ASSIGN_OR_RETURN(std::string verifier_key, ReadAuditVerifierKey(scratch.string()));
    ASSIGN_OR_RETURN(auto verifier, audit::Ed25519Verifier::FromVerifierKey(verifier_key));
    // The signing key unwraps, and the log verifies against the host's
    // checkpoint (an open checks it all again).
    RETURN_IF_ERROR(LoadAuditKey(*kek, scratch.string(), /*wrapped_only=*/true).status());
    RETURN_IF_ERROR(audit::VerifyLogDirectory(audit::HubAuditDir(scratch.string()), *verifier).status());
    RETURN_IF_ERROR(CheckLogAgainstWitnesses(scratch.string(), *verifier, options.witnesses));
    report.witnesses = options.witnesses.size();
    report.host = host_name;
    report.keys = HubRelativeUri(config.keys, abs);
    if (options.verify_only) return OkStatus();
    fs::rename(state, abs / "state", ec);
    if (ec) return InternalError("cannot move the restored state into " + abs.string() + ": " + ec.message());
    return WriteConfigAtomically(abs, config);
  }();
  fs::remove_all(scratch, ec);
  if (!status.ok() && !options.verify_only && !fs::exists(abs / kConfigName)) fs::remove_all(abs / "state", ec);
  RETURN_IF_ERROR(status);
  return report;
}

}  // namespace hdhub::hub
