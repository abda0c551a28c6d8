#include "hdhub/ingest/csv_ingest.h"

#include <fstream>
#include <regex>
#include <set>

#include "hdhub/common/bytes.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/sql/database.h"

namespace hdhub::ingest {
namespace {

constexpr size_t kHashBufferSize = 1 << 20;
constexpr char kPartName[] = "part-0.parquet";

StatusOr<std::string> HashFile(const std::string& path) {
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("input file " + path + " cannot be read");
  crypto::Sha256Hasher hasher;
  std::vector<char> buffer(kHashBufferSize);
  while (in) {
    in.read(buffer.data(), std::streamsize(buffer.size()));
    hasher.Update(ByteSpan(reinterpret_cast<const uint8_t*>(buffer.data()), size_t(in.gcount())));
  }
  if (in.bad()) return InternalError("reading input file " + path + " failed");
  crypto::Digest d = hasher.Finish();
  return HexEncode(d);
}

// DuckDB's CSV errors quote the offending line; keep the diagnosis and the
// line number, never the content.
Status ScrubCsvError(const Status& s, const std::string& path) {
  std::string first(s.message().substr(0, s.message().find('\n')));
  first = std::regex_replace(first, std::regex("\"[^\"]*\"|'[^']*'"), "…");
  std::smatch m;
  std::string full(s.message());
  std::string line;
  if (std::regex_search(full, m, std::regex("[Ll]ine:? ?([0-9]+)"))) line = ", line " + m[1].str();
  return InvalidArgumentError(path + line + ": malformed CSV: " + first);
}

std::string ReadCsvSql(const IngestRequest& r) {
  return "read_csv(" + sql::QuoteLiteral(r.csv_path) + ", header = true, all_varchar = true, delim = " +
         sql::QuoteLiteral(std::string(1, r.delimiter)) +
         ", quote = '\"', escape = '\"', strict_mode = true, null_padding = false, auto_detect = false)";
}

StatusOr<std::vector<std::string>> CsvHeader(sql::Database& db, const IngestRequest& r) {
  // auto_detect off needs explicit columns: read the header row as data first.
  auto result = db.Query("SELECT * FROM read_csv(" + sql::QuoteLiteral(r.csv_path) +
                         ", header = false, all_varchar = true, delim = " +
                         sql::QuoteLiteral(std::string(1, r.delimiter)) + ", quote = '\"', strict_mode = true) LIMIT 1");
  if (!result.ok()) return ScrubCsvError(result.status(), r.csv_path);
  if (result->rows.empty()) return InvalidArgumentError(r.csv_path + ": the file is empty (no header line)");
  std::vector<std::string> header;
  for (const auto& cell : result->rows[0]) header.push_back(cell.value_or(""));
  return header;
}

Status CheckHeader(const std::vector<std::string>& header, const TableSchema& schema, const std::string& path) {
  std::set<std::string, std::less<>> seen;
  for (size_t i = 0; i < header.size(); ++i) {
    if (schema.Find(header[i]) == nullptr) {
      return InvalidArgumentError(path + ", line 1, column " + std::to_string(i + 1) + ": '" + header[i] +
                                  "' is not a field of " + (schema.name.empty() ? "the schema" : schema.name));
    }
    if (!seen.insert(header[i]).second) {
      return InvalidArgumentError(path + ", line 1: field '" + header[i] + "' appears twice");
    }
  }
  for (const Field& f : schema.fields) {
    if (!seen.contains(f.name)) return InvalidArgumentError(path + ", line 1: field '" + f.name + "' is missing");
  }
  return OkStatus();
}

std::string ColumnsSql(const std::vector<std::string>& header) {
  std::string out = "columns = {";
  for (size_t i = 0; i < header.size(); ++i) {
    out += (i ? ", " : "") + sql::QuoteLiteral(header[i]) + ": 'VARCHAR'";
  }
  return out + "}";
}

std::string SourceSql(const IngestRequest& r, const std::vector<std::string>& header) {
  std::string s = ReadCsvSql(r);
  s.insert(s.size() - 1, ", " + ColumnsSql(header));
  return s;
}

// The condition under which a field's text is not acceptable.
std::string BadValueCondition(const Field& f) {
  std::string col = sql::QuoteIdentifier(f.name);
  std::string empty = "(" + col + " IS NULL OR " + col + " = '')";
  std::string bad = f.required ? empty : "false";
  if (DuckDbType(f) != "VARCHAR") bad += " OR (NOT " + empty + " AND " + CastExpression(f, col, true) + " IS NULL)";
  if (f.max_length) bad += " OR length(" + col + ") > " + std::to_string(*f.max_length);
  return bad;
}

Status ValidateValues(sql::Database& db, const IngestRequest& r, const TableSchema& schema,
                      const std::vector<std::string>& header) {
  std::string select;
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    std::string cond = BadValueCondition(schema.fields[i]);
    select += (i ? ", " : "") + std::string("min(line_no) FILTER (WHERE ") + cond + "), count(*) FILTER (WHERE " +
              cond + ")";
  }
  auto result = db.Query("SELECT " + select + " FROM (SELECT row_number() OVER () + 1 AS line_no, * FROM " +
                         SourceSql(r, header) + ")");
  if (!result.ok()) return ScrubCsvError(result.status(), r.csv_path);
  const auto& row = result->rows.at(0);
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const auto& count = row[2 * i + 1];
    if (count && *count != "0") {
      const Field& f = schema.fields[i];
      return InvalidArgumentError(r.csv_path + ", line " + row[2 * i].value_or("?") + ", field " + f.name +
                                  ": value is not a valid " + f.type +
                                  (f.max_length ? " of at most " + std::to_string(*f.max_length) + " characters" : "") +
                                  (f.required ? " (required)" : "") + "; " + *count + " row(s) affected in all");
    }
  }
  return OkStatus();
}

