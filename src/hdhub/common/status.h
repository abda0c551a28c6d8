// Status and StatusOr<T>: how every hdhub function reports failure.
//
// The API follows Abseil's (absl::Status, absl::StatusOr, canonical codes);
// Debian 12's Abseil is too old to use, so this is our own small copy of the
// shape, not of the code. Nothing throws across hdhub modules: exceptions from
// libraries are caught at the boundary that calls them and become a Status.
//
// Messages name ids, files, lines and fields; never a health value, a
// pseudonym, a key or an identifier.
//
// Thread-safety: values; a const Status may be read from any thread.
#pragma once

#include <memory>
#include <ostream>
#include <string>
#include <string_view>
#include <utility>
#include <variant>

namespace hdhub {

// Canonical codes, numbered as in Abseil and gRPC.
enum class StatusCode : int {
  kOk = 0,
  kCancelled = 1,
  kUnknown = 2,
  kInvalidArgument = 3,
  kDeadlineExceeded = 4,
  kNotFound = 5,
  kAlreadyExists = 6,
  kPermissionDenied = 7,
  kResourceExhausted = 8,
  kFailedPrecondition = 9,
  kAborted = 10,
  kOutOfRange = 11,
  kUnimplemented = 12,
  kInternal = 13,
  kUnavailable = 14,
  kDataLoss = 15,
  kUnauthenticated = 16,
};

// "INVALID_ARGUMENT", "NOT_FOUND", ...
std::string_view StatusCodeName(StatusCode code);

class [[nodiscard]] Status {
 public:
  Status() = default;  // OK
  Status(StatusCode code, std::string_view message);

  bool ok() const { return code_ == StatusCode::kOk; }
  StatusCode code() const { return code_; }
  std::string_view message() const { return message_; }

  // "NOT_FOUND: object 'x' does not exist"; "OK" for success.
  std::string ToString() const;

  // Returns a copy whose message is "<context>: <message>"; OK stays OK.
  Status WithContext(std::string_view context) const;

  // Explicitly ignores a status where failure is acceptable (best-effort cleanup).
  void IgnoreError() const {}

  friend bool operator==(const Status& a, const Status& b) {
    return a.code_ == b.code_ && a.message_ == b.message_;
  }

 private:
  StatusCode code_ = StatusCode::kOk;
  std::string message_;
};

std::ostream& operator<<(std::ostream& os, const Status& status);

inline Status OkStatus() { return Status(); }
Status CancelledError(std::string_view message);
Status UnknownError(std::string_view message);
Status InvalidArgumentError(std::string_view message);
Status DeadlineExceededError(std::string_view message);
Status NotFoundError(std::string_view message);
Status AlreadyExistsError(std::string_view message);
Status PermissionDeniedError(std::string_view message);
Status ResourceExhaustedError(std::string_view message);
Status FailedPreconditionError(std::string_view message);
Status AbortedError(std::string_view message);
Status OutOfRangeError(std::string_view message);
Status UnimplementedError(std::string_view message);
Status InternalError(std::string_view message);
Status UnavailableError(std::string_view message);
Status DataLossError(std::string_view message);
Status UnauthenticatedError(std::string_view message);

inline bool IsNotFound(const Status& s) { return s.code() == StatusCode::kNotFound; }
inline bool IsAlreadyExists(const Status& s) { return s.code() == StatusCode::kAlreadyExists; }
inline bool IsDataLoss(const Status& s) { return s.code() == StatusCode::kDataLoss; }

// Status from errno after a failed system call: ENOENT -> NotFound,
// EACCES/EPERM -> PermissionDenied, ENOSPC/EDQUOT -> ResourceExhausted,
// EEXIST -> AlreadyExists, otherwise Internal (or Unavailable for EIO/EAGAIN).
Status ErrnoToStatus(int error_number, std::string_view what);

// A value or the Status explaining why there is none. Never holds an OK status
// without a value: constructing one from OkStatus() yields an Internal error.
template <typename T>
class [[nodiscard]] StatusOr {
 public:
  StatusOr(const Status& status) : rep_(status) { CheckNotOk(); }   // NOLINT
  StatusOr(Status&& status) : rep_(std::move(status)) { CheckNotOk(); }  // NOLINT
  StatusOr(const T& value) : rep_(value) {}       // NOLINT
  StatusOr(T&& value) : rep_(std::move(value)) {}  // NOLINT
  template <typename U>
    requires(std::is_constructible_v<T, U&&> && !std::is_same_v<std::decay_t<U>, T> &&
             !std::is_same_v<std::decay_t<U>, Status> &&
             !std::is_same_v<std::decay_t<U>, StatusOr<T>>)
  StatusOr(U&& value) : rep_(std::in_place_index<1>, std::forward<U>(value)) {}  // NOLINT

  bool ok() const { return rep_.index() == 1; }
  Status status() const& { return ok() ? OkStatus() : std::get<0>(rep_); }
  Status status() && { return ok() ? OkStatus() : std::move(std::get<0>(rep_)); }

  // Precondition: ok(). Accessing the value of an error aborts the process
  // (a programming error, as in Abseil).
  const T& value() const& { CheckOk(); return std::get<1>(rep_); }
  T& value() & { CheckOk(); return std::get<1>(rep_); }
  T&& value() && { CheckOk(); return std::move(std::get<1>(rep_)); }
  const T& operator*() const& { return value(); }
  T& operator*() & { return value(); }
  T&& operator*() && { return std::move(*this).value(); }
  const T* operator->() const { return &value(); }
  T* operator->() { return &value(); }

  template <typename U>
  T value_or(U&& fallback) const& { return ok() ? std::get<1>(rep_) : T(std::forward<U>(fallback)); }

 private:
  void CheckNotOk() {
    if (std::get<0>(rep_).ok()) rep_ = InternalError("StatusOr constructed from an OK status");
  }
  void CheckOk() const;
  std::variant<Status, T> rep_;
};

namespace internal {
[[noreturn]] void DieOnBadStatusOrAccess(const Status& status);
}  // namespace internal

template <typename T>
void StatusOr<T>::CheckOk() const {
  if (!ok()) internal::DieOnBadStatusOrAccess(std::get<0>(rep_));
}

}  // namespace hdhub

#define HDHUB_STATUS_CONCAT_INNER(a, b) a##b
#define HDHUB_STATUS_CONCAT(a, b) HDHUB_STATUS_CONCAT_INNER(a, b)

// Returns from the enclosing function when `expr` (a Status) is not OK.
#define RETURN_IF_ERROR(expr)                                 \
  do {                                                        \
    ::hdhub::Status hdhub_status_tmp_ = (expr);               \
    if (!hdhub_status_tmp_.ok()) return hdhub_status_tmp_;    \
  } while (false)

// ASSIGN_OR_RETURN(lhs, expr): evaluates `expr` (a StatusOr<T>); on error returns
// its status, otherwise moves the value into `lhs` (which may be a declaration).
#define ASSIGN_OR_RETURN(lhs, expr) \
  HDHUB_ASSIGN_OR_RETURN_IMPL(HDHUB_STATUS_CONCAT(hdhub_statusor_, __LINE__), lhs, expr)
#define HDHUB_ASSIGN_OR_RETURN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                \
  if (!tmp.ok()) return std::move(tmp).status();    \
  lhs = std::move(tmp).value()
