#include "hdhub/hub/pending_request.h"

#include <sys/stat.h>

#include <filesystem>
#include <nlohmann/json.hpp>

#include "hdhub/common/file.h"

namespace hdhub::hub {

namespace fs = std::filesystem;

namespace {
constexpr mode_t kRecordMode = 0600;
}  // namespace

StatusOr<std::optional<PendingRequest>> ReadPendingRequest(const std::string& path, std::string_view field) {
  StatusOr<std::string> text = ReadFile(path);
  if (IsNotFound(text.status())) return std::optional<PendingRequest>();
  RETURN_IF_ERROR(text.status());
  nlohmann::json j = nlohmann::json::parse(*text, nullptr, /*allow_exceptions=*/false);
  const std::string key(field);
  if (!j.is_object() || !j.contains("requested_by") || !j["requested_by"].is_string() || !j.contains(key) ||
      !j[key].is_string()) {
    return DataLossError(path + " is malformed");
  }
  return std::optional<PendingRequest>(PendingRequest{j["requested_by"].get<std::string>(), j[key].get<std::string>()});
}

Status WritePendingRequest(const std::string& path, std::string_view field, const PendingRequest& request) {
  nlohmann::json out{{"requested_by", request.requested_by}, {std::string(field), request.what}};
  return WriteFileAtomically(path, AsBytes(out.dump() + "\n"), kRecordMode);
}

Status RemovePendingRequest(const std::string& path) {
  std::error_code ec;
  fs::remove(path, ec);
  if (ec) return InternalError("cannot remove " + path + ": " + ec.message());
  return SyncDir(fs::path(path).parent_path().string());
}

}  // namespace hdhub::hub
