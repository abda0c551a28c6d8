// Signed notes (c2sp.org/signed-note) and the keys that sign and verify them.
//
// A note is UTF-8 text ending in a newline, a blank line, then one signature
// line per key: "— <key name> <base64(4-byte key id || signature)>\n".
// NoteSigner / NoteVerifier are the seams through which checkpoints are signed
// and checked; the Ed25519 implementations live in ed25519.h, and a key store
// can provide other signers later without handing out key bytes.
//
// Thread-safety: Sign and Verify are const and safe from several threads.
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::audit {

class NoteSigner {
 public:
  virtual ~NoteSigner() = default;
  virtual const std::string& name() const = 0;
  virtual uint32_t key_id() const = 0;
  // Signature over `message` (the whole note text). Internal on library failure.
  virtual StatusOr<Bytes> Sign(ByteSpan message) const = 0;
  // "<name>+<8 hex key id>+<base64(type || public key)>", for verifiers.
  virtual std::string VerifierKey() const = 0;
};

class NoteVerifier {
 public:
  virtual ~NoteVerifier() = default;
  virtual const std::string& name() const = 0;
  virtual uint32_t key_id() const = 0;
  virtual bool Verify(ByteSpan message, ByteSpan signature) const = 0;
};

struct NoteSignature {
  std::string name;
  uint32_t key_id = 0;
  Bytes signature;
};

struct Note {
  std::string text;  // includes its final newline
  std::vector<NoteSignature> signatures;
};

// Limits from the spec: verifiers must accept at least 16 signatures.
inline constexpr size_t kMaxNoteSignatures = 64;
inline constexpr size_t kMaxNoteSize = 1 << 16;

// InvalidArgument on anything that is not a well-formed signed note (control
// characters, no blank line, malformed signature line, bad base64).
StatusOr<Note> ParseNote(std::string_view data);
std::string FormatNote(const Note& note);

// Appends `signer`'s signature over note->text.
Status AddNoteSignature(Note& note, const NoteSigner& signer);

// OK when a signature by `verifier` (same name and key id) verifies. Signatures
// by other keys are ignored. Unauthenticated when there is no signature by this
// key; DataLoss when one exists but does not verify.
Status VerifyNote(const Note& note, const NoteVerifier& verifier);

// Standard base64 (RFC 4648 §4) with padding. Decode: InvalidArgument on bad input.
std::string Base64Encode(ByteSpan data);
StatusOr<Bytes> Base64Decode(std::string_view text);

// Key names: non-empty, no whitespace, no '+', printable UTF-8.
Status ValidateKeyName(std::string_view name);

}  // namespace hdhub::audit
