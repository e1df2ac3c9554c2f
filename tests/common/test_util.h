// Small helpers shared by the tests in tests/common.
#ifndef KEKKAI_TESTS_COMMON_TEST_UTIL_H_
#define KEKKAI_TESTS_COMMON_TEST_UTIL_H_

#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "gmock/gmock.h"

namespace kekkai::testing {

// A StatusOr that is OK and holds a value equal to `expected`.
MATCHER_P(IsOkAndHolds, expected,
          std::string(negation ? "is not OK or holds another value"
                               : "is OK and holds the value")) {
  if (!arg.ok()) {
    *result_listener << "status: " << arg.status().ToString();
    return false;
  }
  return *arg == expected;
}

// `json` without the whitespace outside strings, so tests can compare the
// pretty-printed output with a compact golden text.
inline std::string CompactJson(absl::string_view json) {
  std::string out;
  bool in_string = false;
  bool escaped = false;
  for (const char c : json) {
    if (in_string) {
      out += c;
      if (escaped) {
        escaped = false;
      } else if (c == '\\') {
        escaped = true;
      } else if (c == '"') {
        in_string = false;
      }
      continue;
    }
    if (c == ' ' || c == '\n' || c == '\t' || c == '\r') continue;
    if (c == '"') in_string = true;
    out += c;
  }
  return out;
}

}  // namespace kekkai::testing

#endif  // KEKKAI_TESTS_COMMON_TEST_UTIL_H_
