#include "hdhub/pgwire/settings.h"

#include <algorithm>
#include <charconv>
#include <set>

namespace hdhub::pgwire {
namespace {

std::string Lower(std::string s) {
  for (char& c : s) c = char(std::tolower(static_cast<unsigned char>(c)));
  return s;
}
std::string Trim(const std::string& s) {
  const size_t a = s.find_first_not_of(" \t");
  if (a == s.npos) return "";
  return s.substr(a, s.find_last_not_of(" \t") - a + 1);
}

// name, default, changeable by SET.
struct Spec {
  const char* name;
  const char* value;
  bool settable;
};
constexpr Spec kSpecs[] = {
    {"application_name", "", true},
    {"client_encoding", "UTF8", true},
    {"client_min_messages", "notice", true},
    {"DateStyle", "ISO, MDY", true},
    {"default_transaction_isolation", "read committed", true},
    {"default_transaction_read_only", "on", true},
    {"extra_float_digits", "1", true},
    {"idle_in_transaction_session_timeout", "0", true},
    {"in_hot_standby", "off", false},
    {"integer_datetimes", "on", false},
    {"IntervalStyle", "postgres", true},
    {"is_superuser", "off", false},
    {"lc_collate", "C.UTF-8", false},
    {"lc_ctype", "C.UTF-8", false},
    {"lc_messages", "C.UTF-8", true},
    {"lc_monetary", "C.UTF-8", true},
    {"lc_numeric", "C.UTF-8", true},
    {"lc_time", "C.UTF-8", true},
    {"lock_timeout", "0", true},
    {"max_identifier_length", "63", false},
    {"search_path", "\"$user\", public", true},
    {"server_encoding", "UTF8", false},
    {"server_version", "15.0 (hdhub)", false},
    {"server_version_num", "150000", false},
    {"session_authorization", "", false},
    {"standard_conforming_strings", "on", true},
    {"statement_timeout", "0", true},
    {"TimeZone", "UTC", true},
    {"transaction_isolation", "read committed", true},
    {"transaction_read_only", "on", false},
};

Status BadValue(const std::string& name, const std::string& why) {
  return InvalidArgumentError("invalid value for parameter \"" + name + "\": " + why);
}

// A duration in milliseconds ("5000", "5s", "1min"), as PostgreSQL reads it.
StatusOr<int64_t> Milliseconds(const std::string& name, const std::string& text) {
  int64_t n = 0;
  const std::string t = Trim(text);
  auto [end, ec] = std::from_chars(t.data(), t.data() + t.size(), n);
  if (ec != std::errc() || n < 0) return BadValue(name, "a duration such as 5000, 5s or 1min");
  const std::string unit = Trim(std::string(end, t.data() + t.size()));
  static const std::map<std::string, int64_t> kUnits = {{"", 1},        {"ms", 1},      {"s", 1000},
                                                        {"min", 60000}, {"h", 3600000}, {"d", 86400000}};
  auto it = kUnits.find(unit);
  if (it == kUnits.end() || n > INT32_MAX) return BadValue(name, "a duration such as 5000, 5s or 1min");
  return n * it->second;
}

// As PostgreSQL shows a duration: in the largest unit that divides it.
std::string ShowMilliseconds(int64_t ms) {
  if (ms == 0) return "0";
  for (auto [unit, size] :
       {std::pair<const char*, int64_t>{"d", 86400000}, {"h", 3600000}, {"min", 60000}, {"s", 1000}}) {
    if (ms % size == 0) return std::to_string(ms / size) + unit;
  }
  return std::to_string(ms) + "ms";
}

std::string Quoted(const std::string& name) {
  const bool plain = !name.empty() && std::all_of(name.begin(), name.end(), [](char c) {
    return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
  });
  return plain ? name : "\"" + name + "\"";
}

}  // namespace

SessionSettings::SessionSettings() {
  for (const Spec& s : kSpecs) values_[s.name] = s.value;
  defaults_ = values_;
}

bool SessionSettings::Reported(const std::string& canonical) {
  static const std::set<std::string> kReported = {"application_name",
                                                  "client_encoding",
                                                  "DateStyle",
                                                  "default_transaction_read_only",
                                                  "in_hot_standby",
                                                  "integer_datetimes",
                                                  "IntervalStyle",
                                                  "is_superuser",
                                                  "server_encoding",
                                                  "server_version",
                                                  "session_authorization",
                                                  "standard_conforming_strings",
                                                  "TimeZone"};
  return kReported.contains(canonical);
}

StatusOr<std::string> SessionSettings::Canonical(const std::string& name) const {
  const std::string lower = Lower(name);
  for (const Spec& s : kSpecs) {
    if (Lower(s.name) == lower) return std::string(s.name);
  }
  if (lower == "role") return std::string("session_authorization");
  return NotFoundError("unrecognized configuration parameter (SHOW ALL lists them)");
}

StatusOr<std::string> SessionSettings::Check(const std::string& name, const std::vector<std::string>& values) const {
  const Spec* spec = nullptr;
  for (const Spec& s : kSpecs) {
    if (s.name == name) spec = &s;
  }
  if (spec == nullptr) return NotFoundError("unrecognized configuration parameter (SHOW ALL lists them)");
  if (name == "session_authorization") return PermissionDeniedError("the session's role cannot be changed");
  if (!spec->settable) return FailedPreconditionError("parameter \"" + name + "\" cannot be changed");
  if (values.empty()) return defaults_.at(name);
  std::string joined;
  for (const std::string& v : values) joined += (joined.empty() ? "" : ", ") + v;
  const std::string lower = Lower(Trim(joined));
  if (name == "application_name") return values.front().substr(0, 63);
  if (name == "search_path") {
    std::string out;
    for (const std::string& v : values) out += (out.empty() ? "" : ", ") + Quoted(Trim(v));
    return out;
  }
  if (name == "client_encoding") {
    if (lower == "utf8" || lower == "utf-8" || lower == "unicode") return std::string("UTF8");
    return BadValue(name, "this server speaks UTF8 only");
  }
  if (name == "DateStyle") {
    bool iso = false, other = false;
    size_t start = 0;
    while (start <= lower.size()) {
      size_t comma = lower.find(',', start);
      const std::string part = Trim(lower.substr(start, comma == lower.npos ? lower.npos : comma - start));
      if (part == "iso")
        iso = true;
      else if (part != "mdy" && part != "us" && part != "noneuropean")
        other = true;
      if (comma == lower.npos) break;
      start = comma + 1;
    }
    if (other || !iso) return BadValue(name, "only ISO, MDY is supported");
    return std::string("ISO, MDY");
  }
  if (name == "TimeZone") {
    static const std::set<std::string> kUtc = {"utc", "etc/utc",   "gmt", "etc/gmt", "uct", "zulu",
                                               "z",   "universal", "0",   "+00:00",  "utc0"};
    if (kUtc.contains(lower)) return std::string("UTC");
    return BadValue(name, "only UTC is supported (timestamps are sent in UTC)");
  }
  if (name == "extra_float_digits") {
    int n = 0;
    auto [end, ec] = std::from_chars(lower.data(), lower.data() + lower.size(), n);
    if (ec != std::errc() || end != lower.data() + lower.size() || n < -15 || n > 3) {
      return BadValue(name, "an integer from -15 to 3");
    }
    return std::to_string(n);
  }
  if (name == "statement_timeout" || name == "lock_timeout" || name == "idle_in_transaction_session_timeout") {
    ASSIGN_OR_RETURN(int64_t ms, Milliseconds(name, lower));
    return ShowMilliseconds(ms);
  }
  if (name == "transaction_isolation" || name == "default_transaction_isolation") {
    for (const char* level : {"read uncommitted", "read committed", "repeatable read", "serializable"}) {
      if (lower == level) return lower;
    }
    return BadValue(name, "read uncommitted, read committed, repeatable read or serializable");
  }
  if (name == "default_transaction_read_only") {
    if (lower == "on" || lower == "true" || lower == "1" || lower == "yes") return std::string("on");
    return PermissionDeniedError("this session is read-only: default_transaction_read_only stays on");
  }
  if (name == "standard_conforming_strings") {
    if (lower == "on" || lower == "true") return std::string("on");
    return BadValue(name, "only on is supported");
  }
  if (name == "IntervalStyle") {
    if (lower == "postgres") return lower;
    return BadValue(name, "only postgres is supported");
  }
  if (name == "client_min_messages") {
    for (const char* level :
         {"debug5", "debug4", "debug3", "debug2", "debug1", "debug", "log", "notice", "warning", "error"}) {
      if (lower == level) return lower;
    }
    return BadValue(name, "a message level such as notice or warning");
  }
  // lc_*: the server's messages and formats are C.UTF-8 whatever is asked.
  if (lower == "c" || lower == "c.utf-8" || lower == "c.utf8" || lower == "posix" || lower == "en_us.utf-8" ||
      lower == "en_us.utf8" || lower.empty()) {
    return Trim(joined);
  }
  return BadValue(name, "this server formats as C.UTF-8");
}

int64_t SessionSettings::StatementTimeoutMs() const {
  auto ms = Milliseconds("statement_timeout", values_.at("statement_timeout"));
  return ms.ok() ? *ms : 0;
}

}  // namespace hdhub::pgwire
