// Service: the PG wire's engine over a project session.
#include <algorithm>
#include <deque>
#include <map>
#include <mutex>

#include "duckdb.hpp"
#include "hdhub/projects/data_dictionary.h"
#include "hdhub/service/service.h"

namespace hdhub::service {
namespace {

// A statement a client prepared: its text, checked and described by the
// session; it runs (and is checked again) at each Execute. One prepared to
// run at once (PrepareToRun, a simple Query's statement) is already started:
// checked once and planned once, described by what DuckDB planned; its
// Execute takes that stream. (A DuckDB prepared statement would not do: one
// that reads the workspace's Parquet objects is bound again at each run, so
// a simple Query would be planned twice.) Dropped unexecuted, the stream
// ends as cancelled and is logged so; it borrows the session's connection,
// so it never outlives the statement that prepared it.
class SessionPrepared final : public pgwire::Prepared {
 public:
  SessionPrepared(std::string sql, pgwire::Description description, std::unique_ptr<sql::QueryStream> started)
      : sql_(std::move(sql)), description_(std::move(description)), started_(std::move(started)) {}
  const pgwire::Description& description() const override { return description_; }
  const std::string& sql() const { return sql_; }
  // The stream PrepareToRun started, once (null afterwards, or for a
  // statement a client prepared).
  std::unique_ptr<sql::QueryStream> TakeStarted() { return std::move(started_); }

 private:
  std::string sql_;
  pgwire::Description description_;
  std::unique_ptr<sql::QueryStream> started_;
};

class ProjectEngine;

// A statement's rows. Up to kBufferedBytes are read before the first is
// handed on: a statement whose rows all fit has ended, its query.run event
// durable, before any leaves (sql/logged_query.h). A larger one is announced
// first (a durable query.start event) and then streams as the client reads,
// so the server's memory stays bounded; its query.run follows at its end.
// A suspended portal's stream holds the session's connection: the engine
// reads what is left of it into memory before the next statement starts.
class SessionRows final : public pgwire::Rows {
 public:
  SessionRows(ProjectEngine& engine, std::deque<std::unique_ptr<duckdb::DataChunk>> chunks,
              std::unique_ptr<sql::QueryStream> stream);
  ~SessionRows() override;
  StatusOr<std::unique_ptr<duckdb::DataChunk>> Next() override;
  // Reads the rest of the stream into memory and lets go of the connection.
  void Materialize();
  // The engine goes away: the stream ends (Cancelled) and so do the rows.
  void Abandon();

 private:
  void Detach();

  ProjectEngine* engine_;
  std::deque<std::unique_ptr<duckdb::DataChunk>> chunks_;
  std::unique_ptr<sql::QueryStream> stream_;  // the rest, while it streams
  Status end_;                                // how a materialized stream ended
};

class ProjectEngine final : public pgwire::Engine {
 public:
  ProjectEngine(std::unique_ptr<keys::KeyStore> keys, std::unique_ptr<projects::ProjectSession> session)
      : keys_(std::move(keys)), session_(std::move(session)) {}
  ~ProjectEngine() override {
    if (streaming_ != nullptr) streaming_->Abandon();  // ends its stream while the session is alive
    session_.reset();                                  // before the key store it borrows
  }

  StatusOr<std::vector<std::string>> Split(std::string_view sql) override {
    LetGo();
    return session_->Statements(sql);
  }

  StatusOr<std::shared_ptr<pgwire::Prepared>> Prepare(std::string_view sql) override {
    LetGo();
    ASSIGN_OR_RETURN(std::unique_ptr<duckdb::PreparedStatement> prepared, session_->Prepare(sql));
    return std::shared_ptr<pgwire::Prepared>(
        std::make_shared<SessionPrepared>(std::string(sql), pgwire::DescriptionOf(*prepared), nullptr));
  }

  StatusOr<std::shared_ptr<pgwire::Prepared>> PrepareToRun(std::string_view sql) override {
    LetGo();
    ASSIGN_OR_RETURN(std::unique_ptr<sql::QueryStream> stream, session_->Stream(sql));
    const duckdb::BaseQueryResult* planned = stream->planned();
    if (planned == nullptr) return InvalidArgumentError("there is no statement to run in this text");
    return std::shared_ptr<pgwire::Prepared>(
        std::make_shared<SessionPrepared>(std::string(sql), pgwire::DescriptionOf(*planned), std::move(stream)));
  }

  StatusOr<std::unique_ptr<pgwire::Rows>> Execute(pgwire::Prepared& prepared,
                                                  std::vector<duckdb::Value> parameters) override {
    auto& statement = static_cast<SessionPrepared&>(prepared);
    // PrepareToRun's stream holds the connection: nothing to let go of. It
    // runs without parameters only; with some, it ends (cancelled) first.
    std::unique_ptr<sql::QueryStream> stream = statement.TakeStarted();
    if (stream && !parameters.empty()) stream.reset();
    if (!stream) {
      LetGo();
      ASSIGN_OR_RETURN(stream, session_->Stream(statement.sql(), parameters));
    }
    SetRunning(stream.get());
    std::deque<std::unique_ptr<duckdb::DataChunk>> chunks;
    while (stream->bytes() < kBufferedBytes) {
      StatusOr<std::optional<sql::Chunk>> chunk = stream->Next();
      if (!chunk.ok() || !*chunk) {
        SetRunning(nullptr);
        RETURN_IF_ERROR(chunk.status());
        return std::unique_ptr<pgwire::Rows>(std::make_unique<SessionRows>(*this, std::move(chunks), nullptr));
      }
      chunks.push_back(std::move(**chunk).Release());
    }
    if (Status announced = stream->Announce(); !announced.ok()) {
      SetRunning(nullptr);
      return announced;
    }
    auto rows = std::make_unique<SessionRows>(*this, std::move(chunks), std::move(stream));
    streaming_ = rows.get();
    return std::unique_ptr<pgwire::Rows>(std::move(rows));
  }

