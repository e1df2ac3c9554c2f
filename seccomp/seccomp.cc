// Filter construction: hakurei's libseccomp call sequence, reimplemented.
//
// The exported bytes are compared against hakurei's SHA-512 oracle, so the
// sequence below is part of the contract; change nothing in it without
// re-running the hash tests:
//   1. seccomp_init(SCMP_ACT_ALLOW); no attribute is changed (NNP stays on,
//      TSYNC off, bad-arch action KILL).
//   2. seccomp_arch_add(native arch): already present, so -EEXIST, which is
//      ignored; with kAllowMultiarch, seccomp_arch_add(secondary arch)
//      (x86 on x86_64, arm on aarch64), -EEXIST ignored as well.
//   3. Each rule with seccomp_rule_add (not _exact: libseccomp may rewrite
//      it per arch), action SCMP_ACT_ERRNO(errno), 0 or 1 comparison.
//   4. The socket-family filter with seccomp_rule_add_exact on socket's
//      arg0: EAFNOSUPPORT for each family between the allowed ones and for
//      everything at or above the last allowed + 1. Failures are ignored,
//      as in hakurei (socket filtering cannot work where socket is
//      multiplexed, e.g. i386's socketcall), and _exact keeps libseccomp
//      from turning the rules into something else (libseccomp issue 8).
//      Consequence, inherited from hakurei (and flatpak) with the bytes:
//      once multiarch has added i386, libseccomp refuses every exact socket
//      rule with -EOPNOTSUPP for that arch, which rejects the rule for all
//      arches, so a multiarch filter has no socket-family filter at all.
//   5. seccomp_export_bpf or seccomp_load.
#include "seccomp/seccomp.h"

#include <fcntl.h>
#include <seccomp.h>
#include <sys/mman.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstdint>
#include <string>

#include "absl/cleanup/cleanup.h"
#include "absl/functional/function_ref.h"
#include "absl/strings/cord.h"
#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "common/status.h"
#include "common/unique_fd.h"
#include "seccomp/syscalls.h"

