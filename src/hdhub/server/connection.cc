#include "hdhub/server/connection.h"

#include <future>
#include <variant>

#include "hdhub/server/limited_engine.h"

namespace hdhub::server {
namespace {

using pgwire::BackendWriter;
constexpr auto kAwait = asio::use_awaitable;
constexpr auto kTlsShutdownTimeout = std::chrono::seconds(1);
constexpr auto kStatementCancelRetry = std::chrono::milliseconds(50);
// PostgreSQL's PG_MAX_AUTH_TOKEN_LENGTH.
constexpr uint32_t kMaxAuthMessageBytes = 65535;

// PostgreSQL's words, which clients and their users know.
constexpr char kTlsRequired[] = "TLS required: connect with sslmode=require or stronger";
constexpr char kShutdownMessage[] = "terminating connection due to administrator command";
constexpr char kIdleMessage[] = "terminating connection due to idle-session timeout";

std::string AuthFailed(const std::string& user) { return "password authentication failed for user \"" + user + "\""; }

double Seconds(std::chrono::steady_clock::duration d) { return std::chrono::duration<double>(d).count(); }

}  // namespace

Connection::Connection(ServerContext& server, tcp::socket socket, uint64_t id, std::string client)
    : server_(server),
      stream_(std::move(socket), server.tls),
      deadline_(stream_.get_executor()),
      id_(id),
      client_(std::move(client)) {}

Connection::~Connection() {
  if (key_) server_.registry.Unregister(key_->process_id);
  Log("connection.closed", end_ == End::kShutdown ? "shutdown" : end_ == End::kDeadline ? "deadline" : "");
}

void Connection::Log(std::string_view event, std::string_view reason, std::string_view level) {
  server_.log.Log({.level = level,
                   .event = event,
                   .connection = id_,
                   .client = client_,
                   .user = user_,
                   .database = database_,
                   .duration_seconds = Seconds(std::chrono::steady_clock::now() - started_),
                   .reason = reason});
}

asio::awaitable<void> Connection::Run() {
  ArmDeadline(server_.config.auth_timeout);
  std::optional<pgwire::StartupMessage> startup = co_await Negotiate();
  if (startup && co_await Authenticate(*startup)) {
    deadline_.cancel();
    co_await Serve();
  }
  if (tls_) co_await ShutdownTls();
}

// A TLS close_notify before the socket closes: without it libpq takes the
// close for a broken connection and drops the FATAL it has just read.
asio::awaitable<void> Connection::ShutdownTls() {
  asio::steady_timer timer(stream_.get_executor());
  timer.expires_after(kTlsShutdownTimeout);
  timer.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    boost::system::error_code ignored;
    if (!ec && self) self->stream_.next_layer().cancel(ignored);  // a client that never answers
  });
  boost::system::error_code ec;
  co_await stream_.async_shutdown(asio::redirect_error(kAwait, ec));
  timer.cancel();
}

void Connection::ArmDeadline(std::chrono::seconds after) {
  deadline_.expires_after(after);
  deadline_.async_wait([weak = weak_from_this()](boost::system::error_code ec) {
    auto self = weak.lock();
    if (!ec && self) self->Interrupt(End::kDeadline);
  });
}

void Connection::Stop() {
  if (!authenticated_ || waiting_for_message_) return Interrupt(End::kShutdown);
  end_ = End::kShutdown;  // a running statement finishes first (Serve looks)
}

void Connection::CancelForShutdown() {
  cancelled_for_shutdown_ = true;
  if (session_ != nullptr) session_->Cancel();
  // A client that stopped reading holds a flush's write, and the pool thread
  // waiting for it, until the socket's operations are cancelled.
  boost::system::error_code ignored;
  stream_.next_layer().cancel(ignored);
}

void Connection::Interrupt(End why) {
  if (end_ == End::kNone) end_ = why;
  if (why == End::kDeadline && !authenticated_) Log("auth.timeout", "auth_timeout", "warning");
  boost::system::error_code ignored;
  stream_.next_layer().cancel(ignored);  // the pending read (or handshake) fails
}

