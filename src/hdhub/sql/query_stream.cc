#include "hdhub/sql/query_stream.h"

#include <condition_variable>
#include <thread>

#include "duckdb.hpp"
#include "hdhub/sql/database.h"

namespace hdhub::sql {
namespace {

using duckdb::FlatVector;
using duckdb::LogicalTypeId;

TypeKind KindOfType(LogicalTypeId id) {
  switch (id) {
    case LogicalTypeId::SQLNULL:
      return TypeKind::kNull;
    case LogicalTypeId::BOOLEAN:
      return TypeKind::kBoolean;
    case LogicalTypeId::TINYINT:
    case LogicalTypeId::SMALLINT:
    case LogicalTypeId::INTEGER:
    case LogicalTypeId::BIGINT:
    case LogicalTypeId::UTINYINT:
    case LogicalTypeId::USMALLINT:
    case LogicalTypeId::UINTEGER:
      return TypeKind::kInteger;
    case LogicalTypeId::HUGEINT:
    case LogicalTypeId::UBIGINT:
      return TypeKind::kHugeInteger;
    case LogicalTypeId::FLOAT:
    case LogicalTypeId::DOUBLE:
      return TypeKind::kDouble;
    case LogicalTypeId::DECIMAL:
      return TypeKind::kDecimal;
    case LogicalTypeId::DATE:
      return TypeKind::kDate;
    case LogicalTypeId::TIMESTAMP:
      return TypeKind::kTimestamp;
    case LogicalTypeId::VARCHAR:
    case LogicalTypeId::ENUM:
      return TypeKind::kText;
    default:
      return TypeKind::kOther;
  }
}

ColumnType ColumnTypeOf(const duckdb::LogicalType& type) {
  ColumnType out{.kind = KindOfType(type.id()), .name = type.ToString()};
  if (type.id() == LogicalTypeId::DECIMAL) {
    out.width = duckdb::DecimalType::GetWidth(type);
    out.scale = duckdb::DecimalType::GetScale(type);
  }
  return out;
}

template <typename T>
T At(duckdb::Vector& v, size_t row) {
  return FlatVector::GetData<T>(v)[row];
}

Int128 FromHugeint(duckdb::hugeint_t h) { return (Int128(h.upper) << 64) | Int128(h.lower); }

Int128 UnscaledAt(duckdb::Vector& v, size_t row) {
  switch (v.GetType().InternalType()) {
    case duckdb::PhysicalType::INT16:
      return At<int16_t>(v, row);
    case duckdb::PhysicalType::INT32:
      return At<int32_t>(v, row);
    case duckdb::PhysicalType::INT64:
      return At<int64_t>(v, row);
    default:
      return FromHugeint(At<duckdb::hugeint_t>(v, row));
  }
}

// The typed value of a non-NULL cell of a numeric column, or nullopt.
std::optional<Value> NumberAt(duckdb::Vector& v, size_t row) {
  switch (v.GetType().id()) {
    case LogicalTypeId::BOOLEAN:
      return Value(At<bool>(v, row));
    case LogicalTypeId::TINYINT:
      return Value(int64_t{At<int8_t>(v, row)});
    case LogicalTypeId::SMALLINT:
      return Value(int64_t{At<int16_t>(v, row)});
    case LogicalTypeId::INTEGER:
      return Value(int64_t{At<int32_t>(v, row)});
    case LogicalTypeId::BIGINT:
      return Value(At<int64_t>(v, row));
    case LogicalTypeId::UTINYINT:
      return Value(int64_t{At<uint8_t>(v, row)});
    case LogicalTypeId::USMALLINT:
      return Value(int64_t{At<uint16_t>(v, row)});
    case LogicalTypeId::UINTEGER:
      return Value(int64_t{At<uint32_t>(v, row)});
    case LogicalTypeId::UBIGINT:
      return Value(Int128(At<uint64_t>(v, row)));
    case LogicalTypeId::HUGEINT:
      return Value(FromHugeint(At<duckdb::hugeint_t>(v, row)));
    case LogicalTypeId::FLOAT:
      return Value(double{At<float>(v, row)});
    case LogicalTypeId::DOUBLE:
      return Value(At<double>(v, row));
    case LogicalTypeId::DECIMAL:
      return Value(Decimal{UnscaledAt(v, row), duckdb::DecimalType::GetScale(v.GetType())});
    default:
      return std::nullopt;
  }
}

// Bytes a column's cells count against QueryLimits::max_bytes.
uint64_t ColumnBytes(duckdb::DataChunk& chunk, size_t column) {
  duckdb::Vector& v = chunk.data[column];
  const duckdb::PhysicalType physical = v.GetType().InternalType();
  const bool strings = physical == duckdb::PhysicalType::VARCHAR;
  const bool fixed = duckdb::TypeIsConstantSize(physical);
  uint64_t bytes = 0;
  for (size_t row = 0; row < chunk.size(); ++row) {
    if (FlatVector::IsNull(v, row)) continue;
    if (strings) {
      bytes += At<duckdb::string_t>(v, row).GetSize();
    } else if (fixed) {
      bytes += duckdb::GetTypeIdSize(physical);
    } else {
      bytes += chunk.GetValue(column, row).ToString().size();
    }
  }
  return bytes;
}

// "2 s", or "300 ms" below a whole second.
std::string DurationText(std::chrono::milliseconds d) {
  if (d.count() % 1000 == 0) return std::to_string(d.count() / 1000) + " s";
  return std::to_string(d.count()) + " ms";
}

}  // namespace

// Interrupts the stream when its deadline passes before it ends.
class QueryStream::Watchdog {
 public:
  Watchdog(std::chrono::milliseconds timeout, std::function<void()> fire) {
    thread_ = std::thread([this, timeout, fire = std::move(fire)] {
      std::unique_lock lock(mu_);
      if (!cv_.wait_for(lock, timeout, [this] { return done_; })) fire();
    });
  }
  ~Watchdog() {
    {
      std::lock_guard lock(mu_);
      done_ = true;
    }
    cv_.notify_all();
    thread_.join();
  }

