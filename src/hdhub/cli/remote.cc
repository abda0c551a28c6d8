#include "hdhub/cli/remote.h"

#include <curl/curl.h>

#include <cstdlib>
#include <memory>
#include <mutex>

#include "hdhub/common/bytes.h"
#include "hdhub/common/file.h"

namespace hdhub::cli {

namespace {

constexpr long kConnectTimeoutSeconds = 15;
constexpr long kRequestTimeoutSeconds = 15 * 60;
constexpr size_t kMaxAnswerBytes = 256u << 20;  // a non-streamed answer held in memory

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

bool StartsWithNoCase(std::string_view text, std::string_view prefix) {
  if (text.size() < prefix.size()) return false;
  for (size_t i = 0; i < prefix.size(); ++i) {
    if (std::tolower(static_cast<unsigned char>(text[i])) != prefix[i]) return false;
  }
  return true;
}

}  // namespace

Status StatusForHttp(long http, const std::string& message) {
  switch (http) {
    case 400:
    case 413:
      return InvalidArgumentError(message);
    case 401:
      return UnauthenticatedError(message);
    case 403:
      return PermissionDeniedError(message);
    case 404:
      return NotFoundError(message);
    case 409:
      return FailedPreconditionError(message);
    case 429:
      return ResourceExhaustedError(message);
    case 501:
      return UnimplementedError(message);
    case 503:
      return UnavailableError(message);
    case 504:
      return DeadlineExceededError(message);
    default:
      return http >= 400 && http < 500 ? InvalidArgumentError(message) : InternalError(message);
  }
}

namespace {

// The curl_slist of the request's headers; every copy of the token in it is
// wiped before it is freed.
struct Headers {
  curl_slist* list = nullptr;
  ~Headers() {
    for (curl_slist* h = list; h != nullptr; h = h->next) SecureWipe(h->data, std::strlen(h->data));
    curl_slist_free_all(list);
  }
  bool Add(const char* line) {
    curl_slist* next = curl_slist_append(list, line);
    if (next == nullptr) return false;
    list = next;
    return true;
  }
};

}  // namespace

struct RemoteClient::Answer {
  long status = 0;
  std::string content_type;
  std::string body;     // an error's body, or a whole non-streamed answer
  std::string pending;  // a streamed answer's incomplete last line
  const std::function<Status(std::string_view)>* on_line = nullptr;
  Status stopped;  // what on_line returned when it stopped the transfer
  CURL* curl = nullptr;
};

std::string UrlEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (char c : text) {
    const auto u = static_cast<unsigned char>(c);
    if (std::isalnum(u) || c == '-' || c == '_' || c == '.' || c == '~') {
      out.push_back(c);
    } else {
      out += {'%', kHex[u >> 4], kHex[u & 15]};
    }
  }
  return out;
}

StatusOr<RemoteClient> RemoteClient::Open(const GlobalOptions& opts) {
  RemoteClient client;
  client.server_ = opts.server;
  while (!client.server_.empty() && client.server_.back() == '/') client.server_.pop_back();
  if (!StartsWithNoCase(client.server_, "https://") || client.server_.size() == 8 ||
      client.server_.find_first_of(" \t\r\n?#@") != std::string::npos) {
    return InvalidArgumentError(std::string("the server (--server or ") + kServerEnv + ") must be an https:// URL, " +
                                "e.g. https://hub.example:8443: the token is never sent in clear");
  }
  if (!opts.ca_file.empty()) {
    if (StatusOr<std::string> pem = ReadFile(opts.ca_file); !pem.ok()) {
      return InvalidArgumentError(std::string("--ca-file (") + kCaFileEnv +
                                  "): " + std::string(pem.status().message()));
    }
    client.ca_file_ = opts.ca_file;
  }
  const char* token = std::getenv(kTokenEnv);
  if (token == nullptr || *token == '\0') {
    return UnauthenticatedError(std::string("no token: through a server (") + kServerEnv + "), hdhub acts as the " +
                                "account of the API token in " + kTokenEnv +
                                " (an operator issues one: hdhub token issue NAME); passwords are not sent");
  }
  client.token_ = SecretBytes(AsBytes(token));
  return client;
}

