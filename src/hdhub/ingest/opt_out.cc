#include "hdhub/ingest/opt_out.h"

#include <algorithm>

#include "hdhub/ingest/csv_ingest.h"
#include "hdhub/sql/database.h"

namespace hdhub::ingest {
namespace {

std::string_view DatasetOf(const OptOutList& list) {
  return list.withdrawal ? kOptOutWithdrawalDataset : kOptOutDataset;
}

Status AddLists(catalog::Catalog& catalog, bool withdrawal, std::vector<OptOutList>* out) {
  StatusOr<std::vector<catalog::VersionRecord>> versions =
      catalog.ListVersions(withdrawal ? kOptOutWithdrawalDataset : kOptOutDataset);
  if (IsNotFound(versions.status())) return OkStatus();
  if (!versions.ok()) return versions.status();
  for (const catalog::VersionRecord& v : *versions) {
    if (v.state != catalog::VersionState::kCommitted) continue;
    ASSIGN_OR_RETURN(catalog::VersionWithObjects with_objects, catalog.GetVersion(v.dataset, v.version));
    out->push_back({withdrawal, std::move(with_objects)});
  }
  return OkStatus();
}

}  // namespace

StatusOr<OptOutRegister> OptOutRegister::Read(catalog::Catalog& catalog) {
  OptOutRegister r;
  RETURN_IF_ERROR(AddLists(catalog, false, &r.lists_));
  RETURN_IF_ERROR(AddLists(catalog, true, &r.lists_));
  // Commit order; at the same instant a withdrawal list comes first, so that
  // it never outranks an opt-out it cannot be shown to follow.
  auto key = [](const OptOutList& l) {
    return std::make_tuple(*l.version.version.committed_at, l.withdrawal ? 0 : 1, l.version.version.version);
  };
  std::stable_sort(r.lists_.begin(), r.lists_.end(),
                   [&key](const OptOutList& a, const OptOutList& b) { return key(a) < key(b); });
  return r;
}

nlohmann::json OptOutRegister::Provenance() const {
  nlohmann::json out = {{std::string(kOptOutDataset), nlohmann::json::array()},
                        {std::string(kOptOutWithdrawalDataset), nlohmann::json::array()}};
  for (const OptOutList& l : lists_) out[std::string(DatasetOf(l))].push_back(l.version.version.version);
  return out;
}

bool OptOutRegister::Names(const nlohmann::json& provenance, const OptOutList& list) {
  auto versions = provenance.find(std::string(DatasetOf(list)));
  if (versions == provenance.end() || !versions->is_array()) return false;
  return std::find(versions->begin(), versions->end(), list.version.version.version) != versions->end();
}

Status OptOutRegister::Mount(sql::Database& db, keys::KeyStore& keys, std::string_view prefix) const {
  for (size_t i = 0; i < lists_.size(); ++i) {
    RETURN_IF_ERROR(
        MountVersion(db, keys, DatasetOf(lists_[i]), lists_[i].version, std::string(prefix) + std::to_string(i)));
  }
  return OkStatus();
}

std::string OptOutRegister::ExcludedSelect(std::string_view prefix,
                                           const std::function<bool(const OptOutList&)>& include) const {
  // Every (person, position, kind) of the included lists; a person is out
  // when the list at their highest position is an opt-out list.
  std::string events;
  for (size_t i = 0; i < lists_.size(); ++i) {
    if (lists_[i].version.objects.empty() || (include && !include(lists_[i]))) continue;
    events += (events.empty() ? "" : " UNION ALL ") + std::string("SELECT BEN_NIR_PSA AS p, ") + std::to_string(i) +
              " AS seq, " + (lists_[i].withdrawal ? "false" : "true") + " AS out FROM " + std::string(prefix) +
              std::to_string(i);
  }
  if (events.empty()) return "SELECT NULL::UUID AS p WHERE false";
  return "SELECT p FROM (" + events + ") WHERE p IS NOT NULL GROUP BY p HAVING arg_max(out, seq)";
}

}  // namespace hdhub::ingest
