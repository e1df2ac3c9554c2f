// The x86_64 syscall name table: libseccomp's own table (which also maps the
// names of calls x86_64 lacks to libseccomp's negative pseudo-numbers), plus
// the calls newer than the table in Debian's libseccomp 2.5.4 (it ends at
// futex_requeue, 456), so that rules can name every call hakurei's
// generated table knows and the ones since. libseccomp accepts these
// numbers in rules even though it cannot name them.
#include "seccomp/syscalls.h"

#include <seccomp.h>

#include <cstdlib>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"

namespace kekkai::seccomp {
namespace {

struct SyscallEntry {
  absl::string_view name;
  int32_t number;
};

// x86_64 numbers from the kernel's arch/x86/entry/syscalls/syscall_64.tbl.
constexpr SyscallEntry kNewerSyscalls[] = {
    {"uretprobe", 335},          // 6.11
    {"statmount", 457},          // 6.8
    {"listmount", 458},          // 6.8
    {"lsm_get_self_attr", 459},  // 6.8
    {"lsm_set_self_attr", 460},  // 6.8
    {"lsm_list_modules", 461},   // 6.8
    {"mseal", 462},              // 6.10
    {"setxattrat", 463},         // 6.13
    {"getxattrat", 464},         // 6.13
    {"listxattrat", 465},        // 6.13
    {"removexattrat", 466},      // 6.13
    {"open_tree_attr", 467},     // 6.15
    {"file_getattr", 468},       // 6.17
    {"file_setattr", 469},       // 6.17
};

absl::Status UnknownName(absl::string_view name) {
  return absl::InvalidArgumentError(
      absl::StrFormat("unknown syscall \"%s\"", absl::CHexEscape(name)));
}

}  // namespace

absl::StatusOr<int32_t> SyscallNumber(absl::string_view name) {
  const std::string copy(name);
  if (copy.empty() || copy.find('\0') != std::string::npos) {
    return UnknownName(name);
  }
  const int number =
      seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, copy.c_str());
  if (number != __NR_SCMP_ERROR) return static_cast<int32_t>(number);
  for (const SyscallEntry& entry : kNewerSyscalls) {
    if (entry.name == name) return entry.number;
  }
  return UnknownName(name);
}

absl::StatusOr<std::string> SyscallName(int32_t number) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, number);
  if (name != nullptr) {
    std::string result(name);
    std::free(name);
    return result;
  }
  for (const SyscallEntry& entry : kNewerSyscalls) {
    if (entry.number == number) return std::string(entry.name);
  }
  return absl::NotFoundError(
      absl::StrFormat("unknown syscall number %d", number));
}

}  // namespace kekkai::seccomp
