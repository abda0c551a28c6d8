#include "hdhub/audit/file_audit_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/file_util.h"
#include "hdhub/audit/segment.h"

namespace hdhub::audit {

namespace {
constexpr mode_t kDirMode = 0700;
constexpr std::chrono::milliseconds kLockPollInterval{20};
constexpr mode_t kSegmentMode = 0600;
constexpr mode_t kCheckpointMode = 0644;
constexpr std::string_view kCheckpointFile = "checkpoint";
}  // namespace

Status AuditFileOps::Write(int fd, std::string_view data) {
  while (!data.empty()) {
    const ssize_t n = ::write(fd, data.data(), data.size());
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoToStatus(errno, "write to the audit log");
    }
    data.remove_prefix(static_cast<size_t>(n));
  }
  return OkStatus();
}

Status AuditFileOps::Sync(int fd) {
  if (::fdatasync(fd) != 0) return ErrnoToStatus(errno, "fdatasync of the audit log");
  return OkStatus();
}

struct FileAuditLog::Writer {
  std::span<const Event> events;
  Status status;
  uint64_t first_index = 0;
  bool done = false;
  std::condition_variable cv;
};

FileAuditLog::FileAuditLog(std::string dir, const Clock* clock, std::unique_ptr<NoteSigner> signer,
                           FileAuditLogOptions options)
    : dir_(std::move(dir)),
      clock_(clock),
      signer_(std::move(signer)),
      options_(std::move(options)),
      ops_(options_.file_ops_for_test != nullptr ? options_.file_ops_for_test : &default_ops_) {}

FileAuditLog::~FileAuditLog() {
  if (append_fd_ >= 0) ::close(append_fd_);
  for (const Segment& s : segments_) ::close(s.read_fd);
  if (lock_fd_ >= 0) ::close(lock_fd_);
}

StatusOr<std::unique_ptr<FileAuditLog>> FileAuditLog::Open(const std::string& dir, const Clock* clock,
                                                           std::unique_ptr<NoteSigner> signer,
                                                           FileAuditLogOptions options) {
  RETURN_IF_ERROR(MakeDirs(dir, kDirMode));
  std::unique_ptr<FileAuditLog> log(
      new FileAuditLog(dir, clock, std::move(signer), std::move(options)));
  RETURN_IF_ERROR(log->LockDirectory());
  RETURN_IF_ERROR(log->Recover().WithContext("opening the audit log in " + dir));
  return log;
}

Status FileAuditLog::LockDirectory() {
  const std::string path = dir_ + "/LOCK";
  lock_fd_ = ::open(path.c_str(), O_RDWR | O_CREAT | O_CLOEXEC, kSegmentMode);
  if (lock_fd_ < 0) return ErrnoToStatus(errno, "open " + path);
  // Two writers would interleave records; the kernel drops the lock if we die.
  const auto deadline = std::chrono::steady_clock::now() + options_.lock_wait;
  while (::flock(lock_fd_, LOCK_EX | LOCK_NB) != 0) {
    if (errno == EWOULDBLOCK && std::chrono::steady_clock::now() < deadline) {
      std::this_thread::sleep_for(kLockPollInterval);
      continue;
    }
    if (errno == EWOULDBLOCK) {
      return FailedPreconditionError("the audit log in " + dir_ + " is already open in another process");
    }
    return ErrnoToStatus(errno, "lock " + path);
  }
  return OkStatus();
}

Status FileAuditLog::OpenSegmentForRead(uint64_t first_index, const std::string& path) {
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, "open " + path);
  std::unique_lock lock(index_mu_);
  segments_.push_back(Segment{first_index, path, fd});
  return OkStatus();
}

