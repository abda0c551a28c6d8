// Reads the known-answer files under testdata/crypto/ (test-only).
//
// Format: blocks of `field = value` lines separated by blank lines; lines
// starting with '#' are comments. Values are hex unless a test says otherwise.
#pragma once

#include <map>
#include <string>
#include <vector>

#include "hdhub/common/bytes.h"
#include "hdhub/common/status.h"

namespace hdhub::crypto::testing {

using VectorBlock = std::map<std::string, std::string>;

// Blocks of testdata/crypto/<name>. NotFound if the file is missing,
// InvalidArgument (naming the line) on a line without '='.
StatusOr<std::vector<VectorBlock>> ReadVectorFile(const std::string& name);

// Hex-decodes field `field` of `block`; InvalidArgument if absent or not hex.
StatusOr<Bytes> HexField(const VectorBlock& block, const std::string& field);

}  // namespace hdhub::crypto::testing