  StatusOr<std::vector<pgwire::TableInfo>> Tables() override {
    if (!tables_) {
      LetGo();
      ASSIGN_OR_RETURN(std::vector<pgwire::TableInfo> read, ReadTables());
      tables_ = std::move(read);
    }
    return *tables_;
  }

  Status ReadCatalog(std::string_view sql) override {
    LetGo();
    return session_->RecordCatalogRead(sql);
  }

  void Cancel() override {
    std::lock_guard lock(mu_);
    if (running_ != nullptr) running_->Cancel();
  }

 private:
  friend class SessionRows;

  // Rows read before the first is handed on; a larger result streams.
  static constexpr uint64_t kBufferedBytes = 8 << 20;

  // Marks `stream` as the one Cancel() stops.
  void SetRunning(sql::QueryStream* stream) {
    std::lock_guard lock(mu_);
    running_ = stream;
  }
  // Another statement is about to use the connection: a portal still
  // streaming reads the rest of its rows into memory first.
  void LetGo() {
    if (streaming_ != nullptr) streaming_->Materialize();
  }

  // The workspace's tables with their columns (prepared, never run) and
  // the data dictionary's labels.
  StatusOr<std::vector<pgwire::TableInfo>> ReadTables() {
    const std::vector<std::string>& tables = session_->tables();
    std::map<std::pair<std::string, std::string>, std::string> label_of;
    if (std::find(tables.begin(), tables.end(), projects::kColumnsTable) != tables.end()) {
      ASSIGN_OR_RETURN(sql::QueryResult labels,
                       session_->Query("SELECT table_name, column_name, label FROM " +
                                       std::string(projects::kColumnsTable) + " WHERE label IS NOT NULL"));
      for (const auto& row : labels.rows) {
        if (row.at(0) && row.at(1) && row.at(2)) label_of[{*row.at(0), *row.at(1)}] = *row.at(2);
      }
    }
    std::vector<pgwire::TableInfo> out;
    for (const std::string& table : tables) {
      ASSIGN_OR_RETURN(std::unique_ptr<duckdb::PreparedStatement> prepared,
                       session_->Prepare("SELECT * FROM " + sql::QuoteIdentifier(table)));
      const pgwire::Description d = pgwire::DescriptionOf(*prepared);
      pgwire::TableInfo info{.name = table, .description = {}, .columns = {}};
      for (size_t i = 0; i < d.names.size(); ++i) {
        auto label = label_of.find({table, d.names[i]});
        info.columns.push_back({d.names[i], d.types[i], label == label_of.end() ? "" : label->second});
      }
      out.push_back(std::move(info));
    }
    return out;
  }

  std::unique_ptr<keys::KeyStore> keys_;
  std::unique_ptr<projects::ProjectSession> session_;
  std::optional<std::vector<pgwire::TableInfo>> tables_;
  std::mutex mu_;
  sql::QueryStream* running_ = nullptr;  // guarded by mu_
  SessionRows* streaming_ = nullptr;     // the rows whose stream holds the connection
};

SessionRows::SessionRows(ProjectEngine& engine, std::deque<std::unique_ptr<duckdb::DataChunk>> chunks,
                         std::unique_ptr<sql::QueryStream> stream)
    : engine_(stream ? &engine : nullptr), chunks_(std::move(chunks)), stream_(std::move(stream)) {}

SessionRows::~SessionRows() { Detach(); }

StatusOr<std::unique_ptr<duckdb::DataChunk>> SessionRows::Next() {
  if (!chunks_.empty()) {
    std::unique_ptr<duckdb::DataChunk> chunk = std::move(chunks_.front());
    chunks_.pop_front();
    return chunk;
  }
  if (!stream_) {
    RETURN_IF_ERROR(end_);
    return std::unique_ptr<duckdb::DataChunk>();
  }
  StatusOr<std::optional<sql::Chunk>> chunk = stream_->Next();
  if (chunk.ok() && *chunk) return std::move(**chunk).Release();
  Detach();  // ended: its query.run is written
  RETURN_IF_ERROR(chunk.status());
  return std::unique_ptr<duckdb::DataChunk>();
}

void SessionRows::Materialize() {
  while (stream_) {
    StatusOr<std::optional<sql::Chunk>> chunk = stream_->Next();
    if (chunk.ok() && *chunk) {
      chunks_.push_back(std::move(**chunk).Release());
      continue;
    }
    end_ = chunk.status();
    Detach();
  }
}

void SessionRows::Abandon() {
  end_ = CancelledError("the session ended before the rows were read");
  chunks_.clear();
  Detach();
}

void SessionRows::Detach() {
  if (engine_ != nullptr) {
    engine_->SetRunning(nullptr);
    if (engine_->streaming_ == this) engine_->streaming_ = nullptr;
    engine_ = nullptr;
  }
  stream_.reset();  // ends it (Cancelled when not read to its end), which logs query.run
}

}  // namespace

StatusOr<std::unique_ptr<pgwire::Engine>> Service::OpenPgEngine(const RequestContext& ctx, const std::string& project,
                                                                const projects::SessionLimits& limits) {
  ASSIGN_OR_RETURN(OpenedSession opened, OpenProjectSession(ctx, project, limits));
  return std::unique_ptr<pgwire::Engine>(
      std::make_unique<ProjectEngine>(std::move(opened.keys), std::move(opened.session)));
}

}  // namespace hdhub::service