Status FileAuditLog::Recover() {
  ASSIGN_OR_RETURN(std::vector<SegmentInfo> found, ListSegments(dir_));
  std::vector<Hash> hashes;
  ScanResult last_scan;
  uint64_t next = 0;
  for (size_t i = 0; i < found.size(); ++i) {
    const bool last = i + 1 == found.size();
    auto visit = [&](uint64_t, std::string_view, const Hash& h, uint64_t offset) {
      hashes.push_back(h);
      offsets_.push_back(offset);
      return OkStatus();
    };
    const uint64_t start = next;
    ASSIGN_OR_RETURN(last_scan, ScanSegment(found[i].path, start, last, visit));
    next += last_scan.records;
    if (last_scan.valid_bytes > 0) RETURN_IF_ERROR(OpenSegmentForRead(start, found[i].path));
  }
  tree_.Append(hashes);
  // Compare with our own last checkpoint before repairing anything: a
  // "torn tail" that a checkpoint covers was an acknowledged entry.
  RETURN_IF_ERROR(CheckAgainstPublishedCheckpoint(next));
  next_index_ = next;
  recovery_.entries = next;
  if (!found.empty() && last_scan.torn_tail()) RETURN_IF_ERROR(TruncateTornTail(found.back().path, last_scan));
  RETURN_IF_ERROR(OpenForAppend());
  // Entries written after the last checkpoint (a crash in between) get one now.
  if (published_size_ != next) return PublishCheckpoint();
  return OkStatus();
}

Status FileAuditLog::TruncateTornTail(const std::string& path, const ScanResult& scan) {
  recovery_.torn_bytes = scan.file_bytes - scan.valid_bytes;
  recovery_.torn_segment = path;
  if (::truncate(path.c_str(), static_cast<off_t>(scan.valid_bytes)) != 0) {
    return ErrnoToStatus(errno, "truncate the torn tail of " + path);
  }
  // A segment whose header itself is torn was never used: start it afresh.
  if (scan.valid_bytes == 0 && ::unlink(path.c_str()) != 0) return ErrnoToStatus(errno, "remove " + path);
  return OkStatus();
}

Status FileAuditLog::OpenForAppend() {
  if (segments_.empty()) return StartSegment(next_index_);
  const std::string& path = segments_.back().path;
  append_fd_ = ::open(path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (append_fd_ < 0) return ErrnoToStatus(errno, "open " + path);
  RETURN_IF_ERROR(ops_->Sync(append_fd_));  // makes a truncation durable
  const off_t end = ::lseek(append_fd_, 0, SEEK_END);
  if (end < 0) return ErrnoToStatus(errno, "seek " + path);
  append_bytes_ = static_cast<uint64_t>(end);
  return OkStatus();
}

Status FileAuditLog::CheckAgainstPublishedCheckpoint(uint64_t durable_size) {
  auto data = ReadWholeFile(dir_ + "/" + std::string(kCheckpointFile));
  if (!data.ok()) return IsNotFound(data.status()) ? OkStatus() : data.status();
  ASSIGN_OR_RETURN(auto verifier, Ed25519Verifier::FromVerifierKey(signer_->VerifierKey()));
  auto opened = OpenSignedCheckpoint(*data, *verifier);
  if (!opened.ok()) {
    return DataLossError("the published checkpoint does not verify with the log key: " +
                         std::string(opened.status().message()));
  }
  const Checkpoint& cp = opened->checkpoint;
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
  checkpoint_ = std::move(*data);
  published_size_ = cp.size;
  return OkStatus();
}

Status FileAuditLog::StartSegment(uint64_t first_index) {
  const std::string path = dir_ + "/" + SegmentFileName(first_index);
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_APPEND | O_CLOEXEC, kSegmentMode);
  if (fd < 0) return ErrnoToStatus(errno, "create " + path);
  std::string header;
  AppendSegmentHeader(first_index, header);
  Status s = ops_->Write(fd, header);
  if (s.ok()) s = ops_->Sync(fd);
  if (s.ok()) s = SyncDir(dir_);
  if (!s.ok()) {
    ::close(fd);
    return s;
  }
  if (append_fd_ >= 0) ::close(append_fd_);
  append_fd_ = fd;
  append_bytes_ = header.size();
  return OpenSegmentForRead(first_index, path);
}