namespace kekkai::seccomp {
namespace {

// The architectures hakurei adds (its runtime.GOARCH switch): the native
// one, and the one multiarch adds. 0 means "leave libseccomp's default".
#if defined(__x86_64__)
constexpr uint32_t kNativeArch = SCMP_ARCH_X86_64;
constexpr uint32_t kMultiArch = SCMP_ARCH_X86;
#elif defined(__aarch64__)
constexpr uint32_t kNativeArch = SCMP_ARCH_AARCH64;
constexpr uint32_t kMultiArch = SCMP_ARCH_ARM;
#elif defined(__i386__)
constexpr uint32_t kNativeArch = SCMP_ARCH_X86;
constexpr uint32_t kMultiArch = 0;
#elif defined(__arm__)
constexpr uint32_t kNativeArch = SCMP_ARCH_ARM;
constexpr uint32_t kMultiArch = 0;
#else
constexpr uint32_t kNativeArch = 0;
constexpr uint32_t kMultiArch = 0;
#endif

// Allowed socket families, in numerical order (the gaps between them are
// refused). A non-zero mask must be fully present in the flags.
struct AllowedFamily {
  int family;
  uint32_t flags_mask;
};
constexpr AllowedFamily kAllowedFamilies[] = {
    {AF_UNSPEC, 0},
    {AF_UNIX, 0},
    {AF_INET, 0},
    {AF_INET6, 0},
    {AF_NETLINK, 0},
    {AF_CAN, kAllowCAN},
    {AF_BLUETOOTH, kAllowBluetooth},
};

// The largest program seccomp_export_bpf can reasonably write: the kernel
// loads at most BPF_MAXINSNS (4096) instructions of 8 bytes; anything far
// beyond that is a bug, not a filter.
constexpr off_t kMaxProgramSize = 16 << 20;

// Runs one libseccomp call returning 0 or -errno with errno cleared first,
// so LibraryError() reports the errno the call itself left behind.
template <typename Call>
absl::Status Scmp(absl::string_view prefix, Call call) {
  errno = 0;
  const int rc = call();
  const int err = errno;
  if (rc == 0) return absl::OkStatus();
  return LibraryError(prefix, rc, err);
}

void AddSocketFilter(scmp_filter_ctx ctx, uint32_t flags) {
  const uint32_t action = SCMP_ACT_ERRNO(EAFNOSUPPORT);
  int last_allowed = -1;
  for (const AllowedFamily& allowed : kAllowedFamilies) {
    if (allowed.flags_mask != 0 &&
        (allowed.flags_mask & flags) != allowed.flags_mask) {
      continue;
    }
    for (int family = last_allowed + 1; family < allowed.family; ++family) {
      const scmp_arg_cmp cmp = {.arg = 0,
                                .op = SCMP_CMP_EQ,
                                .datum_a = static_cast<scmp_datum_t>(family),
                                .datum_b = 0};
      // Result ignored on purpose (see the file comment, step 4).
      (void)seccomp_rule_add_exact_array(ctx, action, SCMP_SYS(socket), 1,
                                         &cmp);
    }
    last_allowed = allowed.family;
  }
  const scmp_arg_cmp rest = {
      .arg = 0,
      .op = SCMP_CMP_GE,
      .datum_a = static_cast<scmp_datum_t>(last_allowed + 1),
      .datum_b = 0};
  (void)seccomp_rule_add_exact_array(ctx, action, SCMP_SYS(socket), 1, &rest);
}

// Builds the filter for `rules` and `flags` and hands it to `use`; the
// context is released on every path.
absl::Status WithFilter(absl::Span<const NativeRule> rules, uint32_t flags,
                        absl::FunctionRef<absl::Status(scmp_filter_ctx)> use) {
  KEKKAI_RETURN_IF_ERROR(ValidateRules(rules));

  errno = 0;
  scmp_filter_ctx ctx = seccomp_init(SCMP_ACT_ALLOW);
  if (ctx == nullptr) {
    // seccomp_init reports nothing but NULL; allocation is what fails.
    return LibraryError("seccomp_init failed", 0, errno != 0 ? errno : ENOMEM);
  }
  absl::Cleanup release = [ctx] { seccomp_release(ctx); };

  if (kNativeArch != 0) {
    // Adding the native arch *adds* rather than replaces; it is already
    // there, hence -EEXIST.
    errno = 0;
    int rc = seccomp_arch_add(ctx, kNativeArch);
    if (rc < 0 && rc != -EEXIST) {
      return LibraryError("seccomp_arch_add failed", rc, errno);
    }
    if ((flags & kAllowMultiarch) != 0 && kMultiArch != 0) {
      errno = 0;
      rc = seccomp_arch_add(ctx, kMultiArch);
      if (rc < 0 && rc != -EEXIST) {
        return LibraryError("seccomp_arch_add failed (multiarch)", rc, errno);
      }
    }
  }

  for (size_t i = 0; i < rules.size(); ++i) {
    const NativeRule& rule = rules[i];
    const uint32_t action = SCMP_ACT_ERRNO(rule.errno_value);
    scmp_arg_cmp cmp = {};
    unsigned int count = 0;
    if (rule.arg.has_value()) {
      cmp = {.arg = rule.arg->arg,
             .op = static_cast<scmp_compare>(rule.arg->op),
             .datum_a = rule.arg->datum_a,
             .datum_b = rule.arg->datum_b};
      count = 1;
    }
    errno = 0;
    const int rc = seccomp_rule_add_array(ctx, action, rule.syscall, count,
                                          count != 0 ? &cmp : nullptr);
    const int err = errno;
    if (rc < 0) {
      // hakurei distinguishes EFAULT, libseccomp's "internal error".
      return Annotate(LibraryError(rc == -EFAULT ? "internal libseccomp failure"
                                                 : "seccomp_rule_add failed",
                                   rc, err),
                      absl::StrFormat("rule %d (%s)", i, DescribeRule(rule)));
    }
  }

  AddSocketFilter(ctx, flags);
  return use(ctx);
}

// Reads the whole of `fd` from offset 0 (pread: short reads and EINTR).
absl::StatusOr<std::string> ReadAll(int fd, off_t size) {
  std::string data(static_cast<size_t>(size), '\0');
  size_t done = 0;
  while (done < data.size()) {
    const ssize_t n = pread(fd, data.data() + done, data.size() - done,
                            static_cast<off_t>(done));
    if (n < 0) {
      if (errno == EINTR) continue;
      return ErrnoStatus(errno, absl::StrFormat("pread(memfd, %d bytes at %d)",
                                                data.size() - done, done));
    }
    if (n == 0) {
      return absl::InternalError(absl::StrFormat(
          "pread(memfd): end of file at %d of %d bytes", done, data.size()));
    }
    done += static_cast<size_t>(n);
  }
  return data;
}

}  // namespace

absl::Status ValidateRules(absl::Span<const NativeRule> rules) {
  if (rules.empty()) {
    // hakurei's ErrInvalidRules.
    return absl::InvalidArgumentError(
        "invalid native rules slice: the rule list is empty");
  }
  for (size_t i = 0; i < rules.size(); ++i) {
    const NativeRule& rule = rules[i];
    const std::string where =
        absl::StrFormat("rule %d (%s)", i, DescribeRule(rule));
    if (rule.errno_value != EPERM && rule.errno_value != ENOSYS) {
      return absl::InvalidArgumentError(
          absl::StrFormat("%s: errno %d (%s) is not EPERM or ENOSYS", where,
                          rule.errno_value, ErrnoName(rule.errno_value)));
    }
    if (rule.arg.has_value()) {
      if (rule.arg->arg > 5) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s: argument index %u is not 0..5", where, rule.arg->arg));
      }
      if (rule.arg->op < SCMP_CMP_NE || rule.arg->op > SCMP_CMP_MASKED_EQ) {
        return absl::InvalidArgumentError(absl::StrFormat(
            "%s: comparison %u is not 1..7 (ne, lt, le, eq, ge, gt, "
            "masked_eq)",
            where, rule.arg->op));
      }
    }
  }
  return absl::OkStatus();
}

