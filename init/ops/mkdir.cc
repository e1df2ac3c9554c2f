// MkdirOp (hakurei's initmkdir.go): mkdir -p with exactly Perm (init's
// umask is 0 during setup).
#include "absl/strings/str_cat.h"
#include "init/failure.h"
#include "init/ops/op.h"

namespace kekkai::init {

absl::Status Mkdir::Apply(SetupState& /*state*/, sys::Sys& sys) {
  KEKKAI_INIT_TRY(sys.MkdirAll(ToSysroot(op_.path->str()), op_.perm),
                  absl::StrCat("create directory ", op_.path->str()));
  return absl::OkStatus();
}

}  // namespace kekkai::init
