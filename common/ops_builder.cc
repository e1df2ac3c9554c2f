#include "common/ops_builder.h"

#include <sys/mount.h>

#include <utility>

#include "absl/strings/str_cat.h"
#include "common/status.h"

namespace kekkai {

void OpsBuilder::SetError(absl::Status status) {
  if (first_error_.ok()) first_error_ = std::move(status);
}

OptionalPath OpsBuilder::PathOrError(absl::string_view field,
                                     absl::string_view path,
                                     absl::string_view type) {
  absl::StatusOr<AbsolutePath> parsed = AbsolutePath::Parse(path);
  if (!parsed.ok()) {
    SetError(Annotate(parsed.status(), absl::StrCat("op ", ops_.size(), " (",
                                                    type, "): ", field)));
    return std::nullopt;
  }
  return *std::move(parsed);
}

OpsBuilder& OpsBuilder::Add(Op op) {
  if (!first_error_.ok()) return *this;
  absl::Status valid = ValidateOp(op);
  if (!valid.ok()) {
    SetError(Annotate(valid, absl::StrCat("op ", ops_.size(), " (",
                                          GetOpInfo(op).json_name, ")")));
    return *this;
  }
  ops_.emplace_back(std::move(op));
  return *this;
}

OpsBuilder& OpsBuilder::Bind(absl::string_view source,
                             absl::string_view target, int64_t flags) {
  BindMountOp op;
  op.source = PathOrError("source", source, "bind");
  op.target = PathOrError("target", target, "bind");
  op.flags = flags;
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

OpsBuilder& OpsBuilder::Proc(absl::string_view target) {
  MountProcOp op;
  op.target = PathOrError("target", target, "proc");
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

OpsBuilder& OpsBuilder::Dev(absl::string_view target, bool mqueue) {
  MountDevOp op;
  op.target = PathOrError("target", target, "dev");
  op.mqueue = mqueue;
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

OpsBuilder& OpsBuilder::DevWritable(absl::string_view target, bool mqueue) {
  MountDevOp op;
  op.target = PathOrError("target", target, "dev");
  op.mqueue = mqueue;
  op.write = true;
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

OpsBuilder& OpsBuilder::Tmpfs(absl::string_view target, int64_t size,
                              uint32_t perm) {
  MountTmpfsOp op;
  op.fsname = "ephemeral";
  op.path = PathOrError("path", target, "tmpfs");
  op.flags = MS_NOSUID | MS_NODEV;
  op.size = size;
  op.perm = perm;
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

OpsBuilder& OpsBuilder::Readonly(absl::string_view target, uint32_t perm) {
  MountTmpfsOp op;
  op.fsname = "readonly";
  op.path = PathOrError("path", target, "tmpfs");
  op.flags = MS_RDONLY | MS_NOSUID | MS_NODEV;
  op.perm = perm;
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

OpsBuilder& OpsBuilder::Overlay(absl::string_view target,
                                absl::string_view upper,
                                absl::string_view work,
                                const std::vector<std::string>& lowers) {
  MountOverlayOp op;
  op.target = PathOrError("target", target, "overlay");
  op.upper = PathOrError("upper", upper, "overlay");
  op.work = PathOrError("work", work, "overlay");
  for (size_t i = 0; i < lowers.size(); ++i) {
    OptionalPath lower =
        PathOrError(absl::StrCat("lower[", i, "]"), lowers[i], "overlay");
    if (lower.has_value()) op.lower.push_back(*std::move(lower));
  }
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

OpsBuilder& OpsBuilder::OverlayEphemeral(
    absl::string_view target, const std::vector<std::string>& lowers) {
  MountOverlayOp op;
  op.target = PathOrError("target", target, "overlay");
  op.upper = AbsolutePath::Literal("/");
  for (size_t i = 0; i < lowers.size(); ++i) {
    OptionalPath lower =
        PathOrError(absl::StrCat("lower[", i, "]"), lowers[i], "overlay");
    if (lower.has_value()) op.lower.push_back(*std::move(lower));
  }
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

OpsBuilder& OpsBuilder::OverlayReadonly(
    absl::string_view target, const std::vector<std::string>& lowers) {
  MountOverlayOp op;
  op.target = PathOrError("target", target, "overlay");
  for (size_t i = 0; i < lowers.size(); ++i) {
    OptionalPath lower =
        PathOrError(absl::StrCat("lower[", i, "]"), lowers[i], "overlay");
    if (lower.has_value()) op.lower.push_back(*std::move(lower));
  }
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

OpsBuilder& OpsBuilder::Mkdir(absl::string_view path, uint32_t perm) {
  MkdirOp op;
  op.path = PathOrError("path", path, "mkdir");
  op.perm = perm;
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

OpsBuilder& OpsBuilder::Place(absl::string_view path, std::string data) {
  TmpfileOp op;
  op.path = PathOrError("path", path, "tmpfile");
  op.data = std::move(data);
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

OpsBuilder& OpsBuilder::Remount(absl::string_view target, uint64_t flags) {
  RemountOp op;
  op.target = PathOrError("target", target, "remount");
  op.flags = flags;
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

OpsBuilder& OpsBuilder::Link(absl::string_view target,
                             absl::string_view link_name, bool dereference) {
  SymlinkOp op;
  op.target = PathOrError("target", target, "symlink");
  op.link_name = std::string(link_name);
  op.dereference = dereference;
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

OpsBuilder& OpsBuilder::Etc(absl::string_view host, absl::string_view prefix) {
  // Check the prefix before adding the first of the three ops, so a bad
  // prefix does not leave a half-built mirror in the list.
  AutoEtcOp etc{std::string(prefix)};
  absl::Status valid = ValidateOp(Op(etc));
  if (!valid.ok()) {
    SetError(Annotate(valid, absl::StrCat("op ", ops_.size() + 2, " (auto-etc)")));
    return *this;
  }
  Mkdir("/etc", 0755);
  Bind(host, absl::StrCat("/etc/.host/", prefix), 0);
  return first_error_.ok() ? Add(std::move(etc)) : *this;
}

OpsBuilder& OpsBuilder::Root(absl::string_view host, int64_t flags) {
  AutoRootOp op;
  op.host = PathOrError("host", host, "auto-root");
  op.flags = flags;
  return first_error_.ok() ? Add(std::move(op)) : *this;
}

absl::StatusOr<OpList> OpsBuilder::Build() {
  if (built_) {
    return absl::FailedPreconditionError("OpsBuilder::Build called twice");
  }
  built_ = true;
  if (!first_error_.ok()) return first_error_;
  return std::move(ops_);
}

}  // namespace kekkai
