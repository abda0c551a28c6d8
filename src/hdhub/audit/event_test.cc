#include "hdhub/audit/event.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/audit/audit_log.h"
#include "hdhub/common/status_matchers.h"

namespace hdhub::audit {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

Event QueryEvent() {
  Event e;
  e.actor = "alice";
  e.role = "researcher";
  e.action = "query.run";
  e.objects = {{"workspace", "ws-1"}};
  e.project = "p-2026-01";
  e.details = {{"rows", 120}, {"tables", {"dcir", "pmsi_mco"}}};
  e.free_text = "SELECT count(*) FROM dcir WHERE age > 80";
  return e;
}

TimePoint T0() { return ParseRfc3339("2026-11-23T14:00:00Z").value(); }

TEST(EventTest, EntryIsCanonicalSortedJsonWithHashedText) {
  const std::string entry = EncodeEntry(QueryEvent(), 7, T0());
  EXPECT_EQ(entry,
            "{\"action\":\"query.run\",\"actor\":\"alice\",\"details\":{\"rows\":120,\"tables\":[\"dcir\","
            "\"pmsi_mco\"]},\"objects\":{\"workspace\":\"ws-1\"},\"outcome\":\"success\",\"project\":"
            "\"p-2026-01\",\"role\":\"researcher\",\"seq\":7,\"text_sha256\":\"" +
                HexEncode(crypto::Sha256(AsBytes(*QueryEvent().free_text))) +
                "\",\"time\":\"2026-11-23T14:00:00.000000Z\",\"v\":1}");
  EXPECT_THAT(entry, Not(HasSubstr("SELECT")));
}

TEST(EventTest, DecodeRoundTrips) {
  ASSERT_OK_AND_ASSIGN(Entry e, DecodeEntry(EncodeEntry(QueryEvent(), 7, T0())));
  EXPECT_EQ(e.seq, 7u);
  EXPECT_EQ(e.event.actor, "alice");
  EXPECT_EQ(e.event.project, "p-2026-01");
  EXPECT_TRUE(e.text_sha256.has_value());
  EXPECT_FALSE(e.event.free_text.has_value());
}

TEST(EventTest, DecodeRejectsFieldsOutsideTheAllowedSet) {
  std::string entry = EncodeEntry(QueryEvent(), 7, T0());
  entry.insert(1, "\"age\":83,");
  EXPECT_THAT(DecodeEntry(entry), StatusIs(StatusCode::kInvalidArgument, HasSubstr("'age'")));
}

TEST(EventTest, DecodeRejectsNonCanonicalJson) {
  std::string entry = EncodeEntry(QueryEvent(), 7, T0());
  entry.insert(1, " ");
  EXPECT_THAT(DecodeEntry(entry), StatusIs(StatusCode::kInvalidArgument, HasSubstr("canonical")));
  EXPECT_THAT(DecodeEntry("{\"v\":"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(EventTest, ValidationRejectsFreeTextInIdentifiersAndDetails) {
  Event e = QueryEvent();
  e.actor = "";
  EXPECT_THAT(ValidateEvent(e), StatusIs(StatusCode::kInvalidArgument, HasSubstr("actor")));
  e = QueryEvent();
  e.details["diagnosis"] = "patient has type 2 diabetes";
  EXPECT_THAT(ValidateEvent(e), StatusIs(StatusCode::kInvalidArgument, HasSubstr("details.diagnosis")));
  e = QueryEvent();
  e.details["nested"] = {{"a", 1}};
  EXPECT_THAT(ValidateEvent(e), StatusIs(StatusCode::kInvalidArgument));
  e = QueryEvent();
  e.action = "Query Run";
  EXPECT_THAT(ValidateEvent(e), StatusIs(StatusCode::kInvalidArgument, HasSubstr("action")));
  e = QueryEvent();
  e.objects["dataset"] = "a b";
  EXPECT_THAT(ValidateEvent(e), StatusIs(StatusCode::kInvalidArgument, HasSubstr("objects.dataset")));
}

TEST(MemoryAuditLogTest, AppendsAssignSequenceAndTimeFromTheClock) {
  FakeClock clock(T0());
  MemoryAuditLog log(&clock);
  ASSERT_OK_AND_ASSIGN(uint64_t first, log.Append(QueryEvent()));
  clock.Advance(std::chrono::seconds(1));
  ASSERT_OK_AND_ASSIGN(uint64_t second, log.Append(QueryEvent()));
  EXPECT_EQ(first, 0u);
  EXPECT_EQ(second, 1u);
  ASSERT_OK_AND_ASSIGN(Entry e, DecodeEntry(log.ReadEntry(1).value()));
  EXPECT_EQ(e.time, "2026-11-23T14:00:01.000000Z");
  EXPECT_OK(VerifyInclusion(0, 2, log.LeafHash(0).value(), log.InclusionProof(0, 2).value(),
                            log.RootHash(2).value()));
}

TEST(MemoryAuditLogTest, InjectedFailureFailsTheAppend) {
  FakeClock clock(T0());
  MemoryAuditLog log(&clock);
  log.SetFailureForTest(UnavailableError("disk gone"));
  EXPECT_THAT(log.Append(QueryEvent()), StatusIs(StatusCode::kUnavailable));
  EXPECT_EQ(log.Size(), 0u);
  Event bad = QueryEvent();
  bad.role = "";
  log.SetFailureForTest(OkStatus());
  EXPECT_THAT(log.Append(bad), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::audit
