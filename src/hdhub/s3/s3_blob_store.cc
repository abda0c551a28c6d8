#include "hdhub/s3/s3_blob_store.h"

#include <algorithm>
#include <cctype>
#include <charconv>
#include <cstdlib>
#include <utility>

#include "hdhub/s3/copy_pipe.h"
#include "hdhub/s3/xml.h"

namespace hdhub::s3 {
namespace {

using storage::BlobReader;
using storage::BlobWriter;
using storage::CheckReadRange;
using storage::ObjectInfo;
using storage::ValidateObjectName;
using storage::WriteMode;

// StreamObjectRange's `size` when the caller does not know it: always ranged.
constexpr uint64_t kSizeUnknown = UINT64_MAX;

// The MD5 an ETag states, in lower-case hex: an ETag of 32 hex digits (with
// or without its quotes) is the MD5 of a single-part upload; any other (a
// multipart upload's "<hex>-<parts>", a host's own form) states none: "".
std::string EtagMd5(std::string_view etag) {
  if (etag.size() == 34 && etag.front() == '"' && etag.back() == '"') etag = etag.substr(1, 32);
  StatusOr<Bytes> md5 = etag.size() == 32 ? HexDecode(etag) : StatusOr<Bytes>(InvalidArgumentError("not an MD5"));
  return md5.ok() ? HexEncode(*md5) : std::string();
}

bool ParseUint(std::string_view text, uint64_t& out) {
  auto [end, error] = std::from_chars(text.data(), text.data() + text.size(), out);
  return error == std::errc() && end == text.data() + text.size() && !text.empty();
}

// Bucket names as S3 allows them (3..63 of [a-z0-9.-], starting and ending
// alphanumeric); path-style addressing needs nothing more.
bool ValidBucket(std::string_view bucket) {
  if (bucket.size() < 3 || bucket.size() > 63) return false;
  if (!std::isalnum(static_cast<unsigned char>(bucket.front())) ||
      !std::isalnum(static_cast<unsigned char>(bucket.back()))) {
    return false;
  }
  return std::all_of(bucket.begin(), bucket.end(),
                     [](char c) { return (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '.' || c == '-'; });
}

Status ApplyParameter(const std::string& name, const std::string& value, S3Options& options) {
  uint64_t number = 0;
  auto need_number = [&]() -> Status {
    if (!ParseUint(value, number)) return InvalidArgumentError("s3 URI: " + name + " must be a whole number");
    return OkStatus();
  };
  using std::chrono::milliseconds;
  if (name == "endpoint") {
    options.client.endpoint = value;
  } else if (name == "region") {
    options.client.region = value;
  } else if (name == "ca_file") {
    if (!value.starts_with("/")) return InvalidArgumentError("s3 URI: ca_file must be an absolute path");
    options.client.ca_file = value;
  } else if (name == "conditional_create") {
    if (value == "if-none-match")
      options.conditional_create = ConditionalCreate::kIfNoneMatch;
    else if (value == "single-writer")
      options.conditional_create = ConditionalCreate::kSingleWriter;
    else
      return InvalidArgumentError("s3 URI: conditional_create must be if-none-match or single-writer");
  } else if (name == "part_size_mib") {
    RETURN_IF_ERROR(need_number());
    options.part_size = number * 1024 * 1024;
  } else if (name == "parallel_parts") {
    RETURN_IF_ERROR(need_number());
    options.parallel_parts = static_cast<int>(std::clamp<uint64_t>(number, 1, 64));
  } else if (name == "buffer_mib") {
    RETURN_IF_ERROR(need_number());
    options.retry_buffer = std::min<uint64_t>(number, 5 * 1024) * 1024 * 1024;
  } else if (name == "copy_put_max_mib") {
    RETURN_IF_ERROR(need_number());
    options.copy_put_max = std::min<uint64_t>(number, 5 * 1024) * 1024 * 1024;
  } else if (name == "retries") {
    RETURN_IF_ERROR(need_number());
    options.retries = static_cast<int>(std::clamp<uint64_t>(number, 1, 100));
  } else if (name == "timeout_ms") {
    RETURN_IF_ERROR(need_number());
    options.client.request_timeout = milliseconds(number);
  } else if (name == "connect_timeout_ms") {
    RETURN_IF_ERROR(need_number());
    options.client.connect_timeout = milliseconds(number);
  } else if (name == "idle_timeout_ms") {
    RETURN_IF_ERROR(need_number());
    options.client.idle_timeout = milliseconds(number);
  } else {
    return InvalidArgumentError("s3 URI: unknown parameter '" + name +
                                "' (credentials go in HDHUB_S3_ACCESS_KEY_ID / HDHUB_S3_SECRET_ACCESS_KEY)");
  }
  return OkStatus();
}

class S3Reader : public BlobReader {
 public:
  S3Reader(S3BlobStore* store, std::string name, uint64_t size, std::string etag)
      : store_(store), name_(std::move(name)), size_(size), etag_(std::move(etag)) {}

  uint64_t size() const override { return size_; }

  Status ReadAt(uint64_t offset, MutableByteSpan out) override {
    RETURN_IF_ERROR(CheckReadRange(name_, offset, out.size(), size_));
    if (out.empty()) return OkStatus();
    ASSIGN_OR_RETURN(Bytes got, store_->GetObjectRange(name_, offset, out.size(), etag_));
    std::copy(got.begin(), got.end(), out.begin());
    return OkStatus();
  }

  Status ReadStream(uint64_t offset, uint64_t length, const Sink& sink) override {
    RETURN_IF_ERROR(CheckReadRange(name_, offset, length, size_));
    if (length == 0) return OkStatus();
    return store_->StreamObjectRange(name_, offset, length, size_, etag_, sink);
  }

  std::string content_md5() const override { return EtagMd5(etag_); }

 private:
  S3BlobStore* const store_;
  const std::string name_;
  const uint64_t size_;
  const std::string etag_;
};

}  // namespace

StatusOr<S3Options> S3BlobStore::ParseUri(std::string_view rest) {
  if (!rest.starts_with("//")) return InvalidArgumentError("s3 URI must look like s3://bucket/prefix?endpoint=...");
  rest.remove_prefix(2);
  std::string_view query;
  if (size_t q = rest.find('?'); q != std::string_view::npos) {
    query = rest.substr(q + 1);
    rest = rest.substr(0, q);
  }
  std::string_view authority = rest.substr(0, rest.find('/'));
  if (authority.find('@') != std::string_view::npos || authority.find(':') != std::string_view::npos) {
    return InvalidArgumentError(
        "s3 URI: credentials are not accepted in the URI; set HDHUB_S3_ACCESS_KEY_ID and HDHUB_S3_SECRET_ACCESS_KEY");
  }
  S3Options options;
  options.client.bucket = std::string(authority);
  if (!ValidBucket(options.client.bucket)) return InvalidArgumentError("s3 URI: invalid bucket name");
  if (authority.size() < rest.size()) {
    options.prefix = std::string(rest.substr(authority.size() + 1));
    while (!options.prefix.empty() && options.prefix.back() == '/') options.prefix.pop_back();
    if (!options.prefix.empty() && !ValidateObjectName(options.prefix).ok()) {
      return InvalidArgumentError("s3 URI: the prefix must follow the object name rules ([a-z0-9._/-])");
    }
  }
  while (!query.empty()) {
    std::string_view pair = query.substr(0, query.find('&'));
    query.remove_prefix(std::min(query.size(), pair.size() + 1));
    size_t eq = pair.find('=');
    std::string name, value;
    if (eq == std::string_view::npos || !UriDecode(pair.substr(0, eq), name) ||
        !UriDecode(pair.substr(eq + 1), value)) {
      return InvalidArgumentError("s3 URI: query parameters must be name=value");
    }
    RETURN_IF_ERROR(ApplyParameter(name, value, options));
  }
  if (options.client.endpoint.empty()) return InvalidArgumentError("s3 URI: endpoint= is required");
  return options;
}

StatusOr<std::unique_ptr<storage::BlobStore>> S3BlobStore::FromUri(std::string_view rest) {
  ASSIGN_OR_RETURN(S3Options options, ParseUri(rest));
  const char* key_id = std::getenv("HDHUB_S3_ACCESS_KEY_ID");
  const char* secret = std::getenv("HDHUB_S3_SECRET_ACCESS_KEY");
  if (key_id == nullptr || *key_id == '\0' || secret == nullptr || *secret == '\0') {
    return FailedPreconditionError("s3: set HDHUB_S3_ACCESS_KEY_ID and HDHUB_S3_SECRET_ACCESS_KEY");
  }
  SecretBytes secret_bytes(AsBytes(secret));
  storage::RetryOptions retry;
  retry.max_attempts = options.retries;
  const uint64_t buffer = options.retry_buffer;
  ASSIGN_OR_RETURN(auto store, Create(std::move(options), key_id, std::move(secret_bytes)));
  return std::unique_ptr<storage::BlobStore>(
      std::make_unique<storage::RetryingBlobStore>(std::move(store), retry, buffer));
}

StatusOr<std::unique_ptr<S3BlobStore>> S3BlobStore::Create(S3Options options, std::string access_key_id,
                                                           SecretBytes secret_access_key) {
  if (!ValidBucket(options.client.bucket)) return InvalidArgumentError("s3: invalid bucket name");
  if (!options.prefix.empty()) RETURN_IF_ERROR(ValidateObjectName(options.prefix));
  if (options.part_size < kMinPartSize || options.part_size > kMaxPartSize) {
    return InvalidArgumentError("s3: part size must be between 5 MiB and 5 GiB");
  }
  options.parallel_parts = std::max(options.parallel_parts, 1);
  options.list_page_size = std::clamp(options.list_page_size, 1, 1000);
  ASSIGN_OR_RETURN(auto client,
                   S3Client::Create(options.client, std::move(access_key_id), std::move(secret_access_key)));
  return std::unique_ptr<S3BlobStore>(new S3BlobStore(std::move(options), std::move(client)));
}

S3BlobStore::S3BlobStore(S3Options options, std::unique_ptr<S3Client> client)
    : options_(std::move(options)), client_(std::move(client)), request_retrier_(options_.request_retry) {}

std::string S3BlobStore::Key(std::string_view name) const {
  return options_.prefix.empty() ? std::string(name) : options_.prefix + "/" + std::string(name);
}

std::string S3BlobStore::Describe() const {
  return "s3://" + options_.client.bucket + (options_.prefix.empty() ? "" : "/" + options_.prefix) +
         "?endpoint=" + options_.client.endpoint + "&region=" + options_.client.region;
}

Status S3BlobStore::PutObject(std::string_view name, ByteSpan data, WriteMode mode) {
  if (data.size() > kMaxSinglePut) return ResourceExhaustedError("s3: " + std::string(name) + " exceeds 5 GiB");
  const std::string key = Key(name);
  HttpRequest request{.method = "PUT", .key = key, .body = data};
  if (mode == WriteMode::kIfAbsent) {
    if (options_.conditional_create == ConditionalCreate::kSingleWriter) {
      StatusOr<HttpResponse> head = Head(name);
      if (head.ok()) return AlreadyExistsError("s3: " + client_->Where(key) + " already exists");
      if (head.status().code() != StatusCode::kNotFound) return head.status();
    } else {
      request.headers.push_back("If-None-Match: *");
    }
  }
  ASSIGN_OR_RETURN(HttpResponse response, client_->Send(request));
  if (response.status == 200) return OkStatus();
  if (response.status == 501 && mode == WriteMode::kIfAbsent) {
    return FailedPreconditionError("s3: the host of " + client_->Where(key) +
                                   " does not support conditional PUT (If-None-Match); use "
                                   "conditional_create=single-writer only if this hub is the prefix's one writer");
  }
  return client_->HttpError(response, "PUT", key);
}

Status S3BlobStore::Put(std::string_view name, ByteSpan data, WriteMode mode) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  if (mode == WriteMode::kIfAbsent || data.size() <= options_.part_size) return PutObject(name, data, mode);
  ASSIGN_OR_RETURN(auto writer, NewWriter(name, mode));
  RETURN_IF_ERROR(writer->Append(data));
  return writer->Commit();
}

StatusOr<std::unique_ptr<BlobWriter>> S3BlobStore::NewWriter(std::string_view name, WriteMode mode) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  return NewS3Writer(this, std::string(name), mode);
}

