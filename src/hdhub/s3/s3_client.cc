#include "hdhub/s3/s3_client.h"

#include <curl/curl.h>
#include <openssl/evp.h>

#include <algorithm>
#include <cctype>
#include <charconv>
#include <mutex>
#include <thread>
#include <utility>

#include "hdhub/crypto/hash.h"
#include "hdhub/s3/xml.h"

namespace hdhub::s3 {
namespace {

// curl's receive and send buffers: large, so that an 8 MiB body takes a few
// dozen system calls and callbacks rather than hundreds.
constexpr long kReceiveBuffer = 512 * 1024;
constexpr long kSendBuffer = 2 * 1024 * 1024;  // CURLOPT_UPLOAD_BUFFERSIZE's maximum

struct Transfer {
  HttpResponse response;
  FaultAction fault;
  bool stalled = false;
  std::chrono::milliseconds timeout{0};  // the request's (kStall)
  const StreamedBody* streamed_body = nullptr;
  uint64_t streamed = 0;  // bytes of the streamed body handed to curl
  Status read_error;
  CURL* curl = nullptr;
  const BodySink* body_sink = nullptr;
  enum class Sinking { kUndecided, kYes, kNo } sinking = Sinking::kUndecided;
  Status sink_error;
  uint64_t received = 0;  // of the answer's body
};

// For a request with a body sink, on the answer's first bytes: whether they go
// to the sink (a 200 or 206 its start accepts); false also when start refused.
bool Sinks(Transfer& transfer) {
  if (transfer.sinking == Transfer::Sinking::kUndecided) {
    long status = 0;
    curl_easy_getinfo(transfer.curl, CURLINFO_RESPONSE_CODE, &status);
    transfer.response.status = status;
    transfer.sinking = Transfer::Sinking::kNo;
    if (status == 200 || status == 206) {
      transfer.sink_error = transfer.body_sink->start(transfer.response);
      if (transfer.sink_error.ok()) transfer.sinking = Transfer::Sinking::kYes;
    }
  }
  return transfer.sinking == Transfer::Sinking::kYes;
}

size_t OnRead(char* buffer, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  const StreamedBody& body = *transfer->streamed_body;
  const size_t room = size_t(std::min<uint64_t>(size * count, body.size - transfer->streamed));
  if (room == 0) return 0;
  StatusOr<size_t> n = body.read(MutableByteSpan(reinterpret_cast<uint8_t*>(buffer), room));
  if (n.ok() && (*n == 0 || *n > room)) n = InternalError("s3: a streamed body ended before its announced size");
  if (!n.ok()) {
    transfer->read_error = n.status();
    return CURL_READFUNC_ABORT;
  }
  transfer->streamed += *n;
  return *n;
}

size_t OnBody(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  // Cut after the piece that crosses `bytes`, which is handed on first.
  if (transfer->fault.kind == FaultAction::Kind::kCutDownloadAfter && transfer->received >= transfer->fault.bytes) {
    return 0;
  }
  transfer->received += size * count;
  if (transfer->body_sink != nullptr) {
    if (Sinks(*transfer)) {
      transfer->sink_error = transfer->body_sink->piece(ByteSpan(reinterpret_cast<const uint8_t*>(data), size * count));
    }
    if (!transfer->sink_error.ok()) return 0;  // curl stops: CURLE_WRITE_ERROR
    if (transfer->sinking == Transfer::Sinking::kYes) return size * count;
  }
  Bytes& body = transfer->response.body;
  if (body.empty()) {
    // The whole body at once (a ranged GET is up to a part's size), rather
    // than a vector doubling through it: as many bytes as the answer
    // announces, within reason (a lying header costs at most this much).
    auto it = transfer->response.headers.find("content-length");
    uint64_t announced = 0;
    if (it != transfer->response.headers.end() &&
        std::from_chars(it->second.data(), it->second.data() + it->second.size(), announced).ec == std::errc()) {
      body.reserve(size_t(std::min<uint64_t>(announced, kMaxBodyReserve)));
    }
  }
  body.insert(body.end(), data, data + size * count);
  return size * count;
}

size_t OnHeader(char* data, size_t size, size_t count, void* user) {
  auto* transfer = static_cast<Transfer*>(user);
  std::string_view line(data, size * count);
  if (line.starts_with("HTTP/")) transfer->response.headers.clear();  // after a 100 Continue
  size_t colon = line.find(':');
  if (colon == std::string_view::npos) return size * count;
  std::string name(line.substr(0, colon));
  std::transform(name.begin(), name.end(), name.begin(), [](unsigned char c) { return std::tolower(c); });
  std::string_view value = line.substr(colon + 1);
  while (!value.empty() && (value.front() == ' ' || value.front() == '\t')) value.remove_prefix(1);
  while (!value.empty() && (value.back() == '\r' || value.back() == '\n' || value.back() == ' '))
    value.remove_suffix(1);
  transfer->response.headers[name] = std::string(value);
  return size * count;
}

int OnProgress(void* user, curl_off_t, curl_off_t, curl_off_t, curl_off_t uploaded) {
  auto* transfer = static_cast<Transfer*>(user);
  const FaultAction& fault = transfer->fault;
  if (fault.kind == FaultAction::Kind::kCutUploadAfter && static_cast<uint64_t>(uploaded) >= fault.bytes) return 1;
  if (fault.kind == FaultAction::Kind::kStall && !transfer->stalled) {
    transfer->stalled = true;
    std::this_thread::sleep_for(fault.stall);
    // A stall past the request's timeout ends the transfer as curl's timer
    // does, even when the whole answer arrived before this first callback
    // (then curl would finish without looking at its timer: the test flaked
    // on loaded machines).
    if (transfer->timeout.count() > 0 && fault.stall >= transfer->timeout) return 1;
  }
  return 0;
}

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

struct CurlList {
  curl_slist* list = nullptr;
  ~CurlList() { curl_slist_free_all(list); }
  void Add(const std::string& header) { list = curl_slist_append(list, header.c_str()); }
};

// Timeouts, no signals (threads), no proxy for loopback.
void ConfigureTransport(CURL* curl, const S3ClientOptions& options) {
  curl_easy_setopt(curl, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(curl, CURLOPT_NOPROXY, "127.0.0.1,localhost");
  curl_easy_setopt(curl, CURLOPT_CONNECTTIMEOUT_MS, static_cast<long>(options.connect_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_TIMEOUT_MS, static_cast<long>(options.request_timeout.count()));
  curl_easy_setopt(curl, CURLOPT_BUFFERSIZE, kReceiveBuffer);
  curl_easy_setopt(curl, CURLOPT_UPLOAD_BUFFERSIZE, kSendBuffer);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_LIMIT, 1L);
  curl_easy_setopt(curl, CURLOPT_LOW_SPEED_TIME, std::max(1L, static_cast<long>(options.idle_timeout.count() / 1000)));
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(curl, CURLOPT_SSL_VERIFYHOST, 2L);
  if (!options.ca_file.empty()) curl_easy_setopt(curl, CURLOPT_CAINFO, options.ca_file.c_str());
}

// The method, and the body: as POSTFIELDS (curl sends it as is), or read
// as it goes for a streamed body.
void ConfigureMethod(CURL* curl, const HttpRequest& request, CurlList& headers, Transfer& transfer) {
  if (request.streamed_body != nullptr) {
    headers.Add("Content-Type: application/octet-stream");
    curl_easy_setopt(curl, CURLOPT_UPLOAD, 1L);  // a PUT
    curl_easy_setopt(curl, CURLOPT_INFILESIZE_LARGE, static_cast<curl_off_t>(request.streamed_body->size));
    curl_easy_setopt(curl, CURLOPT_READFUNCTION, &OnRead);
    curl_easy_setopt(curl, CURLOPT_READDATA, &transfer);
  } else if (request.method == "HEAD") {
    curl_easy_setopt(curl, CURLOPT_NOBODY, 1L);
  } else if (request.method == "PUT" || request.method == "POST") {
    headers.Add("Content-Type: application/octet-stream");
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
    curl_easy_setopt(curl, CURLOPT_POSTFIELDSIZE_LARGE, static_cast<curl_off_t>(request.body.size()));
    curl_easy_setopt(curl, CURLOPT_POSTFIELDS,
                     request.body.empty() ? "" : reinterpret_cast<const char*>(request.body.data()));
  } else if (request.method != "GET") {
    curl_easy_setopt(curl, CURLOPT_CUSTOMREQUEST, request.method.c_str());
  }
}

void ConfigureCallbacks(CURL* curl, Transfer& transfer) {
  curl_easy_setopt(curl, CURLOPT_WRITEFUNCTION, &OnBody);
  curl_easy_setopt(curl, CURLOPT_WRITEDATA, &transfer);
  curl_easy_setopt(curl, CURLOPT_HEADERFUNCTION, &OnHeader);
  curl_easy_setopt(curl, CURLOPT_HEADERDATA, &transfer);
  if (transfer.fault.kind != FaultAction::Kind::kNone) {
    curl_easy_setopt(curl, CURLOPT_NOPROGRESS, 0L);
    curl_easy_setopt(curl, CURLOPT_XFERINFOFUNCTION, &OnProgress);
    curl_easy_setopt(curl, CURLOPT_XFERINFODATA, &transfer);
  }
}

// What a host under load answers (503 SlowDown), without reaching it.
HttpResponse InjectedAnswer(const FaultAction& fault) {
  HttpResponse response;
  response.status = fault.status;
  response.body =
      ToBytes("<Error><Code>" + std::string(fault.status == 503 ? "SlowDown" : "Injected") + "</Code></Error>");
  return response;
}

// The Content-MD5 header's value (base64, RFC 1864) for an MD5 in hex.
StatusOr<std::string> ContentMd5Header(std::string_view hex) {
  StatusOr<Bytes> md5 = HexDecode(hex);
  if (!md5.ok() || md5->size() != 16) return InvalidArgumentError("s3: a body's MD5 is not 32 hex digits");
  unsigned char text[25];  // 4 * ceil(16 / 3) + NUL
  EVP_EncodeBlock(text, md5->data(), int(md5->size()));
  return std::string(reinterpret_cast<const char*>(text), 24);
}

}  // namespace

std::string HttpResponse::Header(std::string_view name) const {
  auto it = headers.find(std::string(name));
  return it == headers.end() ? std::string() : it->second;
}

StatusOr<std::unique_ptr<S3Client>> S3Client::Create(S3ClientOptions options, std::string access_key_id,
                                                     SecretBytes secret_access_key) {
  const std::string& e = options.endpoint;
  if (!(e.starts_with("http://") || e.starts_with("https://")) || e.find('/', e.find("//") + 2) != std::string::npos ||
      e.find('@') != std::string::npos || e.find('?') != std::string::npos) {
    return InvalidArgumentError("s3 endpoint must be http(s)://host[:port] without a path, user or query");
  }
  if (options.bucket.empty()) return InvalidArgumentError("s3: no bucket given");
  if (access_key_id.empty() || secret_access_key.empty()) return FailedPreconditionError("s3: empty credentials");
  GlobalInit();
  return std::unique_ptr<S3Client>(
      new S3Client(std::move(options), std::move(access_key_id), std::move(secret_access_key)));
}

S3Client::S3Client(S3ClientOptions options, std::string access_key_id, SecretBytes secret_access_key)
    : options_(std::move(options)),
      access_key_id_(std::move(access_key_id)),
      secret_access_key_(std::move(secret_access_key)) {}

S3Client::~S3Client() {
  for (void* handle : idle_) curl_easy_cleanup(static_cast<CURL*>(handle));
}

void* S3Client::Acquire() {
  {
    std::lock_guard<std::mutex> lock(mu_);
    if (!idle_.empty()) {
      void* handle = idle_.back();
      idle_.pop_back();
      return handle;
    }
  }
  return curl_easy_init();
}

void S3Client::Release(void* handle) {
  curl_easy_reset(static_cast<CURL*>(handle));  // keeps the live connections
  std::lock_guard<std::mutex> lock(mu_);
  idle_.push_back(handle);
}

std::string S3Client::Where(std::string_view key) const {
  return "s3://" + options_.bucket + (key.empty() ? "" : "/") + std::string(key);
}

std::string S3Client::Url(const HttpRequest& request) const {
  std::string url = options_.endpoint + "/" + UriEncode(options_.bucket, false);
  if (!request.key.empty()) url += "/" + UriEncode(request.key, true);
  if (!request.query.empty()) url += "?" + CanonicalQuery(request.query);
  return url;
}

StatusOr<HttpResponse> S3Client::Send(const HttpRequest& request) {
  if (request.streamed_body != nullptr && request.method != "PUT") {
    return InvalidArgumentError("s3: a streamed body goes with a PUT only");
  }
  if (request.body_sink != nullptr && request.method != "GET") {
    return InvalidArgumentError("s3: a body sink goes with a GET only");
  }
  Transfer transfer;
  transfer.streamed_body = request.streamed_body;
  transfer.body_sink = request.body_sink;
  transfer.timeout = options_.request_timeout;
  if (options_.fault_hook_for_test) transfer.fault = options_.fault_hook_for_test(request);
  if (transfer.fault.kind == FaultAction::Kind::kRespond) return InjectedAnswer(transfer.fault);
  CURL* curl = static_cast<CURL*>(Acquire());
  if (curl == nullptr) return ResourceExhaustedError("s3: cannot create a curl handle");
  transfer.curl = curl;
  CurlList headers;
  const StreamedBody* streamed = request.streamed_body;
  if (streamed != nullptr && !streamed->content_md5.empty()) {
    ASSIGN_OR_RETURN(std::string md5, ContentMd5Header(streamed->content_md5));
    headers.Add("Content-MD5: " + md5);
    headers.Add("x-amz-content-sha256: UNSIGNED-PAYLOAD");
  } else if (streamed != nullptr && options_.endpoint.starts_with("https://")) {
    headers.Add("x-amz-content-sha256: UNSIGNED-PAYLOAD");
  } else {
    headers.Add("x-amz-content-sha256: " + HexEncode(request.streamed_body != nullptr ? request.streamed_body->sha256
                                                                                      : crypto::Sha256(request.body)));
  }
  for (const std::string& header : request.headers) headers.Add(header);
  const std::string url = Url(request);
  const std::string sigv4 = "aws:amz:" + options_.region + ":s3";
  std::string secret(reinterpret_cast<const char*>(secret_access_key_.data()), secret_access_key_.size());
  curl_easy_setopt(curl, CURLOPT_URL, url.c_str());
  curl_easy_setopt(curl, CURLOPT_AWS_SIGV4, sigv4.c_str());
  curl_easy_setopt(curl, CURLOPT_USERNAME, access_key_id_.c_str());
  curl_easy_setopt(curl, CURLOPT_PASSWORD, secret.c_str());
  SecureWipe(secret.data(), secret.size());
  ConfigureTransport(curl, options_);
  ConfigureMethod(curl, request, headers, transfer);
  curl_easy_setopt(curl, CURLOPT_HTTPHEADER, headers.list);
  ConfigureCallbacks(curl, transfer);
  CURLcode code = curl_easy_perform(curl);
  curl_easy_getinfo(curl, CURLINFO_RESPONSE_CODE, &transfer.response.status);
  Release(curl);
  if (!transfer.read_error.ok()) return transfer.read_error;
  if (!transfer.sink_error.ok()) return transfer.sink_error;
  if (code != CURLE_OK) {
    return UnavailableError("s3: " + request.method + " " + Where(request.key) + ": " + curl_easy_strerror(code));
  }
  if (transfer.fault.kind == FaultAction::Kind::kLoseResponse) {
    return UnavailableError("s3: " + request.method + " " + Where(request.key) +
                            ": connection lost before the answer (injected)");
  }
  return std::move(transfer.response);
}

Status S3Client::HttpError(const HttpResponse& response, std::string_view what, std::string_view key) const {
  std::string code = XmlText(AsStringView(response.body), "Code").value_or("");
  // Only S3's own error codes ([A-Za-z0-9], as XAmzContentSHA256Mismatch) go into the message.
  if (!std::all_of(code.begin(), code.end(), [](unsigned char c) { return std::isalnum(c); })) code.clear();
  std::string message = "s3: " + std::string(what) + " " + Where(key) + ": HTTP " + std::to_string(response.status) +
                        (code.empty() ? "" : " " + code);
  switch (response.status) {
    case 404:
      return NotFoundError(message);
    case 412:
      return AlreadyExistsError(message);
    case 401:
    case 403:
      return PermissionDeniedError(message + " (check the credentials and the bucket's policy)");
    case 416:
      return OutOfRangeError(message);
    case 400:
      if (code == "XAmzContentSHA256Mismatch" || code == "BadDigest") {
        return UnavailableError(message + " (the host received other bytes than were sent)");
      }
      return InvalidArgumentError(message);
    case 501:
      return UnimplementedError(message);
    case 409:
    case 429:
      return UnavailableError(message);
    default:
      break;
  }
  if (response.status >= 500) return UnavailableError(message);
  return UnknownError(message);
}

}  // namespace hdhub::s3
