// AuditLog: the one interface through which code that acts records what it
// did. It is passed explicitly (never a global) to ingest, key use, catalog,
// query and project code; an operation whose Append fails must fail itself,
// so no action goes unlogged.
//
// Every entry is a leaf of an RFC 6962 Merkle tree; the log answers tree
// heads and proofs for any size it has reached.
//
// Implementations: MemoryAuditLog (below, for tests; it really keeps and
// hashes entries) and FileAuditLog (file_audit_log.h, durable, signed). Each
// passes the conformance suite in audit_log_conformance.h, which a new one
// joins with one INSTANTIATE_AUDIT_LOG_CONFORMANCE line.
// Thread-safety: all methods of both implementations may be called
// concurrently.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <shared_mutex>
#include <span>
#include <string>
#include <vector>

#include "hdhub/audit/event.h"
#include "hdhub/audit/merkle.h"
#include "hdhub/audit/merkle_tree.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/status.h"

namespace hdhub::audit {

class AuditLog {
 public:
  virtual ~AuditLog() = default;

  // Logs `event` and returns its index once it is durable (for a file log:
  // written and fdatasync'ed). InvalidArgument for an event ValidateEvent
  // rejects; an I/O failure code (Internal, Unavailable, ResourceExhausted)
  // when it could not be made durable, after which the log refuses further
  // appends (FailedPrecondition) until reopened.
  virtual StatusOr<uint64_t> Append(const Event& event) = 0;
  // Logs all `events` in order, durable together; returns the first index.
  // Nothing is logged if one of them is invalid; InvalidArgument for an
  // empty batch too.
  virtual StatusOr<uint64_t> AppendBatch(std::span<const Event> events) = 0;

  // Entries durably appended so far.
  virtual uint64_t Size() const = 0;
  // The canonical JSON of entry `index`. OutOfRange beyond Size().
  virtual StatusOr<std::string> ReadEntry(uint64_t index) const = 0;
  // Tree head and proofs (see MerkleTree). OutOfRange beyond Size().
  virtual StatusOr<Hash> RootHash(uint64_t size) const = 0;
  virtual StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) const = 0;
  virtual StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2) const = 0;
  // Leaf hash of entry `index`. OutOfRange beyond Size().
  virtual StatusOr<Hash> LeafHash(uint64_t index) const = 0;
  // Makes what was appended covered by a signed checkpoint, where a log
  // signs checkpoints at all and may defer them (FileAuditLog).
  virtual Status Flush() { return OkStatus(); }
};

// Thread-safe Merkle tree shared by the implementations: appends take the
// lock exclusively, proofs share it.
class SharedTree {
 public:
  void Append(std::span<const Hash> leaf_hashes);
  uint64_t Size() const;
  StatusOr<Hash> RootHash(uint64_t size) const;
  StatusOr<std::vector<Hash>> InclusionProof(uint64_t index, uint64_t size) const;
  StatusOr<std::vector<Hash>> ConsistencyProof(uint64_t size1, uint64_t size2) const;
  StatusOr<Hash> LeafHash(uint64_t index) const;

 private:
  mutable std::shared_mutex mu_;
  MerkleTree tree_;
};

// In-memory log for tests of code that acts: entries are kept and hashed like
// the file log's, nothing is persisted. Times come from the injected clock.
class MemoryAuditLog final : public AuditLog {
 public:
  explicit MemoryAuditLog(const Clock* clock) : clock_(clock) {}

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

  // Test hook: makes every later append fail with `status` (OK to heal).
  void SetFailureForTest(Status status);

 private:
  const Clock* clock_;
  mutable std::mutex mu_;  // guards entries_ and failure_; held across a whole append
  std::vector<std::string> entries_;
  Status failure_;
  SharedTree tree_;
};

}  // namespace hdhub::audit
