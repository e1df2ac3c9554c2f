// Params and InitParams: the container description the shim sends to init,
// field for field hakurei's container.Params and initParams (HAKUREI.md
// §1.2), with Go's wire types noted per field. Zero values are Go's zero
// values: a default-constructed Params is what Go's decoder gives for an
// empty message.
//
// Flow: the embedder, the JSON config or the CLI fills a Params; the shim
// applies ApplyLauncherDefaults() (hakurei's Start/Serve normalisation),
// checks ValidateParams(), and sends an InitParams; init decodes it,
// re-validates with ValidateInitParams() and applies it.
#ifndef KEKKAI_COMMON_PARAMS_H_
#define KEKKAI_COMMON_PARAMS_H_

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/absolute_path.h"
#include "common/ops.h"

namespace kekkai {

// seccomp FilterPreset bits (Go std.FilterPreset, an int).
inline constexpr int64_t kPresetExt = 1;
inline constexpr int64_t kPresetDenyNS = 2;
inline constexpr int64_t kPresetDenyTTY = 4;
inline constexpr int64_t kPresetDenyDevel = 8;
inline constexpr int64_t kPresetLinux32 = 16;
inline constexpr int64_t kPresetStrict =
    kPresetExt | kPresetDenyNS | kPresetDenyTTY | kPresetDenyDevel;

// seccomp ExportFlag bits (a C enum: uint32, a gob uint).
inline constexpr uint32_t kAllowMultiarch = 1;
inline constexpr uint32_t kAllowCAN = 2;
inline constexpr uint32_t kAllowBluetooth = 4;

// Go std.ScmpArgCmp: one argument comparison (libseccomp scmp_arg_cmp).
struct ScmpArgCmp {
  uint32_t arg = 0;      // Arg ScmpUint: argument index 0..5
  uint32_t op = 0;       // Op ScmpCompare: scmp_compare (1..7)
  uint64_t datum_a = 0;  // DatumA ScmpDatum
  uint64_t datum_b = 0;  // DatumB ScmpDatum
  friend bool operator==(const ScmpArgCmp&, const ScmpArgCmp&) = default;
};

// Go std.NativeRule: return Errno from Syscall, optionally only when Arg
// matches. Syscall numbers are native (x86_64); negative values are
// libseccomp pseudo-numbers for calls the arch lacks.
struct NativeRule {
  int32_t syscall = 0;             // Syscall ScmpSyscall (int32)
  int32_t errno_value = 0;         // Errno ScmpErrno (int32)
  std::optional<ScmpArgCmp> arg;   // Arg *ScmpArgCmp
  friend bool operator==(const NativeRule&, const NativeRule&) = default;
};

inline constexpr int64_t kNanosecond = 1;
inline constexpr int64_t kMillisecond = 1000 * 1000;
inline constexpr int64_t kSecond = 1000 * kMillisecond;

// Go container.Params, in Go field order.
struct Params {
  OptionalPath dir;                 // Dir *check.Absolute (nil -> "/")
  std::vector<std::string> env;     // Env []string: the whole environment
  OptionalPath path;                // Path *check.Absolute (required)
  std::vector<std::string> args;    // Args []string: argv, argv[0] included
  bool forward_cancel = false;      // ForwardCancel bool
  int64_t adopt_wait_delay = 0;     // AdoptWaitDelay time.Duration (ns)
  int64_t uid = 0;                  // Uid int (<1 -> overflow uid)
  int64_t gid = 0;                  // Gid int (<1 -> overflow gid)
  std::string hostname;             // Hostname string ("" = leave alone)
  std::optional<OpList> ops;        // *Ops (embedded): nil or a list
  std::vector<NativeRule> seccomp_rules;  // SeccompRules []std.NativeRule
  uint32_t seccomp_flags = 0;       // SeccompFlags seccomp.ExportFlag (uint)
  int64_t seccomp_presets = 0;      // SeccompPresets std.FilterPreset (int)
  bool seccomp_disable = false;     // SeccompDisable bool
  uint32_t parent_perm = 0;         // ParentPerm os.FileMode (0 -> 0755)
  bool retain_session = false;      // RetainSession bool
  bool host_net = false;            // HostNet bool
  bool host_abstract = false;       // HostAbstract bool
  bool privileged = false;          // Privileged bool
  friend bool operator==(const Params&, const Params&) = default;
};

// The kekkai-only InitParams field KekkaiReport: the version of the setup
// report protocol the launcher understands (0 = none, as with hakurei's
// launcher). Go's decoder ignores the field; the encoder leaves it out of the
// type definition while it is 0, so the bytes stay hakurei's.
inline constexpr int64_t kSetupReportVersion = 1;

// Go container.initParams: what actually travels on the setup pipe.
struct InitParams {
  Params params;                // Params (embedded struct, always sent)
  int64_t host_uid = 0;         // HostUid int: the launcher's getuid()
  int64_t host_gid = 0;         // HostGid int: the launcher's getgid()
  int64_t count = 0;            // Count int: number of extra files
  bool verbose = false;         // Verbose bool
  int64_t kekkai_report = 0;    // KekkaiReport int (kekkai only, see above)
  friend bool operator==(const InitParams&, const InitParams&) = default;
};

// hakurei's launcher normalisation (Start and Serve, HAKUREI.md §1.5-§1.6):
// uid/gid below 1 become the overflow ids, DenyTTY is added unless the
// session is retained, an AdoptWaitDelay of 0 becomes 5 s and a negative one
// 0, and a nil Dir becomes "/".
void ApplyLauncherDefaults(Params& params, int64_t overflow_uid,
                           int64_t overflow_gid);

// The default AdoptWaitDelay (5 s) and ParentPerm (0755).
inline constexpr int64_t kDefaultAdoptWaitDelay = 5 * kSecond;
inline constexpr uint32_t kDefaultParentPerm = 0755;

// ParentPerm as init uses it: 0 means 0755.
uint32_t EffectiveParentPerm(const Params& params);

// The launcher's and init's checks on a whole Params: Path set, Ops present
// and non-empty, every op non-nil and ValidateOp()-valid, seccomp rules that
// hakurei can compile (errno EPERM or ENOSYS, argument index 0..5, a known
// comparison), no NUL inside argv, the environment or the hostname, and
// ids within the range a uid_map line can hold.
// Errors are kInvalidArgument and name the field, and for ops the index and
// type: `op 3 (bind): source: not set`.
absl::Status ValidateParams(const Params& params);

// ValidateParams plus the envelope (Count within [0, kMaxExtraFiles], host
// ids in range) and what init needs after the launcher's normalisation
// (uid and gid in [0, 2^32-2]).
absl::Status ValidateInitParams(const InitParams& init_params);

// The most extra files a launcher may pass (fds 4..4+N-1 in init).
inline constexpr int64_t kMaxExtraFiles = 1024;

// hakurei's Container.String(): "argv: [...], filter: true, rules: 0,
// flags: 0x0, presets: 0xf" (for logs).
std::string DescribeParams(const Params& params);

}  // namespace kekkai

#endif  // KEKKAI_COMMON_PARAMS_H_
