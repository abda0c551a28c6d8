// FileAuditLog: the durable, signed AuditLog in <hub state dir>/audit/.
//
// Appends go to append-only segment files (segment.h). Concurrent appenders
// are grouped: the first waiting appender becomes the leader, writes every
// queued event in one write() and one fdatasync(), then wakes the others, so
// the cost of a sync is shared by the whole group. Append returns only after
// that sync; if the write or the sync fails, the group's appends fail and
// this object refuses further appends (the file may hold a partial batch)
// until it is reopened. Complete records that reached the file stay, and are
// read back like any other; the next writer truncates a partial one.
//
// After each group the log signs a checkpoint (checkpoint.h) with its
// NoteSigner, writes it to <dir>/checkpoint (atomic rename) and calls the
// publish hook (e.g. to the host); a failing hook fails the group's appends,
// whose entries nevertheless stay in the log (an event may be logged for an
// operation that then failed, never the reverse). The hook runs on the
// leader's thread with the log busy: it must not call back into the log.
//
// With a checkpoint_interval (a server's many small statements), a group's
// entries are durable when Append returns, as always, but its checkpoint
// may wait: one is signed and published at most every interval, by the next
// group past it or by a thread of the log's own when no group comes, so that
// no entry stays uncovered longer than about the interval. Flush() publishes
// at once (a reader about to prove an entry calls it), and so does closing
// the log. A deferred publication that fails makes the next group publish
// before it returns, so its appends fail as they would without the interval.
//
// Several processes (a server and CLI commands), or several FileAuditLogs in
// one process, may have one directory open. Each group commit holds an
// exclusive flock on <dir>/LOCK (FileLock) while it catches up with what the
// others appended since it last looked (reading and checking their records),
// repairs a torn tail a killed writer left, starts a new segment if the last
// one is full, writes, syncs, signs and publishes the checkpoint: checkpoints
// never go backwards. A read (Size, ReadEntry, RootHash, proofs,
// LatestCheckpoint) first catches up too when the last segment grew or a new
// one appeared (one fstat and one access when nothing changed), under a
// shared flock, after this object's group commit in progress, if any; if
// the flock cannot be had within lock_wait it answers from what it read
// before, which is always a consistent prefix of the log. Waiting
// longer than lock_wait for the exclusive lock fails the append (or Open)
// with FailedPrecondition naming the process that holds it.
//
// Open() reads the whole log: a torn last record is truncated away and
// reported in recovery(); a damaged record elsewhere, or a log shorter than
// (or forked from) its own published checkpoint, is DataLoss and the log does
// not open. A catch-up refuses a segment cut below what was read, a segment
// list that changed or a last segment replaced, and checks what is new as
// Open does (the records after those already read, the checkpoint if it
// changed; when no record was appended, there is nothing new to check):
// then DataLoss, and this object refuses further appends. Records already read are not re-read:
// `hdhub audit verify` and Open do that.
//
// The whole Merkle tree (64 bytes per entry) and one offset per entry are
// kept in memory.
//
// Thread-safety: every method may be called from several threads.
#pragma once

#include <chrono>
#include <condition_variable>
#include <cstdint>
#include <deque>
#include <functional>
#include <memory>
#include <mutex>
#include <optional>
#include <shared_mutex>
#include <string>
#include <string_view>
#include <thread>
#include <vector>

#include "hdhub/audit/audit_log.h"
#include "hdhub/audit/note.h"
#include "hdhub/audit/segment.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/file_lock.h"
#include "hdhub/common/status.h"

namespace hdhub::audit {

// The two system calls whose failure must fail an append; tests substitute
// failing ones.
class AuditFileOps {
 public:
  virtual ~AuditFileOps() = default;
  virtual Status Write(int fd, std::string_view data);  // all of it, or an error
  virtual Status Sync(int fd);                          // fdatasync
};

// In the log's directory, beside the segments.
inline constexpr std::string_view kAuditLockFile = "LOCK";
inline constexpr std::string_view kAuditCheckpointFile = "checkpoint";

struct FileAuditLogOptions {
  // Called with each newly signed checkpoint, after it is written locally,
  // with the directory locked.
  std::function<Status(std::string_view checkpoint)> publish_checkpoint;
  uint64_t max_segment_bytes = uint64_t{64} << 20;
  size_t max_group_events = 1 << 16;
  // How long Open(), each group commit and each read's catch-up wait for
  // another process's group commit (or its open) before giving up: Open and
  // appends then fail with FailedPrecondition naming the holder, reads answer
  // from what they have.
  std::chrono::milliseconds lock_wait{10'000};
  // 0: a checkpoint after every group. Otherwise the longest an entry waits
  // for a checkpoint that covers it (see above).
  std::chrono::milliseconds checkpoint_interval{0};
  // Test-only seam; nullptr means the real system calls. Not owned.
  AuditFileOps* file_ops_for_test = nullptr;
};

struct RecoveryReport {
  uint64_t entries = 0;           // entries found on open
  uint64_t torn_bytes = 0;        // bytes truncated from torn tails, on open and since
  std::string torn_segment;       // the last file truncated, when torn_bytes > 0
};

class FileAuditLog final : public AuditLog {
 public:
  // Opens (creating if needed) the log in `dir`. The checkpoint origin is the
  // signer's key name. DataLoss when the stored log is damaged (see above);
  // FailedPrecondition naming the holder when another process keeps the
  // directory locked longer than lock_wait; errno-mapped codes for I/O
  // failures.
  static StatusOr<std::unique_ptr<FileAuditLog>> Open(const std::string& dir, const Clock* clock,
                                                      std::unique_ptr<NoteSigner> signer,
                                                      FileAuditLogOptions options = {});
  ~FileAuditLog() override;