// ---- Reading and writing ----------------------------------------------------

asio::awaitable<void> Connection::Read(uint8_t* data, size_t size) {
  // Exactly `size` bytes, never more: before TLS nothing may be read ahead.
  if (tls_) {
    co_await asio::async_read(stream_, asio::buffer(data, size), kAwait);
  } else {
    co_await asio::async_read(stream_.next_layer(), asio::buffer(data, size), kAwait);
  }
}

asio::awaitable<void> Connection::Write(const Bytes& bytes) {
  if (bytes.empty()) co_return;
  if (tls_) {
    co_await asio::async_write(stream_, asio::buffer(bytes), kAwait);
  } else {
    co_await asio::async_write(stream_.next_layer(), asio::buffer(bytes), kAwait);
  }
}

Status Connection::FlushFromPool(Bytes& bytes) {
  // Runs on a pool thread inside Serve's RunOnPool, while the coroutine
  // waits: the stream is idle but for this write, which runs on the I/O
  // thread. A client that stops reading holds this worker until shutdown
  // cancels the socket (CancelForShutdown).
  if (Status previous = WaitForFlush(); !previous.ok()) {
    bytes.clear();  // never sent: the session's answer ends here
    return previous;
  }
  in_flight_.swap(bytes);  // `bytes` takes the drained buffer (and its capacity)
  auto written = std::make_shared<std::promise<boost::system::error_code>>();
  in_flight_written_ = written->get_future();
  asio::post(stream_.get_executor(), [this, written] {
    auto complete = [written](boost::system::error_code ec, size_t) { written->set_value(ec); };
    if (tls_) {
      asio::async_write(stream_, asio::buffer(in_flight_), complete);
    } else {
      asio::async_write(stream_.next_layer(), asio::buffer(in_flight_), complete);
    }
  });
  return OkStatus();
}

Status Connection::WaitForFlush() {
  if (in_flight_written_) {
    const boost::system::error_code ec = in_flight_written_->get();
    in_flight_written_.reset();
    in_flight_.clear();
    if (ec) write_failed_ = true;
  }
  // Once a write failed, the bytes on the wire end mid-message: nothing more
  // may follow them.
  if (write_failed_) return UnavailableError("the client stopped reading the rows");
  return OkStatus();
}

asio::awaitable<void> Connection::Fatal(std::string_view sqlstate, std::string message) {
  Bytes out;
  BackendWriter(out).ErrorResponse(
      {.severity = "FATAL", .sqlstate = std::string(sqlstate), .message = std::move(message)});
  co_await Write(out);
}

asio::awaitable<std::optional<Bytes>> Connection::ReadStartupPacket() {
  uint8_t length[4];
  co_await Read(length, sizeof length);
  const uint32_t n = GetBigEndian32(length);
  if (n < 8 || n > pgwire::kMaxStartupPacketBytes) {
    Log("startup.refused", "bad_length", "warning");
    co_await Fatal("08P01", "invalid length of startup packet");
    co_return std::nullopt;
  }
  Bytes body(n - 4);
  co_await Read(body.data(), body.size());
  co_return body;
}

asio::awaitable<std::optional<std::pair<char, Bytes>>> Connection::ReadMessage() {
  uint8_t head[5];
  boost::system::error_code ec;
  // Before authentication the auth deadline runs, and SASL messages are small.
  const bool idle_deadline = authenticated_ && server_.config.idle_timeout.count() > 0;
  const uint32_t limit = authenticated_ ? server_.config.max_message_bytes : kMaxAuthMessageBytes;
  if (idle_deadline) ArmDeadline(server_.config.idle_timeout);
  waiting_for_message_ = true;
  co_await asio::async_read(stream_, asio::buffer(head, 1), asio::redirect_error(kAwait, ec));
  waiting_for_message_ = false;
  if (ec) co_return std::nullopt;  // closed by the client, or Interrupt
  co_await Read(head + 1, 4);
  const uint32_t n = GetBigEndian32(head + 1);
  if (n < 4 || n - 4 > limit) {
    Log("message.refused", "bad_length", "warning");
    co_await Fatal("08P01", "invalid message length (at most " + std::to_string(limit) + " bytes)");
    co_return std::nullopt;
  }
  Bytes body(n - 4);
  co_await Read(body.data(), body.size());
  if (idle_deadline) deadline_.cancel();
  co_return std::make_pair(char(head[0]), std::move(body));
}