absl::StatusOr<std::string> Export(absl::Span<const NativeRule> rules,
                                   uint32_t flags) {
  std::string program;
  const absl::Status status =
      WithFilter(rules, flags, [&](scmp_filter_ctx ctx) -> absl::Status {
        // libseccomp 2.5.4 has no seccomp_export_bpf_mem (2.6 does), so the
        // program goes through an anonymous memory file.
        UniqueFd memfd(memfd_create("kekkai-seccomp-bpf", MFD_CLOEXEC));
        if (!memfd.valid()) {
          return ErrnoStatus(errno,
                             "memfd_create(\"kekkai-seccomp-bpf\", "
                             "MFD_CLOEXEC)");
        }
        KEKKAI_RETURN_IF_ERROR(Scmp("seccomp_export_bpf failed", [&] {
          return seccomp_export_bpf(ctx, memfd.get());
        }));
        struct stat st = {};
        if (fstat(memfd.get(), &st) != 0) {
          return ErrnoStatus(errno, "fstat(memfd)");
        }
        if (st.st_size <= 0 || st.st_size > kMaxProgramSize ||
            st.st_size % 8 != 0) {
          return absl::InternalError(absl::StrFormat(
              "seccomp_export_bpf wrote %d bytes, not a BPF program",
              st.st_size));
        }
        KEKKAI_ASSIGN_OR_RETURN(program, ReadAll(memfd.get(), st.st_size));
        return absl::OkStatus();
      });
  if (!status.ok()) return status;
  return program;
}

absl::Status Load(absl::Span<const NativeRule> rules, uint32_t flags) {
  return WithFilter(rules, flags, [](scmp_filter_ctx ctx) {
    return Scmp("seccomp_load failed", [&] { return seccomp_load(ctx); });
  });
}

absl::Status LibraryError(absl::string_view prefix, int seccomp_rc, int err) {
  const int primary = seccomp_rc != 0 ? -seccomp_rc : err;
  std::string message;
  if (seccomp_rc != 0) {
    message = absl::StrFormat("%s: %s (libseccomp error %d, errno %d)", prefix,
                              ErrnoDescription(-seccomp_rc), seccomp_rc, err);
  } else if (err != 0) {
    message = absl::StrFormat("%s: %s (errno %d)", prefix,
                              ErrnoDescription(err), err);
  } else {
    return absl::InternalError(
        absl::StrCat(prefix, ": unknown error (no error code)"));
  }
  // The code and errno payload of an ErrnoStatus, with hakurei's message.
  const absl::Status errno_status = ErrnoStatus(primary, prefix);
  absl::Status status(errno_status.code(), message);
  errno_status.ForEachPayload(
      [&](absl::string_view url, const absl::Cord& payload) {
        status.SetPayload(url, payload);
      });
  return status;
}

std::string DescribeRule(const NativeRule& rule) {
  absl::StatusOr<std::string> name = SyscallName(rule.syscall);
  std::string text =
      name.ok() ? *std::move(name) : absl::StrCat("syscall ", rule.syscall);
  if (!rule.arg.has_value()) return text;
  const ScmpArgCmp& cmp = *rule.arg;
  switch (cmp.op) {
    case SCMP_CMP_NE:
      return absl::StrFormat("%s (arg%u != %#x)", text, cmp.arg, cmp.datum_a);
    case SCMP_CMP_LT:
      return absl::StrFormat("%s (arg%u < %#x)", text, cmp.arg, cmp.datum_a);
    case SCMP_CMP_LE:
      return absl::StrFormat("%s (arg%u <= %#x)", text, cmp.arg, cmp.datum_a);
    case SCMP_CMP_EQ:
      return absl::StrFormat("%s (arg%u == %#x)", text, cmp.arg, cmp.datum_a);
    case SCMP_CMP_GE:
      return absl::StrFormat("%s (arg%u >= %#x)", text, cmp.arg, cmp.datum_a);
    case SCMP_CMP_GT:
      return absl::StrFormat("%s (arg%u > %#x)", text, cmp.arg, cmp.datum_a);
    case SCMP_CMP_MASKED_EQ:
      return absl::StrFormat("%s (arg%u & %#x == %#x)", text, cmp.arg,
                             cmp.datum_a, cmp.datum_b);
    default:
      return absl::StrFormat("%s (arg%u, comparison %u)", text, cmp.arg,
                             cmp.op);
  }
}

}  // namespace kekkai::seccomp
