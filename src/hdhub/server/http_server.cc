#include "hdhub/server/http_server.h"

#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <map>

#include "hdhub/server/listener.h"
#include "hdhub/server/tls.h"

namespace hdhub::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

constexpr uint32_t kMaxHeaderBytes = 16 << 10;

double Seconds(std::chrono::steady_clock::time_point since) {
  return std::chrono::duration<double>(std::chrono::steady_clock::now() - since).count();
}

}  // namespace

class HttpServer::Impl {
 public:
  Impl(ServeConfig config, HttpApi& api, Logger& log, Limiter* limiter)
      : config_(std::move(config)),
        api_(api),
        log_(log),
        limiter_(limiter),
        tls_(asio::ssl::context::tls_server),
        pool_(config_.worker_threads) {}

  Status Init();
  std::vector<uint16_t> ports() const;
  void Run();
  void Stop() {
    asio::post(io_, [this] { StopOnIoThread(); });
  }

 private:
  using Stream = beast::ssl_stream<beast::tcp_stream>;
  struct Conn {
    Stream stream;
    bool busy = false;  // a request is being handled
    ConnectionSlot slot;  // its address's, while it lives
    Conn(tcp::socket socket, asio::ssl::context& tls) : stream(std::move(socket), tls) {}
  };

  asio::awaitable<void> Accept(tcp::acceptor& acceptor);
  asio::awaitable<void> Serve(std::shared_ptr<Conn> conn, uint64_t id, std::string client);
  void StopOnIoThread();
  // api_.Handle under the limiter's request rate and lockout (on the pool).
  HttpResponse Handle(HttpRequest& request);

  ServeConfig config_;
  HttpApi& api_;
  Logger& log_;
  Limiter* limiter_;
  asio::io_context io_;
  asio::ssl::context tls_;
  asio::thread_pool pool_;
  std::vector<std::unique_ptr<tcp::acceptor>> acceptors_;
  std::map<uint64_t, std::shared_ptr<Conn>> connections_;  // I/O thread only
  uint64_t next_id_ = 0;
  bool stopping_ = false;
};

Status HttpServer::Impl::Init() {
  RETURN_IF_ERROR(ConfigureTls(tls_.native_handle(), config_.tls));
  for (const ListenAddress& listen : config_.http_listen) {
    ASSIGN_OR_RETURN(auto acceptor, Listen(io_, listen));
    acceptors_.push_back(std::move(acceptor));
  }
  return OkStatus();
}

std::vector<uint16_t> HttpServer::Impl::ports() const {
  std::vector<uint16_t> out;
  for (const auto& a : acceptors_) out.push_back(a->local_endpoint().port());
  return out;
}

void HttpServer::Impl::Run() {
  for (auto& acceptor : acceptors_) {
    log_.Log({.event = "http.listening",
              .listen = acceptor->local_endpoint().address().to_string() + ":" +
                        std::to_string(acceptor->local_endpoint().port())});
    asio::co_spawn(io_, Accept(*acceptor), asio::detached);
  }
  io_.run();
  pool_.join();
  log_.Log({.event = "http.stopped"});
}

asio::awaitable<void> HttpServer::Impl::Accept(tcp::acceptor& acceptor) {
  while (!stopping_) {
    boost::system::error_code ec;
    tcp::socket socket = co_await acceptor.async_accept(asio::redirect_error(asio::use_awaitable, ec));
    if (ec == asio::error::operation_aborted || stopping_) break;
    if (ec) {
      log_.Log({.level = "error", .event = "http.accept_failed"});
      asio::steady_timer pause(io_, std::chrono::milliseconds(100));
      co_await pause.async_wait(asio::use_awaitable);
      continue;
    }
    const tcp::endpoint peer = socket.remote_endpoint(ec);
    if (ec) continue;
    const std::string client = peer.address().to_string();
    const bool allowed = Allowed(config_.allowed_networks, peer.address());
    if (!allowed || connections_.size() >= config_.max_connections) {
      log_.Log({.level = "warning",
                .event = "http.refused",
                .client = client,
                .reason = allowed ? "too_many_connections" : "network"});
      socket.close(ec);
      continue;
    }
    if (limiter_ != nullptr && !limiter_->AcquireConnection(LimitScope::kAddress, client)) {
      log_.Log({.level = "warning",
                .event = "http.refused",
                .client = client,
                .reason = "too_many_connections_from_address"});
      socket.close(ec);
      continue;
    }
    const uint64_t id = ++next_id_;
    auto conn = std::make_shared<Conn>(std::move(socket), tls_);
    if (limiter_ != nullptr) conn->slot = ConnectionSlot(limiter_, LimitScope::kAddress, client);
    connections_.emplace(id, conn);
    asio::co_spawn(io_, Serve(conn, id, client), [this, id](std::exception_ptr) { connections_.erase(id); });
  }
}

