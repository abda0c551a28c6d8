// ExportStore: the airlock's data keys under a KEK rotation (§3).
#include <string>
#include <utility>
#include <vector>

#include "hdhub/exports/export_rows.h"
#include "hdhub/exports/export_store.h"

namespace hdhub::exports {

using internal::Execute;
using internal::SelectAll;

std::string RequestKeyContext(std::string_view project, std::string_view request) {
  return "exports/" + std::string(project) + "/" + std::string(request);
}

std::string ReleaseKeyContext(std::string_view project, int64_t seq) {
  return "exports/" + std::string(project) + "/release/" + std::to_string(seq);
}

StatusOr<size_t> ExportStore::RewrapKeys(const RewrapFn& rewrap) {
  struct Key {
    std::string project, request;
    int64_t seq = 0;  // 0: a request's key
    Bytes wrapped;
  };
  size_t done = 0;
  RETURN_IF_ERROR(Write([&]() -> Status {
    ASSIGN_OR_RETURN(
        std::vector<Key> keys,
        SelectAll<Key>(*db_,
                       "SELECT project, id, 0, wrapped_dek FROM export_request WHERE length(wrapped_dek) > 0 "
                       "UNION ALL SELECT project, '', seq, wrapped_dek FROM release ORDER BY 1, 2, 3",
                       {}, [](const catalog::Statement& s) -> StatusOr<Key> {
                         return Key{s.ColumnText(0), s.ColumnText(1), s.ColumnInt64(2), s.ColumnBlob(3)};
                       }));
    // The triggers that keep these keys as they are stand aside for this
    // transaction only (catalog::WithTriggersSuspended).
    return catalog::WithTriggersSuspended(
        db_.get(), {"export_request_key_never_replaced", "release_no_update"}, [&]() -> Status {
          for (const Key& key : keys) {
            const bool release = key.seq > 0;
            ASSIGN_OR_RETURN(Bytes rewrapped, rewrap(release ? ReleaseKeyContext(key.project, key.seq)
                                                             : RequestKeyContext(key.project, key.request),
                                                     key.wrapped));
            if (rewrapped.empty()) return InternalError("exports: a key rewrapped to nothing");
            if (release) {
              RETURN_IF_ERROR(Execute(*db_, "UPDATE release SET wrapped_dek = ?1 WHERE project = ?2 AND seq = ?3",
                                      {ByteSpan(rewrapped), key.project, key.seq})
                                  .status());
            } else {
              RETURN_IF_ERROR(Execute(*db_, "UPDATE export_request SET wrapped_dek = ?1 WHERE id = ?2",
                                      {ByteSpan(rewrapped), key.request})
                                  .status());
            }
            ++done;
          }
          return OkStatus();
        });
  }));
  // Old page images in the WAL still hold the keys wrapped by the old KEK.
  Status truncated = db_->CheckpointAndTruncateWal();
  if (!truncated.ok() && truncated.code() != StatusCode::kUnavailable) return truncated;
  return done;
}

}  // namespace hdhub::exports
