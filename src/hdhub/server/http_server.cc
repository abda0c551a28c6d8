#include "hdhub/server/http_server.h"

#include <array>
#include <boost/asio.hpp>
#include <boost/asio/ssl.hpp>
#include <boost/asio/use_future.hpp>
#include <boost/beast/core.hpp>
#include <boost/beast/http.hpp>
#include <boost/beast/ssl.hpp>
#include <chrono>
#include <filesystem>
#include <functional>
#include <map>

#include "hdhub/server/http_admission.h"
#include "hdhub/server/listener.h"
#include "hdhub/server/static_files.h"
#include "hdhub/server/tls.h"

namespace hdhub::server {

namespace asio = boost::asio;
namespace beast = boost::beast;
namespace http = beast::http;
using tcp = asio::ip::tcp;

namespace {

// After refusing a request that did not parse or was too large, what the
// client still sends (say the rest of a body beyond the limit) is read and
// dropped for this long, up to this much: closing a socket with unread bytes
// resets the connection, and the client would lose the 413 it was sent.
constexpr auto kDrainTime = std::chrono::seconds(1);
constexpr size_t kMaxDrainBytes = 64u << 20;

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
        admission_(limiter != nullptr ? std::make_unique<AccountAdmission>(*limiter, log) : nullptr),
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
    bool busy = false;    // a request is being handled
    ConnectionSlot slot;  // its address's, while it lives
    Conn(tcp::socket socket, asio::ssl::context& tls) : stream(std::move(socket), tls) {}
  };

  // A request's streamed answer (ResponseStream), written from the worker
  // thread that produces it: each piece is handed to the I/O thread, and
  // the producer waits until it is written (at most http_header_timeout).
  class ConnectionStream final : public ResponseStream {
   public:
    ConnectionStream(Impl& impl, Conn& conn, unsigned version, std::string request_id)
        : impl_(impl), conn_(conn), version_(version), request_id_(std::move(request_id)) {}
    Status Begin(const HttpResponse& head) override;
    Status Write(std::string_view bytes) override;
    bool begun() const { return begun_; }
    bool failed() const { return failed_; }

