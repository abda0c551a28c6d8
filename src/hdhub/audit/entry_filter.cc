#include "hdhub/audit/entry_filter.h"

#include <algorithm>
#include <array>

namespace hdhub::audit {

bool EntryFilter::Matches(const Entry& entry) const {
  if (since || until) {
    auto t = ParseRfc3339(entry.time);
    if (!t.ok()) return false;
    if (since && *t < *since) return false;
    if (until && *t >= *until) return false;
  }
  if (actor && entry.event.actor != *actor) return false;
  if (project && entry.event.project != *project) return false;
  if (action) {
    const bool prefix = !action->empty() && action->back() == '.';
    if (prefix ? !entry.event.action.starts_with(*action) : entry.event.action != *action) return false;
  }
  return true;
}

nlohmann::json EntriesToJson(const std::vector<std::string>& raw_entries) {
  nlohmann::json out = nlohmann::json::array();
  // Entries were validated when read; parsing canonical JSON cannot throw here.
  for (const std::string& raw : raw_entries) out.push_back(nlohmann::json::parse(raw, nullptr, false));
  return out;
}

namespace {
constexpr size_t kColumns = 8;
using Row = std::array<std::string, kColumns>;

Row ToRow(const Entry& e) {
  std::string objects;
  for (const auto& [kind, id] : e.event.objects) objects += (objects.empty() ? "" : " ") + kind + "=" + id;
  return {std::to_string(e.seq), e.time, e.event.actor, e.event.role, e.event.action,
          e.event.project.value_or("-"), std::string(OutcomeName(e.event.outcome)), objects};
}
}  // namespace

void PrintEntriesTable(const std::vector<Entry>& entries, std::ostream& out) {
  std::vector<Row> rows = {{"seq", "time", "actor", "role", "action", "project", "outcome", "objects"}};
  for (const Entry& e : entries) rows.push_back(ToRow(e));
  std::array<size_t, kColumns> width{};
  for (const Row& r : rows) {
    for (size_t c = 0; c < kColumns; ++c) width[c] = std::max(width[c], r[c].size());
  }
  for (size_t i = 0; i < rows.size(); ++i) {
    std::string line;
    for (size_t c = 0; c < kColumns; ++c) {
      line += rows[i][c];
      if (c + 1 < kColumns) line += std::string(width[c] - rows[i][c].size() + 2, ' ');
    }
    out << line << "\n";
    if (i == 0) {
      size_t total = 0;
      for (size_t w : width) total += w + 2;
      out << std::string(total - 2, '-') << "\n";
    }
  }
  out << "(" << entries.size() << " entries)\n";
}

}  // namespace hdhub::audit
