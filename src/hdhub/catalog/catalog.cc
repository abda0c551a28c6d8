#include "hdhub/catalog/catalog.h"

#include <limits>
#include <nlohmann/json.hpp>
#include <utility>

#include "hdhub/catalog/catalog_schema.h"

namespace hdhub::catalog {
namespace {

constexpr size_t kMaxDatasetNameSize = 64;
constexpr size_t kSha256HexSize = 64;
constexpr uint64_t kMaxSqliteInteger = static_cast<uint64_t>(std::numeric_limits<int64_t>::max());

// Every version query reads its withdrawal record, when there is one, too.
constexpr std::string_view kSelectVersions =
    "SELECT dataset, version, state, schema_json, row_count, wrapped_dek, source_digest, "
    "created_at_us, committed_at_us, report_json, withdrawn_at_us, withdrawn_by, withdrawal_reason "
    "FROM dataset_version LEFT JOIN version_withdrawal USING (dataset, version)";

bool IsLowerHexDigest(std::string_view hex) {
  if (hex.size() != kSha256HexSize) return false;
  for (char c : hex) {
    if (!((c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'))) return false;
  }
  return true;
}

std::string VersionId(std::string_view dataset, int64_t version) {
  return "dataset " + std::string(dataset) + " version " + std::to_string(version);
}

StatusOr<VersionState> ParseState(std::string_view text) {
  for (VersionState s :
       {VersionState::kPending, VersionState::kCommitted, VersionState::kDiscarded, VersionState::kShredded}) {
    if (VersionStateName(s) == text) return s;
  }
  return DataLossError("catalog: unknown version state '" + std::string(text) + "'");
}

// Reads one row selected with kSelectVersions.
StatusOr<VersionRecord> ReadVersionRow(const Statement& row) {
  VersionRecord r;
  r.dataset = row.ColumnText(0);
  r.version = row.ColumnInt64(1);
  ASSIGN_OR_RETURN(r.state, ParseState(row.ColumnText(2)));
  r.schema_json = row.ColumnText(3);
  if (!row.ColumnIsNull(4)) r.row_count = static_cast<uint64_t>(row.ColumnInt64(4));
  r.wrapped_dek = row.ColumnBlob(5);
  r.source_digest = row.ColumnText(6);
  r.created_at = FromMicros(row.ColumnInt64(7));
  if (!row.ColumnIsNull(8)) r.committed_at = FromMicros(row.ColumnInt64(8));
  r.report_json = row.ColumnText(9);
  if (!row.ColumnIsNull(10))
    r.withdrawal = Withdrawal{FromMicros(row.ColumnInt64(10)), row.ColumnText(11), row.ColumnText(12)};
  return r;
}

StatusOr<std::vector<VersionRecord>> ReadVersionRows(Statement& select) {
  std::vector<VersionRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, select.Step());
    if (!has_row) return out;
    ASSIGN_OR_RETURN(VersionRecord record, ReadVersionRow(select));
    out.push_back(std::move(record));
  }
}

Status ValidateObject(const ObjectRecord& object) {
  if (object.logical_name.empty() || object.object_name.empty()) {
    return InvalidArgumentError("object record: logical and object names must not be empty");
  }
  if (!IsLowerHexDigest(object.ciphertext_sha256)) {
    return InvalidArgumentError("object " + object.logical_name +
                                ": ciphertext_sha256 must be 64 lower-case hex digits");
  }
  if (object.plaintext_size > kMaxSqliteInteger || object.ciphertext_size > kMaxSqliteInteger) {
    return InvalidArgumentError("object " + object.logical_name + ": size above 2^63-1");
  }
  return OkStatus();
}

}  // namespace

std::string_view VersionStateName(VersionState state) {
  switch (state) {
    case VersionState::kPending:
      return "pending";
    case VersionState::kCommitted:
      return "committed";
    case VersionState::kDiscarded:
      return "discarded";
    case VersionState::kShredded:
      return "shredded";
  }
  return "unknown";
}

bool Catalog::IsValidDatasetName(std::string_view name) {
  if (name.empty() || name.size() > kMaxDatasetNameSize) return false;
  for (char c : name) {
    bool ok = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '_';
    if (!ok) return false;
  }
  return true;
}

StatusOr<std::unique_ptr<Catalog>> Catalog::Open(const std::string& path, Clock* clock,
                                                 std::shared_ptr<const SqliteCipher> cipher) {
  ASSIGN_OR_RETURN(std::unique_ptr<Database> db,
                   Database::Open(path, Database::kDefaultBusyTimeoutMs, std::move(cipher)));
  RETURN_IF_ERROR(ApplyMigrations(db.get(), kCatalogComponent, CatalogMigrations()));
  return std::make_unique<Catalog>(std::move(db), clock);
}

Status Catalog::CheckDatasetExists(std::string_view dataset, Listing listing) {
  ASSIGN_OR_RETURN(Statement select, db_->Prepare("SELECT removed_at_us IS NOT NULL FROM dataset WHERE name = ?1"));
  RETURN_IF_ERROR(select.BindText(1, dataset));
  ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return NotFoundError("catalog: no dataset " + std::string(dataset));
  if (listing == Listing::kListed && select.ColumnInt64(0) != 0) {
    return NotFoundError("catalog: dataset " + std::string(dataset) + " was removed");
  }
  return OkStatus();
}

Status Catalog::CreateDataset(std::string_view name) {
  if (!IsValidDatasetName(name)) {
    return InvalidArgumentError("dataset name must be 1 to 64 characters of [A-Za-z0-9_]");
  }
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
  // A removed name is taken again: the row (and its removed versions) stays,
  // listed anew; the tombstone in dataset_removal keeps the removal.
  ASSIGN_OR_RETURN(Statement revive, db_->Prepare("UPDATE dataset SET removed_at_us = NULL, created_at_us = ?2 "
                                                  "WHERE name = ?1 AND removed_at_us IS NOT NULL"));
  RETURN_IF_ERROR(revive.BindText(1, name));
  RETURN_IF_ERROR(revive.BindInt64(2, ToMicros(clock_->Now())));
  RETURN_IF_ERROR(revive.Run());
  if (db_->Changes() == 1) return txn.Commit();
  ASSIGN_OR_RETURN(Statement insert, db_->Prepare("INSERT INTO dataset (name, created_at_us) VALUES (?1, ?2)"));
  RETURN_IF_ERROR(insert.BindText(1, name));
  RETURN_IF_ERROR(insert.BindInt64(2, ToMicros(clock_->Now())));
  Status status = insert.Run();
  if (IsAlreadyExists(status)) {
    return AlreadyExistsError("catalog: dataset " + std::string(name) + " already exists");
  }
  RETURN_IF_ERROR(status);
  return txn.Commit();
}

StatusOr<std::vector<DatasetRecord>> Catalog::ListDatasets(Listing listing) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(
      Statement select,
      db_->Prepare(std::string("SELECT name, created_at_us, removed_at_us FROM dataset") +
                   (listing == Listing::kListed ? " WHERE removed_at_us IS NULL" : "") + " ORDER BY name"));
  std::vector<DatasetRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, select.Step());
    if (!has_row) return out;
    DatasetRecord record{select.ColumnText(0), FromMicros(select.ColumnInt64(1))};
    if (!select.ColumnIsNull(2)) record.removed_at = FromMicros(select.ColumnInt64(2));
    out.push_back(std::move(record));
  }
}