asio::awaitable<void> HttpServer::Impl::Serve(std::shared_ptr<Conn> conn, uint64_t id, std::string client) {
  Stream& stream = conn->stream;
  beast::tcp_stream& tcp_stream = beast::get_lowest_layer(stream);
  boost::system::error_code ec;
  tcp_stream.expires_after(config_.http_header_timeout);
  co_await stream.async_handshake(asio::ssl::stream_base::server, asio::redirect_error(asio::use_awaitable, ec));
  if (ec) {
    log_.Log({.level = "warning", .event = "http.tls_failed", .connection = id, .client = client});
    co_return;
  }
  beast::flat_buffer buffer;
  bool first = true;
  while (!stopping_) {
    // The idle wait for the next request's first byte, then the header timeout for the rest.
    http::request_parser<http::string_body> parser;
    parser.header_limit(kMaxHeaderBytes);
    parser.body_limit(config_.http_max_body_bytes);
    tcp_stream.expires_after(first || config_.http_idle_timeout.count() == 0 ? config_.http_header_timeout
                                                                             : config_.http_idle_timeout);
    first = false;
    if (buffer.size() == 0) {
      co_await http::async_read_header(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      tcp_stream.expires_after(config_.http_header_timeout);
      if (!ec) co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    } else {
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
    }
    const auto started = std::chrono::steady_clock::now();
    const std::string request_id = NewRequestId();
    HttpResponse answer;
    bool keep_alive = false;
    unsigned version = 11;
    if (ec == http::error::body_limit) {
      answer = Problem(413, "the request body is too large", request_id);
    } else if (ec == http::error::header_limit) {
      answer = Problem(431, "the request header is too large", request_id);
    } else if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
               ec == asio::error::operation_aborted || ec == asio::ssl::error::stream_truncated) {
      break;
    } else if (ec) {
      answer = Problem(400, "malformed HTTP request", request_id);
    } else {
      http::request<http::string_body> req = parser.release();
      keep_alive = req.keep_alive();
      version = req.version();
      HttpRequest request{.method = std::string(req.method_string()),
                          .target = std::string(req.target()),
                          .authorization = std::string(req[http::field::authorization]),
                          .accept = std::string(req[http::field::accept]),
                          .body = std::move(req.body()),
                          .client = client,
                          .request_id = request_id};
      conn->busy = true;
      tcp_stream.expires_never();
      // On the worker pool: the Service may take a while.
      answer = co_await asio::co_spawn(
          pool_,
          [&]() -> asio::awaitable<HttpResponse> {
            try {
              co_return Handle(request);
            } catch (const std::exception&) {  // a bug: answered 500, the connection goes on
              co_return Problem(500, "the request could not be completed; quote the request id to an operator",
                                request_id);
            }
          },
          asio::use_awaitable);
      conn->busy = false;
    }
    http::response<http::string_body> res{static_cast<http::status>(answer.status), version};
    res.set(http::field::server, "hdhub");
    res.set("X-Request-Id", request_id);
    res.set(http::field::cache_control, "no-store");
    if (!answer.content_type.empty()) res.set(http::field::content_type, answer.content_type);
    for (const auto& [name, value] : answer.headers) res.set(name, value);
    res.body() = std::move(answer.body);
    res.keep_alive(keep_alive && !stopping_);
    res.prepare_payload();
    tcp_stream.expires_after(config_.http_header_timeout);
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    log_.Log({.level = answer.status >= 500 ? "error" : "info",
              .event = "http.request",
              .connection = id,
              .client = client,
              .duration_seconds = Seconds(started),
              .request_id = request_id,
              .http_status = answer.status});
    if (ec || !res.keep_alive()) break;
  }
  tcp_stream.expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  tcp_stream.close();
}

HttpResponse HttpServer::Impl::Handle(HttpRequest& request) {
  if (limiter_ == nullptr) return api_.Handle(request);
  if (!limiter_->AllowRequest(LimitScope::kAddress, request.client)) {
    HttpResponse answer = Problem(429, "too many requests from this address; retry in a moment", request.request_id);
    answer.headers.emplace_back("Retry-After", "1");
    return answer;
  }
  // A locked-out address is answered, and audited, as a wrong token is.
  const bool bearer = !request.authorization.empty();
  const bool locked_out = bearer && limiter_->LockedOut("", request.client);
  if (locked_out) request.authorization = "Bearer locked-out";
  HttpResponse answer = api_.Handle(request);
  if (bearer && !locked_out && answer.status == 401) limiter_->RecordFailedLogin("", request.client);
  return answer;
}

void HttpServer::Impl::StopOnIoThread() {
  if (stopping_) return;
  stopping_ = true;
  log_.Log({.event = "http.stopping"});
  boost::system::error_code ignored;
  for (auto& acceptor : acceptors_) acceptor->close(ignored);
  // Idle connections end now; a request being handled is answered first.
  for (auto& [id, conn] : connections_) {
    if (!conn->busy) beast::get_lowest_layer(conn->stream).cancel();
  }
}

StatusOr<std::unique_ptr<HttpServer>> HttpServer::Create(ServeConfig config, HttpApi& api, Logger& log,
                                                         Limiter* limiter) {
  auto impl = std::make_unique<Impl>(std::move(config), api, log, limiter);
  RETURN_IF_ERROR(impl->Init());
  return std::unique_ptr<HttpServer>(new HttpServer(std::move(impl)));
}

HttpServer::HttpServer(std::unique_ptr<Impl> impl) : impl_(std::move(impl)) {}
HttpServer::~HttpServer() = default;
std::vector<uint16_t> HttpServer::ports() const { return impl_->ports(); }
void HttpServer::Run() { impl_->Run(); }
void HttpServer::Stop() { impl_->Stop(); }

}  // namespace hdhub::server
