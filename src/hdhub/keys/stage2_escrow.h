// The stage-2 key in escrow with a pair of custodians (docs/formats/
// key-ring.md, "A new pair of custodians"). The stage-2 key K never changes
// (pseudonyms would); what changes is who can remake it without the hub's key
// store. For a pair of contributions c1, c2 (CustodianContribution, ordered by
// fingerprint):
//   pad   = K xor HKDF-SHA256(ikm = c1 || c2, salt = "",
//                             info = "hdhub stage-2 escrow v1", L = 32)
//   check = first 8 bytes of HMAC-SHA256(K, "hdhub stage-2 check v1"), hex
// The pad alone tells nothing about K (a one-time pad under a key neither
// custodian knows alone); the two contributions and the pad remake K, and the
// check tells a wrong or altered escrow from the right one. The record also
// carries K's origin in the key ring, so a hub rebuilt from it holds the very
// line the lost one did.
//
// File (mode 0600; not secret alone, but it is kept with the contributions):
//   hdhub-stage2-escrow v1 LF
//   origin <origin> LF
//   custodians <fingerprint>+<fingerprint> LF
//   pad <64 hex digits> LF
//   check <16 hex digits> LF
//
// Thread-safety: a value.
#pragma once

#include <string>
#include <vector>

#include "hdhub/common/bytes.h"
#include "hdhub/common/secret_bytes.h"
#include "hdhub/common/status.h"
#include "hdhub/keys/key_ring.h"

namespace hdhub::keys {

struct Stage2Escrow {
  std::string origin;      // K's origin in the key ring
  std::string custodians;  // "<fingerprint>+<fingerprint>", ordered
  Bytes pad;               // 32 bytes
  std::string check;       // 16 lower-case hex digits

  // The escrow of `key` (origin `origin`) with the pair `pair`.
  // InvalidArgument unless `pair` is two different contributions or `key` is
  // 32 bytes.
  static StatusOr<Stage2Escrow> Make(const SecretBytes& key, std::string origin,
                                     const std::vector<CustodianContribution>& pair);

  // K from the escrow's own pair. InvalidArgument naming the fingerprints
  // when `pair` is another pair; DataLoss when the result fails the check
  // (the record was altered, or made for another key).
  StatusOr<SecretBytes> Recover(const std::vector<CustodianContribution>& pair) const;

  // Whether `key` is the key this escrow holds (its check).
  StatusOr<bool> Holds(const SecretBytes& key) const;

  std::string Text() const;
  // InvalidArgument naming `where` and the line when `text` is not a record.
  static StatusOr<Stage2Escrow> Parse(std::string_view text, const std::string& where);
  // Read: Parse of the file at `path`. Write: atomically and durably, mode
  // 0600; AlreadyExists when `path` exists and `overwrite` is false.
  static StatusOr<Stage2Escrow> Read(const std::string& path);
  Status Write(const std::string& path, bool overwrite) const;
};

}  // namespace hdhub::keys
