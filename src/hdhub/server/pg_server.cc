#include "hdhub/server/pg_server.h"

#include <map>

#include "hdhub/server/connection.h"
#include "hdhub/server/listener.h"
#include "hdhub/server/tls.h"

namespace hdhub::server {

namespace {

// Time a refused client gets to read its error before the socket closes.
constexpr auto kLingerAfterRefusal = std::chrono::seconds(1);
constexpr size_t kLingerBytes = 16 << 10;

// Sends FATAL `sqlstate` and closes, discarding (never reading as a packet)
// what the client sent meanwhile, so that the close does not reset the
// connection before the client has read the error.
asio::awaitable<void> Refuse(tcp::socket socket, std::string sqlstate, std::string message) {
  Bytes out;
  pgwire::BackendWriter(out).ErrorResponse({.severity = "FATAL", .sqlstate = sqlstate, .message = message});
  boost::system::error_code ec;
  co_await asio::async_write(socket, asio::buffer(out), asio::redirect_error(asio::use_awaitable, ec));
  socket.shutdown(tcp::socket::shutdown_send, ec);
  asio::steady_timer timer(socket.get_executor());
  timer.expires_after(kLingerAfterRefusal);
  timer.async_wait([&socket](boost::system::error_code timer_ec) {
    if (timer_ec) return;  // cancelled: the socket may be gone
    boost::system::error_code ignored;
    socket.cancel(ignored);
  });
  std::array<uint8_t, 1024> discard;
  for (size_t total = 0; !ec && total < kLingerBytes;) {
    total += co_await socket.async_read_some(asio::buffer(discard), asio::redirect_error(asio::use_awaitable, ec));
  }
  timer.cancel();
}

}  // namespace

class PgServer::Impl {
 public:
  Impl(ServeConfig config, PgBackend& backend, Logger& log, Limiter* limiter)
      : config_(std::move(config)),
        tls_(asio::ssl::context::tls_server),
        pool_(config_.worker_threads),
        context_{config_, backend, log, tls_, {}, pool_, {}, limiter},
        signals_(io_),
        grace_(io_) {}

  Status Init();
  std::vector<uint16_t> ports() const;
  void Run(bool stop_on_signals);
  void Stop() {
    asio::post(io_, [this] { StopOnIoThread(); });
  }

 private:
  asio::awaitable<void> Accept(tcp::acceptor& acceptor);
  void OnAccepted(tcp::socket socket);
  void StopOnIoThread();
  void OnClosed(uint64_t id);

  ServeConfig config_;
  asio::io_context io_;
  asio::ssl::context tls_;
  asio::thread_pool pool_;
  ServerContext context_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  asio::signal_set signals_;
  asio::steady_timer grace_;
  std::map<uint64_t, std::shared_ptr<Connection>> connections_;  // I/O thread only
  uint64_t next_id_ = 0;
  bool stopping_ = false;
};

Status PgServer::Impl::Init() {
  RETURN_IF_ERROR(ConfigureTls(tls_.native_handle(), config_.tls));
  ASSIGN_OR_RETURN(context_.tls_end_point, TlsServerEndPoint(::SSL_CTX_get0_certificate(tls_.native_handle())));
  for (const ListenAddress& listen : config_.listen) {
    ASSIGN_OR_RETURN(std::unique_ptr<tcp::acceptor> acceptor, Listen(io_, listen));
    acceptors_.push_back(std::move(acceptor));
  }
  return OkStatus();
}

std::vector<uint16_t> PgServer::Impl::ports() const {
  std::vector<uint16_t> out;
  for (const auto& a : acceptors_) out.push_back(a->local_endpoint().port());
  return out;
}

void PgServer::Impl::Run(bool stop_on_signals) {
  if (stop_on_signals) {
    signals_.add(SIGTERM);
    signals_.add(SIGINT);
    signals_.async_wait([this](boost::system::error_code ec, int) {
      if (!ec) StopOnIoThread();
    });
  }
  for (auto& acceptor : acceptors_) {
    context_.log.Log({.event = "server.listening",
                      .listen = acceptor->local_endpoint().address().to_string() + ":" +
                                std::to_string(acceptor->local_endpoint().port())});
    asio::co_spawn(io_, Accept(*acceptor), asio::detached);
  }
  io_.run();  // until stopped and every connection is closed
  pool_.join();
  context_.log.Log({.event = "server.stopped"});
}

asio::awaitable<void> PgServer::Impl::Accept(tcp::acceptor& acceptor) {
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || stopping_) break;
    if (ec) {  // out of file descriptors, say: wait a little rather than spin
      context_.log.Log({.level = "error", .event = "accept.failed"});
      asio::steady_timer pause(io_, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::use_awaitable);
      continue;
    }
    OnAccepted(std::move(socket));
  }
}

