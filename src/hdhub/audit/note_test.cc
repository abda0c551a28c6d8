#include "hdhub/audit/note.h"

#include <sys/stat.h>

#include <fstream>

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <nlohmann/json.hpp>

#include "hdhub/audit/checkpoint.h"
#include "hdhub/audit/ed25519.h"
#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::audit {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

nlohmann::json GoVectors() {
  std::ifstream in(::hdhub::testing::SourceDir() / "testdata/audit/signed_note_vectors.json");
  return nlohmann::json::parse(in);
}

std::unique_ptr<Ed25519Signer> GoSigner() {
  std::string skey = GoVectors()["private_key"];
  return Ed25519Signer::FromPrivateKeyText(SecretBytes(AsBytes(skey))).value();
}

TEST(NoteTest, SignatureMatchesGoReferenceNoteByteForByte) {
  nlohmann::json v = GoVectors();
  auto signer = GoSigner();
  EXPECT_EQ(signer->VerifierKey(), v["verifier_key"].get<std::string>());
  EXPECT_EQ(signer->key_id(), 0xc74f20a3u);
  Note note;
  note.text = v["text"];
  ASSERT_OK(AddNoteSignature(note, *signer));
  EXPECT_EQ(FormatNote(note), v["signed_note"].get<std::string>());
}

TEST(NoteTest, ReferenceNoteVerifiesAndTamperedTextFails) {
  nlohmann::json v = GoVectors();
  ASSERT_OK_AND_ASSIGN(auto verifier, Ed25519Verifier::FromVerifierKey(v["verifier_key"].get<std::string>()));
  ASSERT_OK_AND_ASSIGN(Note note, ParseNote(v["signed_note"].get<std::string>()));
  EXPECT_OK(VerifyNote(note, *verifier));
  note.text[0] = 'i';
  EXPECT_THAT(VerifyNote(note, *verifier), StatusIs(StatusCode::kDataLoss));
}

TEST(NoteTest, FlippedSignatureBitFails) {
  nlohmann::json v = GoVectors();
  auto verifier = Ed25519Verifier::FromVerifierKey(v["verifier_key"].get<std::string>()).value();
  Note note = ParseNote(v["signed_note"].get<std::string>()).value();
  note.signatures[0].signature[10] ^= 0x01;
  EXPECT_THAT(VerifyNote(note, *verifier), StatusIs(StatusCode::kDataLoss));
}

TEST(NoteTest, SignatureByAnotherKeyIsUnauthenticated) {
  auto other = Ed25519Signer::Generate("other.example/log").value();
  auto verifier = Ed25519Verifier::FromVerifierKey(other->VerifierKey()).value();
  Note note = ParseNote(GoVectors()["signed_note"].get<std::string>()).value();
  EXPECT_THAT(VerifyNote(note, *verifier), StatusIs(StatusCode::kUnauthenticated));
}

TEST(NoteTest, MalformedNotesAreRejected) {
  const std::string sig = "\xE2\x80\x94 k AAAAAAAA\n";
  EXPECT_THAT(ParseNote("text\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseNote("text\n\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseNote("text\n\n" + sig.substr(0, sig.size() - 1)), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseNote("te\txt\n\n" + sig), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseNote("text\n\n- k AAAAAAAA\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseNote("text\n\n\xE2\x80\x94 k AAA*AAAA\n"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(NoteTest, VerifierKeysWithWrongIdOrTypeAreRejected) {
  std::string vkey = GoVectors()["verifier_key"];
  std::string wrong_id = vkey;
  wrong_id[13] = wrong_id[13] == '0' ? '1' : '0';
  EXPECT_THAT(Ed25519Verifier::FromVerifierKey(wrong_id), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Ed25519Verifier::FromVerifierKey("PeterNeumann+c74f20a3"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Ed25519Verifier::FromVerifierKey("Peter Neumann+c74f20a3+ARpc2QcUPDhMQegwxbzhKqiBfsVkmqq/LDE4izWy10TW"),
              StatusIs(StatusCode::kInvalidArgument));
}

TEST(NoteTest, KeyFileIsPrivateAndRoundTrips) {
  ::hdhub::testing::TempDir dir;
  const std::string path = dir.Sub("signing.key");
  ASSERT_OK_AND_ASSIGN(auto created, LoadOrCreateSignerKeyFile(path, "hub.example/audit"));
  struct stat st;
  ASSERT_EQ(::stat(path.c_str(), &st), 0);
  EXPECT_EQ(st.st_mode & 0777, 0600u);
  ASSERT_OK_AND_ASSIGN(auto loaded, LoadOrCreateSignerKeyFile(path, "ignored"));
  EXPECT_EQ(loaded->VerifierKey(), created->VerifierKey());
  EXPECT_THAT(LoadSignerKeyFile(dir.Sub("missing.key")), StatusIs(StatusCode::kNotFound));
}

TEST(CheckpointTest, FormatIsC2spTlogCheckpoint) {
  Checkpoint cp{"hub.example/audit", 8, HashLeaf(AsBytes("x")), {}};
  std::string text = CheckpointText(cp);
  EXPECT_EQ(text, "hub.example/audit\n8\n" + Base64Encode(cp.root) + "\n");
  ASSERT_OK_AND_ASSIGN(Checkpoint parsed, ParseCheckpointText(text));
  EXPECT_EQ(parsed.origin, cp.origin);
  EXPECT_EQ(parsed.size, 8u);
  EXPECT_EQ(parsed.root, cp.root);
}

TEST(CheckpointTest, SignedCheckpointOpensOnlyWithTheLogKey) {
  auto signer = Ed25519Signer::Generate("hub.example/audit").value();
  auto verifier = Ed25519Verifier::FromVerifierKey(signer->VerifierKey()).value();
  Checkpoint cp{"hub.example/audit", 3, HashLeaf(AsBytes("x")), {}};
  ASSERT_OK_AND_ASSIGN(std::string note, SignCheckpoint(cp, *signer));
  ASSERT_OK_AND_ASSIGN(VerifiedCheckpoint opened, OpenSignedCheckpoint(note, *verifier));
  EXPECT_EQ(opened.checkpoint.size, 3u);
  std::string tampered = note;
  tampered[tampered.find("\n3\n") + 1] = '4';
  EXPECT_THAT(OpenSignedCheckpoint(tampered, *verifier), StatusIs(StatusCode::kDataLoss));
}

TEST(CheckpointTest, MalformedBodiesAreRejected) {
  const std::string root = Base64Encode(HashLeaf(AsBytes("x")));
  EXPECT_THAT(ParseCheckpointText("o\n8\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCheckpointText("o\n08\n" + root + "\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCheckpointText("o\n-8\n" + root + "\n"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(ParseCheckpointText("o\n8\nAAAA\n"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("32 bytes")));
  EXPECT_THAT(ParseCheckpointText("\n8\n" + root + "\n"), StatusIs(StatusCode::kInvalidArgument));
}

TEST(Base64Test, RoundTripsAndRejectsGarbage) {
  for (std::string s : {"", "f", "fo", "foo", "foob"}) {
    ASSERT_OK_AND_ASSIGN(Bytes b, Base64Decode(Base64Encode(AsBytes(s))));
    EXPECT_EQ(AsStringView(b), s);
  }
  EXPECT_EQ(Base64Encode(AsBytes("fo")), "Zm8=");
  EXPECT_THAT(Base64Decode("Zm8"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Base64Decode("Z=8="), StatusIs(StatusCode::kInvalidArgument));
}

}  // namespace
}  // namespace hdhub::audit