StatusOr<int64_t> Catalog::BeginVersion(std::string_view dataset, std::string_view schema_json,
                                        std::string_view source_digest, ByteSpan wrapped_dek) {
  Bytes wrapped(wrapped_dek.begin(), wrapped_dek.end());
  return BeginVersion(dataset, schema_json, source_digest, [&wrapped](int64_t) -> StatusOr<Bytes> { return wrapped; });
}

StatusOr<int64_t> Catalog::BeginVersion(std::string_view dataset, std::string_view schema_json,
                                        std::string_view source_digest, const WrapForVersion& wrap) {
  if (!nlohmann::json::parse(schema_json, nullptr, /*allow_exceptions=*/false).is_object()) {
    return InvalidArgumentError("dataset " + std::string(dataset) + ": schema_json is not a JSON object");
  }
  if (!IsLowerHexDigest(source_digest)) {
    return InvalidArgumentError("source_digest must be 64 lower-case hex digits");
  }
  std::lock_guard lock(mu_);
  // The write lock is taken before reading max(version), so two writers (even
  // in two processes) cannot pick the same number.
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
  RETURN_IF_ERROR(CheckDatasetExists(dataset, Listing::kListed));
  ASSIGN_OR_RETURN(Statement next, db_->Prepare("SELECT coalesce(max(version), 0) + 1 FROM dataset_version "
                                                "WHERE dataset = ?1"));
  RETURN_IF_ERROR(next.BindText(1, dataset));
  ASSIGN_OR_RETURN(bool has_next, next.Step());
  if (!has_next) return InternalError("catalog: no next version number");
  const int64_t version = next.ColumnInt64(0);
  ASSIGN_OR_RETURN(Bytes wrapped_dek, wrap(version));
  if (wrapped_dek.empty()) return InvalidArgumentError("wrapped_dek must not be empty");
  ASSIGN_OR_RETURN(Statement insert, db_->Prepare("INSERT INTO dataset_version (dataset, version, state, "
                                                  "schema_json, wrapped_dek, source_digest, created_at_us) "
                                                  "VALUES (?1, ?2, 'pending', ?3, ?4, ?5, ?6)"));
  RETURN_IF_ERROR(insert.BindText(1, dataset));
  RETURN_IF_ERROR(insert.BindInt64(2, version));
  RETURN_IF_ERROR(insert.BindText(3, schema_json));
  RETURN_IF_ERROR(insert.BindBlob(4, wrapped_dek));
  RETURN_IF_ERROR(insert.BindText(5, source_digest));
  RETURN_IF_ERROR(insert.BindInt64(6, ToMicros(clock_->Now())));
  RETURN_IF_ERROR(insert.Run());
  RETURN_IF_ERROR(txn.Commit());
  return version;
}

