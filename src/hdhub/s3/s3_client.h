// S3Client: signed HTTP requests to one bucket of an S3 host, on libcurl with
// CURLOPT_AWS_SIGV4. It fills the gaps of Debian 12's libcurl 7.88 SigV4
// (infra.md section 1): it sends x-amz-content-sha256 itself (the hex SHA-256
// of the body, which the host verifies; for a streamed body, UNSIGNED-PAYLOAD
// where its MD5 or TLS vouches for it: StreamedBody), and builds path and
// query in
// canonical form (sigv4.h). Path-style addressing: <endpoint>/<bucket>/<key>.
//
// Connections are reused: finished curl handles go back to a pool (a handle
// keeps its connection cache across curl_easy_reset). Requests carry a
// connect timeout, an optional total timeout, and a low-speed limit (a
// transfer idle for `idle_timeout` fails), so a host that stops answering
// gives Unavailable rather than a hang.
//
// The secret key is held in SecretBytes; it is handed to curl for each
// request (curl keeps its own copy while the handle lives) and is never part
// of a message, a URL or Describe().
//
// Ownership: owns its curl handles. Thread-safety: Send may be called from
// several threads at once.
#pragma once

#include <chrono>
#include <cstdint>
#include <functional>
#include <map>
#include <memory>
#include <mutex>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/s3/sigv4.h"

namespace hdhub::s3 {

// The most an answer's announced length reserves in memory at once.
inline constexpr uint64_t kMaxBodyReserve = 64 * 1024 * 1024;

// A PUT's body read as it is sent: `size` bytes whose SHA-256 the sender
// already knows (`sha256`, sent as the SigV4 payload hash, which the host
// checks before it stores anything). `read` fills the front of the span it is
// given with the next bytes and says how many (0 only at the end); an error
// aborts the request before it is complete, and Send returns that error.
//
// The host need not hash the whole body again when something else vouches
// for the transfer: when `content_md5` (32 hex digits) is set (a copy's
// source host said it), the payload goes as UNSIGNED-PAYLOAD with a
// Content-MD5 header the host checks (radosgw: 400 BadDigest); over https,
// whose records TLS authenticates, it goes as UNSIGNED-PAYLOAD (the sender
// vouches for the bytes: a copy sends its last ones only once all hash to
// `sha256`). Otherwise `sha256` is the SigV4 payload hash the host checks.
struct StreamedBody {
  uint64_t size = 0;
  crypto::Digest sha256{};
  std::string content_md5;
  std::function<StatusOr<size_t>(MutableByteSpan out)> read;
};

struct HttpResponse;

// A GET's body handed on as it arrives rather than kept in the response, when
// the answer is 200 or 206 (any other answer's body is kept for its error).
// `start` sees the answer's status and headers before the first byte and may
// refuse it; `piece` takes the bytes in order. An error from either stops
// the transfer and is what Send returns.
struct BodySink {
  std::function<Status(const HttpResponse& head)> start;
  std::function<Status(ByteSpan piece)> piece;
};

struct HttpRequest {
  std::string method = "GET";  // GET, HEAD, PUT, POST, DELETE
  std::string key;             // object key; "" for the bucket itself
  QueryParams query;
  std::vector<std::string> headers;  // "Name: value"
  ByteSpan body;
  const StreamedBody* streamed_body = nullptr;  // a PUT's body instead of `body`
  const BodySink* body_sink = nullptr;          // a GET's body, streamed
};

struct HttpResponse {
  long status = 0;
  std::map<std::string, std::string> headers;  // names in lower case
  Bytes body;
  std::string Header(std::string_view name) const;
};

// A fault the test hook asks Send to inject into one request (ForTest).
struct FaultAction {
  enum class Kind {
    kNone,
    kRespond,           // answer `status` without reaching the host (503 storms, 429 SlowDown)
    kLoseResponse,      // send the request, then report the connection lost (the write happened)
    kCutUploadAfter,    // abort the connection once `bytes` of the body are sent
    kCutDownloadAfter,  // abort the connection once `bytes` of the answer's body came in
    kStall,             // stall `stall` before the transfer goes on (runs into timeouts)
  };
  Kind kind = Kind::kNone;
  long status = 503;
  uint64_t bytes = 0;
  std::chrono::milliseconds stall{0};
};
using FaultHookForTest = std::function<FaultAction(const HttpRequest&)>;

struct S3ClientOptions {
  std::string endpoint;  // "http://127.0.0.1:7480": scheme, host, optional port
  std::string region = "us-east-1";
  std::string bucket;
  std::chrono::milliseconds connect_timeout{10'000};
  std::chrono::milliseconds idle_timeout{30'000};  // low-speed limit: no byte for this long
  std::chrono::milliseconds request_timeout{0};    // whole request; 0 = none
  // PEM certificates an https endpoint's certificate must chain to, instead
  // of the system's (a host with a private CA); "" = the system's. The
  // peer and its name are always verified.
  std::string ca_file;
  FaultHookForTest fault_hook_for_test;
};

class S3Client {
 public:
  static StatusOr<std::unique_ptr<S3Client>> Create(S3ClientOptions options, std::string access_key_id,
                                                    SecretBytes secret_access_key);
  ~S3Client();
  S3Client(const S3Client&) = delete;
  S3Client& operator=(const S3Client&) = delete;

  // Performs the request. Any HTTP status is a response (the caller maps it
  // with HttpError); transport failures (refused, reset, timed out) are
  // Unavailable naming the bucket and key.
  StatusOr<HttpResponse> Send(const HttpRequest& request);

  // The Status for a failed response to an operation on `key`:
  // 404 NotFound, 412 AlreadyExists, 403 PermissionDenied, 416 OutOfRange,
  // 400 InvalidArgument (but 400 XAmzContentSHA256Mismatch, the host having
  // received other bytes than were sent: Unavailable, worth another attempt),
  // 501 Unimplemented, 409/429/5xx Unavailable, other
  // codes Unknown. The message names s3://bucket/key, the HTTP status and the
  // S3 error code (e.g. SlowDown), never a credential.
  Status HttpError(const HttpResponse& response, std::string_view what, std::string_view key) const;

  // "s3://bucket/key".
  std::string Where(std::string_view key) const;
  const S3ClientOptions& options() const { return options_; }

 private:
  S3Client(S3ClientOptions options, std::string access_key_id, SecretBytes secret_access_key);
  void* Acquire();
  void Release(void* handle);
  std::string Url(const HttpRequest& request) const;

  const S3ClientOptions options_;
  const std::string access_key_id_;
  const SecretBytes secret_access_key_;
  std::mutex mu_;
  std::vector<void*> idle_;  // guarded by mu_; CURL* handles
};

}  // namespace hdhub::s3
