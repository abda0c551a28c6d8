#include "hdhub/server/static_files.h"

#include <fstream>
#include <map>
#include <sstream>
#include <system_error>

namespace hdhub::server {
namespace {

namespace fs = std::filesystem;

// A portal file larger than this is refused (the built bundle is far smaller).
constexpr uintmax_t kMaxFileBytes = uintmax_t{32} << 20;
constexpr std::string_view kIndex = "index.html";
constexpr std::string_view kAssets = "/assets/";

// Whether `path` is `root` or under it, component by component.
bool Within(const fs::path& root, const fs::path& path) {
  auto r = root.begin();
  auto p = path.begin();
  for (; r != root.end(); ++r, ++p) {
    if (p == path.end() || *r != *p) return false;
  }
  return true;
}

StatusOr<std::string> ReadWhole(const fs::path& path) {
  std::error_code ec;
  const uintmax_t size = fs::file_size(path, ec);
  if (ec) return NotFoundError("no such file");
  if (size > kMaxFileBytes) return FailedPreconditionError("portal file too large");
  std::ifstream in(path, std::ios::binary);
  if (!in) return NotFoundError("no such file");
  std::ostringstream out;
  out << in.rdbuf();
  return out.str();
}

HttpResponse WithSecurityHeaders(HttpResponse response) {
  for (const auto& header : PortalSecurityHeaders()) response.headers.push_back(header);
  return response;
}

}  // namespace

const std::vector<std::pair<std::string, std::string>>& PortalSecurityHeaders() {
  static const std::vector<std::pair<std::string, std::string>> headers = {
      {"Content-Security-Policy",
       "default-src 'self'; script-src 'self'; style-src 'self'; img-src 'self' data:; connect-src 'self'; "
       "font-src 'self'; object-src 'none'; base-uri 'none'; frame-ancestors 'none'; form-action 'self'"},
      {"X-Content-Type-Options", "nosniff"},
      {"Referrer-Policy", "no-referrer"},
      {"Strict-Transport-Security", "max-age=31536000"},
      {"X-Frame-Options", "DENY"},
  };
  return headers;
}

std::string_view ContentTypeFor(std::string_view name) {
  static const std::map<std::string_view, std::string_view> types = {
      {".html", "text/html; charset=utf-8"},
      {".js", "text/javascript; charset=utf-8"},
      {".mjs", "text/javascript; charset=utf-8"},
      {".css", "text/css; charset=utf-8"},
      {".json", "application/json"},
      {".map", "application/json"},
      {".svg", "image/svg+xml"},
      {".png", "image/png"},
      {".ico", "image/x-icon"},
      {".webp", "image/webp"},
      {".woff2", "font/woff2"},
      {".woff", "font/woff"},
      {".txt", "text/plain; charset=utf-8"},
      {".webmanifest", "application/manifest+json"},
  };
  const size_t dot = name.rfind('.');
  const size_t slash = name.rfind('/');
  if (dot == std::string_view::npos || (slash != std::string_view::npos && dot < slash)) {
    return "application/octet-stream";
  }
  auto it = types.find(name.substr(dot));
  return it != types.end() ? it->second : "application/octet-stream";
}

StatusOr<std::unique_ptr<StaticFiles>> StaticFiles::Create(const fs::path& root) {
  std::error_code ec;
  const fs::path canonical = fs::canonical(root, ec);
  if (ec || !fs::is_directory(canonical, ec)) {
    return FailedPreconditionError("portal_dir " + root.string() + " is not a directory");
  }
  if (!fs::is_regular_file(canonical / kIndex, ec)) {
    return FailedPreconditionError("portal_dir " + root.string() + " has no index.html: build the portal first");
  }
  return std::unique_ptr<StaticFiles>(new StaticFiles(canonical));
}

bool StaticFiles::IsPortalTarget(std::string_view target) {
  const std::string_view path = target.substr(0, target.find_first_of("?#"));
  // /api/ is the HTTP API's, /auth/ single sign-on's (sso.h).
  return path != "/api" && !path.starts_with("/api/") && path != "/auth" && !path.starts_with("/auth/");
}

StatusOr<fs::path> StaticFiles::Resolve(std::string_view path) const {
  fs::path relative;
  size_t start = 0;
  while (start <= path.size()) {
    size_t end = path.find('/', start);
    if (end == std::string_view::npos) end = path.size();
    const std::string_view segment = path.substr(start, end - start);
    if (!segment.empty()) {
      // "..", ".", hidden files; and nothing a file system could read as a separator.
      if (segment.front() == '.' || segment.find('\0') != std::string_view::npos ||
          segment.find('\\') != std::string_view::npos) {
        return NotFoundError("no such file");
      }
      relative /= std::string(segment);
    }
    start = end + 1;
  }
  if (relative.empty() || path.ends_with('/')) relative /= std::string(kIndex);
  std::error_code ec;
  const fs::path canonical = fs::canonical(root_ / relative, ec);
  if (ec || !Within(root_, canonical) || !fs::is_regular_file(canonical, ec)) return NotFoundError("no such file");
  return canonical;
}

HttpResponse StaticFiles::Serve(const HttpRequest& request) const {
  if (request.method != "GET" && request.method != "HEAD") {
    HttpResponse refused = Problem(405, "the portal's files are read with GET or HEAD", request.request_id);
    refused.headers.emplace_back("Allow", "GET, HEAD");
    return WithSecurityHeaders(std::move(refused));
  }
  const std::string_view target = request.target;
  const std::optional<std::string> path = PercentDecode(target.substr(0, target.find_first_of("?#")), false);
  if (!path || path->empty() || path->front() != '/') {
    return WithSecurityHeaders(Problem(400, "malformed path", request.request_id));
  }
  StatusOr<fs::path> file = Resolve(*path);
  if (!file.ok()) {
    // A route of the single-page application: its last segment has no dot.
    const std::string_view last = std::string_view(*path).substr(path->rfind('/') + 1);
    if (last.find('.') == std::string_view::npos) file = Resolve("/");
  }
  StatusOr<std::string> content = file.ok() ? ReadWhole(*file) : StatusOr<std::string>(file.status());
  if (!content.ok()) return WithSecurityHeaders(ProblemFor(NotFoundError("no such file"), request.request_id));
  HttpResponse out{.status = 200, .content_type = std::string(ContentTypeFor(file->filename().string()))};
  out.body = std::move(*content);
  if (path->starts_with(kAssets) && file->filename() != fs::path(kIndex)) {
    out.headers.emplace_back("Cache-Control", "public, max-age=31536000, immutable");
  } else {
    out.headers.emplace_back("Cache-Control", "no-store");
  }
  return WithSecurityHeaders(std::move(out));
}

}  // namespace hdhub::server
