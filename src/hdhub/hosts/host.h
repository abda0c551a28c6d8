// Hosts: what the hub knows about a place its sealed objects may live (a
// host), as the operator declared it, and the sovereignty policy that says
// whether health data may be placed there (docs/hosts.md).
//
// A host is declared, never probed: its URI (a string here; the backend that
// opens it is chosen elsewhere by scheme), the country whose law governs it,
// its operator and the jurisdiction of whoever controls that operator (a
// French subsidiary of a US company is "FR" / "US": the extraterritorial
// exposure the policy is about), and its qualifications (HDS, SecNumCloud…)
// with their validity dates and the evidence behind them.
//
// Thread-safety: values.
#pragma once

#include <chrono>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/clock.h"
#include "hdhub/common/status.h"

namespace hdhub::hosts {

// A calendar day in UTC.
using Day = std::chrono::sys_days;

// "YYYY-MM-DD" -> Day; InvalidArgument naming `what` otherwise.
StatusOr<Day> ParseDay(std::string_view text, std::string_view what);
std::string FormatDay(Day day);
// The UTC calendar day `t` falls on.
Day DayOf(TimePoint t);

// The qualification schemes the default policy names.
inline constexpr char kHds[] = "HDS";
inline constexpr char kSecNumCloud[] = "SecNumCloud";

// One qualification or certification, valid from `valid_from` to
// `valid_until`, both days included.
struct Qualification {
  std::string scheme;     // "HDS", "SecNumCloud", "ISO27001"…: 1-32 of [A-Za-z0-9._-]
  std::string reference;  // the certificate or qualification number, 1-128 characters
  Day valid_from{};
  Day valid_until{};
  std::string evidence;  // where it was checked: a URL, a document's SHA-256, 1-512 characters

  // Whether `day` lies in [valid_from, valid_until].
  bool InForceOn(Day day) const { return valid_from <= day && day <= valid_until; }
};

// How a local host is treated: a directory on the hub's own machine (file:)
// or memory (memory:) is no hosting provider; it may be declared `local`,
// which the policy accepts only while it allows local hosts, and says so in
// every decision's evidence.
struct HostSpec {
  std::string name;                // [a-z][a-z0-9-]{0,31}
  std::string uri;                 // file:…, memory:…, s3://…
  std::string jurisdiction;        // ISO 3166-1 alpha-2, upper case ("FR")
  std::string operator_name;       // who runs it, 1-128 characters ("3DS Outscale")
  std::string owner_jurisdiction;  // of the operator's controlling owner ("FR"; "US" for a US subsidiary)
  std::vector<Qualification> qualifications;
  bool local = false;  // a local directory or memory host (file:, memory: only)
};

// A host as the registry keeps it.
struct HostRecord {
  HostSpec spec;
  std::string added_by;
  TimePoint added_at{};
  std::string changed_by;
  TimePoint changed_at{};
};

// OK, or InvalidArgument naming the first field that is wrong.
Status ValidateHostSpec(const HostSpec& spec);
bool IsValidHostName(std::string_view name);
// "file", "s3", …: the URI's scheme.
std::string UriScheme(std::string_view uri);
// Whether the URI names a host on the hub's own machine (file:, memory:).
bool IsLocalUri(std::string_view uri);

// ISO 3166-1 alpha-2: two upper-case letters.
bool IsCountryCode(std::string_view code);
// Whether `code` is a member state of the European Union (table in host.cc,
// EU-27 as of 2026).
bool IsEuMember(std::string_view code);

}  // namespace hdhub::hosts