   private:
    Status Run(std::function<asio::awaitable<boost::system::error_code>()> op);
    Impl& impl_;
    Conn& conn_;
    unsigned version_;
    std::string request_id_;
    bool begun_ = false;
    bool failed_ = false;
  };
  // An upload's spooled body, removed when the request ends.
  struct UploadFile {
    std::filesystem::path path;
    void Remove() {
      std::error_code ignored;
      if (!path.empty()) std::filesystem::remove(path, ignored);
      path.clear();
    }
    ~UploadFile() { Remove(); }
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
  std::unique_ptr<AccountAdmission> admission_;  // the limiter's per-account limits, if any
  std::unique_ptr<StaticFiles> portal_;          // [serve] portal_dir, if set
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
  if (!config_.portal_dir.empty()) {
    ASSIGN_OR_RETURN(portal_, StaticFiles::Create(config_.portal_dir));
  }
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
    http::request_parser<http::empty_body> head;
    head.header_limit(kHttpMaxHeaderBytes);
    tcp_stream.expires_after(first || config_.http_idle_timeout.count() == 0 ? config_.http_header_timeout
                                                                             : config_.http_idle_timeout);
    first = false;
    co_await http::async_read_header(stream, buffer, head, asio::redirect_error(asio::use_awaitable, ec));
    tcp_stream.expires_after(config_.http_header_timeout);
    const auto started = std::chrono::steady_clock::now();
    const std::string request_id = NewRequestId();
    HttpResponse answer;
    bool keep_alive = false;
    bool refused = true;  // the request did not parse: drain before closing
    unsigned version = 11;
    HttpRequest request{.client = client, .request_id = request_id};
    UploadFile upload;  // removed at the end of the request, whatever happens
    if (!ec) {
      const auto& h = head.get();
      version = h.version();
      request.method = std::string(h.method_string());
      request.target = std::string(h.target());
      request.authorization = std::string(h[http::field::authorization]);
      request.accept = std::string(h[http::field::accept]);
      request.content_type = std::string(h[http::field::content_type]);
      request.cookie = std::string(h[http::field::cookie]);
      request.origin = std::string(h[http::field::origin]);
      request.csrf_token = std::string(h["X-CSRF-Token"]);
      // A declared body over the limit is refused before it is sent (a
      // client waiting for 100 Continue sends none).
      const uint64_t limit =
          IsUploadRoute(request.method, request.target) ? config_.http_max_upload_bytes : config_.http_max_body_bytes;
      if (head.content_length().value_or(0) > limit) {
        ec = http::error::body_limit;
      } else if (beast::iequals(h[http::field::expect], "100-continue")) {
        http::response<http::empty_body> go_on{http::status::continue_, version};
        co_await http::async_write(stream, go_on, asio::redirect_error(asio::use_awaitable, ec));
      }
    }
    if (!ec && IsUploadRoute(request.method, request.target)) {
      // An ingest upload: spooled to the scratch area, its own limit, the
      // header timeout between two reads rather than for the whole body.
      http::request_parser<http::file_body> parser{std::move(head)};
      parser.body_limit(config_.http_max_upload_bytes);
      StatusOr<std::filesystem::path> path = api_.NewUploadFile();
      if (path.ok()) {
        upload.path = *path;
        parser.get().body().open(path->c_str(), beast::file_mode::write_new, ec);
      }
      if (!path.ok() || ec) {
        answer = ProblemFor(InternalError("no upload file"), request_id);
        ec = {};
        request.method.clear();  // answered, and the connection closed
      } else {
        while (!ec && !parser.is_done()) {
          tcp_stream.expires_after(config_.http_header_timeout);
          co_await http::async_read_some(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
        }
        parser.get().body().close();
        request.body_file = upload.path;
        if (!ec) keep_alive = parser.get().keep_alive();
      }
    } else if (!ec) {
      http::request_parser<http::string_body> parser{std::move(head)};
      parser.body_limit(config_.http_max_body_bytes);
      co_await http::async_read(stream, buffer, parser, asio::redirect_error(asio::use_awaitable, ec));
      if (!ec) {
        keep_alive = parser.get().keep_alive();
        request.body = std::move(parser.get().body());
      }
    }
    if (ec == http::error::body_limit) {
      answer = Problem(413, "the request body is too large", request_id);
    } else if (ec == http::error::header_limit) {
      answer = Problem(431, "the request header is too large", request_id);
    } else if (ec == http::error::end_of_stream || ec == asio::error::eof || ec == beast::error::timeout ||
               ec == asio::error::operation_aborted || ec == asio::ssl::error::stream_truncated) {
      break;
    } else if (ec) {
      answer = Problem(400, "malformed HTTP request", request_id);
    } else if (!request.method.empty()) {
      refused = false;
      conn->busy = true;
      tcp_stream.expires_never();
      ConnectionStream out(*this, *conn, version, request_id);
      request.stream = &out;
      // On the worker pool: the Service may take a while. A streamed answer
      // is written from there, chunk by chunk, on this I/O thread.
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
      upload.Remove();  // before the client hears the answer
      if (answer.streamed || out.begun()) {
        if (!answer.cut && !out.failed()) {
          tcp_stream.expires_after(config_.http_header_timeout);
          co_await asio::async_write(stream, http::make_chunk_last(), asio::redirect_error(asio::use_awaitable, ec));
        }
        log_.Log({.level = answer.cut ? "error" : "info",
                  .event = "http.request",
                  .connection = id,
                  .client = client,
                  .duration_seconds = Seconds(started),
                  .request_id = request_id,
                  .http_status = 200});
        if (ec || answer.cut || out.failed() || !keep_alive || stopping_) break;
        continue;
      }
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
    if (request.method == "HEAD") res.body().clear();  // its Content-Length stays the GET's
    tcp_stream.expires_after(config_.http_header_timeout);
    co_await http::async_write(stream, res, asio::redirect_error(asio::use_awaitable, ec));
    log_.Log({.level = answer.status >= 500 ? "error" : "info",
              .event = "http.request",
              .connection = id,
              .client = client,
              .duration_seconds = Seconds(started),
              .request_id = request_id,
              .http_status = answer.status});
    if (!ec && refused) {
      tcp_stream.expires_after(kDrainTime);
      std::array<char, 16384> dropped;
      size_t drained = 0;
      while (!ec && drained < kMaxDrainBytes) {
        drained +=
            co_await stream.async_read_some(asio::buffer(dropped), asio::redirect_error(asio::use_awaitable, ec));
      }
    }
    if (ec || !res.keep_alive()) break;
  }
  tcp_stream.expires_after(std::chrono::seconds(2));
  co_await stream.async_shutdown(asio::redirect_error(asio::use_awaitable, ec));
  tcp_stream.close();
}

Status HttpServer::Impl::ConnectionStream::Run(std::function<asio::awaitable<boost::system::error_code>()> op) {
  if (failed_) return UnavailableError("the client is gone");
  boost::system::error_code ec = asio::co_spawn(impl_.io_, std::move(op), asio::use_future).get();
  if (ec) {
    failed_ = true;
    return UnavailableError("the client is gone");
  }
  return OkStatus();
}

Status HttpServer::Impl::ConnectionStream::Begin(const HttpResponse& head) {
  begun_ = true;
  http::response<http::empty_body> res{static_cast<http::status>(head.status), version_};
  res.set(http::field::server, "hdhub");
  res.set("X-Request-Id", request_id_);
  res.set(http::field::cache_control, "no-store");
  if (!head.content_type.empty()) res.set(http::field::content_type, head.content_type);
  for (const auto& [name, value] : head.headers) res.set(name, value);
  res.chunked(true);
  http::response_serializer<http::empty_body> serializer{res};
  return Run([&]() -> asio::awaitable<boost::system::error_code> {
    boost::system::error_code ec;
    beast::get_lowest_layer(conn_.stream).expires_after(impl_.config_.http_header_timeout);
    co_await http::async_write_header(conn_.stream, serializer, asio::redirect_error(asio::use_awaitable, ec));
    beast::get_lowest_layer(conn_.stream).expires_never();
    co_return ec;
  });
}

Status HttpServer::Impl::ConnectionStream::Write(std::string_view bytes) {
  if (bytes.empty()) return OkStatus();
  return Run([&]() -> asio::awaitable<boost::system::error_code> {
    boost::system::error_code ec;
    beast::get_lowest_layer(conn_.stream).expires_after(impl_.config_.http_header_timeout);
    co_await asio::async_write(conn_.stream, http::make_chunk(asio::const_buffer(bytes.data(), bytes.size())),
                               asio::redirect_error(asio::use_awaitable, ec));
    beast::get_lowest_layer(conn_.stream).expires_never();
    co_return ec;
  });
}

HttpResponse HttpServer::Impl::Handle(HttpRequest& request) {
  if (limiter_ == nullptr) {
    return portal_ && StaticFiles::IsPortalTarget(request.target) ? portal_->Serve(request) : api_.Handle(request);
  }
  if (!limiter_->AllowRequest(LimitScope::kAddress, request.client)) {
    log_.Log({.level = "warning",
              .event = "http.refused",
              .client = request.client,
              .reason = "too_many_requests_from_address",
              .request_id = request.request_id});
    HttpResponse answer = Problem(429, "too many requests from this address; retry in a moment", request.request_id);
    answer.headers.emplace_back("Retry-After", "1");
    return answer;
  }
  if (portal_ && StaticFiles::IsPortalTarget(request.target)) return portal_->Serve(request);
  // A locked-out address is answered, and audited, as a wrong token is.
  const bool bearer = !request.authorization.empty();
  const bool locked_out = bearer && limiter_->LockedOut("", request.client);
  if (locked_out) request.authorization = "Bearer locked-out";
  HttpResponse answer = api_.Handle(request, admission_.get());
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
