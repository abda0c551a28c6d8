// GET /api/v1/audit/witnesses: each witness of hub.json with the checkpoint
// it last cosigned, as its file holds it, or why that file cannot be read;
// for auditors and operators only, each read logged as audit.read.
#include <filesystem>

#include "hdhub/audit/ed25519.h"
#include "hdhub/audit/witness.h"
#include "hdhub/common/file.h"
#include "hdhub/hub/hub_config.h"
#include "hdhub/server/http_server_test_fixture.h"

namespace hdhub::server::http_test {
namespace {

class AuditWitnessTest : public HttpServerTest {
 protected:
  // Has `name` cosign the hub's current checkpoint into tmp_/<name>.checkpoint;
  // returns the witness's verifier key.
  std::string Cosign(const std::string& name) {
    auto witness = audit::Ed25519Signer::Generate("witness.test/" + name);
    EXPECT_OK(witness.status());
    auto log_key = audit::Ed25519Verifier::FromVerifierKey(svc_->AuditVerifierKey(ctx("olga")).value());
    EXPECT_OK(log_key.status());
    StatusOr<std::string> checkpoint = svc_->AuditCheckpoint(ctx("olga"));
    EXPECT_OK(checkpoint.status());
    if (!witness.ok() || !log_key.ok() || !checkpoint.ok()) return "";
    StatusOr<std::string> cosigned =
        audit::WitnessCheckpoint(tmp_.Sub("state-" + name), **witness, **log_key, *checkpoint, {});
    EXPECT_OK(cosigned.status());
    EXPECT_OK(WriteFileAtomically(tmp_.Sub(name + ".checkpoint"), AsBytes(cosigned.value_or("")), 0600));
    cosigned_[name] = cosigned.value_or("");
    return (*witness)->VerifierKey();
  }

  // Writes `witnesses` into hub.json and opens the hub again, which checks them.
  void ReopenWith(std::vector<hub::WitnessConfig> witnesses) {
    svc_.reset();
    ASSERT_OK_AND_ASSIGN(hub::Config config, hub::ReadConfig(hub_dir_));
    config.witnesses = std::move(witnesses);
    ASSERT_OK(hub::WriteConfigAtomically(hub_dir_, config));
    ASSERT_OK_AND_ASSIGN(svc_, service::Service::Open(hub::BuiltinBackends(), hub_dir_, service::Secret(kPassphrase),
                                                      &clock_, directory::DirectoryOptions::InsecureLowCostForTest()));
  }

  std::map<std::string, std::string> cosigned_;
};

TEST_F(AuditWitnessTest, NoWitnessConfiguredIsAnEmptyList) {
  StartServer();
  const Reply r = Call("GET", "/api/v1/audit/witnesses", tokens_["carl"]);
  ASSERT_EQ(r.status, 200) << r.body;
  EXPECT_EQ(r.Json()["witnesses"], json::array());
}

TEST_F(AuditWitnessTest, AuditorsReadEachCosignedCheckpointOrWhyItIsMissing) {
  const std::string w1 = Cosign("w1");
  const std::string w2 = Cosign("w2");
  ReopenWith({{w1, tmp_.Sub("w1.checkpoint")}, {w2, tmp_.Sub("w2.checkpoint")}});
  std::filesystem::remove(tmp_.Sub("w2.checkpoint"));
  StartServer();
  const uint64_t before = LogSize();

  const Reply r = Call("GET", "/api/v1/audit/witnesses", tokens_["carl"]);
  ASSERT_EQ(r.status, 200) << r.body;
  const json list = r.Json()["witnesses"];
  ASSERT_EQ(list.size(), 2u) << r.body;
  EXPECT_EQ(list[0]["key"], w1);
  EXPECT_EQ(list[0]["checkpoint"], cosigned_["w1"]);
  EXPECT_FALSE(list[0].contains("error"));
  EXPECT_EQ(list[1]["key"], w2);
  EXPECT_FALSE(list[1].contains("checkpoint"));
  EXPECT_THAT(list[1].value("error", ""), HasSubstr("w2.checkpoint"));
  EXPECT_EQ(Call("GET", "/api/v1/audit/witnesses", tokens_["oscar"]).status, 200);

  bool logged = false;
  for (const audit::Entry& e : EntriesSince(before)) {
    if (e.event.action == "audit.read" && e.event.actor == "carl" && e.event.details.value("what", "") == "witnesses") {
      logged = e.event.details.value("witnesses", 0) == 2;
    }
  }
  EXPECT_TRUE(logged);
}

TEST_F(AuditWitnessTest, ResearchersAndAnonymousCallersAreRefused) {
  const std::string w1 = Cosign("w1");
  ReopenWith({{w1, tmp_.Sub("w1.checkpoint")}});
  StartServer();
  const uint64_t before = LogSize();
  const Reply refused = Call("GET", "/api/v1/audit/witnesses", tokens_["rita"]);
  ExpectProblem(refused, 403);
  EXPECT_THAT(refused.body, Not(HasSubstr(cosigned_["w1"])));
  ExpectProblem(Call("GET", "/api/v1/audit/witnesses"), 401);
  bool denied = false;
  for (const audit::Entry& e : EntriesSince(before)) {
    denied |= e.event.action == "audit.read" && e.event.actor == "rita" && e.event.outcome != audit::Outcome::kSuccess;
  }
  EXPECT_TRUE(denied);
}

}  // namespace
}  // namespace hdhub::server::http_test
