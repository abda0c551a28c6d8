#include "hdhub/keys/pkcs11_uri.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status_matchers.h"

namespace hdhub::keys {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;
using ::testing::Not;

TEST(Pkcs11UriTest, ParsesTheRfc7512Form) {
  ASSERT_OK_AND_ASSIGN(Pkcs11Uri uri, Pkcs11Uri::Parse("token=hdhub;object=hdhub-kek;type=secret-key;id=%01%02"
                                                       "?module-path=/usr/lib/softhsm/libsofthsm2.so"));
  EXPECT_EQ(uri.module_path, "/usr/lib/softhsm/libsofthsm2.so");
  EXPECT_EQ(uri.token, "hdhub");
  EXPECT_EQ(uri.object, "hdhub-kek");
  EXPECT_EQ(uri.id, (Bytes{1, 2}));
}

TEST(Pkcs11UriTest, ParsesTheModuleShorthandAndPercentEscapes) {
  ASSERT_OK_AND_ASSIGN(Pkcs11Uri uri, Pkcs11Uri::Parse("module=/opt/hsm/lib%20p11.so;token=My%20HSM;object=kek%3b1"));
  EXPECT_EQ(uri.module_path, "/opt/hsm/lib p11.so");
  EXPECT_EQ(uri.token, "My HSM");
  EXPECT_EQ(uri.object, "kek;1");
  EXPECT_TRUE(uri.id.empty());
}

TEST(Pkcs11UriTest, ToStringParsesBackToTheSameValue) {
  Pkcs11Uri uri{"/opt/hsm/lib p11.so", "My HSM;x", "kek?1", Bytes{0, 0xff, 'a'}};
  ASSERT_OK_AND_ASSIGN(Pkcs11Uri back, Pkcs11Uri::Parse(uri.ToString().substr(7)));
  EXPECT_EQ(back.module_path, uri.module_path);
  EXPECT_EQ(back.token, uri.token);
  EXPECT_EQ(back.object, uri.object);
  EXPECT_EQ(back.id, uri.id);
  EXPECT_EQ(Pkcs11Uri({"/m.so", "t", "o", {}}).ToString(), "pkcs11:token=t;object=o?module-path=/m.so");
}

TEST(Pkcs11UriTest, RefusesAPinInTheUri) {
  EXPECT_THAT(Pkcs11Uri::Parse("token=t;object=o?module-path=/m.so&pin-value=1234"),
              StatusIs(StatusCode::kInvalidArgument, AllOf(HasSubstr("pin-value"), Not(HasSubstr("1234")))));
  EXPECT_THAT(Pkcs11Uri::Parse("token=t;object=o?module-path=/m.so&pin-source=file:/p"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("pin-source")));
}

TEST(Pkcs11UriTest, RefusesMissingUnknownRepeatedOrMalformedAttributes) {
  EXPECT_THAT(Pkcs11Uri::Parse("token=t;object=o"), StatusIs(StatusCode::kInvalidArgument, HasSubstr("module")));
  EXPECT_THAT(Pkcs11Uri::Parse("object=o?module-path=/m.so"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no token")));
  EXPECT_THAT(Pkcs11Uri::Parse("token=t?module-path=/m.so"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no object")));
  EXPECT_THAT(Pkcs11Uri::Parse("token=t;object=o;slot-id=1?module-path=/m.so"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("'slot-id'")));
  EXPECT_THAT(Pkcs11Uri::Parse("token=t;token=u;object=o?module-path=/m.so"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("repeated")));
  EXPECT_THAT(Pkcs11Uri::Parse("token=t;object=o;type=private?module-path=/m.so"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("type")));
  EXPECT_THAT(Pkcs11Uri::Parse("token=t;object=o?module-path=libsofthsm2.so"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not absolute")));
  EXPECT_THAT(Pkcs11Uri::Parse("token=%4;object=o?module-path=/m.so"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Pkcs11Uri::Parse("token=%zz;object=o?module-path=/m.so"), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(Pkcs11Uri::Parse("token;object=o?module-path=/m.so"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("name=value")));
  EXPECT_THAT(Pkcs11Uri::Parse("token=;object=o?module-path=/m.so"),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("empty")));
}

}  // namespace
}  // namespace hdhub::keys
