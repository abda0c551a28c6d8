#include "hdhub/server/multipart.h"

#include <cctype>
#include <fstream>
#include <optional>
#include <vector>

namespace hdhub::server {

namespace {

constexpr size_t kBlock = 64 << 10;
constexpr size_t kMaxHeaderBytes = 8 << 10;

std::string Lower(std::string_view s) {
  std::string out(s);
  for (char& c : out) c = char(std::tolower(static_cast<unsigned char>(c)));
  return out;
}

std::string_view Trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

// The value of parameter `key` in "type; a=b; key=\"v\"" (quoted or a token).
std::optional<std::string> Parameter(std::string_view header, std::string_view key) {
  size_t pos = header.find(';');
  while (pos != std::string_view::npos) {
    std::string_view rest = header.substr(pos + 1);
    const size_t next = rest.find(';');
    std::string_view param = Trim(rest.substr(0, next));
    const size_t eq = param.find('=');
    if (eq != std::string_view::npos && Lower(Trim(param.substr(0, eq))) == key) {
      std::string_view value = Trim(param.substr(eq + 1));
      if (value.size() >= 2 && value.front() == '"' && value.back() == '"') value = value.substr(1, value.size() - 2);
      return std::string(value);
    }
    pos = next == std::string_view::npos ? next : pos + 1 + next;
  }
  return std::nullopt;
}

std::string PartError(size_t part, std::string_view what) {
  return "multipart body, part " + std::to_string(part) + ": " + std::string(what);
}

}  // namespace

StatusOr<std::string> MultipartBoundary(std::string_view content_type) {
  const std::string type = Lower(Trim(content_type.substr(0, content_type.find(';'))));
  if (type != "multipart/form-data") {
    return InvalidArgumentError("the upload must be multipart/form-data (Content-Type), with a part named data");
  }
  std::optional<std::string> boundary = Parameter(content_type, "boundary");
  if (!boundary || boundary->empty() || boundary->size() > 70) {
    return InvalidArgumentError("the multipart/form-data Content-Type has no boundary of 1 to 70 characters");
  }
  return *boundary;
}

StatusOr<std::map<std::string, std::filesystem::path>> SplitMultipart(const std::filesystem::path& body_file,
                                                                      std::string_view content_type,
                                                                      const std::filesystem::path& out_dir,
                                                                      const std::set<std::string>& allowed) {
  ASSIGN_OR_RETURN(std::string boundary, MultipartBoundary(content_type));
  std::ifstream in(body_file, std::ios::binary);
  if (!in) return InternalError("cannot read the spooled upload");
  std::string buf;
  std::vector<char> block(kBlock);
  auto fill = [&]() -> bool {
    in.read(block.data(), std::streamsize(block.size()));
    const std::streamsize n = in.gcount();
    if (n <= 0) return false;
    buf.append(block.data(), size_t(n));
    return true;
  };
  auto need = [&](size_t bytes) {
    while (buf.size() < bytes && fill()) {
    }
    return buf.size() >= bytes;
  };

  const std::string first = "--" + boundary;
  if (!need(first.size()) || buf.compare(0, first.size(), first) != 0) {
    return InvalidArgumentError("the multipart body does not start with its boundary (\"--\" and the boundary)");
  }
  size_t pos = first.size();
  const std::string delimiter = "\r\n--" + boundary;
  std::map<std::string, std::filesystem::path> parts;
  for (size_t part = 1;; ++part) {
    if (!need(pos + 2)) return InvalidArgumentError(PartError(part, "the body ends after a boundary"));
    if (buf.compare(pos, 2, "--") == 0) {  // the closing boundary: only an optional CRLF may follow
      pos += 2;
      while (fill()) {
        if (buf.size() - pos > 2) break;
      }
      const std::string_view rest = std::string_view(buf).substr(pos);
      if (!rest.empty() && rest != "\r\n") {
        return InvalidArgumentError("the multipart body has bytes after its closing boundary");
      }
      break;
    }
    if (buf.compare(pos, 2, "\r\n") != 0) {
      return InvalidArgumentError(PartError(part, "a boundary line does not end with CRLF"));
    }
    pos += 2;
    // The part's header, up to an empty line.
    size_t end;
    while ((end = buf.find("\r\n\r\n", pos)) == std::string::npos) {
      if (buf.size() - pos > kMaxHeaderBytes) return InvalidArgumentError(PartError(part, "header over 8 KiB"));
      if (!fill()) return InvalidArgumentError(PartError(part, "the body ends inside the part's header"));
    }
    if (end - pos > kMaxHeaderBytes) return InvalidArgumentError(PartError(part, "header over 8 KiB"));
    std::optional<std::string> name;
    const std::string_view header = std::string_view(buf).substr(pos, end - pos);
    for (size_t line_start = 0; line_start <= header.size();) {
      size_t line_end = header.find("\r\n", line_start);
      if (line_end == std::string_view::npos) line_end = header.size();
      const std::string_view line = header.substr(line_start, line_end - line_start);
      line_start = line_end + 2;
      const size_t colon = line.find(':');
      if (colon == std::string_view::npos) return InvalidArgumentError(PartError(part, "a header line has no ':'"));
      if (Lower(Trim(line.substr(0, colon))) != "content-disposition") continue;
      const std::string_view value = Trim(line.substr(colon + 1));
      if (Lower(Trim(value.substr(0, value.find(';')))) != "form-data") {
        return InvalidArgumentError(PartError(part, "Content-Disposition is not form-data"));
      }
      name = Parameter(value, "name");
    }
    if (!name || name->empty()) {
      return InvalidArgumentError(PartError(part, "no Content-Disposition: form-data; name=\"...\""));
    }
    if (!allowed.contains(*name)) {
      std::string names;
      for (const std::string& a : allowed) names += (names.empty() ? "" : ", ") + a;
      return InvalidArgumentError(PartError(part, "a part name other than the expected ones (" + names + ")"));
    }
    if (parts.contains(*name)) return InvalidArgumentError(PartError(part, "part " + *name + " given twice"));
    const std::filesystem::path path = out_dir / ("part-" + *name);
    std::ofstream out(path, std::ios::binary | std::ios::trunc);
    if (!out) return InternalError("cannot write an upload part in the scratch area");
    parts.emplace(*name, path);
    // The content, up to the next delimiter; the last delimiter-1 bytes are
    // kept back, as they may begin one.
    buf.erase(0, end + 4);
    for (;;) {
      const size_t found = buf.find(delimiter);
      if (found != std::string::npos) {
        out.write(buf.data(), std::streamsize(found));
        pos = found + delimiter.size();
        break;
      }
      const size_t keep = delimiter.size() - 1;
      if (buf.size() > keep) {
        out.write(buf.data(), std::streamsize(buf.size() - keep));
        buf.erase(0, buf.size() - keep);
      }
      if (!fill()) return InvalidArgumentError(PartError(part, "the body ends before the part's closing boundary"));
    }
    out.close();
    if (!out) return InternalError("cannot write an upload part in the scratch area");
  }
  return parts;
}

}  // namespace hdhub::server
