// Where the key-file passphrase comes from: an environment variable (for
// services and scripts), or else an interactive prompt with echo off when
// stdin is a terminal. The passphrase is never logged and is held only in
// SecretBytes (the environment variable itself stays in the process
// environment, which is the caller's choice of channel).
//
// Thread-safety: ReadPassphrase reads the environment and may change the
// terminal's mode while prompting; call it from one thread, at startup.
#pragma once

#include <string_view>

#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::keys {

inline constexpr std::string_view kDefaultPassphraseEnvVar = "HDHUB_PASSPHRASE";
inline constexpr size_t kMaxPassphraseSize = 1024;

// The value of `env_var` when it is set; otherwise the systemd credential of
// that name ($CREDENTIALS_DIRECTORY/<env_var>, its first line) when the
// service has one; otherwise, when stdin is a terminal,
// what the user types after `prompt` (written to stderr), echo off, up to the
// end of the line. InvalidArgument when the passphrase is empty or longer
// than kMaxPassphraseSize; FailedPrecondition when the variable is unset and
// stdin is not a terminal (the message names the variable to set).
StatusOr<SecretBytes> ReadPassphrase(std::string_view env_var, std::string_view prompt);

// For choosing a new passphrase (creating a key file): as ReadPassphrase, but
// on a terminal the user types it twice; InvalidArgument when the two differ.
StatusOr<SecretBytes> ReadNewPassphrase(std::string_view env_var, std::string_view prompt);

}  // namespace hdhub::keys
