// Real-kernel test policy (bubblewrap's must-work switch in sandbox2's
// fixture form): probe once, skip with the reason, fail when required.
// CI exports KEKKAI_REQUIRE_USERNS=1, so a missing namespace feature fails.
#ifndef KEKKAI_TESTS_TESTING_USERNS_H_
#define KEKKAI_TESTS_TESTING_USERNS_H_

#include "absl/status/status.h"
#include "gtest/gtest.h"

namespace kekkai::testing {

// OK if this process can create user, mount and pid namespaces; otherwise
// the reason. Computed once per process (fork + unshare + _exit).
const absl::Status& UserNamespaceSupport();
// True when KEKKAI_REQUIRE_USERNS=1 (or CI=true).
bool UserNamespacesRequired();

}  // namespace kekkai::testing

#define KEKKAI_REQUIRE_USERNS()                                           \
  do {                                                                    \
    const absl::Status& kekkai_userns_ =                                  \
        ::kekkai::testing::UserNamespaceSupport();                        \
    if (!kekkai_userns_.ok()) {                                           \
      if (::kekkai::testing::UserNamespacesRequired()) {                  \
        FAIL() << "user namespaces required but unavailable: "            \
               << kekkai_userns_.ToString();                              \
      }                                                                   \
      GTEST_SKIP() << "user namespaces unavailable: "                     \
                   << kekkai_userns_.ToString();                          \
    }                                                                     \
  } while (0)

#endif  // KEKKAI_TESTS_TESTING_USERNS_H_
