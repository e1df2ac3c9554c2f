// The behaviour of the eleven setup ops inside kekkai-init: what each does
// in the host root (Early) and in the intermediate root (Apply). The data of
// each op (its wire fields, ValidateOp, Describe) lives in common/ops.h; this
// is the half only init links (DESIGN.md: the shim never carries mount code).
//
// The contract is hakurei's (HAKUREI.md §1.9):
//   * Early(state, sys) runs in the host root, right before the first
//     pivot_root. It may read and resolve (realpath, readlink, readdir) and
//     cache what it finds in the op object, but must not change the mount
//     namespace. (BindEnsure's mkdir of the source on the host is the one
//     write, as in hakurei.)
//   * Apply(state, sys) runs in the intermediate root: the host's root is at
//     /host (ToHost) and the container's future root at /sysroot
//     (ToSysroot). It builds the container tree and must leave /host and
//     /sysroot themselves mounted.
//   * Errors carry a step (init/failure.h) naming what failed in the
//     container's terms; the runner adds the op index.
//
// One file per op: init/ops/<name>.cc.
#ifndef KEKKAI_INIT_OPS_OP_H_
#define KEKKAI_INIT_OPS_OP_H_

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "common/ops.h"
#include "common/params.h"
#include "common/sys/sys.h"

namespace kekkai::init {

// State shared by the ops of one init run.
struct SetupState {
  const Params* params = nullptr;  // never null while ops run
  mode_t parent_perm = 0755;       // EffectiveParentPerm(*params)
  // Ops that may run once only (hakurei's nonrepeatable bits).
  uint32_t nonrepeatable = 0;
};

inline constexpr uint32_t kOnceAutoEtc = 1u << 0;
inline constexpr uint32_t kOnceAutoRoot = 1u << 1;

// "/sysroot/<path without leading slashes>", cleaned (hakurei's toSysroot).
std::string ToSysroot(const std::string& path);
// "/host/<path without leading slashes>", cleaned (hakurei's toHost).
std::string ToHost(const std::string& path);

class InitOp {
 public:
  virtual ~InitOp() = default;
  InitOp(const InitOp&) = delete;
  InitOp& operator=(const InitOp&) = delete;

  virtual absl::Status Early(SetupState& /*state*/, sys::Sys& /*sys*/) {
    return absl::OkStatus();
  }
  virtual absl::Status Apply(SetupState& state, sys::Sys& sys) = 0;

 protected:
  InitOp() = default;
};

// The behaviour for one (valid) op.
std::unique_ptr<InitOp> MakeInitOp(const Op& op);

// ---- the eleven ops (constructed from their data; tests use them directly)

// bind.cc
class BindMount final : public InitOp {
 public:
  explicit BindMount(BindMountOp op) : op_(std::move(op)) {}
  absl::Status Early(SetupState& state, sys::Sys& sys) override;
  absl::Status Apply(SetupState& state, sys::Sys& sys) override;

 private:
  BindMountOp op_;
  std::optional<std::string> resolved_;  // realpath of the source (Early)
};

// proc.cc
class MountProc final : public InitOp {
 public:
  explicit MountProc(MountProcOp op) : op_(std::move(op)) {}
  absl::Status Apply(SetupState& state, sys::Sys& sys) override;

 private:
  MountProcOp op_;
};

// dev.cc
class MountDev final : public InitOp {
 public:
  explicit MountDev(MountDevOp op) : op_(std::move(op)) {}
  absl::Status Apply(SetupState& state, sys::Sys& sys) override;

 private:
  MountDevOp op_;
};

// tmpfs.cc
class MountTmpfs final : public InitOp {
 public:
  explicit MountTmpfs(MountTmpfsOp op) : op_(std::move(op)) {}
  absl::Status Apply(SetupState& state, sys::Sys& sys) override;

 private:
  MountTmpfsOp op_;
};

// overlay.cc
class MountOverlay final : public InitOp {
 public:
  explicit MountOverlay(MountOverlayOp op) : op_(std::move(op)) {}
  absl::Status Early(SetupState& state, sys::Sys& sys) override;
  absl::Status Apply(SetupState& state, sys::Sys& sys) override;

 private:
  MountOverlayOp op_;
  bool ephemeral_ = false;
  std::string upper_;               // escaped /host/... (Early), or ephemeral
  std::string work_;                // likewise
  std::vector<std::string> lower_;  // escaped /host/... (Early)
};

// mkdir.cc
class Mkdir final : public InitOp {
 public:
  explicit Mkdir(MkdirOp op) : op_(std::move(op)) {}
  absl::Status Apply(SetupState& state, sys::Sys& sys) override;

 private:
  MkdirOp op_;
};

// tmpfile.cc
class Tmpfile final : public InitOp {
 public:
  explicit Tmpfile(TmpfileOp op) : op_(std::move(op)) {}
  absl::Status Apply(SetupState& state, sys::Sys& sys) override;

 private:
  TmpfileOp op_;
};

// remount.cc
class Remount final : public InitOp {
 public:
  explicit Remount(RemountOp op) : op_(std::move(op)) {}
  absl::Status Apply(SetupState& state, sys::Sys& sys) override;

 private:
  RemountOp op_;
};

// symlink.cc
class Symlink final : public InitOp {
 public:
  explicit Symlink(SymlinkOp op)
      : op_(std::move(op)), link_name_(op_.link_name) {}
  absl::Status Early(SetupState& state, sys::Sys& sys) override;
  absl::Status Apply(SetupState& state, sys::Sys& sys) override;

 private:
  SymlinkOp op_;
  std::string link_name_;  // LinkName, or its readlink with Dereference
};

// auto_etc.cc
class AutoEtc final : public InitOp {
 public:
  explicit AutoEtc(AutoEtcOp op) : op_(std::move(op)) {}
  absl::Status Apply(SetupState& state, sys::Sys& sys) override;

 private:
  AutoEtcOp op_;
};

// auto_root.cc
class AutoRoot final : public InitOp {
 public:
  explicit AutoRoot(AutoRootOp op) : op_(std::move(op)) {}
  absl::Status Early(SetupState& state, sys::Sys& sys) override;
  absl::Status Apply(SetupState& state, sys::Sys& sys) override;

 private:
  AutoRootOp op_;
  std::vector<std::unique_ptr<BindMount>> binds_;  // resolved in Early
};

// hakurei's IsAutoRootBindable: every top-level name except proc, dev, tmp,
// mnt, etc (and "", which would bind the root itself).
bool IsAutoRootBindable(const std::string& name);

// hakurei's EscapeOverlayDataSegment: cut at the first NUL, then backslash-
// escape '\', ',' and ':' for overlay's mount options.
std::string EscapeOverlayDataSegment(const std::string& segment);

}  // namespace kekkai::init

#endif  // KEKKAI_INIT_OPS_OP_H_
