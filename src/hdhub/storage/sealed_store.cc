#include "hdhub/storage/sealed_store.h"

#include <algorithm>
#include <array>
#include <mutex>
#include <utility>
#include <vector>

namespace hdhub::storage {
namespace {

// Segments decrypted per ranged read at most, so that one huge ReadAt does
// not allocate a ciphertext buffer of its own size.
constexpr uint64_t kMaxBatchBytes = 32 * 1024 * 1024;
// Partially read segments kept decrypted per reader: DuckDB reads a parquet
// footer (and page headers) in several small reads of the same segment.
constexpr size_t kCachedSegments = 2;

std::string Quoted(std::string_view logical_name) {
  return "sealed object '" + std::string(logical_name) + "'";
}

template <typename T>
StatusOr<T> WithContext(StatusOr<T> result, std::string_view context) {
  if (result.ok()) return result;
  return result.status().WithContext(context);
}

class SealedWriterImpl : public SealedWriter {
 public:
  SealedWriterImpl(SealedObjectInfo info, uint32_t segment_size,
                   std::unique_ptr<crypto::SealWriter> seal, std::unique_ptr<BlobWriter> blob)
      : info_(std::move(info)),
        segment_size_(segment_size),
        seal_(std::move(seal)),
        blob_(std::move(blob)) {}

  Status Append(ByteSpan plaintext) override {
    if (!usable_)
      return FailedPreconditionError(Quoted(info_.logical_name) + ": writer is finished");
    // Slices of one segment keep the ciphertext buffer small whatever the caller passes.
    while (!plaintext.empty()) {
      ByteSpan slice = plaintext.first(std::min<size_t>(plaintext.size(), segment_size_));
      plaintext = plaintext.subspan(slice.size());
      Status status = seal_->Write(slice, &ciphertext_);
      if (status.ok()) status = Flush();
      if (!status.ok()) {
        usable_ = false;
        return status.WithContext(Quoted(info_.logical_name));
      }
    }
    return OkStatus();
  }

  uint64_t plaintext_written() const override { return seal_->plaintext_written(); }

  StatusOr<SealedObjectInfo> Commit() override {
    if (!usable_)
      return FailedPreconditionError(Quoted(info_.logical_name) + ": writer is finished");
    usable_ = false;
    RETURN_IF_ERROR(seal_->Finish(&ciphertext_).WithContext(Quoted(info_.logical_name)));
    RETURN_IF_ERROR(Flush().WithContext(Quoted(info_.logical_name)));
    RETURN_IF_ERROR(blob_->Commit().WithContext(Quoted(info_.logical_name)));
    info_.plaintext_size = seal_->plaintext_written();
    info_.ciphertext_size = ciphertext_written_;
    info_.ciphertext_sha256 = hasher_.Finish();
    return info_;
  }

 private:
  // Hands the ciphertext produced so far to the blob writer and the hash.
  Status Flush() {
    if (ciphertext_.empty()) return OkStatus();
    hasher_.Update(ciphertext_);
    ciphertext_written_ += ciphertext_.size();
    Status status = blob_->Append(ciphertext_);
    ciphertext_.clear();
    return status;
  }

  SealedObjectInfo info_;
  const uint32_t segment_size_;
  const std::unique_ptr<crypto::SealWriter> seal_;
  const std::unique_ptr<BlobWriter> blob_;
  crypto::Sha256Hasher hasher_;
  Bytes ciphertext_;
  uint64_t ciphertext_written_ = 0;
  bool usable_ = true;
};

class SealedReaderImpl : public SealedReader {
 public:
  SealedReaderImpl(std::string logical_name, std::unique_ptr<BlobReader> blob,
                   std::unique_ptr<crypto::SealReader> seal)
      : logical_name_(std::move(logical_name)), blob_(std::move(blob)), seal_(std::move(seal)) {}

  uint64_t size() const override { return seal_->layout().plaintext_size; }

  Status ReadAt(uint64_t offset, MutableByteSpan out) override {
    RETURN_IF_ERROR(CheckReadRange(logical_name_, offset, out.size(), size()));
    if (out.empty()) return OkStatus();
    const crypto::SealedLayout& layout = seal_->layout();
    uint64_t first = layout.SegmentForPlaintextOffset(offset);
    uint64_t last = layout.SegmentForPlaintextOffset(offset + out.size() - 1);
    while (first <= last && CopyFromCache(first, offset, out)) ++first;
    while (last > first && CopyFromCache(last, offset, out)) --last;
    if (first > last) return OkStatus();
    Status status = DecryptSegments(first, last, offset, out);
    // Unauthenticated plaintext must not reach a caller that ignores the status.
    if (!status.ok()) std::fill(out.begin(), out.end(), 0);
    return status;
  }

  // Authenticates the last segment and keeps it decrypted (DuckDB reads a
  // parquet footer first): an object cut or extended to any length fails
  // here, at open, before a reader sees its size.
  Status AuthenticateLastSegment() {
    const crypto::SealedLayout& layout = seal_->layout();
    const uint64_t last = layout.segment_count - 1;
    Bytes plaintext(layout.SegmentPlaintextSize(last));
    RETURN_IF_ERROR(DecryptBatch(last, last, last * uint64_t{layout.segment_size}, plaintext));
    Remember(last, std::move(plaintext));
    return OkStatus();
  }