StatusOr<VersionState> Catalog::StateOf(std::string_view dataset, int64_t version) {
  ASSIGN_OR_RETURN(Statement select, db_->Prepare("SELECT state FROM dataset_version "
                                                  "WHERE dataset = ?1 AND version = ?2"));
  RETURN_IF_ERROR(select.BindText(1, dataset));
  RETURN_IF_ERROR(select.BindInt64(2, version));
  ASSIGN_OR_RETURN(bool found, select.Step());
  if (!found) return NotFoundError("catalog: no " + VersionId(dataset, version));
  return ParseState(select.ColumnText(0));
}

Status Catalog::AddObject(std::string_view dataset, int64_t version, const ObjectRecord& object) {
  RETURN_IF_ERROR(ValidateObject(object));
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
  ASSIGN_OR_RETURN(VersionState state, StateOf(dataset, version));
  if (state != VersionState::kPending) {
    return FailedPreconditionError("catalog: " + VersionId(dataset, version) + " is " +
                                   std::string(VersionStateName(state)) + "; objects are added only while pending");
  }
  ASSIGN_OR_RETURN(Statement insert, db_->Prepare("INSERT INTO version_object (dataset, version, logical_name, "
                                                  "object_name, plaintext_size, ciphertext_size, ciphertext_sha256) "
                                                  "VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7)"));
  RETURN_IF_ERROR(insert.BindText(1, dataset));
  RETURN_IF_ERROR(insert.BindInt64(2, version));
  RETURN_IF_ERROR(insert.BindText(3, object.logical_name));
  RETURN_IF_ERROR(insert.BindText(4, object.object_name));
  RETURN_IF_ERROR(insert.BindInt64(5, static_cast<int64_t>(object.plaintext_size)));
  RETURN_IF_ERROR(insert.BindInt64(6, static_cast<int64_t>(object.ciphertext_size)));
  RETURN_IF_ERROR(insert.BindText(7, object.ciphertext_sha256));
  Status status = insert.Run();
  if (IsAlreadyExists(status)) {
    return AlreadyExistsError("catalog: " + VersionId(dataset, version) + " already has object " + object.logical_name);
  }
  RETURN_IF_ERROR(status);
  return txn.Commit();
}

Status Catalog::Transition(std::string_view dataset, int64_t version, VersionState to,
                           std::optional<uint64_t> row_count, std::string_view report_json,
                           std::optional<std::string_view> source_digest) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
  ASSIGN_OR_RETURN(VersionState state, StateOf(dataset, version));
  if (state != VersionState::kPending) {
    return FailedPreconditionError("catalog: " + VersionId(dataset, version) + " is " +
                                   std::string(VersionStateName(state)) + ", not pending; cannot " +
                                   (to == VersionState::kCommitted ? "commit" : "discard") + " it");
  }
  ASSIGN_OR_RETURN(Statement update,
                   db_->Prepare("UPDATE dataset_version SET state = ?3, row_count = ?4, committed_at_us = ?5, "
                                "report_json = ?6, source_digest = coalesce(?7, source_digest) "
                                "WHERE dataset = ?1 AND version = ?2"));
  RETURN_IF_ERROR(update.BindText(1, dataset));
  RETURN_IF_ERROR(update.BindInt64(2, version));
  RETURN_IF_ERROR(update.BindText(3, VersionStateName(to)));
  if (row_count.has_value()) {
    RETURN_IF_ERROR(update.BindInt64(4, static_cast<int64_t>(*row_count)));
    RETURN_IF_ERROR(update.BindInt64(5, ToMicros(clock_->Now())));
  }  // unbound parameters are NULL: a discarded version has neither
  RETURN_IF_ERROR(update.BindText(6, report_json));
  if (source_digest) RETURN_IF_ERROR(update.BindText(7, *source_digest));
  RETURN_IF_ERROR(update.Run());
  return txn.Commit();
}

