// The HTTP API's catalog routes: list the catalog, show a dataset, ingest a
// version by multipart upload, withdraw a version and remove a dataset (the
// catalog's queries are in http_api_queries.cc).
#include <filesystem>
#include <fstream>
#include <memory>

#include "hdhub/ingest/opt_out.h"
#include "hdhub/server/http_api_internal.h"
#include "hdhub/server/multipart.h"

namespace hdhub::server::http_api_internal {

namespace {

StatusOr<std::string> StringParam(const Call& call, const char* name) {
  auto it = call.query.find(name);
  if (it == call.query.end() || it->second.empty()) return InvalidArgumentError(std::string(name) + " is required");
  return it->second;
}

// A flag of the query string: absent false; present empty, "true" or "1" true.
StatusOr<bool> Flag(const Call& call, const char* name) {
  auto it = call.query.find(name);
  if (it == call.query.end() || it->second == "false" || it->second == "0") return false;
  if (it->second.empty() || it->second == "true" || it->second == "1") return true;
  return InvalidArgumentError(std::string(name) + " must be true or false");
}

StatusOr<int64_t> PositiveParam(std::string_view text, std::string_view what) {
  ASSIGN_OR_RETURN(uint64_t v, Unsigned(text, what));
  if (v == 0 || v > uint64_t(INT64_MAX)) return InvalidArgumentError(std::string(what) + " must be positive");
  return int64_t(v);
}

// Field names as `catalog show --json`.
json VersionJson(const catalog::VersionRecord& v) {
  json out = {{"dataset", v.dataset},
              {"version", v.version},
              {"state", std::string(catalog::VersionStateName(v.state))},
              {"created", Time(v.created_at)},
              {"source_sha256", v.source_digest},
              {"reference", ingest::IsReferenceVersion(v)}};
  out["rows"] = v.row_count ? json(*v.row_count) : json(nullptr);
  out["committed_at"] = v.committed_at ? json(Time(*v.committed_at)) : json(nullptr);
  const auto stored = [](const std::string& text) {  // a stored JSON column, null if unreadable
    json parsed = json::parse(text, nullptr, false);
    return parsed.is_discarded() ? json(nullptr) : parsed;
  };
  out["schema"] = stored(v.schema_json);
  // What the ingest found (ingest/report.h: counts, field names, never a value).
  out["report"] = stored(v.report_json);
  if (v.withdrawal) {
    out["withdrawn"] = {{"at", Time(v.withdrawal->at)}, {"by", v.withdrawal->by}, {"reason", v.withdrawal->reason}};
  }
  return out;
}

// The upload's parts, in a folder of the scratch area removed on return.
class UploadFolder {
 public:
  static StatusOr<std::unique_ptr<UploadFolder>> Create(service::Service& s, const std::string& request_id) {
    ASSIGN_OR_RETURN(std::string scratch, s.ScratchFolder());
    std::filesystem::path path = std::filesystem::path(scratch) / ("upload-" + request_id + "-parts");
    std::error_code ec;
    if (!std::filesystem::create_directory(path, ec) || ec) {
      return InternalError("cannot make a folder for an upload in the scratch area");
    }
    return std::unique_ptr<UploadFolder>(new UploadFolder(std::move(path)));
  }
  ~UploadFolder() {
    std::error_code ignored;
    std::filesystem::remove_all(path_, ignored);
  }
  const std::filesystem::path& path() const { return path_; }

