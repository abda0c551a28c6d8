// S3BlobStore: the `s3://` host backend, objects in one bucket of an S3
// server (tested against Ceph radosgw; scripts/rgw-start), over S3Client.
//
//   s3://BUCKET[/PREFIX]?endpoint=http://127.0.0.1:7480[&region=us-east-1]
//       [&conditional_create=if-none-match|single-writer][&part_size_mib=8]
//       [&parallel_parts=4][&retries=6][&timeout_ms=0][&connect_timeout_ms=10000]
//       [&idle_timeout_ms=30000][&copy_put_max_mib=256][&ca_file=/abs/ca.pem]
//
// Object `name` is stored under key PREFIX/name (or name). Credentials come
// from the environment only, HDHUB_S3_ACCESS_KEY_ID and
// HDHUB_S3_SECRET_ACCESS_KEY (the secret goes straight into SecretBytes); a
// URI carrying user information is refused. docs/hosts.md has the details.
//
// - Put and the writer of an object up to one part: one PUT. Larger objects
//   (kOverwrite): multipart upload, parts of `part_size` (>= 5 MiB, the S3
//   minimum; the part size doubles every 1000 parts so 10000 parts reach
//   far past 5 TiB), `parallel_parts` uploaded at once, each part request
//   retried; any failure aborts the upload, so nothing half-visible remains.
// - PutFrom (a copy of an object whose SHA-256 is on record; host
//   migration): up to `copy_put_max` bytes, one PUT whose body is streamed
//   from the source as it is sent (one GET when the source is on S3; see
//   copy_pipe.h); the bytes are hashed on the way and the last ones go out
//   only if all of them match the record, else the PUT is aborted
//   unfinished. The host checks the transfer too: the source's MD5 (its
//   ETag) as Content-MD5 when it states one, else over http the recorded
//   SHA-256 as the SigV4 payload hash; over https TLS does (StreamedBody).
//   Larger objects: the multipart writer
//   (a kill -9 inside costs one part rather than the object).
// - kIfAbsent: `If-None-Match: *` on a single PUT (412 = AlreadyExists).
//   radosgw 16 ignores that header on CompleteMultipartUpload and on
//   CopyObject, so a kIfAbsent writer keeps its object in memory and sends one
//   conditional PUT at Commit (S3's single-PUT limit: 5 GiB, else
//   ResourceExhausted). A host answering 501 to conditional PUTs (Swift
//   s3api, maybe OVH) gives FailedPrecondition unless the URI says
//   conditional_create=single-writer, which does HEAD then PUT: correct only
//   when no other process writes under the prefix (the hub's own lock).
// - Readers remember the object's ETag at OpenReader; a range read that gets
//   another ETag (the object was replaced) fails with FailedPrecondition
//   rather than mix versions.
// - Delete is HEAD (for NotFound) then DELETE.
// - Errors: see S3Client::HttpError; transport failures are Unavailable.
//   FromUri wraps the store in a RetryingBlobStore (`retries` attempts).
//
// Ownership: the store owns its client; readers and writers refer to the
// store, which must outlive them. Thread-safety: as BlobStore.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/s3/s3_client.h"
#include "hdhub/storage/blob_store.h"
#include "hdhub/storage/retrying_blob_store.h"