Status RemoteClient::Send(std::string_view method, const std::string& path, const std::string* body,
                          std::string_view accept, const std::function<Status(std::string_view)>* on_line,
                          Answer& answer) {
  GlobalInit();
  std::unique_ptr<CURL, void (*)(CURL*)> curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return InternalError("libcurl could not start a request");
  CURL* c = curl.get();
  answer.on_line = on_line;
  answer.curl = c;
  std::string url = server_ + "/api/v1" + path;
  if (!role_.empty()) url += (path.find('?') == std::string::npos ? "?as=" : "&as=") + UrlEncode(role_);
  char error[CURL_ERROR_SIZE] = {0};
  Headers headers;
  {
    std::string auth = "Authorization: Bearer ";
    auth.append(reinterpret_cast<const char*>(token_.data()), token_.size());
    const bool added = headers.Add(auth.c_str());
    SecureWipe(auth.data(), auth.size());
    if (!added) return InternalError("libcurl could not hold a header");
  }
  if (!headers.Add(("Accept: " + std::string(accept)).c_str()) ||
      (body != nullptr && !headers.Add("Content-Type: application/json")) || !headers.Add("User-Agent: hdhub-cli")) {
    return InternalError("libcurl could not hold a header");
  }
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_REDIR_PROTOCOLS_STR, "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, long(CURL_SSLVERSION_TLSv1_2));
  if (!ca_file_.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, ca_file_.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, kRequestTimeoutSeconds);
  curl_easy_setopt(c, CURLOPT_TCP_KEEPALIVE, 1L);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.list);
  curl_easy_setopt(c, CURLOPT_CUSTOMREQUEST, std::string(method).c_str());
  if (body != nullptr) {
    curl_easy_setopt(c, CURLOPT_POSTFIELDS, body->data());
    curl_easy_setopt(c, CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(body->size()));
  } else if (method == "GET") {
    curl_easy_setopt(c, CURLOPT_HTTPGET, 1L);
  }
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &answer);
  curl_easy_setopt(
      c, CURLOPT_WRITEFUNCTION, +[](char* data, size_t, size_t n, void* user) -> size_t {
        auto* a = static_cast<Answer*>(user);
        if (a->status == 0) curl_easy_getinfo(a->curl, CURLINFO_RESPONSE_CODE, &a->status);
        const bool streamed = a->on_line != nullptr && a->status >= 200 && a->status < 300;
        std::string& into = streamed ? a->pending : a->body;
        if (into.size() + n > kMaxAnswerBytes) {
          a->stopped = ResourceExhaustedError("the server's answer is larger than the CLI holds in memory");
          return 0;
        }
        into.append(data, n);
        if (!streamed) return n;
        size_t start = 0;
        for (size_t eol; (eol = a->pending.find('\n', start)) != std::string::npos; start = eol + 1) {
          std::string_view line(a->pending.data() + start, eol - start);
          if (!line.empty() && line.back() == '\r') line.remove_suffix(1);
          if (Status s = (*a->on_line)(line); !s.ok()) {
            a->stopped = std::move(s);
            return 0;
          }
        }
        a->pending.erase(0, start);
        return n;
      });
  const CURLcode rc = curl_easy_perform(c);
  if (!answer.stopped.ok()) return answer.stopped;
  if (rc != CURLE_OK) {
    const std::string detail = error[0] != '\0' ? error : curl_easy_strerror(rc);
    switch (rc) {
      case CURLE_PEER_FAILED_VERIFICATION:
      case CURLE_SSL_CACERT_BADFILE:
      case CURLE_SSL_CONNECT_ERROR:
      case CURLE_SSL_CERTPROBLEM:
      case CURLE_SSL_ISSUER_ERROR:
        return UnavailableError("TLS with the server " + server_ + " failed, nothing was sent: " + detail +
                                " (its CA certificate: --ca-file or " + kCaFileEnv + ")");
      case CURLE_OPERATION_TIMEDOUT:
        return DeadlineExceededError("the server " + server_ + " did not answer in time: " + detail);
      default:
        return UnavailableError("cannot reach the server " + server_ + ": " + detail);
    }
  }
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
  if (char* type = nullptr; curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != nullptr) {
    answer.content_type = type;
  }
  if (answer.status >= 200 && answer.status < 300) {
    if (on_line != nullptr && !answer.pending.empty()) {
      std::string last = std::move(answer.pending);
      if (!last.empty() && last.back() == '\r') last.pop_back();
      return (*on_line)(last);
    }
    return OkStatus();
  }
  // problem+json: "detail" says what (the server never puts a value in it).
  const nlohmann::json problem = nlohmann::json::parse(answer.body, nullptr, false);
  if (!problem.is_object() || !problem.contains("detail") || !problem["detail"].is_string()) {
    return StatusForHttp(answer.status, "the server " + server_ + " answered HTTP " + std::to_string(answer.status) +
                                            " without a problem report (is it hdhub serve?)");
  }
  std::string message = problem["detail"].get<std::string>();
  if ((answer.status == 404 && message == "no such resource") || answer.status == 405) {
    return UnimplementedError("the server " + server_ + " has no route " + std::string(method) + " /api/v1" +
                              path.substr(0, path.find('?')) +
                              " (an older hdhub serve?): run the command on the hub machine");
  }
  if (answer.status >= 500 && problem.contains("instance") && problem["instance"].is_string()) {
    message += " (" + problem["instance"].get<std::string>() + ")";
  }
  return StatusForHttp(answer.status, message);
}

StatusOr<nlohmann::json> RemoteClient::Call(std::string_view method, const std::string& path,
                                            const nlohmann::json* body) {
  Answer answer;
  const std::string text = body != nullptr ? body->dump() : "";
  RETURN_IF_ERROR(Send(method, path, body != nullptr ? &text : nullptr, "application/json", nullptr, answer));
  if (answer.status == 204 || answer.body.empty()) return nlohmann::json();
  nlohmann::json out = nlohmann::json::parse(answer.body, nullptr, false);
  if (out.is_discarded()) return InternalError("the server " + server_ + " answered with JSON that does not parse");
  return out;
}

StatusOr<nlohmann::json> RemoteClient::ListAll(const std::string& path, const std::string& query) {
  nlohmann::json items = nlohmann::json::array();
  std::string cursor;
  for (int page = 0; page < 100000; ++page) {
    std::string target = path + "?limit=1000";
    if (!query.empty()) target += "&" + query;
    if (!cursor.empty()) target += "&cursor=" + UrlEncode(cursor);
    ASSIGN_OR_RETURN(nlohmann::json answer, Call("GET", target));
    if (!answer.is_object() || !answer.contains("items") || !answer["items"].is_array()) {
      return InternalError("the server " + server_ + " answered a list without items");
    }
    for (nlohmann::json& item : answer["items"]) items.push_back(std::move(item));
    const nlohmann::json next = answer.value("next", nlohmann::json());
    if (!next.is_string()) return items;
    cursor = next.get<std::string>();
  }
  return InternalError("the server " + server_ + " kept paging");
}

Status RemoteClient::Stream(const std::string& path, const nlohmann::json& body, std::string_view accept,
                            const std::function<Status(std::string_view line)>& on_line) {
  Answer answer;
  const std::string text = body.dump();
  return Send("POST", path, &text, accept, &on_line, answer);
}

}  // namespace hdhub::cli
