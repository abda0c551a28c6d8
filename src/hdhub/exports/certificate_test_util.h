// Test-only: a real release for the certificate tests and the known answers
// of testdata/airlock/certificate/ (docs/formats/airlock-certificate.md §8).
// A real Protect run on a small grid, a real file audit log in a temporary
// directory signed by the audit tests' fixed key (audit/test_util.h), a fake
// clock and a fixed nonce, so every byte is the same on every run.
#pragma once

#include <map>
#include <memory>
#include <string>
#include <vector>

#include "hdhub/airlock/protection.h"
#include "hdhub/audit/file_audit_log.h"
#include "hdhub/common/clock.h"
#include "hdhub/common/temp_dir.h"
#include "hdhub/exports/bundle.h"
#include "hdhub/exports/certificate.h"

namespace hdhub::exports::testing {

// The hub log's name (the verifier key's name and the body's log_origin).
inline constexpr char kTestLogOrigin[] = "hdhub/0123456789abcdef";
inline constexpr char kTestProject[] = "p-2026-01";

// The frame "f1" (row x col, each with a Total) and its Protect run.
Frame TestFrame();
airlock::ProtectionResult ProtectTestGrid();
TableOutputDeclaration TestTableDeclaration();

// The released files of the test release, by output name.
struct ReleasedFiles {
  std::string grid_csv;
  std::string readme_txt;
};

// A release body: the table output "grid" and the custom output "readme".
// `release` 1 starts the chain; a later one continues from `before`.
CertificateBody ReleaseBody(int64_t release, const std::string& before_hex, int64_t releases_before);
ReleasedFiles TestFiles();

// The real audit log of the tests, in a temporary directory.
class TestLog {
 public:
  TestLog();
  // Appends the airlock.release entry binding `body_line` (§5), flushes, and
  // returns its bundle (proof against the newest checkpoint).
  StatusOr<Bundle> Release(const CertificateBody& body, const std::string& body_line);
  std::string VerifierKey() const;

 private:
  hdhub::testing::TempDir dir_;
  FakeClock clock_;
  std::unique_ptr<audit::FileAuditLog> log_;
};

// The known answers: file name -> bytes, and the variants that must fail
// (or pass), as variants.json lists them.
struct Variant {
  std::string name;
  std::string bundle;                // a file name of the map
  std::vector<std::string> files;    // released files given
  std::string key;                   // the verifier key's file
  std::vector<std::string> history;  // earlier bundles (step 7), when has_history
  bool has_history = false;
  int fails_at = 0;  // 0: verifies
};
struct Golden {
  std::map<std::string, std::string> files;
  std::vector<Variant> variants;
};
StatusOr<Golden> MakeGolden();

}  // namespace hdhub::exports::testing