namespace hdhub::s3 {

enum class ConditionalCreate { kIfNoneMatch, kSingleWriter };

struct S3Options {
  S3ClientOptions client;
  std::string prefix;  // "" or a valid object name
  uint64_t part_size = 8 * 1024 * 1024;
  int parallel_parts = 4;
  int list_page_size = 1000;  // max-keys per ListObjectsV2 page
  ConditionalCreate conditional_create = ConditionalCreate::kIfNoneMatch;
  storage::RetryOptions request_retry;  // for each multipart request
  int retries = 6;                      // FromUri: attempts of the RetryingBlobStore
  // FromUri: objects up to this size are held in memory and written with one
  // retried PUT; larger ones stream (multipart) as they are written.
  uint64_t retry_buffer = storage::RetryingBlobStore::kDefaultStreamThreshold;
  uint64_t copy_put_max = 256 * 1024 * 1024;  // PutFrom: one streamed PUT up to this size
};

inline constexpr uint64_t kMinPartSize = 5 * 1024 * 1024;
inline constexpr uint64_t kMaxPartSize = 5ull * 1024 * 1024 * 1024;
inline constexpr uint64_t kMaxSinglePut = 5ull * 1024 * 1024 * 1024;
inline constexpr int kMaxParts = 10000;

class S3BlobStore : public storage::BlobStore {
 public:
  // InvalidArgument for a bad bucket, prefix, endpoint or part size.
  static StatusOr<std::unique_ptr<S3BlobStore>> Create(S3Options options, std::string access_key_id,
                                                       SecretBytes secret_access_key);
  // Parses "//bucket/prefix?..." (the part after "s3:"); InvalidArgument
  // naming the parameter, never echoing a credential.
  static StatusOr<S3Options> ParseUri(std::string_view rest);
  // Registry factory for "s3:": ParseUri, credentials from the environment
  // (FailedPrecondition when unset), wrapped in a RetryingBlobStore.
  static StatusOr<std::unique_ptr<storage::BlobStore>> FromUri(std::string_view rest);

  Status Put(std::string_view name, ByteSpan data, storage::WriteMode mode = storage::WriteMode::kOverwrite) override;
  StatusOr<std::unique_ptr<storage::BlobWriter>> NewWriter(
      std::string_view name, storage::WriteMode mode = storage::WriteMode::kOverwrite) override;
  Status PutFrom(std::string_view name, storage::BlobReader& source, const crypto::Digest& sha256) override;
  StatusOr<Bytes> Get(std::string_view name) override;
  StatusOr<Bytes> GetRange(std::string_view name, uint64_t offset, uint64_t length) override;
  StatusOr<std::unique_ptr<storage::BlobReader>> OpenReader(std::string_view name) override;
  StatusOr<storage::ObjectInfo> Stat(std::string_view name) override;
  StatusOr<std::vector<storage::ObjectInfo>> List(std::string_view prefix) override;
  Status Delete(std::string_view name) override;
  // Aborts every multipart upload in progress under the prefix.
  StatusOr<uint64_t> AbortUnfinishedWrites() override;
  std::string Describe() const override;

  // Multipart uploads in progress under the prefix (they should be none once
  // writers are gone): for tests of aborts.
  StatusOr<int> CountMultipartUploadsForTest();

  // For the reader and the multipart writer.
  S3Client& client() { return *client_; }
  const S3Options& options() const { return options_; }
  const storage::Retrier& request_retrier() const { return request_retrier_; }
  std::string Key(std::string_view name) const;
  // One PUT of the whole object, conditional for kIfAbsent.
  Status PutObject(std::string_view name, ByteSpan data, storage::WriteMode mode);
  // A ranged GET; checks the ETag when `etag` is not empty.
  StatusOr<Bytes> GetObjectRange(std::string_view name, uint64_t offset, uint64_t length, const std::string& etag);
  // The same range in one GET (none when it is the whole object of `size`
  // bytes), handed to `sink` as it arrives; Unavailable when the answer ends
  // early (the bytes the sink took stay taken: RetryingBlobStore resumes).
  Status StreamObjectRange(std::string_view name, uint64_t offset, uint64_t length, uint64_t size,
                           const std::string& etag, const storage::BlobReader::Sink& sink);

 private:
  S3BlobStore(S3Options options, std::unique_ptr<S3Client> client);
  StatusOr<HttpResponse> Head(std::string_view name);
  // The multipart uploads in progress under the prefix: keys (the host's,
  // with the prefix) and upload ids, in the same order.
  struct Uploads {
    std::vector<std::string> keys;
    std::vector<std::string> ids;
  };
  StatusOr<Uploads> ListUploads();

  const S3Options options_;
  const std::unique_ptr<S3Client> client_;
  const storage::Retrier request_retrier_;
};

// The multipart-capable writer (s3_multipart.cc).
std::unique_ptr<storage::BlobWriter> NewS3Writer(S3BlobStore* store, std::string name, storage::WriteMode mode);

}  // namespace hdhub::s3
