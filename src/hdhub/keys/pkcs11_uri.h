// Pkcs11Uri: the part of an RFC 7512 PKCS#11 URI that names hdhub's KEK in a
// token, and the module to load. Format and examples in
// docs/formats/pkcs11-key-store.md:
//
//   pkcs11:token=hdhub;object=hdhub-kek?module-path=/usr/lib/softhsm/libsofthsm2.so
//   pkcs11:module=/usr/lib/softhsm/libsofthsm2.so;token=hdhub;object=hdhub-kek
//
// Path attributes (';'-separated): token (required), object (required), id
// (optional, percent-encoded CKA_ID bytes), type (optional, only
// "secret-key"), module (hdhub's shorthand for module-path). Query attributes
// ('&'-separated): module-path. Values are percent-decoded. pin-value and
// pin-source are refused: the PIN is the secret the hub is unlocked with,
// never part of a URI. Any other attribute is refused rather than ignored, so
// that a URI cannot seem to select a key it does not.
//
// Thread-safety: a value type.
#pragma once

#include <string>
#include <string_view>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::keys {

struct Pkcs11Uri {
  std::string module_path;  // absolute path of the PKCS#11 module (.so)
  std::string token;        // CKA token label (CK_TOKEN_INFO.label, trailing blanks trimmed)
  std::string object;       // the KEK's CKA_LABEL
  Bytes id;                 // the KEK's CKA_ID; empty: any

  // Parses the text after "pkcs11:". InvalidArgument naming the attribute
  // for a malformed, unknown, repeated or missing attribute.
  static StatusOr<Pkcs11Uri> Parse(std::string_view rest);

  // The canonical form, "pkcs11:token=…;object=…[;id=…]?module-path=…";
  // Parse(ToString()) gives the same value.
  std::string ToString() const;
};

}  // namespace hdhub::keys
