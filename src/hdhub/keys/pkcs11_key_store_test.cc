// Pkcs11KeyStore against a real SoftHSM2 token. The token is provisioned by
// scripts/softhsm-token into HDHUB_SOFTHSM_DIR (the CTest fixture `softhsm`,
// or this binary itself when the token is not there yet); without SoftHSM2
// these tests fail, they never skip.
#include "hdhub/keys/pkcs11_key_store.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>
#include <unistd.h>

#include <cstdlib>
#include <filesystem>
#include <fstream>
#include <map>
#include <string>
#include <thread>
#include <vector>

#include "hdhub/common/status_matchers.h"
#include "hdhub/keys/builtin_key_stores.h"
#include "hdhub/keys/key_store_conformance.h"

namespace hdhub::keys {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::AllOf;
using ::testing::HasSubstr;
using ::testing::Not;

constexpr std::string_view kContext = "dataset-version:ER_PRS_F/3";

// The token's settings from HDHUB_SOFTHSM_DIR/env, provisioning it first when
// absent; sets SOFTHSM2_CONF before any module is loaded.
const std::map<std::string, std::string>& Token() {
  static const std::map<std::string, std::string> env = [] {
    const std::string dir = HDHUB_SOFTHSM_DIR;
    if (!std::filesystem::exists(dir + "/env")) {
      const std::string command = std::string(HDHUB_SOFTHSM_TOKEN) + " " + dir + " hdhub-kek hdhub-kek-2 hdhub-kek-3";
      EXPECT_EQ(std::system(command.c_str()), 0) << command;
    }
    std::map<std::string, std::string> values;
    std::ifstream in(dir + "/env");
    for (std::string line; std::getline(in, line);) {
      size_t eq = line.find('=');
      if (eq == std::string::npos) continue;
      std::string value = line.substr(eq + 1);
      if (value.size() >= 2 && value.front() == '"') value = value.substr(1, value.size() - 2);
      values[line.substr(0, eq)] = value;
    }
    ::setenv("SOFTHSM2_CONF", values["SOFTHSM2_CONF"].c_str(), 1);
    return values;
  }();
  return env;
}

std::string Setting(const std::string& name) {
  auto it = Token().find(name);
  EXPECT_NE(it, Token().end()) << name << " missing from " << HDHUB_SOFTHSM_DIR << "/env";
  return it == Token().end() ? "" : it->second;
}

SecretBytes Pin() { return SecretBytes(AsBytes(Setting("HDHUB_PKCS11_PIN"))); }

Pkcs11Uri UriFor(std::string object) {
  return Pkcs11Uri{Setting("HDHUB_PKCS11_MODULE"), Setting("HDHUB_PKCS11_TOKEN"), std::move(object), {}};
}

// KEK number 1 is the token's key "hdhub-kek", number n "hdhub-kek-<n>".
INSTANTIATE_KEY_STORE_CONFORMANCE(
    SoftHsm2,
    [](const std::filesystem::path&, int kek) -> StatusOr<std::unique_ptr<KeyStore>> {
      std::string label = kek == 1 ? "hdhub-kek" : "hdhub-kek-" + std::to_string(kek);
      ASSIGN_OR_RETURN(auto store, Pkcs11KeyStore::Open(UriFor(label), Pin()));
      return std::unique_ptr<KeyStore>(std::move(store));
    },
    /*derives_purpose_keys=*/false);

TEST(Pkcs11KeyStoreTest, OpensFromTheUriTheScriptWrites) {
  ASSERT_OK_AND_ASSIGN(auto store, Pkcs11KeyStore::Open(Setting("HDHUB_PKCS11_URI").substr(7), Pin()));
  EXPECT_EQ(store->Describe(), Setting("HDHUB_PKCS11_URI"));
  EXPECT_THAT(store->Describe(), Not(HasSubstr(Setting("HDHUB_PKCS11_PIN"))));
}

TEST(Pkcs11KeyStoreTest, TheRegistryOpensItWithThePinFromTheEnvironment) {
  constexpr char kEnvVar[] = "HDHUB_PKCS11_TEST_PIN";
  KeyStoreRegistry registry;
  RegisterBuiltinKeyStores(&registry, kEnvVar);
  ASSERT_EQ(::setenv(kEnvVar, Setting("HDHUB_PKCS11_PIN").c_str(), 1), 0);
  ASSERT_OK_AND_ASSIGN(auto store, registry.Open(Setting("HDHUB_PKCS11_URI")));
  EXPECT_EQ(store->Describe(), Setting("HDHUB_PKCS11_URI"));
  store.reset();
  ASSERT_EQ(::setenv(kEnvVar, "wrong-pin", 1), 0);
  EXPECT_THAT(registry.Open(Setting("HDHUB_PKCS11_URI")), StatusIs(StatusCode::kPermissionDenied));
  ::unsetenv(kEnvVar);
  EXPECT_THAT(registry.Open("pkcs11:token=hdhub"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("module")));
}

TEST(Pkcs11KeyStoreTest, TheKekValueCannotBeRead) {
  ASSERT_OK_AND_ASSIGN(auto store, Pkcs11KeyStore::Open(UriFor("hdhub-kek"), Pin()));  // logs the token in
  ASSERT_OK_AND_ASSIGN(auto module, Pkcs11Module::Acquire(Setting("HDHUB_PKCS11_MODULE")));
  ASSERT_OK_AND_ASSIGN(CK_SLOT_ID slot, module->FindToken(Setting("HDHUB_PKCS11_TOKEN")));
  CK_FUNCTION_LIST* fn = module->fn();
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  ASSERT_EQ(fn->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &session), CKR_OK);
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  char label[] = "hdhub-kek";
  CK_ATTRIBUTE query[] = {{CKA_CLASS, &klass, sizeof(klass)}, {CKA_LABEL, label, sizeof(label) - 1}};
  CK_OBJECT_HANDLE kek = CK_INVALID_HANDLE;
  CK_ULONG count = 0;
  ASSERT_EQ(fn->C_FindObjectsInit(session, query, 2), CKR_OK);
  ASSERT_EQ(fn->C_FindObjects(session, &kek, 1, &count), CKR_OK);
  fn->C_FindObjectsFinal(session);
  ASSERT_EQ(count, 1u);
  uint8_t value[64];
  CK_ATTRIBUTE attr{CKA_VALUE, value, sizeof(value)};
  EXPECT_EQ(fn->C_GetAttributeValue(session, kek, &attr, 1), CKR_ATTRIBUTE_SENSITIVE);
  // Nor can it be wrapped out of the token.
  CK_MECHANISM kwp{CKM_AES_KEY_WRAP_PAD, nullptr, 0};
  CK_ULONG size = sizeof(value);
  EXPECT_NE(fn->C_WrapKey(session, &kwp, kek, kek, value, &size), CKR_OK);
  fn->C_CloseSession(session);
}

