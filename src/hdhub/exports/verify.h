// Offline verification of a certificate bundle, `hdhub airlock verify`
// (docs/formats/airlock-certificate.md §6): with the audit log's verifier key
// (obtained apart from the bundle), the released files and optionally the
// project's earlier bundles; no hub, no account, no hub key.
//
// Checks run in the specification's order and stop at the first that fails:
//   1 form, 2 signature, 3 inclusion, 4 binding, 5 files, 6 internal rules,
//   7 history and 8 intervals (only when earlier bundles are given: 8
//   re-solves each suppressed cell's interval with the airlock's attacker LP
//   over the published cells of this and the earlier releases).
// A report names the check, the output, the table and the cell's codes;
// never a value.
//
// Thread-safety: a pure function.
#pragma once

#include <nlohmann/json.hpp>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/status.h"

namespace hdhub::exports {

struct VerifyFile {
  std::string name;  // how the caller names it (free: matched by hash)
  std::string bytes;
};

struct VerifyReport {
  int failed_check = 0;                          // 0 when every check held; else 1..8
  std::string check_name;                        // form, signature, inclusion, binding, files, rules, …
  std::string message;                           // what does not hold, without any value
  std::string output;                            // the output concerned, if any
  std::string table;                             // the table concerned, if any
  std::vector<std::string> cell;                 // the cell's codes, if one is concerned
  std::string certificate_sha256;                // once the form holds
  std::vector<std::string> outputs_checked;      // outputs matched by a file
  std::vector<std::string> outputs_not_checked;  // outputs with no file given
  bool history_checked = false;                  // steps 7 and 8 ran
  int earlier_bundles = 0;                       // the earlier bundles it checked

  bool ok() const { return failed_check == 0; }
  // {"ok", "failed_check": {"number", "name", "message", "output", "table",
  // "cell"} or absent, "certificate_sha256", "outputs_checked",
  // "outputs_not_checked", "earlier_bundles", "checks_not_run"}.
  nlohmann::json ToJson() const;
  // One line for people.
  std::string Summary() const;
};

// Runs checks 1–6 on `bundle`, and 7 and 8 when `earlier` is given: the
// project's earlier bundles (all of them; an empty list fails 7 for a release
// that has earlier ones). InvalidArgument when `verifier_key` is not a
// verifier key ("<name>+<8 hex>+<base64>"): unusable arguments, not a check
// that failed.
StatusOr<VerifyReport> VerifyBundle(std::string_view bundle, std::string_view verifier_key,
                                    std::span<const VerifyFile> files,
                                    std::optional<std::span<const std::string>> earlier = std::nullopt);

}  // namespace hdhub::exports