  // Decrypts every segment, even for an empty object, so that truncation or
  // tampering anywhere is detected.
  Status ReadAll(MutableByteSpan out) {
    if (out.size() != size()) return InternalError("ReadAll needs a buffer of the plaintext size");
    Status status = DecryptSegments(0, seal_->layout().segment_count - 1, 0, out);
    if (!status.ok()) std::fill(out.begin(), out.end(), 0);
    return status;
  }

 private:
  struct Piece {
    uint64_t segment_begin;  // plaintext offset of the segment
    uint64_t begin;          // plaintext offsets of the part wanted
    uint64_t end;
    bool whole_segment;
  };

  // The part of segment `index` that [offset, offset + out.size()) wants.
  Piece PieceOf(uint64_t index, uint64_t offset, MutableByteSpan out) const {
    const crypto::SealedLayout& layout = seal_->layout();
    uint64_t segment_begin = index * layout.segment_size;
    uint64_t segment_end = segment_begin + layout.SegmentPlaintextSize(index);
    uint64_t begin = std::max(segment_begin, offset);
    uint64_t end = std::min(segment_end, offset + out.size());
    return Piece{segment_begin, begin, end, begin == segment_begin && end == segment_end};
  }

  Status DecryptSegments(uint64_t first, uint64_t last, uint64_t offset, MutableByteSpan out) {
    const crypto::SealedLayout& layout = seal_->layout();
    const uint64_t per_batch = std::max<uint64_t>(
        1, kMaxBatchBytes / (uint64_t{layout.segment_size} + crypto::kSealedTagSize));
    for (uint64_t batch_first = first; batch_first <= last;) {
      uint64_t batch_last = std::min(last, batch_first + per_batch - 1);
      RETURN_IF_ERROR(DecryptBatch(batch_first, batch_last, offset, out));
      batch_first = batch_last + 1;
    }
    return OkStatus();
  }

  // One ranged read for segments first..last, then decryption one by one.
  Status DecryptBatch(uint64_t first, uint64_t last, uint64_t offset, MutableByteSpan out) {
    const crypto::SealedLayout& layout = seal_->layout();
    const uint64_t span_begin = layout.SegmentCiphertextOffset(first);
    const uint64_t span_end =
        layout.SegmentCiphertextOffset(last) + layout.SegmentCiphertextSize(last);
    // A per-thread buffer, reused: DuckDB reads from a few long-lived threads,
    // and a fresh buffer per read would be zero-filled and page-faulted anew.
    thread_local Bytes scratch;
    if (scratch.size() < span_end - span_begin) scratch.resize(span_end - span_begin);
    MutableByteSpan ciphertext(scratch.data(), span_end - span_begin);
    RETURN_IF_ERROR(blob_->ReadAt(span_begin, ciphertext).WithContext(Quoted(logical_name_)));
    Bytes plaintext;
    for (uint64_t index = first; index <= last; ++index) {
      ByteSpan segment = ByteSpan(ciphertext)
                             .subspan(layout.SegmentCiphertextOffset(index) - span_begin,
                                      layout.SegmentCiphertextSize(index));
      Piece piece = PieceOf(index, offset, out);
      MutableByteSpan target = out.subspan(piece.begin - offset, piece.end - piece.begin);
      if (piece.whole_segment) {
        RETURN_IF_ERROR(
            seal_->DecryptSegment(index, segment, target).WithContext(Quoted(logical_name_)));
        continue;
      }
      plaintext.resize(layout.SegmentPlaintextSize(index));
      RETURN_IF_ERROR(
          seal_->DecryptSegment(index, segment, plaintext).WithContext(Quoted(logical_name_)));
      std::copy_n(plaintext.begin() + static_cast<ptrdiff_t>(piece.begin - piece.segment_begin),
                  target.size(), target.begin());
      Remember(index, std::move(plaintext));
      plaintext = Bytes();
    }
    return OkStatus();
  }

  // Copies segment `index`'s wanted part from the cache; false if not cached.
  bool CopyFromCache(uint64_t index, uint64_t offset, MutableByteSpan out) {
    Piece piece = PieceOf(index, offset, out);
    std::lock_guard lock(cache_mu_);
    for (const CachedSegment& cached : cache_) {
      if (cached.index != index) continue;
      std::copy_n(
          cached.plaintext.begin() + static_cast<ptrdiff_t>(piece.begin - piece.segment_begin),
          piece.end - piece.begin, out.begin() + static_cast<ptrdiff_t>(piece.begin - offset));
      return true;
    }
    return false;
  }

  void Remember(uint64_t index, Bytes plaintext) {
    std::lock_guard lock(cache_mu_);
    for (CachedSegment& cached : cache_) {
      if (cached.index == index) return;
    }
    if (cache_.size() == kCachedSegments) cache_.erase(cache_.begin());
    cache_.push_back(CachedSegment{index, std::move(plaintext)});
  }

