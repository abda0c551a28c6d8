// Selecting and rendering audit entries for people and programs
// (`hdhub audit show`).
//
// Thread-safety: values and free functions.
#pragma once

#include <optional>
#include <ostream>
#include <string>
#include <vector>

#include <nlohmann/json.hpp>

#include "hdhub/audit/event.h"
#include "hdhub/common/clock.h"

namespace hdhub::audit {

struct EntryFilter {
  std::optional<TimePoint> since;  // inclusive
  std::optional<TimePoint> until;  // exclusive
  std::optional<std::string> actor;
  std::optional<std::string> action;  // exact, or a prefix ending in '.' ("key.")
  std::optional<std::string> project;

  bool Matches(const Entry& entry) const;
};

// One JSON object per entry, as stored (a list of the canonical objects).
nlohmann::json EntriesToJson(const std::vector<std::string>& raw_entries);
// An aligned table: seq, time, actor, role, action, project, outcome, objects.
void PrintEntriesTable(const std::vector<Entry>& entries, std::ostream& out);

}  // namespace hdhub::audit
