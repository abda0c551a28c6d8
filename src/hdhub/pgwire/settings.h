// SessionSettings: the run-time settings a PG-wire client sees (SET, RESET,
// SHOW, current_setting, ParameterStatus), emulated by the protocol session
// and never sent to the engine. Values are checked and written as
// PostgreSQL 15 shows them; what this server cannot honour is refused:
//   application_name (63 bytes), DateStyle (ISO, MDY only), client_encoding
//   (UTF8 only), TimeZone (UTC only: values are sent in UTC), IntervalStyle
//   (postgres), extra_float_digits (-15..3), search_path, statement_timeout,
//   transaction isolation, default_transaction_read_only (on only), lc_*,
//   client_min_messages, … Read-only ones (server_version, …) refuse a SET
//   with 55P02; unknown names 42704; bad values 22023.
//
// Not thread-safe: one per session.
#pragma once

#include <cstdint>
#include <map>
#include <string>
#include <vector>

#include "hdhub/common/status.h"

namespace hdhub::pgwire {

class SessionSettings {
 public:
  SessionSettings();

  // The canonical name of `name` (any case; "DateStyle" for "datestyle"),
  // or NotFound ("unrecognized configuration parameter", SQLSTATE 42704).
  StatusOr<std::string> Canonical(const std::string& name) const;
  // The value to store for `values` (empty: the default), or
  // InvalidArgument (22023, "invalid value for parameter") / FailedPrecondition
  // ("cannot be changed", 55P02) / PermissionDenied (42501).
  StatusOr<std::string> Check(const std::string& canonical, const std::vector<std::string>& values) const;

  const std::string& Get(const std::string& canonical) const { return values_.at(canonical); }
  void Set(const std::string& canonical, std::string value) { values_[canonical] = std::move(value); }
  const std::string& Default(const std::string& canonical) const { return defaults_.at(canonical); }
  // Makes the current values the defaults (after the startup parameters).
  void KeepAsDefaults() { defaults_ = values_; }
  void ResetAll() { values_ = defaults_; }

  // Whether a change is reported to the client with ParameterStatus.
  static bool Reported(const std::string& canonical);
  const std::map<std::string, std::string>& values() const { return values_; }
  void Restore(std::map<std::string, std::string> values) { values_ = std::move(values); }

  // statement_timeout in milliseconds (0: none).
  int64_t StatementTimeoutMs() const;

 private:
  std::map<std::string, std::string> values_;
  std::map<std::string, std::string> defaults_;
};

}  // namespace hdhub::pgwire
