// gmock matchers for Status and StatusOr<T>, and test macros.
//   EXPECT_THAT(DoIt(), IsOk());
//   EXPECT_THAT(Load(x), StatusIs(StatusCode::kNotFound, HasSubstr("x")));
//   ASSERT_OK_AND_ASSIGN(auto value, Compute());
// Test-only: linked into test binaries through the hdhub_testing target.
#pragma once

#include <gmock/gmock.h>
#include <gtest/gtest.h>

#include "hdhub/common/status.h"

namespace hdhub::testing {

inline const Status& GetStatus(const Status& s) { return s; }
template <typename T>
Status GetStatus(const StatusOr<T>& s) { return s.status(); }

MATCHER(IsOk, "is OK") {
  Status s = ::hdhub::testing::GetStatus(arg);
  if (!s.ok()) *result_listener << "which is " << s;
  return s.ok();
}

MATCHER_P(StatusIs, code, "has status code " + std::string(::hdhub::StatusCodeName(code))) {
  Status s = ::hdhub::testing::GetStatus(arg);
  *result_listener << "which is " << s;
  return s.code() == code;
}

MATCHER_P2(StatusIs, code, message_matcher,
           "has status code " + std::string(::hdhub::StatusCodeName(code)) +
               " and a matching message") {
  Status s = ::hdhub::testing::GetStatus(arg);
  *result_listener << "which is " << s;
  return s.code() == code &&
         ::testing::ExplainMatchResult(message_matcher, std::string(s.message()), result_listener);
}

MATCHER_P(IsOkAndHolds, value_matcher, "is OK and holds a matching value") {
  if (!arg.ok()) {
    *result_listener << "which is " << arg.status();
    return false;
  }
  return ::testing::ExplainMatchResult(value_matcher, *arg, result_listener);
}

}  // namespace hdhub::testing

#define ASSERT_OK(expr) ASSERT_THAT((expr), ::hdhub::testing::IsOk())
#define EXPECT_OK(expr) EXPECT_THAT((expr), ::hdhub::testing::IsOk())

#define ASSERT_OK_AND_ASSIGN(lhs, expr) \
  HDHUB_ASSERT_OK_AND_ASSIGN_IMPL(HDHUB_STATUS_CONCAT(hdhub_statusor_, __LINE__), lhs, expr)
#define HDHUB_ASSERT_OK_AND_ASSIGN_IMPL(tmp, lhs, expr) \
  auto tmp = (expr);                                    \
  ASSERT_TRUE(tmp.ok()) << tmp.status();                \
  lhs = std::move(tmp).value()
