// OpsBuilder: the embedder's way to write an op list, named after hakurei's
// builder methods. Paths are checked as they are added; the first error is
// kept and returned by Build(), so a chain stays one expression:
//
//   absl::StatusOr<kekkai::OpList> ops = kekkai::OpsBuilder()
//       .Bind("/usr", "/usr")
//       .Bind("/etc/resolv.conf", "/etc/resolv.conf", kekkai::kBindOptional)
//       .Proc("/proc")
//       .Dev("/dev", /*mqueue=*/true)
//       .Tmpfs("/tmp", 0, 01777)
//       .Remount("/", MS_RDONLY)
//       .Build();
//
// An error names the op's index and field: `op 1 (bind): source: path "usr"
// is not absolute`.
#ifndef KEKKAI_COMMON_OPS_BUILDER_H_
#define KEKKAI_COMMON_OPS_BUILDER_H_

#include <cstdint>
#include <string>
#include <vector>

#include "absl/status/status.h"
#include "absl/status/statusor.h"
#include "absl/strings/string_view.h"
#include "common/ops.h"

namespace kekkai {

class OpsBuilder final {
 public:
  OpsBuilder() = default;

  // BindMountOp; flags are kBind* bits (read-only, nodev by default).
  OpsBuilder& Bind(absl::string_view source, absl::string_view target,
                   int64_t flags = 0);
  // MountProcOp.
  OpsBuilder& Proc(absl::string_view target);
  // MountDevOp, read-only after setup.
  OpsBuilder& Dev(absl::string_view target, bool mqueue = false);
  // MountDevOp left writable.
  OpsBuilder& DevWritable(absl::string_view target, bool mqueue = false);
  // MountTmpfsOp "ephemeral", MS_NOSUID|MS_NODEV; size 0 = kernel default.
  OpsBuilder& Tmpfs(absl::string_view target, int64_t size, uint32_t perm);
  // MountTmpfsOp "readonly", MS_RDONLY|MS_NOSUID|MS_NODEV.
  OpsBuilder& Readonly(absl::string_view target, uint32_t perm);
  // MountOverlayOp with a persistent upper and work directory; lowers[0] is
  // the top layer.
  OpsBuilder& Overlay(absl::string_view target, absl::string_view upper,
                      absl::string_view work,
                      const std::vector<std::string>& lowers);
  // MountOverlayOp whose writes go to a hidden tmpfs.
  OpsBuilder& OverlayEphemeral(absl::string_view target,
                               const std::vector<std::string>& lowers);
  // Read-only MountOverlayOp (at least two lowers).
  OpsBuilder& OverlayReadonly(absl::string_view target,
                              const std::vector<std::string>& lowers);
  // MkdirOp.
  OpsBuilder& Mkdir(absl::string_view path, uint32_t perm);
  // TmpfileOp: a read-only file with `data` (hakurei's Place).
  OpsBuilder& Place(absl::string_view path, std::string data);
  // RemountOp (MS_RDONLY, MS_NODEV, MS_REC are honoured).
  OpsBuilder& Remount(absl::string_view target, uint64_t flags);
  // SymlinkOp: `target` becomes a symlink to `link_name`.
  OpsBuilder& Link(absl::string_view target, absl::string_view link_name,
                   bool dereference = false);
  // hakurei's Etc: Mkdir("/etc", 0755), Bind(host, "/etc/.host/<prefix>"),
  // AutoEtcOp{prefix}: three ops.
  OpsBuilder& Etc(absl::string_view host, absl::string_view prefix);
  // AutoRootOp: binds every top-level entry of `host` but proc, dev, tmp,
  // mnt and etc.
  OpsBuilder& Root(absl::string_view host, int64_t flags);
  // Any op, validated now.
  OpsBuilder& Add(Op op);

  // The ops, or the first error. Moves the ops out: a second call fails.
  absl::StatusOr<OpList> Build();

  // The first error so far (OK if none).
  const absl::Status& status() const { return first_error_; }

 private:
  OptionalPath PathOrError(absl::string_view field, absl::string_view path,
                           absl::string_view type);
  void SetError(absl::Status status);

  OpList ops_;
  absl::Status first_error_;
  bool built_ = false;
};

}  // namespace kekkai

#endif  // KEKKAI_COMMON_OPS_BUILDER_H_
