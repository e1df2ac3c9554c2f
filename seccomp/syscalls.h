// Syscall names <-> numbers for x86_64, as libseccomp spells them, including
// libseccomp's negative pseudo-numbers (__PNR_*) for calls this arch lacks
// (umount, chown32, vm86, ...). Used by the JSON form of seccomp rules, which
// names syscalls as hakurei's JSON does. Pure table lookups: no kernel calls.
#ifndef KEKKAI_SECCOMP_SYSCALLS_H_
#define KEKKAI_SECCOMP_SYSCALLS_H_

#include <cstdint>
#include <string>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kekkai::seccomp {

// The native number (or pseudo-number) of `name`. Unknown names fail with
// kInvalidArgument `unknown syscall "x"` (hakurei's SyscallNameError).
absl::StatusOr<int32_t> SyscallNumber(absl::string_view name);

// The name of `number`; kNotFound `unknown syscall number N` otherwise.
absl::StatusOr<std::string> SyscallName(int32_t number);

}  // namespace kekkai::seccomp

#endif  // KEKKAI_SECCOMP_SYSCALLS_H_
