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
// session; it runs (and is checked again) at each Execute.
class SessionPrepared final : public pgwire::Prepared {
 public:
  SessionPrepared(std::string sql, pgwire::Description description)
      : sql_(std::move(sql)), description_(std::move(description)) {}
  const pgwire::Description& description() const override { return description_; }
  const std::string& sql() const { return sql_; }

 private:
  std::string sql_;
  pgwire::Description description_;
};

// A statement's rows, read whole (within the session's row and byte limits)
// before the first is handed on: the stream's end is what records the
// query.run event, and no row may leave before it is durable
// (sql/logged_query.h). Reading whole also frees the session's connection
// for the next statement while a client keeps a portal suspended.
class ReadRows final : public pgwire::Rows {
 public:
  explicit ReadRows(std::deque<std::unique_ptr<duckdb::DataChunk>> chunks) : chunks_(std::move(chunks)) {}
  StatusOr<std::unique_ptr<duckdb::DataChunk>> Next() override {
    if (chunks_.empty()) return std::unique_ptr<duckdb::DataChunk>();
    std::unique_ptr<duckdb::DataChunk> chunk = std::move(chunks_.front());
    chunks_.pop_front();
    return chunk;
  }

 private:
  std::deque<std::unique_ptr<duckdb::DataChunk>> chunks_;
};

class ProjectEngine final : public pgwire::Engine {
 public:
  ProjectEngine(std::unique_ptr<keys::KeyStore> keys, std::unique_ptr<projects::ProjectSession> session)
      : keys_(std::move(keys)), session_(std::move(session)) {}
  ~ProjectEngine() override { session_.reset(); }  // before the key store it borrows

  StatusOr<std::vector<std::string>> Split(std::string_view sql) override { return session_->Statements(sql); }

  StatusOr<std::shared_ptr<pgwire::Prepared>> Prepare(std::string_view sql) override {
    ASSIGN_OR_RETURN(std::unique_ptr<duckdb::PreparedStatement> prepared, session_->Prepare(sql));
    return std::shared_ptr<pgwire::Prepared>(
        std::make_shared<SessionPrepared>(std::string(sql), pgwire::DescriptionOf(*prepared)));
  }

  StatusOr<std::unique_ptr<pgwire::Rows>> Execute(pgwire::Prepared& prepared,
                                                  std::vector<duckdb::Value> parameters) override {
    const std::string& sql = static_cast<SessionPrepared&>(prepared).sql();
    ASSIGN_OR_RETURN(std::unique_ptr<sql::QueryStream> stream, session_->Stream(sql, parameters));
    Running running(*this, stream.get());
    std::deque<std::unique_ptr<duckdb::DataChunk>> chunks;
    while (true) {
      ASSIGN_OR_RETURN(std::optional<sql::Chunk> chunk, stream->Next());
      if (!chunk) break;
      chunks.push_back(std::move(*chunk).Release());
    }
    return std::unique_ptr<pgwire::Rows>(std::make_unique<ReadRows>(std::move(chunks)));
  }

  StatusOr<std::vector<pgwire::TableInfo>> Tables() override {
    if (!tables_) {
      ASSIGN_OR_RETURN(std::vector<pgwire::TableInfo> read, ReadTables());
      tables_ = std::move(read);
    }
    return *tables_;
  }

  void Cancel() override {
    std::lock_guard lock(mu_);
    if (running_ != nullptr) running_->Cancel();
  }

 private:
  // Marks `stream` as the one Cancel() stops, while it is read.
  class Running {
   public:
    Running(ProjectEngine& engine, sql::QueryStream* stream) : engine_(engine) { Set(stream); }
    ~Running() { Set(nullptr); }

   private:
    void Set(sql::QueryStream* stream) {
      std::lock_guard lock(engine_.mu_);
      engine_.running_ = stream;
    }
    ProjectEngine& engine_;
  };

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
};

}  // namespace

StatusOr<std::unique_ptr<pgwire::Engine>> Service::OpenPgEngine(const RequestContext& ctx, const std::string& project,
                                                                const projects::SessionLimits& limits) {
  ASSIGN_OR_RETURN(OpenedSession opened, OpenProjectSession(ctx, project, limits));
  return std::unique_ptr<pgwire::Engine>(
      std::make_unique<ProjectEngine>(std::move(opened.keys), std::move(opened.session)));
}

}  // namespace hdhub::service
