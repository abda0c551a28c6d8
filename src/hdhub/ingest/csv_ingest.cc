#include "hdhub/ingest/csv_ingest.h"

#include <chrono>
#include <cstring>
#include <filesystem>
#include <fstream>
#include <future>
#include <nlohmann/json.hpp>
#include <set>

#include "hdhub/audit/recorder.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/file_lock.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/ingest/csv_source.h"
#include "hdhub/ingest/nomenclature.h"
#include "hdhub/ingest/table_plan.h"
#include "hdhub/sql/database.h"
#include "hdhub/sql/functions.h"
#include "hdhub/sql/private_temp_file_system.h"

namespace hdhub::ingest {
namespace {

namespace fs = std::filesystem;

constexpr size_t kHashBufferSize = 1 << 20;
constexpr char kPartName[] = "part-0.parquet";
constexpr std::chrono::minutes kLockWait{10};

uint64_t LineOf(const std::string& path, uint64_t offset) {
  std::ifstream in(path, std::ios::binary);
  uint64_t line = 1;
  for (uint64_t i = 0; i < offset && in; ++i) {
    if (in.get() == '\n') ++line;
  }
  return line;
}

// SHA-256 of the file, checking on the way that it is UTF-8 (DuckDB's CSV
// reader must never see invalid bytes: some of its error paths then fail
// internally and take the whole instance down).
StatusOr<std::string> HashFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("input file " + path + " cannot be read");
  crypto::Sha256Hasher hasher;
  std::vector<uint8_t> buffer(kHashBufferSize);
  size_t carry = 0;  // bytes of a sequence cut by the previous read
  uint64_t offset = 0;
  while (in) {
    in.read(reinterpret_cast<char*>(buffer.data() + carry), std::streamsize(buffer.size() - carry));
    size_t got = size_t(in.gcount());
    hasher.Update(ByteSpan(buffer.data() + carry, got));
    size_t size = carry + got;
    size_t valid = ValidUtf8Prefix(buffer.data(), size);
    if (size - valid >= 4 || (in.eof() && valid < size)) {
      return InvalidArgumentError(path + ", line " + std::to_string(LineOf(path, offset + valid)) +
                                  ": malformed CSV: the text is not valid UTF-8");
    }
    std::memmove(buffer.data(), buffer.data() + valid, size - valid);
    carry = size - valid;
    offset += valid;
  }
  if (in.bad()) return InternalError("reading input file " + path + " failed");
  return HexEncode(hasher.Finish());
}

std::string DefaultNomenclatures(const IngestRequest& r) {
  if (!r.nomenclatures_dir.empty()) return r.nomenclatures_dir;
  if (r.schema_path.empty()) return std::string();
  fs::path candidate = fs::path(r.schema_path).parent_path() / ".." / "nomenclatures";
  return fs::is_directory(candidate) ? candidate.lexically_normal().string() : std::string();
}

// A reference table is read whole by every project that names it: it must
// hold no person and no record (column_rules.h), under its own name or its
// schema's.
Status CheckReferenceTable(std::string_view dataset, const TableSchema& schema) {
  for (std::string_view table : {dataset, std::string_view(schema.name)}) {
    if (!table.empty() && !RecordIdentifierColumns(table).empty()) {
      return InvalidArgumentError(std::string(table) +
                                  " has record identifiers (docs/formats/projects.md): it cannot be a reference table");
    }
  }
  for (const Field& f : schema.fields) {
    if (RuleFor(dataset, f.name).treatment == ColumnTreatment::kPseudonym) {
      return InvalidArgumentError("field " + f.name + " is a person's pseudonym: a reference table holds no person" +
                                  " (ingest it without --reference)");
    }
  }
  return OkStatus();
}

std::vector<std::string> FieldNames(const TablePlan& plan) {
  std::vector<std::string> names;
  for (const PlannedField& f : plan.fields()) names.push_back(f.field.name);
  return names;
}

}  // namespace

