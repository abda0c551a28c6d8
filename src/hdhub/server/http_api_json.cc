// The JSON and request helpers the HTTP API's handlers share: answers as
// JSON, times as RFC 3339, a request's body and fields, and the
// ?limit=&cursor= pagination of lists.
#include <charconv>

#include "hdhub/common/bytes.h"
#include "hdhub/server/http_api_internal.h"

namespace hdhub::server::http_api_internal {

namespace {

constexpr size_t kDefaultLimit = 100;
constexpr size_t kMaxLimit = 1000;

}  // namespace

std::string Dump(const json& j) { return j.dump(-1, ' ', false, json::error_handler_t::replace); }

HttpResponse Json(const json& body, unsigned status) { return {.status = status, .body = Dump(body)}; }

std::string Time(TimePoint t) { return FormatRfc3339(t); }

StatusOr<uint64_t> Unsigned(std::string_view text, std::string_view what) {
  uint64_t v = 0;
  auto [p, ec] = std::from_chars(text.data(), text.data() + text.size(), v);
  if (text.empty() || ec != std::errc() || p != text.data() + text.size()) {
    return InvalidArgumentError(std::string(what) + " must be a whole number");
  }
  return v;
}

// ?limit=&cursor=: the slice of `items` to answer, and the next cursor.
// The cursor is the hex of "o:<offset>": opaque to clients, checked here.
StatusOr<json> Page(const Call& call, std::vector<json> items) {
  size_t limit = kDefaultLimit, offset = 0;
  if (auto it = call.query.find("limit"); it != call.query.end()) {
    ASSIGN_OR_RETURN(uint64_t v, Unsigned(it->second, "limit"));
    if (v == 0 || v > kMaxLimit) return InvalidArgumentError("limit must be between 1 and 1000");
    limit = v;
  }
  if (auto it = call.query.find("cursor"); it != call.query.end()) {
    auto raw = HexDecode(it->second);
    const std::string text = raw.ok() ? std::string(raw->begin(), raw->end()) : "";
    if (!raw.ok() || text.rfind("o:", 0) != 0) return InvalidArgumentError("cursor is not valid");
    ASSIGN_OR_RETURN(uint64_t v, Unsigned(std::string_view(text).substr(2), "cursor"));
    if (v > items.size()) return InvalidArgumentError("cursor is not valid");
    offset = v;
  }
  const size_t end = std::min(items.size(), offset + limit);
  json page = json::array();
  for (size_t i = offset; i < end; ++i) page.push_back(std::move(items[i]));
  json next = nullptr;
  if (end < items.size()) next = HexEncode(AsBytes("o:" + std::to_string(end)));
  return json{{"items", std::move(page)}, {"next", next}};
}

StatusOr<json> Body(const Call& call) {
  json body = json::parse(call.request.body, nullptr, false);
  if (body.is_discarded() || !body.is_object()) return InvalidArgumentError("the body must be a JSON object");
  return body;
}

StatusOr<std::string> StringField(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_string()) return InvalidArgumentError(std::string(name) + " must be a string");
  return it->get<std::string>();
}

StatusOr<std::vector<std::string>> StringList(const json& body, const char* name) {
  auto it = body.find(name);
  if (it == body.end() || !it->is_array()) return InvalidArgumentError(std::string(name) + " must be a list of names");
  std::vector<std::string> out;
  for (const json& v : *it) {
    if (!v.is_string()) return InvalidArgumentError(std::string(name) + " must be a list of names");
    out.push_back(v.get<std::string>());
  }
  return out;
}

}  // namespace hdhub::server::http_api_internal
