// TmpfileOp (hakurei's initplace.go, bubblewrap's --ro-bind-data with the
// data inline): the data is written to a file in the intermediate root's
// tmpfs, bound read-only (and nodev, nosuid) on the target, and the
// temporary name removed; the contents live on in the anonymous tmpfs.
#include <sys/mount.h>

#include "absl/strings/str_cat.h"
#include "init/failure.h"
#include "init/ops/op.h"

namespace kekkai::init {

absl::Status Tmpfile::Apply(SetupState& state, sys::Sys& sys) {
  const std::string step = absl::StrCat("place file ", op_.path->str());
  std::string temp_path;
  {
    KEKKAI_INIT_ASSIGN(sys::TempFile temp, sys.MakeTempFile("/", "tmp."), step);
    KEKKAI_INIT_TRY(sys.WriteAll(temp.fd.get(), op_.data), step);
    temp_path = std::move(temp.path);
  }  // closed here
  const std::string target = ToSysroot(op_.path->str());
  KEKKAI_INIT_TRY(sys.EnsureFile(target, 0444, state.parent_perm), step);
  KEKKAI_INIT_TRY(sys.BindMount(temp_path, target, MS_RDONLY | MS_NODEV), step);
  KEKKAI_INIT_TRY(sys.Unlink(temp_path), step);
  return absl::OkStatus();
}

}  // namespace kekkai::init
