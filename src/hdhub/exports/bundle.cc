// The bundle file's lines (docs/formats/airlock-certificate.md §1).
#include "hdhub/exports/bundle.h"

#include <charconv>
#include <utility>

namespace hdhub::exports {
namespace {

constexpr size_t kLinesBeforeCheckpoint = 5;

// A decimal without sign or leading zero, as the bundle writes it.
StatusOr<uint64_t> Decimal(std::string_view text, std::string_view what) {
  uint64_t n = 0;
  auto [end, ec] = std::from_chars(text.data(), text.data() + text.size(), n);
  if (text.empty() || ec != std::errc() || end != text.data() + text.size() || (text.size() > 1 && text[0] == '0')) {
    return InvalidArgumentError("certificate bundle, line 4: the " + std::string(what) + " is not a decimal number");
  }
  return n;
}

}  // namespace

std::string Bundle::Serialize() const {
  std::string out(kBundleMagic);
  out += "\n" + body + "\n" + entry + "\n";
  out += std::to_string(leaf_index) + " " + std::to_string(tree_size) + "\n";
  out += audit::JoinHashes(proof, ",") + "\n";
  return out + checkpoint;
}

StatusOr<Bundle> ParseBundle(std::string_view bytes) {
  std::vector<std::string_view> lines;
  size_t pos = 0;
  while (lines.size() < kLinesBeforeCheckpoint) {
    const size_t eol = bytes.find('\n', pos);
    if (eol == std::string_view::npos) {
      return InvalidArgumentError("certificate bundle: ends before line " + std::to_string(lines.size() + 1));
    }
    lines.push_back(bytes.substr(pos, eol - pos));
    pos = eol + 1;
  }
  if (lines[0] != kBundleMagic) {
    return InvalidArgumentError("certificate bundle, line 1: not " + std::string(kBundleMagic));
  }
  for (size_t i = 1; i < lines.size(); ++i) {
    if (lines[i].find('\r') != std::string_view::npos) {
      return InvalidArgumentError("certificate bundle, line " + std::to_string(i + 1) + ": holds a CR");
    }
  }
  Bundle b{.body = std::string(lines[1]), .entry = std::string(lines[2]), .checkpoint = std::string(bytes.substr(pos))};
  const size_t sp = lines[3].find(' ');
  if (sp == std::string_view::npos) return InvalidArgumentError("certificate bundle, line 4: not \"INDEX SIZE\"");
  ASSIGN_OR_RETURN(b.leaf_index, Decimal(lines[3].substr(0, sp), "leaf index"));
  ASSIGN_OR_RETURN(b.tree_size, Decimal(lines[3].substr(sp + 1), "tree size"));
  std::string_view proof = lines[4];
  while (!proof.empty()) {
    const size_t comma = proof.find(',');
    StatusOr<audit::Hash> h = audit::ParseHash(proof.substr(0, comma));
    if (!h.ok()) return InvalidArgumentError("certificate bundle, line 5: a proof hash is not 64 hex digits");
    b.proof.push_back(*h);
    if (comma == std::string_view::npos) break;
    proof.remove_prefix(comma + 1);
    if (proof.empty()) return InvalidArgumentError("certificate bundle, line 5: ends with a comma");
  }
  return b;
}

StatusOr<Bundle> MakeBundle(std::string body_line, const audit::AuditLog& log, uint64_t index, uint64_t checkpoint_size,
                            std::string checkpoint) {
  Bundle b{.body = std::move(body_line),
           .leaf_index = index,
           .tree_size = checkpoint_size,
           .checkpoint = std::move(checkpoint)};
  ASSIGN_OR_RETURN(b.entry, log.ReadEntry(index));
  ASSIGN_OR_RETURN(b.proof, log.InclusionProof(index, checkpoint_size));
  return b;
}

}  // namespace hdhub::exports
