#include "hdhub/storage/blob_store.h"

#include <algorithm>
#include <string>

#include "hdhub/storage/file_blob_store.h"
#include "hdhub/storage/memory_blob_store.h"

namespace hdhub::storage {
namespace {

constexpr size_t kMaxObjectNameSize = 512;

bool IsNameChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '_' || c == '-' ||
         c == '/';
}

Status BadName(std::string_view name, std::string_view why) {
  return InvalidArgumentError("object name '" + std::string(name) + "' " + std::string(why));
}

}  // namespace

Status BlobReader::ReadStream(uint64_t offset, uint64_t length, const Sink& sink) {
  RETURN_IF_ERROR(CheckReadRange("", offset, length, size()));
  Bytes chunk;
  for (uint64_t at = offset; at < offset + length; at += chunk.size()) {
    chunk.resize(size_t(std::min<uint64_t>(kStreamChunk, offset + length - at)));
    RETURN_IF_ERROR(ReadAt(at, chunk));
    RETURN_IF_ERROR(sink(chunk));
  }
  return OkStatus();
}

Status BlobStore::PutFrom(std::string_view name, BlobReader& source, const crypto::Digest& sha256) {
  ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> writer, NewWriter(name));
  crypto::Sha256Hasher hasher;
  RETURN_IF_ERROR(source.ReadStream(0, source.size(), [&](ByteSpan piece) {
    hasher.Update(piece);
    return writer->Append(piece);
  }));
  // The writer, dropped uncommitted, leaves nothing under the name.
  if (hasher.Finish() != sha256) return CopyHashMismatch(name);
  return writer->Commit();
}

Status CopyHashMismatch(std::string_view name) {
  return DataLossError("the bytes copied to '" + std::string(name) + "' do not have the SHA-256 on record");
}

Status ValidateObjectName(std::string_view name) {
  if (name.empty()) return InvalidArgumentError("object name is empty");
  if (name.size() > kMaxObjectNameSize) {
    // The name itself is not echoed: it is long enough to be anything.
    return InvalidArgumentError("object name of " + std::to_string(name.size()) +
                                " characters is longer than 512");
  }
  for (char c : name) {
    if (!IsNameChar(c)) return BadName(name, "has a character outside [a-z0-9._/-]");
  }
  if (name.front() == '/' || name.back() == '/') {
    return BadName(name, "starts or ends with '/'");
  }
  size_t start = 0;
  while (start <= name.size()) {
    size_t end = name.find('/', start);
    if (end == std::string_view::npos) end = name.size();
    std::string_view component = name.substr(start, end - start);
    if (component.empty()) return BadName(name, "contains \"//\"");
    if (component.front() == '.') return BadName(name, "has a component starting with '.'");
    start = end + 1;
  }
  return OkStatus();
}

// An empty `name` (a reader that does not know its own) says "the object".
Status CheckReadRange(std::string_view name, uint64_t offset, uint64_t length, uint64_t size) {
  if (offset <= size && length <= size - offset) return OkStatus();
  const std::string object = name.empty() ? "the object" : "object '" + std::string(name) + "'";
  return OutOfRangeError("range [" + std::to_string(offset) + ", +" + std::to_string(length) + ") is past the end of " +
                         object + " (" + std::to_string(size) + " bytes)");
}

void BlobStoreRegistry::Register(std::string scheme, Factory factory) {
  factories_.insert_or_assign(std::move(scheme), std::move(factory));
}

StatusOr<std::unique_ptr<BlobStore>> BlobStoreRegistry::Open(std::string_view uri) const {
  size_t colon = uri.find(':');
  if (colon == std::string_view::npos || colon == 0) {
    return InvalidArgumentError(
        "blob store URI has no scheme (expected scheme:rest, e.g. memory:)");
  }
  std::string_view scheme = uri.substr(0, colon);
  auto it = factories_.find(scheme);
  if (it == factories_.end()) {
    return InvalidArgumentError("unknown blob store scheme '" + std::string(scheme) + "'");
  }
  return it->second(uri.substr(colon + 1));
}

void RegisterBuiltinBlobStores(BlobStoreRegistry& registry) {
  registry.Register("memory", MemoryBlobStore::FromUri);
  registry.Register("file", FileBlobStore::FromUri);
}

}  // namespace hdhub::storage
