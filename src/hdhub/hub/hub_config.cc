#include "hdhub/hub/hub_config.h"

#include <nlohmann/json.hpp>

#include "hdhub/common/json_number.h"

namespace hdhub::hub {
namespace {

namespace fs = std::filesystem;
constexpr int kFormat = 2;        // hub-relative paths
constexpr int kOldestFormat = 1;  // absolute paths only
constexpr mode_t kConfigMode = 0644;
constexpr char kAuditKeyInKeyStore[] = "key-store";
constexpr char kPurposeKeysInRing[] = "key-ring";

// The hub directory, absolute, without a trailing separator.
fs::path Base(const fs::path& dir) {
  fs::path base = fs::absolute(dir).lexically_normal();
  return base.has_filename() ? base : base.parent_path();
}

// The local path a URI names: the part after "keyfile:", or after "file:"
// (and its "//" authority marker). Empty scheme for URIs naming no local path.
struct LocalPath {
  std::string_view scheme;
  std::string_view path;
};

LocalPath Split(std::string_view uri) {
  const size_t colon = uri.find(':');
  if (colon == std::string_view::npos) return {};
  const std::string_view scheme = uri.substr(0, colon);
  std::string_view rest = uri.substr(colon + 1);
  if (scheme == "file" && rest.starts_with("//")) rest.remove_prefix(2);
  if (scheme != "file" && scheme != "keyfile") return {};
  return {scheme, rest};
}

// Parsed hub.json fields, or why they are unusable.
StatusOr<Config> ParseConfig(const std::string& text, const std::string& where) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return DataLossError(where + " is not a JSON object");
  const int64_t format = j.contains("format") ? JsonInteger(j["format"], 0, 1 << 20).value_or(0) : 0;
  if (format < kOldestFormat || format > kFormat) {
    return FailedPreconditionError(where + " has format " + std::to_string(format) + "; this hdhub reads formats " +
                                   std::to_string(kOldestFormat) + " to " + std::to_string(kFormat));
  }
  if (!j.contains("host") || !j["host"].is_string() || !j.contains("keys") || !j["keys"].is_string()) {
    return DataLossError(where + " lacks \"host\" or \"keys\"");
  }
  const bool wrapped = j.contains("audit_key") && j["audit_key"] == kAuditKeyInKeyStore;
  if (j.contains("audit_key") && !wrapped) return DataLossError(where + " has an unknown \"audit_key\"");
  Config config{j["host"].get<std::string>(), j["keys"].get<std::string>(), wrapped, {}};
  if (j.contains("purpose_keys")) {
    if (j["purpose_keys"] != kPurposeKeysInRing) return DataLossError(where + " has an unknown \"purpose_keys\"");
    config.purpose_keys_in_ring = true;
  }
  if (!j.contains("witnesses")) return config;
  if (!j["witnesses"].is_array()) return DataLossError(where + ": \"witnesses\" is not an array");
  for (const nlohmann::json& w : j["witnesses"]) {
    if (!w.is_object() || !w.contains("key") || !w["key"].is_string() || !w.contains("checkpoint") ||
        !w["checkpoint"].is_string()) {
      return DataLossError(where + ": each witness needs a \"key\" and a \"checkpoint\" (strings)");
    }
    config.witnesses.push_back({w["key"].get<std::string>(), w["checkpoint"].get<std::string>()});
  }
  return config;
}

}  // namespace

std::string HubRelativeUri(std::string_view uri, const fs::path& dir) {
  const LocalPath local = Split(uri);
  if (local.scheme.empty() || !local.path.starts_with('/')) return std::string(uri);
  const fs::path relative = fs::path(local.path).lexically_normal().lexically_relative(Base(dir));
  if (relative.empty() || relative == "." || *relative.begin() == "..") return std::string(uri);
  return std::string(local.scheme) + ":" + relative.string();
}

std::string ResolveHubUri(std::string_view uri, const fs::path& dir) {
  const LocalPath local = Split(uri);
  if (local.scheme.empty() || local.path.empty() || local.path.starts_with('/')) return std::string(uri);
  const std::string path = (Base(dir) / local.path).lexically_normal().string();
  return local.scheme == "file" ? "file://" + path : std::string(local.scheme) + ":" + path;
}

StatusOr<Config> ReadConfig(const fs::path& dir) {
  const std::string where = (dir / kConfigName).string();
  StatusOr<std::string> text = ReadFile(where);
  if (IsNotFound(text.status())) {
    return NotFoundError(dir.string() + " holds no hub (no " + kConfigName + "); run 'hdhub init' first");
  }
  RETURN_IF_ERROR(text.status());
  ASSIGN_OR_RETURN(Config config, ParseConfig(*text, where));
  Config resolved{ResolveHubUri(config.host, dir), ResolveHubUri(config.keys, dir), config.audit_key_wrapped, {}};
  resolved.purpose_keys_in_ring = config.purpose_keys_in_ring;
  for (const WitnessConfig& w : config.witnesses) {
    const fs::path path(w.checkpoint);
    resolved.witnesses.push_back({w.key, path.is_absolute() ? w.checkpoint : (Base(dir) / path).string()});
  }
  return resolved;
}

Status WriteConfigAtomically(const fs::path& dir, const Config& config, FileOps* ops_for_test) {
  nlohmann::json j = {
      {"format", kFormat}, {"host", HubRelativeUri(config.host, dir)}, {"keys", HubRelativeUri(config.keys, dir)}};
  if (config.audit_key_wrapped) j["audit_key"] = kAuditKeyInKeyStore;
  if (config.purpose_keys_in_ring) j["purpose_keys"] = kPurposeKeysInRing;
  if (!config.witnesses.empty()) {
    j["witnesses"] = nlohmann::json::array();
    for (const WitnessConfig& w : config.witnesses) {
      const fs::path relative = fs::path(w.checkpoint).lexically_normal().lexically_relative(Base(dir));
      const bool inside = !relative.empty() && *relative.begin() != "..";
      j["witnesses"].push_back({{"key", w.key}, {"checkpoint", inside ? relative.string() : w.checkpoint}});
    }
  }
  const std::string text = j.dump(2) + "\n";
  return WriteFileAtomically((dir / kConfigName).string(), AsBytes(text), kConfigMode, {.ops_for_test = ops_for_test});
}

}  // namespace hdhub::hub