struct CsvIngester::Prepared {
  TableSchema schema;
  std::string schema_json;
  CsvSource source;
  Nomenclatures nomenclatures;
  TablePlan plan;
  // SHA-256 of the file (and its UTF-8 check), computed beside the COPY.
  std::future<StatusOr<std::string>> digest;
};

std::string DataKeyContext(std::string_view dataset, int64_t version) {
  return "dataset/" + std::string(dataset) + "/v" + std::to_string(version);
}

std::string VersionPrefix(std::string_view dataset, int64_t version) {
  return "datasets/" + std::string(dataset) + "/v" + std::to_string(version) + "/";
}

std::vector<std::string> PossibleVersionObjects(std::string_view dataset, int64_t version) {
  const std::string prefix = VersionPrefix(dataset, version);
  return {prefix + kPartName, prefix + "tmp_" + kPartName};
}

bool IsReferenceVersion(const catalog::VersionRecord& version) {
  const nlohmann::json report = nlohmann::json::parse(version.report_json, nullptr, false);
  return report.is_object() && report.value("reference", false) == true;
}

std::string VersionLabel(std::string_view dataset, int64_t version) {
  return "dataset " + std::string(dataset) + " version " + std::to_string(version);
}

Status MountVersion(sql::Database& db, keys::KeyStore& keys, std::string_view dataset,
                    const catalog::VersionWithObjects& version, const std::string& view) {
  const catalog::VersionRecord& v = version.version;
  ASSIGN_OR_RETURN(SecretBytes dek, keys.UnwrapKey(v.wrapped_dek, DataKeyContext(dataset, v.version)));
  sql::GrantInfo info{.label = VersionLabel(dataset, v.version)};
  std::string files;
  for (const catalog::ObjectRecord& o : version.objects) {
    files += (files.empty() ? "" : ", ") + sql::QuoteLiteral("hdhub://" + o.logical_name);
    info.recorded.push_back(o.logical_name);
  }
  RETURN_IF_ERROR(
      db.keys().Grant(VersionPrefix(dataset, v.version), std::move(dek), sql::Access::kRead, std::move(info)));
  if (files.empty()) return OkStatus();
  return db.Execute("CREATE VIEW " + view + " AS SELECT * FROM read_parquet([" + files + "])");
}

Status CsvIngester::DeleteVersionObjects(std::string_view dataset, int64_t version) {
  // What the catalog recorded, and what an ingest killed before recording
  // anything may have published: names are derived, so nothing is orphaned.
  std::set<std::string> names;
  ASSIGN_OR_RETURN(catalog::VersionWithObjects v, catalog_->GetVersion(dataset, version));
  for (const catalog::ObjectRecord& o : v.objects) names.insert(o.logical_name);
  const std::string prefix = VersionPrefix(dataset, version);
  for (std::string& name : PossibleVersionObjects(dataset, version)) names.insert(std::move(name));
  for (const std::string& name : names) {
    Status s = store_->Delete(name);
    if (!s.ok() && !IsNotFound(s)) return s.WithContext("cleaning " + prefix);
  }
  return OkStatus();
}

StatusOr<int> CsvIngester::CleanupPending() {
  ASSIGN_OR_RETURN(std::vector<catalog::VersionWithObjects> pending, catalog_->ListPendingVersions());
  for (const catalog::VersionWithObjects& v : pending) {
    RETURN_IF_ERROR(DeleteVersionObjects(v.version.dataset, v.version.version));
    RETURN_IF_ERROR(catalog_->DiscardVersion(v.version.dataset, v.version.version));
  }
  return int(pending.size());
}

Status CsvIngester::LogIngest(const IngestRequest& request, const IngestResult& result, const Status& outcome) {
  audit::Event e{.actor = actor_.id, .role = actor_.role, .action = "ingest.run"};
  e.objects["dataset"] = request.dataset;
  if (result.version > 0) e.objects["version"] = std::to_string(result.version);
  e.details["rows_stored"] = result.report.rows_stored;
  e.details["rows_rejected"] = result.report.rows_rejected;
  e.details["refused_fields"] = result.report.issues.size();
  e.details["on_invalid"] = std::string(PolicyName(request.on_invalid));
  if (result.already_ingested) e.details["already_ingested"] = true;
  if (request.reference) e.details["reference"] = true;
  audit::ApplyOutcome(e, outcome);
  return log_->Append(e).status();
}

