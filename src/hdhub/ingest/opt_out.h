// The opt-out register: people who object to research use of their data
// (DESIGN §3). A source sends opt-out lists (NIR, NAI_DTE, SEX_COD),
// pseudonymized like any extract (stage 1 at the source, stage 2 at the hub)
// and ingested as versions of the dataset OPT_OUT, whose one column is the
// person's pseudonym; and, when someone takes their objection back, a
// withdrawal list of the same shape, ingested as a version of
// OPT_OUT_WITHDRAWAL (each ingest audited as ingest.run).
//
// Lists accumulate: a person is opted out when the latest list that names
// them is an opt-out list, so a later opt-out list that omits someone
// re-admits nobody; only a withdrawal list does. Lists are ordered by
// commit time (ingests of a hub take turns), a withdrawal list before an
// opt-out list committed at the same instant (in doubt, the person stays
// out). Workspace builds leave the opted-out out; sessions hide, at their
// next statement, the people opted out since their workspace was built
// (projects/session.h). Format: docs/formats/projects.md, "Opt-outs".
//
// Value types; thread-compatible.
#pragma once

#include <functional>
#include <nlohmann/json.hpp>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/catalog/catalog.h"
#include "hdhub/common/status.h"
#include "hdhub/keys/key_store.h"

namespace hdhub::sql {
class Database;
}  // namespace hdhub::sql

namespace hdhub::ingest {

inline constexpr std::string_view kOptOutDataset = "OPT_OUT";
inline constexpr std::string_view kOptOutWithdrawalDataset = "OPT_OUT_WITHDRAWAL";

// hdhub's own Table Schema of an opt-out (or withdrawal) list: one person
// pseudonym column.
inline constexpr std::string_view kOptOutSchemaJson = R"json({
  "name": "OPT_OUT",
  "title": "People who object to research use of their data (hdhub)",
  "fields": [
    {"name": "BEN_NIR_PSA", "type": "string", "description": "the person's pseudonym",
     "constraints": {"required": true}}
  ],
  "missingValues": [""]
})json";

// One committed version of OPT_OUT or OPT_OUT_WITHDRAWAL.
struct OptOutList {
  bool withdrawal = false;
  catalog::VersionWithObjects version;
};

class OptOutRegister {
 public:
  // Every committed list, in register order. Errors from the catalog (a
  // dataset that does not exist yet has no list).
  static StatusOr<OptOutRegister> Read(catalog::Catalog& catalog);

  const std::vector<OptOutList>& lists() const { return lists_; }
  // Which lists: {"OPT_OUT": [1, 2], "OPT_OUT_WITHDRAWAL": [1]}.
  nlohmann::json Provenance() const;
  // Whether `list` is one of those `provenance` names (Provenance() of an
  // earlier register).
  static bool Names(const nlohmann::json& provenance, const OptOutList& list);

  // Makes every list readable in `db` as the view "<prefix><i>", i its index
  // in lists() (no view for a list without objects).
  Status Mount(sql::Database& db, keys::KeyStore& keys, std::string_view prefix) const;
  // SELECT p: the stage-2 pseudonyms opted out under the mounted lists for
  // which `include` holds (all when empty).
  std::string ExcludedSelect(std::string_view prefix,
                             const std::function<bool(const OptOutList&)>& include = nullptr) const;

 private:
  std::vector<OptOutList> lists_;
};

}  // namespace hdhub::ingest