Status Catalog::CommitVersion(std::string_view dataset, int64_t version, uint64_t row_count,
                              std::string_view report_json, std::optional<std::string_view> source_digest) {
  if (row_count > kMaxSqliteInteger) return InvalidArgumentError("row_count above 2^63-1");
  if (source_digest && !IsLowerHexDigest(*source_digest)) {
    return InvalidArgumentError("source_digest must be 64 lower-case hex digits");
  }
  nlohmann::json report = nlohmann::json::parse(report_json, nullptr, false);
  if (report.is_discarded() || !report.is_object()) return InvalidArgumentError("report_json is not a JSON object");
  return Transition(dataset, version, VersionState::kCommitted, row_count, report_json, source_digest);
}

Status Catalog::DiscardVersion(std::string_view dataset, int64_t version) {
  return Transition(dataset, version, VersionState::kDiscarded, std::nullopt, "{}");
}

Status Catalog::ShredInTransaction(std::string_view dataset, int64_t version) {
  ASSIGN_OR_RETURN(Statement update, db_->Prepare("UPDATE dataset_version SET wrapped_dek = x'', "
                                                  "state = 'shredded' WHERE dataset = ?1 AND version = ?2"));
  RETURN_IF_ERROR(update.BindText(1, dataset));
  RETURN_IF_ERROR(update.BindInt64(2, version));
  return update.Run();
}

void Catalog::ForgetOldPages() {
  // The old page image still holding the wrapped key sits in the WAL until a
  // checkpoint; best effort now (a busy reader delays it to a later one).
  db_->CheckpointAndTruncateWal().IgnoreError();
}

Status Catalog::DestroyWrappedKey(std::string_view dataset, int64_t version) {
  std::lock_guard lock(mu_);
  {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
    ASSIGN_OR_RETURN(VersionState state, StateOf(dataset, version));
    if (state == VersionState::kShredded) return OkStatus();
    RETURN_IF_ERROR(ShredInTransaction(dataset, version));
    RETURN_IF_ERROR(txn.Commit());
  }
  ForgetOldPages();
  return OkStatus();
}

StatusOr<size_t> Catalog::RewrapDataKeys(const RewrapFn& rewrap) {
  std::lock_guard lock(mu_);
  size_t count = 0;
  {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
    struct Key {
      std::string dataset;
      int64_t version;
      Bytes wrapped;
    };
    std::vector<Key> keys;
    ASSIGN_OR_RETURN(Statement select, db_->Prepare("SELECT dataset, version, wrapped_dek FROM dataset_version "
                                                    "WHERE length(wrapped_dek) > 0 ORDER BY dataset, version"));
    while (true) {
      ASSIGN_OR_RETURN(bool has_row, select.Step());
      if (!has_row) break;
      keys.push_back({select.ColumnText(0), select.ColumnInt64(1), select.ColumnBlob(2)});
    }
    // The trigger that forbids replacing a wrapped key stands everywhere
    // but in this transaction.
    RETURN_IF_ERROR(WithTriggersSuspended(db_.get(), {"dataset_version_key"}, [&]() -> Status {
      ASSIGN_OR_RETURN(Statement update, db_->Prepare("UPDATE dataset_version SET wrapped_dek = ?3 "
                                                      "WHERE dataset = ?1 AND version = ?2"));
      for (const Key& k : keys) {
        ASSIGN_OR_RETURN(Bytes rewrapped, rewrap(k.dataset, k.version, k.wrapped));
        if (rewrapped.empty()) return InternalError("a rewrapped data key is empty");
        RETURN_IF_ERROR(update.Reset());
        RETURN_IF_ERROR(update.BindText(1, k.dataset));
        RETURN_IF_ERROR(update.BindInt64(2, k.version));
        RETURN_IF_ERROR(update.BindBlob(3, rewrapped));
        RETURN_IF_ERROR(update.Run());
        ++count;
      }
      return OkStatus();
    }));
    RETURN_IF_ERROR(txn.Commit());
  }
  // The keys wrapped by the old KEK leave the WAL (best effort, as a shred).
  ForgetOldPages();
  return count;
}

