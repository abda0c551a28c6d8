#include "hdhub/audit/checkpoint.h"

#include <charconv>
#include <cstring>

namespace hdhub::audit {

namespace {
std::vector<std::string_view> SplitLines(std::string_view text) {
  std::vector<std::string_view> lines;
  while (!text.empty()) {
    const size_t eol = text.find('\n');
    lines.push_back(text.substr(0, eol));
    if (eol == std::string_view::npos) break;
    text.remove_prefix(eol + 1);
  }
  return lines;
}

StatusOr<uint64_t> ParseDecimal(std::string_view s) {
  // Canonical only: no sign, no leading zero (except "0"), no spaces.
  if (s.empty() || (s.size() > 1 && s[0] == '0')) return InvalidArgumentError("checkpoint size is not a canonical decimal");
  uint64_t v = 0;
  auto [ptr, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || ptr != s.data() + s.size()) {
    return InvalidArgumentError("checkpoint size is not a decimal number");
  }
  return v;
}
}  // namespace

std::string CheckpointText(const Checkpoint& c) {
  std::string out = c.origin + "\n" + std::to_string(c.size) + "\n" + Base64Encode(c.root) + "\n";
  for (const std::string& ext : c.extensions) out += ext + "\n";
  return out;
}

StatusOr<Checkpoint> ParseCheckpointText(std::string_view text) {
  if (text.empty() || text.back() != '\n') return InvalidArgumentError("checkpoint does not end in a newline");
  std::vector<std::string_view> lines = SplitLines(text.substr(0, text.size() - 1));
  if (lines.size() < 3) return InvalidArgumentError("checkpoint has fewer than 3 lines");
  Checkpoint c;
  c.origin = std::string(lines[0]);
  if (c.origin.empty()) return InvalidArgumentError("checkpoint origin is empty");
  ASSIGN_OR_RETURN(c.size, ParseDecimal(lines[1]));
  ASSIGN_OR_RETURN(Bytes root, Base64Decode(lines[2]));
  if (root.size() != c.root.size()) return InvalidArgumentError("checkpoint root is not 32 bytes");
  std::memcpy(c.root.data(), root.data(), root.size());
  for (size_t i = 3; i < lines.size(); ++i) {
    if (lines[i].empty()) return InvalidArgumentError("checkpoint has an empty extension line");
    c.extensions.emplace_back(lines[i]);
  }
  return c;
}

StatusOr<std::string> SignCheckpoint(const Checkpoint& checkpoint, const NoteSigner& signer) {
  Note note;
  note.text = CheckpointText(checkpoint);
  RETURN_IF_ERROR(AddNoteSignature(note, signer));
  return FormatNote(note);
}

StatusOr<VerifiedCheckpoint> OpenSignedCheckpoint(std::string_view data,
                                                  const NoteVerifier& verifier) {
  ASSIGN_OR_RETURN(Note note, ParseNote(data));
  RETURN_IF_ERROR(VerifyNote(note, verifier));
  ASSIGN_OR_RETURN(Checkpoint checkpoint, ParseCheckpointText(note.text));
  return VerifiedCheckpoint{std::move(checkpoint), std::move(note)};
}

}  // namespace hdhub::audit