Status S3BlobStore::PutFrom(std::string_view name, BlobReader& source, const crypto::Digest& sha256) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  const uint64_t size = source.size();
  if (size > options_.copy_put_max) return BlobStore::PutFrom(name, source, sha256);
  if (size == 0 && crypto::Sha256({}) != sha256) return storage::CopyHashMismatch(name);
  CopyPipe pipe(source, sha256, std::string(name));
  StreamedBody body{
      .size = size, .sha256 = sha256, .content_md5 = source.content_md5(), .read = [&](MutableByteSpan out) {
        return pipe.Read(out);
      }};
  const std::string key = Key(name);
  ASSIGN_OR_RETURN(HttpResponse response, client_->Send({.method = "PUT", .key = key, .streamed_body = &body}));
  if (response.status == 200) return OkStatus();
  return client_->HttpError(response, "PUT", key);
}

StatusOr<HttpResponse> S3BlobStore::Head(std::string_view name) {
  const std::string key = Key(name);
  ASSIGN_OR_RETURN(HttpResponse response, client_->Send({.method = "HEAD", .key = key}));
  if (response.status != 200) return client_->HttpError(response, "HEAD", key);
  return response;
}

StatusOr<ObjectInfo> S3BlobStore::Stat(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  ASSIGN_OR_RETURN(HttpResponse response, Head(name));
  uint64_t size = 0;
  if (!ParseUint(response.Header("content-length"), size)) {
    return UnavailableError("s3: HEAD " + client_->Where(Key(name)) + " gave no Content-Length");
  }
  return ObjectInfo{std::string(name), size};
}

