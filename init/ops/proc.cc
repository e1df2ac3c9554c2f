// MountProcOp (hakurei's initproc.go): a new proc for the container's pid
// namespace, nosuid, nodev and noexec.
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
  return absl::OkStatus();
}

}  // namespace kekkai::init
