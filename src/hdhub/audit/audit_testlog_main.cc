// hdhub_audit_testlog HUB_DIR COUNT [INDEX]: appends COUNT events to the hub's
// audit log (creating it and its key) and prints, as JSON, what an external
// verifier needs: the verifier key, the signed checkpoint, and an inclusion
// proof for entry INDEX (default COUNT/2) with the entry itself. Test helper
// for tests/python/audit_verify.py and the CLI tests.
#include <charconv>
#include <iostream>
#include <string_view>

#include <nlohmann/json.hpp>

#include "hdhub/audit/hub_log.h"
#include "hdhub/common/clock.h"

namespace {

using namespace ::hdhub;          // NOLINT: a small tool
using namespace ::hdhub::audit;   // NOLINT

uint64_t ParseCount(std::string_view s) {
  uint64_t v = 0;
  std::from_chars(s.data(), s.data() + s.size(), v);
  return v;
}

Status Run(const std::string& hub_dir, uint64_t count, uint64_t index) {
  SystemClock clock;
  ASSIGN_OR_RETURN(auto log, OpenHubAuditLog(hub_dir, &clock));
  std::vector<Event> batch;
  for (uint64_t i = 0; i < count; ++i) {
    Event e;
    e.actor = i % 2 == 0 ? "alice" : "bob";
    e.role = "researcher";
    e.action = i % 3 == 0 ? "key.unwrap" : "query.run";
    e.objects = {{"dataset", "dcir"}};
    e.project = "p-" + std::to_string(i % 4);
    e.details = {{"rows", i}};
    e.free_text = "SELECT " + std::to_string(i);
    batch.push_back(std::move(e));
  }
  if (!batch.empty()) RETURN_IF_ERROR(log->AppendBatch(batch).status());
  const uint64_t size = log->Size();
  nlohmann::json out = {{"verifier_key", log->signer().VerifierKey()}, {"checkpoint", log->LatestCheckpoint()},
                        {"size", size}};
  if (index < size) {
    ASSIGN_OR_RETURN(std::string entry, log->ReadEntry(index));
    ASSIGN_OR_RETURN(std::vector<Hash> proof, log->InclusionProof(index, size));
    ASSIGN_OR_RETURN(Hash root, log->RootHash(size));
    out["index"] = index;
    out["entry"] = entry;
    out["leaf_hash"] = HashToHex(log->LeafHash(index).value());
    out["root"] = HashToHex(root);
    out["proof"] = JoinHashes(proof, ",");
  }
  std::cout << out.dump(1) << "\n";
  return OkStatus();
}

}  // namespace

int main(int argc, char** argv) {
  if (argc < 3) {
    std::cerr << "usage: hdhub_audit_testlog HUB_DIR COUNT [INDEX]\n";
    return 2;
  }
  const uint64_t count = ParseCount(argv[2]);
  const uint64_t index = argc > 3 ? ParseCount(argv[3]) : count / 2;
  hdhub::Status s = Run(argv[1], count, index);
  if (!s.ok()) {
    std::cerr << "hdhub_audit_testlog: " << s << "\n";
    return 3;
  }
  return 0;
}
