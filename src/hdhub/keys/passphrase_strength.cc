#include "hdhub/keys/passphrase_strength.h"

#include <zxcvbn.h>

#include <cmath>
#include <string>

namespace hdhub::keys {

double EstimatePassphraseBits(const SecretBytes& passphrase) {
  // zxcvbn reads a NUL-terminated string: a NUL inside ends it, so count
  // only what it sees. The copy is a SecretBytes, wiped when freed.
  SecretBytes text(passphrase.size() + 1);
  std::copy(passphrase.span().begin(), passphrase.span().end(), text.mutable_span().begin());
  return ZxcvbnMatch(reinterpret_cast<const char*>(text.span().data()), nullptr, nullptr);
}

Status CheckPassphraseStrength(const SecretBytes& passphrase) {
  if (passphrase.size() < kMinPassphraseLength) {
    return InvalidArgumentError("the hub passphrase is too short: it needs at least " +
                                std::to_string(kMinPassphraseLength) +
                                " characters; use several unrelated words or a password manager's output");
  }
  const double bits = EstimatePassphraseBits(passphrase);
  if (bits < kMinPassphraseBits) {
    return InvalidArgumentError(
        "the hub passphrase is too easy to guess (an estimated " + std::to_string(int(std::floor(bits))) +
        " bits, at least " + std::to_string(int(kMinPassphraseBits)) +
        " needed): common words, names, dates, keyboard runs and repeats count for little; add unrelated words");
  }
  return OkStatus();
}

}  // namespace hdhub::keys