StatusOr<Bytes> S3BlobStore::Get(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  const std::string key = Key(name);
  ASSIGN_OR_RETURN(HttpResponse response, client_->Send({.method = "GET", .key = key}));
  if (response.status != 200) return client_->HttpError(response, "GET", key);
  return std::move(response.body);
}

Status S3BlobStore::StreamObjectRange(std::string_view name, uint64_t offset, uint64_t length, uint64_t size,
                                      const std::string& etag, const storage::BlobReader::Sink& sink) {
  const std::string key = Key(name);
  HttpRequest request{.method = "GET", .key = key};
  const bool whole = offset == 0 && length == size;
  if (!whole) {
    request.headers.push_back("Range: bytes=" + std::to_string(offset) + "-" + std::to_string(offset + length - 1));
  }
  uint64_t skip = 0, taken = 0;  // a 200 to a ranged GET (the host ignored the range) is cut to size here
  BodySink body{
      .start =
          [&](const HttpResponse& head) {
            if (!etag.empty() && head.Header("etag") != etag) {
              return FailedPreconditionError("s3: " + client_->Where(key) + " was replaced since the reader opened it");
            }
            skip = head.status == 200 ? offset : 0;
            return OkStatus();
          },
      .piece =
          [&](ByteSpan piece) {
            const size_t drop = size_t(std::min<uint64_t>(skip, piece.size()));
            skip -= drop;
            piece = piece.subspan(drop);
            piece = piece.first(size_t(std::min<uint64_t>(piece.size(), length - taken)));
            if (piece.empty()) return OkStatus();
            taken += piece.size();
            return sink(piece);
          }};
  request.body_sink = &body;
  ASSIGN_OR_RETURN(HttpResponse response, client_->Send(request));
  if (response.status == 416) {
    ASSIGN_OR_RETURN(ObjectInfo info, Stat(name));
    RETURN_IF_ERROR(CheckReadRange(name, offset, length, info.size));
    return UnavailableError("s3: GET " + client_->Where(key) + ": range refused, object changed meanwhile");
  }
  if (response.status != 206 && response.status != 200) return client_->HttpError(response, "GET", key);
  if (taken == length) return OkStatus();
  // Short: the range goes past the end (OutOfRange), or the answer was cut.
  const std::string range = response.Header("content-range");
  const size_t slash = range.rfind('/');
  uint64_t total = 0;
  if (response.status == 200
          ? ParseUint(response.Header("content-length"), total)
          : slash != std::string::npos && ParseUint(std::string_view(range).substr(slash + 1), total)) {
    RETURN_IF_ERROR(CheckReadRange(name, offset, length, total));
  }
  return UnavailableError("s3: GET " + client_->Where(key) + ": short range answer");
}

