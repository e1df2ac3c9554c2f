// RemountOp (hakurei's initremount.go): adds nosuid, and ro/nodev when
// asked, to a mount in the container (recursively with MS_REC).
#include "absl/strings/str_cat.h"
#include "init/failure.h"
#include "init/ops/op.h"

namespace kekkai::init {

absl::Status Remount::Apply(SetupState& /*state*/, sys::Sys& sys) {
  KEKKAI_INIT_TRY(sys.Remount(ToSysroot(op_.target->str()), op_.flags),
                  absl::StrCat("remount ", op_.target->str()));
  return absl::OkStatus();
}

}  // namespace kekkai::init
