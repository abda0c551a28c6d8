#include "hdhub/audit/file_audit_log.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <thread>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/request_scope.h"
#include "hdhub/audit/segment.h"
#include "hdhub/common/file.h"

namespace hdhub::audit {

namespace {
constexpr mode_t kDirMode = 0700;
constexpr mode_t kSegmentMode = 0600;
constexpr mode_t kCheckpointMode = 0644;
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
  if (flusher_.joinable()) {
    {
      std::lock_guard lock(flusher_mu_);
      stopping_ = true;
    }
    flusher_cv_.notify_one();
    flusher_.join();
    // Best effort: the entries are durable, and the next Open signs a
    // checkpoint for any the last one does not cover.
    Flush().IgnoreError();
  }
  if (append_fd_ >= 0) ::close(append_fd_);
  for (const Segment& s : segments_) ::close(s.read_fd);
}

StatusOr<std::unique_ptr<FileAuditLog>> FileAuditLog::Open(const std::string& dir, const Clock* clock,
                                                           std::unique_ptr<NoteSigner> signer,
                                                           FileAuditLogOptions options) {
  RETURN_IF_ERROR(MakeDirs(dir, kDirMode));
  std::unique_ptr<FileAuditLog> log(
      new FileAuditLog(dir, clock, std::move(signer), std::move(options)));
  RETURN_IF_ERROR(log->OpenLocked().WithContext("opening the audit log in " + dir));
  if (log->options_.checkpoint_interval.count() > 0)
    log->flusher_ = std::thread([raw = log.get()] { raw->RunFlusher(); });
  return log;
}

StatusOr<FileLock> FileAuditLog::LockFiles(bool exclusive) const {
  const std::string path = dir_ + "/" + std::string(kAuditLockFile);
  const std::string what = "the audit log in " + dir_;
  return exclusive ? FileLock::Acquire(path, options_.lock_wait, what)
                   : FileLock::AcquireShared(path, options_.lock_wait, what);
}

Status FileAuditLog::OpenLocked() {
  std::lock_guard state(state_mu_);
  ASSIGN_OR_RETURN(FileLock files, LockFiles(/*exclusive=*/true));
  RETURN_IF_ERROR(CatchUp(/*repair=*/true));
  recovery_.entries = offsets_.size();
  if (segments_.empty()) RETURN_IF_ERROR(StartSegment(0));
  // Entries written after the last checkpoint (a crash in between) get one now.
  if (published_size_ != offsets_.size()) return PublishCheckpoint();
  return OkStatus();
}

Status FileAuditLog::StartSegment(uint64_t first_index) {
  const std::string path = dir_ + "/" + SegmentFileName(first_index);
  // O_EXCL: under the lock, after a catch-up, no process has started it.
  const int fd = ::open(path.c_str(), O_WRONLY | O_CREAT | O_EXCL | O_APPEND | O_CLOEXEC, kSegmentMode);
  if (fd < 0) return ErrnoToStatus(errno, "create " + path);
  std::string header;
  AppendSegmentHeader(first_index, header);
  Status s = ops_->Write(fd, header);
  if (s.ok()) s = ops_->Sync(fd);
  if (s.ok()) s = SyncDir(dir_);
  const int read_fd = s.ok() ? ::open(path.c_str(), O_RDONLY | O_CLOEXEC) : -1;
  if (s.ok() && read_fd < 0) s = ErrnoToStatus(errno, "open " + path);
  if (!s.ok()) {
    ::close(fd);
    return s;
  }
  if (append_fd_ >= 0) ::close(append_fd_);
  append_fd_ = fd;
  append_first_ = first_index;
  tail_bytes_ = header.size();
  std::unique_lock lock(index_mu_);
  segments_.push_back(Segment{first_index, path, read_fd});
  return OkStatus();
}

Status FileAuditLog::OpenAppendFile() {
  const Segment& last = segments_.back();
  if (append_fd_ >= 0 && append_first_ == last.first_index) return OkStatus();
  // Another process started this segment.
  const int fd = ::open(last.path.c_str(), O_WRONLY | O_APPEND | O_CLOEXEC);
  if (fd < 0) return ErrnoToStatus(errno, "open " + last.path);
  if (append_fd_ >= 0) ::close(append_fd_);
  append_fd_ = fd;
  append_first_ = last.first_index;
  return OkStatus();
}

// `sticky` tells the caller that the files may now hold a partial batch.
Status FileAuditLog::CommitGroup(std::span<Writer* const> group, bool& sticky) {
  sticky = true;
  const bool full = !segments_.empty() && tail_bytes_ >= options_.max_segment_bytes &&
                    offsets_.size() > segments_.back().first_index;  // never leave one empty
  if (segments_.empty() || full) {
    RETURN_IF_ERROR(StartSegment(offsets_.size()));
  }
  RETURN_IF_ERROR(OpenAppendFile());
  std::string buf;
  std::vector<Hash> hashes;
  std::vector<uint64_t> offsets;
  uint64_t index = offsets_.size();
  for (Writer* w : group) {
    w->first_index = index;
    for (const Event& e : w->events) {
      const std::string entry = EncodeEntry(e, index++, clock_->Now());
      hashes.push_back(HashLeaf(AsBytes(entry)));
      offsets.push_back(tail_bytes_ + buf.size());
      AppendRecord(entry, hashes.back(), buf);
    }
  }
  RETURN_IF_ERROR(ops_->Write(append_fd_, buf));
  RETURN_IF_ERROR(ops_->Sync(append_fd_));
  sticky = false;
  tail_bytes_ += buf.size();
  {
    std::unique_lock lock(index_mu_);
    offsets_.insert(offsets_.end(), offsets.begin(), offsets.end());
  }
  tree_.Append(hashes);
  return OkStatus();
}

Status FileAuditLog::CommitLocked(std::span<Writer* const> group, bool& sticky) {
  std::lock_guard state(state_mu_);
  ASSIGN_OR_RETURN(FileLock files, LockFiles(/*exclusive=*/true));
  if (Status s = CatchUp(/*repair=*/true); !s.ok()) {
    sticky = IsDataLoss(s);
    return s;
  }
  RETURN_IF_ERROR(CommitGroup(group, sticky));
  return PublishOrDefer();
}

Status FileAuditLog::PublishOrDefer() {
  const auto interval = options_.checkpoint_interval;
  if (interval.count() == 0 || publish_failed_ || std::chrono::steady_clock::now() - last_publish_ >= interval) {
    return PublishCheckpoint();
  }
  {
    std::lock_guard lock(flusher_mu_);
    deferred_ = true;
  }
  flusher_cv_.notify_one();
  return OkStatus();
}

Status FileAuditLog::Flush() {
  std::lock_guard state(state_mu_);
  return FlushLocked();
}

Status FileAuditLog::FlushLocked() {
  if (published_size_ == tree_.Size() && !publish_failed_) return OkStatus();
  ASSIGN_OR_RETURN(FileLock files, LockFiles(/*exclusive=*/true));
  // Another process may have appended and published since: never sign a
  // checkpoint smaller than the one published.
  RETURN_IF_ERROR(CatchUp(/*repair=*/true));
  if (published_size_ == tree_.Size() && !publish_failed_) return OkStatus();
  return PublishCheckpoint();
}

void FileAuditLog::RunFlusher() {
  std::unique_lock lock(flusher_mu_);
  auto retry_at = std::chrono::steady_clock::time_point::min();
  while (!stopping_) {
    flusher_cv_.wait(lock, [this] { return stopping_ || deferred_; });
    if (stopping_) break;
    // Publish once the interval since the last publication (or failed
    // attempt) has passed; a group past it may publish first.
    lock.unlock();
    std::chrono::steady_clock::time_point due;
    {
      std::lock_guard state(state_mu_);
      due = std::max(last_publish_ + options_.checkpoint_interval, retry_at);
    }
    lock.lock();
    if (flusher_cv_.wait_until(lock, due, [this] { return stopping_; })) break;
    deferred_ = false;
    lock.unlock();
    Status status;
    {
      std::lock_guard state(state_mu_);
      status = FlushLocked();
    }
    lock.lock();
    if (!status.ok()) {  // again after an interval; a group meanwhile publishes itself
      deferred_ = true;
      retry_at = std::chrono::steady_clock::now() + options_.checkpoint_interval;
    }
  }
}

Status FileAuditLog::PublishCheckpoint() {
  publish_failed_ = true;  // until the hook has it
  const uint64_t size = tree_.Size();
  ASSIGN_OR_RETURN(Hash root, tree_.RootHash(size));
  ASSIGN_OR_RETURN(std::string note, SignCheckpoint(Checkpoint{signer_->name(), size, root, {}}, *signer_));
  RETURN_IF_ERROR(WriteFileAtomically(dir_ + "/" + std::string(kAuditCheckpointFile), AsBytes(note), kCheckpointMode,
                                      {.durable = true}));
  published_size_ = size;
  {
    std::unique_lock lock(index_mu_);
    checkpoint_ = note;
  }
  if (options_.publish_checkpoint) {
    RETURN_IF_ERROR(options_.publish_checkpoint(note).WithContext("publishing the audit checkpoint"));
  }
  last_publish_ = std::chrono::steady_clock::now();
  publish_failed_ = false;
  return OkStatus();
}

StatusOr<uint64_t> FileAuditLog::Append(const Event& event) {
  return AppendBatch(std::span<const Event>(&event, 1));
}

StatusOr<uint64_t> FileAuditLog::AppendBatch(std::span<const Event> events) {
  std::vector<Event> stamped;
  events = StampRequestId(events, stamped);
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
                               : FailedPreconditionError(
                                     "the audit log failed an earlier write or found "
                                     "damage and must be reopened: " +
                                     broken_.ToString());
  lock.unlock();
  bool sticky = false;
  if (status.ok()) status = CommitLocked(group, sticky);
  lock.lock();
  if (sticky && broken_.ok()) broken_ = status;
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

}  // namespace hdhub::audit
