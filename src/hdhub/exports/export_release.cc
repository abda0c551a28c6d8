// ExportStore: the release ledger (release, release_table) and the hub's
// airlock rules (airlock_hub_rules). Requests and their parts are in
// export_store.cc.
#include <algorithm>
#include <cmath>
#include <nlohmann/json.hpp>
#include <utility>

#include "hdhub/airlock/disclosure_rules.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/exports/certificate.h"
#include "hdhub/exports/export_rows.h"
#include "hdhub/exports/export_store.h"

namespace hdhub::exports {
namespace {

using catalog::Statement;
using catalog::Transaction;
using internal::CheckAccount;
using internal::CheckJson;
using internal::CheckName;
using internal::CheckProject;
using internal::CheckSha256;
using internal::Damaged;
using internal::Execute;
using internal::Query;
using internal::SelectAll;
using internal::SelectOne;
using nlohmann::json;

constexpr size_t kMaxTableId = 200;

constexpr std::string_view kReleaseColumns =
    "SELECT project, seq, request, revision, body, certificate_sha256, history_before, history_after, audit_index, "
    "released_at_us, wrapped_dek FROM release";
constexpr std::string_view kRulesColumns =
    "SELECT version, rules_json, proposed_by, confirmed_by, at_us FROM airlock_hub_rules";

StatusOr<ReleaseRecord> ReadRelease(const Statement& s) {
  return ReleaseRecord{.project = s.ColumnText(0),
                       .seq = s.ColumnInt64(1),
                       .request = s.ColumnText(2),
                       .revision = s.ColumnInt64(3),
                       .body = s.ColumnText(4),
                       .certificate_sha256 = s.ColumnText(5),
                       .history_before = s.ColumnText(6),
                       .history_after = s.ColumnText(7),
                       .audit_index = s.ColumnInt64(8),
                       .released_at_us = s.ColumnInt64(9),
                       .wrapped_dek = s.ColumnBlob(10)};
}

StatusOr<HubRulesRecord> ReadRules(const Statement& s) {
  return HubRulesRecord{.version = s.ColumnInt64(0),
                        .rules_json = s.ColumnText(1),
                        .proposed_by = s.ColumnText(2),
                        .confirmed_by = s.ColumnText(3),
                        .at_us = s.ColumnInt64(4)};
}

// release_table's spec_json: {"id", "dimensions": [{"dimension", "codes"}]};
// cells_json: [{"codes": [...], "value": number or null (suppressed)}].
struct TableJson {
  std::string spec;
  std::string cells;
};

StatusOr<TableJson> ToJson(const ReleaseTableRecord& t) {
  RETURN_IF_ERROR(CheckName("release_table.frame", t.frame));
  if (t.measure != kMeasureCount && t.measure != kMeasureUnits && t.measure != kMeasureSum) {
    return InvalidArgumentError("release_table.measure must be count, units or sum");
  }
  if (t.table.id.empty() || t.table.id.size() > kMaxTableId) {
    return InvalidArgumentError("release_table.table_id must be 1-200 characters");
  }
  json dims = json::array();
  for (const airlock::TableDimension& d : t.table.dimensions)
    dims.push_back({{"dimension", d.dimension}, {"codes", d.codes}});
  json cells = json::array();
  for (const airlock::ReleasedCell& c : t.cells) {
    if (c.value && !std::isfinite(*c.value)) {
      return InvalidArgumentError("release_table.cells_json: table " + t.table.id + " has a value that is not finite");
    }
    cells.push_back({{"codes", c.codes}, {"value", c.value ? json(*c.value) : json(nullptr)}});
  }
  try {
    return TableJson{.spec = json{{"id", t.table.id}, {"dimensions", std::move(dims)}}.dump(), .cells = cells.dump()};
  } catch (const json::exception&) {
    return InvalidArgumentError("release_table: table " + t.table.id + " has a name or code that is not UTF-8");
  }
}

bool IsStrings(const json& j) {
  if (!j.is_array()) return false;
  for (const json& s : j) {
    if (!s.is_string()) return false;
  }
  return true;
}

StatusOr<airlock::ReleasedTable> ReadLedgerTable(const Statement& s) {
  const std::string key = s.ColumnText(0) + "/" + std::to_string(s.ColumnInt64(1)) + "/" + s.ColumnText(2);
  airlock::ReleasedTable t{.release_id = std::to_string(s.ColumnInt64(1))};
  const json spec = json::parse(s.ColumnText(3), nullptr, false);
  if (!spec.is_object() || !spec.value("id", json()).is_string() || !spec.value("dimensions", json()).is_array()) {
    return Damaged("release_table", "spec_json", key);
  }
  t.table.id = spec["id"].get<std::string>();
  for (const json& d : spec["dimensions"]) {
    if (!d.is_object() || !d.value("dimension", json()).is_string() || !IsStrings(d.value("codes", json()))) {
      return Damaged("release_table", "spec_json", key);
    }
    t.table.dimensions.push_back({d["dimension"].get<std::string>(), d["codes"].get<std::vector<std::string>>()});
  }
  const json cells = json::parse(s.ColumnText(4), nullptr, false);
  if (!cells.is_array()) return Damaged("release_table", "cells_json", key);
  for (const json& c : cells) {
    const json value = c.is_object() ? c.value("value", json()) : json();
    if (!c.is_object() || !IsStrings(c.value("codes", json())) || !(value.is_null() || value.is_number())) {
      return Damaged("release_table", "cells_json", key);
    }
    airlock::ReleasedCell cell{.codes = c["codes"].get<std::vector<std::string>>()};
    if (value.is_number()) cell.value = value.get<double>();
    t.cells.push_back(std::move(cell));
  }
  return t;
}

Status ValidateRelease(const NewRelease& r) {
  RETURN_IF_ERROR(CheckProject("release.project", r.project));
  if (r.request.empty()) return InvalidArgumentError("release.request must not be empty");
  RETURN_IF_ERROR(CheckJson("release.body", r.body, true));
  RETURN_IF_ERROR(CheckSha256("release.history_before", r.history_before));
  if (r.wrapped_dek.empty()) return InvalidArgumentError("release.wrapped_dek must not be empty");
  return OkStatus();
}

// The canonical text of hub rules (sorted keys, no spaces), once
// DisclosureRules accepts them.
StatusOr<std::string> CanonicalRules(std::string_view text) {
  const json j = json::parse(text, nullptr, false);
  if (j.is_discarded() || !j.is_object()) return InvalidArgumentError("airlock rules must be a JSON object");
  RETURN_IF_ERROR(airlock::DisclosureRules::FromJson(j).status());
  return j.dump();
}

}  // namespace

StatusOr<std::string> ExportStore::LedgerHead(std::string_view project) {
  RETURN_IF_ERROR(CheckProject("release.project", project));
  ASSIGN_OR_RETURN(std::vector<std::string> last, Locked([&] {
                     return SelectAll<std::string>(
                         *db_, "SELECT history_after FROM release WHERE project = ?1 ORDER BY seq DESC LIMIT 1",
                         {project}, [](const Statement& row) -> StatusOr<std::string> { return row.ColumnText(0); });
                   }));
  return last.empty() ? HexEncode(HistoryStart(project)) : last[0];
}

StatusOr<airlock::ReleaseHistory> ExportStore::Ledger(std::string_view project, std::string_view frame,
                                                      std::string_view measure) {
  airlock::ReleaseHistory out;
  ASSIGN_OR_RETURN(out.tables, Locked([&] {
                     return SelectAll<airlock::ReleasedTable>(
                         *db_,
                         "SELECT project, seq, table_id, spec_json, cells_json FROM release_table "
                         "WHERE project = ?1 AND frame = ?2 AND measure = ?3 ORDER BY seq, rowid",
                         {project, frame, measure}, ReadLedgerTable);
                   }));
  return out;
}

Status ExportStore::InsertRelease(const NewRelease& r, const ReleaseRecord& row) {
  RETURN_IF_ERROR(
      Execute(*db_,
              "INSERT INTO release (project, seq, request, revision, body, certificate_sha256, "
              "history_before, history_after, audit_index, released_at_us, wrapped_dek) "
              "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)",
              {row.project, row.seq, row.request, row.revision, row.body, row.certificate_sha256, row.history_before,
               row.history_after, row.audit_index, row.released_at_us, ByteSpan(row.wrapped_dek)})
          .status());
  for (const ReleaseTableRecord& t : r.tables) {
    ASSIGN_OR_RETURN(TableJson j, ToJson(t));
    RETURN_IF_ERROR(Execute(*db_,
                            "INSERT INTO release_table (project, seq, frame, measure, table_id, spec_json, "
                            "cells_json) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)",
                            {row.project, row.seq, t.frame, t.measure, t.table.id, j.spec, j.cells})
                        .status());
  }
  RETURN_IF_ERROR(InsertObjects(r, row));
  ASSIGN_OR_RETURN(int64_t changed,
                   Execute(*db_, "UPDATE export_request SET state = 'released' WHERE id = ?1 AND state = 'approved'",
                           {row.request}));
  if (changed != 1) return FailedPreconditionError("export request " + row.request + " is not approved");
  return OkStatus();
}

StatusOr<ReleaseRecord> ExportStore::AppendRelease(const NewRelease& r, const LogRelease& log) {
  RETURN_IF_ERROR(ValidateRelease(r));
  ASSIGN_OR_RETURN(Bytes before, HexDecode(r.history_before));
  crypto::Digest before_digest;
  std::copy(before.begin(), before.end(), before_digest.begin());
  ReleaseRecord row{.project = r.project,
                    .request = r.request,
                    .revision = r.revision,
                    .body = r.body,
                    .certificate_sha256 = HexEncode(crypto::Sha256(AsBytes(r.body))),
                    .history_before = r.history_before,
                    .history_after = HexEncode(HistoryNext(before_digest, r.body)),
                    .audit_index = r.audit_index,
                    .released_at_us = r.released_at_us,
                    .wrapped_dek = r.wrapped_dek};
  RETURN_IF_ERROR(Write([&]() -> Status {
    ASSIGN_OR_RETURN(std::string head, LedgerHead(r.project));
    if (head != r.history_before) {
      return AbortedError("exports: the ledger of project " + r.project + " moved since the release was protected");
    }
    ASSIGN_OR_RETURN(Statement s, Query(*db_, "SELECT count(*) FROM release WHERE project = ?1", {r.project}));
    ASSIGN_OR_RETURN(bool has_row, s.Step());
    if (!has_row) return InternalError("exports: no row from count()");
    row.seq = s.ColumnInt64(0) + 1;
    if (log) {
      // Every row must be accepted before the event is logged: try them in a
      // savepoint, undo, log, then write them with the log's index.
      RETURN_IF_ERROR(db_->Exec("SAVEPOINT release_probe"));
      Status probe = InsertRelease(r, row);
      Status undo = db_->Exec("ROLLBACK TO release_probe; RELEASE release_probe");
      RETURN_IF_ERROR(probe);
      RETURN_IF_ERROR(undo);
      ASSIGN_OR_RETURN(row.audit_index, log(row));
    }
    return InsertRelease(r, row);
  }));
  return row;
}

StatusOr<ReleaseRecord> ExportStore::GetRelease(std::string_view project, int64_t seq) {
  return Locked([&] {
    return SelectOne<ReleaseRecord>(*db_, std::string(kReleaseColumns) + " WHERE project = ?1 AND seq = ?2",
                                    {project, seq}, ReadRelease, "release " + std::to_string(seq));
  });
}

StatusOr<std::vector<ReleaseRecord>> ExportStore::ListReleases(std::string_view project) {
  return Locked([&] {
    return SelectAll<ReleaseRecord>(*db_, std::string(kReleaseColumns) + " WHERE project = ?1 ORDER BY seq", {project},
                                    ReadRelease);
  });
}

StatusOr<HubRulesRecord> ExportStore::ProposeRules(std::string_view rules_json, std::string_view by, int64_t at_us) {
  ASSIGN_OR_RETURN(std::string canonical, CanonicalRules(rules_json));
  RETURN_IF_ERROR(CheckAccount("airlock_hub_rules.proposed_by", by));
  HubRulesRecord out{.rules_json = canonical, .proposed_by = std::string(by), .at_us = at_us};
  RETURN_IF_ERROR(Write([&]() -> Status {
    ASSIGN_OR_RETURN(Statement s, Query(*db_, "SELECT coalesce(max(version), 0) FROM airlock_hub_rules", {}));
    ASSIGN_OR_RETURN(bool has_row, s.Step());
    if (!has_row) return InternalError("exports: no row from max()");
    out.version = s.ColumnInt64(0) + 1;
    return Execute(*db_,
                   "INSERT INTO airlock_hub_rules (version, rules_json, proposed_by, confirmed_by, at_us) "
                   "VALUES (?1, ?2, ?3, NULL, ?4)",
                   {out.version, out.rules_json, out.proposed_by, at_us})
        .status();
  }));
  return out;
}

StatusOr<HubRulesRecord> ExportStore::ConfirmRules(std::string_view rules_json, std::string_view by, int64_t at_us) {
  ASSIGN_OR_RETURN(std::string canonical, CanonicalRules(rules_json));
  RETURN_IF_ERROR(CheckAccount("airlock_hub_rules.confirmed_by", by));
  HubRulesRecord out;
  RETURN_IF_ERROR(Write([&]() -> Status {
    ASSIGN_OR_RETURN(std::optional<HubRulesRecord> pending, PendingRules());
    if (!pending) return FailedPreconditionError("no airlock rules proposal waits for confirmation");
    if (pending->rules_json != canonical) {
      return FailedPreconditionError("the rules differ from proposal " + std::to_string(pending->version));
    }
    if (pending->proposed_by == by) {
      return PermissionDeniedError("a second, different operator confirms proposal " +
                                   std::to_string(pending->version));
    }
    out = *pending;
    out.confirmed_by = std::string(by);
    out.at_us = at_us;
    return Execute(*db_,
                   "INSERT INTO airlock_hub_rules (version, rules_json, proposed_by, confirmed_by, at_us) "
                   "VALUES (?1, ?2, ?3, ?4, ?5)",
                   {out.version, out.rules_json, out.proposed_by, out.confirmed_by, at_us})
        .status();
  }));
  return out;
}

StatusOr<std::optional<HubRulesRecord>> ExportStore::CurrentRules() {
  return OneRules(" WHERE confirmed_by IS NOT NULL ORDER BY version DESC LIMIT 1");
}

StatusOr<std::optional<HubRulesRecord>> ExportStore::PendingRules() {
  return OneRules(
      " AS p WHERE confirmed_by IS NULL AND version = (SELECT max(version) FROM airlock_hub_rules)"
      " AND NOT EXISTS (SELECT 1 FROM airlock_hub_rules AS c WHERE c.version = p.version"
      " AND c.confirmed_by IS NOT NULL)");
}

StatusOr<std::optional<HubRulesRecord>> ExportStore::OneRules(std::string_view where) {
  ASSIGN_OR_RETURN(std::vector<HubRulesRecord> rows, Locked([&] {
                     return SelectAll<HubRulesRecord>(*db_, std::string(kRulesColumns) + std::string(where), {},
                                                      ReadRules);
                   }));
  if (rows.empty()) return std::optional<HubRulesRecord>();
  return std::optional<HubRulesRecord>(rows.front());
}

}  // namespace hdhub::exports
