#include "hdhub/server/oidc_http.h"

#include <curl/curl.h>

#include <algorithm>
#include <cctype>
#include <cstring>
#include <initializer_list>
#include <memory>
#include <mutex>

#include "hdhub/common/bytes.h"

namespace hdhub::server {

namespace {

constexpr long kConnectTimeoutSeconds = 10;
constexpr long kRequestTimeoutSeconds = 30;
constexpr size_t kMaxAnswerBytes = 1u << 20;

void GlobalInit() {
  static std::once_flag once;
  std::call_once(once, [] { curl_global_init(CURL_GLOBAL_DEFAULT); });
}

std::string Lower(std::string_view text) {
  std::string out(text);
  std::transform(out.begin(), out.end(), out.begin(), [](unsigned char c) { return std::tolower(c); });
  return out;
}

bool IsLoopbackHost(const std::string& host) {
  constexpr std::string_view kLocalhostSuffix = ".localhost";
  return host == "127.0.0.1" || host == "[::1]" || host == "localhost" ||
         (host.size() > kLocalhostSuffix.size() && host.ends_with(kLocalhostSuffix));
}

using HeaderList = std::unique_ptr<curl_slist, decltype(&curl_slist_free_all)>;

// The request's headers (no credential among them: Basic goes through
// CURLOPT_USERNAME / CURLOPT_PASSWORD); null when libcurl cannot hold them.
HeaderList MakeHeaders(std::initializer_list<const char*> lines) {
  HeaderList list(nullptr, curl_slist_free_all);
  for (const char* line : lines) {
    curl_slist* next = curl_slist_append(list.get(), line);
    if (next == nullptr) return HeaderList(nullptr, curl_slist_free_all);
    list.release();
    list.reset(next);
  }
  return list;
}

struct Sink {
  std::string body;
  bool too_large = false;
};

size_t Collect(char* data, size_t, size_t n, void* user) {
  auto* sink = static_cast<Sink*>(user);
  if (sink->body.size() + n > kMaxAnswerBytes) {
    sink->too_large = true;
    return 0;
  }
  sink->body.append(data, n);
  return n;
}

// Performs the request `c` is set up for: the answer, or why there is none.
StatusOr<OidcHttpAnswer> Perform(CURL* c, const std::string& url, const OidcTransport& transport,
                                 const HeaderList& headers) {
  char error[CURL_ERROR_SIZE] = {0};
  Sink sink;
  const bool http_allowed = transport.allow_loopback_http;
  curl_easy_setopt(c, CURLOPT_URL, url.c_str());
  curl_easy_setopt(c, CURLOPT_PROTOCOLS_STR, http_allowed ? "http,https" : "https");
  curl_easy_setopt(c, CURLOPT_FOLLOWLOCATION, 0L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYPEER, 1L);
  curl_easy_setopt(c, CURLOPT_SSL_VERIFYHOST, 2L);
  curl_easy_setopt(c, CURLOPT_SSLVERSION, long(CURL_SSLVERSION_TLSv1_2));
  if (!transport.ca_file.empty()) curl_easy_setopt(c, CURLOPT_CAINFO, transport.ca_file.c_str());
  curl_easy_setopt(c, CURLOPT_CONNECTTIMEOUT, kConnectTimeoutSeconds);
  curl_easy_setopt(c, CURLOPT_TIMEOUT, kRequestTimeoutSeconds);
  curl_easy_setopt(c, CURLOPT_NOSIGNAL, 1L);
  curl_easy_setopt(c, CURLOPT_ERRORBUFFER, error);
  curl_easy_setopt(c, CURLOPT_HTTPHEADER, headers.get());
  curl_easy_setopt(c, CURLOPT_USERAGENT, "hdhub-oidc");
  curl_easy_setopt(c, CURLOPT_WRITEDATA, &sink);
  curl_easy_setopt(c, CURLOPT_WRITEFUNCTION, &Collect);
  const CURLcode rc = curl_easy_perform(c);
  if (sink.too_large) return ResourceExhaustedError("the OpenID provider's answer is larger than 1 MiB");
  if (rc == CURLE_OPERATION_TIMEDOUT) return DeadlineExceededError("the OpenID provider did not answer in time");
  if (rc != CURLE_OK) {
    return UnavailableError(std::string("cannot reach the OpenID provider: ") +
                            (error[0] != '\0' ? error : curl_easy_strerror(rc)));
  }
  OidcHttpAnswer answer;
  curl_easy_getinfo(c, CURLINFO_RESPONSE_CODE, &answer.status);
  if (char* type = nullptr; curl_easy_getinfo(c, CURLINFO_CONTENT_TYPE, &type) == CURLE_OK && type != nullptr) {
    answer.content_type = type;
  }
  answer.body = std::move(sink.body);
  return answer;
}

using CurlHandle = std::unique_ptr<CURL, void (*)(CURL*)>;

StatusOr<CurlHandle> NewHandle() {
  GlobalInit();
  CurlHandle curl(curl_easy_init(), curl_easy_cleanup);
  if (!curl) return InternalError("libcurl could not start a request");
  return curl;
}

}  // namespace

Status CheckOidcUrl(std::string_view url, const OidcTransport& transport) {
  const std::string lower = Lower(url);
  if (lower.starts_with("https://")) return OkStatus();
  if (!lower.starts_with("http://")) return InvalidArgumentError("an OpenID provider URL must be https://");
  if (!transport.allow_loopback_http) {
    return InvalidArgumentError("an OpenID provider URL must be https:// (http:// only in loopback tests)");
  }
  const std::string_view rest = std::string_view(lower).substr(std::strlen("http://"));
  const std::string_view authority = rest.substr(0, rest.find_first_of("/?#"));
  if (authority.find('@') != std::string_view::npos) {
    return InvalidArgumentError("an OpenID provider URL must not carry credentials");
  }
  std::string host(authority);
  if (!host.starts_with("[")) {
    host = host.substr(0, host.find(':'));
  } else if (size_t close = host.find(']'); close != std::string::npos) {
    host = host.substr(0, close + 1);
  }
  if (!IsLoopbackHost(host)) {
    return InvalidArgumentError("http:// is allowed for loopback tests only (127.0.0.1, [::1], *.localhost)");
  }
  return OkStatus();
}

StatusOr<OidcHttpAnswer> OidcGet(const std::string& url, const OidcTransport& transport) {
  RETURN_IF_ERROR(CheckOidcUrl(url, transport));
  ASSIGN_OR_RETURN(CurlHandle curl, NewHandle());
  HeaderList headers = MakeHeaders({"Accept: application/json"});
  if (!headers) return InternalError("libcurl could not hold a header");
  curl_easy_setopt(curl.get(), CURLOPT_HTTPGET, 1L);
  return Perform(curl.get(), url, transport, headers);
}

StatusOr<OidcHttpAnswer> OidcPostForm(const std::string& url, const SecretBytes& form, std::string_view user,
                                      const SecretBytes& password, const OidcTransport& transport) {
  RETURN_IF_ERROR(CheckOidcUrl(url, transport));
  ASSIGN_OR_RETURN(CurlHandle curl, NewHandle());
  HeaderList headers = MakeHeaders({"Content-Type: application/x-www-form-urlencoded", "Accept: application/json"});
  if (!headers) return InternalError("libcurl could not hold a header");
  // RFC 6749 §2.3.1: client id and secret form-encoded, then Basic. libcurl
  // keeps its own copies while the handle lives (freed, not wiped, with it).
  std::string encoded_user = FormEncode(user);
  std::string encoded_password = FormEncode(AsStringView(password.span()));
  curl_easy_setopt(curl.get(), CURLOPT_HTTPAUTH, long(CURLAUTH_BASIC));
  curl_easy_setopt(curl.get(), CURLOPT_USERNAME, encoded_user.c_str());
  curl_easy_setopt(curl.get(), CURLOPT_PASSWORD, encoded_password.c_str());
  SecureWipe(encoded_password.data(), encoded_password.size());
  // POSTFIELDS is not copied: libcurl reads `form` itself, which the caller wipes.
  curl_easy_setopt(curl.get(), CURLOPT_POST, 1L);
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDS, reinterpret_cast<const char*>(form.data()));
  curl_easy_setopt(curl.get(), CURLOPT_POSTFIELDSIZE_LARGE, curl_off_t(form.size()));
  return Perform(curl.get(), url, transport, headers);
}

std::string FormEncode(std::string_view text) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  out.reserve(text.size() * 3);
  for (unsigned char c : text) {
    if (std::isalnum(c) || c == '-' || c == '.' || c == '_' || c == '~') {
      out.push_back(static_cast<char>(c));
    } else {
      out.push_back('%');
      out.push_back(kHex[c >> 4]);
      out.push_back(kHex[c & 0xf]);
    }
  }
  return out;
}

}  // namespace hdhub::server