// A KEK of its own in the token (not the fixture's, which other tests use):
// AES-256, sensitive, not extractable, for wrapping, as softhsm-token makes them.
void GenerateTokenKek(const std::string& label) {
  ASSERT_OK_AND_ASSIGN(auto module, Pkcs11Module::Acquire(Setting("HDHUB_PKCS11_MODULE")));
  ASSERT_OK_AND_ASSIGN(CK_SLOT_ID slot, module->FindToken(Setting("HDHUB_PKCS11_TOKEN")));
  CK_FUNCTION_LIST* fn = module->fn();
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  ASSERT_EQ(fn->C_OpenSession(slot, CKF_SERIAL_SESSION | CKF_RW_SESSION, nullptr, nullptr, &session), CKR_OK);
  std::string pin = Setting("HDHUB_PKCS11_PIN");
  CK_RV login = fn->C_Login(session, CKU_USER, reinterpret_cast<CK_UTF8CHAR*>(pin.data()), pin.size());
  ASSERT_TRUE(login == CKR_OK || login == CKR_USER_ALREADY_LOGGED_IN) << login;
  CK_OBJECT_CLASS klass = CKO_SECRET_KEY;
  CK_KEY_TYPE type = CKK_AES;
  CK_ULONG size = 32;
  CK_BBOOL yes = CK_TRUE, no = CK_FALSE;
  std::string name = label;
  CK_ATTRIBUTE attrs[] = {{CKA_CLASS, &klass, sizeof(klass)},   {CKA_KEY_TYPE, &type, sizeof(type)},
                          {CKA_VALUE_LEN, &size, sizeof(size)}, {CKA_TOKEN, &yes, sizeof(yes)},
                          {CKA_PRIVATE, &yes, sizeof(yes)},     {CKA_SENSITIVE, &yes, sizeof(yes)},
                          {CKA_EXTRACTABLE, &no, sizeof(no)},   {CKA_WRAP, &yes, sizeof(yes)},
                          {CKA_UNWRAP, &yes, sizeof(yes)},      {CKA_LABEL, name.data(), name.size()}};
  CK_MECHANISM keygen{CKM_AES_KEY_GEN, nullptr, 0};
  CK_OBJECT_HANDLE key = CK_INVALID_HANDLE;
  EXPECT_EQ(fn->C_GenerateKey(session, &keygen, attrs, sizeof(attrs) / sizeof(attrs[0]), &key), CKR_OK);
  fn->C_CloseSession(session);
}

