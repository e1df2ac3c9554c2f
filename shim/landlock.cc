#include "shim/landlock.h"

#include <linux/landlock.h>
#include <sys/syscall.h>
#include <unistd.h>

#include <cerrno>
#include <mutex>

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

absl::StatusOr<int> LandlockRulesetFd(bool host_abstract) {
  absl::StatusOr<int> abi = LandlockAbi();
  if (!abi.ok() || *abi < kLandlockScopeAbi) {
    if (host_abstract) return -1;  // Landlock is optional then (hakurei)
    if (!abi.ok()) {
      return WithStep(Annotate(abi.status(), "get landlock ABI"),
                      "get landlock ABI");
    }
    return WithStep(
        absl::FailedPreconditionError(absl::StrFormat(
            "kernel version too old for LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET "
            "(Landlock ABI %d, need %d; host_abstract runs without Landlock)",
            *abi, kLandlockScopeAbi)),
        kStep);
  }
  // One ruleset per variant, for the life of the process (a ruleset fd is
  // only a description; each child enforces it on itself).
  static std::mutex mu;
  static int fds[2] = {-1, -1};
  std::lock_guard<std::mutex> lock(mu);
  int& fd = fds[host_abstract ? 1 : 0];
  if (fd >= 0) return fd;
  LandlockRulesetAttr attr = {};
  attr.scoped = LandlockScopes(host_abstract);
  const long created = syscall(SYS_landlock_create_ruleset, &attr,
                               sizeof(attr), 0);
  if (created < 0) {
    return WithStep(
        ErrnoStatus(errno, absl::StrFormat(
                               "landlock_create_ruleset({.scoped = %#x})",
                               attr.scoped)),
        "create landlock ruleset");
  }
  fd = static_cast<int>(created);
  return fd;
}

}  // namespace kekkai::shim::internal