StatusOr<Bytes> S3BlobStore::GetObjectRange(std::string_view name, uint64_t offset, uint64_t length,
                                            const std::string& etag) {
  Bytes out;
  out.reserve(size_t(std::min<uint64_t>(length, kMaxBodyReserve)));
  RETURN_IF_ERROR(StreamObjectRange(name, offset, length, kSizeUnknown, etag, [&](ByteSpan piece) {
    out.insert(out.end(), piece.begin(), piece.end());
    return OkStatus();
  }));
  return out;
}

StatusOr<Bytes> S3BlobStore::GetRange(std::string_view name, uint64_t offset, uint64_t length) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  if (length == 0 || offset + length < offset) {
    ASSIGN_OR_RETURN(ObjectInfo info, Stat(name));
    RETURN_IF_ERROR(CheckReadRange(name, offset, length, info.size));
    return Bytes();
  }
  return GetObjectRange(name, offset, length, "");
}

StatusOr<std::unique_ptr<BlobReader>> S3BlobStore::OpenReader(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  ASSIGN_OR_RETURN(HttpResponse response, Head(name));
  uint64_t size = 0;
  if (!ParseUint(response.Header("content-length"), size)) {
    return UnavailableError("s3: HEAD " + client_->Where(Key(name)) + " gave no Content-Length");
  }
  return std::unique_ptr<BlobReader>(
      std::make_unique<S3Reader>(this, std::string(name), size, response.Header("etag")));
}