TEST(Pkcs11KeyStoreTest, DestroyedKekIsGoneFromTheToken) {
  const std::string label = "hdhub-kek-doomed-" + std::to_string(::getpid());
  GenerateTokenKek(label);
  ASSERT_OK_AND_ASSIGN(auto store, Pkcs11KeyStore::Open(UriFor(label), Pin()));
  ASSERT_OK_AND_ASSIGN(auto other, Pkcs11KeyStore::Open(UriFor("hdhub-kek"), Pin()));
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, NewDataKey());
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store->WrapKey(dek, kContext));
  ASSERT_OK(store->DestroyKek());
  EXPECT_THAT(store->UnwrapKey(wrapped, kContext),
              StatusIs(StatusCode::kFailedPrecondition, HasSubstr("this KEK was destroyed")));
  EXPECT_THAT(store->WrapKey(dek, kContext), StatusIs(StatusCode::kFailedPrecondition));
  EXPECT_THAT(Pkcs11KeyStore::Open(UriFor(label), Pin()),
              StatusIs(StatusCode::kNotFound, HasSubstr("key '" + label + "' not found")));
  // The token's other keys are untouched.
  ASSERT_OK_AND_ASSIGN(Bytes still, other->WrapKey(dek, kContext));
  EXPECT_OK(other->UnwrapKey(still, kContext));
}

TEST(Pkcs11KeyStoreTest, NoSessionObjectOutlivesAWrapOrAnUnwrap) {
  ASSERT_OK_AND_ASSIGN(auto store, Pkcs11KeyStore::Open(UriFor("hdhub-kek"), Pin()));
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, NewDataKey());
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store->WrapKey(dek, kContext));
  ASSERT_OK(store->UnwrapKey(wrapped, kContext));
  EXPECT_THAT(store->UnwrapKey(wrapped, "another context"), StatusIs(StatusCode::kDataLoss));
  wrapped.back() ^= 1;
  EXPECT_THAT(store->UnwrapKey(wrapped, kContext), StatusIs(StatusCode::kDataLoss));

  ASSERT_OK_AND_ASSIGN(auto module, Pkcs11Module::Acquire(Setting("HDHUB_PKCS11_MODULE")));
  ASSERT_OK_AND_ASSIGN(CK_SLOT_ID slot, module->FindToken(Setting("HDHUB_PKCS11_TOKEN")));
  CK_FUNCTION_LIST* fn = module->fn();
  CK_SESSION_HANDLE session = CK_INVALID_HANDLE;
  ASSERT_EQ(fn->C_OpenSession(slot, CKF_SERIAL_SESSION, nullptr, nullptr, &session), CKR_OK);
  CK_BBOOL no = CK_FALSE;
  CK_ATTRIBUTE query[] = {{CKA_TOKEN, &no, sizeof(no)}};
  CK_OBJECT_HANDLE found[4];
  CK_ULONG count = 0;
  ASSERT_EQ(fn->C_FindObjectsInit(session, query, 1), CKR_OK);
  ASSERT_EQ(fn->C_FindObjects(session, found, 4, &count), CKR_OK);
  fn->C_FindObjectsFinal(session);
  fn->C_CloseSession(session);
  EXPECT_EQ(count, 0u) << "session objects left behind";
}

