#include "hdhub/hosts/host.h"

#include <algorithm>
#include <array>
#include <cstdio>

namespace hdhub::hosts {
namespace {

// The 27 member states of the European Union (ISO 3166-1 alpha-2; Greece
// is "GR" here, not the EU's own "EL").
constexpr std::array<std::string_view, 27> kEuMembers = {"AT", "BE", "BG", "CY", "CZ", "DE", "DK", "EE", "ES",
                                                         "FI", "FR", "GR", "HR", "HU", "IE", "IT", "LT", "LU",
                                                         "LV", "MT", "NL", "PL", "PT", "RO", "SE", "SI", "SK"};

constexpr size_t kMaxNameLength = 32;
constexpr size_t kMaxSchemeLength = 32;
constexpr size_t kMaxReferenceLength = 128;
constexpr size_t kMaxOperatorLength = 128;
constexpr size_t kMaxEvidenceLength = 512;
constexpr size_t kMaxUriLength = 2048;

bool Lower(char c) { return c >= 'a' && c <= 'z'; }
bool Digit(char c) { return c >= '0' && c <= '9'; }
bool Upper(char c) { return c >= 'A' && c <= 'Z'; }

bool IsPrintable(std::string_view text) {
  return std::all_of(text.begin(), text.end(),
                     [](char c) { return static_cast<unsigned char>(c) >= 0x20 && c != 0x7f; });
}

bool IsSchemeName(std::string_view s) {
  if (s.empty() || s.size() > kMaxSchemeLength) return false;
  return std::all_of(s.begin(), s.end(),
                     [](char c) { return Lower(c) || Upper(c) || Digit(c) || c == '.' || c == '_' || c == '-'; });
}

bool Bounded(std::string_view text, size_t max) { return !text.empty() && text.size() <= max && IsPrintable(text); }

Status CheckQualification(const Qualification& q, size_t index) {
  const std::string where = "qualification " + std::to_string(index + 1);
  if (!IsSchemeName(q.scheme)) return InvalidArgumentError(where + ": scheme must be 1-32 of [A-Za-z0-9._-]");
  if (!Bounded(q.reference, kMaxReferenceLength)) {
    return InvalidArgumentError(where + ": reference must be 1-128 printable characters");
  }
  if (!Bounded(q.evidence, kMaxEvidenceLength)) {
    return InvalidArgumentError(where + ": evidence (a URL or a document's hash) must be 1-512 printable characters");
  }
  if (q.valid_until < q.valid_from) return InvalidArgumentError(where + ": valid_until is before valid_from");
  return OkStatus();
}

}  // namespace

StatusOr<Day> ParseDay(std::string_view text, std::string_view what) {
  const std::string error = std::string(what) + " must be a date YYYY-MM-DD";
  if (text.size() != 10 || text[4] != '-' || text[7] != '-') return InvalidArgumentError(error);
  for (size_t i : {0, 1, 2, 3, 5, 6, 8, 9}) {
    if (!Digit(text[i])) return InvalidArgumentError(error);
  }
  auto number = [&](size_t at, size_t n) {
    int v = 0;
    for (size_t i = at; i < at + n; ++i) v = v * 10 + (text[i] - '0');
    return v;
  };
  std::chrono::year_month_day ymd{std::chrono::year(number(0, 4)), std::chrono::month(number(5, 2)),
                                  std::chrono::day(number(8, 2))};
  if (!ymd.ok()) return InvalidArgumentError(error + " that exists");
  return Day(ymd);
}

std::string FormatDay(Day day) {
  std::chrono::year_month_day ymd(day);
  char buf[16];
  std::snprintf(buf, sizeof buf, "%04d-%02u-%02u", static_cast<int>(ymd.year()), static_cast<unsigned>(ymd.month()),
                static_cast<unsigned>(ymd.day()));
  return buf;
}

Day DayOf(TimePoint t) { return std::chrono::floor<std::chrono::days>(t); }

bool IsValidHostName(std::string_view name) {
  if (name.empty() || name.size() > kMaxNameLength || !Lower(name[0])) return false;
  return std::all_of(name.begin(), name.end(), [](char c) { return Lower(c) || Digit(c) || c == '-'; });
}

std::string UriScheme(std::string_view uri) {
  const size_t colon = uri.find(':');
  return colon == std::string_view::npos ? std::string() : std::string(uri.substr(0, colon));
}

bool IsLocalUri(std::string_view uri) {
  const std::string scheme = UriScheme(uri);
  return scheme == "file" || scheme == "memory";
}

bool IsCountryCode(std::string_view code) { return code.size() == 2 && Upper(code[0]) && Upper(code[1]); }

bool IsEuMember(std::string_view code) {
  return std::find(kEuMembers.begin(), kEuMembers.end(), code) != kEuMembers.end();
}

Status ValidateHostSpec(const HostSpec& spec) {
  if (!IsValidHostName(spec.name)) {
    return InvalidArgumentError("a host name must be a lower-case letter, then up to 31 of [a-z0-9-]");
  }
  const std::string where = "host " + spec.name + ": ";
  if (spec.uri.size() > kMaxUriLength || !IsPrintable(spec.uri) || UriScheme(spec.uri).empty()) {
    return InvalidArgumentError(where + "the URI must be scheme:… (file:, memory:, s3://…), up to 2048 characters");
  }
  if (spec.local && !IsLocalUri(spec.uri)) {
    return InvalidArgumentError(where + "only a file: or memory: host may be marked local");
  }
  // A local host may leave its jurisdiction and operator undeclared.
  const bool may_be_blank = spec.local;
  auto country = [&](const std::string& code, std::string_view what) -> Status {
    if ((code.empty() && may_be_blank) || IsCountryCode(code)) return OkStatus();
    return InvalidArgumentError(where + std::string(what) + " must be an ISO 3166-1 code of two upper-case letters");
  };
  RETURN_IF_ERROR(country(spec.jurisdiction, "jurisdiction"));
  RETURN_IF_ERROR(country(spec.owner_jurisdiction, "the owner's jurisdiction"));
  if (!(spec.operator_name.empty() && may_be_blank) && !Bounded(spec.operator_name, kMaxOperatorLength)) {
    return InvalidArgumentError(where + "the operator's name must be 1-128 printable characters");
  }
  for (size_t i = 0; i < spec.qualifications.size(); ++i) {
    Status checked = CheckQualification(spec.qualifications[i], i);
    if (!checked.ok()) return InvalidArgumentError(where + std::string(checked.message()));
  }
  return OkStatus();
}

}  // namespace hdhub::hosts
