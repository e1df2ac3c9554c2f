// MountTmpfsOp (hakurei's inittmpfs.go): a tmpfs whose source name (FSName)
// shows in mountinfo, with the op's flags, size and mode.
#include "absl/strings/str_cat.h"
#include "init/failure.h"
#include "init/ops/op.h"

namespace kekkai::init {

absl::Status MountTmpfs::Apply(SetupState& /*state*/, sys::Sys& sys) {
  const std::string step = absl::StrCat("mount tmpfs on ", op_.path->str());
  // hakurei's TmpfsSizeError (ValidateOp already refuses it).
  if (op_.size < 0) {
    return WithStep(absl::InvalidArgumentError(
                        absl::StrCat("size ", op_.size, " out of bounds")),
                    step);
  }
  KEKKAI_INIT_TRY(sys.MountTmpfs(op_.fsname, ToSysroot(op_.path->str()),
                                 op_.flags, op_.size, op_.perm),
                  step);
  return absl::OkStatus();
}

}  // namespace kekkai::init
