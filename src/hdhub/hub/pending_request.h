// A first operator's request that waits for a second, different operator
// (dual control: a KEK rotation, a new pair of custodians): one small JSON
// file in state/, {"requested_by": "<account>", "<field>": "<what>"}, mode
// 0600, written atomically.
//
// Thread-safety: functions on files; the hub's callers serialize them.
#pragma once

#include <optional>
#include <string>
#include <string_view>

#include "hdhub/common/status.h"

namespace hdhub::hub {

struct PendingRequest {
  std::string requested_by;
  std::string what;  // the value of the request's field
};

// None when `path` does not exist; DataLoss naming `path` when it is not a
// request with `field`.
StatusOr<std::optional<PendingRequest>> ReadPendingRequest(const std::string& path, std::string_view field);
Status WritePendingRequest(const std::string& path, std::string_view field, const PendingRequest& request);
// Removes `path` (nothing to do when it is absent) and syncs its folder.
Status RemovePendingRequest(const std::string& path);

}  // namespace hdhub::hub
