#include "seccomp/syscalls.h"

#include <seccomp.h>

#include <cstdlib>
#include <string>

#include "absl/strings/escaping.h"
#include "absl/strings/str_format.h"

namespace kekkai::seccomp {

absl::StatusOr<int32_t> SyscallNumber(absl::string_view name) {
  const std::string copy(name);
  if (copy.empty() || copy.find('\0') != std::string::npos) {
    return absl::InvalidArgumentError(
        absl::StrFormat("unknown syscall \"%s\"", absl::CHexEscape(name)));
  }
  const int number =
      seccomp_syscall_resolve_name_arch(SCMP_ARCH_X86_64, copy.c_str());
  if (number == __NR_SCMP_ERROR) {
    return absl::InvalidArgumentError(
        absl::StrFormat("unknown syscall \"%s\"", absl::CHexEscape(name)));
  }
  return static_cast<int32_t>(number);
}

absl::StatusOr<std::string> SyscallName(int32_t number) {
  char* name = seccomp_syscall_resolve_num_arch(SCMP_ARCH_X86_64, number);
  if (name == nullptr) {
    return absl::NotFoundError(
        absl::StrFormat("unknown syscall number %d", number));
  }
  std::string result(name);
  std::free(name);
  return result;
}

}  // namespace kekkai::seccomp
