// ExportStore: the sealed objects the airlock wrote to the host
// (export_object), recorded with their release and listed for the host
// check and host migration.
#include <string>
#include <vector>

#include "hdhub/exports/export_rows.h"
#include "hdhub/exports/export_store.h"

namespace hdhub::exports {
namespace {

using catalog::Statement;
using internal::CheckSha256;
using internal::Damaged;
using internal::Execute;
using internal::SelectAll;
using internal::SqlArg;

constexpr size_t kMaxObjectName = 1024;

std::string_view KindText(ExportObjectKind kind) { return kind == ExportObjectKind::kRelease ? "release" : "evidence"; }

// Live: a release object always, evidence while its request's key exists.
StatusOr<ExportObjectRecord> ReadObject(const Statement& s) {
  ExportObjectRecord o{.object_name = s.ColumnText(0),
                       .logical_name = s.ColumnText(1),
                       .project = s.ColumnText(2),
                       .request = s.ColumnText(3)};
  if (!s.ColumnIsNull(4)) o.seq = s.ColumnInt64(4);
  const std::string kind = s.ColumnText(5);
  if (kind != "release" && kind != "evidence") return Damaged("export_object", "kind", o.request);
  o.kind = kind == "release" ? ExportObjectKind::kRelease : ExportObjectKind::kEvidence;
  o.bytes = s.ColumnInt64(6);
  o.sha256 = s.ColumnText(7);
  o.live = o.kind == ExportObjectKind::kRelease || s.ColumnInt64(8) > 0;
  return o;
}

// `o`'s fields a caller gives: InvalidArgument naming the malformed one.
Status CheckObject(const ExportObjectRecord& o) {
  if (o.object_name.empty() || o.object_name.size() > kMaxObjectName) {
    return InvalidArgumentError("export_object.object_name must be 1-1024 characters");
  }
  if (o.logical_name.empty() || o.logical_name.size() > kMaxObjectName) {
    return InvalidArgumentError("export_object.logical_name must be 1-1024 characters");
  }
  if (o.bytes < 0) return InvalidArgumentError("export_object.bytes must not be negative");
  return CheckSha256("export_object.sha256", o.sha256);
}

// `o` checked (CheckObject) and recorded as `project`'s and `request`'s;
// InvalidArgument when it names another project or request (`owner` says
// whose it was given as).
StatusOr<ExportObjectRecord> OwnedBy(const ExportObjectRecord& o, const std::string& project,
                                     const std::string& request, const std::string& owner) {
  RETURN_IF_ERROR(CheckObject(o));
  if ((!o.project.empty() && o.project != project) || (!o.request.empty() && o.request != request)) {
    return InvalidArgumentError("export_object: an object of " + owner + " is of another project or request");
  }
  ExportObjectRecord out = o;
  out.project = project;
  out.request = request;
  return out;
}

// `o` as release `row` records it: project, request and seq filled in.
StatusOr<ExportObjectRecord> ForRelease(const ExportObjectRecord& o, const ReleaseRecord& row) {
  ASSIGN_OR_RETURN(ExportObjectRecord out, OwnedBy(o, row.project, row.request, "release " + std::to_string(row.seq)));
  if (o.kind == ExportObjectKind::kEvidence) {
    if (o.seq) return InvalidArgumentError("export_object.seq is for release objects only");
    return out;
  }
  if (o.seq && *o.seq != row.seq) {
    return FailedPreconditionError("export_object: an object named for release " + std::to_string(*o.seq) +
                                   " joins release " + std::to_string(row.seq));
  }
  out.seq = row.seq;
  return out;
}

Status Insert(catalog::Database& db, const ExportObjectRecord& o) {
  const SqlArg seq = o.seq ? SqlArg(*o.seq) : SqlArg(std::monostate{});
  return Execute(db,
                 "INSERT INTO export_object (object_name, logical_name, project, request, seq, kind, "
                 "bytes, sha256) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)",
                 {o.object_name, o.logical_name, o.project, o.request, seq, KindText(o.kind), o.bytes, o.sha256})
      .status();
}

constexpr std::string_view kSelectObjects =
    "SELECT o.object_name, o.logical_name, o.project, o.request, o.seq, o.kind, o.bytes, o.sha256, "
    "length(r.wrapped_dek) FROM export_object AS o JOIN export_request AS r ON r.id = o.request ";

}  // namespace

Status ExportStore::InsertObjects(const NewRelease& r, const ReleaseRecord& row) {
  for (const ExportObjectRecord& given : r.objects) {
    ASSIGN_OR_RETURN(ExportObjectRecord o, ForRelease(given, row));
    RETURN_IF_ERROR(Insert(*db_, o));
  }
  return OkStatus();
}

Status ExportStore::AppendRevisionObjects(std::string_view request, int64_t revision,
                                          const std::vector<ExportObjectRecord>& objects) {
  return Write([&]() -> Status {
    ASSIGN_OR_RETURN(RequestRecord r, GetRequest(request));
    if (r.revision != revision) {
      return FailedPreconditionError("export_object: objects of revision " + std::to_string(revision) + " of request " +
                                     r.id + ", whose current revision is " + std::to_string(r.revision));
    }
    for (const ExportObjectRecord& given : objects) {
      ASSIGN_OR_RETURN(ExportObjectRecord o, OwnedBy(given, r.project, r.id, "request " + r.id));
      if (o.kind != ExportObjectKind::kEvidence || o.seq) {
        return InvalidArgumentError("export_object: a revision's objects are evidence, of no release");
      }
      RETURN_IF_ERROR(Insert(*db_, o));
    }
    return OkStatus();
  });
}

StatusOr<std::vector<ExportObjectRecord>> ExportStore::ListObjects() {
  return Locked([&] {
    return SelectAll<ExportObjectRecord>(*db_, std::string(kSelectObjects) + "ORDER BY o.rowid", {}, ReadObject);
  });
}

StatusOr<std::vector<ExportObjectRecord>> ExportStore::ListRequestObjects(std::string_view request) {
  return Locked([&] {
    return SelectAll<ExportObjectRecord>(*db_, std::string(kSelectObjects) + "WHERE o.request = ?1 ORDER BY o.rowid",
                                         {request}, ReadObject);
  });
}

}  // namespace hdhub::exports
