#include "hdhub/sql/key_ring.h"

#include <algorithm>

namespace hdhub::sql {

Status KeyRing::Grant(std::string_view prefix, SecretBytes data_key, Access access, GrantInfo info) {
  if (prefix.empty() || prefix.back() != '/') {
    return InvalidArgumentError("grant prefix '" + std::string(prefix) + "' must end with '/'");
  }
  if (data_key.empty()) return InvalidArgumentError("grant for '" + std::string(prefix) + "' has no key");
  std::lock_guard lock(mu_);
  for (const Entry& e : entries_) {
    if (e.prefix == prefix) return AlreadyExistsError("prefix '" + std::string(prefix) + "' is granted already");
  }
  std::sort(info.recorded.begin(), info.recorded.end());
  entries_.push_back(Entry{std::string(prefix), std::move(data_key), access, std::move(info)});
  return OkStatus();
}

void KeyRing::RevokeAll() {
  std::lock_guard lock(mu_);
  entries_.clear();
}

const KeyRing::Entry* KeyRing::Find(std::string_view logical_name) const {
  const Entry* best = nullptr;
  for (const Entry& e : entries_) {
    if (logical_name.starts_with(e.prefix) && (best == nullptr || e.prefix.size() > best->prefix.size())) {
      best = &e;
    }
  }
  return best;
}

StatusOr<SecretBytes> KeyRing::KeyFor(std::string_view logical_name, Access access) const {
  std::lock_guard lock(mu_);
  const Entry* e = Find(logical_name);
  if (e == nullptr) {
    return PermissionDeniedError("hdhub://" + std::string(logical_name) + " is outside what this session may read");
  }
  if (access == Access::kReadWrite && e->access != Access::kReadWrite) {
    return PermissionDeniedError("hdhub://" + std::string(logical_name) + " is read-only for this session");
  }
  return e->key.Clone();
}

bool KeyRing::Covers(std::string_view logical_name) const {
  std::lock_guard lock(mu_);
  return Find(logical_name) != nullptr;
}

Coverage KeyRing::Describe(std::string_view logical_name) const {
  std::lock_guard lock(mu_);
  const Entry* e = Find(logical_name);
  if (e == nullptr) return Coverage{};
  const std::vector<std::string>& recorded = e->info.recorded;
  return Coverage{.granted = true,
                  .label = e->info.label,
                  .recorded = std::binary_search(recorded.begin(), recorded.end(), logical_name)};
}

void KeyRing::SetCommitListener(CommitListener listener) {
  std::lock_guard lock(mu_);
  listener_ = std::move(listener);
}

void KeyRing::NotifyCommit(const storage::SealedObjectInfo& info) const {
  CommitListener listener;
  {
    std::lock_guard lock(mu_);
    listener = listener_;
  }
  if (listener) listener(info);
}

}  // namespace hdhub::sql