// ---- Before authentication ------------------------------------------------

asio::awaitable<bool> Connection::StartTls() {
  if (stream_.next_layer().available() > 0) {
    // Bytes sent with the SSLRequest would pass for bytes sent over TLS.
    Log("tls.refused", "bytes_before_handshake", "warning");
    co_return false;
  }
  const Bytes yes(1, uint8_t('S'));  // (a braced temporary here trips GCC 12's coroutines)
  co_await Write(yes);
  boost::system::error_code ec;
  co_await stream_.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(kAwait, ec));
  if (ec) {
    Log("tls.refused", "handshake_failed", "warning");
    co_return false;
  }
  tls_ = true;
  co_return true;
}

asio::awaitable<std::optional<pgwire::StartupMessage>> Connection::Negotiate() {
  bool gss_answered = false;
  for (;;) {
    std::optional<Bytes> body = co_await ReadStartupPacket();
    if (!body) co_return std::nullopt;
    StatusOr<pgwire::StartupPacket> packet = pgwire::DecodeStartup(*body);
    if (!packet.ok()) {
      // A protocol other than 3 (and not a request code, major 1234): what
      // PostgreSQL answers, 0A000, so that a client can tell it from garbage.
      const uint32_t major = body->size() >= 4 ? GetBigEndian32(body->data()) >> 16 : 3;
      const bool version = major != 3 && major != 1234;
      Log("startup.refused", version ? "protocol_version" : "malformed", "warning");
      co_await Fatal(version ? "0A000" : "08P01",
                     version ? "unsupported frontend protocol: this server supports 3.0" : "invalid startup packet");
      co_return std::nullopt;
    }
    if (std::holds_alternative<pgwire::SslRequest>(*packet)) {
      if (tls_ || !co_await StartTls()) co_return std::nullopt;
    } else if (std::holds_alternative<pgwire::GssEncRequest>(*packet)) {
      if (tls_ || gss_answered) co_return std::nullopt;
      gss_answered = true;
      const Bytes no(1, uint8_t('N'));
      co_await Write(no);
    } else if (auto* cancel = std::get_if<pgwire::CancelRequest>(&*packet)) {
      const bool found = server_.registry.Cancel({cancel->process_id, cancel->secret_key});
      Log("cancel.request", found ? "cancelled" : "no_such_session");
      co_return std::nullopt;
    } else if (!tls_) {
      Log("startup.refused", "no_tls", "warning");
      co_await Fatal("28000", kTlsRequired);
      co_return std::nullopt;
    } else {
      co_return std::get<pgwire::StartupMessage>(std::move(*packet));
    }
  }
}

// ---- Authentication ------------------------------------------------------

asio::awaitable<bool> Connection::Authenticate(const pgwire::StartupMessage& startup) {
  Bytes out;
  BackendWriter w(out);
  if (startup.minor > 0 || !startup.protocol_options.empty()) {
    w.NegotiateProtocolVersion(0, startup.protocol_options);  // we speak 3.0; carry on
  }
  auto param = [&](const char* name) {
    auto it = startup.parameters.find(name);
    return it == startup.parameters.end() ? std::string() : it->second;
  };
  user_ = param("user");
  database_ = param("database").empty() ? user_ : param("database");
  if (user_.empty()) {
    co_await Write(out);
    co_await Fatal("28000", "no PostgreSQL user name specified in startup packet");
    co_return false;
  }
  PgAccount account;
  co_await RunOnPool(server_.pool, [&] { account = server_.backend.Credentials(user_); });
  if (end_ != End::kNone) co_return false;
  pgwire::ScramServer scram(std::move(account.credentials), {.tls_server_end_point = server_.tls_end_point});
  w.AuthenticationSasl(scram.Mechanisms());
  co_await Write(out);
  bool client_left = false;
  std::optional<std::string> server_final = co_await Scram(scram, client_left);
  if (client_left) co_return false;  // (libpq, to ask for a password): no attempt to record
  std::string key_id;
  if (server_final && scram.matched() && *scram.matched() < account.key_ids.size()) {
    key_id = account.key_ids[*scram.matched()];
  }
  co_return co_await OpenSession(startup, server_final.value_or(""), key_id);
}

