#include "hdhub/hosts/host_registry.h"

#include <array>

namespace hdhub::hosts {
namespace {

using catalog::Statement;
using catalog::Transaction;

// Times are microseconds since the Unix epoch (UTC); days are "YYYY-MM-DD".
constexpr std::string_view kTables = R"sql(
CREATE TABLE host (
  name TEXT PRIMARY KEY
    CHECK (length(name) BETWEEN 1 AND 32 AND name GLOB '[a-z]*' AND name NOT GLOB '*[^a-z0-9-]*'),
  uri TEXT NOT NULL UNIQUE CHECK (length(uri) BETWEEN 1 AND 2048),
  jurisdiction TEXT NOT NULL CHECK (jurisdiction = '' OR jurisdiction GLOB '[A-Z][A-Z]'),
  operator_name TEXT NOT NULL CHECK (length(operator_name) <= 128),
  owner_jurisdiction TEXT NOT NULL CHECK (owner_jurisdiction = '' OR owner_jurisdiction GLOB '[A-Z][A-Z]'),
  local INTEGER NOT NULL CHECK (local IN (0, 1)),
  added_by TEXT NOT NULL,
  added_at_us INTEGER NOT NULL,
  changed_by TEXT NOT NULL,
  changed_at_us INTEGER NOT NULL,
  CHECK (local = 1 OR (jurisdiction <> '' AND owner_jurisdiction <> '' AND operator_name <> '')),
  CHECK (local = 0 OR uri GLOB 'file:*' OR uri GLOB 'memory:*')
) STRICT;

CREATE TABLE host_qualification (
  host TEXT NOT NULL REFERENCES host (name),
  position INTEGER NOT NULL CHECK (position >= 0),
  scheme TEXT NOT NULL CHECK (length(scheme) BETWEEN 1 AND 32),
  reference TEXT NOT NULL CHECK (length(reference) BETWEEN 1 AND 128),
  valid_from TEXT NOT NULL CHECK (valid_from GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  valid_until TEXT NOT NULL CHECK (valid_until GLOB '[0-9][0-9][0-9][0-9]-[0-9][0-9]-[0-9][0-9]'),
  evidence TEXT NOT NULL CHECK (length(evidence) BETWEEN 1 AND 512),
  PRIMARY KEY (host, position),
  CHECK (valid_until >= valid_from)
) STRICT;

-- One row: the policy in force (NULL: the default) and one proposal waiting
-- for a second operator.
CREATE TABLE host_policy (
  id INTEGER PRIMARY KEY CHECK (id = 1),
  policy_json TEXT CHECK (policy_json IS NULL OR json_valid(policy_json)),
  changed_by TEXT NOT NULL DEFAULT '',
  changed_at_us INTEGER,
  pending_json TEXT CHECK (pending_json IS NULL OR json_valid(pending_json)),
  pending_by TEXT NOT NULL DEFAULT '',
  pending_at_us INTEGER
) STRICT;
INSERT INTO host_policy (id) VALUES (1);

-- A host is never removed: past placements and their evidence name it.
CREATE TRIGGER host_no_delete BEFORE DELETE ON host
BEGIN SELECT RAISE(ABORT, 'hosts: a host is never deleted'); END;
)sql";

constexpr std::array<catalog::Migration, 1> kMigrations = {{
    {"hosts, their qualifications and the sovereignty policy", kTables},
}};

// ?1-?8: name, uri, jurisdiction, operator_name, owner_jurisdiction, by, local, at.
constexpr std::string_view kInsertHost =
    "INSERT INTO host (name, uri, jurisdiction, operator_name, owner_jurisdiction, added_by, changed_by, local, "
    "added_at_us, changed_at_us) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?6, ?7, ?8, ?8)";
constexpr std::string_view kUpdateHost =
    "UPDATE host SET uri = ?2, jurisdiction = ?3, operator_name = ?4, owner_jurisdiction = ?5, changed_by = ?6, "
    "local = ?7, changed_at_us = ?8 WHERE name = ?1";

constexpr std::string_view kSelectHost =
    "SELECT name, uri, jurisdiction, operator_name, owner_jurisdiction, local, added_by, added_at_us, changed_by, "
    "changed_at_us FROM host";

Status BindAll(Statement& s, std::initializer_list<std::string_view> texts) {
  int index = 0;
  for (std::string_view text : texts) RETURN_IF_ERROR(s.BindText(++index, text));
  return OkStatus();
}

StatusOr<SovereigntyPolicy> ParsePolicy(const std::string& text) {
  nlohmann::json j = nlohmann::json::parse(text, nullptr, /*allow_exceptions=*/false);
  StatusOr<SovereigntyPolicy> policy = SovereigntyPolicy::FromJson(j);
  if (!policy.ok())
    return DataLossError("hosts: the stored sovereignty policy is unreadable: " +
                         std::string(policy.status().message()));
  return policy;
}

}  // namespace

StatusOr<std::unique_ptr<HostRegistry>> HostRegistry::Open(const std::string& db_path,
                                                           std::shared_ptr<const catalog::SqliteCipher> cipher) {
  ASSIGN_OR_RETURN(std::unique_ptr<catalog::Database> db,
                   catalog::Database::Open(db_path, catalog::Database::kDefaultBusyTimeoutMs, std::move(cipher)));
  RETURN_IF_ERROR(catalog::ApplyMigrations(db.get(), kHostsComponent, kMigrations));
  return std::unique_ptr<HostRegistry>(new HostRegistry(std::move(db)));
}

Status HostRegistry::WriteQualifications(const HostSpec& spec) {
  ASSIGN_OR_RETURN(Statement clear, db_->Prepare("DELETE FROM host_qualification WHERE host = ?1"));
  RETURN_IF_ERROR(clear.BindText(1, spec.name));
  RETURN_IF_ERROR(clear.Run());
  for (size_t i = 0; i < spec.qualifications.size(); ++i) {
    const Qualification& q = spec.qualifications[i];
    ASSIGN_OR_RETURN(Statement insert,
                     db_->Prepare("INSERT INTO host_qualification (host, scheme, reference, valid_from, valid_until, "
                                  "evidence, position) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
    RETURN_IF_ERROR(BindAll(
        insert, {spec.name, q.scheme, q.reference, FormatDay(q.valid_from), FormatDay(q.valid_until), q.evidence}));
    RETURN_IF_ERROR(insert.BindInt64(7, static_cast<int64_t>(i)));
    RETURN_IF_ERROR(insert.Run());
  }
  return OkStatus();
}

Status HostRegistry::WriteHost(std::string_view sql, const HostSpec& spec, const std::string& by, TimePoint at) {
  ASSIGN_OR_RETURN(Statement write, db_->Prepare(sql));
  RETURN_IF_ERROR(
      BindAll(write, {spec.name, spec.uri, spec.jurisdiction, spec.operator_name, spec.owner_jurisdiction, by}));
  RETURN_IF_ERROR(write.BindInt64(7, spec.local ? 1 : 0));
  RETURN_IF_ERROR(write.BindInt64(8, ToMicros(at)));
  RETURN_IF_ERROR(write.Run());
  if (db_->Changes() == 0) return NotFoundError("no host named " + spec.name + " (hdhub host list)");
  return WriteQualifications(spec);
}

Status HostRegistry::Add(const HostSpec& spec, const std::string& by, TimePoint at) {
  RETURN_IF_ERROR(ValidateHostSpec(spec));
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
  ASSIGN_OR_RETURN(Statement taken, db_->Prepare("SELECT name FROM host WHERE name = ?1 OR uri = ?2"));
  RETURN_IF_ERROR(BindAll(taken, {spec.name, spec.uri}));
  ASSIGN_OR_RETURN(bool exists, taken.Step());
  if (exists) {
    return AlreadyExistsError("a host named " + spec.name + ", or with that URI, is already registered (host " +
                              taken.ColumnText(0) + ")");
  }
  RETURN_IF_ERROR(WriteHost(kInsertHost, spec, by, at));
  return tx.Commit();
}

Status HostRegistry::Replace(const HostSpec& spec, const std::string& by, TimePoint at) {
  RETURN_IF_ERROR(ValidateHostSpec(spec));
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction tx, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
  RETURN_IF_ERROR(WriteHost(kUpdateHost, spec, by, at));
  return tx.Commit();
}

StatusOr<HostRecord> HostRegistry::Read(Statement& row) {
  HostRecord r;
  r.spec.name = row.ColumnText(0);
  r.spec.uri = row.ColumnText(1);
  r.spec.jurisdiction = row.ColumnText(2);
  r.spec.operator_name = row.ColumnText(3);
  r.spec.owner_jurisdiction = row.ColumnText(4);
  r.spec.local = row.ColumnInt64(5) != 0;
  r.added_by = row.ColumnText(6);
  r.added_at = FromMicros(row.ColumnInt64(7));
  r.changed_by = row.ColumnText(8);
  r.changed_at = FromMicros(row.ColumnInt64(9));
  ASSIGN_OR_RETURN(Statement q, db_->Prepare("SELECT scheme, reference, valid_from, valid_until, evidence FROM "
                                             "host_qualification WHERE host = ?1 ORDER BY position"));
  RETURN_IF_ERROR(q.BindText(1, r.spec.name));
  while (true) {
    ASSIGN_OR_RETURN(bool more, q.Step());
    if (!more) break;
    Qualification qual{.scheme = q.ColumnText(0), .reference = q.ColumnText(1), .evidence = q.ColumnText(4)};
    ASSIGN_OR_RETURN(qual.valid_from, ParseDay(q.ColumnText(2), "valid_from"));
    ASSIGN_OR_RETURN(qual.valid_until, ParseDay(q.ColumnText(3), "valid_until"));
    r.spec.qualifications.push_back(std::move(qual));
  }
  return r;
}

StatusOr<HostRecord> HostRegistry::Get(const std::string& name) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement row, db_->Prepare(std::string(kSelectHost) + " WHERE name = ?1"));
  RETURN_IF_ERROR(row.BindText(1, name));
  ASSIGN_OR_RETURN(bool found, row.Step());
  if (!found) return NotFoundError("no host named " + name + " (hdhub host list)");
  return Read(row);
}

StatusOr<std::optional<HostRecord>> HostRegistry::FindByUri(const std::string& uri) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement row, db_->Prepare(std::string(kSelectHost) + " WHERE uri = ?1"));
  RETURN_IF_ERROR(row.BindText(1, uri));
  ASSIGN_OR_RETURN(bool found, row.Step());
  if (!found) return std::optional<HostRecord>();
  ASSIGN_OR_RETURN(HostRecord record, Read(row));
  return std::optional<HostRecord>(std::move(record));
}

