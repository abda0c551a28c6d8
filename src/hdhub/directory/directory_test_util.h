// Test fixture for the directory: a fresh database in a temporary directory,
// a fake clock, an in-memory audit log, and three users: olga, the first
// operator (CreateFirstOperator), who creates rita (researcher) and audrey
// (auditor).
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/audit/audit_log.h"
#include "hdhub/audit/test_util.h"
#include "hdhub/common/bytes.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/directory/directory.h"

namespace hdhub::directory {

inline SecretBytes Secret(std::string_view text) { return SecretBytes(AsBytes(text)); }

class DirectoryTest : public ::testing::Test {
 protected:
  static constexpr std::string_view kOlgaPassword = "olga-correct-horse-1";
  static constexpr std::string_view kRitaPassword = "rita-battery-staple-2";
  static constexpr std::string_view kAudreyPassword = "audrey-long-secret-3";

  void SetUp() override {
    ASSERT_OK_AND_ASSIGN(dir_, Open());
    ASSERT_OK(dir_->CreateFirstOperator("olga", Secret(kOlgaPassword)));
    ASSERT_OK(dir_->CreateUser(olga_, "rita", {Role::kResearcher}, Secret(kRitaPassword)));
    ASSERT_OK(dir_->CreateUser(olga_, "audrey", {Role::kAuditor}, Secret(kAudreyPassword)));
  }

  StatusOr<std::unique_ptr<Directory>> Open() {
    return Directory::Open(path_, &clock_, &log_, DirectoryOptions::InsecureLowCostForTest());
  }

  // The user's record as listed by olga.
  UserRecord UserNamed(std::string_view name) {
    StatusOr<std::vector<UserRecord>> users = dir_->ListUsers(olga_);
    EXPECT_OK(users);
    for (UserRecord& user : users.value_or(std::vector<UserRecord>{})) {
      if (user.name == name) return user;
    }
    ADD_FAILURE() << "no user " << name;
    return {};
  }

  // Every audit entry, decoded.
  std::vector<audit::Entry> Entries() const { return audit::testing::ReadEntries(log_); }
  audit::Event LastEvent() const {
    std::vector<audit::Entry> entries = Entries();
    if (entries.empty()) return {};
    return entries.back().event;
  }
  // The raw text of every entry, concatenated.
  std::string AuditText() const {
    std::string text;
    for (uint64_t i = 0; i < log_.Size(); ++i) text += log_.ReadEntry(i).value_or("") + "\n";
    return text;
  }

  testing::TempDir tmp_;
  std::string path_ = tmp_.Sub("catalog.db");
  FakeClock clock_{TimePoint(std::chrono::seconds(1'800'000'000))};
  audit::MemoryAuditLog log_{&clock_};
  std::unique_ptr<Directory> dir_;
  const audit::Actor olga_{"olga", "operator"};
  const audit::Actor rita_{"rita", "researcher"};
  const audit::Actor audrey_{"audrey", "auditor"};
};

}  // namespace hdhub::directory
