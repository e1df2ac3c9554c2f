// Names for the bit sets that appear in Params and ops: bind flags, MS_*
// mount flags, seccomp presets and export flags, and libseccomp's compare
// operators. The JSON form, the CLI and Describe() all spell them from here.
#ifndef KEKKAI_COMMON_FLAGS_H_
#define KEKKAI_COMMON_FLAGS_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "absl/types/span.h"

namespace kekkai {

struct FlagName {
  uint64_t bits;
  absl::string_view name;
};

// optional, writable, device, ensure (kBind*).
absl::Span<const FlagName> BindFlagNames();
// rdonly, nosuid, nodev, noexec, ... (MS_*), for tmpfs and remount flags.
absl::Span<const FlagName> MountFlagNames();
// ext, deny-ns, deny-tty, deny-devel, linux32; "strict" is accepted on input.
absl::Span<const FlagName> PresetNames();
// multiarch, can, bluetooth.
absl::Span<const FlagName> ExportFlagNames();

// Names of the bits set in `value`, in table order; bits without a name are
// rendered as one hexadecimal entry ("0x100"), so the list is exact.
std::vector<std::string> FlagsToNames(absl::Span<const FlagName> table,
                                      uint64_t value);
// "a,b" joined form of FlagsToNames ("" for 0).
std::string FlagsToString(absl::Span<const FlagName> table, uint64_t value);

// The inverse: each entry is a name (case-insensitive), an alias such as
// "strict", or a number ("0x100", "256"). Unknown names fail with
// kInvalidArgument `unknown <what> "x" (known: a, b, c)`.
absl::StatusOr<uint64_t> FlagsFromNames(absl::Span<const FlagName> table,
                                        absl::Span<const std::string> names,
                                        absl::string_view what);
// Comma-separated form, as the CLI takes it ("ext,deny-ns"); "" is 0.
absl::StatusOr<uint64_t> FlagsFromList(absl::Span<const FlagName> table,
                                       absl::string_view list,
                                       absl::string_view what);

// libseccomp's scmp_compare: ne 1, lt 2, le 3, eq 4, ge 5, gt 6, masked_eq 7.
absl::string_view CompareOpName(uint32_t op);  // "" when unknown
absl::StatusOr<uint32_t> CompareOpFromName(absl::string_view name);

}  // namespace kekkai

#endif  // KEKKAI_COMMON_FLAGS_H_
