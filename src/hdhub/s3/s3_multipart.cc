// The s3:// writer: one PUT for a small object, a multipart upload for a large
// one (see s3_blob_store.h). Parts go up `parallel_parts` at a time, each
// request retried (an UploadPart of the same number replaces the earlier
// one, so retrying it is safe); any failure aborts the upload.
#include <deque>
#include <future>
#include <optional>
#include <utility>

#include "hdhub/s3/s3_blob_store.h"
#include "hdhub/s3/xml.h"
#include "hdhub/storage/checked_blob_writer.h"

namespace hdhub::s3 {
namespace {

using storage::BlobWriter;
using storage::WriteMode;

class S3Writer : public storage::CheckedBlobWriter {
 public:
  S3Writer(S3BlobStore* store, std::string name, WriteMode mode)
      : CheckedBlobWriter(std::move(name)), store_(store), key_(store->Key(this->name())), mode_(mode) {}

  ~S3Writer() override {
    if (!upload_id_.empty() && !completed_) Abort();
  }

 private:
  Status DoCommit() override {
    if (upload_id_.empty()) return store_->PutObject(name(), buffer_, mode_);
    if (!buffer_.empty()) RETURN_IF_ERROR(SubmitPart(std::move(buffer_)));
    Status status = DrainAll();
    if (status.ok()) status = Complete();
    if (status.ok()) completed_ = true;
    return status;  // the destructor aborts an upload that did not complete
  }

  // The size of part `number` (from 1): part_size, doubled every 1000 parts.
  uint64_t PartSize(int number) const {
    uint64_t size = store_->options().part_size << std::min((number - 1) / 1000, 10);
    return std::min(size, kMaxPartSize);
  }

  Status DoAppend(ByteSpan data) override {
    if (mode_ == WriteMode::kIfAbsent) {
      // Conditional create is honoured on a single PUT only (s3_blob_store.h).
      if (bytes_written() + data.size() > kMaxSinglePut) {
        return ResourceExhaustedError("s3: " + name() + ": a create-if-absent object is limited to 5 GiB");
      }
      buffer_.insert(buffer_.end(), data.begin(), data.end());
      return OkStatus();
    }
    while (!data.empty()) {
      uint64_t room = PartSize(next_part_) - buffer_.size();
      size_t n = static_cast<size_t>(std::min<uint64_t>(room, data.size()));
      buffer_.insert(buffer_.end(), data.begin(), data.begin() + static_cast<long>(n));
      data = data.subspan(n);
      // A full part waits for the next byte: the last part may be the only one.
      if (buffer_.size() == PartSize(next_part_) && !data.empty()) {
        Bytes part;
        part.swap(buffer_);
        RETURN_IF_ERROR(SubmitPart(std::move(part)));
      }
    }
    return OkStatus();
  }

  Status SubmitPart(Bytes part) {
    if (upload_id_.empty()) RETURN_IF_ERROR(CreateUpload());
    if (next_part_ > kMaxParts) return ResourceExhaustedError("s3: " + name() + " needs more than 10000 parts");
    while (static_cast<int>(in_flight_.size()) >= store_->options().parallel_parts) RETURN_IF_ERROR(DrainOne());
    int number = next_part_++;
    in_flight_.push_back(
        std::async(std::launch::async, [this, number, part = std::move(part)] { return UploadPart(number, part); }));
    return OkStatus();
  }

  Status CreateUpload() {
    std::optional<std::string> id;
    RETURN_IF_ERROR(store_->request_retrier().Run([&](int) -> Status {
      ASSIGN_OR_RETURN(HttpResponse response,
                       store_->client().Send({.method = "POST", .key = key_, .query = {{"uploads", ""}}}));
      if (response.status != 200) return store_->client().HttpError(response, "start multipart upload of", key_);
      id = XmlText(AsStringView(response.body), "UploadId");
      return OkStatus();
    }));
    if (!id.has_value() || id->empty()) return UnavailableError("s3: no UploadId for " + store_->client().Where(key_));
    upload_id_ = *id;
    return OkStatus();
  }