TEST(Pkcs11KeyStoreTest, WrongPinIsPermissionDeniedWithoutThePin) {
  const std::string wrong = "not-the-pin-" + Setting("HDHUB_PKCS11_PIN").substr(0, 4);
  // With no store open, the token itself checks the PIN.
  EXPECT_THAT(
      Pkcs11KeyStore::Open(UriFor("hdhub-kek"), SecretBytes(AsBytes(wrong))),
      StatusIs(StatusCode::kPermissionDenied, AllOf(HasSubstr("token 'hdhub': wrong PIN"), Not(HasSubstr(wrong)))));
  // With a store open the token is already logged in; the PIN is still checked.
  ASSERT_OK_AND_ASSIGN(auto open, Pkcs11KeyStore::Open(UriFor("hdhub-kek"), Pin()));
  EXPECT_THAT(Pkcs11KeyStore::Open(UriFor("hdhub-kek-2"), SecretBytes(AsBytes(wrong))),
              StatusIs(StatusCode::kPermissionDenied, AllOf(HasSubstr("wrong PIN"), Not(HasSubstr(wrong)))));
  EXPECT_OK(Pkcs11KeyStore::Open(UriFor("hdhub-kek-2"), Pin()));
  EXPECT_THAT(Pkcs11KeyStore::Open(UriFor("hdhub-kek"), SecretBytes()), StatusIs(StatusCode::kInvalidArgument));
}

TEST(Pkcs11KeyStoreTest, UnknownModuleTokenOrKeyIsNotFoundNamingIt) {
  Pkcs11Uri uri = UriFor("hdhub-kek");
  uri.module_path = "/nonexistent/libpkcs11.so";
  EXPECT_THAT(Pkcs11KeyStore::Open(uri, Pin()),
              StatusIs(StatusCode::kNotFound, HasSubstr("module /nonexistent/libpkcs11.so not found")));
  uri = UriFor("hdhub-kek");
  uri.token = "no-such-token";
  EXPECT_THAT(Pkcs11KeyStore::Open(uri, Pin()),
              StatusIs(StatusCode::kNotFound,
                       AllOf(HasSubstr("no token labelled 'no-such-token'"), HasSubstr("tokens present: 'hdhub'"))));
  EXPECT_THAT(Pkcs11KeyStore::Open(UriFor("no-such-kek"), Pin()),
              StatusIs(StatusCode::kNotFound, HasSubstr("token 'hdhub': key 'no-such-kek' not found")));
  uri = UriFor("hdhub-kek");
  uri.id = Bytes{0x02};  // hdhub-kek has id 01
  EXPECT_THAT(Pkcs11KeyStore::Open(uri, Pin()), StatusIs(StatusCode::kNotFound, HasSubstr("label and id")));
  uri.id = Bytes{0x01};
  EXPECT_OK(Pkcs11KeyStore::Open(uri, Pin()));
  EXPECT_THAT(Pkcs11KeyStore::Open(UriFor(std::string(256, 'k')), Pin()), StatusIs(StatusCode::kInvalidArgument));
  uri.module_path = std::string(HDHUB_SOFTHSM_DIR) + "/env";  // a file, not a module
  EXPECT_THAT(Pkcs11KeyStore::Open(uri, Pin()), StatusIs(StatusCode::kFailedPrecondition));
}

TEST(Pkcs11KeyStoreTest, HmacForSaysPurposeKeysComeFromTheKeyRing) {
  ASSERT_OK_AND_ASSIGN(auto store, Pkcs11KeyStore::Open(UriFor("hdhub-kek"), Pin()));
  EXPECT_THAT(store->HmacFor("object-names"), StatusIs(StatusCode::kFailedPrecondition, HasSubstr("key ring")));
}

