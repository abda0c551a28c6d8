// A strict multipart/form-data reader (RFC 7578, RFC 2046 §5.1) for the
// HTTP API's uploads: the body, already spooled to a file, is split part by
// part into files of their own, streaming (memory bounded by a block and a
// part's header), never holding a part whole.
//
// Strict: the body starts with its boundary (no preamble), every part has a
// Content-Disposition "form-data" header with a name among those allowed, no
// name twice, headers at most 8 KiB, and nothing but an optional CRLF after
// the closing boundary. Errors are InvalidArgument saying what is wrong and
// where (the part's number), never quoting the body.
//
// Thread-safety: free functions.
#pragma once

#include <filesystem>
#include <map>
#include <set>
#include <string>
#include <string_view>

#include "hdhub/common/status.h"

namespace hdhub::server {

// The boundary of a "multipart/form-data; boundary=..." Content-Type.
StatusOr<std::string> MultipartBoundary(std::string_view content_type);

// Splits `body_file` (of Content-Type `content_type`) into one file per part,
// `out_dir`/part-<name>, and returns name -> file. Only names in `allowed`.
// The caller removes the files, also on error (they are all under `out_dir`).
StatusOr<std::map<std::string, std::filesystem::path>> SplitMultipart(const std::filesystem::path& body_file,
                                                                      std::string_view content_type,
                                                                      const std::filesystem::path& out_dir,
                                                                      const std::set<std::string>& allowed);

}  // namespace hdhub::server
