// BindMountOp (hakurei's initbind.go): a recursive bind of a host path,
// read-only, nodev and nosuid unless flagged writable or device.
#include <errno.h>
#include <sys/mount.h>

#include "absl/strings/str_cat.h"
#include "common/status.h"
#include "init/failure.h"
#include "init/ops/op.h"

namespace kekkai::init {

absl::Status BindMount::Early(SetupState& /*state*/, sys::Sys& sys) {
  const std::string& source = op_.source->str();
  const std::string step =
      absl::StrCat("bind ", source, " on ", op_.target->str());
  if (op_.flags & kBindEnsure) {
    KEKKAI_INIT_TRY(sys.MkdirAll(source, 0700),
                    absl::StrCat("create bind source ", source));
  }
  absl::StatusOr<std::string> resolved = sys.RealPath(source);
  if (!resolved.ok()) {
    // Optional: a missing source leaves the op unresolved, and Apply
    // skips it.
    if ((op_.flags & kBindOptional) && GetErrno(resolved.status()) == ENOENT) {
      return absl::OkStatus();
    }
    return WithStep(resolved.status(), step);
  }
  resolved_ = *std::move(resolved);
  return absl::OkStatus();
}

absl::Status BindMount::Apply(SetupState& /*state*/, sys::Sys& sys) {
  const std::string step =
      absl::StrCat("bind ", op_.source->str(), " on ", op_.target->str());
  if (!resolved_.has_value()) {
    if (op_.flags & kBindOptional) return absl::OkStatus();
    return WithStep(absl::FailedPreconditionError(
                        "impossible bind state: applied before its early "
                        "step"),
                    step);
  }
  const std::string source = ToHost(*resolved_);
  const std::string target = ToSysroot(op_.target->str());

  // 0700 for what is created here mirrors bubblewrap, which never sets
  // perms for bind destinations (hakurei does the same).
  KEKKAI_INIT_ASSIGN(const sys::FileType type, sys.Stat(source), step);
  if (type == sys::FileType::kDirectory) {
    KEKKAI_INIT_TRY(sys.MkdirAll(target, 0700), step);
  } else {
    KEKKAI_INIT_TRY(sys.EnsureFile(target, 0444, 0700), step);
  }

  unsigned long flags = MS_REC;
  if (!(op_.flags & kBindWritable)) flags |= MS_RDONLY;
  if (!(op_.flags & kBindDevice)) flags |= MS_NODEV;
  KEKKAI_INIT_TRY(sys.BindMount(source, target, flags), step);
  return absl::OkStatus();
}

}  // namespace kekkai::init