 private:
  std::mutex mu_;
  std::condition_variable cv_;
  bool done_ = false;
  std::thread thread_;
};

Chunk::Chunk(std::unique_ptr<duckdb::DataChunk> data) : data_(std::move(data)) {}
Chunk::Chunk(Chunk&&) noexcept = default;
Chunk& Chunk::operator=(Chunk&&) noexcept = default;
Chunk::~Chunk() = default;

size_t Chunk::size() const { return data_->size(); }
size_t Chunk::column_count() const { return data_->ColumnCount(); }
bool Chunk::IsNull(size_t column, size_t row) const { return FlatVector::IsNull(data_->data[column], row); }
std::string Chunk::Text(size_t column, size_t row) const { return data_->GetValue(column, row).ToString(); }
std::unique_ptr<duckdb::DataChunk> Chunk::Release() && { return std::move(data_); }

Value Chunk::Get(size_t column, size_t row) const {
  duckdb::Vector& v = data_->data[column];
  if (FlatVector::IsNull(v, row)) return std::monostate();
  if (std::optional<Value> number = NumberAt(v, row)) return *std::move(number);
  switch (v.GetType().id()) {
    case LogicalTypeId::VARCHAR: {
      duckdb::string_t s = At<duckdb::string_t>(v, row);
      return std::string(s.GetData(), s.GetSize());
    }
    case LogicalTypeId::ENUM:
      return Text(column, row);
    case LogicalTypeId::DATE: {
      duckdb::date_t d = At<duckdb::date_t>(v, row);
      if (duckdb::Date::IsFinite(d)) return Date{d.days};
      break;
    }
    case LogicalTypeId::TIMESTAMP: {
      duckdb::timestamp_t t = At<duckdb::timestamp_t>(v, row);
      if (duckdb::Timestamp::IsFinite(t)) return Timestamp{t.value};
      break;
    }
    default:
      break;
  }
  return Rendered{Text(column, row)};
}

StatusOr<std::unique_ptr<QueryStream>> QueryStream::Start(duckdb::Connection& connection, std::string_view sql,
                                                          const std::vector<duckdb::Value>& parameters,
                                                          const QueryLimits& limits, const TypeCheck& check,
                                                          std::function<void()> release) {
  std::unique_ptr<QueryStream> stream(new QueryStream(connection, limits, std::move(release)));
  if (limits.timeout.count() > 0) {
    QueryStream* s = stream.get();
    stream->watchdog_ = std::make_unique<Watchdog>(limits.timeout, [s, timeout = limits.timeout] {
      s->Stop(DeadlineExceededError("the query was cancelled after " + DurationText(timeout) +
                                    "; narrow it (filters, fewer joins) or aggregate earlier"));
    });
  }
  Status begun = stream->Send(sql, parameters, check);
  // A refusal of the text stands even when the timeout fired meanwhile.
  std::optional<Status> stopped = stream->StopReason();
  if (stopped && begun.code() != StatusCode::kPermissionDenied) begun = *stopped;
  if (!begun.ok()) return stream->Finish(begun);
  return stream;
}

QueryStream::QueryStream(duckdb::Connection& connection, const QueryLimits& limits, std::function<void()> release)
    : connection_(connection), limits_(limits), release_(std::move(release)) {}

QueryStream::~QueryStream() { Finish(CancelledError("the query stream was closed before its end")).IgnoreError(); }

Status QueryStream::Send(std::string_view sql, const std::vector<duckdb::Value>& parameters, const TypeCheck& check) {
  try {
    duckdb::vector<duckdb::unique_ptr<duckdb::SQLStatement>> statements =
        connection_.ExtractStatements(std::string(sql));
    for (const auto& statement : statements) RETURN_IF_ERROR(check(statement->type));
    if (statements.empty()) return OkStatus();  // nothing to run: an empty stream
    if (!parameters.empty()) {
      if (statements.size() != 1) return InvalidArgumentError("a statement with parameters must be alone in its text");
      duckdb::vector<duckdb::Value> values(parameters.begin(), parameters.end());
      pending_.reset(connection_.PendingQuery(std::move(statements.back()), values, true).release());
      return Planned();
    }
    // Statements before the last run now; the last one is planned (its
    // columns known) and runs as Next() pulls.
    for (size_t i = 0; i + 1 < statements.size(); ++i) {
      duckdb::unique_ptr<duckdb::MaterializedQueryResult> done = connection_.Query(std::move(statements[i]));
      if (done->HasError()) return StatusFromDuckDbResult(*done);
    }
    pending_.reset(connection_.PendingQuery(std::move(statements.back()), true).release());
    return Planned();
  } catch (const std::exception& e) {
    return StatusFromDuckDbException(e);
  }
}

Status QueryStream::Planned() {
  if (pending_->HasError()) return StatusFromDuckDbResult(*pending_);
  names_.assign(pending_->names.begin(), pending_->names.end());
  for (const duckdb::LogicalType& type : pending_->types) types_.push_back(ColumnTypeOf(type));
  return OkStatus();
}

const duckdb::BaseQueryResult* QueryStream::planned() const { return result_ ? nullptr : pending_.get(); }

void QueryStream::Stop(Status why) {
  std::lock_guard lock(mu_);
  if (ended_ || stop_) return;
  stop_ = std::move(why);
  connection_.Interrupt();
}

std::optional<Status> QueryStream::StopReason() {
  std::lock_guard lock(mu_);
  return stop_;
}

void QueryStream::Cancel() { Stop(CancelledError("the query was cancelled")); }

StatusOr<std::unique_ptr<duckdb::DataChunk>> QueryStream::Fetch() {
  if (!pending_) return std::unique_ptr<duckdb::DataChunk>();  // no statement
  try {
    if (!result_) {
      // The first pull runs the query up to its first rows.
      result_.reset(pending_->Execute().release());
      if (result_->HasError()) return StatusFromDuckDbResult(*result_);
    }
    duckdb::unique_ptr<duckdb::DataChunk> chunk = result_->Fetch();
    if (result_->HasError()) return StatusFromDuckDbResult(*result_);
    if (!chunk || chunk->size() == 0) return std::unique_ptr<duckdb::DataChunk>();
    return std::unique_ptr<duckdb::DataChunk>(chunk.release());
  } catch (const std::exception& e) {
    return StatusFromDuckDbException(e);
  }
}

Status QueryStream::CheckLimits(uint64_t rows, uint64_t bytes) const {
  if (limits_.max_rows > 0 && rows > limits_.max_rows) {
    return ResourceExhaustedError("the result has more than " + std::to_string(limits_.max_rows) +
                                  " rows; aggregate it or add a LIMIT");
  }
  if (limits_.max_bytes > 0 && bytes > limits_.max_bytes) {
    return ResourceExhaustedError("the result is larger than " + std::to_string(limits_.max_bytes) +
                                  " bytes; select fewer columns, aggregate it or add a LIMIT");
  }
  return OkStatus();
}

StatusOr<std::optional<Chunk>> QueryStream::Next() {
  if (outcome_) {
    if (!outcome_->ok()) return *outcome_;
    return std::optional<Chunk>();
  }
  StatusOr<std::unique_ptr<duckdb::DataChunk>> fetched = Fetch();
  Status status = fetched.status();
  if (std::optional<Status> stopped = StopReason()) status = *stopped;
  if (status.ok() && *fetched) {
    uint64_t bytes = 0;
    for (size_t c = 0; c < (*fetched)->ColumnCount(); ++c) bytes += ColumnBytes(**fetched, c);
    status = CheckLimits(rows_ + (*fetched)->size(), bytes_ + bytes);
    if (status.ok()) {
      rows_ += (*fetched)->size();
      bytes_ += bytes;
      return std::optional<Chunk>(Chunk(*std::move(fetched)));
    }
  }
  status = Finish(std::move(status));
  if (!status.ok()) return status;
  return std::optional<Chunk>();
}

Status QueryStream::Announce() {
  if (announced_) return *announced_;
  if (outcome_) return *outcome_;  // ended: its end event covers every row
  Status status = announce_hook_ ? announce_hook_() : OkStatus();
  if (!status.ok()) status = Finish(status);
  announced_ = status;
  return status;
}

Status QueryStream::Finish(Status status) {
  if (outcome_) return *outcome_;
  {
    std::lock_guard lock(mu_);
    ended_ = true;
  }
  watchdog_.reset();
  // Stop DuckDB's work on a result not read to its end; the connection's
  // next query resets the flag.
  if (!status.ok()) connection_.Interrupt();
  result_.reset();
  pending_.reset();
  if (end_hook_) {
    Status recorded = end_hook_(StreamSummary{.status = status, .rows = rows_, .bytes = bytes_});
    if (!recorded.ok()) status = recorded;
  }
  outcome_ = status;
  if (release_) release_();
  return status;
}

}  // namespace hdhub::sql
