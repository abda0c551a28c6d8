// BlobOperation: names for the BlobStore, BlobReader and BlobWriter calls, the
// vocabulary shared by the decorators that count or fail them
// (FaultInjectingBlobStore, MetricsBlobStore). Values; thread-safe.
#pragma once

#include <array>
#include <cstddef>
#include <string_view>

namespace hdhub::storage {

enum class BlobOperation {
  kPut,
  kNewWriter,
  kAppend,
  kCommit,
  kGet,
  kGetRange,
  kOpenReader,
  kReadAt,
  kStat,
  kList,
  kDelete,
};
inline constexpr size_t kBlobOperationCount = 11;

inline constexpr size_t BlobOperationIndex(BlobOperation op) { return static_cast<size_t>(op); }

// "Put", "ReadAt", ...: for metrics labels and test messages.
inline constexpr std::string_view BlobOperationName(BlobOperation op) {
  constexpr std::array<std::string_view, kBlobOperationCount> kNames = {
      "Put",        "NewWriter", "Append", "Commit", "Get",   "GetRange",
      "OpenReader", "ReadAt",    "Stat",   "List",   "Delete"};
  return kNames[BlobOperationIndex(op)];
}

}  // namespace hdhub::storage
