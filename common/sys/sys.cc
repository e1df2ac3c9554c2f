// The composite helpers of the syscall seam, written once against the raw
// calls of any Sys (hakurei's mount.go and path.go).
#include "common/sys/sys.h"

#include <errno.h>
#include <fcntl.h>
#include <sys/mount.h>

#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_format.h"
#include "absl/strings/str_join.h"
#include "common/absolute_path.h"
#include "common/status.h"
#include "common/sys/mountinfo.h"

namespace kekkai::sys {
namespace {

bool HasErrno(const absl::Status& status, int err) {
  const std::optional<int> got = GetErrno(status);
  return got.has_value() && *got == err;
}

struct FlagName {
  unsigned long bit;
  const char* name;
};

// Debian 12's glibc lacks MS_NOSYMFOLLOW.
constexpr unsigned long kMsNoSymFollow = 256;

constexpr FlagName kMountFlags[] = {
    {MS_RDONLY, "MS_RDONLY"},
    {MS_NOSUID, "MS_NOSUID"},
    {MS_NODEV, "MS_NODEV"},
    {MS_NOEXEC, "MS_NOEXEC"},
    {MS_SYNCHRONOUS, "MS_SYNCHRONOUS"},
    {MS_REMOUNT, "MS_REMOUNT"},
    {MS_MANDLOCK, "MS_MANDLOCK"},
    {MS_DIRSYNC, "MS_DIRSYNC"},
    {kMsNoSymFollow, "MS_NOSYMFOLLOW"},
    {MS_NOATIME, "MS_NOATIME"},
    {MS_NODIRATIME, "MS_NODIRATIME"},
    {MS_BIND, "MS_BIND"},
    {MS_MOVE, "MS_MOVE"},
    {MS_REC, "MS_REC"},
    {MS_SILENT, "MS_SILENT"},
    {MS_POSIXACL, "MS_POSIXACL"},
    {MS_UNBINDABLE, "MS_UNBINDABLE"},
    {MS_PRIVATE, "MS_PRIVATE"},
    {MS_SLAVE, "MS_SLAVE"},
    {MS_SHARED, "MS_SHARED"},
    {MS_RELATIME, "MS_RELATIME"},
    {MS_STRICTATIME, "MS_STRICTATIME"},
    {MS_LAZYTIME, "MS_LAZYTIME"},
};

constexpr absl::string_view kExecStepUrl = "kekkai/exec-step";

}  // namespace

absl::Status ExecFailure(ExecStep step, int err, const std::string& what) {
  absl::Status status = ErrnoStatus(err, what);
  status.SetPayload(kExecStepUrl,
                    absl::Cord(absl::StrCat(static_cast<int>(step))));
  return status;
}

std::optional<ExecStep> ExecFailureStep(const absl::Status& status) {
  absl::optional<absl::Cord> payload = status.GetPayload(kExecStepUrl);
  if (!payload.has_value()) return std::nullopt;
  const std::string value(*payload);
  if (value.size() != 1 || value[0] < '0' || value[0] > '3') return std::nullopt;
  return static_cast<ExecStep>(value[0] - '0');
}

std::string MountFlagsToString(unsigned long flags) {
  if (flags == 0) return "0";
  std::vector<std::string> parts;
  for (const FlagName& flag : kMountFlags) {
    if (flags & flag.bit) {
      parts.emplace_back(flag.name);
      flags &= ~flag.bit;
    }
  }
  if (flags != 0) parts.push_back(absl::StrFormat("%#x", flags));
  return absl::StrJoin(parts, "|");
}

std::string DirName(const std::string& path) {
  const std::string clean = CleanPath(path);
  const size_t slash = clean.rfind('/');
  if (slash == std::string::npos) return ".";
  if (slash == 0) return "/";
  return clean.substr(0, slash);
}

mode_t ParentPermFor(uint32_t perm) {
  mode_t parent = 0755;
  if ((perm & 0070) == 0) parent &= ~static_cast<mode_t>(0050);
  if ((perm & 0007) == 0) parent &= ~static_cast<mode_t>(0005);
  return parent;
}

absl::Status MkdirAllVia(Sys& sys, const std::string& path, mode_t perm) {
  const std::string clean = CleanPath(path);
  absl::StatusOr<FileType> type = sys.Stat(clean);
  if (type.ok()) {
    if (*type == FileType::kDirectory) return absl::OkStatus();
    return ErrnoStatus(ENOTDIR, absl::StrFormat("mkdir(\"%s\")", clean));
  }
  if (!HasErrno(type.status(), ENOENT)) return type.status();
  const std::string parent = DirName(clean);
  if (parent != clean) {
    KEKKAI_RETURN_IF_ERROR(MkdirAllVia(sys, parent, perm));
  }
  absl::Status made = sys.Mkdir(clean, perm);
  if (made.ok() || !HasErrno(made, EEXIST)) return made;
  // Lost a race with someone else creating it (Go's os.MkdirAll re-checks).
  absl::StatusOr<FileType> again = sys.Lstat(clean);
  if (again.ok() && *again == FileType::kDirectory) return absl::OkStatus();
  return made;
}

absl::Status EnsureFileVia(Sys& sys, const std::string& path, mode_t perm,
                           mode_t parent_perm) {
  absl::StatusOr<FileType> type = sys.Stat(path);
  if (type.ok()) {
    if (*type == FileType::kDirectory || *type == FileType::kSymlink) {
      return ErrnoStatus(EISDIR, absl::StrFormat("ensure file \"%s\"", path));
    }
    return absl::OkStatus();
  }
  if (!HasErrno(type.status(), ENOENT)) return type.status();
  KEKKAI_RETURN_IF_ERROR(sys.MkdirAll(DirName(path), parent_perm));
  absl::StatusOr<UniqueFd> fd =
      sys.Open(path, O_CREAT | O_EXCL | O_WRONLY, perm);
  return fd.status();  // the fd closes here
}

absl::Status BindMountVia(Sys& sys, const std::string& source,
                          const std::string& target, unsigned long flags) {
  KEKKAI_RETURN_IF_ERROR(
      sys.Mount(source, target, "", MS_SILENT | MS_BIND | (flags & MS_REC), ""));
  return sys.Remount(target, flags);
}

absl::Status RemountVia(Sys& sys, const std::string& target,
                        unsigned long flags) {
  // MS_REMOUNT only ever adds here: the existing per-mount flags are passed
  // back in (atime flags and ro are locked in a user namespace and must be
  // repeated), plus the wanted ones.
  const unsigned long wanted = MS_NOSUID | (flags & (MS_NODEV | MS_RDONLY));

  // The common case, one mount and nothing under it to recurse into: the
  // kernel tells us about that mount directly (statx + statmount +
  // listmount), without formatting the whole mount table into mountinfo
  // and parsing it back. StatMount's flags are what the mountinfo path
  // would read, so mount(2) gets the same flags either way. Anything else
  // (an older kernel, a path that is not a mount root, a recursive remount
  // with submounts) takes the mountinfo path below.
  if (absl::StatusOr<MountAttr> attr = sys.StatMount(target);
      attr.ok() && attr->is_mount_root &&
      ((flags & MS_REC) == 0 || !attr->has_submounts)) {
    if ((attr->flags & wanted) == wanted) return absl::OkStatus();
    return sys.Mount("none", target, "",
                     MS_SILENT | MS_BIND | MS_REMOUNT | attr->flags | wanted,
                     "");
  }

  KEKKAI_ASSIGN_OR_RETURN(const std::string resolved, sys.RealPath(target));
  // The kernel's own name for the mount point: mountinfo spells paths
  // relative to our root, and a path reached through a symlink or a bind
  // may differ from what the caller wrote.
  std::string kernel_path;
  {
    KEKKAI_ASSIGN_OR_RETURN(UniqueFd fd, sys.Open(resolved, O_PATH, 0));
    KEKKAI_ASSIGN_OR_RETURN(
        kernel_path,
        sys.Readlink(absl::StrCat(kHostProcSelf, "/fd/", fd.get())));
  }
  const std::string mountinfo_path = absl::StrCat(kHostProcSelf, "/mountinfo");
  KEKKAI_ASSIGN_OR_RETURN(const std::string text, sys.ReadFile(mountinfo_path));
  absl::StatusOr<std::vector<MountInfoEntry>> entries = ParseMountInfo(text);
  if (!entries.ok()) return Annotate(entries.status(), mountinfo_path);
  absl::StatusOr<std::vector<VisibleMount>> mounts =
      UnfoldMounts(*entries, kernel_path);
  if (!mounts.ok()) return Annotate(mounts.status(), mountinfo_path);

  for (size_t i = 0; i < mounts->size(); ++i) {
    if (i > 0 && (flags & MS_REC) == 0) break;
    const VisibleMount& mount = (*mounts)[i];
    if ((mount.flags & wanted) == wanted) continue;
    absl::Status status =
        sys.Mount("none", mount.path, "",
                  MS_SILENT | MS_BIND | MS_REMOUNT | mount.flags | wanted, "");
    // A submount we may not touch (owned by a more privileged user
    // namespace) is left as it is, as hakurei does.
    if (!status.ok() && !(i > 0 && HasErrno(status, EACCES))) return status;
  }
  return absl::OkStatus();
}

absl::Status MountTmpfsVia(Sys& sys, const std::string& fsname,
                           const std::string& target, unsigned long flags,
                           int64_t size, uint32_t perm) {
  KEKKAI_RETURN_IF_ERROR(sys.MkdirAll(target, ParentPermFor(perm)));
  std::string options = absl::StrFormat("mode=%#o", perm);
  if (size > 0) absl::StrAppend(&options, ",size=", size);
  return sys.Mount(fsname, target, "tmpfs", flags, options);
}

}  // namespace kekkai::sys
