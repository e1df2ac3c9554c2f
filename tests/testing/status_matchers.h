// GoogleMock matchers for absl::Status (abseil 20220623 ships none):
//   EXPECT_THAT(status, IsOk());
//   EXPECT_THAT(status, StatusIs(absl::StatusCode::kInvalidArgument,
//                                HasSubstr("op 3 (bind)")));
//   KEKKAI_ASSERT_OK_AND_ASSIGN(auto value, FunctionReturningStatusOr());
#ifndef KEKKAI_TESTS_TESTING_STATUS_MATCHERS_H_
#define KEKKAI_TESTS_TESTING_STATUS_MATCHERS_H_

#include <ostream>
#include <string>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "gmock/gmock.h"
#include "gtest/gtest.h"

namespace absl {
// So gtest prints statuses readably.
inline void PrintTo(const Status& status, std::ostream* os) {
  *os << status.ToString();
}
}  // namespace absl

namespace kekkai::testing {

inline const absl::Status& GetStatus(const absl::Status& status) {
  return status;
}
template <typename T>
const absl::Status& GetStatus(const absl::StatusOr<T>& status_or) {
  return status_or.status();
}

MATCHER(IsOk, negation ? "is not OK" : "is OK") {
  const absl::Status& status = ::kekkai::testing::GetStatus(arg);
  if (!status.ok()) *result_listener << "status: " << status.ToString();
  return status.ok();
}

MATCHER_P2(StatusIs, code, message_matcher,
           std::string("has code ") + absl::StatusCodeToString(code)) {
  const absl::Status& status = ::kekkai::testing::GetStatus(arg);
  *result_listener << "status: " << status.ToString();
  return status.code() == code &&
         ::testing::Matches(message_matcher)(std::string(status.message()));
}

}  // namespace kekkai::testing

#define KEKKAI_ASSERT_OK_AND_ASSIGN(lhs, rexpr)                             \
  KEKKAI_ASSERT_OK_AND_ASSIGN_IMPL_(                                        \
      KEKKAI_STATUS_MATCHERS_CONCAT_(kekkai_statusor_, __LINE__), lhs, rexpr)
#define KEKKAI_STATUS_MATCHERS_CONCAT_INNER_(a, b) a##b
#define KEKKAI_STATUS_MATCHERS_CONCAT_(a, b) \
  KEKKAI_STATUS_MATCHERS_CONCAT_INNER_(a, b)
#define KEKKAI_ASSERT_OK_AND_ASSIGN_IMPL_(statusor, lhs, rexpr) \
  auto statusor = (rexpr);                                      \
  ASSERT_TRUE(statusor.ok()) << statusor.status().ToString();   \
  lhs = *std::move(statusor)

#endif  // KEKKAI_TESTS_TESTING_STATUS_MATCHERS_H_
