#include "hdhub/server/multipart.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <fstream>

#include "hdhub/common/status_matchers.h"
#include "hdhub/common/temp_dir.h"

namespace hdhub::server {
namespace {

using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

constexpr char kType[] = "multipart/form-data; boundary=XyZ";

class MultipartTest : public ::testing::Test {
 protected:
  StatusOr<std::map<std::string, std::filesystem::path>> Split(const std::string& body, std::string_view type = kType) {
    const std::filesystem::path file = dir_.Sub("body");
    std::ofstream(file, std::ios::binary) << body;
    return SplitMultipart(file, type, dir_.path(), {"data", "schema"});
  }
  static std::string Read(const std::filesystem::path& p) {
    std::ifstream in(p, std::ios::binary);
    return std::string(std::istreambuf_iterator<char>(in), {});
  }
  testing::TempDir dir_;
};

TEST_F(MultipartTest, SplitsPartsIntoFiles) {
  const std::string csv = "a,b\r\n1,2\r\n--Xy not a boundary\r\n";
  ASSERT_OK_AND_ASSIGN(
      auto parts, Split("--XyZ\r\nContent-Disposition: form-data; name=\"data\"; filename=\"x.csv\"\r\n"
                        "Content-Type: text/csv\r\n\r\n" +
                        csv + "\r\n--XyZ\r\ncontent-disposition: form-data; name=schema\r\n\r\n{}\r\n--XyZ--\r\n"));
  ASSERT_EQ(parts.size(), 2u);
  EXPECT_EQ(Read(parts.at("data")), csv);
  EXPECT_EQ(Read(parts.at("schema")), "{}");
}

TEST_F(MultipartTest, AContentLargerThanABlockAndABoundarySplitAcrossBlocks) {
  std::string big;
  for (int i = 0; big.size() < (200 << 10); ++i) big += std::to_string(i) + ",x\r\n";
  ASSERT_OK_AND_ASSIGN(auto parts,
                       Split("--XyZ\r\nContent-Disposition: form-data; name=\"data\"\r\n\r\n" + big + "\r\n--XyZ--",
                             "Multipart/Form-Data; boundary=\"XyZ\""));
  EXPECT_EQ(Read(parts.at("data")), big);
}

TEST_F(MultipartTest, RefusesWhatIsNotStrictlyMultipart) {
  const std::string part = "Content-Disposition: form-data; name=\"data\"\r\n\r\nx\r\n";
  EXPECT_THAT(Split("--XyZ\r\n" + part + "--XyZ--", "application/json").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("multipart/form-data")));
  EXPECT_THAT(Split("--XyZ\r\n" + part + "--XyZ--", "multipart/form-data").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no boundary")));
  EXPECT_THAT(Split("preamble\r\n--XyZ\r\n" + part + "--XyZ--").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("does not start with its boundary")));
  EXPECT_THAT(Split("--XyZ\r\n" + part).status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("part 1: the body ends before")));
  EXPECT_THAT(Split("--XyZ\r\nContent-Disposition: form-data; name=\"other\"\r\n\r\nx\r\n--XyZ--").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("part 1: a part name other than")));
  EXPECT_THAT(Split("--XyZ\r\nContent-Type: text/csv\r\n\r\nx\r\n--XyZ--").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("no Content-Disposition")));
  EXPECT_THAT(Split("--XyZ\r\nContent-Disposition: attachment; name=\"data\"\r\n\r\nx\r\n--XyZ--").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("not form-data")));
  EXPECT_THAT(Split("--XyZ\r\n" + part + "--XyZ\r\n" + part + "--XyZ--").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("part 2: part data given twice")));
  EXPECT_THAT(Split("--XyZ\r\n" + part + "--XyZ--\r\nepilogue").status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("after its closing boundary")));
  EXPECT_THAT(Split("--XyZ\r\nContent-Disposition: form-data; name=\"data\"\r\n" + std::string(9000, 'x')).status(),
              StatusIs(StatusCode::kInvalidArgument, HasSubstr("header over 8 KiB")));
  EXPECT_THAT(Split("--XyZ").status(), StatusIs(StatusCode::kInvalidArgument, HasSubstr("ends after a boundary")));
}

}  // namespace
}  // namespace hdhub::server