std::string CopySql(const IngestRequest& r, const TableSchema& schema, const std::vector<std::string>& header,
                    const std::string& target) {
  std::string select;
  for (size_t i = 0; i < schema.fields.size(); ++i) {
    const Field& f = schema.fields[i];
    select += (i ? ", " : "") + CastExpression(f, sql::QuoteIdentifier(f.name), false) + " AS " +
              sql::QuoteIdentifier(f.name);
  }
  return "COPY (SELECT " + select + " FROM " + SourceSql(r, header) + ") TO " + sql::QuoteLiteral(target) +
         " (FORMAT parquet, COMPRESSION zstd)";
}

}  // namespace

std::string DataKeyContext(std::string_view dataset, std::string_view source_digest) {
  return "hdhub dataset-version " + std::string(dataset) + " " + std::string(source_digest);
}

std::string VersionPrefix(std::string_view dataset, int64_t version) {
  return "datasets/" + std::string(dataset) + "/v" + std::to_string(version) + "/";
}

Status CsvIngester::DeleteVersionObjects(std::string_view dataset, int64_t version) {
  // What the catalog recorded, and what an ingest killed before recording
  // anything may have published: names are derived, so nothing is orphaned.
  std::set<std::string> names;
  ASSIGN_OR_RETURN(catalog::VersionWithObjects v, catalog_->GetVersion(dataset, version));
  for (const catalog::ObjectRecord& o : v.objects) names.insert(o.logical_name);
  std::string prefix = VersionPrefix(dataset, version);
  names.insert(prefix + kPartName);
  names.insert(prefix + "tmp_" + kPartName);
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

StatusOr<IngestResult> CsvIngester::Ingest(const IngestRequest& request) {
  if (!catalog::Catalog::IsValidDatasetName(request.dataset)) {
    return InvalidArgumentError("dataset name '" + request.dataset + "' must be 1-64 of [A-Za-z0-9_]");
  }
  RETURN_IF_ERROR(CleanupPending().status());
  ASSIGN_OR_RETURN(TableSchema schema, TableSchema::Load(request.schema_path));
  ASSIGN_OR_RETURN(std::string digest, HashFile(request.csv_path));
  IngestResult result{.dataset = request.dataset};
  if (auto previous = catalog_->FindVersionBySourceDigest(request.dataset, digest); previous.ok()) {
    result.version = previous->version;
    result.rows = previous->row_count.value_or(0);
    result.already_ingested = true;
    return result;
  }

  ASSIGN_OR_RETURN(std::unique_ptr<sql::Database> db, sql::Database::Open(store_));
  ASSIGN_OR_RETURN(std::vector<std::string> header, CsvHeader(*db, request));
  RETURN_IF_ERROR(CheckHeader(header, schema, request.csv_path));
  RETURN_IF_ERROR(ValidateValues(*db, request, schema, header));

  std::ifstream schema_file(request.schema_path, std::ios::binary);
  std::string schema_json((std::istreambuf_iterator<char>(schema_file)), std::istreambuf_iterator<char>());
  ASSIGN_OR_RETURN(SecretBytes dek, keys::NewDataKey());
  ASSIGN_OR_RETURN(Bytes wrapped, keys_->WrapKey(dek, DataKeyContext(request.dataset, digest)));
  if (Status s = catalog_->CreateDataset(request.dataset); !s.ok() && !IsAlreadyExists(s)) return s;
  ASSIGN_OR_RETURN(result.version, catalog_->BeginVersion(request.dataset, schema_json, digest, wrapped));

  Status written = [&]() -> Status {
    std::string prefix = VersionPrefix(request.dataset, result.version);
    std::vector<storage::SealedObjectInfo> objects;
    db->keys().SetCommitListener([&objects](const storage::SealedObjectInfo& info) { objects.push_back(info); });
    RETURN_IF_ERROR(db->keys().Grant(prefix, std::move(dek), sql::Access::kReadWrite));
    ASSIGN_OR_RETURN(sql::QueryResult copied,
                     db->Query(CopySql(request, schema, header, "hdhub://" + prefix + kPartName)));
    result.rows = std::stoull(copied.rows.at(0).at(0).value_or("0"));
    for (const storage::SealedObjectInfo& o : objects) {
      RETURN_IF_ERROR(catalog_->AddObject(request.dataset, result.version,
                                          {o.logical_name, o.object_name, o.plaintext_size, o.ciphertext_size,
                                           HexEncode(o.ciphertext_sha256)}));
    }
    return catalog_->CommitVersion(request.dataset, result.version, result.rows);
  }();
  if (!written.ok()) {
    DeleteVersionObjects(request.dataset, result.version).IgnoreError();
    catalog_->DiscardVersion(request.dataset, result.version).IgnoreError();
    if (written.code() == StatusCode::kInvalidArgument) return ScrubCsvError(written, request.csv_path);
    return written;
  }
  return result;
}

}  // namespace hdhub::ingest
