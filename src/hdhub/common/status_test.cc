#include "hdhub/common/status.h"

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include <memory>

#include "hdhub/common/status_matchers.h"

namespace hdhub {
namespace {

using ::hdhub::testing::IsOk;
using ::hdhub::testing::StatusIs;
using ::testing::HasSubstr;

TEST(StatusTest, DefaultIsOk) {
  Status s;
  EXPECT_TRUE(s.ok());
  EXPECT_EQ(s.ToString(), "OK");
}

TEST(StatusTest, ErrorCarriesCodeAndMessage) {
  Status s = NotFoundError("object 'a' does not exist");
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), StatusCode::kNotFound);
  EXPECT_EQ(s.ToString(), "NOT_FOUND: object 'a' does not exist");
}

TEST(StatusTest, WithContextPrefixesMessageAndKeepsCode) {
  Status s = DataLossError("bad tag").WithContext("segment 3");
  EXPECT_THAT(s, StatusIs(StatusCode::kDataLoss, "segment 3: bad tag"));
  EXPECT_TRUE(OkStatus().WithContext("x").ok());
}

TEST(StatusTest, ErrnoMapsToCanonicalCodes) {
  EXPECT_THAT(ErrnoToStatus(ENOENT, "open f"), StatusIs(StatusCode::kNotFound, HasSubstr("open f")));
  EXPECT_THAT(ErrnoToStatus(EACCES, "x"), StatusIs(StatusCode::kPermissionDenied));
  EXPECT_THAT(ErrnoToStatus(ENOSPC, "x"), StatusIs(StatusCode::kResourceExhausted));
}

StatusOr<int> Half(int x) {
  if (x % 2 != 0) return InvalidArgumentError("odd");
  return x / 2;
}

StatusOr<int> Quarter(int x) {
  ASSIGN_OR_RETURN(int h, Half(x));
  ASSIGN_OR_RETURN(int q, Half(h));
  return q;
}

Status CheckEven(int x) {
  RETURN_IF_ERROR(Half(x).status());
  return OkStatus();
}

TEST(StatusOrTest, HoldsValueOrError) {
  EXPECT_THAT(Quarter(8), IsOk());
  EXPECT_EQ(*Quarter(8), 2);
  EXPECT_THAT(Quarter(6), StatusIs(StatusCode::kInvalidArgument, "odd"));
  EXPECT_THAT(CheckEven(3), StatusIs(StatusCode::kInvalidArgument));
  EXPECT_THAT(CheckEven(4), IsOk());
}

TEST(StatusOrTest, OkStatusWithoutValueBecomesInternal) {
  StatusOr<int> s = OkStatus();
  EXPECT_THAT(s, StatusIs(StatusCode::kInternal));
}

TEST(StatusOrTest, HoldsMoveOnlyValues) {
  StatusOr<std::unique_ptr<int>> p = std::make_unique<int>(5);
  ASSERT_THAT(p, IsOk());
  std::unique_ptr<int> v = std::move(p).value();
  EXPECT_EQ(*v, 5);
}

TEST(StatusOrDeathTest, ValueOfErrorAborts) {
  StatusOr<int> s = NotFoundError("x");
  EXPECT_DEATH((void)s.value(), "NOT_FOUND");
}

}  // namespace
}  // namespace hdhub
