// The public register's proofs over HTTP (GET
// /api/v1/public/register/proofs/{n}, docs/formats/audit-log.md §9): a
// register entry, given without an account, is proved to the signed
// checkpoint with the hub's own verifier; any other index is not found; no
// account is named; each read is logged as the anonymous visitor.
#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <nlohmann/json.hpp>
#include <string>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/merkle.h"
#include "hdhub/common/bytes.h"
#include "hdhub/crypto/hash.h"
#include "hdhub/server/http_api_airlock_fixture.h"

namespace hdhub::server {
namespace {

using ::testing::HasSubstr;
using ::testing::Not;

class RegisterProofTest : public HttpApiAirlockTest {
 protected:
  // The register as a visitor reads it, and project p1's line.
  json P1() {
    const HttpResponse r = Call("GET", "/public/register", "");
    EXPECT_EQ(r.status, 200u) << r.body;
    const json page = Body(r);
    for (const json& p : page["items"]) {
      if (p["project"] == "p1") return p;
    }
    ADD_FAILURE() << "p1 is not in the register: " << r.body;
    return json();
  }

  // Checks the answer for entry `n` as a browser does, with the C++ code:
  // the entry is the register line's, it is in the tree, the checkpoint is
  // signed by the log key. Returns the decoded entry.
  audit::Entry Verified(int64_t n, json fields) {
    const HttpResponse r = Call("GET", "/public/register/proofs/" + std::to_string(n), "");
    EXPECT_EQ(r.status, 200u) << r.body;
    const json a = Body(r);
    const std::string entry = a["entry"].get<std::string>();
    StatusOr<audit::Entry> decoded = audit::DecodeEntry(entry);
    EXPECT_OK(decoded.status());
    if (!decoded.ok()) return {};
    EXPECT_EQ(decoded->seq, uint64_t(n));
    EXPECT_EQ(decoded->event.actor, "hub");
    EXPECT_EQ(decoded->event.action, "register.publish");
    EXPECT_EQ(decoded->text_sha256, HexEncode(crypto::Sha256(AsBytes(fields.dump()))));
    auto verifier = audit::Ed25519Verifier::FromVerifierKey(a["log_key"].get<std::string>());
    EXPECT_OK(verifier.status());
    if (!verifier.ok()) return *decoded;
    StatusOr<audit::VerifiedCheckpoint> checkpoint =
        audit::OpenSignedCheckpoint(a["checkpoint"].get<std::string>(), **verifier);
    EXPECT_OK(checkpoint.status());
    if (!checkpoint.ok()) return *decoded;
    EXPECT_EQ(checkpoint->checkpoint.size, a["size"].get<uint64_t>());
    std::vector<audit::Hash> proof;
    for (const json& h : a["proof"]) proof.push_back(*audit::ParseHash(h.get<std::string>()));
    const audit::Hash leaf_hash = audit::HashLeaf(AsBytes(entry));  // of the bytes as stored
    EXPECT_OK(audit::VerifyInclusion(n, checkpoint->checkpoint.size, leaf_hash, proof, checkpoint->checkpoint.root));
    // A proof one bit off does not hold.
    if (!proof.empty()) {
      proof[0][0] ^= 1;
      EXPECT_FALSE(
          audit::VerifyInclusion(n, checkpoint->checkpoint.size, leaf_hash, proof, checkpoint->checkpoint.root).ok());
    }
    for (const char* name : {"rita", "mona", "nina", "olga", "oscar", "carl", "cleo"}) {
      EXPECT_THAT(r.body, Not(HasSubstr(name))) << name;
    }
    return *decoded;
  }

  // The line's fields its register entry covers: the register's JSON less
  // what is not part of the line.
  static json Fields(json line) {
    for (const char* key : {"state", "releases", "register_entry", "audit_index"}) line.erase(key);
    return line;
  }
};

TEST_F(RegisterProofTest, AReleaseAndAnApprovalAreProvedToTheSignedCheckpointWithoutAnAccount) {
  const std::string id = Approved();
  ASSERT_EQ(Call("POST", "/export-requests/" + id + "/release", "rita").status, 201u);
  const json p1 = P1();
  ASSERT_TRUE(p1["register_entry"].is_number_integer()) << p1;
  ASSERT_EQ(p1["releases"].size(), 1u);
  const json& release = p1["releases"][0];
  ASSERT_TRUE(release["register_entry"].is_number_integer()) << release;
  EXPECT_EQ(release["register_entry"].get<int64_t>(), release["audit_index"].get<int64_t>() + 1);

  const uint64_t before = LogSize();
  const audit::Entry r = Verified(release["register_entry"].get<int64_t>(), Fields(release));
  EXPECT_EQ(r.event.objects.at("release"), "1");
  EXPECT_EQ(r.event.project, "p1");
  const audit::Entry a = Verified(p1["register_entry"].get<int64_t>(), Fields(p1));
  EXPECT_FALSE(a.event.objects.contains("release"));

  // Each read is logged once, as the anonymous visitor, with the index asked.
  int logged = 0;
  for (const audit::Entry& e : EntriesSince(before)) {
    if (e.event.action != "register.proof") continue;
    ++logged;
    EXPECT_EQ(e.event.actor, "anonymous");
    EXPECT_EQ(e.event.role, "public");
    EXPECT_EQ(e.event.outcome, audit::Outcome::kSuccess);
    EXPECT_EQ(e.event.details.value("source", ""), "127.0.0.1");
  }
  EXPECT_EQ(logged, 2);
}

TEST_F(RegisterProofTest, AnyOtherEntryIsNotFoundAsOneThatDoesNotExist) {
  const std::string id = Approved();
  ASSERT_EQ(Call("POST", "/export-requests/" + id + "/release", "rita").status, 201u);
  const json release = P1()["releases"][0];
  const int64_t event = release["audit_index"].get<int64_t>();  // airlock.release, names rita
  const uint64_t before = LogSize();
  const HttpResponse other = Call("GET", "/public/register/proofs/" + std::to_string(event), "");
  const HttpResponse beyond = Call("GET", "/public/register/proofs/999999", "");
  EXPECT_EQ(other.status, 404u) << other.body;
  EXPECT_EQ(beyond.status, 404u) << beyond.body;
  EXPECT_THAT(other.body, Not(HasSubstr("rita")));
  EXPECT_EQ(Body(other)["title"], Body(beyond)["title"]);
  EXPECT_EQ(Body(other)["detail"], "register entry " + std::to_string(event) + " is unknown");
  EXPECT_EQ(Body(beyond)["detail"], "register entry 999999 is unknown");
  EXPECT_EQ(Call("GET", "/public/register/proofs/x", "").status, 400u);
  EXPECT_EQ(Call("POST", "/public/register/proofs/1", "").status, 405u);
  // The refusals are logged too.
  int logged = 0;
  for (const audit::Entry& e : EntriesSince(before)) {
    if (e.event.action != "register.proof") continue;
    ++logged;
    EXPECT_EQ(e.event.actor, "anonymous");
    EXPECT_NE(e.event.outcome, audit::Outcome::kSuccess);
  }
  EXPECT_EQ(logged, 2);
}

}  // namespace
}  // namespace hdhub::server
