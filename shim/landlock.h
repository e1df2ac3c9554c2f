// Landlock for the launcher (internal to libkekkai): the ruleset that the
// clone child enforces on itself before executing kekkai-init, so that init
// and the payload are scoped (HAKUREI.md §1.5 S9, §1.13) and the caller's
// threads are not.
//
// The ruleset grants and handles no filesystem or network access: it only
// sets scopes. LANDLOCK_SCOPE_SIGNAL keeps the container from signalling
// processes outside it; LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET keeps it from
// connecting to abstract unix sockets outside it, unless Params.host_abstract.
// Scopes need Landlock ABI 6 (Linux 6.12). Without it the launch fails,
// unless host_abstract is set, in which case Landlock is skipped (hakurei).
#ifndef KEKKAI_SHIM_LANDLOCK_H_
#define KEKKAI_SHIM_LANDLOCK_H_

#include <cstdint>

#include "absl/status/statusor.h"
#include "common/unique_fd.h"

namespace kekkai::shim::internal {

// Debian 12's kernel headers (6.1) predate scopes: the values and the
// struct layout are the kernel's (include/uapi/linux/landlock.h, 6.12).
inline constexpr uint64_t kLandlockScopeAbstractUnixSocket = 1ULL << 0;
inline constexpr uint64_t kLandlockScopeSignal = 1ULL << 1;
inline constexpr int kLandlockScopeAbi = 6;

struct LandlockRulesetAttr {
  uint64_t handled_access_fs;
  uint64_t handled_access_net;
  uint64_t scoped;
};

// The running kernel's Landlock ABI version, asked once per process. An
// error (ENOSYS: not built in; EOPNOTSUPP: disabled at boot) is kept too.
absl::StatusOr<int> LandlockAbi();

// The scopes for these Params.
uint64_t LandlockScopes(bool host_abstract);

// A new ruleset for the child to enforce, or an invalid UniqueFd when
// Landlock is skipped (host_abstract on a kernel without scopes). One per
// launch: a cached fd could be closed or replaced by the caller (a forked
// child closing everything, a dup2 onto its number). Errors read like
// hakurei's: `kernel version too old for LANDLOCK_SCOPE_ABSTRACT_UNIX_SOCKET
// (Landlock ABI 5, need 6; ...)`.
absl::StatusOr<UniqueFd> CreateLandlockRuleset(bool host_abstract);

}  // namespace kekkai::shim::internal

#endif  // KEKKAI_SHIM_LANDLOCK_H_
