#include "hdhub/ingest/pseudonymize.h"

#include <filesystem>

#include "hdhub/common/file.h"
#include "hdhub/crypto/random.h"
#include "hdhub/ingest/column_rules.h"
#include "hdhub/ingest/csv_source.h"
#include "hdhub/ingest/table_schema.h"
#include "hdhub/sql/database.h"
#include "hdhub/sql/functions.h"
#include "hdhub/sql/private_temp_file_system.h"

namespace hdhub::ingest {
namespace {

namespace fs = std::filesystem;
using sql::QuoteIdentifier;
using sql::QuoteLiteral;

constexpr const char* kNir = kSourceNir;
constexpr const char* kBirthDate = kSourceBirthDate;
constexpr const char* kSex = kSourceSex;
constexpr char kReasonSeparator = '|';

bool Contains(const std::vector<std::string>& v, const std::string& s) {
  return std::find(v.begin(), v.end(), s) != v.end();
}

// The columns a source extract must have for `schema`, in any order.
std::vector<std::string> SourceColumns(const TableSchema& schema, const std::vector<std::string>& person) {
  std::vector<std::string> out = {kNir, kBirthDate, kSex};
  for (const Field& f : schema.fields) {
    if (!Contains(person, f.name)) out.push_back(f.name);
  }
  return out;
}

std::string Missing(const std::string& column) {
  std::string c = QuoteIdentifier(column);
  return "(" + c + " IS NULL OR " + c + " = '')";
}

// The first reason a row's identity is refused, "FIELD|reason", or NULL.
std::string IdentityReason() {
  const std::string nir = QuoteIdentifier(kNir), date = QuoteIdentifier(kBirthDate), sex = QuoteIdentifier(kSex);
  return "(CASE WHEN " + Missing(kNir) + " THEN 'NIR|missing'" + " WHEN hdhub_nir_error(" + nir +
         ") IS NOT NULL THEN 'NIR|' || hdhub_nir_error(" + nir + ")" + " WHEN " + Missing(kBirthDate) +
         " THEN 'NAI_DTE|missing'" + " WHEN NOT regexp_full_match(" + date +
         ", '[0-9]{4}-[0-9]{2}-[0-9]{2}') OR TRY_CAST(" + date +
         " AS DATE) IS NULL THEN 'NAI_DTE|not a date YYYY-MM-DD'" + " WHEN " + Missing(kSex) + " OR " + sex +
         " NOT IN ('1', '2') THEN 'SEX_COD|not 1 or 2'" + " WHEN substr(" + nir + ", 1, 1) IN ('1', '2') AND substr(" +
         nir + ", 1, 1) <> " + sex + " THEN 'SEX_COD|contradicts the NIR'" + " WHEN substr(" + nir +
         ", 2, 2) <> substr(" + date + ", 3, 2) THEN 'NAI_DTE|year contradicts the NIR'" + " WHEN substr(" + nir +
         ", 4, 2) BETWEEN '01' AND '12' AND substr(" + nir + ", 4, 2) <> substr(" + date +
         ", 6, 2) THEN 'NAI_DTE|month contradicts the NIR' END)";
}

std::string PassThroughReason(const std::vector<std::string>& person) {
  std::string out = "(CASE";
  for (const std::string& column : person) {
    out += " WHEN " + Missing(column) + " THEN " + QuoteLiteral(column + "|missing") + " WHEN NOT hdhub_pseudonym_ok(" +
           QuoteIdentifier(column) + ") THEN " + QuoteLiteral(column + "|not a pseudonym of 17 characters");
  }
  return person.empty() ? "CAST(NULL AS VARCHAR)" : out + " END)";
}

std::string OutputSelect(const TableSchema& schema, const std::vector<std::string>& person, bool identities) {
  std::string select;
  for (const Field& f : schema.fields) {
    std::string value = QuoteIdentifier(f.name);
    if (identities && Contains(person, f.name)) {
      value =
          "hdhub_p1(" + QuoteIdentifier(kNir) + ", " + QuoteIdentifier(kBirthDate) + ", " + QuoteIdentifier(kSex) + ")";
    }
    select += (select.empty() ? "" : ", ") + value + " AS " + QuoteIdentifier(f.name);
  }
  return select;
}

void ReadReasons(const sql::QueryResult& rows, IngestReport* report) {
  for (const auto& row : rows.rows) {
    std::string reason = row.at(0).value_or("?|?");
    size_t bar = reason.find(kReasonSeparator);
    report->issues.push_back({reason.substr(0, bar), std::stoull(row.at(1).value_or("0")),
                              std::stoull(row.at(2).value_or("0")), reason.substr(bar + 1)});
  }
}

}  // namespace

StatusOr<PseudonymizeResult> Pseudonymizer::Run(const PseudonymizeRequest& r) {
  if (fs::exists(r.output_path)) return AlreadyExistsError("output " + r.output_path + " exists; nothing done");
  ASSIGN_OR_RETURN(TableSchema schema, TableSchema::LoadOrParse(r.schema_path, r.schema_text));
  ASSIGN_OR_RETURN(CsvSource source, CsvSource::Open(r.input_path, r.delimiter));
  std::vector<std::string> person = PersonPseudonymColumns(schema);
  PseudonymizeResult result;
  result.has_person_columns = !person.empty();
  result.identities_given = source.Find(kNir) >= 0;
  result.report.policy = r.strict ? InvalidPolicy::kFail : InvalidPolicy::kRejectRow;
  std::string table = schema.name.empty() ? "the schema" : schema.name;
  if (result.identities_given && !person.empty()) {
    RETURN_IF_ERROR(source.CheckHeader(SourceColumns(schema, person), "a source extract of " + table));
  } else {
    result.identities_given = false;
    std::vector<std::string> fields;
    for (const Field& f : schema.fields) fields.push_back(f.name);
    RETURN_IF_ERROR(source.CheckHeader(fields, table));
  }
  std::string reason = result.identities_given ? IdentityReason() : PassThroughReason(person);

  sql::ValueTally tally({}, sql::ValueTally::Mode::kCount);
  sql::DatabaseOptions db_options{.threads = threads_};
  if (!temp_root_.empty()) {
    ASSIGN_OR_RETURN(db_options.private_temp_dir, sql::MakePrivateTempDir(temp_root_, ".hdhub-spill"));
  }
  ASSIGN_OR_RETURN(std::unique_ptr<sql::Database> db, sql::Database::Open(nullptr, db_options));
  RETURN_IF_ERROR(sql::RegisterNirCheck(*db));
  RETURN_IF_ERROR(sql::RegisterStageOne(*db, k_source_));
  RETURN_IF_ERROR(sql::RegisterStageTwo(*db, k_source_));  // for hdhub_pseudonym_ok only
  RETURN_IF_ERROR(sql::RegisterTally(*db, &tally));

  ASSIGN_OR_RETURN(Bytes random, crypto::RandomBytes(8));
  std::string tmp = r.output_path + ".tmp-" + HexEncode(random);
  TempFileGuard discard(tmp);  // whatever DuckDB left there, unless published
  if (r.progress) db->SetProgress(r.progress, "pseudonymize");
  StatusOr<sql::QueryResult> copied = db->Query(
      "COPY (SELECT " + OutputSelect(schema, person, result.identities_given) + " FROM " + source.ReadSql() +
      " WHERE NOT (CASE WHEN " + reason + " IS NOT NULL THEN hdhub_reject(0) ELSE false END)) TO " + QuoteLiteral(tmp) +
      " (FORMAT csv, HEADER true, DELIMITER " + QuoteLiteral(std::string(1, r.delimiter)) + ")");
  if (!copied.ok()) {
    return copied.status().code() == StatusCode::kInvalidArgument ? ScrubCsvError(copied.status(), r.input_path)
                                                                  : copied.status();
  }
  result.report.rows_stored = std::stoull(copied->rows.at(0).at(0).value_or("0"));
  result.report.rows_rejected = tally.rejected_rows();
  result.report.rows_read = result.report.rows_stored + result.report.rows_rejected;
  if (result.report.rows_rejected > 0) {
    RETURN_IF_ERROR(db->Execute("SET threads = 1"));  // lines in file order
    StatusOr<sql::QueryResult> reasons =
        db->Query("SELECT reason, count(*), min(__line) FROM (SELECT __line, " + reason + " AS reason FROM " +
                  source.ReadSqlWithLines() + ") WHERE reason IS NOT NULL GROUP BY reason ORDER BY 3");
    if (!reasons.ok()) return reasons.status();
    ReadReasons(*reasons, &result.report);
  }
  if (r.strict && result.report.rows_rejected > 0) {
    return InvalidArgumentError(r.input_path + ": " + result.report.IssuesText() + "; nothing was written (--strict)");
  }
  // Pseudonymized health data: the owner's alone, as synth's extracts are.
  std::error_code mode_error;
  fs::permissions(tmp, fs::perms::owner_read | fs::perms::owner_write, fs::perm_options::replace, mode_error);
  if (mode_error) return InternalError("output " + r.output_path + ": cannot make it private: " + mode_error.message());
  // link() refuses an existing output, so a concurrent writer is never clobbered.
  RETURN_IF_ERROR(PublishFile(tmp, r.output_path, {.if_absent = true}));
  return result;
}

}  // namespace hdhub::ingest
