// StaticFiles: the web portal's files (portal/dist, built at bootstrap),
// served by `hdhub serve` on its HTTP listener for every path outside
// /api/ when [serve] portal_dir is set (docs/serve.md "Portal").
//
// Only GET and HEAD (405 otherwise). A path is percent-decoded once; any
// segment that starts with '.' ("..", ".git", "%2e%2e" once decoded) is
// refused as not found, and the file's canonical path (symlinks resolved)
// must stay under the root's, so nothing outside the portal directory is
// ever read. A path without a dot in its last segment that names no file
// is the single-page application's: index.html answers it. Content types
// come from the extension. Every answer, errors included, carries the
// portal's security headers (PortalSecurityHeaders: a strict CSP without
// inline script or style, nosniff, no referrer, HSTS, no framing); files
// under /assets/ (hashed names) may be cached for a year, the rest is
// no-store.
//
// Thread-safety: Serve may be called from several threads at once (it
// reads the file system only).
#pragma once

#include <filesystem>
#include <memory>
#include <string>
#include <string_view>
#include <utility>
#include <vector>

#include "hdhub/common/status.h"
#include "hdhub/server/http_api.h"

namespace hdhub::server {

// The headers of every portal answer, in order.
const std::vector<std::pair<std::string, std::string>>& PortalSecurityHeaders();

// The Content-Type of a file named `name`, by its extension
// (application/octet-stream when unknown).
std::string_view ContentTypeFor(std::string_view name);

class StaticFiles {
 public:
  // The portal rooted at `root`, which must be a directory holding
  // index.html: FailedPrecondition otherwise (naming the path).
  static StatusOr<std::unique_ptr<StaticFiles>> Create(const std::filesystem::path& root);

  // Whether `target` (path and query) is the portal's: anything but /api
  // and what is under /api/.
  static bool IsPortalTarget(std::string_view target);

  // The answer to `request` (its method, target and request id): the file,
  // index.html, or a problem+json (400 malformed path, 404, 405).
  HttpResponse Serve(const HttpRequest& request) const;

 private:
  explicit StaticFiles(std::filesystem::path root) : root_(std::move(root)) {}
  // The file `path` names (decoded, relative): its canonical path under the
  // root, or NotFound.
  StatusOr<std::filesystem::path> Resolve(std::string_view path) const;

  std::filesystem::path root_;  // canonical
};

}  // namespace hdhub::server
