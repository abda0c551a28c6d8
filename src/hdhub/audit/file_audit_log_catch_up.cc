// FileAuditLog, reading side: catching up with the records that Open, other
// processes or other FileAuditLogs on the same directory appended, and the
// reads that do so first. See file_audit_log.h for the protocol.
#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/file_audit_log.h"
#include "hdhub/common/file.h"

namespace hdhub::audit {

// What one catch-up read beyond what was known. Owns the read descriptors of
// new segments until they join segments_.
struct FileAuditLog::Found {
  Found() = default;
  Found(const Found&) = delete;
  Found& operator=(const Found&) = delete;
  ~Found() {
    for (const Segment& s : segments) ::close(s.read_fd);
  }

  std::vector<Hash> hashes;
  std::vector<uint64_t> offsets;
  std::vector<Segment> segments;
  uint64_t tail_bytes = 0;  // valid bytes of the last segment holding a header
  ScanResult last_scan;     // of the last listed segment
  std::string last_path;
};

bool FileAuditLog::OthersAppended() const {
  if (segments_.empty()) return true;
  const Segment& last = segments_.back();
  struct stat st;
  if (::fstat(last.read_fd, &st) != 0 || static_cast<uint64_t>(st.st_size) != tail_bytes_) return true;
  // A process that starts a segment has read ours to its end first, so the
  // next one can only be named after our size.
  const uint64_t size = offsets_.size();
  return size > last.first_index && ::access((dir_ + "/" + SegmentFileName(size)).c_str(), F_OK) == 0;
}

Status FileAuditLog::Refresh() const {
  std::lock_guard state(state_mu_);
  if (!OthersAppended()) return OkStatus();
  StatusOr<FileLock> files = LockFiles(/*exclusive=*/false);
  if (!files.ok()) return OkStatus();  // busy longer than lock_wait: answer from what was read
  return CatchUp(/*repair=*/false);
}

Status FileAuditLog::CatchUp(bool repair) const {
  ASSIGN_OR_RETURN(std::vector<SegmentInfo> listed, ListSegments(dir_));
  RETURN_IF_ERROR(CheckKnownSegments(listed));
  // The segments read, the last one still the size read: nothing was
  // appended (no record to read, no torn tail, no checkpoint beyond ours).
  if (!segments_.empty() && listed.size() == segments_.size() && !OthersAppended()) return OkStatus();
  Found found;
  found.tail_bytes = tail_bytes_;
  RETURN_IF_ERROR(ScanNew(listed, found));
  {
    std::unique_lock lock(index_mu_);
    segments_.insert(segments_.end(), found.segments.begin(), found.segments.end());
    found.segments.clear();
    offsets_.insert(offsets_.end(), found.offsets.begin(), found.offsets.end());
  }
  tree_.Append(found.hashes);
  tail_bytes_ = found.tail_bytes;
  // Compare with the last checkpoint before repairing anything: a "torn tail"
  // that a checkpoint covers was an acknowledged entry.
  RETURN_IF_ERROR(CheckPublishedCheckpoint());
  if (repair && found.last_scan.torn_tail()) return TruncateTornTail(found.last_path, found.last_scan);
  return OkStatus();
}

Status FileAuditLog::CheckKnownSegments(const std::vector<SegmentInfo>& listed) const {
  for (size_t i = 0; i < segments_.size(); ++i) {
    if (i >= listed.size() || listed[i].first_index != segments_[i].first_index) {
      return DataLossError("audit segment " + segments_[i].path +
                           " is gone or another appeared before it: the log was rewritten");
    }
  }
  if (segments_.empty()) return OkStatus();
  // The segment we resume in must still be the file we read.
  const Segment& last = segments_.back();
  struct stat read, named;
  if (::fstat(last.read_fd, &read) != 0) return ErrnoToStatus(errno, "stat " + last.path);
  if (::stat(last.path.c_str(), &named) != 0 || read.st_ino != named.st_ino || read.st_dev != named.st_dev) {
    return DataLossError("audit segment " + last.path + " was replaced: the log was rewritten");
  }
  return OkStatus();
}

// Reads the records after those known: the rest of the last known segment,
// then every later one, which must follow without a gap.
Status FileAuditLog::ScanNew(const std::vector<SegmentInfo>& listed, Found& found) const {
  const size_t known = segments_.size();
  uint64_t index = offsets_.size();
  auto visit = [&found](uint64_t, std::string_view, const Hash& leaf_hash, uint64_t offset) {
    found.hashes.push_back(leaf_hash);
    found.offsets.push_back(offset);
    return OkStatus();
  };
  for (size_t i = known == 0 ? 0 : known - 1; i < listed.size(); ++i) {
    const bool is_known = i < known;
    const uint64_t first = is_known ? segments_[i].first_index : index;
    const ScanResume from{is_known ? tail_bytes_ : 0, index};
    ASSIGN_OR_RETURN(ScanResult scan, ScanSegmentFrom(listed[i].path, first, from, i + 1 == listed.size(), visit));
    index += scan.records;
    found.last_scan = scan;
    found.last_path = listed[i].path;
    if (scan.valid_bytes == 0) continue;  // a torn header, necessarily the last segment
    found.tail_bytes = scan.valid_bytes;
    if (is_known) continue;
    const int fd = ::open(listed[i].path.c_str(), O_RDONLY | O_CLOEXEC);
    if (fd < 0) return ErrnoToStatus(errno, "open " + listed[i].path);
    found.segments.push_back(Segment{first, listed[i].path, fd});
  }
  return OkStatus();
}

Status FileAuditLog::CheckPublishedCheckpoint() const {
  auto data = ReadFile(dir_ + "/" + std::string(kAuditCheckpointFile));
  if (!data.ok()) return IsNotFound(data.status()) ? OkStatus() : data.status();
  if (*data == checkpoint_) return OkStatus();  // checked when it was read or written
  ASSIGN_OR_RETURN(auto verifier, Ed25519Verifier::FromVerifierKey(signer_->VerifierKey()));
  auto opened = OpenSignedCheckpoint(*data, *verifier);
  if (!opened.ok()) {
    return DataLossError("the published checkpoint does not verify with the log key: " +
                         std::string(opened.status().message()));
  }
  const Checkpoint& cp = opened->checkpoint;
  const uint64_t durable_size = offsets_.size();
  if (cp.size > durable_size) {
    return DataLossError("the log holds " + std::to_string(durable_size) +
                         " entries but its signed checkpoint covers " + std::to_string(cp.size) +
                         ": acknowledged entries are missing or damaged");
  }
  ASSIGN_OR_RETURN(Hash root, tree_.RootHash(cp.size));
  if (root != cp.root) {
    return DataLossError("the first " + std::to_string(cp.size) +
                         " entries do not match the signed checkpoint: entries were altered");
  }
  published_size_ = cp.size;
  std::unique_lock lock(index_mu_);
  checkpoint_ = std::move(*data);
  return OkStatus();
}

Status FileAuditLog::TruncateTornTail(const std::string& path, const ScanResult& scan) const {
  recovery_.torn_bytes += scan.file_bytes - scan.valid_bytes;
  recovery_.torn_segment = path;
  if (::truncate(path.c_str(), static_cast<off_t>(scan.valid_bytes)) != 0) {
    return ErrnoToStatus(errno, "truncate the torn tail of " + path);
  }
  // A segment whose header itself is torn was never used: start it afresh.
  // (The next group commit's fdatasync makes a truncation durable.)
  if (scan.valid_bytes == 0 && ::unlink(path.c_str()) != 0) return ErrnoToStatus(errno, "remove " + path);
  return OkStatus();
}

uint64_t FileAuditLog::Size() const {
  // Damage found here is reported by the reads that return a Status, and by
  // the next append.
  Refresh().IgnoreError();
  return tree_.Size();
}

StatusOr<Hash> FileAuditLog::RootHash(uint64_t size) const {
  RETURN_IF_ERROR(Refresh());
  return tree_.RootHash(size);
}

StatusOr<std::vector<Hash>> FileAuditLog::InclusionProof(uint64_t index, uint64_t size) const {
  RETURN_IF_ERROR(Refresh());
  return tree_.InclusionProof(index, size);
}

StatusOr<std::vector<Hash>> FileAuditLog::ConsistencyProof(uint64_t size1, uint64_t size2) const {
  RETURN_IF_ERROR(Refresh());
  return tree_.ConsistencyProof(size1, size2);
}

StatusOr<Hash> FileAuditLog::LeafHash(uint64_t index) const {
  RETURN_IF_ERROR(Refresh());
  return tree_.LeafHash(index);
}

std::string FileAuditLog::LatestCheckpoint() const {
  Refresh().IgnoreError();
  std::shared_lock lock(index_mu_);
  return checkpoint_;
}

RecoveryReport FileAuditLog::recovery() const {
  std::lock_guard state(state_mu_);
  return recovery_;
}

StatusOr<std::string> FileAuditLog::ReadEntry(uint64_t index) const {
  RETURN_IF_ERROR(Refresh());
  std::shared_lock lock(index_mu_);
  if (index >= offsets_.size()) {
    return OutOfRangeError("audit entry " + std::to_string(index) + " is beyond the log size " +
                           std::to_string(offsets_.size()));
  }
  auto seg = std::upper_bound(segments_.begin(), segments_.end(), index,
                              [](uint64_t i, const Segment& s) { return i < s.first_index; });
  --seg;  // segments_[0] starts at 0, so upper_bound is never begin()
  uint8_t len_buf[4];
  const off_t off = static_cast<off_t>(offsets_[index]);
  if (::pread(seg->read_fd, len_buf, sizeof(len_buf), off) != sizeof(len_buf)) {
    return ErrnoToStatus(errno, "read " + seg->path);
  }
  std::string entry(GetBigEndian32(len_buf), '\0');
  const ssize_t n = ::pread(seg->read_fd, entry.data(), entry.size(), off + kRecordHeaderSize);
  if (n != static_cast<ssize_t>(entry.size())) return DataLossError("short read in " + seg->path);
  return entry;
}

}  // namespace hdhub::audit
