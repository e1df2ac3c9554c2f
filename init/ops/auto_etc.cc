// AutoEtcOp (hakurei's autoetc.go): /etc as a mirror of symlinks into the
// host's /etc, which the two ops before it (OpsBuilder::Etc) bound at
// /etc/.host/<prefix>. passwd and group are left to the caller; mtab points
// at /proc/mounts. Runs once per container.
#include <string>

#include "absl/strings/str_cat.h"
#include "init/failure.h"
#include "init/ops/op.h"

namespace kekkai::init {

absl::Status AutoEtc::Apply(SetupState& state, sys::Sys& sys) {
  const std::string host_rel = absl::StrCat(".host/", op_.prefix);
  const std::string step = absl::StrCat("set up /etc from /etc/", host_rel);
  if (state.nonrepeatable & kOnceAutoEtc) {
    return WithStep(absl::InvalidArgumentError("auto-etc is not repeatable"),
                    step);
  }
  state.nonrepeatable |= kOnceAutoEtc;

  const std::string etc = "/sysroot/etc";
  // Relative links, so they resolve inside the container.
  const std::string rel = op_.prefix.empty() ? ".host/" : host_rel + "/";
  KEKKAI_INIT_TRY(sys.MkdirAll(etc, 0755), step);
  KEKKAI_INIT_ASSIGN(const std::vector<std::string> names,
                     sys.ReadDir(ToSysroot(absl::StrCat("/etc/", host_rel))),
                     step);
  for (const std::string& name : names) {
    if (name == ".host" || name == "passwd" || name == "group") continue;
    const std::string link = absl::StrCat(etc, "/", name);
    if (name == "mtab") {
      KEKKAI_INIT_TRY(sys.Symlink("/proc/mounts", link), step);
    } else {
      KEKKAI_INIT_TRY(sys.Symlink(rel + name, link), step);
    }
  }
  return absl::OkStatus();
}

}  // namespace kekkai::init
