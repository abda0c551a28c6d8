#include "hdhub/audit/event.h"

#include <set>
#include <utility>

#include "hdhub/audit/request_scope.h"
#include "hdhub/common/json_number.h"
#include "hdhub/crypto/hash.h"

namespace hdhub::audit {

namespace {
constexpr int kFormatVersion = 1;
constexpr size_t kMaxIdLength = 128;
constexpr size_t kMaxNameLength = 64;
constexpr size_t kMaxDetails = 32;
constexpr size_t kMaxArray = 64;

// Identifiers: ids, names, dataset versions. Deliberately no spaces, so a
// sentence (and so most free-text health data) cannot be smuggled in.
bool IsIdChar(char c) {
  return (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
         c == '.' || c == '_' || c == '-' || c == ':' || c == '@' || c == '/';
}
bool IsNameChar(char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_'; }

Status CheckText(std::string_view field, std::string_view value, size_t max, bool (*ok)(char)) {
  if (value.empty() || value.size() > max) {
    return InvalidArgumentError("audit field '" + std::string(field) + "' is empty or too long");
  }
  for (char c : value) {
    if (!ok(c)) return InvalidArgumentError("audit field '" + std::string(field) + "' has a character outside its alphabet");
  }
  return OkStatus();
}

Status CheckAction(std::string_view action) {
  return CheckText("action", action, kMaxNameLength,
                   [](char c) { return IsNameChar(c) || c == '.' || c == '-'; });
}

Status CheckScalar(const std::string& key, const nlohmann::json& v) {
  if (v.is_boolean() || v.is_number()) return OkStatus();
  if (v.is_string()) return CheckText("details." + key, v.get_ref<const std::string&>(), kMaxIdLength, IsIdChar);
  return InvalidArgumentError("audit field 'details." + key + "' is not a number, boolean or identifier");
}

Status CheckDetails(const nlohmann::json& details) {
  if (!details.is_object()) return InvalidArgumentError("audit field 'details' is not an object");
  if (details.size() > kMaxDetails) return InvalidArgumentError("audit field 'details' has too many keys");
  for (const auto& [key, value] : details.items()) {
    RETURN_IF_ERROR(CheckText("details key", key, kMaxNameLength, IsNameChar));
    if (!value.is_array()) {
      RETURN_IF_ERROR(CheckScalar(key, value));
      continue;
    }
    if (value.size() > kMaxArray) return InvalidArgumentError("audit field 'details." + key + "' is too long");
    for (const auto& item : value) RETURN_IF_ERROR(CheckScalar(key, item));
  }
  return OkStatus();
}

StatusOr<Outcome> ParseOutcome(std::string_view name) {
  for (Outcome o : {Outcome::kSuccess, Outcome::kDenied, Outcome::kError}) {
    if (OutcomeName(o) == name) return o;
  }
  return InvalidArgumentError("audit field 'outcome' is not success, denied or error");
}
}  // namespace

std::string_view OutcomeName(Outcome outcome) {
  switch (outcome) {
    case Outcome::kSuccess: return "success";
    case Outcome::kDenied: return "denied";
    case Outcome::kError: return "error";
  }
  return "error";
}

Status ValidateEvent(const Event& e) {
  RETURN_IF_ERROR(CheckText("actor", e.actor, kMaxIdLength, IsIdChar));
  RETURN_IF_ERROR(CheckText("role", e.role, kMaxNameLength, IsNameChar));
  RETURN_IF_ERROR(CheckAction(e.action));
  for (const auto& [kind, id] : e.objects) {
    RETURN_IF_ERROR(CheckText("objects key", kind, kMaxNameLength, IsNameChar));
    RETURN_IF_ERROR(CheckText("objects." + kind, id, kMaxIdLength, IsIdChar));
  }
  if (e.project) RETURN_IF_ERROR(CheckText("project", *e.project, kMaxIdLength, IsIdChar));
  return CheckDetails(e.details);
}

namespace {
thread_local std::string current_request_id;
}  // namespace

RequestIdScope::RequestIdScope(std::string id) : previous_(std::exchange(current_request_id, std::move(id))) {}
RequestIdScope::~RequestIdScope() { current_request_id = std::move(previous_); }

std::span<const Event> StampRequestId(std::span<const Event> events, std::vector<Event>& storage) {
  if (current_request_id.empty()) return events;
  storage.assign(events.begin(), events.end());
  for (Event& e : storage) {
    if (e.details.is_object() && !e.details.contains("request_id")) e.details["request_id"] = current_request_id;
  }
  return storage;
}

std::string EncodeEntry(const Event& e, uint64_t seq, TimePoint time) {
  nlohmann::json j = {
      {"v", kFormatVersion},       {"seq", seq},         {"time", FormatRfc3339(time)},
      {"actor", e.actor},          {"role", e.role},     {"action", e.action},
      {"objects", e.objects},      {"outcome", std::string(OutcomeName(e.outcome))},
      {"details", e.details},
  };
  if (e.project) j["project"] = *e.project;
  if (e.free_text) j["text_sha256"] = HexEncode(crypto::Sha256(AsBytes(*e.free_text)));
  // nlohmann::json objects are std::map-backed: dump() emits sorted keys.
  return j.dump();
}

namespace {
Status DecodeFields(const nlohmann::json& j, Entry& out) {
  static const std::set<std::string> kAllowed = {"v", "seq", "time", "actor", "role", "action", "objects",
                                                 "outcome", "details", "project", "text_sha256"};
  for (const auto& [key, value] : j.items()) {
    if (!kAllowed.contains(key)) return InvalidArgumentError("audit entry has a field outside the allowed set: '" + key + "'");
  }
  if (JsonInteger(j.at("v"), 0, INT32_MAX) != kFormatVersion) {
    return InvalidArgumentError("audit entry has an unknown version");
  }
  if (!j.at("seq").is_number_unsigned()) return InvalidArgumentError("audit field 'seq' is not a whole number");
  out.seq = j.at("seq").get<uint64_t>();
  out.time = j.at("time").get<std::string>();
  RETURN_IF_ERROR(ParseRfc3339(out.time).status());
  out.event.actor = j.at("actor").get<std::string>();
  out.event.role = j.at("role").get<std::string>();
  out.event.action = j.at("action").get<std::string>();
  out.event.objects = j.at("objects").get<std::map<std::string, std::string>>();
  ASSIGN_OR_RETURN(out.event.outcome, ParseOutcome(j.at("outcome").get<std::string>()));
  out.event.details = j.at("details");
  if (j.contains("project")) out.event.project = j.at("project").get<std::string>();
  if (j.contains("text_sha256")) {
    out.text_sha256 = j.at("text_sha256").get<std::string>();
    ASSIGN_OR_RETURN(Bytes h, HexDecode(*out.text_sha256));
    if (h.size() != crypto::kSha256Size) return InvalidArgumentError("audit field 'text_sha256' is not a SHA-256");
  }
  return ValidateEvent(out.event);
}
}  // namespace

StatusOr<Entry> DecodeEntry(std::string_view bytes) {
  Entry out;
  try {
    nlohmann::json j = nlohmann::json::parse(bytes);
    if (!j.is_object()) return InvalidArgumentError("audit entry is not a JSON object");
    RETURN_IF_ERROR(DecodeFields(j, out));
    if (j.dump() != bytes) return InvalidArgumentError("audit entry is not canonical JSON");
  } catch (const nlohmann::json::exception& e) {
    // e.what() may quote the input; name only the error class.
    return InvalidArgumentError("audit entry is malformed JSON (nlohmann error " + std::to_string(e.id) + ")");
  }
  return out;
}

}  // namespace hdhub::audit
