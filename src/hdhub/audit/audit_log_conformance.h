// The AuditLog conformance suite: the behaviour every implementation must
// share (MemoryAuditLog, FileAuditLog, and any later backend), written once
// and run against each. A backend joins with one line in its own test file:
//
//   INSTANTIATE_AUDIT_LOG_CONFORMANCE(Memory, [](const std::filesystem::path&, const Clock* clock) {
//     return StatusOr<std::unique_ptr<AuditLog>>(std::make_unique<MemoryAuditLog>(clock));
//   });
//
// The factory receives an empty scratch directory that lives as long as the
// test and the clock the log must stamp entries with; it must return a
// fresh, empty log. The tests are in audit_log_conformance.cc, linked through
// the hdhub_audit_conformance object library (a static library would let the
// linker drop the unreferenced TEST_Ps).
//
// Test-only.
#pragma once

#include <gtest/gtest.h>

#include <filesystem>
#include <functional>
#include <memory>
#include <ostream>
#include <string>

#include "hdhub/audit/audit_log.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::audit::testing {

using AuditLogFactory =
    std::function<StatusOr<std::unique_ptr<AuditLog>>(const std::filesystem::path& scratch, const Clock* clock)>;

struct AuditLogBackend {
  std::string name;  // [A-Za-z0-9_]: becomes part of the test names
  AuditLogFactory make;
};

class AuditLogConformanceTest : public ::testing::TestWithParam<AuditLogBackend> {
 protected:
  void SetUp() override;
  AuditLog& log() { return *log_; }

  FakeClock clock_{TimePoint(std::chrono::seconds(1'790'000'000))};

 private:
  ::hdhub::testing::TempDir scratch_;
  std::unique_ptr<AuditLog> log_;
};

std::string AuditLogBackendName(const ::testing::TestParamInfo<AuditLogBackend>& info);
// So that gtest and CTest show "Memory", not the bytes of a std::function.
void PrintTo(const AuditLogBackend& backend, std::ostream* os);

}  // namespace hdhub::audit::testing

// Use at namespace scope. (gtest pastes the suite name into identifiers, so it
// must be unqualified: hence the using-declaration.)
#define INSTANTIATE_AUDIT_LOG_CONFORMANCE(label, factory)                                                \
  using ::hdhub::audit::testing::AuditLogConformanceTest;                                                \
  INSTANTIATE_TEST_SUITE_P(label, AuditLogConformanceTest,                                               \
                           ::testing::Values(::hdhub::audit::testing::AuditLogBackend{#label, factory}), \
                           ::hdhub::audit::testing::AuditLogBackendName)
