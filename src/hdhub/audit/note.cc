#include "hdhub/audit/note.h"

#include <cctype>

#include <openssl/evp.h>

namespace hdhub::audit {

namespace {
constexpr std::string_view kSignaturePrefix = "\xE2\x80\x94 ";  // U+2014 EM DASH, space
constexpr size_t kKeyIdSize = 4;

Status ParseSignatureLine(std::string_view line, NoteSignature& out) {
  if (line.substr(0, kSignaturePrefix.size()) != kSignaturePrefix) {
    return InvalidArgumentError("note signature line does not start with an em dash");
  }
  line.remove_prefix(kSignaturePrefix.size());
  const size_t space = line.find(' ');
  if (space == std::string_view::npos) {
    return InvalidArgumentError("note signature line has no space after the key name");
  }
  out.name = std::string(line.substr(0, space));
  RETURN_IF_ERROR(ValidateKeyName(out.name));
  ASSIGN_OR_RETURN(Bytes blob, Base64Decode(line.substr(space + 1)));
  if (blob.size() <= kKeyIdSize) return InvalidArgumentError("note signature is too short");
  out.key_id = GetBigEndian32(blob.data());
  out.signature.assign(blob.begin() + kKeyIdSize, blob.end());
  return OkStatus();
}
}  // namespace

Status ValidateKeyName(std::string_view name) {
  if (name.empty()) return InvalidArgumentError("key name is empty");
  for (char c : name) {
    const auto u = static_cast<unsigned char>(c);
    if (u <= 0x20 || c == '+' || u == 0x7f) {
      return InvalidArgumentError("key name contains a space, '+' or a control character");
    }
  }
  return OkStatus();
}

StatusOr<Note> ParseNote(std::string_view data) {
  if (data.size() > kMaxNoteSize) return InvalidArgumentError("note is too large");
  for (char c : data) {
    if (static_cast<unsigned char>(c) < 0x20 && c != '\n') {
      return InvalidArgumentError("note contains a control character");
    }
  }
  if (data.empty() || data.back() != '\n') return InvalidArgumentError("note does not end in a newline");
  const size_t split = data.rfind("\n\n");
  if (split == std::string_view::npos) return InvalidArgumentError("note has no signature block");
  Note note;
  note.text = std::string(data.substr(0, split + 1));
  std::string_view block = data.substr(split + 2);
  if (block.empty()) return InvalidArgumentError("note has no signatures");
  while (!block.empty()) {
    const size_t eol = block.find('\n');
    NoteSignature sig;
    RETURN_IF_ERROR(ParseSignatureLine(block.substr(0, eol), sig));
    note.signatures.push_back(std::move(sig));
    if (note.signatures.size() > kMaxNoteSignatures) return InvalidArgumentError("note has too many signatures");
    block.remove_prefix(eol + 1);
  }
  return note;
}

std::string FormatNote(const Note& note) {
  std::string out = note.text + "\n";
  for (const NoteSignature& sig : note.signatures) {
    Bytes blob(kKeyIdSize);
    PutBigEndian32(sig.key_id, blob.data());
    blob.insert(blob.end(), sig.signature.begin(), sig.signature.end());
    out += std::string(kSignaturePrefix) + sig.name + " " + Base64Encode(blob) + "\n";
  }
  return out;
}

Status AddNoteSignature(Note& note, const NoteSigner& signer) {
  ASSIGN_OR_RETURN(Bytes sig, signer.Sign(AsBytes(note.text)));
  note.signatures.push_back(NoteSignature{signer.name(), signer.key_id(), std::move(sig)});
  return OkStatus();
}

Status VerifyNote(const Note& note, const NoteVerifier& verifier) {
  bool found = false;
  for (const NoteSignature& sig : note.signatures) {
    if (sig.name != verifier.name() || sig.key_id != verifier.key_id()) continue;
    found = true;
    if (!verifier.Verify(AsBytes(note.text), sig.signature)) {
      return DataLossError("note signature by key '" + verifier.name() + "' does not verify");
    }
  }
  if (!found) return UnauthenticatedError("note carries no signature by key '" + verifier.name() + "'");
  return OkStatus();
}

std::string Base64Encode(ByteSpan data) {
  std::string out(4 * ((data.size() + 2) / 3) + 1, '\0');
  const int n = EVP_EncodeBlock(reinterpret_cast<unsigned char*>(out.data()), data.data(),
                                static_cast<int>(data.size()));
  out.resize(static_cast<size_t>(n));
  return out;
}

StatusOr<Bytes> Base64Decode(std::string_view text) {
  if (text.size() % 4 != 0) return InvalidArgumentError("base64 length is not a multiple of 4");
  for (char c : text) {
    if (!std::isalnum(static_cast<unsigned char>(c)) && c != '+' && c != '/' && c != '=') {
      return InvalidArgumentError("base64 contains an invalid character");
    }
  }
  size_t padding = 0;
  while (padding < 2 && padding < text.size() && text[text.size() - 1 - padding] == '=') ++padding;
  if (text.substr(0, text.size() - padding).find('=') != std::string_view::npos) {
    return InvalidArgumentError("base64 padding in the middle");
  }
  Bytes out(3 * (text.size() / 4));
  const int n = EVP_DecodeBlock(out.data(), reinterpret_cast<const unsigned char*>(text.data()),
                                static_cast<int>(text.size()));
  if (n < 0) return InvalidArgumentError("invalid base64");
  // EVP_DecodeBlock counts the bytes produced by padding; drop them.
  out.resize(static_cast<size_t>(n) - padding);
  return out;
}

}  // namespace hdhub::audit
