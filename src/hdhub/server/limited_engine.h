// LimitedEngine: a pgwire::Engine that spends one request of its account's
// and its address's buckets (Limiter::AllowRequest) before each statement
// it runs, and refuses it otherwise with ResourceExhausted "too many
// requests…", which the session answers SQLSTATE 53400
// (configuration_limit_exceeded); the session goes on. Prepare, describe
// and the session's own statements (SET, SHOW, catalog queries) are free.
// A statement prepared to run (a simple Query's) is charged at PrepareToRun,
// where the wrapped engine may start it, and not again at its first Execute.
//
// Thread-safety: that of the engine it wraps (Cancel from any thread).
#pragma once

#include <memory>
#include <string>
#include <utility>

#include "hdhub/pgwire/engine.h"
#include "hdhub/server/limits.h"

namespace hdhub::server {

// The message of a statement refused by the request rate (pgwire maps it to 53400).
inline constexpr char kTooManyRequests[] =
    "too many requests: the request rate of this account or address is limited; retry in a moment";

class LimitedEngine final : public pgwire::Engine {
 public:
  // Borrows `limiter`, which must outlive it.
  LimitedEngine(std::unique_ptr<pgwire::Engine> engine, Limiter* limiter, std::string account, std::string address)
      : engine_(std::move(engine)), limiter_(limiter), account_(std::move(account)), address_(std::move(address)) {}

  StatusOr<std::vector<std::string>> Split(std::string_view sql) override { return engine_->Split(sql); }
  StatusOr<std::shared_ptr<pgwire::Prepared>> Prepare(std::string_view sql) override { return engine_->Prepare(sql); }
  StatusOr<std::shared_ptr<pgwire::Prepared>> PrepareToRun(std::string_view sql) override {
    if (!Allowed()) return ResourceExhaustedError(kTooManyRequests);
    ASSIGN_OR_RETURN(std::shared_ptr<pgwire::Prepared> prepared, engine_->PrepareToRun(sql));
    return std::shared_ptr<pgwire::Prepared>(std::make_shared<Charged>(std::move(prepared)));
  }
  StatusOr<std::unique_ptr<pgwire::Rows>> Execute(pgwire::Prepared& prepared,
                                                  std::vector<duckdb::Value> parameters) override {
    auto* charged = dynamic_cast<Charged*>(&prepared);
    const bool paid = charged != nullptr && std::exchange(charged->paid, false);
    if (!paid && !Allowed()) return ResourceExhaustedError(kTooManyRequests);
    return engine_->Execute(charged != nullptr ? *charged->inner : prepared, std::move(parameters));
  }
  StatusOr<std::vector<pgwire::TableInfo>> Tables() override { return engine_->Tables(); }
  Status ReadCatalog(std::string_view sql) override {
    if (!Allowed()) return ResourceExhaustedError(kTooManyRequests);
    return engine_->ReadCatalog(sql);
  }
  void Cancel() override { engine_->Cancel(); }

 private:
  // What PrepareToRun returns: the wrapped engine's statement, its first
  // Execute already paid for.
  struct Charged final : pgwire::Prepared {
    explicit Charged(std::shared_ptr<pgwire::Prepared> p) : inner(std::move(p)) {}
    const pgwire::Description& description() const override { return inner->description(); }
    std::shared_ptr<pgwire::Prepared> inner;
    bool paid = true;
  };

  // Both buckets are spent (no short cut), so that either limit holds alone.
  bool Allowed() {
    const bool account_ok = limiter_->AllowRequest(LimitScope::kAccount, account_);
    const bool address_ok = limiter_->AllowRequest(LimitScope::kAddress, address_);
    return account_ok && address_ok;
  }

  std::unique_ptr<pgwire::Engine> engine_;
  Limiter* limiter_;
  std::string account_, address_;
};

}  // namespace hdhub::server