TEST(Pkcs11KeyStoreTest, WrappedKeyNamesFormatKekVersionAndLabel) {
  ASSERT_OK_AND_ASSIGN(auto store, Pkcs11KeyStore::Open(UriFor("hdhub-kek"), Pin()));
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, NewDataKey());
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, store->WrapKey(dek, kContext));
  // "P11W", version 1, KEK version 1, key size 32, label, nonce (16), RFC 5649 output of 32 + 32 bytes (72).
  const std::string label = "hdhub-kek";
  ASSERT_EQ(wrapped.size(), 4 + 1 + 4 + 2 + 1 + label.size() + 16 + 72);
  EXPECT_EQ(AsStringView(ByteSpan(wrapped).first(4)), "P11W");
  EXPECT_EQ(wrapped[4], 1);
  EXPECT_EQ(GetBigEndian32(wrapped.data() + 5), kPkcs11KekVersion);
  EXPECT_EQ(wrapped[9], 0);
  EXPECT_EQ(wrapped[10], 32);
  EXPECT_EQ(wrapped[11], label.size());
  EXPECT_EQ(AsStringView(ByteSpan(wrapped).subspan(12, label.size())), label);

  Bytes later = wrapped;
  PutBigEndian32(2, later.data() + 5);  // a future KEK version
  EXPECT_THAT(store->UnwrapKey(later, kContext), StatusIs(StatusCode::kDataLoss, HasSubstr("KEK version 2")));
}

TEST(Pkcs11KeyStoreTest, AKeyFromAnotherKekRelabelledFailsTheTokensIntegrityCheck) {
  ASSERT_OK_AND_ASSIGN(auto store, Pkcs11KeyStore::Open(UriFor("hdhub-kek"), Pin()));
  ASSERT_OK_AND_ASSIGN(auto other, Pkcs11KeyStore::Open(UriFor("hdhub-kek-2"), Pin()));
  ASSERT_OK_AND_ASSIGN(SecretBytes dek, NewDataKey());
  ASSERT_OK_AND_ASSIGN(Bytes wrapped, other->WrapKey(dek, kContext));
  // Rewrite the header to name hdhub-kek: only the token's RFC 5649 check can tell.
  const std::string label = "hdhub-kek";
  Bytes relabelled(wrapped.begin(), wrapped.begin() + 11);
  relabelled.push_back(static_cast<uint8_t>(label.size()));
  relabelled.insert(relabelled.end(), label.begin(), label.end());
  relabelled.insert(relabelled.end(), wrapped.begin() + 12 + wrapped[11], wrapped.end());
  EXPECT_THAT(store->UnwrapKey(relabelled, kContext), StatusIs(StatusCode::kDataLoss, HasSubstr("integrity")));
}

TEST(Pkcs11KeyStoreTest, KeysOfOtherSizesRoundTrip) {
  ASSERT_OK_AND_ASSIGN(auto store, Pkcs11KeyStore::Open(UriFor("hdhub-kek"), Pin()));
  for (size_t size : {1, 7, 16, 33, 64, 1024}) {
    SecretBytes key(Bytes(size, static_cast<uint8_t>(size)));
    ASSERT_OK_AND_ASSIGN(Bytes wrapped, store->WrapKey(key, kContext));
    StatusOr<SecretBytes> back = store->UnwrapKey(wrapped, kContext);
    EXPECT_OK(back) << size << " bytes";
    EXPECT_TRUE(back.ok() && back->Equals(key)) << size << " bytes";
  }
  EXPECT_THAT(store->WrapKey(SecretBytes(1025), kContext), StatusIs(StatusCode::kInvalidArgument));
}

TEST(Pkcs11KeyStoreTest, ManyThreadsWrapAndUnwrapAtOnce) {
  ASSERT_OK_AND_ASSIGN(auto store, Pkcs11KeyStore::Open(UriFor("hdhub-kek"), Pin()));
  constexpr int kThreads = 8;
  constexpr int kRounds = 40;
  std::vector<int> failures(kThreads, 0);
  std::vector<std::thread> threads;
  for (int t = 0; t < kThreads; ++t) {
    threads.emplace_back([&, t] {
      const std::string context = "workspace:" + std::to_string(t);
      for (int i = 0; i < kRounds; ++i) {
        StatusOr<SecretBytes> dek = NewDataKey();
        StatusOr<Bytes> wrapped = dek.ok() ? store->WrapKey(*dek, context) : dek.status();
        StatusOr<SecretBytes> back = wrapped.ok() ? store->UnwrapKey(*wrapped, context) : wrapped.status();
        bool tampered_refused = wrapped.ok() && !store->UnwrapKey(*wrapped, "other").ok();
        if (!back.ok() || !back->Equals(*dek) || !tampered_refused) ++failures[t];
      }
    });
  }
  for (auto& thread : threads) thread.join();
  EXPECT_EQ(failures, std::vector<int>(kThreads, 0));
}

}  // namespace
}  // namespace hdhub::keys
