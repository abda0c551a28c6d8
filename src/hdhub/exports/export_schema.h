// The exports component's tables in the hub's SQLite database
// (docs/formats/exports.md, docs/airlock-workflow.md §3), as migrations for
// catalog::ApplyMigrations: export requests, their revisions, outputs,
// reviews and decisions, the release ledger and the hub's airlock rules.
//
// CHECK constraints repeat the store's validation and triggers hold the
// invariants (append-only tables, final states, frozen frames, two reviews
// per revision, gapless release numbers), so that raw SQL cannot store what
// ExportStore refuses.
#pragma once

#include <span>

#include "hdhub/catalog/sqlite.h"

namespace hdhub::exports {

inline constexpr char kExportsComponent[] = "exports";
std::span<const catalog::Migration> ExportMigrations();

}  // namespace hdhub::exports
