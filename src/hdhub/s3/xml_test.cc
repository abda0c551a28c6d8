#include "hdhub/s3/xml.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

namespace hdhub::s3 {
namespace {

using ::testing::ElementsAre;
using ::testing::Optional;

TEST(XmlTest, FindsEveryElementOfATagInOrder) {
  const char* xml =
      "<?xml version=\"1.0\"?><ListBucketResult><IsTruncated>true</IsTruncated>"
      "<Contents><Key>a/b</Key><Size>3</Size></Contents><Contents><Key>a&amp;c</Key><Size>0</Size></Contents>"
      "<NextContinuationToken>x&lt;y&#65;&#x42;</NextContinuationToken></ListBucketResult>";
  EXPECT_THAT(XmlTexts(xml, "Key"), ElementsAre("a/b", "a&c"));
  EXPECT_THAT(XmlTexts(xml, "Size"), ElementsAre("3", "0"));
  EXPECT_THAT(XmlText(xml, "NextContinuationToken"), Optional(std::string("x<yAB")));
  EXPECT_EQ(XmlText(xml, "UploadId"), std::nullopt);
}

TEST(XmlTest, UnclosedElementIsIgnored) { EXPECT_TRUE(XmlTexts("<Key>abc", "Key").empty()); }

TEST(XmlTest, EscapeRoundTrips) {
  EXPECT_EQ(XmlEscape("\"e\"<&>'"), "&quot;e&quot;&lt;&amp;&gt;&apos;");
  EXPECT_THAT(XmlText("<ETag>" + XmlEscape("\"e&\"") + "</ETag>", "ETag"), Optional(std::string("\"e&\"")));
}

}  // namespace
}  // namespace hdhub::s3
