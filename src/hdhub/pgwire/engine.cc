#include "hdhub/pgwire/engine.h"

#include "hdhub/sql/database.h"  // StatusFromDuckDbError

namespace hdhub::pgwire {
namespace {

std::string TagOf(duckdb::StatementType type) {
  switch (type) {
    case duckdb::StatementType::SELECT_STATEMENT:
    case duckdb::StatementType::EXPLAIN_STATEMENT:
    case duckdb::StatementType::PRAGMA_STATEMENT:
      return "SELECT";
    case duckdb::StatementType::INSERT_STATEMENT:
      return "INSERT 0";
    case duckdb::StatementType::UPDATE_STATEMENT:
      return "UPDATE";
    case duckdb::StatementType::DELETE_STATEMENT:
      return "DELETE";
    case duckdb::StatementType::CREATE_STATEMENT:
      return "CREATE";
    case duckdb::StatementType::DROP_STATEMENT:
      return "DROP";
    case duckdb::StatementType::SET_STATEMENT:
    case duckdb::StatementType::VARIABLE_SET_STATEMENT:
      return "SET";
    case duckdb::StatementType::TRANSACTION_STATEMENT:
      return "TRANSACTION";
    case duckdb::StatementType::COPY_STATEMENT:
      return "COPY";
    default:
      return "SELECT";
  }
}

Status FromDuckDb(const duckdb::ErrorData& error) {
  return sql::StatusFromDuckDbError(int(error.Type()), error.Message());
}

}  // namespace

namespace {

Description ColumnsOf(duckdb::StatementType type, const duckdb::StatementProperties& properties,
                      const duckdb::vector<std::string>& names, const duckdb::vector<duckdb::LogicalType>& types) {
  Description d;
  d.tag = TagOf(type);
  d.returns_rows = properties.return_type == duckdb::StatementReturnType::QUERY_RESULT;
  if (d.returns_rows) {
    d.names.assign(names.begin(), names.end());
    d.types.assign(types.begin(), types.end());
  }
  return d;
}

}  // namespace

Description DescriptionOf(const duckdb::BaseQueryResult& planned) {
  return ColumnsOf(planned.statement_type, planned.properties, planned.names, planned.types);
}

Description DescriptionOf(duckdb::PreparedStatement& statement) {
  Description d = ColumnsOf(statement.GetStatementType(), statement.GetStatementProperties(), statement.GetNames(),
                            statement.GetTypes());
  const auto expected = statement.GetExpectedParameterTypes();
  d.parameters.resize(statement.named_param_map.size(), duckdb::LogicalType::VARCHAR);
  for (const auto& [name, index] : statement.named_param_map) {
    auto it = expected.find(name);
    if (index >= 1 && index <= d.parameters.size() && it != expected.end() &&
        it->second.id() != duckdb::LogicalTypeId::UNKNOWN) {
      d.parameters[index - 1] = it->second;
    }
  }
  return d;
}

namespace {

class DuckDbPrepared final : public Prepared {
 public:
  explicit DuckDbPrepared(duckdb::unique_ptr<duckdb::PreparedStatement> statement)
      : statement_(std::move(statement)), description_(DescriptionOf(*statement_)) {}
  const Description& description() const override { return description_; }
  duckdb::PreparedStatement& statement() { return *statement_; }

 private:
  duckdb::unique_ptr<duckdb::PreparedStatement> statement_;
  Description description_;
};

// Rows read into memory (a materialized result, or a stream cut short).
class MaterializedRows final : public Rows {
 public:
  explicit MaterializedRows(duckdb::unique_ptr<duckdb::QueryResult> result) : result_(std::move(result)) {}
  StatusOr<std::unique_ptr<duckdb::DataChunk>> Next() override {
    if (!result_) return std::unique_ptr<duckdb::DataChunk>();
    duckdb::ErrorData error;
    duckdb::unique_ptr<duckdb::DataChunk> chunk;
    if (!result_->TryFetch(chunk, error)) return FromDuckDb(error);
    if (!chunk || chunk->size() == 0) return std::unique_ptr<duckdb::DataChunk>();
    return std::unique_ptr<duckdb::DataChunk>(chunk.release());
  }

 private:
  duckdb::unique_ptr<duckdb::QueryResult> result_;
};

}  // namespace

class DuckDbEngine::StreamingRows final : public Rows {
 public:
  StreamingRows(DuckDbEngine& engine, duckdb::unique_ptr<duckdb::QueryResult> result)
      : engine_(&engine), result_(std::move(result)) {}
  ~StreamingRows() override { Detach(); }

