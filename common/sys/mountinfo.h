// proc_pid_mountinfo(5): parsing, and "unfolding" the mount tree under one
// path so a recursive remount touches exactly the mounts a process can see
// there (hakurei's vfs package).
//
// Where this sits: RemountVia (sys.cc) reads /host/proc/self/mountinfo in the
// intermediate root, unfolds it at the target of a bind or remount op, and
// remounts each visible mount that lacks a wanted flag. Pure code: no I/O.
#ifndef KEKKAI_COMMON_SYS_MOUNTINFO_H_
#define KEKKAI_COMMON_SYS_MOUNTINFO_H_

#include <string>
#include <vector>

#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"

namespace kekkai::sys {

// One line of mountinfo:
//   36 35 98:0 /mnt1 /mnt2 rw,noatime master:1 - ext3 /dev/root rw,errors=continue
//   (1)(2)(3)   (4)   (5)      (6)      (7)   (8) (9)   (10)         (11)
struct MountInfoEntry {
  int id = 0;                        // (1) mount ID
  int parent = 0;                    // (2) parent mount ID
  int major = 0;                     // (3) st_dev major
  int minor = 0;                     //     and minor
  std::string root;                  // (4) root of the mount in its fs
  std::string target;                // (5) mount point, relative to our root
  std::string vfs_options;           // (6) per-mount options
  std::vector<std::string> optional; // (7) "shared:1", "master:2", ...
  std::string fstype;                // (9)
  std::string source;                // (10) may be empty
  std::string fs_options;            // (11) per-superblock options

  // The MS_* flags that vfs_options spells (ro, nosuid, nodev, noexec,
  // nosymfollow, noatime, nodiratime, relatime); other options go to
  // `unmatched` when it is not null. "rw" is the absence of MS_RDONLY.
  unsigned long Flags(std::vector<std::string>* unmatched = nullptr) const;
};

// Undoes the kernel's octal escaping of space, tab, newline and backslash
// ("\040" -> " "); other backslashes are kept.
std::string Unmangle(absl::string_view field);

// Parses a whole mountinfo document. Errors are kInvalidArgument and name the
// line (1-based): `mountinfo line 3: expected at least 10 fields, got 4`.
// An empty document is an empty list.
absl::StatusOr<std::vector<MountInfoEntry>> ParseMountInfo(
    absl::string_view text);

// The mounts that make up what a process sees at and under `target`,
// target's own mount first, then the visible submounts in tree order.
// A mount hidden by a later mount on the same path (or on a path above it,
// under the same parent) is left out; `target`'s mount itself is always
// first (the last mount listed at exactly that path). Paths compare as
// cleaned paths, by whole components ("/a/b2" is not under "/a/b").
//
// Fails with kNotFound `mount point /x never appeared in mountinfo` when no
// mount sits at exactly `target`.
struct VisibleMount {
  std::string path;     // cleaned mount point
  unsigned long flags;  // MountInfoEntry::Flags()
};
absl::StatusOr<std::vector<VisibleMount>> UnfoldMounts(
    const std::vector<MountInfoEntry>& entries, absl::string_view target);

// True when `path` is `prefix` or below it, by whole components; both are
// cleaned absolute paths ("/" is the prefix of everything).
bool HasPathPrefix(absl::string_view path, absl::string_view prefix);

}  // namespace kekkai::sys

#endif  // KEKKAI_COMMON_SYS_MOUNTINFO_H_