Status CsvIngester::CheckSchemaFitsDataset(const IngestRequest& request, const TableSchema& schema,
                                           std::string_view schema_json) {
  // A schema describes one table: the dataset bears its name, or its name and
  // a suffix (a copy, a year: ER_PRS_F_2023).
  if (!schema.name.empty() && request.dataset != schema.name && !request.dataset.starts_with(schema.name + "_")) {
    return InvalidArgumentError("the schema describes " + schema.name + ", not " + request.dataset +
                                ": name the dataset " + schema.name + " (or " + schema.name + "_<suffix>)");
  }
  if (request.reference) RETURN_IF_ERROR(CheckReferenceTable(request.dataset, schema));
  // A dataset keeps its schema unless a new schema version is declared, and
  // its kind (reference table or not) always.
  StatusOr<catalog::VersionWithObjects> current = catalog_->LatestCommittedVersion(request.dataset);
  if (IsNotFound(current.status())) return OkStatus();
  RETURN_IF_ERROR(current.status());
  if (IsReferenceVersion(current->version) != request.reference) {
    return InvalidArgumentError("dataset " + request.dataset + (request.reference ? " is not" : " is") +
                                " a reference table (see its version " + std::to_string(current->version.version) +
                                "): ingest its versions " + (request.reference ? "without" : "with") + " --reference");
  }
  const nlohmann::json before = nlohmann::json::parse(current->version.schema_json, nullptr, false);
  const nlohmann::json now = nlohmann::json::parse(schema_json, nullptr, false);
  if (before == now || request.new_schema_version) return OkStatus();
  return InvalidArgumentError("dataset " + request.dataset + " follows another schema (that of its version " +
                              std::to_string(current->version.version) +
                              "): declare a new schema version (--new-schema-version) to change it");
}

StatusOr<IngestResult> CsvIngester::Ingest(const IngestRequest& request) {
  IngestResult result{.dataset = request.dataset};
  result.report.policy = request.on_invalid;
  auto logged = [&](Status s) -> Status {
    Status log = LogIngest(request, result, s);
    return s.ok() ? log : s;
  };
  if (!catalog::Catalog::IsValidDatasetName(request.dataset)) {
    return logged(InvalidArgumentError("dataset name '" + request.dataset + "' must be 1-64 of [A-Za-z0-9_]"));
  }
  std::optional<FileLock> lock;
  if (!options_.lock_path.empty()) {
    ASSIGN_OR_RETURN(lock, FileLock::Acquire(options_.lock_path, kLockWait, "ingest"));
  }
  if (Status s = CleanupPending().status(); !s.ok()) return logged(s);
  StatusOr<Prepared> prepared = [&]() -> StatusOr<Prepared> {
    ASSIGN_OR_RETURN(TableSchema schema, TableSchema::LoadOrParse(request.schema_path, request.schema_text));
    std::string schema_json = request.schema_text;
    if (schema_json.empty()) {
      ASSIGN_OR_RETURN(schema_json, ReadSchemaText(request.schema_path));
    }
    RETURN_IF_ERROR(CheckSchemaFitsDataset(request, schema, schema_json));
    ASSIGN_OR_RETURN(CsvSource source, CsvSource::Open(request.csv_path, request.delimiter));
    ASSIGN_OR_RETURN(Nomenclatures noms, Nomenclatures::Load(DefaultNomenclatures(request), schema));
    ASSIGN_OR_RETURN(TablePlan plan, TablePlan::Make(request.dataset, schema, source, noms, request.reference));
    // The hash runs on a thread of its own while DuckDB seals the file: the
    // sealing rarely keeps both cores busy, and a sequential pass would not
    // be hidden.
    auto digest = std::async(std::launch::async, HashFile, request.csv_path);
    return Prepared{std::move(schema), std::move(schema_json), std::move(source),
                    std::move(noms),   std::move(plan),        std::move(digest)};
  }();
  if (!prepared.ok()) return logged(prepared.status());
  StatusOr<IngestResult> written = Write(request, *prepared);
  if (!written.ok()) return logged(written.status());
  return written;
}