// The SCRAM exchange; the server-final-message once the proof holds,
// nullopt for any failure (which the backend then records as a refusal),
// and `client_left` when no complete message came.
asio::awaitable<std::optional<std::string>> Connection::Scram(pgwire::ScramServer& scram, bool& client_left) {
  std::optional<std::pair<char, Bytes>> first = co_await ReadMessage();
  client_left = !first;
  if (!first || first->first != 'p') co_return std::nullopt;
  StatusOr<pgwire::SaslInitialResponse> initial = pgwire::DecodeSaslInitialResponse(first->second);
  if (!initial.ok() || !initial->data) co_return std::nullopt;
  StatusOr<std::string> server_first = scram.ClientFirst(initial->mechanism, AsStringView(*initial->data));
  if (!server_first.ok()) co_return std::nullopt;
  Bytes out;
  BackendWriter(out).AuthenticationSaslContinue(*server_first);
  co_await Write(out);
  std::optional<std::pair<char, Bytes>> final_message = co_await ReadMessage();
  client_left = !final_message;
  if (!final_message || final_message->first != 'p') co_return std::nullopt;
  StatusOr<std::string> server_final =
      scram.ClientFinal(AsStringView(pgwire::DecodeSaslResponse(final_message->second)));
  if (!server_final.ok()) co_return std::nullopt;
  co_return *server_final;
}

// On the worker pool. A locked-out account or address is refused as a wrong
// password is: the backend records the attempt as a failed proof, whatever
// the proof was, and the client gets the same 28P01.
StatusOr<std::unique_ptr<pgwire::Engine>> Connection::OpenEngine(const std::string& server_final,
                                                                 const std::string& key_id, bool& locked_out) {
  Limiter* limiter = server_.limiter;
  locked_out = limiter != nullptr && limiter->LockedOut(user_, client_);
  const PgLogin login{user_, database_, client_, !server_final.empty() && !locked_out, key_id};
  StatusOr<std::unique_ptr<pgwire::Engine>> engine = server_.backend.Open(login);
  if (limiter == nullptr) return engine;
  if (!login.proof_ok || engine.status().code() == StatusCode::kUnauthenticated) {
    if (!locked_out) limiter->RecordFailedLogin(user_, client_);
    return engine;
  }
  RETURN_IF_ERROR(engine.status());
  limiter->RecordLogin(user_);
  return std::unique_ptr<pgwire::Engine>(std::make_unique<LimitedEngine>(std::move(*engine), limiter, user_, client_));
}

asio::awaitable<bool> Connection::OpenSession(const pgwire::StartupMessage& startup, const std::string& server_final,
                                              const std::string& key_id) {
  if (end_ != End::kNone) co_return false;
  StatusOr<std::unique_ptr<pgwire::Engine>> engine = InternalError("not opened");
  bool locked_out = false;
  co_await RunOnPool(server_.pool, [&] { engine = OpenEngine(server_final, key_id, locked_out); });
  if (end_ != End::kNone) co_return false;
  if (!engine.ok()) {
    Log("auth.refused", locked_out ? "locked_out" : server_final.empty() ? "bad_proof" : "refused_by_hub", "warning");
    co_await Fatal("28P01", AuthFailed(user_));
    co_return false;
  }
  if (server_.limiter != nullptr) {
    if (!server_.limiter->AcquireConnection(LimitScope::kAccount, user_)) {
      Log("connection.refused", "too_many_connections_for_account", "warning");
      co_await Fatal("53300", "too many connections for role \"" + user_ + "\"");
      co_return false;
    }
    Hold(ConnectionSlot(server_.limiter, LimitScope::kAccount, user_));
  }
  engine_ = std::move(*engine);
  session_ = std::make_unique<pgwire::ProtocolSession>(*engine_);
  session_->SetFlusher([this](Bytes& bytes) { return FlushFromPool(bytes); });
  Bytes out;
  BackendWriter w(out);
  w.AuthenticationSaslFinal(server_final);
  w.AuthenticationOk();
  if (Status s = session_->Start(startup.parameters, out); !s.ok()) {
    Log("startup.refused", "bad_parameter", "warning");
    co_await Write(out);
    co_await Fatal("22023", std::string(s.message()));
    co_return false;
  }
  StatusOr<BackendKey> key = server_.registry.Register(session_.get());
  if (!key.ok()) co_return false;
  key_ = *key;
  w.BackendKeyData(key_->process_id, key_->secret_key);
  w.ReadyForQuery('I');
  co_await Write(out);
  authenticated_ = true;
  Log("auth.ok");
  co_return true;
}