  StatusOr<std::unique_ptr<duckdb::DataChunk>> Next() override {
    if (materialized_) return materialized_->Next();
    if (!result_) return std::unique_ptr<duckdb::DataChunk>();
    duckdb::ErrorData error;
    duckdb::unique_ptr<duckdb::DataChunk> chunk;
    if (!result_->TryFetch(chunk, error)) {
      Detach();
      return FromDuckDb(error);
    }
    if (!chunk || chunk->size() == 0) {
      Detach();
      result_.reset();
      return std::unique_ptr<duckdb::DataChunk>();
    }
    return std::unique_ptr<duckdb::DataChunk>(chunk.release());
  }

  // Another statement is about to run on the connection: keep what is left.
  void Materialize() {
    if (result_ && result_->type == duckdb::QueryResultType::STREAM_RESULT) {
      auto& stream = static_cast<duckdb::StreamQueryResult&>(*result_);
      materialized_ = std::make_unique<MaterializedRows>(stream.Materialize());
      result_.reset();
    }
    Detach();
  }

 private:
  void Detach() {
    if (engine_ && engine_->streaming_ == this) engine_->streaming_ = nullptr;
    engine_ = nullptr;
  }

  DuckDbEngine* engine_;
  duckdb::unique_ptr<duckdb::QueryResult> result_;
  std::unique_ptr<MaterializedRows> materialized_;
};

DuckDbEngine::~DuckDbEngine() {
  if (streaming_ != nullptr) streaming_->Materialize();
}

StatusOr<std::vector<std::string>> DuckDbEngine::Split(std::string_view sql) {
  std::vector<std::string> out;
  try {
    auto statements = connection_.ExtractStatements(std::string(sql));
    // Each statement keeps its own text (its location is relative to it).
    for (const auto& s : statements) out.push_back(s->query.substr(s->stmt_location, s->stmt_length));
  } catch (const std::exception& e) {
    return sql::StatusFromDuckDbException(e);
  }
  return out;
}

StatusOr<std::shared_ptr<Prepared>> DuckDbEngine::Prepare(std::string_view sql) {
  if (streaming_ != nullptr) streaming_->Materialize();
  auto statement = connection_.Prepare(std::string(sql));
  if (statement->HasError()) return FromDuckDb(statement->GetErrorObject());
  return std::shared_ptr<Prepared>(std::make_shared<DuckDbPrepared>(std::move(statement)));
}

StatusOr<std::unique_ptr<Rows>> DuckDbEngine::Execute(Prepared& prepared, std::vector<duckdb::Value> parameters) {
  if (streaming_ != nullptr) streaming_->Materialize();
  duckdb::vector<duckdb::Value> values(parameters.begin(), parameters.end());
  auto result = static_cast<DuckDbPrepared&>(prepared).statement().Execute(values, /*allow_stream_result=*/true);
  if (result->HasError()) return FromDuckDb(result->GetErrorObject());
  if (result->type != duckdb::QueryResultType::STREAM_RESULT) {
    return std::unique_ptr<Rows>(std::make_unique<MaterializedRows>(std::move(result)));
  }
  auto rows = std::make_unique<StreamingRows>(*this, std::move(result));
  streaming_ = rows.get();
  return std::unique_ptr<Rows>(std::move(rows));
}

StatusOr<std::vector<TableInfo>> DuckDbEngine::Tables() {
  if (streaming_ != nullptr) streaming_->Materialize();
  auto names = connection_.Query(
      "SELECT table_name, comment FROM duckdb_tables() WHERE schema_name = current_schema() AND database_name = "
      "current_database() AND NOT internal UNION ALL SELECT view_name, comment FROM duckdb_views() WHERE "
      "schema_name = current_schema() AND database_name = current_database() AND NOT internal ORDER BY 1");
  if (names->HasError()) return FromDuckDb(names->GetErrorObject());
  std::vector<TableInfo> out;
  for (const auto& row : *names) {
    TableInfo table{.name = row.GetValue<std::string>(0), .description = {}, .columns = {}};
    if (!row.IsNull(1)) table.description = row.GetValue<std::string>(1);
    // Prepared, never run: the column names and types only.
    auto statement = connection_.Prepare("SELECT * FROM " + duckdb::KeywordHelper::WriteQuoted(table.name, '"'));
    if (statement->HasError()) return FromDuckDb(statement->GetErrorObject());
    const auto& types = statement->GetTypes();
    const auto& column_names = statement->GetNames();
    for (size_t i = 0; i < types.size(); ++i) table.columns.push_back({column_names[i], types[i], {}});
    out.push_back(std::move(table));
  }
  return out;
}

}  // namespace hdhub::pgwire