namespace {

// The DuckDB instance of one ingest, with hdhub's functions over this plan.
StatusOr<std::unique_ptr<sql::Database>> OpenIngestDatabase(storage::SealedStore* store, const IngesterOptions& options,
                                                            const TablePlan& plan, const Nomenclatures& nomenclatures,
                                                            const crypto::HmacSha256* k_hub, sql::ValueTally* tally) {
  sql::DatabaseOptions db_options{.threads = options.threads};
  if (!options.temp_root.empty()) {
    ASSIGN_OR_RETURN(db_options.private_temp_dir, sql::MakePrivateTempDir(options.temp_root, "ingest"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<sql::Database> db, sql::Database::Open(store, db_options));
  RETURN_IF_ERROR(sql::RegisterStageTwo(*db, k_hub));
  RETURN_IF_ERROR(sql::RegisterCodeSets(*db, &nomenclatures.sets()));
  RETURN_IF_ERROR(sql::RegisterShapeCheck(*db));
  RETURN_IF_ERROR(RegisterValueFunctions(*db, &plan.rules(), tally));
  RETURN_IF_ERROR(sql::RegisterTally(*db, tally));
  // A version's row order carries no meaning (line numbers come from the
  // diagnosis pass): writing unordered spares DuckDB buffering batches.
  RETURN_IF_ERROR(db->Execute("SET preserve_insertion_order = false"));
  return db;
}

bool AnyRefused(const sql::ValueTally& tally) {
  if (tally.rejected_rows() > 0) return true;
  for (size_t i = 0; i < tally.fields(); ++i) {
    if (tally.invalid(i) > 0) return true;
  }
  return false;
}

}  // namespace

StatusOr<IngestResult> CsvIngester::Write(const IngestRequest& request, Prepared& p) {
  IngestResult result{.dataset = request.dataset};
  result.report.policy = request.on_invalid;
  result.report.unchecked_nomenclatures = p.nomenclatures.missing();
  result.report.reference = request.reference;
  p.plan.DescribeTreatments(&result.report);
  ASSIGN_OR_RETURN(std::unique_ptr<crypto::HmacSha256> k_hub, keys_->HmacFor(kStageTwoPurpose));
  sql::ValueTally tally(FieldNames(p.plan), request.on_invalid == InvalidPolicy::kFail ? sql::ValueTally::Mode::kFail
                                                                                       : sql::ValueTally::Mode::kCount);
  ASSIGN_OR_RETURN(std::unique_ptr<sql::Database> db,
                   OpenIngestDatabase(store_, options_, p.plan, p.nomenclatures, k_hub.get(), &tally));

  ASSIGN_OR_RETURN(SecretBytes dek, keys::NewDataKey());
  if (Status s = catalog_->CreateDataset(request.dataset); !s.ok() && !IsAlreadyExists(s)) return s;
  ASSIGN_OR_RETURN(
      int64_t pending,
      catalog_->BeginVersion(request.dataset, p.schema_json, catalog::Catalog::kDigestNotYetKnown,
                             [&](int64_t v) { return keys_->WrapKey(dek, DataKeyContext(request.dataset, v)); }));
  result.version = pending;
  Status written = Seal(request, p, *db, tally, std::move(dek), &result);
  if (!written.ok() || result.already_ingested) {
    // A failure, or the same bytes committed before: this version goes.
    DeleteVersionObjects(request.dataset, pending).IgnoreError();
    catalog_->DiscardVersion(request.dataset, pending).IgnoreError();
  }
  if (!written.ok()) return written;
  if (result.already_ingested) RETURN_IF_ERROR(LogIngest(request, result, OkStatus()));
  return result;
}

Status CsvIngester::Seal(const IngestRequest& request, Prepared& p, sql::Database& db, const sql::ValueTally& tally,
                         SecretBytes dek, IngestResult* result) {
  IngestReport& report = result->report;
  const std::string prefix = VersionPrefix(request.dataset, result->version);
  std::vector<storage::SealedObjectInfo> objects;
  db.keys().SetCommitListener([&objects](const storage::SealedObjectInfo& info) { objects.push_back(info); });
  RETURN_IF_ERROR(db.keys().Grant(prefix, std::move(dek), sql::Access::kReadWrite));
  if (request.progress) db.SetProgress(request.progress, "ingest " + request.dataset);
  StatusOr<sql::QueryResult> copied =
      db.Query("COPY (" + p.plan.WriteSelect(p.source, request.on_invalid) + ") TO " +
               sql::QuoteLiteral("hdhub://" + prefix + kPartName) + " (FORMAT parquet, COMPRESSION zstd)");
  // Bytes that are not UTF-8 make DuckDB fail, sometimes internally: the
  // hash pass's own check then gives the line, whatever DuckDB said.
  StatusOr<std::string> digest = p.digest.get();
  if (!digest.ok()) return digest.status();
  if (auto previous = catalog_->FindVersionBySourceDigest(request.dataset, *digest); previous.ok()) {
    result->version = previous->version;
    result->rows = previous->row_count.value_or(0);
    result->already_ingested = true;
    return OkStatus();
  }
  if (!copied.ok() && copied.status().code() == StatusCode::kInvalidArgument &&
      copied.status().message().starts_with("field ")) {  // a refused value (sql/functions.h), as hdhub said it
    RETURN_IF_ERROR(Diagnose(request, p, &db, &report));
    return InvalidArgumentError(request.csv_path + ": " + report.IssuesText() +
                                "; nothing was ingested (--on-invalid reject-row or set-null ingests the rest)");
  }
  if (!copied.ok()) {
    return copied.status().code() == StatusCode::kInvalidArgument ? ScrubCsvError(copied.status(), request.csv_path)
                                                                  : copied.status();
  }
  report.rows_stored = std::stoull(copied->rows.at(0).at(0).value_or("0"));
  report.rows_rejected = tally.rejected_rows();
  report.rows_read = report.rows_stored + report.rows_rejected;
  if (AnyRefused(tally)) RETURN_IF_ERROR(Diagnose(request, p, &db, &report));
  if (report.rows_stored == 0 && !request.allow_empty) {
    // A header alone (or every row refused) would empty the dataset.
    return InvalidArgumentError(request.csv_path + ": no data row to store (" + std::to_string(report.rows_read) +
                                " read); the current version stays (--allow-empty makes an empty version current)");
  }
  for (const storage::SealedObjectInfo& o : objects) {
    RETURN_IF_ERROR(catalog_->AddObject(
        request.dataset, result->version,
        {o.logical_name, o.object_name, o.plaintext_size, o.ciphertext_size, HexEncode(o.ciphertext_sha256)}));
  }
  result->rows = report.rows_stored;
  // Logged before the commit: an action is never visible without its event.
  RETURN_IF_ERROR(LogIngest(request, *result, OkStatus()));
  return catalog_->CommitVersion(request.dataset, result->version, result->rows, report.ToJson().dump(), *digest);
}

Status CsvIngester::Diagnose(const IngestRequest& request, Prepared& p, sql::Database* db, IngestReport* report) {
  // Line numbers need the file's order: one thread for this second pass,
  // which only runs when some value was refused.
  RETURN_IF_ERROR(db->Execute("SET threads = 1; SET preserve_insertion_order = true"));
  StatusOr<sql::QueryResult> diagnosis = db->Query(p.plan.DiagnoseSelect(p.source));
  RETURN_IF_ERROR(db->Execute("RESET threads; SET preserve_insertion_order = false"));
  if (!diagnosis.ok()) return ScrubCsvError(diagnosis.status(), request.csv_path);
  p.plan.ReadDiagnosis(diagnosis->rows.at(0), report);
  return OkStatus();
}

}  // namespace hdhub::ingest