 private:
  explicit UploadFolder(std::filesystem::path path) : path_(std::move(path)) {}
  std::filesystem::path path_;
};

StatusOr<std::string> ReadSmallFile(const std::filesystem::path& path, size_t limit, std::string_view what) {
  std::ifstream in(path, std::ios::binary);
  std::string out;
  out.resize(limit + 1);
  in.read(out.data(), std::streamsize(out.size()));
  out.resize(size_t(in.gcount()));
  if (out.size() > limit)
    return InvalidArgumentError(std::string(what) + " is over " + std::to_string(limit) + " bytes");
  return out;
}

}  // namespace

StatusOr<HttpResponse> ListCatalog(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(auto lines, a.service.ListCatalog(*c.ctx, c.query.count("unfinished") > 0));
  std::vector<json> items;
  for (const auto& l : lines) {
    json v = VersionJson(l.version);
    v["objects"] = l.objects;
    items.push_back(std::move(v));
  }
  ASSIGN_OR_RETURN(json page, Page(c, std::move(items)));
  return Json(page);
}

StatusOr<HttpResponse> ShowDataset(Api& a, const Call& c) {
  int64_t version = 0;
  if (auto it = c.query.find("version"); it != c.query.end()) {
    ASSIGN_OR_RETURN(version, PositiveParam(it->second, "version"));
  }
  ASSIGN_OR_RETURN(auto shown, a.service.ShowVersion(*c.ctx, c.params.at("dataset"), version));
  json out = VersionJson(shown.version);
  out["objects"] = shown.objects.size();
  uint64_t bytes = 0;
  for (const catalog::ObjectRecord& o : shown.objects) bytes += o.ciphertext_size;
  out["bytes"] = bytes;
  return Json(out);
}

StatusOr<HttpResponse> Ingest(Api& a, const Call& c) {
  constexpr size_t kMaxSchemaBytes = 4 << 20;
  if (c.request.body_file.empty()) {
    return InvalidArgumentError("the upload must be multipart/form-data, with a part named data");
  }
  ASSIGN_OR_RETURN(auto folder, UploadFolder::Create(a.service, c.request.request_id));
  ASSIGN_OR_RETURN(auto parts,
                   SplitMultipart(c.request.body_file, c.request.content_type, folder->path(), {"data", "schema"}));
  if (!parts.contains("data")) return InvalidArgumentError("the upload has no part named data (the CSV)");
  ingest::IngestRequest req;
  req.dataset = c.params.at("dataset");
  req.csv_path = parts.at("data").string();
  if (parts.contains("schema")) {
    ASSIGN_OR_RETURN(req.schema_text, ReadSmallFile(parts.at("schema"), kMaxSchemaBytes, "the schema part"));
    if (req.schema_text.empty()) return InvalidArgumentError("the schema part is empty");
  } else if (req.dataset == ingest::kOptOutDataset || req.dataset == ingest::kOptOutWithdrawalDataset) {
    req.schema_text = std::string(ingest::kOptOutSchemaJson);
  } else {
    return InvalidArgumentError("the upload has no part named schema (Table Schema JSON)");
  }
  ASSIGN_OR_RETURN(req.reference, Flag(c, "reference"));
  ASSIGN_OR_RETURN(req.new_schema_version, Flag(c, "new_schema_version"));
  ASSIGN_OR_RETURN(req.allow_empty, Flag(c, "allow_empty"));
  if (auto it = c.query.find("on_invalid"); it != c.query.end()) {
    ASSIGN_OR_RETURN(req.on_invalid, ingest::ParsePolicy(it->second));
  }
  if (auto it = c.query.find("delimiter"); it != c.query.end()) {
    if (it->second.size() != 1) return InvalidArgumentError("delimiter must be one character");
    req.delimiter = it->second[0];
  }
  ASSIGN_OR_RETURN(ingest::IngestResult r, a.service.Ingest(*c.ctx, req));
  return Json({{"dataset", r.dataset},
               {"version", r.version},
               {"rows", r.rows},
               {"already_ingested", r.already_ingested},
               {"report", r.report.ToJson()}},
              r.already_ingested ? 200 : 201);
}

StatusOr<HttpResponse> Withdraw(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(int64_t version, PositiveParam(c.params.at("version"), "version"));
  ASSIGN_OR_RETURN(std::string reason, StringParam(c, "reason"));
  ASSIGN_OR_RETURN(service::WithdrawResult r,
                   a.service.WithdrawVersion(*c.ctx, c.params.at("dataset"), version, reason));
  return Json({{"dataset", r.dataset},
               {"version", r.version},
               {"current", r.current ? json(*r.current) : json()},
               {"objects_deleted", r.objects_deleted},
               {"workspaces_shredded", r.workspaces_shredded}});
}

StatusOr<HttpResponse> RemoveDataset(Api& a, const Call& c) {
  ASSIGN_OR_RETURN(std::string reason, StringParam(c, "reason"));
  ASSIGN_OR_RETURN(service::RemoveResult r, a.service.RemoveDataset(*c.ctx, c.params.at("dataset"), reason));
  return Json(
      {{"dataset", r.dataset}, {"versions_shredded", r.versions_shredded}, {"objects_deleted", r.objects_deleted}});
}

}  // namespace hdhub::server::http_api_internal