StatusOr<std::vector<ObjectInfo>> S3BlobStore::List(std::string_view prefix) {
  const std::string key_prefix =
      options_.prefix.empty() ? std::string(prefix) : options_.prefix + "/" + std::string(prefix);
  const size_t strip = options_.prefix.empty() ? 0 : options_.prefix.size() + 1;
  std::vector<ObjectInfo> out;
  std::string token;
  for (;;) {
    HttpRequest request{.method = "GET"};
    request.query = {{"list-type", "2"}, {"max-keys", std::to_string(options_.list_page_size)}};
    if (!key_prefix.empty()) request.query.emplace_back("prefix", key_prefix);
    if (!token.empty()) request.query.emplace_back("continuation-token", token);
    ASSIGN_OR_RETURN(HttpResponse response, client_->Send(request));
    if (response.status != 200) return client_->HttpError(response, "LIST", key_prefix);
    std::string_view xml = AsStringView(response.body);
    std::vector<std::string> keys = XmlTexts(xml, "Key");
    std::vector<std::string> sizes = XmlTexts(xml, "Size");
    if (keys.size() != sizes.size())
      return UnavailableError("s3: LIST " + client_->Where(key_prefix) + ": malformed answer");
    for (size_t i = 0; i < keys.size(); ++i) {
      uint64_t size = 0;
      if (keys[i].size() <= strip || !ParseUint(sizes[i], size)) continue;
      std::string name = keys[i].substr(strip);
      if (ValidateObjectName(name).ok()) out.push_back({std::move(name), size});  // skips foreign keys
    }
    if (XmlText(xml, "IsTruncated").value_or("false") != "true") break;
    token = XmlText(xml, "NextContinuationToken").value_or("");
    if (token.empty())
      return UnavailableError("s3: LIST " + client_->Where(key_prefix) + ": truncated without a token");
  }
  std::sort(out.begin(), out.end(), [](const ObjectInfo& a, const ObjectInfo& b) { return a.name < b.name; });
  return out;
}

Status S3BlobStore::Delete(std::string_view name) {
  RETURN_IF_ERROR(ValidateObjectName(name));
  RETURN_IF_ERROR(Head(name).status());
  const std::string key = Key(name);
  ASSIGN_OR_RETURN(HttpResponse response, client_->Send({.method = "DELETE", .key = key}));
  if (response.status != 204 && response.status != 200) return client_->HttpError(response, "DELETE", key);
  return OkStatus();
}

StatusOr<S3BlobStore::Uploads> S3BlobStore::ListUploads() {
  HttpRequest request{.method = "GET", .query = {{"uploads", ""}}};
  if (!options_.prefix.empty()) request.query.emplace_back("prefix", options_.prefix + "/");
  ASSIGN_OR_RETURN(HttpResponse response, client_->Send(request));
  if (response.status != 200) return client_->HttpError(response, "LIST uploads", options_.prefix);
  const std::string_view xml = AsStringView(response.body);
  Uploads out{XmlTexts(xml, "Key"), XmlTexts(xml, "UploadId")};
  if (out.keys.size() != out.ids.size()) {
    return UnavailableError("the S3 host's list of uploads under '" + options_.prefix + "' is malformed");
  }
  return out;
}

StatusOr<int> S3BlobStore::CountMultipartUploadsForTest() {
  ASSIGN_OR_RETURN(Uploads uploads, ListUploads());
  return static_cast<int>(uploads.ids.size());
}

StatusOr<uint64_t> S3BlobStore::AbortUnfinishedWrites() {
  uint64_t aborted = 0;
  // Each listing returns up to 1000; aborted ones leave it, so list again
  // (a host that keeps listing aborted uploads is not waited on for ever).
  constexpr int kMaxRounds = 1000;
  for (int round = 0; round < kMaxRounds; ++round) {
    ASSIGN_OR_RETURN(Uploads uploads, ListUploads());
    if (uploads.ids.empty()) return aborted;
    for (size_t i = 0; i < uploads.ids.size(); ++i) {
      HttpRequest request{.method = "DELETE", .key = uploads.keys[i], .query = {{"uploadId", uploads.ids[i]}}};
      ASSIGN_OR_RETURN(HttpResponse response, client_->Send(request));
      if (response.status != 204 && response.status != 200 && response.status != 404) {
        return client_->HttpError(response, "abort upload of", uploads.keys[i]);
      }
      ++aborted;
    }
  }
  return UnavailableError("the S3 host still lists unfinished uploads under '" + options_.prefix +
                          "' after aborting them");
}

}  // namespace hdhub::s3