  StatusOr<uint64_t> Append(const Event& event) override;
  StatusOr<uint64_t> AppendBatch(std::span<const Event> events) override;
  uint64_t Size() const override;
  StatusOr<std::string> ReadEntry(uint64_t index) const override;
  StatusOr<Hash> RootHash(uint64_t size) const override;
  StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) const override;
  StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2) const override;
  StatusOr<Hash> LeafHash(uint64_t index) const override;

  // Signs and publishes a checkpoint covering every entry appended so far,
  // if the last one does not (only ever the case with a checkpoint_interval).
  Status Flush() override;

  // The newest signed checkpoint, whichever process published it.
  std::string LatestCheckpoint() const;
  RecoveryReport recovery() const;
  const NoteSigner& signer() const { return *signer_; }

 private:
  struct Writer;
  struct Found;
  struct Segment {
    uint64_t first_index;
    std::string path;
    int read_fd;
  };

  FileAuditLog(std::string dir, const Clock* clock, std::unique_ptr<NoteSigner> signer,
               FileAuditLogOptions options);
  StatusOr<FileLock> LockFiles(bool exclusive) const;
  Status OpenLocked();
  // Catch-up (file_audit_log_catch_up.cc); state_mu_ held and the files
  // locked (exclusively when `repair`, which truncates torn tails).
  Status Refresh() const;
  bool OthersAppended() const;
  Status CatchUp(bool repair) const;
  Status CheckKnownSegments(const std::vector<SegmentInfo>& listed) const;
  Status ScanNew(const std::vector<SegmentInfo>& listed, Found& found) const;
  Status CheckPublishedCheckpoint() const;
  Status TruncateTornTail(const std::string& path, const ScanResult& scan) const;
  // Appending; state_mu_ held and the files locked exclusively.
  Status CommitLocked(std::span<Writer* const> group, bool& sticky);
  Status CommitGroup(std::span<Writer* const> group, bool& sticky);
  Status OpenAppendFile();
  Status StartSegment(uint64_t first_index);
  Status PublishCheckpoint();
  // With a checkpoint_interval: publish now or leave it to the flusher.
  Status PublishOrDefer();
  Status FlushLocked();
  void RunFlusher();

  const std::string dir_;
  const Clock* clock_;
  const std::unique_ptr<NoteSigner> signer_;
  const FileAuditLogOptions options_;
  AuditFileOps default_ops_;
  AuditFileOps* ops_;

  // Group commit queue; the front writer is the leader.
  std::mutex queue_mu_;
  std::deque<Writer*> writers_;
  Status broken_;  // sticky write/sync failure or damage found

  // What this object has read of the files. A leader (or Open) and a read
  // that catches up extend it, one at a time under state_mu_; reads are
  // const, hence `mutable`. Readers of entries take index_mu_ (offsets_ grows
  // before tree_, so every index below Size() is readable).
  mutable std::mutex state_mu_;
  mutable std::shared_mutex index_mu_;
  mutable std::vector<Segment> segments_;
  mutable std::vector<uint64_t> offsets_;  // record offset within its segment, per entry
  mutable uint64_t tail_bytes_ = 0;        // bytes read (all valid) of segments_.back()
  mutable std::string checkpoint_;         // the newest checkpoint read or written
  mutable std::optional<uint64_t> published_size_;
  mutable RecoveryReport recovery_;
  mutable SharedTree tree_;

  // Appending (state_mu_).
  int append_fd_ = -1;
  uint64_t append_first_ = 0;  // first index of the segment append_fd_ writes
  std::chrono::steady_clock::time_point last_publish_{};
  bool publish_failed_ = false;  // a deferred publication failed: the next group publishes

  // The flusher (checkpoint_interval only): woken when a checkpoint is
  // deferred, it publishes once the interval has passed.
  std::mutex flusher_mu_;
  std::condition_variable flusher_cv_;
  bool deferred_ = false;
  bool stopping_ = false;
  std::thread flusher_;
};

}  // namespace hdhub::audit
