#include "shim/landlock.h"

#include <linux/landlock.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>

#include "absl/strings/str_format.h"
#include "common/status.h"
#include "shim/spawn.h"

namespace kekkai::shim::internal {
namespace {

constexpr char kStep[] = "enforce landlock ruleset";

}  // namespace

absl::StatusOr<int> LandlockAbi() {
  static const absl::StatusOr<int>* const abi = [] {
    const long version = syscall(SYS_landlock_create_ruleset, nullptr, 0,
                                 LANDLOCK_CREATE_RULESET_VERSION);
    if (version < 0) {
      return new absl::StatusOr<int>(ErrnoStatus(
          errno,
          "landlock_create_ruleset(NULL, 0, LANDLOCK_CREATE_RULESET_VERSION)"));
    }
    return new absl::StatusOr<int>(static_cast<int>(version));
  }();
  return *abi;
}

uint64_t LandlockScopes(bool host_abstract) {
  return host_abstract
             ? kLandlockScopeSignal
             : kLandlockScopeSignal | kLandlockScopeAbstractUnixSocket;
}

absl::StatusOr<UniqueFd> CreateLandlockRuleset(bool host_abstract) {
  absl::StatusOr<int> abi = LandlockAbi();
  if (!abi.ok() || *abi < kLandlockScopeAbi) {
    if (host_abstract) return UniqueFd();  // optional then (hakurei)
    if (!abi.ok()) {
      return StepError(abi.status(), "get landlock ABI");
    }
    return WithStep(
        absl::FailedPreconditionError(absl::StrFormat(
            "kernel version too old for LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET "
            "(Landlock ABI %d, need %d; host_abstract runs without Landlock)",
            *abi, kLandlockScopeAbi)),
        kStep);
  }
  // No access rights handled: only the scopes. (A ruleset fd is only a
  // description; the child enforces it on itself.)
  LandlockRulesetAttr attr = {};
  attr.scoped = LandlockScopes(host_abstract);
  const long created =
      syscall(SYS_landlock_create_ruleset, &attr, sizeof(attr), 0);
  if (created < 0) {
    return StepError(
        ErrnoStatus(errno, absl::StrFormat(
                               "landlock_create_ruleset({.scoped = %#x})",
                               attr.scoped)),
        "create landlock ruleset");
  }
  return UniqueFd(static_cast<int>(created));
}

}  // namespace kekkai::shim::internal
