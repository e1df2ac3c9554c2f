// MountOverlayOp (hakurei's initoverlay.go): overlayfs with a persistent
// upper and work directory, an ephemeral one (Upper "/" and no Work: both
// live in the intermediate root and vanish with it), or read-only (neither;
// at least two lower layers). Lower[0] is the top layer, as the kernel
// orders lowerdir. Mounted with userxattr, as an unprivileged overlay must
// be (Linux >= 5.11).
#include <string>
#include <vector>

#include "absl/strings/str_cat.h"
#include "absl/strings/str_join.h"
#include "absl/strings/str_replace.h"
#include "init/failure.h"
#include "init/ops/op.h"

namespace kekkai::init {

std::string EscapeOverlayDataSegment(const std::string& segment) {
  const std::string cut = segment.substr(0, segment.find('\0'));
  return absl::StrReplaceAll(cut, {{"\\", "\\\\"}, {",", "\\,"}, {":", "\\:"}});
}

absl::Status MountOverlay::Early(SetupState& /*state*/, sys::Sys& sys) {
  const std::string step =
      absl::StrCat("mount overlay on ", op_.target->str());
  if (!op_.work.has_value() && op_.upper.has_value()) {
    if (op_.upper->str() != "/") {
      return WithStep(absl::InvalidArgumentError(absl::StrCat(
                          "upperdir has unexpected value \"",
                          op_.upper->str(), "\"")),
                      step);
    }
    ephemeral_ = true;  // the intermediate root does not exist yet
  }
  if (!ephemeral_) {
    if (op_.upper.has_value()) {
      KEKKAI_INIT_ASSIGN(const std::string upper, sys.RealPath(op_.upper->str()),
                         absl::StrCat("resolve overlay upper directory ",
                                      op_.upper->str()));
      upper_ = EscapeOverlayDataSegment(ToHost(upper));
    }
    if (op_.work.has_value()) {
      KEKKAI_INIT_ASSIGN(const std::string work, sys.RealPath(op_.work->str()),
                         absl::StrCat("resolve overlay work directory ",
                                      op_.work->str()));
      work_ = EscapeOverlayDataSegment(ToHost(work));
    }
  }
  lower_.clear();
  for (const AbsolutePath& lower : op_.lower) {
    KEKKAI_INIT_ASSIGN(const std::string resolved, sys.RealPath(lower.str()),
                       absl::StrCat("resolve overlay lower layer ",
                                    lower.str()));
    lower_.push_back(EscapeOverlayDataSegment(ToHost(resolved)));
  }
  return absl::OkStatus();
}

absl::Status MountOverlay::Apply(SetupState& state, sys::Sys& sys) {
  const std::string step =
      absl::StrCat("mount overlay on ", op_.target->str());
  const std::string target = ToSysroot(op_.target->str());
  KEKKAI_INIT_TRY(sys.MkdirAll(target, state.parent_perm), step);

  if (ephemeral_) {
    // Made here, in the intermediate root's tmpfs, so they need no
    // resolving or escaping; the final pivot hides them and they go away
    // with the intermediate root.
    KEKKAI_INIT_ASSIGN(upper_, sys.MakeTempDir("/", "overlay.upper."), step);
    KEKKAI_INIT_ASSIGN(work_, sys.MakeTempDir("/", "overlay.work."), step);
  }

  std::vector<std::string> options;
  if (upper_.empty() && work_.empty()) {
    if (op_.lower.size() < 2) {
      return WithStep(absl::InvalidArgumentError(
                          "a read-only overlay needs at least two lower "
                          "layers"),
                      step);
    }
  } else {
    if (op_.lower.empty()) {
      return WithStep(absl::InvalidArgumentError(
                          "an overlay needs at least one lower layer"),
                      step);
    }
    options.push_back(absl::StrCat("upperdir=", upper_));
    options.push_back(absl::StrCat("workdir=", work_));
  }
  options.push_back(absl::StrCat("lowerdir=", absl::StrJoin(lower_, ":")));
  options.push_back("userxattr");
  KEKKAI_INIT_TRY(sys.Mount("overlay", target, "overlay", 0,
                            absl::StrJoin(options, ",")),
                  step);
  return absl::OkStatus();
}

}  // namespace kekkai::init