StatusOr<std::vector<HostRecord>> HostRegistry::List() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement row, db_->Prepare(std::string(kSelectHost) + " ORDER BY name"));
  std::vector<HostRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool more, row.Step());
    if (!more) return out;
    ASSIGN_OR_RETURN(HostRecord record, Read(row));
    out.push_back(std::move(record));
  }
}

StatusOr<PolicyRecord> HostRegistry::Policy() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement row, db_->Prepare("SELECT policy_json, changed_by, changed_at_us, pending_json, "
                                               "pending_by, pending_at_us FROM host_policy WHERE id = 1"));
  ASSIGN_OR_RETURN(bool found, row.Step());
  PolicyRecord out;
  if (!found) return out;
  if (!row.ColumnIsNull(0)) {
    ASSIGN_OR_RETURN(out.policy, ParsePolicy(row.ColumnText(0)));
    out.changed_by = row.ColumnText(1);
    out.changed_at = FromMicros(row.ColumnInt64(2));
  }
  if (!row.ColumnIsNull(3)) {
    PendingPolicy pending{.proposed_by = row.ColumnText(4), .proposed_at = FromMicros(row.ColumnInt64(5))};
    ASSIGN_OR_RETURN(pending.policy, ParsePolicy(row.ColumnText(3)));
    out.pending = std::move(pending);
  }
  return out;
}

Status HostRegistry::ProposePolicy(const SovereigntyPolicy& policy, const std::string& by, TimePoint at) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("UPDATE host_policy SET pending_json = ?1, pending_by = ?2, "
                                             "pending_at_us = ?3 WHERE id = 1"));
  RETURN_IF_ERROR(BindAll(s, {policy.ToJson().dump(), by}));
  RETURN_IF_ERROR(s.BindInt64(3, ToMicros(at)));
  return s.Run();
}

Status HostRegistry::ApplyPolicy(const SovereigntyPolicy& policy, const std::string& by, TimePoint at) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement s, db_->Prepare("UPDATE host_policy SET policy_json = ?1, changed_by = ?2, "
                                             "changed_at_us = ?3, pending_json = NULL, pending_by = '', "
                                             "pending_at_us = NULL WHERE id = 1"));
  RETURN_IF_ERROR(BindAll(s, {policy.ToJson().dump(), by}));
  RETURN_IF_ERROR(s.BindInt64(3, ToMicros(at)));
  return s.Run();
}

}  // namespace hdhub::hosts
