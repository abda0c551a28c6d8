// The airlock's release, downloads and register through the service, on a
// real hub (export_service_fixture.h): two checkers approve, the author
// releases, the bundle verifies offline as `hdhub airlock verify` checks it.
#include <filesystem>
#include <fstream>
#include <iterator>
#include <nlohmann/json.hpp>

#include "hdhub/exports/certificate.h"
#include "hdhub/exports/verify.h"
#include "hdhub/keys/key_store.h"
#include "hdhub/service/export_service_fixture.h"

namespace hdhub::service {
namespace {

using exports::RequestState;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

class ExportReleaseServiceTest : public ExportServiceTest {
 protected:
  // A submitted request of rita's over `outputs`, approved by carl and cleo.
  std::string Approved(const std::vector<std::pair<std::string, std::string>>& outputs) {
    const std::string id = Draft(outputs);
    EXPECT_OK(svc_->SubmitExportRequest(ctx("rita"), id).status());
    EXPECT_OK(Approve("carl", id).status());
    EXPECT_OK(Approve("cleo", id).status());
    EXPECT_EQ(Show(id).request.state, RequestState::kApproved);
    return id;
  }
  // The same, once the frame is released (and so frozen): outputs only.
  std::string ApprovedOverReleasedFrame(const std::string& output) {
    StatusOr<ExportRequestView> v = svc_->CreateExportRequest(ctx("rita"), "p1", "Again");
    EXPECT_OK(v.status());
    const std::string id = v->request.id;
    EXPECT_OK(svc_->ChangeExportRequest(ctx("rita"), id, {.kind = ExportChangeKind::kOutput, .json = Output(output)})
                  .status());
    EXPECT_OK(svc_->SubmitExportRequest(ctx("rita"), id).status());
    EXPECT_OK(Approve("carl", id).status());
    EXPECT_OK(Approve("cleo", id).status());
    return id;
  }
  // The entries of `action` from `from` on.
  std::vector<audit::Entry> Events(uint64_t from, const std::string& action) {
    std::vector<audit::Entry> out;
    for (const audit::Entry& e : EntriesSince(from)) {
      if (e.event.action == action) out.push_back(e);
    }
    return out;
  }
};

TEST_F(ExportReleaseServiceTest, ReleaseVerifiesChainsAndIsInTheRegister) {
  const std::string id = Approved({{"by-sex", ""}, {"sex-2", "2"}});
  const ExportRequestView approved = Show(id);
  ASSERT_OK_AND_ASSIGN(ReleasedFiles first, svc_->ReleaseExportRequest(ctx("rita"), id));
  EXPECT_EQ(Show(id).request.state, RequestState::kReleased);
  EXPECT_EQ(first.seq, 1);
  ASSERT_EQ(first.files.size(), approved.outputs.size());
  for (size_t i = 0; i < first.files.size(); ++i) {
    EXPECT_EQ(first.files[i].name, approved.outputs[i].name);
    EXPECT_EQ(first.files[i].sha256, approved.outputs[i].sha256);
    EXPECT_EQ(first.files[i].sha256, HexEncode(crypto::Sha256(AsBytes(first.files[i].content))));
  }
  EXPECT_THAT(first.files[0].content, HasSubstr("table,sex,value\n"));
  const exports::VerifyReport one = Verify(first, std::vector<std::string>{});
  EXPECT_TRUE(one.ok()) << one.Summary();
  EXPECT_TRUE(one.history_checked);
  EXPECT_EQ(one.outputs_checked.size(), 2u);
  ASSERT_OK_AND_ASSIGN(exports::CertificateBody body, exports::ParseBody(first.bundle.body));
  EXPECT_EQ(body.history.before, HexEncode(exports::HistoryStart("p1")));
  EXPECT_EQ(body.reviews.size(), 2u);

  // A second release continues the chain; the first one's bundle proves it.
  const std::string again = ApprovedOverReleasedFrame("again");
  ASSERT_OK_AND_ASSIGN(ReleasedFiles second, svc_->ReleaseExportRequest(ctx("rita"), again));
  EXPECT_EQ(second.seq, 2);
  ASSERT_OK_AND_ASSIGN(exports::CertificateBody body2, exports::ParseBody(second.bundle.body));
  EXPECT_EQ(body2.history.before, HexEncode(exports::HistoryNext(exports::HistoryStart("p1"), first.bundle.body)));
  const exports::VerifyReport two = Verify(second, std::vector<std::string>{first.bundle.Serialize()});
  EXPECT_TRUE(two.ok()) << two.Summary();
  EXPECT_EQ(two.earlier_bundles, 1);
  // Without the earlier bundle the chain cannot be followed.
  EXPECT_EQ(Verify(second, std::vector<std::string>{}).failed_check, 7);

  // Public: a researcher of no project reads it, identifiers only.
  ASSERT_OK_AND_ASSIGN(std::vector<RegisterEntry> all, svc_->Register(ctx("nina"), std::nullopt));
  ASSERT_EQ(all.size(), 2u);
  EXPECT_EQ(all[0].project, "p1");
  EXPECT_EQ(all[0].authorisation_ref, "CNIL-DR-2026-001");
  EXPECT_EQ(all[0].seq, 1);
  EXPECT_EQ(all[1].seq, 2);
  EXPECT_EQ(all[0].certificate_sha256, first.certificate_sha256);
  EXPECT_EQ(all[0].certificate_sha256, HexEncode(crypto::Sha256(AsBytes(first.bundle.body))));
  EXPECT_EQ(static_cast<uint64_t>(all[0].audit_index), first.bundle.leaf_index);
  ASSERT_EQ(all[0].outputs.size(), 2u);
  EXPECT_EQ(all[0].outputs[0].name, "by-sex");
  EXPECT_EQ(all[0].outputs[0].bytes, static_cast<int64_t>(first.files[0].content.size()));
  EXPECT_THAT(svc_->Register(ctx("olga"), std::string("p1")), ::hdhub::testing::IsOkAndHolds(::testing::SizeIs(2)));
  EXPECT_THAT(svc_->Register(ctx("olga"), std::string("p2")), ::hdhub::testing::IsOkAndHolds(::testing::IsEmpty()));
}

TEST_F(ExportReleaseServiceTest, DownloadGivesTheSameBytesToTheAuthorOnly) {
  const std::string id = Approved({{"by-sex", ""}});
  ASSERT_OK_AND_ASSIGN(ExportRequestView read, svc_->ShowExportRequest(ctx("carl"), id, true));
  ASSERT_OK_AND_ASSIGN(ReleasedFiles released, svc_->ReleaseExportRequest(ctx("rita"), id));
  // What leaves is byte for byte what the checkers read.
  ASSERT_EQ(read.files->size(), 1u);
  EXPECT_EQ(read.files->at(0).content, released.files[0].content);
  EXPECT_EQ(read.files->at(0).sha256, released.files[0].sha256);
  const uint64_t before = LogSize();
  ASSERT_OK_AND_ASSIGN(ReleasedFiles again, svc_->DownloadRelease(ctx("rita"), id));
  ASSERT_EQ(again.files.size(), 1u);
  EXPECT_EQ(again.files[0].content, released.files[0].content);
  EXPECT_EQ(again.bundle.body, released.bundle.body);
  EXPECT_EQ(again.seq, 1);
  EXPECT_TRUE(Verify(again).ok());
  const std::vector<audit::Entry> reads = Events(before, "airlock.read");
  ASSERT_EQ(reads.size(), 1u);
  EXPECT_EQ(reads[0].event.details["what"], "download");
  EXPECT_EQ(reads[0].event.outcome, audit::Outcome::kSuccess);
  // A co-member who is not the author, a checker, a stranger.
  EXPECT_THAT(svc_->DownloadRelease(ctx("mona"), id), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(svc_->DownloadRelease(ctx("carl"), id), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(svc_->DownloadRelease(ctx("nina"), id),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("unknown or not yours")));
  // A file the host swapped (sealed under another key) is refused.
  ASSERT_OK_AND_ASSIGN(SecretBytes other, keys::NewDataKey());
  ASSERT_OK(svc_->HubForTest().sealed().Put("projects/p1/releases/1/by-sex", other, AsBytes("table,sex,value\n")));
  EXPECT_THAT(svc_->DownloadRelease(ctx("rita"), id), StatusIs(StatusCode::kDataLoss));
  // Nothing to download before a release.
  const std::string draft = Draft({});
  EXPECT_THAT(svc_->DownloadRelease(ctx("rita"), draft), StatusIs(StatusCode::kFailedPrecondition));
}

TEST_F(ExportReleaseServiceTest, OnlyTheAuthorReleasesAnApprovedRequestOnce) {
  const std::string submitted = Submitted();
  const uint64_t before = LogSize();
  EXPECT_THAT(svc_->ReleaseExportRequest(ctx("rita"), submitted), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_EQ(Show(submitted).request.state, RequestState::kSubmitted);
  const std::string id = Approved({{"by-sex", ""}});
  // A checker may read it but not release it; a stranger may not know it.
  EXPECT_THAT(svc_->ReleaseExportRequest(ctx("carl"), id), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(svc_->ReleaseExportRequest(ctx("nina"), id),
              StatusIs(StatusCode::kPermissionDenied, HasSubstr("unknown or not yours")));
  EXPECT_THAT(svc_->ReleaseExportRequest(ctx("mona"), id), StatusIs(StatusCode::kPermissionDenied));
  const std::vector<audit::Entry> refused = Events(before, "airlock.release");
  ASSERT_EQ(refused.size(), 4u);
  EXPECT_NE(refused[0].event.outcome, audit::Outcome::kSuccess);
  for (size_t i = 1; i < refused.size(); ++i) EXPECT_EQ(refused[i].event.outcome, audit::Outcome::kDenied) << i;
  EXPECT_EQ(Show(id).request.state, RequestState::kApproved);
  ASSERT_OK(svc_->ReleaseExportRequest(ctx("rita"), id).status());
  EXPECT_THAT(svc_->ReleaseExportRequest(ctx("rita"), id), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(svc_->Register(ctx("olga"), std::nullopt), ::hdhub::testing::IsOkAndHolds(::testing::SizeIs(1)));
}

TEST_F(ExportReleaseServiceTest, DataChangedAfterApprovalReturnsTheRequest) {
  const std::string id = Approved({{"by-sex", ""}});
  std::vector<std::string> rows;
  for (int i = 0; i < 30; ++i) rows.push_back(Person(i) + (i < 12 ? ",1,1970" : ",2,1980"));
  ASSERT_OK(IngestRows("IR_BEN_R", rows).status());
  ASSERT_OK(svc_->BuildWorkspace(ctx("olga"), "p1").status());
  const uint64_t before = LogSize();
  EXPECT_THAT(svc_->ReleaseExportRequest(ctx("rita"), id),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("data-changed")));
  const ExportRequestView v = Show(id);
  EXPECT_EQ(v.request.state, RequestState::kReturned);
  ASSERT_FALSE(v.decisions.empty());
  EXPECT_EQ(v.decisions.back().reason, exports::DecisionReason::kDataChanged);
  EXPECT_EQ(v.decisions.back().actor, "hub");
  const std::vector<audit::Entry> decided = Events(before, "airlock.decide");
  ASSERT_EQ(decided.size(), 1u);
  EXPECT_EQ(decided[0].event.actor, "hub");
  EXPECT_EQ(decided[0].event.details["reason"], "data-changed");
  EXPECT_EQ(decided[0].event.details["state_to"], "returned");
  EXPECT_THAT(svc_->Register(ctx("olga"), std::nullopt), ::hdhub::testing::IsOkAndHolds(::testing::IsEmpty()));
}

TEST_F(ExportReleaseServiceTest, EventsHoldNoValueAndTheHostOnlyCiphertext) {
  const std::string draft = Draft({{"sex-1", "1"}, {"sex-2", "2"}});
  ASSERT_OK(svc_->SubmitExportRequest(ctx("rita"), draft).status());
  const ExportRequestView v = Show(draft);
  ExportReview review{.revision = v.request.revision, .decisions = {}};
  for (const exports::OutputRecord& o : v.outputs) {
    review.decisions.push_back(
        {.output = o.name, .decision = exports::OutputDecision::kApprove, .comment = std::string(kComment)});
  }
  ASSERT_OK(svc_->ReviewExportRequest(ctx("carl"), draft, review).status());
  ASSERT_OK(svc_->ReviewExportRequest(ctx("cleo"), draft, review).status());
  const uint64_t before = LogSize();
  ASSERT_OK_AND_ASSIGN(ReleasedFiles released, svc_->ReleaseExportRequest(ctx("rita"), draft));
  ASSERT_OK(svc_->DownloadRelease(ctx("rita"), draft).status());
  const std::vector<audit::Entry> entries = EntriesSince(before);
  int releases = 0;
  for (const audit::Entry& e : entries) {
    const std::string text = nlohmann::json{{"details", e.event.details}, {"objects", e.event.objects}}.dump();
    EXPECT_THAT(text, ::testing::Not(HasSubstr("NIRPERSON"))) << e.event.action;
    EXPECT_THAT(text, ::testing::Not(HasSubstr("zebra"))) << e.event.action;
    for (const auto& [key, value] : e.event.details.items()) {
      EXPECT_NE(value, 10) << e.event.action << " " << key;
      EXPECT_NE(value, 11) << e.event.action << " " << key;
      EXPECT_NE(value, "1") << e.event.action << " " << key;
      EXPECT_NE(value, "2") << e.event.action << " " << key;
    }
    if (e.event.action != "airlock.release") continue;
    ++releases;
    EXPECT_FALSE(e.text_sha256.has_value());  // no comment travels with a release
    for (const char* key :
         {"seq", "revision", "certificate_sha256", "history_before", "history_after", "outputs", "reviewers"}) {
      EXPECT_TRUE(e.event.details.contains(key)) << key;
    }
    EXPECT_EQ(e.event.details["reviewers"], nlohmann::json({"carl", "cleo"}));
    EXPECT_EQ(e.event.objects.at("release"), "1");
  }
  EXPECT_EQ(releases, 1);
  // The released CSV (header and rows) is nowhere in the hub's files in clear.
  ASSERT_EQ(released.files.size(), 2u);
  const std::string row = released.files[1].content.substr(released.files[1].content.find('\n') + 1);
  ASSERT_THAT(row, HasSubstr("11"));
  int files = 0;
  for (const auto& entry : std::filesystem::recursive_directory_iterator(hub_dir_)) {
    if (!entry.is_regular_file()) continue;
    ++files;
    std::ifstream in(entry.path(), std::ios::binary);
    const std::string bytes((std::istreambuf_iterator<char>(in)), std::istreambuf_iterator<char>());
    EXPECT_EQ(bytes.find("table,sex,value"), std::string::npos) << entry.path();
    EXPECT_EQ(bytes.find(row), std::string::npos) << entry.path();
  }
  EXPECT_GT(files, 10);
}

}  // namespace
}  // namespace hdhub::service
