// Internal to pg_server.cc and connection.cc: one client connection of a
// PgServer, from the first packet to its close, as a coroutine on the
// server's I/O thread (see pg_server.h for the protocol it follows).
//
// Every member is used on the I/O thread only, except what the worker pool
// runs inside RunOnPool (the backend, the session).
#pragma once

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <chrono>
#include <future>
#include <map>
#include <memory>
#include <optional>
#include <string>

#include "hdhub/pgwire/protocol.h"
#include "hdhub/pgwire/session.h"
#include "hdhub/server/config.h"
#include "hdhub/server/limits.h"
#include "hdhub/server/log.h"
#include "hdhub/server/pg_backend.h"
#include "hdhub/server/session_registry.h"

namespace hdhub::server {

namespace asio = boost::asio;
using tcp = asio::ip::tcp;

// What connections share; owned by the server, outlives them.
struct ServerContext {
  const ServeConfig& config;
  PgBackend& backend;
  Logger& log;
  asio::ssl::context& tls;
  Bytes tls_end_point;  // for SCRAM-SHA-256-PLUS
  asio::thread_pool& pool;
  SessionRegistry registry;
  Limiter* limiter = nullptr;  // none: no per-account or per-address limit
};

// Runs `f` on the worker pool; resumes on the caller's executor when done.
template <typename F>
asio::awaitable<void> RunOnPool(asio::thread_pool& pool, F f) {
  co_await asio::co_spawn(
      pool.get_executor(),
      [&f]() -> asio::awaitable<void> {
        f();
        co_return;
      },
      asio::use_awaitable);
}

class Connection : public std::enable_shared_from_this<Connection> {
 public:
  Connection(ServerContext& server, tcp::socket socket, uint64_t id, std::string client);
  ~Connection();

  // Keeps `slot` (its address's connection slot) until the connection ends.
  void Hold(ConnectionSlot slot) { slots_.push_back(std::move(slot)); }
  asio::awaitable<void> Run();
  // Shutdown (I/O thread): a connection not yet authenticated closes now, an
  // idle session ends 57P01 now, a busy one once its statement is done.
  void Stop();
  // Shutdown, after the grace period: cancels the running statement; its
  // client then gets FATAL 57P01 alone, as from PostgreSQL.
  void CancelForShutdown();

 private:
  enum class End { kNone, kShutdown, kDeadline };

  asio::awaitable<std::optional<pgwire::StartupMessage>> Negotiate();
  asio::awaitable<bool> StartTls();
  asio::awaitable<bool> Authenticate(const pgwire::StartupMessage& startup);
  asio::awaitable<std::optional<std::string>> Scram(pgwire::ScramServer& scram, bool& client_left);
  asio::awaitable<bool> OpenSession(const pgwire::StartupMessage& startup, const std::string& server_final,
                                    const std::string& key_id);
  // The backend's engine for this login (the lockout and the failed-login
  // count applied), or its refusal; when limited, the engine is rate-limited.
  StatusOr<std::unique_ptr<pgwire::Engine>> OpenEngine(const std::string& server_final, const std::string& key_id,
                                                       bool& locked_out);
  asio::awaitable<void> Serve();
  asio::awaitable<void> ShutdownTls();

  asio::awaitable<std::optional<Bytes>> ReadStartupPacket();
  asio::awaitable<std::optional<std::pair<char, Bytes>>> ReadMessage();
  asio::awaitable<void> Read(uint8_t* data, size_t size);
  asio::awaitable<void> Write(const Bytes& bytes);
  // The session's flusher, on a pool thread: hands `bytes` to the stream's
  // executor to write and returns with `bytes` empty, so that the session
  // renders the next rows while these are encrypted and sent; waits first for
  // the write it started before (at most one in flight, two buffers).
  Status FlushFromPool(Bytes& bytes);
  // Waits for the write FlushFromPool started, if any: called after each
  // message, before anything else is written to the client. Unavailable
  // once any flush failed (then nothing more may be written).
  Status WaitForFlush();
  // Sends FATAL `sqlstate` `message` (the connection then closes).
  asio::awaitable<void> Fatal(std::string_view sqlstate, std::string message);

  void ArmDeadline(std::chrono::seconds after);
  // The statement_timeout of one message; `done` once it is answered. Shared
  // with the timer's handler, which may be queued when the message ends.
  struct StatementTimer {
    explicit StatementTimer(const asio::any_io_executor& executor) : timer(executor) {}
    asio::steady_timer timer;
    bool done = false;
  };
  void ArmStatementTimeout(const std::shared_ptr<StatementTimer>& timer, char message_type);
  void OnStatementTimeout(const std::shared_ptr<StatementTimer>& timer, bool first);
  void Interrupt(End why);
  void Log(std::string_view event, std::string_view reason = {}, std::string_view level = "info");

  ServerContext& server_;
  asio::ssl::stream<tcp::socket> stream_;
  asio::steady_timer deadline_;
  const uint64_t id_;
  const std::string client_;
  const std::chrono::steady_clock::time_point started_ = std::chrono::steady_clock::now();
  bool tls_ = false;
  bool authenticated_ = false;
  bool waiting_for_message_ = false;
  bool cancelled_for_shutdown_ = false;
  End end_ = End::kNone;
  std::string user_, database_;
  std::unique_ptr<pgwire::Engine> engine_;  // destroyed after the session
  std::unique_ptr<pgwire::ProtocolSession> session_;
  std::optional<BackendKey> key_;  // while registered
  std::vector<ConnectionSlot> slots_;  // released when the connection ends
  Bytes in_flight_;                    // the rows FlushFromPool is writing (pool thread, then the stream's executor)
  std::optional<std::future<boost::system::error_code>> in_flight_written_;
  bool write_failed_ = false;  // a flush's write failed (pool thread)
};

}  // namespace hdhub::server
