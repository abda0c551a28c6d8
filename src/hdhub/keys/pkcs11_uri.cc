#include "hdhub/keys/pkcs11_uri.h"

#include <string>
#include <tuple>

namespace hdhub::keys {
namespace {

StatusOr<std::string> PercentDecode(std::string_view name, std::string_view value) {
  std::string out;
  for (size_t i = 0; i < value.size(); ++i) {
    if (value[i] != '%') {
      out += value[i];
      continue;
    }
    if (i + 2 >= value.size()) {
      return InvalidArgumentError("pkcs11 URI: attribute '" + std::string(name) + "' has a truncated %-escape");
    }
    StatusOr<Bytes> byte = HexDecode(value.substr(i + 1, 2));
    if (!byte.ok()) {
      return InvalidArgumentError("pkcs11 URI: attribute '" + std::string(name) + "' has a bad %-escape");
    }
    out += static_cast<char>(byte->front());
    i += 2;
  }
  return out;
}

std::string PercentEncode(std::string_view value, bool allow_slash) {
  static constexpr char kHex[] = "0123456789ABCDEF";
  std::string out;
  for (unsigned char c : value) {
    bool unreserved = (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') || c == '-' ||
                      c == '.' || c == '_' || c == '~' || (allow_slash && c == '/');
    if (unreserved) {
      out += static_cast<char>(c);
    } else {
      out += '%';
      out += kHex[c >> 4];
      out += kHex[c & 0x0f];
    }
  }
  return out;
}

// Sets `*field` from one "name=value" attribute; refuses repeats and empty values.
Status SetOnce(std::string_view name, std::string_view raw, std::string* field) {
  if (!field->empty()) return InvalidArgumentError("pkcs11 URI: attribute '" + std::string(name) + "' is repeated");
  ASSIGN_OR_RETURN(*field, PercentDecode(name, raw));
  if (field->empty()) return InvalidArgumentError("pkcs11 URI: attribute '" + std::string(name) + "' is empty");
  return OkStatus();
}

Status ApplyAttribute(std::string_view attribute, bool in_query, Pkcs11Uri* uri, std::string* type) {
  size_t eq = attribute.find('=');
  if (eq == std::string_view::npos || eq == 0) {
    return InvalidArgumentError("pkcs11 URI: '" + std::string(attribute.substr(0, 32)) + "' is not name=value");
  }
  std::string_view name = attribute.substr(0, eq);
  std::string_view value = attribute.substr(eq + 1);
  if (name == "pin-value" || name == "pin-source") {
    return InvalidArgumentError("pkcs11 URI: '" + std::string(name) +
                                "' is refused: the PIN is the hub's unlock secret ($HDHUB_PASSPHRASE or typed)");
  }
  if (in_query && name == "module-path") return SetOnce(name, value, &uri->module_path);
  if (!in_query && name == "module") return SetOnce(name, value, &uri->module_path);
  if (!in_query && name == "token") return SetOnce(name, value, &uri->token);
  if (!in_query && name == "object") return SetOnce(name, value, &uri->object);
  if (!in_query && name == "type") return SetOnce(name, value, type);
  if (!in_query && name == "id") {
    std::string id;
    RETURN_IF_ERROR(SetOnce(name, value, &id));
    uri->id.assign(id.begin(), id.end());
    return OkStatus();
  }
  return InvalidArgumentError("pkcs11 URI: unsupported " + std::string(in_query ? "query" : "path") + " attribute '" +
                              std::string(name) + "' (supported: token, object, id, type, module; ?module-path)");
}

}  // namespace

StatusOr<Pkcs11Uri> Pkcs11Uri::Parse(std::string_view rest) {
  Pkcs11Uri uri;
  std::string type;
  size_t question = rest.find('?');
  std::string_view path = rest.substr(0, question);
  std::string_view query = question == std::string_view::npos ? std::string_view() : rest.substr(question + 1);
  for (auto [text, separator, in_query] : {std::tuple{path, ';', false}, std::tuple{query, '&', true}}) {
    while (!text.empty()) {
      size_t end = text.find(separator);
      RETURN_IF_ERROR(ApplyAttribute(text.substr(0, end), in_query, &uri, &type));
      text = end == std::string_view::npos ? std::string_view() : text.substr(end + 1);
    }
  }
  if (!type.empty() && type != "secret-key") {
    return InvalidArgumentError("pkcs11 URI: type '" + type + "' is not a KEK (expected secret-key)");
  }
  if (uri.module_path.empty()) {
    return InvalidArgumentError("pkcs11 URI: no module (add ?module-path=/usr/lib/softhsm/libsofthsm2.so)");
  }
  if (uri.module_path.front() != '/') {
    return InvalidArgumentError("pkcs11 URI: module path '" + uri.module_path + "' is not absolute");
  }
  if (uri.token.empty()) return InvalidArgumentError("pkcs11 URI: no token (add token=<token label>)");
  if (uri.object.empty()) return InvalidArgumentError("pkcs11 URI: no object (add object=<KEK label>)");
  return uri;
}

std::string Pkcs11Uri::ToString() const {
  std::string out = "pkcs11:token=" + PercentEncode(token, false) + ";object=" + PercentEncode(object, false);
  if (!id.empty()) out += ";id=" + PercentEncode(AsStringView(id), false);
  return out + "?module-path=" + PercentEncode(module_path, true);
}

}  // namespace hdhub::keys