StatusOr<std::vector<ObjectRecord>> Catalog::ObjectsOf(std::string_view dataset, int64_t version) {
  ASSIGN_OR_RETURN(Statement select, db_->Prepare("SELECT logical_name, object_name, plaintext_size, "
                                                  "ciphertext_size, ciphertext_sha256 FROM version_object "
                                                  "WHERE dataset = ?1 AND version = ?2 ORDER BY logical_name"));
  RETURN_IF_ERROR(select.BindText(1, dataset));
  RETURN_IF_ERROR(select.BindInt64(2, version));
  std::vector<ObjectRecord> out;
  while (true) {
    ASSIGN_OR_RETURN(bool has_row, select.Step());
    if (!has_row) return out;
    out.push_back({select.ColumnText(0), select.ColumnText(1), static_cast<uint64_t>(select.ColumnInt64(2)),
                   static_cast<uint64_t>(select.ColumnInt64(3)), select.ColumnText(4)});
  }
}

StatusOr<VersionWithObjects> Catalog::WithObjects(VersionRecord record) {
  ASSIGN_OR_RETURN(std::vector<ObjectRecord> objects, ObjectsOf(record.dataset, record.version));
  return VersionWithObjects{std::move(record), std::move(objects)};
}

StatusOr<VersionWithObjects> Catalog::GetVersion(std::string_view dataset, int64_t version) {
  std::lock_guard lock(mu_);
  // One read transaction: the version row and its objects from one snapshot.
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kRead));
  ASSIGN_OR_RETURN(Statement select,
                   db_->Prepare(std::string(kSelectVersions) + " WHERE dataset = ?1 AND version = ?2"));
  RETURN_IF_ERROR(select.BindText(1, dataset));
  RETURN_IF_ERROR(select.BindInt64(2, version));
  ASSIGN_OR_RETURN(std::vector<VersionRecord> rows, ReadVersionRows(select));
  if (rows.empty()) return NotFoundError("catalog: no " + VersionId(dataset, version));
  return WithObjects(std::move(rows.front()));
}

StatusOr<VersionWithObjects> Catalog::LatestCommittedVersion(std::string_view dataset) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kRead));
  ASSIGN_OR_RETURN(Statement select,
                   db_->Prepare(std::string(kSelectVersions) + " WHERE dataset = ?1 AND state = "
                                                               "'committed' ORDER BY version DESC LIMIT 1"));
  RETURN_IF_ERROR(select.BindText(1, dataset));
  ASSIGN_OR_RETURN(std::vector<VersionRecord> rows, ReadVersionRows(select));
  if (rows.empty()) {
    return NotFoundError("catalog: dataset " + std::string(dataset) + " has no committed version");
  }
  return WithObjects(std::move(rows.front()));
}

StatusOr<std::vector<VersionRecord>> Catalog::ListVersions(std::string_view dataset) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kRead));
  RETURN_IF_ERROR(CheckDatasetExists(dataset, Listing::kWithRemoved));
  ASSIGN_OR_RETURN(Statement select,
                   db_->Prepare(std::string(kSelectVersions) + " WHERE dataset = ?1 ORDER BY version"));
  RETURN_IF_ERROR(select.BindText(1, dataset));
  return ReadVersionRows(select);
}

StatusOr<VersionRecord> Catalog::FindVersionBySourceDigest(std::string_view dataset, std::string_view source_digest) {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Statement select, db_->Prepare(std::string(kSelectVersions) +
                                                  " WHERE dataset = ?1 AND source_digest = ?2"
                                                  " AND state = 'committed' ORDER BY version DESC LIMIT 1"));
  RETURN_IF_ERROR(select.BindText(1, dataset));
  RETURN_IF_ERROR(select.BindText(2, source_digest));
  ASSIGN_OR_RETURN(std::vector<VersionRecord> rows, ReadVersionRows(select));
  if (rows.empty()) {
    return NotFoundError("catalog: dataset " + std::string(dataset) +
                         " has no committed version from that source digest");
  }
  return std::move(rows.front());
}

StatusOr<std::vector<VersionWithObjects>> Catalog::ListPendingVersions() {
  std::lock_guard lock(mu_);
  ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kRead));
  ASSIGN_OR_RETURN(Statement select, db_->Prepare(std::string(kSelectVersions) + " WHERE state = 'pending'"
                                                                                 " ORDER BY dataset, version"));
  ASSIGN_OR_RETURN(std::vector<VersionRecord> rows, ReadVersionRows(select));
  std::vector<VersionWithObjects> out;
  for (VersionRecord& row : rows) {
    ASSIGN_OR_RETURN(VersionWithObjects with_objects, WithObjects(std::move(row)));
    out.push_back(std::move(with_objects));
  }
  return out;
}

}  // namespace hdhub::catalog
