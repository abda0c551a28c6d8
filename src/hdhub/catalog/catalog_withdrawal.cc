// Catalog: withdrawing a version ingested by mistake, removing a dataset made
// by mistake (catalog.h). Each is one write transaction: the keys destroyed
// and the record of who, when and why commit together or not at all.
#include "hdhub/catalog/catalog.h"

namespace hdhub::catalog {
namespace {

constexpr size_t kMaxReasonSize = 500;
constexpr size_t kMaxActorSize = 128;

Status ValidateActor(std::string_view by) {
  if (by.empty() || by.size() > kMaxActorSize) {
    return InvalidArgumentError("catalog: a withdrawal names the account that makes it (1 to 128 characters)");
  }
  return OkStatus();
}

}  // namespace

Status Catalog::ValidateReason(std::string_view reason) {
  if (reason.empty() || reason.size() > kMaxReasonSize) {
    return InvalidArgumentError("the reason must be 1 to 500 characters (say why, e.g. 'wrong month ingested')");
  }
  for (char c : reason) {
    const auto byte = static_cast<unsigned char>(c);
    if (byte < 0x20 || byte == 0x7f) {
      return InvalidArgumentError("the reason must be one line, without control characters");
    }
  }
  return OkStatus();
}

Status Catalog::RecordWithdrawal(std::string_view dataset, int64_t version, std::string_view by,
                                 std::string_view reason) {
  ASSIGN_OR_RETURN(Statement insert, db_->Prepare("INSERT INTO version_withdrawal (dataset, version, "
                                                  "withdrawn_at_us, withdrawn_by, withdrawal_reason) "
                                                  "VALUES (?1, ?2, ?3, ?4, ?5)"));
  RETURN_IF_ERROR(insert.BindText(1, dataset));
  RETURN_IF_ERROR(insert.BindInt64(2, version));
  RETURN_IF_ERROR(insert.BindInt64(3, ToMicros(clock_->Now())));
  RETURN_IF_ERROR(insert.BindText(4, by));
  RETURN_IF_ERROR(insert.BindText(5, reason));
  return insert.Run();
}

Status Catalog::WithdrawVersion(std::string_view dataset, int64_t version, std::string_view by,
                                std::string_view reason) {
  RETURN_IF_ERROR(ValidateActor(by));
  RETURN_IF_ERROR(ValidateReason(reason));
  std::lock_guard lock(mu_);
  {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
    RETURN_IF_ERROR(CheckDatasetExists(dataset, Listing::kListed));
    ASSIGN_OR_RETURN(VersionState state, StateOf(dataset, version));
    if (state != VersionState::kCommitted) {
      return FailedPreconditionError("catalog: dataset " + std::string(dataset) + " version " +
                                     std::to_string(version) + " is " + std::string(VersionStateName(state)) +
                                     "; only a committed version can be withdrawn");
    }
    RETURN_IF_ERROR(ShredInTransaction(dataset, version));
    RETURN_IF_ERROR(RecordWithdrawal(dataset, version, by, reason));
    RETURN_IF_ERROR(txn.Commit());
  }
  ForgetOldPages();
  return OkStatus();
}

StatusOr<std::vector<int64_t>> Catalog::RemoveDataset(std::string_view dataset, std::string_view by,
                                                      std::string_view reason) {
  RETURN_IF_ERROR(ValidateActor(by));
  RETURN_IF_ERROR(ValidateReason(reason));
  std::lock_guard lock(mu_);
  std::vector<int64_t> shredded;
  {
    ASSIGN_OR_RETURN(Transaction txn, Transaction::Begin(db_.get(), Transaction::Mode::kWrite));
    RETURN_IF_ERROR(CheckDatasetExists(dataset, Listing::kListed));
    ASSIGN_OR_RETURN(Statement select, db_->Prepare("SELECT version, state FROM dataset_version "
                                                    "WHERE dataset = ?1 ORDER BY version"));
    RETURN_IF_ERROR(select.BindText(1, dataset));
    int64_t last_version = 0;
    while (true) {
      ASSIGN_OR_RETURN(bool has_row, select.Step());
      if (!has_row) break;
      last_version = select.ColumnInt64(0);
      if (select.ColumnText(1) != VersionStateName(VersionState::kShredded)) shredded.push_back(last_version);
    }
    for (int64_t version : shredded) {
      RETURN_IF_ERROR(ShredInTransaction(dataset, version));
      RETURN_IF_ERROR(RecordWithdrawal(dataset, version, by, reason));
    }
    ASSIGN_OR_RETURN(Statement hide, db_->Prepare("UPDATE dataset SET removed_at_us = ?2 WHERE name = ?1"));
    RETURN_IF_ERROR(hide.BindText(1, dataset));
    RETURN_IF_ERROR(hide.BindInt64(2, ToMicros(clock_->Now())));
    RETURN_IF_ERROR(hide.Run());
    ASSIGN_OR_RETURN(Statement tombstone, db_->Prepare("INSERT INTO dataset_removal (dataset, removed_at_us, "
                                                       "removed_by, removal_reason, last_version) "
                                                       "VALUES (?1, ?2, ?3, ?4, ?5)"));
    RETURN_IF_ERROR(tombstone.BindText(1, dataset));
    RETURN_IF_ERROR(tombstone.BindInt64(2, ToMicros(clock_->Now())));
    RETURN_IF_ERROR(tombstone.BindText(3, by));
    RETURN_IF_ERROR(tombstone.BindText(4, reason));
    RETURN_IF_ERROR(tombstone.BindInt64(5, last_version));
    RETURN_IF_ERROR(tombstone.Run());
    RETURN_IF_ERROR(txn.Commit());
  }
  ForgetOldPages();
  return shredded;
}

}  // namespace hdhub::catalog