void PgServer::Impl::OnAccepted(tcp::socket socket) {
  boost::system::error_code ec;
  const tcp::endpoint peer = socket.remote_endpoint(ec);
  if (ec) return;  // gone already
  const std::string client = peer.address().to_string();
  if (!Allowed(config_.allowed_networks, peer.address())) {
    context_.log.Log({.level = "warning", .event = "connection.refused", .client = client, .reason = "network"});
    asio::co_spawn(io_, Refuse(std::move(socket), "28000", "no access from this address"), asio::detached);
    return;
  }
  if (connections_.size() >= config_.max_connections) {
    context_.log.Log(
        {.level = "warning", .event = "connection.refused", .client = client, .reason = "too_many_connections"});
    asio::co_spawn(io_, Refuse(std::move(socket), "53300", "sorry, too many clients already"), asio::detached);
    return;
  }
  Limiter* limiter = context_.limiter;
  if (limiter != nullptr && !limiter->AcquireConnection(LimitScope::kAddress, client)) {
    context_.log.Log({.level = "warning",
                      .event = "connection.refused",
                      .client = client,
                      .reason = "too_many_connections_from_address"});
    asio::co_spawn(io_, Refuse(std::move(socket), "53300", "too many connections from this address"), asio::detached);
    return;
  }
  const uint64_t id = ++next_id_;
  auto connection = std::make_shared<Connection>(context_, std::move(socket), id, client);
  if (limiter != nullptr) connection->Hold(ConnectionSlot(limiter, LimitScope::kAddress, client));
  connections_.emplace(id, connection);
  context_.log.Log({.event = "connection.accepted", .connection = id, .client = client});
  asio::co_spawn(io_, connection->Run(), [this, id](std::exception_ptr) { OnClosed(id); });
}

void PgServer::Impl::OnClosed(uint64_t id) {
  // An I/O error (the client went away) ends the coroutine by an exception:
  // nothing to do but forget the connection.
  connections_.erase(id);
  if (stopping_ && connections_.empty()) grace_.cancel();
}

void PgServer::Impl::StopOnIoThread() {
  if (stopping_) return;
  stopping_ = true;
  context_.log.Log({.event = "server.stopping"});
  boost::system::error_code ignored;
  signals_.cancel(ignored);
  for (auto& acceptor : acceptors_) acceptor->close(ignored);
  for (auto& [id, connection] : connections_) connection->Stop();
  if (connections_.empty()) return;
  grace_.expires_after(config_.shutdown_grace);
  grace_.async_wait([this](boost::system::error_code ec) {
    if (ec) return;
    context_.log.Log({.level = "warning", .event = "server.cancelling_statements"});
    for (auto& [id, connection] : connections_) connection->CancelForShutdown();
  });
}

StatusOr<std::unique_ptr<PgServer>> PgServer::Create(ServeConfig config, PgBackend& backend, Logger& log,
                                                     Limiter* limiter) {
  auto impl = std::make_unique<Impl>(std::move(config), backend, log, limiter);
  RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<PgServer>(new PgServer(std::move(impl)));
}

PgServer::PgServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
PgServer::~PgServer() = default;
std::vector<uint16_t> PgServer::ports() const { return impl_->ports(); }
void PgServer::Run(bool stop_on_signals) { impl_->Run(stop_on_signals); }
void PgServer::Stop() { impl_->Stop(); }

}  // namespace hdhub::server
