// Checking a project's scope against what the hub holds, when the project is
// recorded or changed, so that a scope that could never be built is refused
// before two operators approve it (the workspace build checks again: the
// catalog may change in between).
//
// Thread-safety: as the Catalog it reads.
#pragma once

#include <set>
#include <string>

#include "hdhub/catalog/catalog.h"
#include "hdhub/common/status.h"
#include "hdhub/projects/scope.h"

namespace hdhub::projects {

// OK when every table of `scope` has a workspace profile (table_profiles.h)
// or is a reference table (ingested with --reference: a nomenclature, read
// whole), it and the table it details have a committed version in `catalog`, every
// column named is one that version stores (its schema's fields, less those
// the hub drops at ingest), and a population filter finds IR_BEN_R.
// Otherwise InvalidArgument naming the field ("scope: tables.<T>: …");
// another error when the catalog cannot be read.
Status CheckScopeAgainstCatalog(const ProjectScope& scope, catalog::Catalog& catalog);

// The datasets a workspace built for `scope` reads: its tables, the tables
// they detail (table_profiles.h), and IR_BEN_R when a population filter is
// set (the opt-out register, read by every build, aside).
std::set<std::string> DatasetsScopeReads(const ProjectScope& scope);

}  // namespace hdhub::projects
