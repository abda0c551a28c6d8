// FileAuditLog: the durable, signed AuditLog in <hub state dir>/audit/.
//
// Appends go to append-only segment files (segment.h). Concurrent appenders
// are grouped: the first waiting appender becomes the leader, writes every
// queued event in one write() and one fdatasync(), then wakes the others, so
// the cost of a sync is shared by the whole group. Append returns only after
// that sync; if the write or the sync fails, the group's appends fail and the
// log refuses further appends (the file may hold a partial batch) until it is
// reopened, which truncates the torn tail.
//
// After each group the log signs a checkpoint (checkpoint.h) with its
// NoteSigner, writes it to <dir>/checkpoint (atomic rename) and calls the
// publish hook (e.g. to the host); a failing hook fails the group's appends,
// whose entries nevertheless stay in the log (an event may be logged for an
// operation that then failed, never the reverse).
//
// One process at a time: Open() takes an exclusive flock on <dir>/LOCK.
// Open() recovers: a torn last record is truncated away and reported in
// recovery(); a damaged record elsewhere, or a log shorter than (or forked
// from) its own published checkpoint, is DataLoss and the log does not open.
//
// The whole Merkle tree (64 bytes per entry) and one offset per entry are
// kept in memory, rebuilt from the segments on Open.
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
#include <vector>

#include "hdhub/audit/audit_log.h"
#include "hdhub/audit/note.h"
#include "hdhub/audit/segment.h"
#include "hdhub/common/clock.h"
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

struct FileAuditLogOptions {
  // Called with each newly signed checkpoint, after it is written locally.
  std::function<Status(std::string_view checkpoint)> publish_checkpoint;
  uint64_t max_segment_bytes = uint64_t{64} << 20;
  size_t max_group_events = 1 << 16;
  // How long Open() waits for another process to close the log (one hdhub
  // command after another) before FailedPrecondition; 0 refuses at once.
  std::chrono::milliseconds lock_wait{0};
  // Test-only seam; nullptr means the real system calls. Not owned.
  AuditFileOps* file_ops_for_test = nullptr;
};

struct RecoveryReport {
  uint64_t entries = 0;           // entries found on open
  uint64_t torn_bytes = 0;        // bytes truncated from the last segment
  std::string torn_segment;       // its path, when torn_bytes > 0
};

class FileAuditLog final : public AuditLog {
 public:
  // Opens (creating if needed) the log in `dir`. The checkpoint origin is the
  // signer's key name. DataLoss when the stored log is damaged (see above);
  // errno-mapped codes for I/O failures.
  static StatusOr<std::unique_ptr<FileAuditLog>> Open(const std::string& dir, const Clock* clock,
                                                      std::unique_ptr<NoteSigner> signer,
                                                      FileAuditLogOptions options = {});
  ~FileAuditLog() override;

  StatusOr<uint64_t> Append(const Event& event) override;
  StatusOr<uint64_t> AppendBatch(std::span<const Event> events) override;
  uint64_t Size() const override { return tree_.Size(); }
  StatusOr<std::string> ReadEntry(uint64_t index) const override;
  StatusOr<Hash> RootHash(uint64_t size) const override { return tree_.RootHash(size); }
  StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) const override {
    return tree_.InclusionProof(index, size);
  }
  StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2) const override {
    return tree_.ConsistencyProof(size1, size2);
  }
  StatusOr<Hash> LeafHash(uint64_t index) const override { return tree_.LeafHash(index); }

  // The signed note last published.
  std::string LatestCheckpoint() const;
  const RecoveryReport& recovery() const { return recovery_; }
  const NoteSigner& signer() const { return *signer_; }

 private:
  struct Writer;
  struct Segment {
    uint64_t first_index;
    std::string path;
    int read_fd;
  };

  FileAuditLog(std::string dir, const Clock* clock, std::unique_ptr<NoteSigner> signer,
               FileAuditLogOptions options);
  Status LockDirectory();
  Status Recover();
  Status TruncateTornTail(const std::string& path, const ScanResult& scan);
  Status OpenForAppend();
  Status CheckAgainstPublishedCheckpoint(uint64_t durable_size);
  Status OpenSegmentForRead(uint64_t first_index, const std::string& path);
  Status StartSegment(uint64_t first_index);
  Status CommitGroup(std::span<Writer* const> group, uint64_t& first_index);
  Status PublishCheckpoint();

  const std::string dir_;
  const Clock* clock_;
  const std::unique_ptr<NoteSigner> signer_;
  const FileAuditLogOptions options_;
  AuditFileOps default_ops_;
  AuditFileOps* ops_;
  RecoveryReport recovery_;

  // Group commit queue; the front writer is the leader.
  std::mutex queue_mu_;
  std::deque<Writer*> writers_;
  Status broken_;  // sticky write/sync failure

  // Leader-only state (touched by one leader at a time, or by Open).
  int lock_fd_ = -1;
  int append_fd_ = -1;
  uint64_t append_bytes_ = 0;
  uint64_t next_index_ = 0;

  // Entry locations for ReadEntry.
  mutable std::shared_mutex index_mu_;
  std::vector<Segment> segments_;
  std::vector<uint64_t> offsets_;  // record offset within its segment, per entry
  std::string checkpoint_;
  std::optional<uint64_t> published_size_;  // size of the checkpoint found on Open

  SharedTree tree_;
};

}  // namespace hdhub::audit
