// kekkai::seccomp: hakurei's syscall filters, compiled with libseccomp.
//
// Where it sits: the shim describes the filter in Params (explicit
// SeccompRules, or SeccompPresets + SeccompFlags); kekkai-init, as its last
// step before exec'ing the payload, calls Load(RulesFor(params), flags) so
// the filter binds init itself and everything it execs. `kekkai seccomp
// export` calls Export() to hand the same program to other tools
// (`bwrap --seccomp FD`).
//
// The filter is hakurei's, byte for byte (its presets_amd64 SHA-512 hashes
// are this module's test oracle): a deny-list with default action ALLOW in
// which every rule returns EPERM or ENOSYS, followed by a socket-family
// filter that answers EAFNOSUPPORT for every family except AF_UNSPEC,
// AF_UNIX, AF_INET, AF_INET6 and AF_NETLINK (plus AF_CAN and AF_BLUETOOTH
// when allowed). Byte identity depends on the exact sequence of libseccomp
// calls, so seccomp.cc documents and keeps that sequence. One consequence
// is hakurei's too: with kAllowMultiarch the socket-family filter is
// absent (libseccomp cannot add it exactly for i386; see seccomp.cc).
#ifndef KEKKAI_SECCOMP_SECCOMP_H_
#define KEKKAI_SECCOMP_SECCOMP_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"
#include "common/params.h"

namespace kekkai::seccomp {

// hakurei's Preset(presets, flags): the rule list in hakurei's exact order.
// Groups, each appended when its condition holds:
//   common (12, always); namespace (16, kPresetDenyNS); tty (2,
//   kPresetDenyTTY); devel (3, kPresetDenyDevel: personality is allowed only
//   for PER_LINUX, or only for PER_LINUX32 with kPresetLinux32); emu (1,
//   unless kAllowMultiarch); then with kPresetExt: commonExt (14);
//   namespaceExt (21, with kPresetDenyNS); emuExt (4, unless kAllowMultiarch).
// Unknown bits are ignored, as in hakurei. Pure: no libseccomp calls.
std::vector<NativeRule> Preset(int64_t presets, uint32_t flags);

// The rules init would use for these Params: seccomp_rules if non-empty
// (explicit rules replace the presets completely), else
// Preset(seccomp_presets, seccomp_flags). SeccompDisable is the caller's
// business: this returns the rules as if filtering were on.
std::vector<NativeRule> RulesFor(const Params& params);

// Calls hakurei's presets leave open and kekkai closes on request
// (`kekkai run --seccomp-deny-extra`, docs/security.md): bits for
// ExtraDenialRules and DenyExtra.
inline constexpr uint32_t kDenyIoUring = 1 << 0;      // "io_uring"
inline constexpr uint32_t kDenyUserfaultfd = 1 << 1;  // "userfaultfd"

// "io_uring,userfaultfd" -> bits; kInvalidArgument naming an unknown one.
absl::StatusOr<uint32_t> ParseExtraDenials(absl::string_view names);

// The rules closing `extra`, each answering ENOSYS (so programs take their
// fallback, as for clone3): io_uring_setup, io_uring_enter and
// io_uring_register for kDenyIoUring; userfaultfd for kDenyUserfaultfd.
std::vector<NativeRule> ExtraDenialRules(uint32_t extra);

// Closes `extra` in `params` without a new wire field, so any init
// (hakurei's too) enforces it: the rules the filter would have (RulesFor,
// with deny-tty added as the launcher adds it unless retain_session) become
// explicit SeccompRules, followed by ExtraDenialRules(extra). Nothing
// changes for extra == 0.
void DenyExtra(Params& params, uint32_t extra);

// Checks what hakurei's filter builder requires of `rules` before any
// libseccomp call: at least one rule (hakurei's ErrInvalidRules), errno
// EPERM or ENOSYS (hakurei asserts it), at most the one argument comparison
// a NativeRule can carry, with an argument index 0..5 and a known
// comparison (1..7). kInvalidArgument naming the rule:
// `rule 3 (ptrace): errno 13 (EACCES) is not EPERM or ENOSYS`.
absl::Status ValidateRules(absl::Span<const NativeRule> rules);

// Builds the filter (rules + the socket-family filter) and returns the BPF
// program bytes, as seccomp_export_bpf writes them (struct sock_filter
// array, host byte order). Errors: ValidateRules(), or a LibraryError().
absl::StatusOr<std::string> Export(absl::Span<const NativeRule> rules,
                                   uint32_t flags);

// Builds the same filter and loads it into the calling thread with
// seccomp_load (no_new_privs set by libseccomp's NNP attribute, no TSYNC),
// so it binds the caller (init) and everything it execs afterwards. Call it
// while single-threaded. Errors as Export().
absl::Status Load(absl::Span<const NativeRule> rules, uint32_t flags);

// hakurei's LibraryError: the failing libseccomp call (`prefix`, e.g.
// "seccomp_rule_add failed"), the negative errno it returned (`seccomp_rc`,
// 0 when the call has no return code, as with seccomp_init) and the global
// errno on return (`err`, 0 if unset). The message names both:
//   seccomp_rule_add failed: invalid argument (libseccomp error -22, errno 0)
//   seccomp_init failed: cannot allocate memory (errno 12)
// The status code and the GetErrno() payload follow -seccomp_rc, else err;
// with neither the code is kInternal.
absl::Status LibraryError(absl::string_view prefix, int seccomp_rc, int err);

// "ptrace", "ioctl (arg1 & 0xffffffff == 0x5412)", "personality (arg0 !=
// 0x0)" or "syscall -5" for numbers without a name: how errors name rules.
std::string DescribeRule(const NativeRule& rule);

}  // namespace kekkai::seccomp

#endif  // KEKKAI_SECCOMP_SECCOMP_H_
