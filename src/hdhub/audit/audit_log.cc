#include "hdhub/audit/audit_log.h"

#include "hdhub/audit/request_scope.h"

namespace hdhub::audit {

namespace {
Status OutOfRangeIndex(uint64_t index, uint64_t size) {
  return OutOfRangeError("audit entry " + std::to_string(index) + " is beyond the log size " +
                         std::to_string(size));
}
}  // namespace

void SharedTree::Append(std::span<const Hash> leaf_hashes) {
  std::unique_lock lock(mu_);
  for (const Hash& h : leaf_hashes) tree_.AppendLeaf(h);
}

uint64_t SharedTree::Size() const {
  std::shared_lock lock(mu_);
  return tree_.size();
}

StatusOr<Hash> SharedTree::RootHash(uint64_t size) const {
  std::shared_lock lock(mu_);
  return tree_.RootHash(size);
}

StatusOr<std::vector<Hash>> SharedTree::InclusionProof(uint64_t index, uint64_t size) const {
  std::shared_lock lock(mu_);
  return tree_.InclusionProof(index, size);
}

StatusOr<std::vector<Hash>> SharedTree::ConsistencyProof(uint64_t size1, uint64_t size2) const {
  std::shared_lock lock(mu_);
  return tree_.ConsistencyProof(size1, size2);
}

StatusOr<Hash> SharedTree::LeafHash(uint64_t index) const {
  std::shared_lock lock(mu_);
  if (index >= tree_.size()) return OutOfRangeIndex(index, tree_.size());
  return tree_.LeafHash(index);
}

StatusOr<uint64_t> MemoryAuditLog::Append(const Event& event) {
  return AppendBatch(std::span<const Event>(&event, 1));
}

StatusOr<uint64_t> MemoryAuditLog::AppendBatch(std::span<const Event> events) {
  std::vector<Event> stamped;
  events = StampRequestId(events, stamped);
  for (const Event& e : events) RETURN_IF_ERROR(ValidateEvent(e));
  if (events.empty()) return InvalidArgumentError("empty audit batch");
  std::lock_guard lock(mu_);
  if (!failure_.ok()) return failure_;
  const uint64_t first = entries_.size();
  std::vector<Hash> hashes;
  for (const Event& e : events) {
    entries_.push_back(EncodeEntry(e, entries_.size(), clock_->Now()));
    hashes.push_back(HashLeaf(AsBytes(entries_.back())));
  }
  tree_.Append(hashes);
  return first;
}

StatusOr<std::string> MemoryAuditLog::ReadEntry(uint64_t index) const {
  std::lock_guard lock(mu_);
  if (index >= entries_.size()) return OutOfRangeIndex(index, entries_.size());
  return entries_[index];
}

void MemoryAuditLog::SetFailureForTest(Status status) {
  std::lock_guard lock(mu_);
  failure_ = std::move(status);
}

}  // namespace hdhub::audit
