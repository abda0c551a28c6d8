// Whether a passphrase is strong enough to protect a hub's key store. The
// passphrase is the last line of defence of a stolen key file (Argon2id slows
// each guess; a guessable passphrase still falls), so a weak one is refused
// when a hub is created or its passphrase changed.
//
// Two checks: a minimum length, and the guessing entropy estimated by zxcvbn
// (Debian's libzxcvbn: dictionary words, names, keyboard patterns, repeats,
// sequences, dates and l33t substitutions cost almost nothing). The message
// says which check failed and what to do, never the passphrase.
//
// Thread-safety: pure functions.
#pragma once

#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::keys {

inline constexpr size_t kMinPassphraseLength = 12;  // bytes of UTF-8
inline constexpr double kMinPassphraseBits = 50;    // zxcvbn's estimate, log2(guesses)

// zxcvbn's estimate of the guessing entropy of `passphrase`, in bits.
double EstimatePassphraseBits(const SecretBytes& passphrase);

// OK, or InvalidArgument saying why `passphrase` is too weak.
Status CheckPassphraseStrength(const SecretBytes& passphrase);

}  // namespace hdhub::keys
