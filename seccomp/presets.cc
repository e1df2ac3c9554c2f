// hakurei's filter presets (container/seccomp/presets.go, itself derived
// from flatpak's filter): the groups, their order, and the comments saying
// why each call is refused. Order matters: libseccomp emits rules in the
// order they are added, so the exported bytes (and the SHA-512 oracle)
// depend on it.
#include <sched.h>
#include <seccomp.h>
#include <sys/ioctl.h>
#include <sys/personality.h>

#include <cerrno>
#include <cstdint>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_split.h"
#include "absl/types/span.h"
#include "seccomp/seccomp.h"

namespace kekkai::seccomp {
namespace {

// SCMP_SYS(name) is the native number where the arch has the call and
// libseccomp's negative pseudo-number (__PNR_name) where it does not
// (umount, chown32, vm86, ... on x86_64); libseccomp translates
// pseudo-numbers per architecture when a secondary arch is added.
NativeRule Deny(int syscall, int err) {
  return NativeRule{.syscall = syscall, .errno_value = err, .arg = {}};
}

NativeRule DenyIf(int syscall, int err, uint32_t arg, uint32_t op,
                  uint64_t datum_a, uint64_t datum_b) {
  return NativeRule{
      .syscall = syscall,
      .errno_value = err,
      .arg = ScmpArgCmp{
          .arg = arg, .op = op, .datum_a = datum_a, .datum_b = datum_b}};
}

// clone's flags are its first argument everywhere except s390/s390x
// (CLONE_BACKWARDS2), where they are the second.
#if defined(__s390__) || defined(__s390x__)
constexpr uint32_t kCloneFlagsArg = 1;
#else
constexpr uint32_t kCloneFlagsArg = 0;
#endif

// One rule per line, in hakurei's order.
// clang-format off
const std::vector<NativeRule>& Common() {
  static const std::vector<NativeRule> rules = {
      // Block dmesg.
      Deny(SCMP_SYS(syslog), EPERM),
      // Useless old syscall.
      Deny(SCMP_SYS(uselib), EPERM),
      // Don't allow disabling accounting.
      Deny(SCMP_SYS(acct), EPERM),
      // Don't allow reading current quota use.
      Deny(SCMP_SYS(quotactl), EPERM),
      // Don't allow access to the kernel keyring.
      Deny(SCMP_SYS(add_key), EPERM),
      Deny(SCMP_SYS(keyctl), EPERM),
      Deny(SCMP_SYS(request_key), EPERM),
      // Scary VM/NUMA operations.
      Deny(SCMP_SYS(move_pages), EPERM),
      Deny(SCMP_SYS(mbind), EPERM),
      Deny(SCMP_SYS(get_mempolicy), EPERM),
      Deny(SCMP_SYS(set_mempolicy), EPERM),
      Deny(SCMP_SYS(migrate_pages), EPERM),
  };
  return rules;
}

// hakurei's extension: the system clock, kernel modules, reboot, swap.
const std::vector<NativeRule>& CommonExt() {
  static const std::vector<NativeRule> rules = {
      Deny(SCMP_SYS(adjtimex), EPERM),
      Deny(SCMP_SYS(clock_adjtime), EPERM),
      Deny(SCMP_SYS(clock_adjtime64), EPERM),
      Deny(SCMP_SYS(clock_settime), EPERM),
      Deny(SCMP_SYS(clock_settime64), EPERM),
      Deny(SCMP_SYS(settimeofday), EPERM),
      Deny(SCMP_SYS(delete_module), EPERM),
      Deny(SCMP_SYS(finit_module), EPERM),
      Deny(SCMP_SYS(init_module), EPERM),
      Deny(SCMP_SYS(kexec_file_load), EPERM),
      Deny(SCMP_SYS(kexec_load), EPERM),
      Deny(SCMP_SYS(reboot), EPERM),
      Deny(SCMP_SYS(swapoff), EPERM),
      Deny(SCMP_SYS(swapon), EPERM),
  };
  return rules;
}

const std::vector<NativeRule>& Namespace() {
  static const std::vector<NativeRule> rules = {
      // No nested namespace setups.
      Deny(SCMP_SYS(unshare), EPERM),
      Deny(SCMP_SYS(setns), EPERM),
      Deny(SCMP_SYS(mount), EPERM),
      Deny(SCMP_SYS(umount), EPERM),
      Deny(SCMP_SYS(umount2), EPERM),
      Deny(SCMP_SYS(pivot_root), EPERM),
      Deny(SCMP_SYS(chroot), EPERM),
      DenyIf(SCMP_SYS(clone), EPERM, kCloneFlagsArg, SCMP_CMP_MASKED_EQ,
             CLONE_NEWUSER, CLONE_NEWUSER),
      // seccomp cannot look into clone3's struct clone_args to check the
      // flags, so clone3 must go; ENOSYS makes libc fall back to clone,
      // which the rule above does check (CVE-2021-41133).
      Deny(SCMP_SYS(clone3), ENOSYS),
      // The new mount API can change the VFS as well; nothing in a sandbox
      // needs it, so all of it is refused (CVE-2021-41133).
      Deny(SCMP_SYS(open_tree), ENOSYS),
      Deny(SCMP_SYS(move_mount), ENOSYS),
      Deny(SCMP_SYS(fsopen), ENOSYS),
      Deny(SCMP_SYS(fsconfig), ENOSYS),
      Deny(SCMP_SYS(fsmount), ENOSYS),
      Deny(SCMP_SYS(fspick), ENOSYS),
      Deny(SCMP_SYS(mount_setattr), ENOSYS),
  };
  return rules;
}

// hakurei's extension: file ownership and credential changes.
const std::vector<NativeRule>& NamespaceExt() {
  static const std::vector<NativeRule> rules = {
      Deny(SCMP_SYS(chown), EPERM),
      Deny(SCMP_SYS(chown32), EPERM),
      Deny(SCMP_SYS(fchown), EPERM),
      Deny(SCMP_SYS(fchown32), EPERM),
      Deny(SCMP_SYS(fchownat), EPERM),
      Deny(SCMP_SYS(lchown), EPERM),
      Deny(SCMP_SYS(lchown32), EPERM),
      Deny(SCMP_SYS(setgid), EPERM),
      Deny(SCMP_SYS(setgid32), EPERM),
      Deny(SCMP_SYS(setgroups), EPERM),
      Deny(SCMP_SYS(setgroups32), EPERM),
      Deny(SCMP_SYS(setregid), EPERM),
      Deny(SCMP_SYS(setregid32), EPERM),
      Deny(SCMP_SYS(setresgid), EPERM),
      Deny(SCMP_SYS(setresgid32), EPERM),
      Deny(SCMP_SYS(setresuid), EPERM),
      Deny(SCMP_SYS(setresuid32), EPERM),
      Deny(SCMP_SYS(setreuid), EPERM),
      Deny(SCMP_SYS(setreuid32), EPERM),
      Deny(SCMP_SYS(setuid), EPERM),
      Deny(SCMP_SYS(setuid32), EPERM),
  };
  return rules;
}

const std::vector<NativeRule>& Tty() {
  static const std::vector<NativeRule> rules = {
      // No faking input to the controlling tty (CVE-2017-5226). The request
      // is compared in its low 32 bits: the kernel's ioctl takes an
      // unsigned int, so high bits must not slip past the rule.
      DenyIf(SCMP_SYS(ioctl), EPERM, 1, SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu,
             TIOCSTI),
      // On a Linux virtual console, copy/paste works like TIOCSTI
      // (CVE-2023-28100).
      DenyIf(SCMP_SYS(ioctl), EPERM, 1, SCMP_CMP_MASKED_EQ, 0xFFFFFFFFu,
             TIOCLINUX),
  };
  return rules;
}

std::vector<NativeRule> Devel(uint64_t allowed_personality) {
  return {
      // Profiling belongs outside the sandbox; perf has had many CVEs.
      Deny(SCMP_SYS(perf_event_open), EPERM),
      // No switching to another personality (BSD emulation and the like).
      DenyIf(SCMP_SYS(personality), EPERM, 0, SCMP_CMP_NE,
             allowed_personality, 0),
      Deny(SCMP_SYS(ptrace), EPERM),
  };
}

const std::vector<NativeRule>& Emu() {
  static const std::vector<NativeRule> rules = {
      // modify_ldt has leaked information before; 16-bit programs and some
      // Wine builds need it, which is what multiarch is for.
      Deny(SCMP_SYS(modify_ldt), EPERM),
  };
  return rules;
}

// hakurei's extension: other emulation entry points.
const std::vector<NativeRule>& EmuExt() {
  static const std::vector<NativeRule> rules = {
      Deny(SCMP_SYS(subpage_prot), ENOSYS),
      Deny(SCMP_SYS(switch_endian), ENOSYS),
      Deny(SCMP_SYS(vm86), ENOSYS),
      Deny(SCMP_SYS(vm86old), ENOSYS),
  };
  return rules;
}

// clang-format on

void Append(std::vector<NativeRule>& to, absl::Span<const NativeRule> from) {
  to.insert(to.end(), from.begin(), from.end());
}

}  // namespace

std::vector<NativeRule> Preset(int64_t presets, uint32_t flags) {
  const bool ext = (presets & kPresetExt) != 0;
  const bool deny_ns = (presets & kPresetDenyNS) != 0;
  const bool emu = (flags & kAllowMultiarch) == 0;

  std::vector<NativeRule> rules;
  rules.reserve(Common().size() + Namespace().size() + Tty().size() + 3 +
                Emu().size() + CommonExt().size() + NamespaceExt().size() +
                EmuExt().size());
  Append(rules, Common());
  if (deny_ns) Append(rules, Namespace());
  if ((presets & kPresetDenyTTY) != 0) Append(rules, Tty());
  if ((presets & kPresetDenyDevel) != 0) {
    Append(rules,
           Devel((presets & kPresetLinux32) != 0 ? PER_LINUX32 : PER_LINUX));
  }
  if (emu) Append(rules, Emu());
  if (ext) {
    Append(rules, CommonExt());
    if (deny_ns) Append(rules, NamespaceExt());
    if (emu) Append(rules, EmuExt());
  }
  return rules;
}

std::vector<NativeRule> RulesFor(const Params& params) {
  if (!params.seccomp_rules.empty()) return params.seccomp_rules;
  return Preset(params.seccomp_presets, params.seccomp_flags);
}

absl::StatusOr<uint32_t> ParseExtraDenials(absl::string_view names) {
  uint32_t extra = 0;
  for (absl::string_view name : absl::StrSplit(names, ',', absl::SkipEmpty())) {
    if (name == "io_uring") {
      extra |= kDenyIoUring;
    } else if (name == "userfaultfd") {
      extra |= kDenyUserfaultfd;
    } else {
      return absl::InvalidArgumentError(absl::StrCat(
          "unknown call group \"", name, "\" (io_uring, userfaultfd)"));
    }
  }
  return extra;
}

std::vector<NativeRule> ExtraDenialRules(uint32_t extra) {
  std::vector<NativeRule> rules;
  if ((extra & kDenyIoUring) != 0) {
    rules.push_back(Deny(SCMP_SYS(io_uring_setup), ENOSYS));
    rules.push_back(Deny(SCMP_SYS(io_uring_enter), ENOSYS));
    rules.push_back(Deny(SCMP_SYS(io_uring_register), ENOSYS));
  }
  if ((extra & kDenyUserfaultfd) != 0) {
    rules.push_back(Deny(SCMP_SYS(userfaultfd), ENOSYS));
  }
  return rules;
}

void DenyExtra(Params& params, uint32_t extra) {
  if (extra == 0) return;
  if (params.seccomp_rules.empty()) {
    int64_t presets = params.seccomp_presets;
    if (!params.retain_session) presets |= kPresetDenyTTY;
    params.seccomp_rules = Preset(presets, params.seccomp_flags);
  }
  Append(params.seccomp_rules, ExtraDenialRules(extra));
}

}  // namespace kekkai::seccomp
