// SymlinkOp (hakurei's initsymlink.go): a symlink in the container; with
// Dereference, the link name is read from the host's symlink of that name
// in the early step.
#include "absl/strings/str_cat.h"
#include "common/sys/sys.h"
#include "init/failure.h"
#include "init/ops/op.h"

namespace kekkai::init {

absl::Status Symlink::Early(SetupState& /*state*/, sys::Sys& sys) {
  if (op_.dereference) {
    // ValidateOp has checked that the name is absolute.
    KEKKAI_INIT_ASSIGN(link_name_, sys.Readlink(op_.link_name),
                       absl::StrCat("read symlink ", op_.link_name));
  }
  return absl::OkStatus();
}

absl::Status Symlink::Apply(SetupState& state, sys::Sys& sys) {
  const std::string step =
      absl::StrCat("create symlink ", op_.target->str());
  const std::string target = ToSysroot(op_.target->str());
  KEKKAI_INIT_TRY(sys.MkdirAll(sys::DirName(target), state.parent_perm), step);
  KEKKAI_INIT_TRY(sys.Symlink(link_name_, target), step);
  return absl::OkStatus();
}

}  // namespace kekkai::init
