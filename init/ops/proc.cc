// MountProcOp (hakurei's initproc.go): a new proc for the container's pid
// namespace, nosuid, nodev and noexec.
//
// kekkai's addition (bubblewrap's cover_proc_dirs): /proc/sys and
// /proc/sysrq-trigger are made read-only. Most sysctls are not namespaced
// and their writes are checked against the file mode with the host's root
// uid as owner, not against capabilities: a container started by root runs
// as the host's uid 0 (without capabilities) and could otherwise write
// kernel.core_pattern or trigger sysrq (tests/security/).
#include <errno.h>
#include <sys/mount.h>

#include "absl/strings/str_cat.h"
#include "init/failure.h"
#include "init/ops/op.h"

namespace kekkai::init {

absl::Status MountProc::Apply(SetupState& state, sys::Sys& sys) {
  const std::string step = absl::StrCat("mount proc on ", op_.target->str());
  const std::string target = ToSysroot(op_.target->str());
  KEKKAI_INIT_TRY(sys.MkdirAll(target, state.parent_perm), step);
  // proc can be mounted in a user namespace only while a fully visible proc
  // exists in the mount namespace: the host's, still at /host/proc.
  KEKKAI_INIT_TRY(sys.Mount("proc", target, "proc",
                            MS_NOSUID | MS_NOEXEC | MS_NODEV, ""),
                  step);
  KEKKAI_INIT_TRY(sys.BindMount(target + "/sys", target + "/sys", MS_RDONLY),
                  step);
  // Only with CONFIG_MAGIC_SYSRQ.
  const std::string sysrq = target + "/sysrq-trigger";
  absl::StatusOr<sys::FileType> type = sys.Lstat(sysrq);
  if (!type.ok() && GetErrno(type.status()) == ENOENT) return absl::OkStatus();
  KEKKAI_INIT_TRY(type.status(), step);
  KEKKAI_INIT_TRY(sys.BindMount(sysrq, sysrq, MS_RDONLY), step);
  return absl::OkStatus();
}

}  // namespace kekkai::init