  struct CachedSegment {
    uint64_t index;
    Bytes plaintext;  // authenticated
  };

  const std::string logical_name_;
  const std::unique_ptr<BlobReader> blob_;
  const std::unique_ptr<crypto::SealReader> seal_;
  std::mutex cache_mu_;
  std::vector<CachedSegment> cache_;  // oldest first; guarded by cache_mu_
};

StatusOr<std::unique_ptr<SealedReaderImpl>> OpenSealed(BlobStore& store,
                                                       std::string_view logical_name,
                                                       const std::string& object_name,
                                                       const SecretBytes& data_key) {
  ASSIGN_OR_RETURN(std::unique_ptr<BlobReader> blob,
                   WithContext(store.OpenReader(object_name), Quoted(logical_name)));
  if (blob->size() < crypto::kSealedHeaderSize) {
    return DataLossError(Quoted(logical_name) +
                         " is shorter than a sealed-object header (truncated?)");
  }
  std::array<uint8_t, crypto::kSealedHeaderSize> header;
  RETURN_IF_ERROR(blob->ReadAt(0, header).WithContext(Quoted(logical_name)));
  ASSIGN_OR_RETURN(
      std::unique_ptr<crypto::SealReader> seal,
      WithContext(crypto::SealReader::Create(data_key, AsBytes(logical_name), header, blob->size()),
                  Quoted(logical_name)));
  return std::make_unique<SealedReaderImpl>(std::string(logical_name), std::move(blob),
                                            std::move(seal));
}

}  // namespace

SealedStore::SealedStore(BlobStore* store, std::unique_ptr<crypto::HmacSha256> names,
                         uint32_t segment_size)
    : store_(store), names_(std::move(names)), segment_size_(segment_size) {}

std::string SealedStore::ObjectNameFor(std::string_view logical_name) const {
  std::string hex = HexEncode(names_->Compute(AsBytes(logical_name)));
  // Two hex digits of fan-out keep directories small on file:// hosts.
  return "o/" + hex.substr(0, 2) + "/" + hex;
}

StatusOr<std::unique_ptr<SealedWriter>> SealedStore::NewWriter(std::string_view logical_name,
                                                               const SecretBytes& data_key,
                                                               WriteMode mode) {
  if (logical_name.empty()) return InvalidArgumentError("sealed object logical name is empty");
  SealedObjectInfo info;
  info.logical_name = std::string(logical_name);
  info.object_name = ObjectNameFor(logical_name);
  ASSIGN_OR_RETURN(
      std::unique_ptr<crypto::SealWriter> seal,
      WithContext(crypto::SealWriter::Create(data_key, AsBytes(logical_name), segment_size_),
                  Quoted(logical_name)));
  ASSIGN_OR_RETURN(std::unique_ptr<BlobWriter> blob,
                   WithContext(store_->NewWriter(info.object_name, mode), Quoted(logical_name)));
  return std::unique_ptr<SealedWriter>(std::make_unique<SealedWriterImpl>(
      std::move(info), segment_size_, std::move(seal), std::move(blob)));
}

StatusOr<std::unique_ptr<SealedReader>> SealedStore::OpenReader(std::string_view logical_name,
                                                                const SecretBytes& data_key) {
  ASSIGN_OR_RETURN(std::unique_ptr<SealedReaderImpl> reader,
                   OpenSealed(*store_, logical_name, ObjectNameFor(logical_name), data_key));
  RETURN_IF_ERROR(reader->AuthenticateLastSegment());
  return std::unique_ptr<SealedReader>(std::move(reader));
}

StatusOr<SealedObjectInfo> SealedStore::Put(std::string_view logical_name,
                                            const SecretBytes& data_key, ByteSpan plaintext,
                                            WriteMode mode) {
  ASSIGN_OR_RETURN(std::unique_ptr<SealedWriter> writer, NewWriter(logical_name, data_key, mode));
  RETURN_IF_ERROR(writer->Append(plaintext));
  return writer->Commit();
}

StatusOr<Bytes> SealedStore::Get(std::string_view logical_name, const SecretBytes& data_key) {
  ASSIGN_OR_RETURN(std::unique_ptr<SealedReaderImpl> reader,
                   OpenSealed(*store_, logical_name, ObjectNameFor(logical_name), data_key));
  Bytes plaintext(reader->size());
  RETURN_IF_ERROR(reader->ReadAll(plaintext));
  return plaintext;
}

Status SealedStore::Delete(std::string_view logical_name) {
  return store_->Delete(ObjectNameFor(logical_name)).WithContext(Quoted(logical_name));
}

StatusOr<uint64_t> SealedStore::PlaintextSize(std::string_view logical_name) {
  ASSIGN_OR_RETURN(ObjectInfo info,
                   WithContext(store_->Stat(ObjectNameFor(logical_name)), Quoted(logical_name)));
  ASSIGN_OR_RETURN(crypto::SealedLayout layout,
                   WithContext(crypto::SealedLayout::FromCiphertextSize(segment_size_, info.size),
                               Quoted(logical_name)));
  return layout.plaintext_size;
}

}  // namespace hdhub::storage
