// kekkai-init's privilege drop, after the final pivot and before the
// seccomp filter (HAKUREI.md §1.7 I13): the ambient set cleared, every
// capability up to cap_last_cap dropped from the bounding set, then capset
// with nothing effective and nothing permitted or inheritable. With
// Privileged, CAP_SYS_ADMIN (over the container's own user namespace only)
// stays in the bounding, permitted and inheritable sets and is raised as
// ambient, so the payload keeps it across its execve.
#ifndef KEKKAI_INIT_PRIVILEGES_H_
#define KEKKAI_INIT_PRIVILEGES_H_

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/sys/sys.h"

namespace kekkai::init {

// Parses /proc/sys/kernel/cap_last_cap ("40\n"); 0..63.
absl::StatusOr<int> ParseLastCap(absl::string_view text);

// Errors carry the step (init/failure.h).
absl::Status DropPrivileges(sys::Sys& sys, int last_cap, bool privileged);

}  // namespace kekkai::init

#endif  // KEKKAI_INIT_PRIVILEGES_H_
