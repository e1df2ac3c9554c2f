#include "init/privileges.h"

#include <linux/capability.h>

#include <cstdint>
#include <string>

#include "absl/strings/ascii.h"
#include "absl/strings/numbers.h"
#include "absl/strings/str_cat.h"
#include "init/failure.h"

namespace kekkai::init {

absl::StatusOr<int> ParseLastCap(absl::string_view text) {
  int value = -1;
  const absl::string_view trimmed = absl::StripAsciiWhitespace(text);
  if (!absl::SimpleAtoi(trimmed, &value) || value < 0 || value > 63) {
    return absl::InvalidArgumentError(
        absl::StrCat("unexpected cap_last_cap \"", trimmed, "\""));
  }
  return value;
}

absl::Status DropPrivileges(sys::Sys& sys, int last_cap, bool privileged) {
  KEKKAI_INIT_TRY(sys.CapAmbientClearAll(),
                  "clear the ambient capability set");
  for (int cap = 0; cap <= last_cap; ++cap) {
    if (privileged && cap == CAP_SYS_ADMIN) continue;
    KEKKAI_INIT_TRY(sys.CapBoundingSetDrop(cap),
                    absl::StrCat("drop capability ", cap,
                                 " from the bounding set"));
  }
  uint64_t keep = 0;
  if (privileged) {
    keep = uint64_t{1} << CAP_SYS_ADMIN;
    // Ambient needs the capability permitted and inheritable, which init
    // still has here (the launcher raised it for init's own execve).
    KEKKAI_INIT_TRY(sys.CapAmbientRaise(CAP_SYS_ADMIN),
                    "raise CAP_SYS_ADMIN as ambient");
  }
  KEKKAI_INIT_TRY(sys.Capset(0, keep, keep), "drop capabilities (capset)");
  return absl::OkStatus();
}

}  // namespace kekkai::init