  StatusOr<std::string> UploadPart(int number, const Bytes& part) {
    std::string etag;
    RETURN_IF_ERROR(store_->request_retrier().Run([&](int) -> Status {
      HttpRequest request{.method = "PUT", .key = key_, .body = part};
      request.query = {{"partNumber", std::to_string(number)}, {"uploadId", upload_id_}};
      ASSIGN_OR_RETURN(HttpResponse response, store_->client().Send(request));
      if (response.status != 200) return store_->client().HttpError(response, "upload part of", key_);
      etag = response.Header("etag");
      return OkStatus();
    }));
    if (etag.empty()) return UnavailableError("s3: no ETag for a part of " + store_->client().Where(key_));
    return etag;
  }

  Status DrainOne() {
    StatusOr<std::string> etag = in_flight_.front().get();
    in_flight_.pop_front();
    if (!etag.ok()) return etag.status();
    etags_.push_back(*std::move(etag));
    return OkStatus();
  }

  Status DrainAll() {
    Status first;
    while (!in_flight_.empty()) {
      Status status = DrainOne();
      if (first.ok()) first = status;
    }
    return first;
  }

  Status Complete() {
    std::string xml = "<CompleteMultipartUpload>";
    for (size_t i = 0; i < etags_.size(); ++i) {
      xml += "<Part><PartNumber>" + std::to_string(i + 1) + "</PartNumber><ETag>" + XmlEscape(etags_[i]) +
             "</ETag></Part>";
    }
    xml += "</CompleteMultipartUpload>";
    bool ambiguous = false;
    return store_->request_retrier().Run([&](int) -> Status {
      HttpRequest request{.method = "POST", .key = key_, .query = {{"uploadId", upload_id_}}, .body = AsBytes(xml)};
      StatusOr<HttpResponse> response = store_->client().Send(request);
      if (!response.ok()) {
        ambiguous = true;
        return response.status();
      }
      // A 200 may still carry an <Error> (S3 reports late failures so).
      if (response->status == 200 && XmlText(AsStringView(response->body), "Code").has_value()) {
        ambiguous = true;
        return UnavailableError("s3: completing the upload of " + store_->client().Where(key_) + " failed late");
      }
      if (response->status == 404 && ambiguous) return CompletedEarlier();
      if (response->status != 200) return store_->client().HttpError(*response, "complete upload of", key_);
      return OkStatus();
    });
  }

  // After an unanswered Complete, the upload is gone: done if the object is
  // there with our size.
  Status CompletedEarlier() {
    StatusOr<storage::ObjectInfo> info = store_->Stat(name());
    if (info.ok() && info->size == bytes_written()) {
      completed_ = true;
      return OkStatus();
    }
    return UnavailableError("s3: the upload of " + store_->client().Where(key_) + " vanished unfinished");
  }

  void Abort() {
    DrainAll().IgnoreError();
    store_->request_retrier()
        .Run([&](int) -> Status {
          ASSIGN_OR_RETURN(
              HttpResponse response,
              store_->client().Send({.method = "DELETE", .key = key_, .query = {{"uploadId", upload_id_}}}));
          if (response.status == 204 || response.status == 200 || response.status == 404) return OkStatus();
          return store_->client().HttpError(response, "abort upload of", key_);
        })
        .IgnoreError();
  }

  S3BlobStore* const store_;
  const std::string key_;
  const WriteMode mode_;
  Bytes buffer_;
  std::string upload_id_;
  int next_part_ = 1;
  std::deque<std::future<StatusOr<std::string>>> in_flight_;
  std::vector<std::string> etags_;  // of parts 1.., in order
  bool completed_ = false;
};

}  // namespace

std::unique_ptr<BlobWriter> NewS3Writer(S3BlobStore* store, std::string name, WriteMode mode) {
  return std::make_unique<S3Writer>(store, std::move(name), mode);
}

}  // namespace hdhub::s3