Status FileAuditLog::CommitGroup(std::span<Writer* const> group, uint64_t& first_index) {
  if (append_bytes_ >= options_.max_segment_bytes) RETURN_IF_ERROR(StartSegment(next_index_));
  std::string buf;
  std::vector<Hash> hashes;
  std::vector<uint64_t> offsets;
  uint64_t index = next_index_;
  first_index = index;
  for (Writer* w : group) {
    w->first_index = index;
    for (const Event& e : w->events) {
      const std::string entry = EncodeEntry(e, index++, clock_->Now());
      hashes.push_back(HashLeaf(AsBytes(entry)));
      offsets.push_back(append_bytes_ + buf.size());
      AppendRecord(entry, hashes.back(), buf);
    }
  }
  RETURN_IF_ERROR(ops_->Write(append_fd_, buf));
  RETURN_IF_ERROR(ops_->Sync(append_fd_));
  append_bytes_ += buf.size();
  next_index_ = index;
  {
    std::unique_lock lock(index_mu_);
    offsets_.insert(offsets_.end(), offsets.begin(), offsets.end());
  }
  tree_.Append(hashes);
  return OkStatus();
}

Status FileAuditLog::PublishCheckpoint() {
  const uint64_t size = tree_.Size();
  ASSIGN_OR_RETURN(Hash root, tree_.RootHash(size));
  ASSIGN_OR_RETURN(std::string note, SignCheckpoint(Checkpoint{signer_->name(), size, root, {}}, *signer_));
  RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/" + std::string(kCheckpointFile), note,
                                      kCheckpointMode, /*durable=*/true));
  {
    std::unique_lock lock(index_mu_);
    checkpoint_ = note;
  }
  if (options_.publish_checkpoint) {
    RETURN_IF_ERROR(options_.publish_checkpoint(note).WithContext("publishing the audit checkpoint"));
  }
  return OkStatus();
}

StatusOr<uint64_t> FileAuditLog::Append(const Event& event) {
  return AppendBatch(std::span<const Event>(&event, 1));
}

StatusOr<uint64_t> FileAuditLog::AppendBatch(std::span<const Event> events) {
  for (const Event& e : events) RETURN_IF_ERROR(ValidateEvent(e));
  if (events.empty()) return InvalidArgumentError("empty audit batch");
  Writer self;
  self.events = events;
  std::unique_lock lock(queue_mu_);
  writers_.push_back(&self);
  while (!self.done && writers_.front() != &self) self.cv.wait(lock);
  if (self.done) {
    if (!self.status.ok()) return self.status;
    return self.first_index;
  }
  // Leader: take the queued writers (up to the group limit) and commit them.
  std::vector<Writer*> group;
  size_t count = 0;
  for (Writer* w : writers_) {
    if (!group.empty() && count + w->events.size() > options_.max_group_events) break;
    group.push_back(w);
    count += w->events.size();
  }
  Status status = broken_.ok() ? OkStatus()
                               : FailedPreconditionError("the audit log failed an earlier write and "
                                                         "must be reopened: " + broken_.ToString());
  lock.unlock();
  uint64_t first = 0;
  bool durable = false;
  if (status.ok()) {
    status = CommitGroup(group, first);
    durable = status.ok();
    if (durable) status = PublishCheckpoint();
  }
  lock.lock();
  if (!durable && broken_.ok() && !status.ok()) broken_ = status;
  for (Writer* w : group) {
    writers_.pop_front();
    w->status = status;
    w->done = true;
    if (w != &self) w->cv.notify_one();
  }
  if (!writers_.empty()) writers_.front()->cv.notify_one();
  if (!status.ok()) return status;
  return self.first_index;
}

std::string FileAuditLog::LatestCheckpoint() const {
  std::shared_lock lock(index_mu_);
  return checkpoint_;
}

StatusOr<std::string> FileAuditLog::ReadEntry(uint64_t index) const {
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