// ---- The session -----------------------------------------------------------

// The client's statement_timeout (SET statement_timeout), as PostgreSQL
// applies it: from the arrival of a Query (all its statements) or an
// Execute; the statement is then cancelled (57014) and the session goes on.
// The server's own [serve.query] timeout runs inside the session too, so
// the shorter of the two wins.
void Connection::ArmStatementTimeout(const std::shared_ptr<StatementTimer>& timer, char message_type) {
  if (message_type != 'Q' && message_type != 'E') return;
  const int64_t ms = session_->statement_timeout_ms();
  if (ms <= 0) return;
  timer->timer.expires_after(std::chrono::milliseconds(ms));
  timer->timer.async_wait([weak = weak_from_this(), timer](boost::system::error_code ec) {
    if (auto self = weak.lock(); !ec && self) self->OnStatementTimeout(timer, true);
  });
}

// Cancels again every kStatementCancelRetry until the message is done: a
// cancel that lands while the statement is still being planned stops nothing.
void Connection::OnStatementTimeout(const std::shared_ptr<StatementTimer>& timer, bool first) {
  if (timer->done || session_ == nullptr) return;
  if (first) Log("statement.timeout", "statement_timeout", "warning");
  session_->Cancel();
  timer->timer.expires_after(kStatementCancelRetry);
  timer->timer.async_wait([weak = weak_from_this(), timer](boost::system::error_code ec) {
    if (auto self = weak.lock(); !ec && self) self->OnStatementTimeout(timer, false);
  });
}

asio::awaitable<void> Connection::Serve() {
  while (end_ == End::kNone) {
    std::optional<std::pair<char, Bytes>> message = co_await ReadMessage();
    if (!message) break;
    Bytes out;
    bool failed = false;
    auto statement_timer = std::make_shared<StatementTimer>(stream_.get_executor());
    ArmStatementTimeout(statement_timer, message->first);
    bool client_gone = false;
    co_await RunOnPool(server_.pool, [&] {
      try {
        session_->Handle(message->first, message->second, out);
      } catch (...) {  // a bug: the session ends, the server goes on
        failed = true;
      }
      // The rows still being written go before the answer's end, and the
      // write must end before the buffer or this connection may go; an idle
      // session keeps no row buffer.
      client_gone = !WaitForFlush().ok();
      Bytes().swap(in_flight_);
    });
    statement_timer->done = true;
    statement_timer->timer.cancel();
    if (client_gone) {  // a write failed: nothing more can reach the client
      Log("connection.write_failed", "client_gone", "warning");
      break;
    }
    if (failed) {
      Log("session.failed", "internal_error", "error");
      co_await Fatal("XX000", "internal error; the session ends");
      break;
    }
    if (cancelled_for_shutdown_) break;  // its answer is the cancel's error: 57P01 says more
    co_await Write(out);
    if (session_->closed()) break;
  }
  if (write_failed_) co_return;  // the wire ends mid-message: nothing may follow
  if (end_ == End::kShutdown) co_await Fatal("57P01", kShutdownMessage);
  if (end_ == End::kDeadline) co_await Fatal("57P05", kIdleMessage);
}

}  // namespace hdhub::server
